from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from safeschool.web.network.models import COUNTRIES, LANGUAGES, Level, Member, Sector, StakeholderType, Topic
from safeschool.web.network.services import birth_year_bounds


class ProfileFields(forms.Form):
    display_name = forms.CharField(max_length=80, label=_("Name shown to others"))
    stakeholder_type = forms.ChoiceField(choices=StakeholderType.choices, label=_("I take part as"))
    sector = forms.ChoiceField(choices=[("", "—")] + list(Sector.choices), required=False,
                               label=_("Practitioner sector"), help_text=_("If you work in one of these sectors."))
    country = forms.ChoiceField(choices=COUNTRIES)
    organisation = forms.CharField(max_length=200, required=False)
    languages = forms.MultipleChoiceField(choices=LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False)
    topics = forms.MultipleChoiceField(choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False,
                                       label=_("Topics of interest"))
    newsletters = forms.BooleanField(required=False, label=_("Send me the network's newsletters"))
    in_directory = forms.BooleanField(required=False, label=_("List me in the members' directory (name only)"))
    show_organisation = forms.BooleanField(required=False, label=_("…with my organisation"))
    show_country = forms.BooleanField(required=False, label=_("…with my country"))
    show_type = forms.BooleanField(required=False, label=_("…with how I take part"))
    show_topics = forms.BooleanField(required=False, label=_("…with my topics"))


class JoinForm(ProfileFields):
    username = forms.CharField(max_length=150)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput, help_text=_("At least 8 characters, not a common one."))
    birth_year = forms.IntegerField(label=_("Year of birth"),
                                    help_text=_("Members under 16 need a parent's consent before posting or sharing."))
    level = forms.ChoiceField(choices=Level.choices, initial=Level.A, widget=forms.RadioSelect,
                              label=_("How do you want to take part? (you can change this at any time)"))
    consent = forms.BooleanField(label=_("I agree to the membership terms above"))
    consent_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    field_order = ["username", "email", "password", "display_name", "birth_year", "stakeholder_type", "sector",
                   "country", "organisation", "languages", "topics", "level"]

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:  # completing a profile for an existing account
            for name in ("username", "email", "password"):
                del self.fields[name]

    def clean_username(self):
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("This username is taken."))
        return name

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        low, high = birth_year_bounds()
        if not low <= year <= high:
            raise forms.ValidationError(_("Give a year between %(low)s and %(high)s.") % {"low": low, "high": high})
        return year

    def clean(self):
        data = super().clean()
        if data.get("password"):
            try:
                validate_password(data["password"])
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class ProfileForm(ProfileFields):
    level = forms.ChoiceField(choices=Level.choices, widget=forms.RadioSelect, label=_("Participation level"))
    notify = forms.ChoiceField(choices=Member._meta.get_field("notify").choices, label=_("E-mails about new posts"),
                               help_text=_("In the communities you joined."))

    @classmethod
    def for_member(cls, member: Member, data=None):
        initial = {f: getattr(member, f) for f in cls.base_fields if hasattr(member, f)}
        return cls(data, initial=initial)


class ConsentWithdrawForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, withdraw my consent"),
                                 error_messages={"required": _("Tick the box to confirm that you want to withdraw.")})


class ParentalConsentForm(forms.Form):
    given_by = forms.CharField(max_length=120, label=_("Parent's or guardian's full name"))
    agree = forms.BooleanField(label=_("I am this member's parent or legal guardian and I agree to the text above"))


class DirectoryFilter(forms.Form):
    q = forms.CharField(required=False, label=_("Name"))
    stakeholder_type = forms.ChoiceField(choices=[("", _("Any"))] + list(StakeholderType.choices), required=False,
                                         label=_("Taking part as"))
    country = forms.ChoiceField(choices=[("", _("Any"))] + COUNTRIES, required=False)
    topic = forms.ChoiceField(choices=[("", _("Any"))] + list(Topic.choices), required=False)
