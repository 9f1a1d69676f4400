"""Forms of the course's editions: a new edition, attendance (a box per participant and session), the knowledge
check (the questions of course_checks.yaml), the evaluation (reaction items 1-5 and comments), revoking a
certificate. The services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.web.learning.models import CONTENT_LANGUAGES
from safeschool.web.learning.selectors_editions import REACTION_ITEMS

DATE = {"type": "date"}
RATINGS = [(str(i), str(i)) for i in range(1, 6)]


class EditionForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs=DATE))
    venue = forms.CharField(max_length=300, label=_("Venue"))
    trainers = forms.CharField(max_length=300, label=_("Trainers"))
    capacity = forms.IntegerField(min_value=1, max_value=500, label=_("Places"))
    language = forms.ChoiceField(choices=CONTENT_LANGUAGES, label=_("Language"))
    enrolment_open = forms.BooleanField(required=False, initial=True, label=_("Open for enrolment"))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The course ends on or after the day it starts."))
        return data


class AttendanceForm(forms.Form):
    def __init__(self, *args, grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        for row in grid["rows"]:
            for cell in row["cells"]:
                # named by an aria-label: a visually hidden <label> in a scrolling table widens the page
                name = gettext("%(name)s at %(session)s") % {"name": row["name"], "session": cell["session"].title}
                self.fields[cell["field"]] = forms.BooleanField(
                    required=False, initial=bool(cell["present"]), label=cell["session"].title,
                    widget=forms.CheckboxInput(attrs={"aria-label": name}))

    def rows(self) -> list[dict]:
        return [{"name": row["name"], "cells": [{"session": c["session"], "bound": self[c["field"]]}
                                                for c in row["cells"]]} for row in self.grid["rows"]]

    def marks(self) -> dict[tuple[int, int], bool]:
        return {(row["enrolment"].pk, cell["session"].pk): self.cleaned_data[cell["field"]]
                for row in self.grid["rows"] for cell in row["cells"]}


class CheckForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for q in questions:
            self.fields[q["code"]] = forms.TypedChoiceField(
                coerce=int, label=q["question"], widget=forms.RadioSelect,
                choices=[(str(i), text) for i, text in enumerate(q["options"])])


class EvaluationForm(forms.Form):
    comments = forms.CharField(required=False, max_length=5000, label=_("Comments"), widget=forms.Textarea(
        attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, text in REACTION_ITEMS.items():
            self.fields[f"r_{code}"] = forms.TypedChoiceField(coerce=int, label=text, choices=RATINGS,
                                                              widget=forms.RadioSelect)
        self.order_fields([f"r_{code}" for code in REACTION_ITEMS] + ["comments"])

    def ratings(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"r_{code}"] for code in REACTION_ITEMS}


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300, label=_("Reason"))
