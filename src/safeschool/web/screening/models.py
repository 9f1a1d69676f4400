"""Screening and early warning: trained risk models under governance (two approvals, a fairness gate, an expiry),
the scores they give, kept immutable (a database trigger forbids UPDATE: recompute is a new run), each school's
support capacity and the follow-ups staff record. Integrity lives in the database where it can."""

from __future__ import annotations

import io
import json
import zipfile

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from safeschool.screening.card import card_markdown
from safeschool.web.hub.models import Practice
from safeschool.web.research.models import School, Student

MAX_META_BYTES = 20_000_000  # model.json of a model file: the evaluation and audit, far below this


class RiskOutcome(models.TextChoices):  # the codes of safeschool.screening.data.OUTCOMES
    DROPPED_OUT = "dropped_out", _("Early leaving")
    PERSISTENT_ABSENCE = "persistent_absence", _("Persistent absence")
    EXCLUDED = "excluded", _("Exclusion")


class Algorithm(models.TextChoices):  # the codes of safeschool.screening.models.CANDIDATES
    LOGISTIC = "logistic", _("Regularised logistic regression")
    BOOSTING = "boosting", _("Gradient boosting")


class ModelStatus(models.TextChoices):
    # Translators: a risk model's status: trained, not yet published to schools.
    DRAFT = "draft", pgettext_lazy("risk model status", "Draft")
    # Translators: a risk model's status: its scores reach schools.
    PUBLISHED = "published", pgettext_lazy("risk model status", "Published")
    # Translators: a risk model's status: no longer used.
    RETIRED = "retired", pgettext_lazy("risk model status", "Retired")


class Tier(models.TextChoices):
    # Translators: a risk tier (low / moderate / high chance of the outcome).
    LOW = "low", pgettext_lazy("risk tier", "Low")
    # Translators: a risk tier (low / moderate / high chance of the outcome).
    MODERATE = "moderate", pgettext_lazy("risk tier", "Moderate")
    # Translators: a risk tier (low / moderate / high chance of the outcome).
    HIGH = "high", pgettext_lazy("risk tier", "High")


class Domain(models.TextChoices):
    """The things a school can change behind a score (safeschool.screening.data.DOMAINS), in a teacher's words."""

    ATTENDANCE = "attendance", _("Attendance")
    BEHAVIOUR = "behaviour", _("Behaviour")
    ACHIEVEMENT = "achievement", _("Achievement")
    SECURITY = "security", _("Feeling secure with adults")
    BELONGING = "belonging", _("Belonging and engagement")


class ApprovalRole(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    ADMINISTRATOR = "administrator", _("Administrator")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FollowUpStatus(models.TextChoices):
    # Translators: a follow-up's status: still to do.
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    # Translators: a follow-up's status: completed.
    DONE = "done", pgettext_lazy("follow-up status", "Done")


class RiskModel(models.Model):
    """A trained risk model: its evaluation against baselines, its fairness audit and gate, and the model file."""

    name = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=RiskOutcome.choices)
    algorithm = models.CharField(max_length=20, choices=Algorithm.choices)
    features = models.JSONField(default=list)
    train_cohorts = models.JSONField(default=list)
    test_cohort = models.PositiveSmallIntegerField(null=True, blank=True)
    evaluation = models.JSONField(default=dict, help_text=_("The held-out evaluation against the baselines."))
    fairness = models.JSONField(default=list, help_text=_("The fairness audit: one row per group and stratum."))
    gate = models.JSONField(default=dict, help_text=_("The publication gate: passed, reasons, checks."))
    estimator = models.BinaryField(editable=False, help_text=_("The model file (zip: model.json, estimator.skops)."))
    status = models.CharField(max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="risk_models")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="screening_model_version_unique"),
            # one published model per outcome: publishing retires the previous one in the same transaction
            models.UniqueConstraint(fields=["outcome"], condition=Q(status="published"),
                                    name="screening_one_published_per_outcome"),
            models.CheckConstraint(condition=Q(outcome__in=RiskOutcome.values), name="screening_model_outcome_valid"),
            models.CheckConstraint(condition=Q(algorithm__in=Algorithm.values),
                                   name="screening_model_algorithm_valid"),
            models.CheckConstraint(condition=Q(status__in=ModelStatus.values), name="screening_model_status_valid"),
            models.CheckConstraint(condition=~Q(status="published") | Q(published_at__isnull=False),
                                   name="screening_model_published_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def expired(self) -> bool:
        return self.expires_on < timezone.localdate()

    @property
    def gate_passed(self) -> bool:
        return bool((self.gate or {}).get("passed"))

    @property
    def meta(self) -> dict:
        """What the model card describes: the model file's model.json (estimator hash, cut-offs, versions),
        overlaid with the database's current fields."""
        return {**self._file_meta(), **{
            "name": self.name, "version": self.version, "outcome": self.outcome, "algorithm": self.algorithm,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "features": list(self.features), "train_cohorts": list(self.train_cohorts),
            "test_cohort": self.test_cohort, "evaluation": self.evaluation, "fairness": self.fairness,
            "gate": self.gate, "status": self.status,
        }}

    def _file_meta(self) -> dict:
        try:
            with zipfile.ZipFile(io.BytesIO(bytes(self.estimator or b""))) as archive:
                if archive.getinfo("model.json").file_size > MAX_META_BYTES:
                    return {}
                found = json.loads(archive.read("model.json"))
        except (zipfile.BadZipFile, KeyError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    @property
    def card_markdown(self) -> str:
        return card_markdown(self.meta, gettext=gettext)


class ModelApproval(models.Model):
    """One of the two approvals publishing needs: a researcher's and an administrator's, by two different people."""

    model = models.ForeignKey(RiskModel, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=15, choices=ApprovalRole.choices)
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "role"], name="screening_approval_once_per_role"),
            # the researcher and the administrator must be two different people
            models.UniqueConstraint(fields=["model", "user"], name="screening_approval_once_per_user"),
            models.CheckConstraint(condition=Q(role__in=ApprovalRole.values), name="screening_approval_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.role} {self.user}"


class ScoringRun(models.Model):
    """One scoring of the screened cohort by one model. Its model never changes (a trigger); its rows never do."""

    model = models.ForeignKey(RiskModel, on_delete=models.PROTECT, related_name="runs")
    cohort = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("The entry cohort scored."))
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    n_scored = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="screening_run_status_valid"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="screening_run_failure_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.model} run #{self.pk}"


class RiskScore(models.Model):
    """A student's score from one run. Never edited: a database trigger refuses UPDATE; recompute is a new run."""

    run = models.ForeignKey(ScoringRun, on_delete=models.PROTECT, related_name="scores")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="risk_scores")
    probability = models.FloatField()
    tier = models.CharField(max_length=10, choices=Tier.choices)
    domains = models.JSONField(default=list, help_text=_("The domains that raise the score most, largest first."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "student"], name="screening_score_once_per_run"),
            models.CheckConstraint(condition=Q(probability__gte=0) & Q(probability__lte=1),
                                   name="screening_score_probability_range"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="screening_score_tier_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.probability:.3f} ({self.tier})"

    @property
    def score_0_100(self) -> int:
        return round(self.probability * 100)


class SupportCapacity(models.Model):
    """How many students a school can support: the share of its screened students its counsellor's list holds."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="support_capacity")
    share = models.FloatField(default=0.10, help_text=_("Share of the school's scored students it can support."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("support capacities")
        constraints = [models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1),
                                              name="screening_capacity_share_range")]

    def __str__(self) -> str:
        return f"{self.school}: {self.share:.0%}"


class FollowUp(models.Model):
    """What staff decided to do for a student: who acts, what, with which Hub practice, when it is reviewed."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="follow_ups")
    score = models.ForeignKey(RiskScore, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    who_acts = models.CharField(max_length=200)
    action = models.TextField(max_length=2_000)
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_on = models.DateField()
    status = models.CharField(max_length=5, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    note = models.TextField(max_length=2_000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "review_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FollowUpStatus.values), name="screening_followup_status"),
            models.CheckConstraint(condition=Q(status="open") | Q(closed_at__isnull=False),
                                   name="screening_followup_done_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.action[:40]}"
