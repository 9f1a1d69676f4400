"""A stored analysis run: what was asked, by whom, on which data, and what came out (or why it failed)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ECOLOGICAL = "ecological", _("Ecological decomposition")
    MAIHDA = "maihda", _("Intersectional MAIHDA")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class AnalysisRun(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    charts = models.JSONField(null=True, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="analysis_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="analysis_run_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="analysis_run_status_valid"),
            # results exist only for a successful run: a failed run keeps no partial results
            models.CheckConstraint(condition=Q(status="succeeded") | (Q(result__isnull=True) & Q(charts__isnull=True)),
                                   name="analysis_run_results_only_when_succeeded"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="analysis_run_failure_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.parameters.get('outcome', '?')} (#{self.pk})"

    @property
    def finished(self) -> bool:
        return self.status in (Status.SUCCEEDED, Status.FAILED)

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
