"""Case-study forms: the public list's filters (GET) and the structured case study. Ids are offered as choices, so
a forged or out-of-range id is an invalid choice (never a database error). The services decide and check again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool import vocabulary
from safeschool.web.learning.models import CaseStudy
from safeschool.web.learning.selectors_cases import SEARCH_MAX


def _choices(objects, text=str) -> list[tuple[str, str]]:
    return [(str(o.pk), text(o)) for o in objects]


def _countries() -> list[tuple[str, str]]:
    return [(code, gettext(name)) for code, name in vocabulary.COUNTRIES]


def _stages() -> list[tuple[str, str]]:
    return [(code, gettext(name)) for code, name in vocabulary.STAGE_LABELS.items()]


class CaseFilterForm(forms.Form):
    q = forms.CharField(max_length=SEARCH_MAX, required=False, label=_("Search"))
    country = forms.ChoiceField(choices=[], required=False, label=_("Country"))
    stage = forms.ChoiceField(choices=[], required=False, label=_("Stage"))
    rec = forms.ChoiceField(choices=[], required=False, label=_("REC"))
    school = forms.ChoiceField(choices=[], required=False, label=_("School"))
    practice = forms.ChoiceField(choices=[], required=False, label=_("Hub practice"))
    intervention = forms.ChoiceField(choices=[], required=False, label=_("Intervention"))

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", gettext("All"))]
        self.fields["country"].choices = every + [(c, gettext(n)) for c, n in choices["countries"]]
        self.fields["stage"].choices = every + [(s, gettext(n)) for s, n in choices["stages"]]
        self.fields["rec"].choices = every + _choices(choices["recs"])
        self.fields["school"].choices = every + _choices(choices["schools"])
        self.fields["practice"].choices = every + _choices(choices["practices"])
        self.fields["intervention"].choices = every + _choices(choices["interventions"])

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"q": data["q"], "country": data["country"], "stage": data["stage"],
                **{key: int(data[key]) if data[key] else None
                   for key in ("rec", "school", "practice", "intervention")}}


class CaseForm(forms.Form):
    slug = forms.SlugField(max_length=80, label=_("Address"),
                           help_text=_("Its stable address: /learning/cases/<address>/. Letters, digits and dashes."))
    title = forms.CharField(max_length=200, label=_("Title"))
    authors = forms.CharField(max_length=300, label=_("Authors"), help_text=_("As they are to be cited."))
    country = forms.ChoiceField(choices=[], required=False, label=_("Country"))
    stages = forms.MultipleChoiceField(choices=[], required=False, widget=forms.CheckboxSelectMultiple,
                                       label=_("Stages"))
    school = forms.ChoiceField(choices=[], required=False, label=_("School"))
    rec = forms.ChoiceField(choices=[], required=False, label=_("REC"))
    context = forms.CharField(max_length=5_000, widget=forms.Textarea(attrs={"rows": 5}), label=_("Context"))
    partnership = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  label=_("Partnership"), help_text=_("How the school and the REC work together."))
    practice = forms.CharField(max_length=5_000, widget=forms.Textarea(attrs={"rows": 5}),
                               # translators: the section of a case study describing what the school does
                               label=_("Practice"))
    evidence = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               label=_("Evidence"))
    outcomes = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               label=_("Outcomes"))
    lessons = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              label=_("Lessons learnt"))
    transferability = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                      label=_("Transferability"))
    practices = forms.MultipleChoiceField(choices=[], required=False, widget=forms.CheckboxSelectMultiple,
                                          label=_("Hub practices"))
    interventions = forms.MultipleChoiceField(choices=[], required=False, widget=forms.CheckboxSelectMultiple,
                                              label=_("Interventions"))
    consent_given_by = forms.CharField(max_length=200, required=False, label=_("Consent given by"),
                                       help_text=_("Who consented for the school to this case study's publication."))
    consent_on = forms.DateField(required=False, label=_("Consent given on"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    consent_document = forms.FileField(required=False, label=_("Consent document (optional)"),
                                       help_text=_("PDF, JPG or PNG, up to 10 MB."),
                                       widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self._objects = {name: {str(o.pk): o for o in choices[name]}
                         for name in ("schools", "recs", "practices", "interventions")}
        none = [("", gettext("— none —"))]
        self.fields["country"].choices = none + _countries()
        self.fields["stages"].choices = _stages()
        self.fields["school"].choices = none + _choices(choices["schools"])
        self.fields["rec"].choices = none + _choices(choices["recs"])
        self.fields["practices"].choices = _choices(choices["practices"])
        self.fields["interventions"].choices = _choices(choices["interventions"], lambda i: i.name)

    def clean(self):
        data = super().clean()
        for field, kind in (("school", "schools"), ("rec", "recs")):
            if field in data:
                data[field] = self._objects[kind].get(data[field]) if data[field] else None
        for field in ("practices", "interventions"):
            if field in data:
                data[field] = [self._objects[field][pk] for pk in data[field]]
        return data

    @staticmethod
    def initial_for(case: CaseStudy) -> dict:
        return {**{f: getattr(case, f) for f in ("slug", "title", "authors", "country", "stages", "context",
                                                 "partnership", "practice", "evidence", "outcomes", "lessons",
                                                 "transferability", "consent_given_by", "consent_on")},
                "school": str(case.school_id or ""), "rec": str(case.rec_id or ""),
                "practices": [str(pk) for pk in case.practices.values_list("pk", flat=True)],
                "interventions": [str(pk) for pk in case.interventions.values_list("pk", flat=True)]}
