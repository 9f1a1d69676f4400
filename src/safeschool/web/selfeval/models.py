"""School self-evaluation: campaigns that collect the School Evaluation Questionnaire anonymously (one-use codes per
informant group, never linked to the answers they unlock), and the action plans a school draws from its report.
Scores are computed by safeschool.selfeval (the same functions serve web, CLI and PDF); a closed campaign keeps
its score rows (`results`) for comparisons."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.research.models import School


class Informant(models.TextChoices):  # the codes of safeschool.selfeval.questionnaire.INFORMANTS
    LEADERS = "leaders", _("School leaders")
    TEACHERS = "teachers", _("Teachers")
    STUDENTS = "students", _("Students")
    FAMILIES = "families", _("Families")


class Campaign(models.Model):
    """One round of self-evaluation in one school: open -> (codes answered) -> closed."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="selfeval_campaigns")
    title = models.CharField(max_length=200)
    questionnaire_version = models.PositiveSmallIntegerField(default=1)
    informants = models.JSONField(default=list, help_text=_("The informant groups invited."))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closes_on = models.DateField(null=True, blank=True, help_text=_("The planned last day for answers."))
    closed_at = models.DateTimeField(null=True, blank=True)
    # the score rows of safeschool.selfeval.scoring.score (indicator, subdimension and dimension, per informant
    # group, suppressed below the threshold) written when the campaign closes: answers cannot change afterwards,
    # so peers' comparisons read these instead of every respondent's answers
    results = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["school", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.school}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class AccessCode(models.Model):
    """A one-use code for one informant group. Only its SHA-256 is stored (the plain code is shown once, when
    issued); answering marks it used on a date, and nothing links the code to the response it unlocked."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    informant = models.CharField(max_length=10, choices=Informant.choices)
    code_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    used_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(informant__in=Informant.values),
                                              name="selfeval_code_informant_valid")]
        indexes = [models.Index(fields=["campaign", "informant"])]

    def __str__(self) -> str:
        return f"{self.campaign} ({self.informant})"


class Response(models.Model):
    """One respondent's answers: indicator code -> number (Likert point, 1/0 for yes/no, a figure's value).
    Dated by day only, so the time a code was used cannot pick it out."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    informant = models.CharField(max_length=10, choices=Informant.choices)
    language = models.CharField(max_length=10, default="en")
    answers = models.JSONField(default=dict)
    submitted_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(informant__in=Informant.values),
                                              name="selfeval_response_informant_valid")]
        indexes = [models.Index(fields=["campaign", "informant"])]

    def __str__(self) -> str:
        return f"{self.campaign} ({self.informant})"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("action status", "Done")
    DROPPED = "dropped", _("Dropped")


class ActionPlan(models.Model):
    """What a school will change after a campaign (its baseline), and how it will know."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="selfeval_plans")
    baseline = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans",
                                 help_text=_("The campaign the plan starts from."))
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(status__in=PlanStatus.values),
                                              name="selfeval_plan_status_valid")]

    def __str__(self) -> str:
        return f"{self.school}: {self.title}"


class Goal(models.Model):
    """A goal tied to one subdimension, watched through one indicator as one informant group sees it (0-100)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="goals")
    subdimension = models.CharField(max_length=60, help_text=_("A subdimension code of the questionnaire."))
    indicator = models.CharField(max_length=60, help_text=_("The indicator that will show progress."))
    informant = models.CharField(max_length=10, choices=Informant.choices)
    description = models.TextField(max_length=2_000)
    baseline = models.FloatField(null=True, blank=True, help_text=_("The indicator's 0-100 score at the baseline."))
    target = models.FloatField(null=True, blank=True, help_text=_("The 0-100 score the school aims for."))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(informant__in=Informant.values), name="selfeval_goal_informant_valid"),
            models.CheckConstraint(condition=Q(target__isnull=True) | Q(target__gte=0, target__lte=100),
                                   name="selfeval_goal_target_range"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class Action(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    par_cycle = models.ForeignKey(ParCycle, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="selfeval_actions")
    owner = models.CharField(max_length=120, help_text=_("Who acts: a role, e.g. 'head of year 8'."))
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="selfeval_action_status_valid"),
            models.CheckConstraint(condition=Q(starts_on__isnull=True) | Q(due_on__isnull=True)
                                   | Q(due_on__gte=models.F("starts_on")), name="selfeval_action_dates_order"),
        ]

    def __str__(self) -> str:
        return self.description


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(max_length=3_000)
    status = models.CharField(max_length=12, choices=ActionStatus.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
