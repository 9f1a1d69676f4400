from django import forms
from django.utils.translation import gettext_lazy as _

from safeschool.vocabulary import LEVEL_LABELS, LEVELS


class StudyForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    scale_min = forms.IntegerField(initial=1, min_value=0, max_value=20, label=_("Lowest rating"))
    scale_max = forms.IntegerField(initial=9, min_value=1, max_value=21, label=_("Highest rating"))
    # xgettext:no-python-format
    rule = forms.ChoiceField(choices=[("comet", _("COMET (≥70 % rate 7-9 and <15 % rate 1-3)")),
                                      ("agreement", _("Percent agreement at a threshold")),
                                      ("iqr", _("Median and IQR")),
                                      ("rand", _("RAND/UCLA appropriateness"))], label=_("Consensus rule"))
    threshold = forms.FloatField(initial=0.75, min_value=0.5, max_value=1, help_text=_("Percent agreement only."))
    max_iqr = forms.FloatField(initial=2, min_value=0, label=_("Largest IQR"), help_text=_("Median/IQR only."))
    rand_method = forms.ChoiceField(choices=[("ipras", _("IPR vs IPRAS")), ("panel", _("Panel-size rule"))],
                                    label=_("RAND/UCLA disagreement"))
    by_group = forms.BooleanField(required=False, label=_("The rule must hold within each stakeholder group"))
    drop_settled = forms.BooleanField(required=False, initial=True,
                                      label=_("Statements that reach consensus leave later rounds"))


class StatementForm(forms.Form):
    code = forms.CharField(max_length=20)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    level = forms.ChoiceField(choices=[(v, _(LEVEL_LABELS[v])) for v in LEVELS], label=_("Ecological level"))
    from_comment = forms.IntegerField(required=False, widget=forms.HiddenInput)
