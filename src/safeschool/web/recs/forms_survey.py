"""Forms of the partnership survey and the needs analysis: a new wave; one side's answer (every item of the wave's
instrument in that side's wording on its Likert scale, the problems taxonomy as checkboxes with their definitions,
comments); a needs response (a priority for every topic of the chosen role, preferred formats). Labels come from the
pure instrument (English, marked in safeschool/partnership/texts.py) and are translated when the form is built."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RADIO = forms.RadioSelect(attrs={"class": "likert"})


class WaveForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"), help_text=_("e.g. 'Spring 2026'."))
    instrument_version = forms.TypedChoiceField(choices=(), coerce=int, label=_("Survey version"))

    def __init__(self, *args, versions=(1,), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument_version"].choices = [(v, str(v)) for v in versions]
        self.fields["instrument_version"].initial = max(versions)


def _scale(low: int, high: int, anchors: dict) -> list[tuple[int, str]]:
    return [(v, f"{v} – {gettext(anchors[v])}" if v in anchors else str(v)) for v in range(low, high + 1)]


class AnswerForm(forms.Form):
    """Item fields are named by the item's code; `dimensions` groups them for the template."""

    def __init__(self, *args, instrument, side: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _scale(*instrument.scale, instrument.anchors)
        self.dimensions = []
        for d in instrument.dimensions:
            for item in d.items:
                self.fields[item.code] = forms.TypedChoiceField(choices=choices, coerce=int, widget=RADIO,
                                                                label=gettext(item.text(side)))
            self.dimensions.append((gettext(d.name), [item.code for item in d.items]))
        self.fields["problems"] = forms.MultipleChoiceField(
            required=False, widget=forms.CheckboxSelectMultiple, label=_("Problems of implementation you met"),
            choices=[(p.code, format_html("<strong>{}</strong> — {}", gettext(p.label), gettext(p.definition)))
                     for p in instrument.problems.values()])
        self.fields["comments"] = forms.CharField(max_length=5_000, required=False, label=_("Comments"),
                                                  widget=forms.Textarea(attrs={"rows": 4}))

    def item_fields(self):
        return [(name, [self[code] for code in codes]) for name, codes in self.dimensions]

    def answers(self) -> dict:
        return {code: self.cleaned_data[code] for _name, codes in self.dimensions for code in codes}


class NeedsForm(forms.Form):
    def __init__(self, *args, questionnaire, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _scale(*questionnaire.scale, questionnaire.anchors)
        self.topic_codes = []
        for topic in questionnaire.topics_for(role):
            self.fields[topic.code] = forms.TypedChoiceField(choices=choices, coerce=int, widget=RADIO,
                                                             label=gettext(topic.name))
            self.topic_codes.append(topic.code)
        self.fields["formats"] = forms.MultipleChoiceField(
            required=False, widget=forms.CheckboxSelectMultiple, label=_("Formats you prefer"),
            choices=[(code, gettext(label)) for code, label in questionnaire.formats.items()])

    def needs(self) -> dict:
        return {code: self.cleaned_data[code] for code in self.topic_codes}
