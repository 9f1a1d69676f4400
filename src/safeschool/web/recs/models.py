"""Regional Educational Centres (RECs) and their partnerships with schools: each REC's area, services and staff;
partnerships (since when, agreed services, contact people, meetings, counts of referrals of students at risk —
counted per month, never listed); the partnership quality survey both sides answer (a versioned instrument in
safeschool/partnership/, with the coded taxonomy of implementation problems), the training-and-support-needs
analysis of school leaders and teachers, and the versioned state-of-the-art report built from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safeschool.web.network.models import Member
from safeschool.web.research.models import RegionalEducationalCentre, School


class Service(models.TextChoices):  # the codes of safeschool.partnership.SERVICES
    TRAINING = "training", _("Training")
    COACHING = "coaching", _("Coaching")
    CASE_MANAGEMENT = "case_management", _("Case management")
    PSYCHOLOGICAL = "psychological", _("Psychological and social support")
    FAMILY_LIAISON = "family_liaison", _("Family liaison")


class RecProfile(models.Model):
    """What the network knows of a REC beyond the cohort's code, country and name."""

    rec = models.OneToOneField(RegionalEducationalCentre, on_delete=models.CASCADE, related_name="profile")
    area = models.CharField(max_length=300, help_text=_("The district or region it serves."))
    services = models.JSONField(default=list, blank=True, help_text=_("Service codes it offers."))
    description = models.TextField(max_length=5_000, blank=True)
    website = models.URLField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.rec} ({self.area})"


class RecStaff(models.Model):
    """A person working at a REC (a professional contact). A network member's account, when linked, answers the REC's
    side of the partnership survey."""

    rec = models.ForeignKey(RegionalEducationalCentre, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="rec_roles")

    class Meta:
        ordering = ["rec", "name"]
        verbose_name_plural = _("REC staff")
        constraints = [models.UniqueConstraint(fields=["rec", "member"], condition=Q(member__isnull=False),
                                               name="recs_staff_member_once")]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}"


class Partnership(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rec_partnerships")
    rec = models.ForeignKey(RegionalEducationalCentre, on_delete=models.CASCADE, related_name="partnerships")
    since = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    services = models.JSONField(default=list, blank=True, help_text=_("The agreed services (codes)."))
    school_contact = models.CharField(max_length=200, blank=True)
    rec_contact = models.CharField(max_length=200, blank=True)
    agreement = models.TextField(max_length=5_000, blank=True, help_text=_("What the partners agreed."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rec", "school"]
        constraints = [
            models.UniqueConstraint(fields=["school", "rec"], name="recs_partnership_once"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("since")),
                                   name="recs_partnership_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.school} – {self.rec}"

    @property
    def active(self) -> bool:
        return self.ended_on is None


class Meeting(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    topic = models.CharField(max_length=200)
    attendees = models.PositiveSmallIntegerField(default=2)
    notes = models.TextField(max_length=5_000, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.topic} ({self.held_on})"


class ReferralCount(models.Model):
    """How many students at risk the school referred to the REC in a month: a count, never a list of students."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="referral_counts")
    month = models.DateField(help_text=_("The first day of the month counted."))
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["partnership", "month"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "month"], name="recs_referrals_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="recs_referrals_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.month:%Y-%m}: {self.count}"


class Side(models.TextChoices):
    SCHOOL = "school", _("School")
    REC = "rec", _("Regional Educational Centre")


class SurveyWave(models.Model):
    """One round of the partnership quality survey and the needs analysis, on one instrument version."""

    title = models.CharField(max_length=200)
    instrument_version = models.PositiveSmallIntegerField(default=1)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SurveyResponse(models.Model):
    """One side's answer for one partnership in one wave: item ratings, the implementation problems met (taxonomy
    codes) and comments."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.PROTECT, related_name="responses")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="survey_responses")
    side = models.CharField(max_length=6, choices=Side.choices)
    answers = models.JSONField(default=dict)
    problems = models.JSONField(default=list, blank=True)
    comments = models.TextField(max_length=5_000, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["wave", "partnership", "side"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "partnership", "side"], name="recs_survey_once_per_side"),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="recs_survey_side_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.wave}: {self.partnership} ({self.side})"


class NeedsRole(models.TextChoices):
    LEADER = "leader", _("School leader")
    TEACHER = "teacher", _("Teacher")


class NeedsResponse(models.Model):
    """One school leader's or teacher's training-and-support needs (priorities per topic, preferred formats); not
    linked to the person who answered."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.PROTECT, related_name="needs_responses")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="needs_responses")
    role = models.CharField(max_length=8, choices=NeedsRole.choices)
    needs = models.JSONField(default=dict, help_text=_("Topic code -> priority (1 none to 4 high)."))
    formats = models.JSONField(default=list, blank=True)
    submitted_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["wave", "school", "role", "pk"]
        constraints = [models.CheckConstraint(condition=Q(role__in=NeedsRole.values), name="recs_needs_role_valid")]

    def __str__(self) -> str:
        return f"{self.wave}: {self.school} ({self.role})"


class StateReport(models.Model):
    """A version of the state-of-the-art report: the research team's narrative sections beside the figures
    generated when the version was made (a snapshot, so a published version never changes)."""

    version = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=10, default="en")
    narrative = models.JSONField(default=dict, blank=True, help_text=_("Section code -> the team's text."))
    figures = models.JSONField(default=dict, blank=True, help_text=_("The generated figures of this version."))
    wave = models.ForeignKey(SurveyWave, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
