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
                              help_text="For practitioners: the sector they work in.")
    country = models.CharField(max_length=5, choices=COUNTRIES)
    organisation = models.CharField(max_length=200, blank=True)
    languages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=1, choices=Level.choices, default=Level.A)
    birth_year = models.PositiveSmallIntegerField(help_text="Only to know whether a parent must consent (under 16).")
    moderator = models.BooleanField(default=False)
    notify = models.CharField(max_length=10, default="weekly", choices=[
        ("none", "No e-mails"), ("immediate", "At once, for every new post"), ("daily", "Daily digest"),
        ("weekly", "Weekly digest")], help_text="E-mails about new posts in my communities.")
    newsletters = models.BooleanField(default=False, help_text="Opted in to the network's newsletters.")
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
            models.CheckConstraint(condition=Q(stakeholder_type__in=StakeholderType.values),
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
        MEMBERSHIP = "membership", "Membership and data processing"
        PARENTAL = "parental", "Parental consent for a member under 16"

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
        WEB = "web", "Web form, by the member"
        PARENT_WEB = "parent_web", "Web form, by a parent or guardian"
        PAPER = "paper", "Signed paper form, recorded by an administrator"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="records")
    method = models.CharField(max_length=20, choices=Method.choices)
    given_by = models.CharField(max_length=120, blank=True, help_text="The parent's or guardian's name.")
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
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        EVENT = "event", "Event"
        SHARE = "share", "Shared item"
        ANNOUNCEMENT = "announcement", "Announcement"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20_000)
    language = models.CharField(max_length=10, default="en")
    link = models.URLField(blank=True, help_text="For shared items: where the item lives.")
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
                                   name="network_event_has_start"),
            models.CheckConstraint(condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                                   name="network_post_hidden_has_reason"),
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
                                              name="network_comment_hidden_has_reason")]

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
    outcome = models.CharField(max_length=10, blank=True, choices=[("hidden", "Hidden"), ("kept", "Kept")])

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(post__isnull=False, comment__isnull=True)
                                   | Q(post__isnull=True, comment__isnull=False), name="network_report_one_target"),
            models.CheckConstraint(condition=Q(resolved_at__isnull=True, outcome="")
                                   | (Q(resolved_at__isnull=False) & ~Q(outcome="")),
                                   name="network_report_resolution_complete"),
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
    topics = models.JSONField(default=list, blank=True, help_text="Empty: every topic.")
    countries = models.JSONField(default=list, blank=True, help_text="Empty: every country.")
    min_level = models.CharField(max_length=1, choices=Level.choices, default=Level.A)
    created_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
