from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    """The interface language kept in the member's profile."""

    language = forms.ChoiceField(label=_("Language of the site"), required=False,
                                 choices=[("", _("Follow my browser"))] + list(settings.LANGUAGES),
                                 help_text=_("Used on every device you sign in from, and for the e-mails we send you."))
