"""The forms of trial design, power and the protocol. They check what was typed (choices, the analysis model as
an lme4 formula, schools inside the trial's countries and stages); the services check it again and decide whether
the user may do it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.trials import designs
from safeschool.trials.power import DESIGNS as POWER_DESIGNS
from safeschool.trials.power import THREE_LEVEL
from safeschool.web.core.ids import ModelIdsField
from safeschool.web.interventions import selectors_trials as trials
from safeschool.web.interventions.models import Design, Outcome
from safeschool.web.interventions.services_trials import check_design
from safeschool.web.research.models import School

# one line each, in plain words, under the design's name
DESIGN_HELP = {
    "crt2": _("Whole schools are randomised; students are compared between intervention and control schools."),
    "crt3": _("Whole schools are randomised; the analysis also allows for classes within schools."),
    "bcrt3": _("Within each school, some classes get the intervention and others do not."),
    "bcrt2": _("Schools are randomised separately within each stratum (e.g. each country), so every stratum has "
               "both arms."),
    "sw": _("Every school gets the intervention in the end; a random order decides when each school starts."),
    "did": _("When randomising is impossible: intervention schools are compared with similar schools, before "
             "and after."),
}
STRATIFY = [("", _("No stratification")), ("country", _("Country")), ("stage", _("Stage"))]
NUMBER = {"step": "any", "inputmode": "decimal"}
CHECKBOXES = forms.CheckboxSelectMultiple


class TrialForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    version = forms.ModelChoiceField(queryset=None, required=False, label=_("Version evaluated"),
                                     empty_label=_("The current description"))
    design = forms.ChoiceField(choices=Design.choices, widget=forms.RadioSelect, label=_("Design"))
    block_by = forms.ChoiceField(choices=STRATIFY, required=False, label=_("Stratify the allocation by"),
                                 help_text=_("Randomising within strata keeps the arms balanced on them."))
    primary_outcome = forms.ChoiceField(choices=(), label=_("Primary outcome"))
    secondary_outcomes = forms.MultipleChoiceField(choices=Outcome.choices, required=False, widget=CHECKBOXES,
                                                   label=_("Secondary outcomes"))
    covariates = forms.MultipleChoiceField(choices=(), required=False, widget=CHECKBOXES,
                                           label=_("Baseline covariates"),
                                           help_text=_("Measured before allocation; adjusting for them makes the "
                                                       "estimate more precise. The outcome at baseline (the "
                                                       "pre-test) usually helps most: the follow-up file then "
                                                       "needs a column baseline, each student's outcome before "
                                                       "allocation."))
    stages = forms.MultipleChoiceField(choices=(), required=False, widget=CHECKBOXES, label=_("Stages"),
                                       help_text=_("None ticked: every stage."))
    countries = forms.MultipleChoiceField(choices=(), required=False, widget=CHECKBOXES, label=_("Countries"),
                                          help_text=_("None ticked: every country."))
    schools = ModelIdsField(queryset=None, required=False, label=_("Participating schools"),
                            widget=forms.SelectMultiple(attrs={"size": 10}),
                            help_text=_("Listed for the countries and stages ticked above (press "
                                        "'Show their schools' after changing them)."))
    steps = forms.IntegerField(required=False, min_value=2, max_value=24, label=_("Steps (stepped wedge)"),
                               help_text=_("How many times a group of schools crosses over to the intervention."))
    analysis_model = forms.CharField(max_length=500, required=False, label=_("Analysis model (lme4 formula)"),
                                     help_text=_("Generated from the design, outcome and covariates; a researcher "
                                                 "may edit it. Leave it as it is to follow the design."))
    reason = forms.CharField(max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             label=_("Reason for the change"),
                             help_text=_("The protocol is locked: every changed field is recorded as a deviation "
                                         "with this reason."))

    def __init__(self, *args, intervention, locked: bool = False, generated: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.intervention, self.locked, self.generated = intervention, locked, generated
        self.fields["version"].queryset = intervention.versions.all()
        self.fields["version"].label_from_instance = lambda v: pgettext_lazy(
            "an intervention's version", "Version %(number)s") % {"number": v.number}
        self.fields["primary_outcome"].choices = trials.outcome_choices(intervention)
        self.fields["covariates"].choices = trials.covariate_choices()
        self.fields["stages"].choices = trials.stage_choices()
        self.fields["countries"].choices = trials.country_choices()
        # every school is a valid choice, so one outside the trial's countries or stages is refused by name
        self.fields["schools"].queryset = School.objects.select_related("country")
        self.fields["schools"].widget.choices = trials.school_groups(
            trials.schools(countries=self._chosen("countries"), stages=self._chosen("stages")))
        if locked:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]

    def _chosen(self, name: str) -> list[str]:
        if self.is_bound:
            return [v for v in self.data.getlist(name) if v]
        return list(self.initial.get(name) or ())

    def design_options(self) -> list[dict]:
        """The design radios with their one-line explanations and units (the template draws them)."""
        return [{"radio": radio, "help": DESIGN_HELP.get(radio.data["value"], ""),
                 "unit": designs.UNIT_LABELS[designs.UNIT_OF_ASSIGNMENT[radio.data["value"]]]}
                for radio in self["design"]]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        formula = (data.get("analysis_model") or "").strip()
        if not formula or formula == self.generated:
            formula = designs.analysis_formula(data["design"], trials.outcome_column(data["primary_outcome"]),
                                               data["covariates"])
        data["analysis_model"] = formula
        data["steps"] = data.get("steps") if data["design"] == "sw" else None
        try:
            check_design(intervention=self.intervention, schools=list(data["schools"]),
                         **{k: v for k, v in data.items() if k not in ("title", "schools", "reason")})
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data


class ProtocolForm(forms.Form):
    stopping_rules = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
                                     label=_("Stopping rules"),
                                     help_text=_("When the trial would stop early (e.g. harm reported by schools, "
                                                 "fewer than half the schools delivering)."))
    missing_data = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
                                   label=_("Missing-data rules"),
                                   help_text=_("How missing outcomes are handled (e.g. complete cases with baseline "
                                               "covariates; multiple imputation as a sensitivity analysis)."))


class LockForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand that the locked protocol can never change: later changes "
                                         "are recorded as deviations with their reasons."))


class DeviationForm(forms.Form):
    field = forms.ChoiceField(choices=(), label=_("Protocol item"))
    change = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 3}), label=_("What changed"))
    reason = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Why"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = list(trials.PROTOCOL_LABELS.items())


SOLVE = [("mdes", _("The minimum detectable effect size with these clusters")),
         ("clusters", _("The clusters needed for a target effect size")),
         ("power", _("The power to detect a given effect"))]


class PowerForm(forms.Form):
    design = forms.ChoiceField(choices=[(k, v) for k, v in POWER_DESIGNS.items()], label=_("Design"))
    solve = forms.ChoiceField(choices=SOLVE, widget=forms.RadioSelect, initial="mdes", label=_("Calculate"))
    clusters = forms.IntegerField(min_value=1, max_value=100_000, label=_("Schools (clusters)"),
                                  help_text=_("Schools randomised, or schools whose classes are randomised."))
    classes_per_school = forms.FloatField(required=False, min_value=1, widget=forms.NumberInput(attrs=NUMBER),
                                          label=_("Classes per school"), help_text=_("3-level designs."))
    cluster_size = forms.FloatField(min_value=1, widget=forms.NumberInput(attrs=NUMBER),
                                    label=_("Students per cluster"),
                                    help_text=_("Per school (2 levels) or per class (3 levels)."))
    icc = forms.FloatField(min_value=0, max_value=0.99, widget=forms.NumberInput(attrs=NUMBER),
                           label=_("ICC, school"), help_text=_("The share of the outcome's variance between schools."))
    icc_class = forms.FloatField(required=False, min_value=0, max_value=0.99, widget=forms.NumberInput(attrs=NUMBER),
                                 label=_("ICC, class"), help_text=_("3-level designs: the share between classes."))
    r2_1 = forms.FloatField(min_value=0, max_value=0.99, initial=0, widget=forms.NumberInput(attrs=NUMBER),
                            label=_("R², student level"))
    r2_2 = forms.FloatField(min_value=0, max_value=0.99, initial=0, widget=forms.NumberInput(attrs=NUMBER),
                            label=_("R², level 2 (school; class in 3-level designs)"))
    r2_3 = forms.FloatField(min_value=0, max_value=0.99, initial=0, widget=forms.NumberInput(attrs=NUMBER),
                            label=_("R², school level (3-level designs)"))
    covariates = forms.IntegerField(min_value=0, max_value=50, initial=0,
                                    label=_("Covariates at the randomised level"))
    blocks = forms.IntegerField(required=False, min_value=1, max_value=1000, label=_("Strata"),
                                help_text=_("Schools randomised within strata: how many strata."))
    steps = forms.IntegerField(required=False, min_value=1, max_value=24, label=_("Steps (stepped wedge)"))
    p = forms.FloatField(min_value=0.01, max_value=0.99, initial=0.5, widget=forms.NumberInput(attrs=NUMBER),
                         label=_("Proportion in the intervention arm"))
    alpha = forms.FloatField(min_value=0.001, max_value=0.5, initial=0.05, widget=forms.NumberInput(attrs=NUMBER),
                             label=_("Significance level (alpha, two-tailed)"))
    power = forms.FloatField(min_value=0.05, max_value=0.99, initial=0.8, widget=forms.NumberInput(attrs=NUMBER),
                             label=_("Power"))
    target = forms.FloatField(required=False, min_value=0.001, widget=forms.NumberInput(attrs=NUMBER),
                              label=_("Target MDES (standard deviations)"))
    effect = forms.FloatField(required=False, min_value=0.001, widget=forms.NumberInput(attrs=NUMBER),
                              label=_("Effect (standard deviations)"))
    base_rate = forms.FloatField(required=False, min_value=0.001, max_value=0.999,
                                 widget=forms.NumberInput(attrs=NUMBER), label=_("Control-group rate (0–1)"),
                                 help_text=_("Binary outcomes: the share expected without the intervention."))
    reason = forms.CharField(max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label=_("Reason for the change"),
                             help_text=_("The protocol is locked: saving records a deviation with this reason."))

    def clean(self):
        data = super().clean()
        if data.get("solve") == "clusters" and data.get("target") is None:
            self.add_error("target", _("Give the target MDES to find the clusters needed."))
        if data.get("solve") == "power" and data.get("effect") is None:
            self.add_error("effect", _("Give the effect to find the power."))
        design = data.get("design")
        if design == "sw" and data.get("steps") is None and "steps" not in self.errors:
            self.add_error("steps", _("A stepped wedge needs the number of steps."))
        if design == "bcrt2" and data.get("blocks") is None and "blocks" not in self.errors:
            self.add_error("blocks", _("Schools randomised within strata need the number of strata."))
        if design in THREE_LEVEL:
            if data.get("classes_per_school") is None and "classes_per_school" not in self.errors:
                self.add_error("classes_per_school", _("3-level designs need the number of classes per school."))
            if data.get("icc_class") is None and "icc_class" not in self.errors:
                self.add_error("icc_class", _("3-level designs need the between-class ICC."))
        return data


class DataForm(forms.Form):
    """Which of the network's data the standalone calculator estimates its ICCs from (read from the query)."""

    design = forms.ChoiceField(choices=[(k, v) for k, v in POWER_DESIGNS.items()], initial="crt2",
                               label=_("Design"))
    outcome = forms.ChoiceField(choices=Outcome.choices, initial=Outcome.ACHIEVEMENT, label=_("Outcome"))
    stages = forms.MultipleChoiceField(choices=(), required=False, widget=CHECKBOXES, label=_("Stages"))
    countries = forms.MultipleChoiceField(choices=(), required=False, widget=CHECKBOXES, label=_("Countries"))
    covariates = forms.MultipleChoiceField(choices=(), required=False, widget=CHECKBOXES,
                                           label=_("Baseline covariates (for the R² per level)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stages"].choices = trials.stage_choices()
        self.fields["countries"].choices = trials.country_choices()
        self.fields["covariates"].choices = trials.covariate_choices()
