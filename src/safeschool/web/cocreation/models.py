"""Delphi studies: a panel of network members, statements, rounds and ratings. A closed round is a fixed snapshot
and the consensus rule cannot change once round 1 has opened: both are enforced by database triggers
(migration 0002), not only by the services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.vocabulary import LEVEL_LABELS, LEVELS
from safeschool.web.network.models import Member


class DelphiStudy(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=9)
    rule = models.JSONField(help_text=_("name (comet, agreement, iqr, rand), threshold, max_iqr, rand_method, by_group"))
    drop_settled = models.BooleanField(default=True, help_text=_("Statements that reached consensus leave later rounds."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("Delphi studies")
        constraints = [models.CheckConstraint(condition=Q(scale_min__lt=models.F("scale_max")),
                                              name="cocreation_scale_ordered")]

    def __str__(self) -> str:
        return self.title

    @property
    def current_round(self):
        return self.rounds.order_by("-number").first()


class Panellist(models.Model):
    study = models.ForeignKey(DelphiStudy, on_delete=models.CASCADE, related_name="panel")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="delphi_panels")
    group = models.CharField(max_length=30, help_text=_("Stakeholder group, as when invited."))
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "pk"]
        constraints = [models.UniqueConstraint(fields=["study", "member"], name="cocreation_panellist_once")]

    def __str__(self) -> str:
        return f"{self.member} ({self.group})"


class Statement(models.Model):
    study = models.ForeignKey(DelphiStudy, on_delete=models.CASCADE, related_name="statements")
    code = models.CharField(max_length=20)
    text = models.TextField(max_length=2_000)
    level = models.CharField(max_length=12, choices=[(v, _(LEVEL_LABELS[v])) for v in LEVELS])
    added_in_round = models.PositiveSmallIntegerField(default=1)
    from_comment = models.ForeignKey("Rating", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["level", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="cocreation_statement_code_once")]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"


class Round(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("a Delphi round that is open (adjective)", "Open")
        CLOSED = "closed", _("Closed")

    study = models.ForeignKey(DelphiStudy, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    statements = models.ManyToManyField(Statement, related_name="rounds")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(null=True, blank=True, editable=False,
                               help_text=_("Statistics of every statement, computed once when the round closes."))

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="cocreation_round_number_once"),
            models.UniqueConstraint(fields=["study"], condition=Q(status="open"), name="cocreation_one_open_round"),
            models.CheckConstraint(condition=Q(status="open", closed_at__isnull=True)
                                   | Q(status="closed", closed_at__isnull=False), name="cocreation_closed_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.study} round {self.number}"


class Rating(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ratings")
    panellist = models.ForeignKey(Panellist, on_delete=models.PROTECT, related_name="ratings")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="ratings")
    value = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=2_000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "panellist", "statement"],
                                               name="cocreation_rating_once")]
        # covers the results queries (counts per statement and value; pairs across rounds) without table reads
        indexes = [models.Index(fields=["round", "panellist", "statement", "value"], name="cocreation_rating_cover")]

    def __str__(self) -> str:
        return f"{self.panellist} {self.statement.code} r{self.round.number}: {self.value}"


# ----------------------------------------------------------------------------------------------- interviews
class Interview(models.Model):
    """A stakeholder interview. Notes, transcripts and excerpts are for the research team only, and exist only
    once the interviewee's consent is recorded (a database constraint)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    topic = models.CharField(max_length=200)
    interviewee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="interviews")
    group = models.CharField(max_length=30, help_text=_("Stakeholder group, as when scheduled."))
    country = models.CharField(max_length=5)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    scheduled_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True, help_text=_("Room, or 'online'."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_method = models.CharField(max_length=20, blank=True, choices=[("signed_form", _("Signed form")),
                                                                          ("recorded_oral", _("Recorded oral consent")),
                                                                          ("web", _("Web form"))])
    notes = models.TextField(blank=True)
    transcript = models.FileField(upload_to="interviews/%Y/", blank=True)

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(consent_at__isnull=False) | (Q(notes="") & Q(transcript="")),
                                   name="cocreation_interview_data_needs_consent"),
            models.CheckConstraint(condition=Q(consent_at__isnull=True) | ~Q(consent_method=""),
                                   name="cocreation_interview_consent_has_method"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} — {self.interviewee}"


class Code(models.Model):
    """A thematic code of the analysis (codebook)."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Excerpt(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="excerpts")
    text = models.TextField(max_length=5_000)
    codes = models.ManyToManyField(Code, related_name="excerpts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.text[:60]


# ---------------------------------------------------------------------------------- participatory action research
class ParCycle(models.Model):
    """One plan -> act -> observe -> reflect cycle of participatory action research in a school."""

    PHASES = ("plan", "act", "observe", "reflect")

    school = models.ForeignKey("research.School", on_delete=models.CASCADE, related_name="par_cycles")
    title = models.CharField(max_length=200)
    goal = models.TextField(max_length=3_000)
    phase = models.CharField(max_length=8, default="plan", choices=[
        ("plan", pgettext_lazy("action research phase", "Plan")), ("act", pgettext_lazy("action research phase", "Act")),
        ("observe", pgettext_lazy("action research phase", "Observe")),
        ("reflect", pgettext_lazy("action research phase", "Reflect"))])
    researchers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="par_cycles", blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(phase__in=["plan", "act", "observe", "reflect"]),
                                              name="cocreation_par_phase_valid")]

    def __str__(self) -> str:
        return f"{self.school}: {self.title}"


class ParAction(models.Model):
    cycle = models.ForeignKey(ParCycle, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    practice = models.ForeignKey("hub.Practice", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="par_actions", help_text=_("The Hub practice this action applies."))
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.description


class ParNote(models.Model):
    """Evidence and reflections, each tied to the phase it was written in."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("Evidence")
        OUTCOME = "outcome", _("Outcome")
        REFLECTION = "reflection", _("Reflection")

    cycle = models.ForeignKey(ParCycle, on_delete=models.CASCADE, related_name="notes")
    phase = models.CharField(max_length=8)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(max_length=5_000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"


class RatingCount(models.Model):
    """How many panellists of a stakeholder group gave each rating to each statement in a round, kept up to date
    by database triggers as ratings arrive (migration 0006): the results page reads these, not the ratings."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    group = models.CharField(max_length=30)
    value = models.SmallIntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "statement", "group", "value"],
                                               name="cocreation_count_once")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.statement_id}/{self.group}/{self.value}: {self.n}"


class PairedChange(models.Model):
    """How many panellists changed their rating of a statement by d from the previous round (trigger-maintained)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    d = models.SmallIntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "statement", "d"], name="cocreation_change_once")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.statement_id} d={self.d}: {self.n}"
