"""The campaign forms: open a campaign, issue codes, enter a code, and the questionnaire for one informant group in
the interface language. They only check what was typed; the services decide (and check every answer again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.web.selfeval.models import Informant
from safeschool.web.selfeval.services import CODES_MAX, TITLE_MAX

# The figures' units of questionnaire.yaml, for translation (a unit not listed here is shown as written there).
UNITS = {"%": "%",
         # translators: the unit of a figure the school enters, e.g. suspensions "per 100 students"
         "per 100 students": pgettext_lazy("figure unit", "per 100 students"),
         # translators: the unit of a figure the school enters (the student-teacher ratio)
         "students per teacher": pgettext_lazy("figure unit", "students per teacher")}


def unit_label(unit: str) -> str:
    return str(UNITS.get(unit, unit))


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label=_("Title"),
                            help_text=_("e.g. “Self-evaluation, spring term”."))
    informants = forms.MultipleChoiceField(
        choices=Informant.choices, widget=forms.CheckboxSelectMultiple, label=_("Groups to ask"),
        help_text=_("Each group answers its own version of the questionnaire with its own codes."))
    closes_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                label=_("Last day for answers"),
                                help_text=_("Optional. After this day the codes no longer answer."))


class CodesForm(forms.Form):
    informant = forms.ChoiceField(choices=[], label=_("Group"))
    count = forms.IntegerField(min_value=1, max_value=CODES_MAX, initial=30, label=_("Number of codes"),
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                               help_text=_("One code per person; each code answers once."))

    def __init__(self, *args, informants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informant"].choices = [(c, label) for c, label in Informant.choices if c in informants]


class CodeForm(forms.Form):
    # translators: the one-use access code a respondent types to answer the questionnaire
    code = forms.CharField(max_length=40, label=pgettext_lazy("access code", "Your code"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}),
                           help_text=_("The code on the slip your school gave you, e.g. ABCD-EFGH-JK."))


class AnswerForm(forms.Form):
    """One field per indicator asked of the group (named by its code), grouped by dimension -> subdimension in
    `sections`. Every field is optional text: the service checks type, scale and range and names the question."""

    def __init__(self, *args, questionnaire, informant: str, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        number = 0
        yes_no = [("1", gettext("Yes")), ("0", gettext("No"))]
        for dimension in questionnaire.dimensions:
            for sub in dimension.subdimensions:
                items = []
                for ind in sub.indicators:
                    if informant not in ind.informants:
                        continue
                    number += 1
                    label = f"{number}. {ind.text(informant, language)}"
                    if ind.type == "likert":
                        low, high = ind.scale
                        field = forms.CharField(required=False, label=label, widget=forms.RadioSelect(
                            choices=[(str(p), str(p)) for p in range(low, high + 1)]))
                        anchors = [(p, questionnaire.anchor(p, language)) for p in range(low, high + 1)
                                   if questionnaire.anchor(p, language)]
                    elif ind.type == "yes_no":
                        field = forms.CharField(required=False, label=label,
                                                widget=forms.RadioSelect(choices=yes_no))
                        anchors = None
                    else:
                        field = forms.CharField(required=False, label=label, widget=forms.NumberInput(attrs={
                            "step": "any", "min": f"{ind.figure.min:g}", "max": f"{ind.figure.max:g}",
                            "inputmode": "decimal"}))
                        anchors = None
                    self.fields[ind.code] = field
                    items.append({"field": self[ind.code], "indicator": ind, "number": number, "anchors": anchors,
                                  "unit": unit_label(ind.figure.unit) if ind.figure else "",
                                  "range": (f"{ind.figure.min:g}", f"{ind.figure.max:g}") if ind.figure else None})
                if items:
                    self.sections.append({
                        "dimension": questionnaire.name_of(dimension.code, language),
                        "subdimension": questionnaire.name_of(sub.code, language), "items": items})

    def answers(self) -> dict:
        return {code: self.cleaned_data.get(code, "") for code in self.fields}


def informant_label(code: str) -> str:
    return gettext(questionnaires.INFORMANTS.get(code, code))
