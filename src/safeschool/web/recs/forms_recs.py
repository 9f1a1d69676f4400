"""Forms of RECs and partnerships: a REC's profile, a staff entry, a partnership (new or edited), its end, a meeting
and a month's referral count. They check what was typed; the services check it again and decide whether the user
may do it. Choices of rows are plain choices of ids (an id beyond the database's range is an invalid choice)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.web.recs.models import Service

DATE = {"type": "date"}
TEXT = {"rows": 4}


def _services_field(label):
    return forms.MultipleChoiceField(choices=Service.choices, required=False, label=label,
                                     widget=forms.CheckboxSelectMultiple)


class RecProfileForm(forms.Form):
    area = forms.CharField(max_length=300, label=_("Area served"), help_text=_("The district or region it serves."))
    services = _services_field(_("Services offered"))
    description = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs=TEXT),
                                  label=_("Description"))
    website = forms.URLField(required=False, label=_("Website"), assume_scheme="https")


class StaffForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    # translators: a person's job at a REC, e.g. "psychologist"
    role = forms.CharField(max_length=120, label=pgettext_lazy("a person's job", "Role"))
    member = forms.TypedChoiceField(choices=(), coerce=int, required=False, empty_value=None,
                                    label=_("Network member (optional)"),
                                    help_text=_("Linked, the member answers the REC's side of the partnership "
                                                "survey and sees its partnerships' referral counts."))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("Not linked"))] + [(m.pk, m.display_name) for m in members]


class PartnershipForm(forms.Form):
    school = forms.TypedChoiceField(choices=(), coerce=int, label=_("School"))
    since = forms.DateField(label=_("Partners since"), widget=forms.DateInput(attrs=DATE))
    services = _services_field(_("Agreed services"))
    school_contact = forms.CharField(max_length=200, required=False, label=_("Contact at the school"))
    rec_contact = forms.CharField(max_length=200, required=False, label=_("Contact at the REC"))
    agreement = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs=TEXT),
                                label=_("Agreement"), help_text=_("What the partners agreed."))

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]  # editing: the partners do not change
        else:
            self.fields["school"].choices = [(s.pk, f"{s.name} ({s.code})") for s in schools]


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=forms.DateInput(attrs=DATE))


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs=DATE))
    topic = forms.CharField(max_length=200, label=_("Topic"))
    attendees = forms.IntegerField(min_value=1, max_value=500, initial=2, label=_("Attendees"))
    notes = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs=TEXT), label=_("Notes"))


class ReferralForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m", "%Y-%m-%d"], label=_("Month"),
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            help_text=_("A month already counted has its count replaced."))
    count = forms.IntegerField(min_value=0, max_value=100_000, label=_("Students referred"),
                               help_text=_("A number only: never a student's name."))
