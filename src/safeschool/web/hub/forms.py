"""Forms of the Hub: posts, comments, reports, moderation and newsletters; the databases' filters, practices,
reviews, wiki pages and uploads."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from safeschool.web.core.languages import CONTENT_LANGUAGES, content_language
from safeschool.web.hub.models import (
    LEVEL_CHOICES,
    PRINCIPLES,
    STAGE_CHOICES,
    UPLOAD_TYPES,
    Document,
    Practice,
    PracticeReview,
    TargetGroup,
    Tier,
    WikiPage,
)
from safeschool.web.network.models import COUNTRIES, LANGUAGES, Level, Topic


class FilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    country = forms.ChoiceField(choices=[("", _("Any"))] + COUNTRIES, required=False)
    stage = forms.ChoiceField(choices=[("", _("Any"))] + STAGE_CHOICES, required=False, label=_("School stage"))
    level = forms.ChoiceField(choices=[("", _("Any"))] + LEVEL_CHOICES, required=False, label=_("Ecological level"))
    target_group = forms.ChoiceField(choices=[("", _("Any"))] + list(TargetGroup.choices), required=False,
                                     label=_("Target group"))
    language = forms.ChoiceField(choices=[("", _("Any"))] + CONTENT_LANGUAGES, required=False,
                                 label=_("Written in"))


def written_in() -> forms.ChoiceField:
    """The language of what a member writes, offered as the one they are using the site in."""
    return forms.ChoiceField(choices=CONTENT_LANGUAGES, initial=content_language, label=_("Written in"))


class PracticeForm(forms.ModelForm):
    language = written_in()
    stages = forms.MultipleChoiceField(choices=STAGE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Practice
        fields = ["title", "summary", "target_group", "country", "language", "level", "stages", "years_in_place",
                  "stakeholders_involved", "funding", "evaluation", "cost_band", "licence"]
        labels = {"summary": _("Description")}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=PracticeReview.Decision.choices, widget=forms.RadioSelect)
    tier = forms.ChoiceField(choices=Tier.choices, label=_("Criterion B: evidence of effectiveness"))
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              help_text=_("Required when returning the practice to its author."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, text in PRINCIPLES.items():
            self.fields[f"fit_{number}"] = forms.ChoiceField(
                choices=[("0", _("0 — no fit")), ("1", _("1 — partial")), ("2", _("2 — full"))], label=_("A%(number)s. %(text)s") % {"number": number, "text": text})

    def fit(self) -> dict:
        return {n: int(self.cleaned_data[f"fit_{n}"]) for n in PRINCIPLES}


class WikiForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=WikiPage.Kind.choices)
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=50_000)
    note = forms.CharField(max_length=200, required=False, label=_("What changed"))


class DocumentForm(forms.ModelForm):
    language = written_in()
    stages = forms.MultipleChoiceField(choices=STAGE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Document
        fields = ["title", "kind", "summary", "country", "language", "level", "stages", "target_group", "file"]
        help_texts = {"file": format_lazy(_("{types}; at most 10 MB."), types=", ".join(UPLOAD_TYPES))}


class PostForm(forms.Form):
    kind = forms.ChoiceField(choices=[("discussion", _("Discussion")), ("event", _("Event")), ("share", _("Shared item"))])
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)
    language = written_in()
    link = forms.URLField(required=False, assume_scheme="https", help_text=_("For a shared item: where it lives."))
    event_starts = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       label=_("Event starts"))
    event_place = forms.CharField(max_length=200, required=False, label=_("Event place (or online)"))

    def clean(self):
        data = super().clean()
        if data.get("kind") == "event" and not data.get("event_starts"):
            self.add_error("event_starts", "An event needs a start date and time.")
        if data.get("kind") == "share" and not data.get("link"):
            self.add_error("link", "A shared item needs its link.")
        return data


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5_000, label=_("Your comment"))


class ReportForm(forms.Form):
    reason = forms.CharField(max_length=300, label=_("What is wrong with it?"))


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(choices=[("hide", _("Hide")), ("keep", _("Keep"))])
    reason = forms.CharField(max_length=300, required=False)


class NewsletterForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000)
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    topics = forms.MultipleChoiceField(choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False,
                                       help_text=_("None ticked: every topic."))
    countries = forms.MultipleChoiceField(choices=COUNTRIES, required=False, help_text=_("None chosen: every country."))
    min_level = forms.ChoiceField(choices=Level.choices, label=_("Members at this level and above"))
