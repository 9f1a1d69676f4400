"""Writes for analyses: configure a run (validated), queue it, re-run it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from safeschool.vocabulary import GROUP_ALIASES, group_title
from safeschool.web.analysis.models import AnalysisRun, Kind
from safeschool.web.analysis.tasks import run_analysis
from safeschool.web.research.models import Country, Stage

OUTCOMES = {
    "achievement": _("Achievement (test score)"),
    "attendance_rate": _("Attendance rate"),
    "behaviour_incidents": _("Behaviour incidents"),
    "suspensions": _("Suspensions / exclusions"),
    "dropout": _("Early leaving (by the last wave)"),
    "security": _("Attachment security"),
    "belonging": _("Sense of belonging"),
    "engagement": _("Engagement"),
}
# the attributes strata are formed from, by the short names the CLI takes
STRATA = {alias: group_title(column) for alias, column in GROUP_ALIASES.items() if alias != "disability"}


def clean_parameters(*, kind: str, parameters: dict) -> dict:
    """Validate a run's parameters; raise ValidationError naming the field."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("unknown analysis '%(kind)s'") % {"kind": kind}})
    outcome = parameters.get("outcome")
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": _("choose an outcome from: %(outcomes)s") % {"outcomes": ', '.join(OUTCOMES)}})
    wave = parameters.get("wave", 1)
    try:
        wave = int(wave)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"wave": _("the wave must be a number")}) from exc
    if wave < 1:
        raise ValidationError({"wave": _("the wave must be 1 or later")})
    stages = list(parameters.get("stages") or [])
    bad = [s for s in stages if s not in Stage.values]
    if bad:
        raise ValidationError({"stages": _("unknown stage '%(stage)s'") % {"stage": bad[0]}})
    family = parameters.get("family", "auto")
    if family not in ("auto", "gaussian", "binomial"):
        raise ValidationError({"family": _("choose auto, gaussian or binomial")})
    clean = {"outcome": outcome, "wave": wave, "stages": stages, "family": family}
    country = str(parameters.get("country") or "").strip().upper()
    if country:  # within one country: the country level and its (constant) political block are left out
        if not Country.objects.filter(code=country).exists():
            raise ValidationError({"country": _("unknown country '%(country)s'") % {"country": country}})
        clean["country"] = country
    if kind == Kind.MAIHDA:
        strata = list(parameters.get("strata") or [])
        unknown = [s for s in strata if s not in STRATA]
        if unknown:
            raise ValidationError({"strata": _("unknown attribute '%(attribute)s'") % {"attribute": unknown[0]}})
        if len(strata) < 2:
            raise ValidationError({"strata": _("choose at least two attributes to form intersectional strata")})
        clean["strata"] = strata
    return clean


def analysis_run_create(*, user, kind: str, parameters: dict, rerun_of: AnalysisRun | None = None) -> AnalysisRun:
    """Store a queued run and enqueue its background task once the transaction commits."""
    if not user.has_perm("analysis.run_analysis"):
        raise PermissionDenied(_("Only researchers and administrators run analyses."))
    return analysis_run_store(kind=kind, parameters=parameters, user=user, rerun_of=rerun_of)


def analysis_run_store(*, kind: str, parameters: dict, user=None, rerun_of: AnalysisRun | None = None,
                       enqueue: bool = True) -> AnalysisRun:
    """Store a queued run (validated) for a caller that has already decided it may: the reader's request or
    another service, e.g. the analyses a country report rests on (`user` None: asked for by the platform). With
    `enqueue` its background task is queued once the transaction commits; without, the caller executes it
    (execution.analysis_run_execute)."""
    clean = clean_parameters(kind=kind, parameters=parameters)
    with transaction.atomic():
        run = AnalysisRun(kind=kind, parameters=clean, created_by=user, rerun_of=rerun_of)
        run.full_clean(exclude=["created_by"] if user is None else None)
        run.save()
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    result = run_analysis.enqueue(run_id)
    AnalysisRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


def analysis_run_rerun(*, run: AnalysisRun, user) -> AnalysisRun:
    """A new run with the same parameters (the data may have changed since: compare the fingerprints)."""
    return analysis_run_create(user=user, kind=run.kind, parameters=run.parameters, rerun_of=run)

