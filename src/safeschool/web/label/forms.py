"""The label's forms: apply, add evidence, review (one choice per published criterion), decide, and the register's
filter. They check what was typed; the services decide and check again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.web.label import display
from safeschool.web.label.models import LabelLevel, Recommendation
from safeschool.web.label.uploads import MAX_EVIDENCE

STATEMENT_MAX = 5_000


class ApplyForm(forms.Form):
    level = forms.ChoiceField(choices=LabelLevel.choices, label=_("Level applied for"))
    campaign = forms.ModelChoiceField(queryset=None, label=_("Self-evaluation campaign"),
                                      help_text=_("A closed campaign of the school: its report is the evidence."))
    action_plan = forms.ModelChoiceField(queryset=None, required=False, label=_("Action plan"))
    par_cycle = forms.ModelChoiceField(queryset=None, required=False, label=_("Action research (PAR) cycle"))
    statement = forms.CharField(max_length=STATEMENT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                                label=_("Statement"),
                                help_text=_("Why the school applies, what it has changed and what it will do next."))

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = choices["campaigns"]
        self.fields["action_plan"].queryset = choices["plans"]
        self.fields["par_cycle"].queryset = choices["cycles"]
        self.fields["action_plan"].empty_label = gettext("— none —")
        self.fields["par_cycle"].empty_label = gettext("— none —")


class EvidenceForm(forms.Form):
    indicator = forms.ChoiceField(choices=[], label=_("Practice"))
    description = forms.CharField(max_length=300, label=_("What the document is"),
                                  help_text=_("e.g. “Safeguarding policy approved by the school board, 2026”."))
    file = forms.FileField(label=_("Document"), widget=forms.ClearableFileInput(
        attrs={"accept": ".pdf,.docx,.odt,.jpg,.jpeg,.png"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = display.practice_choices()
        self.fields["file"].help_text = gettext("PDF, DOCX, ODT, JPG or PNG, up to %(limit)s MB.") % {
            "limit": MAX_EVIDENCE // (1024 * 1024)}


ASSESSMENT_CHOICES = list(display.ASSESSMENTS.items())


class ReviewForm(forms.Form):
    """One choice per criterion of the level applied for (fields criterion_<code>), a recommendation, comments."""

    recommendation = forms.ChoiceField(choices=Recommendation.choices, label=_("Recommendation"))
    comments = forms.CharField(max_length=5_000, widget=forms.Textarea(attrs={"rows": 6}), label=_("Comments"),
                               help_text=_("What you saw in the report and the documents, and what the school could "
                                           "do next. The school reads the decision's reasons, not your comments."))

    def __init__(self, *args, level: str, **kwargs):
        super().__init__(*args, **kwargs)
        criteria = [(f"criterion_{c['code']}", c) for c in display.level_criteria(level)]
        for name, criterion in reversed(criteria):
            self.fields = {name: forms.ChoiceField(choices=ASSESSMENT_CHOICES, widget=forms.RadioSelect,
                                                   label=criterion["name"], help_text=criterion["rule"]),
                           **self.fields}
        self.criterion_names = [name for name, _c in criteria]

    def assessments(self) -> dict:
        return {name.removeprefix("criterion_"): self.cleaned_data[name] for name in self.criterion_names}

    def criterion_fields(self):
        return [self[name] for name in self.criterion_names]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("award", _("Award a label")), ("refuse", _("Do not award"))],
                                 widget=forms.RadioSelect, label=_("Decision"))
    level = forms.ChoiceField(choices=[], required=False, label=_("Level awarded"),
                              help_text=_("The level applied for or a lower one."))
    reasons = forms.CharField(max_length=5_000, widget=forms.Textarea(attrs={"rows": 6}), label=_("Reasons"),
                              help_text=_("The school reads these: say what the reviews found and what comes next."))

    def __init__(self, *args, applied: str, **kwargs):
        super().__init__(*args, **kwargs)
        up_to = LabelLevel.values.index(applied) + 1
        self.fields["level"].choices = LabelLevel.choices[:up_to]
        self.fields["level"].initial = applied


class VerifyForm(forms.Form):
    code = forms.CharField(max_length=40, label=_("Verification code"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}),
                           help_text=_("The 12-character code printed on the certificate."))


class RegisterFilterForm(forms.Form):
    country = forms.ChoiceField(choices=[], required=False, label=_("Country"))
    level = forms.ChoiceField(choices=[], required=False, label=_("Level"))

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", gettext("All countries"))] + [(c.code, c.name) for c in countries]
        self.fields["level"].choices = [("", gettext("All levels"))] + list(LabelLevel.choices)
