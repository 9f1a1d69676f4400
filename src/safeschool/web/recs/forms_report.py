"""The forms of the state-of-the-art report: a new version (title, language, survey wave) and its narrative, one
text per section. They only check what was typed; services_report decides and checks again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safeschool.web.core.languages import CONTENT_LANGUAGES
from safeschool.web.recs.models import SurveyWave
from safeschool.web.recs.selectors_report import NARRATIVE_MAX, SECTIONS, TITLE_MAX


class ReportForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label=_("Title"),
                            help_text=_("e.g. “School–REC partnerships: the state of the art, 2026”."))
    language = forms.ChoiceField(choices=CONTENT_LANGUAGES, label=_("Language"),
                                 help_text=_("The language the narrative is written in; the figures are labelled in "
                                             "it too."))
    wave = forms.ModelChoiceField(queryset=SurveyWave.objects.none(), required=False, label=_("Survey wave"),
                                  empty_label=_("None: partnership and outcome figures only"),
                                  help_text=_("The partnership survey and needs analysis the figures come from."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = SurveyWave.objects.order_by("-opened_at", "-pk")


class NarrativeForm(forms.Form):
    """One text per narrative section (named by its code), each written beside that section's figures."""

    title = forms.CharField(max_length=TITLE_MAX, label=_("Title"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, title in SECTIONS.items():
            self.fields[code] = forms.CharField(
                required=False, max_length=NARRATIVE_MAX, label=title, strip=True,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_("Plain text; a blank line starts a new paragraph."))
