"""Interventions the network co-produces, and the trials that evaluate them.

An intervention is described by the TIDieR checklist (Hoffmann et al. 2014, BMJ 348:g1687), carries a logic model
and the members and organisations that co-produced it with their sector, and keeps numbered versions with an
adaptation log. A trial evaluates one version under one design (safeschool.trials: power, randomisation, impact):
its protocol is locked with a timestamp and a content hash (later changes are deviations with reasons), its
allocation is done once by the platform from a stored seed, and its impact runs are stored like analysis runs.
Locked protocols, deviations and allocations are immutable in the database (migration 0002's triggers)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.vocabulary import LEVELS
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.network.models import Member, Sector
from safeschool.web.research.models import School, SchoolClass

# The TIDieR items an intervention's description (and every version's snapshot) holds, in the checklist's order
# (item 1, the brief name, is Intervention.name).
TIDIER_FIELDS = ("why", "materials", "procedures", "providers", "delivery", "location", "dose", "tailoring",
                 "modifications", "fidelity_planned", "fidelity_actual")


class Outcome(models.TextChoices):  # the codes of safeschool.trials.outcomes.OUTCOMES
    ACHIEVEMENT = "achievement", _("Achievement")
    ATTENDANCE = "attendance", _("Attendance")
    EXCLUSION = "exclusion", _("Exclusion")
    DROPOUT = "dropout", _("Early leaving")
    SECURITY = "security", _("Attachment security")
    BELONGING = "belonging", _("Sense of belonging")


class InterventionStatus(models.TextChoices):
    DRAFT = "draft", _("Being co-produced")
    READY = "ready", _("Ready to evaluate")
    RETIRED = "retired", _("Retired")


class Intervention(models.Model):
    name = models.CharField(max_length=200, help_text=_("TIDieR 1: a brief name."))
    summary = models.TextField(max_length=2_000, blank=True)
    level = models.CharField(max_length=12, choices=[(lv, lv) for lv in LEVELS], blank=True,
                             help_text=_("The ecological level it works at."))
    outcomes = models.JSONField(default=list, blank=True,
                                help_text=_("The outcomes it aims to improve (Outcome codes)."))
    status = models.CharField(max_length=8, choices=InterventionStatus.choices, default=InterventionStatus.DRAFT)
    # TIDieR 2-12
    why = models.TextField(max_length=5_000, help_text=_("TIDieR 2: the rationale, theory or goal."))
    materials = models.TextField(max_length=5_000, blank=True, help_text=_("TIDieR 3: materials used."))
    procedures = models.TextField(max_length=5_000, blank=True, help_text=_("TIDieR 4: procedures and activities."))
    providers = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 5: who provides it."))
    delivery = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 6: how (modes of delivery)."))
    location = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 7: where."))
    dose = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 8: when and how much."))
    tailoring = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 9: tailoring."))
    modifications = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 10: modifications."))
    fidelity_planned = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 11: how well (planned)."))
    fidelity_actual = models.TextField(max_length=3_000, blank=True, help_text=_("TIDieR 12: how well (actual)."))
    practices = models.ManyToManyField(Practice, blank=True, related_name="interventions")
    programmes = models.ManyToManyField(Programme, blank=True, related_name="interventions")
    par_cycles = models.ManyToManyField(ParCycle, blank=True, related_name="interventions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=InterventionStatus.values),
                                   name="interventions_intervention_status_valid"),
            models.CheckConstraint(condition=Q(level="") | Q(level__in=list(LEVELS)),
                                   name="interventions_intervention_level_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class LogicStage(models.TextChoices):
    INPUTS = "inputs", _("Inputs")
    ACTIVITIES = "activities", _("Activities")
    OUTPUTS = "outputs", _("Outputs")
    SHORT_TERM = "short_term", _("Short-term outcomes")
    LONG_TERM = "long_term", _("Long-term outcomes")


class LogicModelItem(models.Model):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="logic_items")
    stage = models.CharField(max_length=10, choices=LogicStage.choices)
    text = models.CharField(max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["intervention", "order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(stage__in=LogicStage.values),
                                              name="interventions_logic_stage_valid")]

    def __str__(self) -> str:
        return self.text


class CoProducer(models.Model):
    """A member or an organisation that co-produced the intervention, with the sector it works in."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="coproducers")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="coproductions")
    organisation = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    role = models.CharField(max_length=200, blank=True, help_text=_("What they contributed."))

    class Meta:
        ordering = ["intervention", "sector", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="interventions_coproducer_sector_valid"),
            models.CheckConstraint(condition=Q(member__isnull=False) | ~Q(organisation=""),
                                   name="interventions_coproducer_who"),
            models.UniqueConstraint(fields=["intervention", "member"], condition=Q(member__isnull=False),
                                    name="interventions_coproducer_member_once"),
        ]

    def __str__(self) -> str:
        return self.organisation or str(self.member)


class InterventionVersion(models.Model):
    """A numbered version: the TIDieR description as it stood, and the adaptation that made it (what was changed,
    for which context, and why). Version 1 is the original; its adaptation fields may be empty."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField(default=dict, help_text=_("The TIDieR fields and logic model of this version."))
    context = models.CharField(max_length=300, blank=True, help_text=_("For which context (schools, country, group)."))
    changes = models.TextField(max_length=3_000, blank=True, help_text=_("What was changed."))
    reasons = models.TextField(max_length=3_000, blank=True, help_text=_("Why."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["intervention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "number"], name="interventions_version_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="interventions_version_number_positive"),
            models.CheckConstraint(condition=Q(number=1) | (~Q(changes="") & ~Q(reasons="")),
                                   name="interventions_adaptation_has_what_and_why"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention} v{self.number}"


class Design(models.TextChoices):  # the codes of safeschool.trials.power.DESIGNS (+ did)
    CRT2 = "crt2", _("Cluster-randomised: schools (2 levels)")
    CRT3 = "crt3", _("Cluster-randomised: schools, students in classes (3 levels)")
    BCRT3 = "bcrt3", _("Classes randomised within schools (blocked, 3 levels)")
    BCRT2 = "bcrt2", _("Schools randomised within strata (blocked, 2 levels)")
    SW = "sw", _("Stepped-wedge")
    DID = "did", _("Matched comparison with difference-in-differences")


class TrialStatus(models.TextChoices):
    DESIGNING = "designing", _("Being designed")
    REGISTERED = "registered", _("Protocol locked")
    RANDOMISED = "randomised", _("Allocated")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", pgettext_lazy("trial status", "Stopped")


class Trial(models.Model):
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="trials")
    version = models.ForeignKey(InterventionVersion, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="trials", help_text=_("The version evaluated."))
    title = models.CharField(max_length=200)
    design = models.CharField(max_length=6, choices=Design.choices)
    unit = models.CharField(max_length=6, choices=[("school", _("School")), ("class", _("Class"))],
                            help_text=_("The unit of assignment."))
    block_by = models.CharField(max_length=20, blank=True,
                                help_text=_("Stratify the allocation by: country, stage, or nothing."))
    primary_outcome = models.CharField(max_length=12, choices=Outcome.choices)
    secondary_outcomes = models.JSONField(default=list, blank=True)
    covariates = models.JSONField(default=list, blank=True, help_text=_("Baseline covariates (analysis-frame columns)."))
    stages = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    analysis_model = models.CharField(max_length=500, help_text=_("The lme4 formula of the primary analysis."))
    power = models.JSONField(default=dict, blank=True,
                             help_text=_("The power calculation: inputs, where each came from, and the result."))
    steps = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Stepped-wedge: number of steps."))
    schools = models.ManyToManyField(School, blank=True, related_name="trials",
                                     help_text=_("The schools taking part (their classes for class designs)."))
    status = models.CharField(max_length=10, choices=TrialStatus.choices, default=TrialStatus.DESIGNING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(design__in=Design.values), name="interventions_trial_design_valid"),
            models.CheckConstraint(condition=Q(status__in=TrialStatus.values), name="interventions_trial_status_valid"),
            models.CheckConstraint(condition=Q(unit__in=["school", "class"]), name="interventions_trial_unit_valid"),
            models.CheckConstraint(condition=Q(primary_outcome__in=Outcome.values),
                                   name="interventions_trial_outcome_valid"),
            models.CheckConstraint(condition=~Q(design="sw") | Q(steps__gte=2), name="interventions_trial_sw_steps"),
        ]

    def __str__(self) -> str:
        return self.title


class Protocol(models.Model):
    """The pre-registered protocol: `content` holds safeschool.trials.protocol's fields; locking stamps the time
    and the SHA-256 of its canonical JSON, after which the row cannot change or be deleted (database triggers)."""

    trial = models.OneToOneField(Trial, on_delete=models.PROTECT, related_name="protocol")
    content = models.JSONField(default=dict)
    locked_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=(Q(locked_at__isnull=True) & Q(content_hash=""))
                                   | (Q(locked_at__isnull=False) & Q(content_hash__regex=r"^[0-9a-f]{64}$")),
                                   name="interventions_protocol_lock_has_hash"),
        ]

    def __str__(self) -> str:
        return f"Protocol of {self.trial}"

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class Deviation(models.Model):
    """A change to a locked protocol, with its reason: insert-only (database triggers)."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="deviations")
    field = models.CharField(max_length=60, help_text=_("The protocol item that changed."))
    change = models.TextField(max_length=3_000)
    reason = models.TextField(max_length=3_000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(change="") & ~Q(reason=""),
                                              name="interventions_deviation_has_reason")]

    def __str__(self) -> str:
        return f"{self.field}: {self.change[:40]}"


class Allocation(models.Model):
    """The one allocation of a trial, done by the platform: the seed, the algorithm, a hash of the units it was
    given, who ran it and when. Insert-only (database triggers); one per trial."""

    trial = models.OneToOneField(Trial, on_delete=models.PROTECT, related_name="allocation")
    seed = models.BigIntegerField()
    algorithm = models.CharField(max_length=80)
    input_hash = models.CharField(max_length=64)
    block_by = models.CharField(max_length=20, blank=True)
    proportion = models.FloatField(default=0.5)
    balance = models.JSONField(default=list, blank=True, help_text=_("The balance table of baseline characteristics."))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(proportion__gt=0) & Q(proportion__lt=1),
                                              name="interventions_allocation_proportion")]

    def __str__(self) -> str:
        return f"Allocation of {self.trial}"


class Arm(models.TextChoices):
    INTERVENTION = "intervention", _("Intervention")
    CONTROL = "control", _("Control")


class AllocatedUnit(models.Model):
    """One school or class and its arm (stepped-wedge: the step from which it receives the intervention)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="units")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    block = models.CharField(max_length=60, blank=True)
    arm = models.CharField(max_length=12, choices=Arm.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["allocation", "block", "school__code", "school_class__code"]
        constraints = [
            models.CheckConstraint(condition=Q(arm__in=Arm.values), name="interventions_unit_arm_valid"),
            models.UniqueConstraint(fields=["allocation", "school"], condition=Q(school_class__isnull=True),
                                    name="interventions_unit_school_once"),
            models.UniqueConstraint(fields=["allocation", "school_class"], condition=Q(school_class__isnull=False),
                                    name="interventions_unit_class_once"),
        ]

    def __str__(self) -> str:
        return f"{self.school_class or self.school}: {self.arm}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


def follow_up_path(instance, filename: str) -> str:
    """Stored under a random name (the uploaded file's name is not kept: it may name a school or a person)."""
    return f"trials/{instance.trial_id}/follow-up-{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()[:8]}"


class ImpactRun(models.Model):
    """An intention-to-treat analysis of a trial's follow-up data (a pseudonymous student file: ids, outcomes and
    baseline covariates; the arm comes from the allocation, never from the file). All results or none."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="impact_runs")
    data = models.FileField(upload_to=follow_up_path, max_length=300)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    formula = models.CharField(max_length=500)
    family = models.CharField(max_length=10, default="gaussian")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    consort = models.JSONField(null=True, blank=True)
    attrition = models.JSONField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="interventions_run_status_valid"),
            models.CheckConstraint(condition=Q(family__in=["gaussian", "binomial"]),
                                   name="interventions_run_family_valid"),
            models.CheckConstraint(condition=Q(status="succeeded") | (Q(result__isnull=True) & Q(consort__isnull=True)
                                                                     & Q(attrition__isnull=True)),
                                   name="interventions_run_results_only_when_succeeded"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="interventions_run_failure_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Impact of {self.trial} (#{self.pk})"
