"""The action-plan forms: a plan, a goal, an action and a progress update. They check what was typed (codes of
the questionnaire, dates in order, the same school's PAR cycle); the services check it again and decide whether the
user may do it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.web.cocreation.models import ParCycle
from safeschool.web.selfeval import selectors_plans as plans
from safeschool.web.selfeval.models import ActionStatus, Informant
from safeschool.web.selfeval.services_plans import check_action, check_goal

DATE = {"type": "date"}


class PlanForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"),
                            help_text=_("What the plan is about, e.g. 'Alternatives to suspension'."))
    baseline = forms.ModelChoiceField(queryset=None, required=False, label=_("Baseline campaign"),
                                      empty_label=_("None yet"),
                                      help_text=_("The closed campaign the plan starts from; goals read their "
                                                  "baseline from its results."))
    subdimension = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = plans.closed_campaigns(school=school).order_by("-closed_at", "-pk")
        self.fields["baseline"].queryset = campaigns
        self.fields["baseline"].error_messages["invalid_choice"] = _("Choose a closed campaign of this school.")
        self.fields["baseline"].label_from_instance = lambda c: c.title

    def clean_subdimension(self):
        code = self.cleaned_data.get("subdimension") or ""
        return code if plans.subdimension_of(code) is not None else ""


class GoalForm(forms.Form):
    subdimension = forms.ChoiceField(choices=(), label=_("Subdimension"))
    indicator = forms.ChoiceField(choices=(), label=_("Indicator that will show progress"),
                                  help_text=_("It must belong to the subdimension."))
    informant = forms.ChoiceField(choices=Informant.choices, label=_("Whose view is tracked"),
                                  help_text=_("The informant group whose score of the indicator is followed."))
    description = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                  label=pgettext_lazy("what an action plan aims at", "Goal"))
    target = forms.FloatField(required=False, min_value=0, max_value=100, label=_("Target (0–100)"),
                              widget=forms.NumberInput(attrs={"step": "1", "inputmode": "decimal"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdimension"].choices = plans.subdimension_choices()
        self.fields["indicator"].choices = plans.indicator_choices()

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                check_goal(subdimension=data["subdimension"], indicator=data["indicator"],
                           informant=data["informant"])
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(name, errors)
        return data


class ActionForm(forms.Form):
    description = forms.CharField(max_length=500, label=pgettext_lazy("a step of a school's action plan", "Action"))
    owner = forms.CharField(max_length=120, label=pgettext_lazy("who carries out an action", "Owner"),
                            help_text=_("A role rather than a name, e.g. head of year 8."))
    practice = forms.ModelChoiceField(queryset=None, required=False, label=_("Hub practice"))
    programme = forms.ModelChoiceField(queryset=None, required=False, label=_("Hub programme"))
    par_cycle = forms.ModelChoiceField(queryset=None, required=False, label=_("PAR cycle (optional)"),
                                       help_text=_("An action research cycle of this school."))
    starts_on = forms.DateField(required=False, widget=forms.DateInput(attrs=DATE), label=_("Starts on"))
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs=DATE), label=_("Due on"))
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.PLANNED, label=_("Status"))

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["practice"].queryset = plans.practice_options()
        self.fields["practice"].error_messages["invalid_choice"] = _("Choose a practice the Hub has accepted.")
        self.fields["programme"].queryset = plans.programme_options()
        self.fields["programme"].error_messages["invalid_choice"] = _("Choose a programme of the Hub.")
        # every cycle is a valid choice here so that another school's is refused by name, not as "invalid"
        self.fields["par_cycle"].queryset = ParCycle.objects.all()
        self.fields["par_cycle"].widget.choices = [("", "—")] + [
            (c.pk, c.title) for c in plans.par_cycle_options(school=school)]
        self.fields["par_cycle"].error_messages["invalid_choice"] = _("No such PAR cycle.")

    def clean(self):
        data = super().clean()
        if not (data.get("practice") or data.get("programme")) and "practice" not in self.errors:
            self.add_error("practice", _("Link the action to a Hub practice or programme."))
        if not self.errors:
            try:
                check_action(school=self.school, practice=data.get("practice"), par_cycle=data.get("par_cycle"),
                             starts_on=data.get("starts_on"), due_on=data.get("due_on"))
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(name, errors)
        return data


class ProgressForm(forms.Form):
    text = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 3}), label=_("What happened"))
    status = forms.ChoiceField(choices=ActionStatus.choices, label=_("New status of the action"))
