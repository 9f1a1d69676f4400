"""The screening forms: a school's support capacity, a follow-up on a student, and a model to train. They only
check what was typed; the services decide whether the user may do it."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from safeschool.screening.data import OUTCOMES

# What a follow-up's fields may hold (the model's limits are checked again by the service's full_clean).
WHO_MAX, ACTION_MAX = 200, 2000
# Decimal, not float: Decimal("0.01") < 0.01 (the float is 0.01000000000000000020…), so a float limit refused 0.01
SHARE_MIN = Decimal("0.01")


class CapacityForm(forms.Form):
    share = forms.DecimalField(
        min_value=SHARE_MIN, max_value=Decimal(1), max_digits=3, decimal_places=2, initial=0.10,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        label=_("Share of students the school can support"),
        # xgettext:no-python-format
        help_text=_("A proportion between 0.01 and 1: 0.10 puts the 10 % of students with the highest scores on the "
                    "list."))


class FollowUpForm(forms.Form):
    who_acts = forms.CharField(max_length=WHO_MAX, label=_("Who acts"),
                               help_text=_("A role rather than a name is enough, e.g. form tutor, counsellor."))
    action = forms.CharField(max_length=ACTION_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                             label=_("What will be done"))
    review_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Review on"),
                                help_text=_("The date on which the follow-up is looked at again."))
    note = forms.CharField(max_length=ACTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("Note"), help_text=_("Optional; what the school knows that the score does not."))
    practice = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Hub practice"),
                                      help_text=_("Optional: the practice this follows."))

    def __init__(self, *args, practices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].choices = [("", "—")] + [(p.pk, p.title) for p in practices]


class TrainForm(forms.Form):
    outcome = forms.ChoiceField(choices=[], label=_("Outcome"))
    algorithm = forms.ChoiceField(choices=[], label=_("Algorithm"))
    test_cohort = forms.TypedChoiceField(coerce=int, choices=[], label=_("Test cohort (entry year)"),
                                         help_text=_("The model learns from the earlier cohorts and is evaluated on "
                                                     "this one, which it never sees while learning."))
    capacity = forms.DecimalField(min_value=SHARE_MIN, max_value=Decimal("0.5"), max_digits=3, decimal_places=2, initial=0.10,
                                  widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                                  label=_("Support capacity for the evaluation"),
                                  help_text=_("The share of each school's students selected when precision and "
                                              "recall at top-k are computed (0.10 = 10 %)."))

    def __init__(self, *args, outcomes: dict, algorithms: dict, cohorts: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(code, outcomes.get(code, code)) for code in OUTCOMES]
        self.fields["algorithm"].choices = list(algorithms.items())
        # the first cohort is never a test cohort: a model needs an earlier one to learn from
        self.fields["test_cohort"].choices = [(year, str(year)) for year in sorted(cohorts)[1:]]
        if cohorts and len(cohorts) > 1:
            self.fields["test_cohort"].initial = max(cohorts)
