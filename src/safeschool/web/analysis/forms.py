from django import forms

from safeschool.web.analysis.models import Kind
from safeschool.web.analysis.services import OUTCOMES, STRATA
from safeschool.web.research.models import Stage


class AnalysisForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.ECOLOGICAL, label="Analysis")
    outcome = forms.ChoiceField(choices=list(OUTCOMES.items()), initial="achievement")
    strata = forms.MultipleChoiceField(
        choices=list(STRATA.items()), required=False, initial=["gender", "migrant", "ses"],
        widget=forms.CheckboxSelectMultiple, label="Strata attributes (MAIHDA)",
        help_text="At least two; strata are all their combinations.")
    wave = forms.IntegerField(min_value=1, initial=1, help_text="Predictors and outcomes from this wave; early "
                                                                "leaving is counted by the last wave.")
    stages = forms.MultipleChoiceField(choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                       label="Only these stages", help_text="Leave empty for all stages.")
