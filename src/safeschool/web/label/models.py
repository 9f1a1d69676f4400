"""The Safe School Label: a school applies for a level with a closed self-evaluation campaign as its evidence, two
reviewers from outside the school assess it on a structured form, a decision with reasons follows, and an award
is valid for two years (then it leaves the public register unless renewed). The criteria are published in
safeschool/selfeval/label.yaml and checked by safeschool.selfeval.label."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safeschool.vocabulary import PILLARS
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.research.models import School
from safeschool.web.selfeval.models import ActionPlan, Campaign

EVIDENCE_TYPES = ["pdf", "docx", "odt", "jpg", "jpeg", "png"]
VALID_YEARS = 2


class LabelLevel(models.TextChoices):  # the codes of safeschool/selfeval/label.yaml, lowest first
    COMMITTED = "committed", _("Committed School")
    SAFE = "safe", _(PILLARS["community"])  # the level bears the pillar's name, defined once in vocabulary.py
    EXEMPLARY = "exemplary", _("Exemplary Safe School")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    AWARDED = "awarded", _("Awarded")
    REFUSED = "refused", _("Not awarded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Recommendation(models.TextChoices):
    AWARD = "award", _("Award the level applied for")
    LOWER = "lower", _("Award a lower level")
    REFUSE = "refuse", _("Do not award yet")


class Application(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="label_applications")
    level = models.CharField(max_length=10, choices=LabelLevel.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="label_applications",
                                 help_text=_("The closed self-evaluation campaign the application rests on."))
    action_plan = models.ForeignKey(ActionPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    par_cycle = models.ForeignKey(ParCycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    statement = models.TextField(max_length=5_000, help_text=_("Why the school applies, in its own words."))
    checks = models.JSONField(default=dict, help_text=_("The published criteria as checked when submitted."))
    status = models.CharField(max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    renews = models.ForeignKey("Award", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals")
    decided_level = models.CharField(max_length=10, choices=LabelLevel.choices, blank=True)
    decision_reasons = models.TextField(max_length=5_000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=LabelLevel.values), name="label_application_level_valid"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values),
                                   name="label_application_status_valid"),
            # one open application per school at a time
            models.UniqueConstraint(fields=["school"], condition=Q(status__in=["submitted", "under_review"]),
                                    name="label_one_open_application"),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_level_display()}"


class Evidence(models.Model):
    """A document showing a yes/no practice the school reported (e.g. its written anti-bullying policy)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.CharField(max_length=60, help_text=_("The yes/no practice this document shows."))
    description = models.CharField(max_length=300)
    file = models.FileField(upload_to="label/%Y/", validators=[FileExtensionValidator(EVIDENCE_TYPES)])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "pk"]

    def __str__(self) -> str:
        return self.description


class Review(models.Model):
    """One reviewer's structured assessment: criterion code -> met / partly / not met, with comments."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="label_reviews")
    assessments = models.JSONField(default=dict)
    recommendation = models.CharField(max_length=8, choices=Recommendation.choices)
    comments = models.TextField(max_length=5_000)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="label_review_once"),
            models.CheckConstraint(condition=Q(recommendation__in=Recommendation.values),
                                   name="label_review_recommendation_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.application} reviewed by {self.reviewer}"


class Award(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="label_awards")
    level = models.CharField(max_length=10, choices=LabelLevel.choices)
    awarded_on = models.DateField()
    valid_until = models.DateField()
    verification_code = models.CharField(max_length=20, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=LabelLevel.values), name="label_award_level_valid"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("awarded_on")),
                                   name="label_award_validity_order"),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_level_display()} until {self.valid_until}"

    def is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.awarded_on <= today <= self.valid_until
