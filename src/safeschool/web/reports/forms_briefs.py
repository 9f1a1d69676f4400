"""The policy brief form: its title, language and country, the analysis it rests on, the recommendations (only
Delphi statements that reached consensus in a closed round are offered) and programmes (signed off, strong evidence
first, then moderate), and the team's narrative. It only checks what was typed; services_briefs decides and checks
again."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.vocabulary import COUNTRIES
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.cocreation.models import Statement
from safeschool.web.core import formatting
from safeschool.web.hub.models import Programme
from safeschool.web.reports import selectors_briefs as selectors

NARRATIVE = {
    "key_messages": (_("Key messages"), _("Three to five sentences a reader takes away. A blank line starts a new "
                                          "paragraph.")),
    "context": (_("Why this matters now"), _("Optional; printed under the key messages.")),
    "findings": (_("What the analysis shows, in words"), _("Careful wording: associations, not effects.")),
    "implications": (_("Implications"), _("What policy and practice can do.")),
    "limitations": (_("Limitations"), _("What the data cannot show, beyond what the brief states itself (it says "
                                        "that the data are observational, which groups are too small to show, and "
                                        "whether the data are simulated).")),
}


class AnalysisChoice(forms.ModelChoiceField):
    def label_from_instance(self, run):
        outcome = formatting.label("outcome", (run.parameters or {}).get("outcome"))
        # Translators: an analysis offered for a brief, e.g. "Ecological decomposition of Achievement (run 12, 3 March 2027)".
        return gettext("%(kind)s of %(outcome)s (run %(run)s, %(date)s)") % {
            "kind": run.get_kind_display(), "outcome": outcome, "run": run.pk,
            "date": formats.date_format(run.finished_at, "DATE_FORMAT") if run.finished_at else "—"}


class StatementChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, statement):
        return f"{statement.code} · {formatting.label('level', statement.level)} · {statement.text}"


class ProgrammeChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, programme):
        return f"{programme.title} · {formatting.label('tier', programme.tier)} · " \
               f"{formatting.label('country', programme.country)}"


class BriefForm(forms.Form):
    title = forms.CharField(max_length=selectors.TITLE_MAX, label=_("Title"))
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language"),
                                 help_text=_("The language the brief is written in; its figures are labelled in it "
                                             "too."))
    country = forms.ChoiceField(required=False, label=_("Country"),
                                help_text=_("The country the brief speaks to (its official indicator); none for the "
                                            "whole network (the EU's indicator)."))
    analysis = AnalysisChoice(queryset=AnalysisRun.objects.none(), label=_("Analysis"),
                              help_text=_("An ecological decomposition or a MAIHDA analysis that succeeded."))
    recommendations = StatementChoice(queryset=Statement.objects.none(), required=False,
                                      widget=forms.CheckboxSelectMultiple, label=_("Recommendations"),
                                      help_text=_("Delphi statements that reached consensus in a closed round. For a "
                                                  "new brief, those at the levels the analysis points to are "
                                                  "ticked."))
    programmes = ProgrammeChoice(queryset=Programme.objects.none(), required=False,
                                 widget=forms.CheckboxSelectMultiple, label=_("Programmes"),
                                 help_text=_("Signed-off programmes of the Hub: strong evidence first, then "
                                             "moderate."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("The whole network"))] + [
            (code, formatting.label("country", code)) for code, _name in COUNTRIES]
        self.fields["analysis"].queryset = selectors.analyses_usable()
        self.fields["recommendations"].queryset = selectors.consensus_statements()
        self.fields["programmes"].queryset = selectors.programmes_offered()
        for name, (label, help_text) in NARRATIVE.items():
            self.fields[name] = forms.CharField(
                required=False, max_length=selectors.TEXT_MAX[name], label=label, help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 6 if name == "key_messages" else 5}))
