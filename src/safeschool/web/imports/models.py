"""Import history (who, when, which file, which mapping, what changed) and the item-level answers imports bring."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    class Target(models.TextChoices):
        STUDENT_SURVEY = "student_survey", _("Student survey")
        TEACHER_SURVEY = "teacher_survey", _("Teacher survey")
        SCHOOL_RECORDS = "school_records", _("School records")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNDONE = "undone", _("Undone")

    target = models.CharField(max_length=20, choices=Target.choices)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    file_sha256 = models.CharField(max_length=64)
    file_format = models.CharField(max_length=10)
    encoding = models.CharField(max_length=40, blank=True)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the file's bytes and the mapping."))
    mapping = models.JSONField()
    counts = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("import batches")
        constraints = [
            # the same file with the same mapping is applied at most once (importing it again changes nothing)
            models.UniqueConstraint(fields=["fingerprint"], condition=Q(status="applied"),
                                    name="imports_one_applied_per_fingerprint"),
            models.CheckConstraint(condition=Q(status="applied", undone_at__isnull=True)
                                   | Q(status="undone", undone_at__isnull=False), name="imports_undone_has_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} ({self.get_target_display()})"


class ImportChange(models.Model):
    """What an import did to one table: the ids of the rows it created and every row it replaced, as it was. Enough
    to undo it exactly."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    table = models.CharField(max_length=60)
    created = models.JSONField(default=list, help_text=_("Primary keys of the rows the import created."))
    replaced = models.JSONField(default=list, help_text=_("The rows the import replaced, as they were before it."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "table"], name="imports_change_per_table")]

    def __str__(self) -> str:
        return f"#{self.batch_id} {self.table}"


class SurveyResponse(models.Model):
    """Item-level answers of one respondent to one instrument in one wave (as imported; raw, not reverse-keyed)."""

    student = models.ForeignKey("research.Student", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="survey_responses")
    teacher = models.ForeignKey("research.Teacher", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="survey_responses")
    wave = models.ForeignKey("research.Wave", on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=40)
    language = models.CharField(max_length=10, blank=True)
    answers = models.JSONField(help_text=_("Item code -> answer; missing answers are absent."))
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(student__isnull=False, teacher__isnull=True)
                                   | Q(student__isnull=True, teacher__isnull=False),
                                   name="imports_response_one_respondent"),
            models.UniqueConstraint(fields=["student", "wave", "instrument"], condition=Q(student__isnull=False),
                                    name="imports_student_response_once"),
            models.UniqueConstraint(fields=["teacher", "wave", "instrument"], condition=Q(teacher__isnull=False),
                                    name="imports_teacher_response_once"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} wave {self.wave_id}"


class ItemText(models.Model):
    """A licensed item text, attached by a user for one language (the registry ships structure only)."""

    instrument = models.CharField(max_length=40)
    item = models.CharField(max_length=60)
    language = models.CharField(max_length=10)
    text = models.TextField()
    licence_note = models.CharField(max_length=300, blank=True, help_text=_("Who licensed this text to the network."))

    class Meta:
        ordering = ["instrument", "language", "item"]
        constraints = [models.UniqueConstraint(fields=["instrument", "item", "language"], name="imports_item_text_once")]

    def __str__(self) -> str:
        return f"{self.item} ({self.language})"


class ImportJob(models.Model):
    """An import the web queued for the background worker: the staged upload, its mapping, and how it went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Refused")

    token = models.CharField(max_length=32, help_text=_("The staged upload (see staging.py)."))
    file_name = models.CharField(max_length=255)
    mapping = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    already = models.BooleanField(default=False, help_text=_("The same file and mapping were imported before."))
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="succeeded") | Q(batch__isnull=False),
                                   name="imports_job_success_has_batch"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="imports_job_failure_has_reason"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} {self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
