"""The Hub's databases: programmes (with the rubric and reviewer sign-offs), policies, a library of documents,
a wiki with revisions, and practices members submit for review. Every entry carries a language and the fields
the databases are filtered by: country, school stage, ecological level, target group."""

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q

from safeschool.vocabulary import LEVELS, STAGE_LABELS
from safeschool.web.network.models import COUNTRIES, LANGUAGES, Member

LEVEL_CHOICES = [(level, level.title()) for level in LEVELS]
STAGES = list(STAGE_LABELS.items())
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
    STUDENTS = "students", "Students"
    TEACHERS = "teachers", "Teachers"
    FAMILIES = "families", "Families"
    LEADERS = "leaders", "School leaders"
    WHOLE_SCHOOL = "whole_school", "Whole school"
    COMMUNITY = "community", "Community and services"


class Tier(models.TextChoices):
    """Criterion B: the evidence of effectiveness."""

    STRONG = "strong", "Strong (experimental or quasi-experimental evaluations)"
    MODERATE = "moderate", "Moderate (controlled, non-randomised evaluations)"
    PROMISING = "promising", "Promising (pre-post or correlational evidence)"
    RATIONALE = "rationale", "Rationale (a logic model grounded in research)"


class Entry(models.Model):
    """Fields every database entry shares."""

    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=5_000, blank=True)
    country = models.CharField(max_length=5, choices=COUNTRIES)
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    level = models.CharField(max_length=12, choices=LEVEL_CHOICES, help_text="Ecological level.")
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
    fit = models.JSONField(default=dict, help_text="Criterion A: principle number -> 0, 1 or 2.")
    tier = models.CharField(max_length=10, choices=Tier.choices)

    class Meta(Entry.Meta):
        constraints = [models.CheckConstraint(condition=Q(tier__in=Tier.values), name="library_programme_tier")]

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
        constraints = [models.UniqueConstraint(fields=["programme", "reviewer"], name="library_signoff_once")]

    def __str__(self) -> str:
        return f"{self.programme} signed by {self.reviewer}"


class Policy(Entry):
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta(Entry.Meta):
        verbose_name_plural = "policies"


class Document(Entry):
    class Kind(models.TextChoices):
        DELIVERABLE = "deliverable", "Project deliverable"
        REPORT = "report", "Report"
        GUIDE = "guide", "Guide or toolkit"
        ARTICLE = "article", "Article"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    file = models.FileField(upload_to="library/%Y/", validators=[FileExtensionValidator(UPLOAD_TYPES)])
    uploaded_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")


class WikiPage(models.Model):
    class Kind(models.TextChoices):
        CONCEPT = "concept", "Concept"
        PRACTICE = "practice", "Practice"

    slug = models.SlugField(max_length=120)
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["slug", "language"], name="library_wiki_slug_language")]

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
    note = models.CharField(max_length=200, blank=True, help_text="What changed.")
    author = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="library_revision_number_once")]

    def __str__(self) -> str:
        return f"{self.page} r{self.number}"


class Practice(Entry):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted, awaiting review"
        RETURNED = "returned", "Returned to the author"
        ACCEPTED = "accepted", "Accepted and published"

    class Evaluation(models.TextChoices):
        NONE = "none", "Not evaluated"
        INTERNAL = "internal", "Internal monitoring"
        EXTERNAL = "external", "External evaluation"
        EXPERIMENTAL = "experimental", "Experimental or quasi-experimental"

    class Cost(models.TextChoices):
        LOW = "low", "Low (under €5,000 a year)"
        MEDIUM = "medium", "Medium (€5,000–50,000 a year)"
        HIGH = "high", "High (over €50,000 a year)"

    years_in_place = models.PositiveSmallIntegerField()
    stakeholders_involved = models.CharField(max_length=300)
    funding = models.CharField(max_length=300, help_text="Funding and sustainability.")
    evaluation = models.CharField(max_length=12, choices=Evaluation.choices)
    cost_band = models.CharField(max_length=6, choices=Cost.choices)
    licence = models.CharField(max_length=20, choices=[("cc-by", "CC BY 4.0"), ("cc-by-sa", "CC BY-SA 4.0"),
                                                       ("cc-by-nc", "CC BY-NC 4.0"), ("all-rights", "All rights reserved")])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    round = models.PositiveSmallIntegerField(default=1, help_text="Submission round: returned and resubmitted -> +1.")
    submitted_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="practices")

    class Meta(Entry.Meta):
        constraints = [models.CheckConstraint(condition=Q(years_in_place__lte=100), name="library_practice_years")]


class PracticeReview(models.Model):
    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept"
        RETURN = "return", "Return to the author"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=6, choices=Decision.choices)
    fit = models.JSONField(default=dict, help_text="Criterion A ratings, principle -> 0/1/2.")
    tier = models.CharField(max_length=10, choices=Tier.choices)
    comment = models.TextField(max_length=3_000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    round = models.PositiveSmallIntegerField(default=1, help_text="Reviews count per submission round.")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["practice", "reviewer", "round"],
                                               name="library_review_once_per_round")]

    def __str__(self) -> str:
        return f"{self.practice}: {self.decision} by {self.reviewer}"

