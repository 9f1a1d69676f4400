from django import forms
from django.utils.translation import gettext_lazy as _

from safeschool.web.analysis.models import Kind
from safeschool.web.analysis.services import OUTCOMES, STRATA
from safeschool.web.research.models import Country, Stage


class AnalysisForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.ECOLOGICAL, label=_("Analysis"))
    outcome = forms.ChoiceField(choices=list(OUTCOMES.items()), initial="achievement", label=_("Outcome"))
    strata = forms.MultipleChoiceField(
        choices=[(alias, _(title)) for alias, title in STRATA.items()], required=False,
        initial=["gender", "migrant", "ses"],
        widget=forms.CheckboxSelectMultiple, label=_("Strata attributes (MAIHDA)"),
        help_text=_("At least two; strata are all their combinations."))
    wave = forms.IntegerField(min_value=1, initial=1, label=_("Wave"),
                              help_text=_("Predictors and outcomes from this wave; early leaving is counted by the "
                                          "last wave."))
    stages = forms.MultipleChoiceField(choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                       label=_("Only these stages"), help_text=_("Leave empty for all stages."))
    country = forms.ChoiceField(required=False, label=_("Country"),
                                help_text=_("Within one country the country level and the political block are left "
                                            "out: its policies are the same for every student."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Translators: the choice of running an analysis over every country of the network.
        self.fields["country"].choices = [("", _("All countries")),
                                          *Country.objects.order_by("name").values_list("code", "name")]
