"""The research data model. Integrity lives in the database: foreign keys, unique and check constraints."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.vocabulary import GENDERS, STAGE_LABELS


def _range(field: str, low: float, high: float, *, nullable: bool = True) -> models.CheckConstraint:
    within = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        within = within | Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=within, name=f"%(app_label)s_%(class)s_{field}_range")


# school stages and their labels: vocabulary.STAGE_LABELS
Stage = models.TextChoices("Stage", [(code.upper(), (code, label)) for code, label in STAGE_LABELS.items()])


class Context(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


Gender = models.TextChoices("Gender", [(code, (code, label)) for code, label in GENDERS.items()])


class Country(models.Model):
    """A partner country and its education-policy indicators (the political level, Safe Education)."""

    code = models.CharField(max_length=3, unique=True, help_text=_("ISO/Eurostat country code, e.g. IT, EL."))
    name = models.CharField(max_length=100)
    tracking_age = models.PositiveSmallIntegerField(help_text=_("Age at which students are first tracked into school types."))
    grade_repetition_pct = models.FloatField(help_text=_("Share of students who repeated a grade (%)."))
    esl_rate_pct = models.FloatField(help_text=_("Early leavers from education and training, 18-24-year-olds (%)."))
    esl_support = models.BooleanField(help_text=_("A national strategy supporting learners at risk of early leaving."))
    inclusion_index = models.FloatField(help_text=_("Inclusion measures index, 0 (none) to 1 (comprehensive)."))

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")
        constraints = [
            _range("tracking_age", 6, 19, nullable=False),
            _range("grade_repetition_pct", 0, 100, nullable=False),
            _range("esl_rate_pct", 0, 100, nullable=False),
            _range("inclusion_index", 0, 1, nullable=False),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def early_tracking(self) -> bool:
        return self.tracking_age <= 12


class RegionalEducationalCentre(models.Model):
    """A Regional Educational Centre that schools may partner with (community level)."""

    code = models.CharField(max_length=40, unique=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="recs")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Regional Educational Centre")

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school (community level, Safe School)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="schools")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    context = models.CharField(max_length=10, choices=Context.choices)
    ses_composition = models.FloatField(help_text=_("Mean socio-economic status of the school's students (z units)."))
    climate_index = models.FloatField(null=True, blank=True, help_text=_("School climate index from the staff survey, 1-5."))
    alternatives_to_exclusion = models.BooleanField(default=False)
    rec = models.ForeignKey(
        RegionalEducationalCentre, on_delete=models.SET_NULL, null=True, blank=True, related_name="schools",
        verbose_name=_("partner Regional Educational Centre"),
    )

    class Meta:
        ordering = ["country__name", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="research_school_stage_valid"),
            models.CheckConstraint(condition=Q(context__in=Context.values), name="research_school_context_valid"),
            _range("ses_composition", -5, 5, nullable=False),
            _range("climate_index", 1, 5),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.rec_id and self.country_id and self.rec.country_id != self.country_id:
            raise ValidationError({"rec": gettext("The Regional Educational Centre must be in the school's country.")})


class Teacher(models.Model):
    """A teacher, pseudonymous: `pseudonym` is a keyed hash of the source id; the key is not in the database."""

    pseudonym = models.CharField(max_length=32, unique=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="teachers")
    gender = models.CharField(max_length=1, choices=Gender.choices)
    years_experience = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pseudonym"]
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="research_teacher_gender_valid"),
            _range("years_experience", 0, 60),
        ]

    def __str__(self) -> str:
        return f"Teacher {self.pseudonym[:8]}"


class SchoolClass(models.Model):
    """A class (relational level, Safe Teaching)."""

    code = models.CharField(max_length=60, unique=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="classes")
    grade = models.PositiveSmallIntegerField(help_text=_("Grade (0 for early childhood groups)."))
    homeroom_teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="homeroom_classes"
    )
    teachers = models.ManyToManyField(Teacher, through="TeachingAssignment", related_name="classes")

    class Meta:
        ordering = ["code"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [_range("grade", 0, 14, nullable=False)]

    def __str__(self) -> str:
        return self.code


class TeachingAssignment(models.Model):
    class Role(models.TextChoices):
        HOMEROOM = "homeroom", _("Homeroom teacher")
        SUBJECT = "subject", _("Subject teacher")

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE)
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE)
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["teacher", "school_class"], name="research_assignment_unique"),
            models.CheckConstraint(condition=Q(role__in=["homeroom", "subject"]), name="research_assignment_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} in {self.school_class} ({self.role})"


class Student(models.Model):
    """A student, pseudonymous, with the intersectional attributes used in equity analyses."""

    pseudonym = models.CharField(max_length=32, unique=True)
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="students")
    gender = models.CharField(max_length=1, choices=Gender.choices)
    age = models.PositiveSmallIntegerField(help_text=_("Age in years at the first wave."))
    migrant_background = models.BooleanField()
    roma_minority = models.BooleanField(verbose_name=_("Roma or ethnic minority"))
    ses_index = models.FloatField(help_text=_("Socio-economic status (z units)."))
    sen = models.BooleanField(verbose_name=_("special educational needs / disability"))
    out_of_parental_care = models.BooleanField()
    cohort = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text=_("Entry cohort: the school year (its first calendar year) in which the student's follow-up began."))

    class Meta:
        ordering = ["pseudonym"]
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="research_student_gender_valid"),
            _range("age", 2, 30, nullable=False),
            _range("ses_index", -6, 6, nullable=False),
        ]

    def __str__(self) -> str:
        return f"Student {self.pseudonym[:8]}"

    @property
    def ses_band(self) -> str:
        if self.ses_index < -0.43:
            return "low"
        return "high" if self.ses_index > 0.43 else "middle"


class Wave(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=100)
    starts_on = models.DateField()

    class Meta:
        ordering = ["number"]
        constraints = [_range("number", 1, 100, nullable=False)]

    def __str__(self) -> str:
        return self.label


class StudentScales(models.Model):
    """A student's scale scores in one wave (mean of answered items; empty when too few were answered)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="scales")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="+")
    security = models.FloatField(null=True, blank=True, help_text=_("Attachment security, Kerns Security Scale, 1-4."))
    closeness = models.FloatField(null=True, blank=True, help_text=_("Teacher-student closeness, STRS, 1-5."))
    conflict = models.FloatField(null=True, blank=True, help_text=_("Teacher-student conflict, STRS, 1-5."))
    belonging = models.FloatField(null=True, blank=True, help_text=_("Sense of school membership, PSSM, 1-5."))
    engagement = models.FloatField(null=True, blank=True, help_text=_("Student engagement, 1-5."))
    climate = models.FloatField(null=True, blank=True, help_text=_("Perceived school climate, 1-5."))

    class Meta:
        verbose_name = _("student scale scores")
        verbose_name_plural = _("student scale scores")
        constraints = [
            models.UniqueConstraint(fields=["student", "wave"], name="research_scales_one_per_wave"),
            _range("security", 1, 4),
            _range("closeness", 1, 5),
            _range("conflict", 1, 5),
            _range("belonging", 1, 5),
            _range("engagement", 1, 5),
            _range("climate", 1, 5),
        ]

    def __str__(self) -> str:
        return f"{self.student} wave {self.wave_id}"


class TeacherScales(models.Model):
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="scales")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="+")
    self_efficacy = models.FloatField(null=True, blank=True, help_text=_("Teacher self-efficacy, TSES short form, 1-9."))

    class Meta:
        verbose_name = _("teacher scale scores")
        verbose_name_plural = _("teacher scale scores")
        constraints = [
            models.UniqueConstraint(fields=["teacher", "wave"], name="research_teacher_scales_one_per_wave"),
            _range("self_efficacy", 1, 9),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} wave {self.wave_id}"


class Outcome(models.Model):
    """A student's outcomes in one wave: achievement, attendance, behaviour, exclusions and early leaving."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="outcomes")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="+")
    achievement = models.FloatField(null=True, blank=True, help_text=_("Achievement test score (mean about 500)."))
    attendance_rate = models.FloatField(null=True, blank=True, help_text=_("Share of school days attended, 0-1."))
    behaviour_incidents = models.PositiveIntegerField(null=True, blank=True)
    suspensions = models.PositiveIntegerField(null=True, blank=True, help_text=_("Suspensions and exclusions."))
    dropped_out = models.BooleanField(default=False, help_text=_("Has left education early by this wave."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "wave"], name="research_outcome_one_per_wave"),
            _range("achievement", 0, 1000),
            _range("attendance_rate", 0, 1),
            _range("behaviour_incidents", 0, 1000),
            _range("suspensions", 0, 1000),
        ]

    def __str__(self) -> str:
        return f"{self.student} wave {self.wave_id}"


class CohortLoad(models.Model):
    """One load of a cohort directory: its fingerprint, what it added and whether it was simulated."""

    fingerprint = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=500)
    simulated = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.loaded_at:%Y-%m-%d %H:%M})"


class StaffAppointment(models.Model):
    """Links a user to a school they work at; staff see their own schools' student rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_appointments")
    position = models.CharField(max_length=100, blank=True, help_text=_("e.g. school leader, teacher, counsellor"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "school"], name="research_appointment_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.school}"
