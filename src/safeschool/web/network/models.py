"""Network members: who they are, what they chose to show, their participation level, and their consents."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safeschool.vocabulary import COUNTRIES as VOCABULARY_COUNTRIES


class StakeholderType(models.TextChoices):
    SCIENTIFIC = "scientific", _("Scientific community")
    STUDENT = "student", _("Student")
    FAMILY = "family", _("Family member")
    TEACHER = "teacher", _("Teacher")
    SCHOOL_BOARD = "school_board", _("School board or leadership")
    POLICYMAKER = "policymaker", _("Policymaker")
    NGO = "ngo", _("NGO or civil society")
    PRACTITIONER = "practitioner", _("Practitioner")


class Sector(models.TextChoices):
    EDUCATION = "education", _("Education")
    SOCIAL_CARE = "social_care", _("Children's social care")
    SEND = "send", _("Special educational needs and disabilities")
    YOUTH_JUSTICE = "youth_justice", _("Youth justice")


class Topic(models.TextChoices):
    INCLUSIVE = "inclusive", _("Inclusive education")
    GENDER = "gender", _("Gender and safe-teaching competencies")
    ATTACHMENT = "attachment", _("Attachment, teacher-student relationships and school climate")
    ECONOMICS = "economics", _("Socio-economic benefits of Safe Education")


class Level(models.TextChoices):
    """Participation levels, freely chosen and changeable at any time; each includes the ones before it."""

    A = "a", _("(a) Recipient of information")
    B = "b", _("(b) Contributor to dissemination")
    C = "c", _("(c) Active participant in co-creation and participatory action research")
    D = "d", _("(d) Advocate for policy and action")


LANGUAGES = [("en", "English"), ("es", "Spanish"), ("it", "Italian"), ("el", "Greek"), ("ro", "Romanian"),
             ("pt", "Portuguese"), ("pl", "Polish"), ("fr", "French"), ("de", "German"), ("other", "Other")]
COUNTRIES = list(VOCABULARY_COUNTRIES)
ADULT_AGE = 16  # below this, a recorded parental consent is needed before anything beyond reading


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    display_name = models.CharField(max_length=80)
    stakeholder_type = models.CharField(max_length=20, choices=StakeholderType.choices)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True,
                              help_text=_("For practitioners: the sector they work in."))
    country = models.CharField(max_length=5, choices=COUNTRIES)
    organisation = models.CharField(max_length=200, blank=True)
    languages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=1, choices=Level.choices, default=Level.A)
    birth_year = models.PositiveSmallIntegerField(help_text=_("Only to know whether a parent must consent (under 16)."))
    moderator = models.BooleanField(default=False)
    notify = models.CharField(max_length=10, default="weekly", choices=[
        ("none", _("No e-mails")), ("immediate", _("At once, for every new post")), ("daily", _("Daily digest")),
        ("weekly", _("Weekly digest"))], help_text=_("E-mails about new posts in my communities."))
    newsletters = models.BooleanField(default=False, help_text=_("Opted in to the network's newsletters."))
    # what the member chose to show in the directory (nothing unless they opt in)
    in_directory = models.BooleanField(default=False)
    show_organisation = models.BooleanField(default=False)
    show_country = models.BooleanField(default=False)
    show_type = models.BooleanField(default=False)
    show_topics = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=Level.values), name="network_member_level_valid"),
            # empty only on an erased profile (erasure writes it without validation; full_clean requires a type)
            models.CheckConstraint(condition=Q(stakeholder_type="") | Q(stakeholder_type__in=StakeholderType.values),
                                   name="network_member_type_valid"),
            models.CheckConstraint(condition=Q(sector="") | Q(sector__in=Sector.values), name="network_member_sector_valid"),
            models.CheckConstraint(condition=Q(birth_year__gte=1900, birth_year__lte=2100),
                                   name="network_member_birth_year_range"),
            models.CheckConstraint(condition=Q(notify__in=["none", "immediate", "daily", "weekly"]),
                                   name="network_member_notify_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def age(self, today=None) -> int:
        from django.utils import timezone

        today = today or timezone.localdate()
        return today.year - self.birth_year  # by year of birth: the cautious side for a consent rule

    @property
    def is_minor(self) -> bool:
        return self.age() < ADULT_AGE

    def level_at_least(self, level: str) -> bool:
        return self.level >= level  # "a" < "b" < "c" < "d"


class LevelChange(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="level_changes")
    before = models.CharField(max_length=1, choices=Level.choices)
    after = models.CharField(max_length=1, choices=Level.choices)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.member}: {self.before} -> {self.after}"


class ConsentText(models.Model):
    """A versioned consent text. A new version is a new row; records point to the exact version agreed to."""

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", _("Membership and data processing")
        PARENTAL = "parental", _("Parental consent for a member under 16")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=10, default="en")
    body = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version", "language"], name="network_consent_text_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.language})"


class ConsentRecord(models.Model):
    """Who consented to which version, when and how; withdrawing sets withdrawn_at (the record itself stays)."""

    class Method(models.TextChoices):
        WEB = "web", _("Web form, by the member")
        PARENT_WEB = "parent_web", _("Web form, by a parent or guardian")
        PAPER = "paper", _("Signed paper form, recorded by an administrator")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="records")
    method = models.CharField(max_length=20, choices=Method.choices)
    given_by = models.CharField(max_length=120, blank=True, help_text=_("The parent's or guardian's name."))
    given_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(method="parent_web") | ~Q(given_by=""),
                                   name="network_parental_consent_names_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.text} ({'withdrawn' if self.withdrawn_at else 'active'})"
