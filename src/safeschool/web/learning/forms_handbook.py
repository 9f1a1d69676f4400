"""Forms of the handbook's editors: a version in one language, a chapter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safeschool.web.core.ids import ModelIdsField
from safeschool.web.learning.models import CONTENT_LANGUAGES, CaseStudy, ResourcePack


class HandbookForm(forms.Form):
    version = forms.IntegerField(label=_("Version"), min_value=1, max_value=999)
    language = forms.ChoiceField(label=_("Language"), choices=CONTENT_LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200)
    subtitle = forms.CharField(label=_("Subtitle"), max_length=300, required=False)
    authors = forms.CharField(label=_("Authors"), max_length=300)
    references = forms.CharField(label=_("References"), max_length=20_000, required=False, widget=forms.Textarea,
                                 help_text=_("One reference per line."))


class ChapterForm(forms.Form):
    order = forms.IntegerField(label=_("Chapter number"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=100_000, widget=forms.Textarea,
                           help_text=_("Markdown: headings (#), paragraphs, lists, *emphasis*, [links](https://…)."))
    case_studies = ModelIdsField(label=_("Case studies it draws on"), required=False,
                                 queryset=CaseStudy.objects.filter(published_at__isnull=False),
                                 widget=forms.CheckboxSelectMultiple)
    packs = ModelIdsField(label=_("Resource packs it draws on"), required=False,
                          queryset=ResourcePack.objects.filter(published_at__isnull=False),
                          widget=forms.CheckboxSelectMultiple)
