"""The network's learning, public at /learning/: case studies of best practice, a cumulative series of resource
packs, the six-day training course (a template of days, sessions and activities, adaptable into new versions such
as an induction course; editions with enrolment, a waiting list, attendance, knowledge checks, evaluation and
certificates) and the handbook on school–REC partnership working (chapters in several languages, versions,
exported to HTML, PDF and EPUB)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safeschool.web.core.languages import CONTENT_LANGUAGES
from safeschool.web.hub.models import Practice
from safeschool.web.interventions.models import Intervention
from safeschool.web.research.models import RegionalEducationalCentre, School

LICENCES = [("cc-by", _("CC BY 4.0")), ("cc-by-sa", _("CC BY-SA 4.0")), ("cc-by-nc", _("CC BY-NC 4.0")),
            ("all-rights", _("All rights reserved"))]


class Audience(models.TextChoices):
    LEADERS = "leaders", _("School leaders")
    TEACHERS = "teachers", _("Teachers")
    REC_STAFF = "rec_staff", _("REC staff")
    FAMILIES = "families", _("Families")


def _stored_name(prefix: str, filename: str) -> str:
    """A random name (an uploaded file's own name may name a person or a school), keeping the extension."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"learning/{prefix}/{uuid.uuid4().hex}.{suffix}"


def upload_item(instance, filename: str) -> str:
    return _stored_name("packs", filename)


def upload_captions(instance, filename: str) -> str:
    return _stored_name("captions", filename)


def upload_consent(instance, filename: str) -> str:
    return _stored_name("consents", filename)


class CaseStudy(models.Model):
    """A structured case study of best practice. Published only with the school's recorded consent."""

    slug = models.SlugField(max_length=80, unique=True, help_text=_("Its stable address: /learning/cases/<slug>/."))
    title = models.CharField(max_length=200)
    country = models.CharField(max_length=5, blank=True)
    stages = models.JSONField(default=list, blank=True)
    context = models.TextField(max_length=5_000)
    partnership = models.TextField(max_length=5_000, blank=True)
    practice = models.TextField(max_length=5_000)
    evidence = models.TextField(max_length=5_000, blank=True)
    outcomes = models.TextField(max_length=5_000, blank=True)
    lessons = models.TextField(max_length=5_000, blank=True)
    transferability = models.TextField(max_length=5_000, blank=True)
    authors = models.CharField(max_length=300, help_text=_("As they are to be cited."))
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="case_studies")
    rec = models.ForeignKey(RegionalEducationalCentre, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="case_studies")
    practices = models.ManyToManyField(Practice, blank=True, related_name="case_studies")
    interventions = models.ManyToManyField(Intervention, blank=True, related_name="case_studies")
    consent_given_by = models.CharField(max_length=200, blank=True, help_text=_("Who consented for the school."))
    consent_on = models.DateField(null=True, blank=True)
    consent_document = models.FileField(upload_to=upload_consent, blank=True, validators=[
        FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name_plural = _("case studies")
        constraints = [
            # a case study about a school is published only with the school's consent on record
            models.CheckConstraint(condition=Q(published_at__isnull=True) | Q(school__isnull=True)
                                   | (~Q(consent_given_by="") & Q(consent_on__isnull=False)),
                                   name="learning_case_published_with_consent"),
        ]

    def __str__(self) -> str:
        return self.title


class ResourcePack(models.Model):
    """One pack of the cumulative series (number 1, 2, 3 …)."""

    number = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=3_000, blank=True)
    learning_outcomes = models.JSONField(default=list, blank=True)
    audiences = models.JSONField(default=list, blank=True, help_text=_("Audience codes."))
    language = models.CharField(max_length=10, choices=CONTENT_LANGUAGES, default="en")
    licence = models.CharField(max_length=20, choices=LICENCES, default="cc-by")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number", "-version"]
        constraints = [models.UniqueConstraint(fields=["number", "version"], name="learning_pack_number_version"),
                       models.UniqueConstraint(fields=["slug", "version"], name="learning_pack_slug_version"),
                       models.CheckConstraint(condition=Q(number__gte=1) & Q(version__gte=1),
                                              name="learning_pack_numbers_positive")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class ItemKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")
    ACTIVITY_SHEET = "activity_sheet", _("Activity sheet")
    DISCUSSION_GUIDE = "discussion_guide", _("Discussion guide")
    CASE_STUDY = "case_study", _("Case study")


class PackItem(models.Model):
    pack = models.ForeignKey(ResourcePack, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=3_000, blank=True)
    file = models.FileField(upload_to=upload_item, blank=True, validators=[
        FileExtensionValidator(["pdf", "docx", "odt", "mp4", "webm", "png", "jpg", "jpeg", "txt", "md"])])
    url = models.URLField(blank=True)
    captions = models.FileField(upload_to=upload_captions, blank=True, validators=[FileExtensionValidator(["vtt"])])
    transcript = models.TextField(max_length=50_000, blank=True)
    case_study = models.ForeignKey(CaseStudy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pack", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="learning_item_kind_valid"),
            # a video carries captions and a transcript; a case-study item points to one
            models.CheckConstraint(condition=~Q(kind="video") | (~Q(captions="") & ~Q(transcript="")),
                                   name="learning_video_captioned"),
            models.CheckConstraint(condition=~Q(kind="case_study") | Q(case_study__isnull=False),
                                   name="learning_case_item_links"),
        ]

    def __str__(self) -> str:
        return self.title


class Course(models.Model):
    """A version of the course template. Adapting it (choosing and reordering modules, e.g. as an induction course
    for new teachers) makes a new version whose `adapted_from` is the original."""

    class Kind(models.TextChoices):
        FULL = "full", _("Six-day course")
        INDUCTION = "induction", _("Induction course for new teachers")

    slug = models.SlugField(max_length=80)
    version = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FULL)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=3_000, blank=True)
    learning_outcomes = models.JSONField(default=list, blank=True)
    adapted_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="adaptations")
    mobility_info = models.TextField(max_length=5_000, blank=True, help_text=_(
        "What a participant needs to apply for EU mobility funding for professional development."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="learning_course_slug_version"),
                       models.CheckConstraint(condition=Q(kind__in=["full", "induction"]),
                                              name="learning_course_kind_valid")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class CourseDay(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="days")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["course", "number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="learning_day_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class CourseSession(models.Model):
    """A session (a module) of a day."""

    day = models.ForeignKey(CourseDay, on_delete=models.CASCADE, related_name="sessions")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    learning_outcomes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["day", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="activities")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    minutes = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=120, help_text=_("e.g. role play, case discussion, input, fieldwork."))
    materials = models.ManyToManyField(PackItem, blank=True, related_name="activities")
    outcomes = models.TextField(max_length=2_000, blank=True)

    class Meta:
        ordering = ["session", "order", "pk"]
        verbose_name_plural = _("activities")
        constraints = [models.CheckConstraint(condition=Q(minutes__gte=1) & Q(minutes__lte=480),
                                              name="learning_activity_minutes")]

    def __str__(self) -> str:
        return self.title


class Edition(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="editions")
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    venue = models.CharField(max_length=300)
    trainers = models.CharField(max_length=300)
    capacity = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=10, choices=CONTENT_LANGUAGES, default="en")
    enrolment_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="learning_edition_dates"),
                       models.CheckConstraint(condition=Q(capacity__gte=1), name="learning_edition_capacity")]

    def __str__(self) -> str:
        return self.title


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class Enrolment(models.Model):
    """A place on an edition. Enrolled + completed places never exceed the capacity: migration 0002's triggers refuse
    the row that would over-book, whatever the order of concurrent requests."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["edition", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="learning_enrol_once"),
            models.CheckConstraint(condition=Q(status__in=EnrolmentStatus.values), name="learning_enrolment_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.edition} ({self.status})"


class Attendance(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "session"], name="learning_attendance_once")]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.session} ({'present' if self.present else 'absent'})"


class KnowledgeCheck(models.Model):
    """A participant's score on the course's knowledge check before or after it (Kirkpatrick level 2)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="knowledge_checks")
    moment = models.CharField(max_length=4, choices=[("pre", _("Before the course")), ("post", _("After the course"))])
    score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict, blank=True)
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "moment"], name="learning_check_once"),
                       models.CheckConstraint(condition=Q(moment__in=["pre", "post"]), name="learning_check_moment"),
                       models.CheckConstraint(condition=Q(max_score__gte=1) & Q(score__lte=models.F("max_score")),
                                              name="learning_check_score_range")]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.moment}: {self.score}/{self.max_score}"


class CourseEvaluation(models.Model):
    """The end-of-course evaluation (Kirkpatrick level 1, reaction): ratings per item and comments."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="evaluation")
    ratings = models.JSONField(default=dict)
    comments = models.TextField(max_length=5_000, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Evaluation of {self.enrolment}"


class Certificate(models.Model):
    """A certificate of completion: issued only for a completed enrolment; verifiable at
    /learning/certificates/<code>/; a revoked certificate reports revoked."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=20, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                                              name="learning_certificate_revoked_with_reason")]

    def __str__(self) -> str:
        return self.code


class Handbook(models.Model):
    """A version of the handbook in one language."""

    version = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=10, choices=CONTENT_LANGUAGES, default="en")
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    authors = models.CharField(max_length=300)
    references = models.TextField(max_length=20_000, blank=True, help_text=_("One reference per line."))
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version", "language"]
        constraints = [models.UniqueConstraint(fields=["version", "language"], name="learning_handbook_version_lang")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.language})"


class Chapter(models.Model):
    """A chapter: the team's text (Markdown), and the case studies and packs it draws on."""

    handbook = models.ForeignKey(Handbook, on_delete=models.CASCADE, related_name="chapters")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=100_000)
    case_studies = models.ManyToManyField(CaseStudy, blank=True, related_name="chapters")
    packs = models.ManyToManyField(ResourcePack, blank=True, related_name="chapters")

    class Meta:
        ordering = ["handbook", "order"]
        constraints = [models.UniqueConstraint(fields=["handbook", "order"], name="learning_chapter_order_once")]

    def __str__(self) -> str:
        return self.title
