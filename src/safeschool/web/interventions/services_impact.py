"""Writes for impact analyses: a follow-up file checked in full before anything is stored (readable, the columns the
model needs, numeric outcome and covariates, no spreadsheet formulas, every school or class in the allocation),
the queued run (executed by the background task, execution_impact), and marking a trial completed.

The arm never comes from the file: execution_impact joins it from the allocation by the school's or the class's
code."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from safeschool.csvsafe import neutralise
from safeschool.ingest.readers import TableReadError, read_table
from safeschool.stats.formula import ModelSpecError, parse_formula
from safeschool.web.interventions import selectors_allocation as sel
from safeschool.web.interventions import selectors_impact as sel_impact
from safeschool.web.interventions.models import ImpactRun, RunStatus, Trial, TrialStatus
from safeschool.web.interventions.tasks import run_impact

SUFFIXES = (".csv", ".parquet")
MAX_ROWS = 1_000_000
ID_COLUMNS = ("student_id", "school_id", "class_id")


def read_follow_up(upload) -> tuple[pd.DataFrame, str]:
    """The uploaded file as a table and its SHA-256; a one-line ValidationError when it cannot be read."""
    name = upload.name or ""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(_("Upload the follow-up data as a .csv or .parquet file."))
    if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(_("The file is over the %(mb)s MB upload limit.") % {"mb": settings.MAX_UPLOAD_MB})
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"follow-up{suffix}"
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                digest.update(chunk)
                out.write(chunk)
        try:
            frame = read_table(path)
        except TableReadError as exc:
            reason = str(exc).replace(str(path), _("the file")).splitlines()[0]
            raise ValidationError(_("The file cannot be read: %(reason)s") % {"reason": reason}) from exc
        except Exception as exc:  # a hostile Parquet file may fail inside the reader in other ways
            raise ValidationError(_("The file cannot be read as a table.")) from exc
    upload.seek(0)
    return frame, digest.hexdigest()


def needed_columns(trial: Trial, formula: str) -> list[str]:
    try:
        return sel_impact.needed_columns(trial, formula)
    except ModelSpecError as exc:
        raise ValidationError(_("The trial's analysis model cannot be read: %(reason)s") % {"reason": exc}) from exc


def check_follow_up(trial: Trial, frame: pd.DataFrame, *, formula: str, family: str) -> None:
    """Refuse a file that the analysis cannot use, with one line saying why (nothing is stored)."""
    if len(frame) > MAX_ROWS:
        raise ValidationError(_("The file has more than %(n)s rows.") % {"n": f"{MAX_ROWS:,}"})
    if frame.empty:
        raise ValidationError(_("The file has no rows of data."))
    needed = needed_columns(trial, formula)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValidationError(_("The file lacks the columns %(columns)s (it needs %(needed)s).") % {
            "columns": ", ".join(missing), "needed": ", ".join(needed)})
    if "treat" in frame.columns:
        raise ValidationError(_("Remove the column 'treat': the arm comes from the allocation, not from the file."))
    formulas = sum(int(neutralise(str(v)) != str(v)) for column in frame.columns
                   if not pd.api.types.is_numeric_dtype(frame[column]) for v in frame[column].dropna())
    formulas += sum(int(neutralise(str(column)) != str(column)) for column in frame.columns)  # headers too
    if formulas:
        raise ValidationError(ngettext("%(n)s cell begins like a spreadsheet formula (=, +, -, @): refused.",
                                       "%(n)s cells begin like a spreadsheet formula (=, +, -, @): refused.",
                                       formulas) % {"n": formulas})
    for column in ID_COLUMNS:
        if column in needed and frame[column].isna().any():
            raise ValidationError(_("Some rows have no %(column)s.") % {"column": column})
    data_columns = [c for c in needed if c not in ID_COLUMNS]
    for column in data_columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = int((values.isna() & frame[column].notna()).sum())
        if bad:
            raise ValidationError(ngettext("Column %(column)s has %(n)s value that is not a number.",
                                           "Column %(column)s has %(n)s values that are not numbers.", bad)
                                  % {"column": column, "n": bad})
    response = parse_formula(formula).response
    if family == "binomial":
        values = pd.to_numeric(frame[response], errors="coerce").dropna()
        if not values.isin([0, 1]).all():
            raise ValidationError(_("The outcome %(column)s is binary: use 0 and 1.") % {"column": response})
    if trial.design not in ("sw", "did") and frame["student_id"].astype(str).duplicated().any():
        raise ValidationError(_("A student_id occurs more than once: one row per student."))
    allocation = sel.allocation_of(trial)
    stored = sel.stored_units(allocation)
    key = "class_id" if trial.unit == "class" else "school_id"
    outside = int((~frame[key].astype(str).isin(set(stored.unit))).sum())
    if outside:
        what = _("classes") if trial.unit == "class" else _("schools")
        raise ValidationError(ngettext("%(n)s row names %(what)s not in the allocation: refused.",
                                       "%(n)s rows name %(what)s not in the allocation: refused.", outside)
                              % {"n": outside, "what": what})


def impact_run_create(*, trial: Trial, user, upload, outcome: str) -> ImpactRun:
    """Check the follow-up file and queue its intention-to-treat analysis (all results or none, in the task)."""
    if not user.has_perm("interventions.run_impact"):
        raise PermissionDenied(_("Only researchers and administrators run impact analyses."))
    if trial.status != TrialStatus.RANDOMISED or sel.allocation_of(trial) is None:
        raise ValidationError(_("Impact is analysed once the trial has been allocated (and before it is completed)."))
    allowed = [trial.primary_outcome, *(trial.secondary_outcomes or [])]
    if outcome not in allowed:
        raise ValidationError({"outcome": _("Choose one of the trial's outcomes.")})
    formula, family = sel_impact.formula_for(trial, outcome), sel_impact.family_for(outcome)
    try:
        frame, _digest = read_follow_up(upload)
        check_follow_up(trial, frame, formula=formula, family=family)
    except ValidationError as exc:
        raise ValidationError({"data": exc.messages}) from exc
    with transaction.atomic():
        run = ImpactRun(trial=trial, outcome=outcome, formula=formula, family=family, created_by=user)
        run.data.save(Path(upload.name).name, upload, save=False)
        run.save()
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    result = run_impact.enqueue(run_id)
    ImpactRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


def trial_complete(*, trial: Trial, user) -> Trial:
    """Mark the trial completed: a researcher, after a succeeded impact run."""
    if not user.has_perm("interventions.design_trial"):
        raise PermissionDenied(_("Only researchers and administrators mark a trial completed."))
    if trial.status != TrialStatus.RANDOMISED:
        raise ValidationError(_("Only an allocated trial can be marked completed."))
    if not ImpactRun.objects.filter(trial=trial, status=RunStatus.SUCCEEDED).exists():
        raise ValidationError(_("A trial is completed after a succeeded impact analysis."))
    Trial.objects.filter(pk=trial.pk, status=TrialStatus.RANDOMISED).update(status=TrialStatus.COMPLETED)
    trial.status = TrialStatus.COMPLETED
    return trial
