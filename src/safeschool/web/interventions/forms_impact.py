"""Forms of the allocation and impact pages: a confirmation, and the follow-up upload (its content is checked by
services_impact before anything is stored)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.trials import outcomes


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(required=True, label=_("I understand that this is done once and cannot be undone."))


class ImpactForm(forms.Form):
    data = forms.FileField(label=_("Follow-up data"), help_text=_(
        "CSV or Parquet, one row per student: student_id, school_id, class_id, the outcome and the baseline "
        "covariates (pseudonymous ids only; the arm comes from the allocation)."))
    outcome = forms.ChoiceField(label=_("Outcome"))

    def __init__(self, *args, trial, refused: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        codes = [trial.primary_outcome, *(c for c in trial.secondary_outcomes or [] if c != trial.primary_outcome)]
        self.fields["outcome"].choices = [(c, gettext(outcomes.OUTCOMES[c].label)) for c in codes
                                          if c in outcomes.OUTCOMES]
        self.fields["outcome"].initial = trial.primary_outcome
        self.refused = refused  # why the upload handler dropped the file while it streamed in
        if refused:
            self.fields["data"].required = False

    def clean_data(self):
        if self.refused:
            raise forms.ValidationError(gettext("The file is over the %(mb)s MB upload limit.")
                                        % {"mb": settings.MAX_UPLOAD_MB})
        return self.cleaned_data["data"]
