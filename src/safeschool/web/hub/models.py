"""The Hub: communities (posts, comments, reports, digests, newsletters) and its databases (programmes with the
rubric and reviewer sign-offs, policies, a library of documents, a wiki with revisions, and practices members submit
for review). Every database entry carries a language and the fields the databases are filtered by: country, school
stage, ecological level, target group."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.vocabulary import LEVEL_LABELS, LEVELS, STAGE_LABELS
from safeschool.web.core.languages import CONTENT_LANGUAGES
from safeschool.web.network.models import COUNTRIES, LANGUAGES, Level, Member, Topic


class Community(models.Model):
    """A Hub community: one per topic and one per country (more can be added in the admin)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    topic = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    country = models.CharField(max_length=5, choices=COUNTRIES, blank=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Member, related_name="communities", blank=True)
    moderators = models.ManyToManyField(Member, related_name="moderates", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        EVENT = "event", _("Event")
        SHARE = "share", _("Shared item")
        ANNOUNCEMENT = "announcement", _("Announcement")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20_000)
    language = models.CharField(max_length=10, choices=CONTENT_LANGUAGES, default=settings.LANGUAGE_CODE,
                                help_text=_("The language the post is written in."))
    link = models.URLField(blank=True, help_text=_("For shared items: where the item lives."))
    event_starts = models.DateTimeField(null=True, blank=True)
    event_place = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="event") | Q(event_starts__isnull=False),
                                   name="hub_event_has_start"),
            models.CheckConstraint(condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                                   name="hub_post_hidden_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=5_000)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                                              name="hub_comment_hidden_has_reason")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.post_id}"


class Report(models.Model):
    """A member's report of a post or comment; moderators work through open reports in the queue."""

    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="reports_made")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, blank=True, choices=[("hidden", _("Hidden")), ("kept", _("Kept"))])

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(post__isnull=False, comment__isnull=True)
                                   | Q(post__isnull=True, comment__isnull=False), name="hub_report_one_target"),
            models.CheckConstraint(condition=Q(resolved_at__isnull=True, outcome="")
                                   | (Q(resolved_at__isnull=False) & ~Q(outcome="")),
                                   name="hub_report_resolution_complete"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk}"

    @property
    def target(self):
        return self.post or self.comment


class DigestRun(models.Model):
    """When each digest last went out (the scheduler sends the next one when it is due)."""

    frequency = models.CharField(max_length=10, unique=True)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.frequency} digest {self.sent_at:%Y-%m-%d}"


class Newsletter(models.Model):
    """An announcement or newsletter to opted-in members, filtered by topic, country and participation level."""

    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=20_000)
    language = models.CharField(max_length=10, default="en")
    topics = models.JSONField(default=list, blank=True, help_text=_("Empty: every topic."))
    countries = models.JSONField(default=list, blank=True, help_text=_("Empty: every country."))
    min_level = models.CharField(max_length=1, choices=Level.choices, default=Level.A)
    created_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


# ------------------------------------------------------------------------------------------------ databases
LEVEL_CHOICES = [(level, _(LEVEL_LABELS[level])) for level in LEVELS]
STAGE_CHOICES = list(STAGE_LABELS.items())
PRINCIPLES = {  # criterion A: fit with the five principles of Safe Education (rated 0 none, 1 partial, 2 full)
    1: "Secure relationships: every student has a caring adult at school",
    2: "Whole-school approach: climate, rules and leadership work for belonging",
    3: "Inclusion: no student is excluded from learning (alternatives to exclusion)",
    4: "Partnership with families, communities and services across sectors",
    5: "Early action on signs of disengagement, monitored with data",
}
UPLOAD_TYPES = ["pdf", "docx", "odt", "xlsx", "csv", "txt", "pptx"]
MAX_UPLOAD = 10 * 1024 * 1024


class TargetGroup(models.TextChoices):
    STUDENTS = "students", _("Students")
    TEACHERS = "teachers", _("Teachers")
    FAMILIES = "families", _("Families")
    LEADERS = "leaders", _("School leaders")
    WHOLE_SCHOOL = "whole_school", _("Whole school")
    COMMUNITY = "community", _("Community and services")


class Tier(models.TextChoices):
    """Criterion B: the evidence of effectiveness."""

    STRONG = "strong", _("Strong (experimental or quasi-experimental evaluations)")
    MODERATE = "moderate", _("Moderate (controlled, non-randomised evaluations)")
    PROMISING = "promising", _("Promising (pre-post or correlational evidence)")
    RATIONALE = "rationale", _("Rationale (a logic model grounded in research)")


class Entry(models.Model):
    """Fields every database entry shares."""

    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=5_000, blank=True)
    country = models.CharField(max_length=5, choices=COUNTRIES)
    language = models.CharField(max_length=10, choices=CONTENT_LANGUAGES, default=settings.LANGUAGE_CODE,
                                help_text=_("The language the title and description are written in."))
    level = models.CharField(max_length=12, choices=LEVEL_CHOICES, help_text=_("Ecological level."))
    stages = models.JSONField(default=list, blank=True)
    target_group = models.CharField(max_length=15, choices=TargetGroup.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Programme(Entry):
    url = models.URLField(blank=True)
    fit = models.JSONField(default=dict, help_text=_("Criterion A: principle number -> 0, 1 or 2."))
    tier = models.CharField(max_length=10, choices=Tier.choices)

    class Meta(Entry.Meta):
        constraints = [models.CheckConstraint(condition=Q(tier__in=Tier.values), name="hub_programme_tier")]

    @property
    def fit_total(self) -> int:
        return sum(int(v) for v in self.fit.values())

    @property
    def signed_off(self) -> bool:
        return self.signoffs.values("reviewer").distinct().count() >= 2


class ProgrammeSignoff(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="signoffs")
    reviewer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "reviewer"], name="hub_signoff_once")]

    def __str__(self) -> str:
        return f"{self.programme} signed by {self.reviewer}"


class Policy(Entry):
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta(Entry.Meta):
        verbose_name_plural = _("policies")


class Document(Entry):
    class Kind(models.TextChoices):
        DELIVERABLE = "deliverable", _("Project deliverable")
        REPORT = "report", pgettext_lazy("a kind of library document", "Report")
        GUIDE = "guide", _("Guide or toolkit")
        ARTICLE = "article", _("Article")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    file = models.FileField(upload_to="library/%Y/", validators=[FileExtensionValidator(UPLOAD_TYPES)])
    uploaded_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")


class WikiPage(models.Model):
    class Kind(models.TextChoices):
        CONCEPT = "concept", _("Concept")
        PRACTICE = "practice", _("Practice")

    slug = models.SlugField(max_length=120)
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["slug", "language"], name="hub_wiki_slug_language")]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self):
        return self.revisions.order_by("-number").first()


class WikiRevision(models.Model):
    """Revisions are never edited: a change is a new revision (numbered 1, 2, ... per page)."""

    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField(max_length=50_000)
    note = models.CharField(max_length=200, blank=True, help_text=_("What changed."))
    author = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="hub_revision_number_once")]

    def __str__(self) -> str:
        return f"{self.page} r{self.number}"


class Practice(Entry):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        RETURNED = "returned", _("Returned to the author")
        ACCEPTED = "accepted", _("Accepted and published")

    class Evaluation(models.TextChoices):
        NONE = "none", _("Not evaluated")
        INTERNAL = "internal", _("Internal monitoring")
        EXTERNAL = "external", _("External evaluation")
        EXPERIMENTAL = "experimental", _("Experimental or quasi-experimental")

    class Cost(models.TextChoices):
        LOW = "low", _("Low (under €5,000 a year)")
        MEDIUM = "medium", _("Medium (€5,000–50,000 a year)")
        HIGH = "high", _("High (over €50,000 a year)")

    years_in_place = models.PositiveSmallIntegerField()
    stakeholders_involved = models.CharField(max_length=300)
    funding = models.CharField(max_length=300, help_text=_("Funding and sustainability."))
    evaluation = models.CharField(max_length=12, choices=Evaluation.choices)
    cost_band = models.CharField(max_length=6, choices=Cost.choices)
    licence = models.CharField(max_length=20, choices=[("cc-by", _("CC BY 4.0")), ("cc-by-sa", _("CC BY-SA 4.0")),
                                                       ("cc-by-nc", _("CC BY-NC 4.0")), ("all-rights", _("All rights reserved"))])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    round = models.PositiveSmallIntegerField(default=1, help_text=_("Submission round: returned and resubmitted -> +1."))
    submitted_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="practices")

    class Meta(Entry.Meta):
        constraints = [models.CheckConstraint(condition=Q(years_in_place__lte=100), name="hub_practice_years")]


class PracticeReview(models.Model):
    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        RETURN = "return", _("Return to the author")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=6, choices=Decision.choices)
    fit = models.JSONField(default=dict, help_text=_("Criterion A ratings, principle -> 0/1/2."))
    tier = models.CharField(max_length=10, choices=Tier.choices)
    comment = models.TextField(max_length=3_000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    round = models.PositiveSmallIntegerField(default=1, help_text=_("Reviews count per submission round."))

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["practice", "reviewer", "round"],
                                               name="hub_review_once_per_round")]

    def __str__(self) -> str:
        return f"{self.practice}: {self.decision} by {self.reviewer}"

