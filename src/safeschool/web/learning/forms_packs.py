"""Resource-pack forms: a pack (a new one of the series, or a draft version's details) and an item. They check what
was typed; the services check the files' content and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.web.learning.models import CONTENT_LANGUAGES, LICENCES, Audience, ItemKind, ResourcePack


class PackForm(forms.Form):
    slug = forms.SlugField(max_length=80, label=_("Address"),
                           help_text=_("Its stable address: /learning/packs/<address>/. Letters, digits and dashes."))
    title = forms.CharField(max_length=200, label=_("Title"))
    summary = forms.CharField(max_length=3_000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              label=_("Summary"))
    learning_outcomes = forms.CharField(max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                        label=_("Learning outcomes"), help_text=_("One per line."))
    audiences = forms.MultipleChoiceField(choices=Audience.choices, widget=forms.CheckboxSelectMultiple,
                                          label=_("Audiences"))
    language = forms.ChoiceField(choices=CONTENT_LANGUAGES, label=_("Language"))
    licence = forms.ChoiceField(choices=LICENCES, label=_("Licence"))

    def clean_learning_outcomes(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["learning_outcomes"].splitlines() if line.strip()][:50]

    @staticmethod
    def initial_for(pack: ResourcePack) -> dict:
        return {"slug": pack.slug, "title": pack.title, "summary": pack.summary, "audiences": pack.audiences,
                "learning_outcomes": "\n".join(pack.learning_outcomes), "language": pack.language,
                "licence": pack.licence}


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=ItemKind.choices, label=_("Kind"))
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(max_length=3_000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  label=_("Description"))
    file = forms.FileField(required=False, label=_("File"), help_text=_(
        "Documents, activity sheets and guides: PDF, DOCX, ODT, TXT or Markdown (sheets and guides also PNG or "
        "JPG), up to 20 MB. Videos: MP4 or WebM."))
    url = forms.URLField(required=False, assume_scheme="https", label=_("Or a link"))
    captions = forms.FileField(required=False, label=_("Captions (WebVTT, for a video)"),
                               widget=forms.ClearableFileInput(attrs={"accept": ".vtt"}))
    transcript = forms.CharField(max_length=50_000, required=False, widget=forms.Textarea(attrs={"rows": 6}),
                                 label=_("Transcript (for a video)"))
    case_study = forms.ChoiceField(choices=[], required=False, label=_("Case study (for a case-study link)"))
    order = forms.IntegerField(min_value=1, max_value=999, required=False, label=_("Position"))

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self._cases = {str(c.pk): c for c in cases}
        self.fields["case_study"].choices = [("", gettext("— none —"))] + [(k, c.title) for k, c in self._cases.items()]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(gettext("A link starts with https:// or http://."))
        return url

    def clean_case_study(self):
        return self._cases.get(self.cleaned_data["case_study"])
