from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from safeschool.web.accounts.selectors import profile_language


class LanguageForm(forms.Form):
    """The interface language kept in the member's profile."""

    language = forms.ChoiceField(label=_("Language of the site"), required=False,
                                 choices=[("", _("Follow my browser"))] + list(settings.LANGUAGES),
                                 help_text=_("Used on every device you sign in from, and for the e-mails we send you."))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; the e-mail is written in the language the account holder chose, else in the one the
    reset was asked for in (most often by the holder: the page they just read)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(profile_language(context["user"]) or translation.get_language()):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
