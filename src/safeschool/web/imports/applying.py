"""Applying and undoing imports, the writes that both the synchronous path (CLI, services) and the background job
(execution) go through. An import is validated completely before it writes (ingest prepares it), then written in
one transaction; every row it creates or replaces is recorded so that the last import can be undone exactly. The
same file with the same mapping is applied at most once. Below tasks: imports nothing that queues."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from safeschool.ingest.mapping import Mapping
from safeschool.ingest.readers import RawTable, read_file
from safeschool.ingest.validation import Prepared, prepare
from safeschool.web.imports.models import ImportBatch, ImportChange, SurveyResponse
from safeschool.web.imports.selectors import import_batch_latest_applied
from safeschool.web.research.models import Outcome, Student, StudentScales, Teacher, TeacherScales, Wave
from safeschool.web.research.selectors import profiles_version_new
from safeschool.web.research.services import pseudonymiser


class ImportRefused(ValidationError):
    """The file has problems; nothing was written. `problems` holds every one."""

    def __init__(self, problems):
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}; nothing was imported")


@dataclass
class ImportOutcome:
    batch: ImportBatch
    already: bool = False
    counts: dict = field(default_factory=dict)


def import_check(*, table: RawTable, mapping: Mapping) -> Prepared:
    """Validate a file against a mapping and the database (ids, waves) without writing anything."""
    who = "teacher" if mapping.target == "teacher_survey" else "student"
    model = Teacher if who == "teacher" else Student
    return prepare(table, mapping, pseudonymise=pseudonymiser(who),
                   known_ids=set(model.objects.values_list("pseudonym", flat=True)),
                   waves=set(Wave.objects.values_list("number", flat=True)))


def import_file(*, path: str | Path, mapping: Mapping, user=None, dry_run: bool = False,
                name: str | None = None) -> tuple[Prepared, ImportOutcome | None]:
    table = read_file(path, sheet=mapping.sheet, name=name, encoding=mapping.encoding)
    prepared = import_check(table=table, mapping=mapping)
    if dry_run or not prepared.ok:
        return prepared, None
    return prepared, import_apply(prepared=prepared, user=user)


def import_apply(*, prepared: Prepared, user=None) -> ImportOutcome:
    if not prepared.ok:
        raise ImportRefused(prepared.problems)
    fingerprint = prepared.fingerprint()
    existing = ImportBatch.objects.filter(fingerprint=fingerprint, status=ImportBatch.Status.APPLIED).first()
    if existing:
        return ImportOutcome(existing, already=True, counts={"rows": len(prepared.rows), "created": 0, "updated": 0,
                                                             "unchanged": len(prepared.rows)})
    table, mapping = prepared.table, prepared.mapping
    rows = prepared.rows
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            target=mapping.target, file_name=table.name[:255], file_size=table.size, file_sha256=table.sha256,
            file_format=table.format, encoding=table.encoding or "", fingerprint=fingerprint,
            mapping=mapping.as_dict(), warnings=prepared.warnings, created_by=user if user and user.pk else None)
        waves = dict(Wave.objects.values_list("number", "id"))
        person = Teacher if mapping.target == "teacher_survey" else Student
        ids = dict(person.objects.filter(pseudonym__in=list(rows.key.unique())).values_list("pseudonym", "id"))
        owner = "teacher_id" if person is Teacher else "student_id"
        base = [{owner: ids[k], "wave_id": waves[w]} for k, w in zip(rows.key, rows.wave, strict=True)]
        tables: dict[str, dict] = {}
        if mapping.target == "school_records":
            fields = [c for c in rows.columns if c not in ("key", "wave", "language")]
            tables["outcomes"] = _upsert(batch, Outcome, (owner, "wave_id"),
                                         [b | {f: _value(v, f == "dropped_out") for f, v in zip(fields, vals, strict=True)}
                                          for b, vals in zip(base, rows[fields].itertuples(index=False), strict=True)],
                                         fields)
        else:
            model = TeacherScales if person is Teacher else StudentScales
            fields = prepared.scores
            if fields:
                tables["scales"] = _upsert(batch, model, (owner, "wave_id"), [
                    b | {f: _value(v) for f, v in zip(fields, vals, strict=True)}
                    for b, vals in zip(base, rows[[f"score:{f}" for f in fields]].itertuples(index=False),
                                       strict=True)], fields)
            responses = []
            for code, items in prepared.answers.items():
                block = rows[items]
                for b, lang, vals in zip(base, rows.language, block.itertuples(index=False), strict=True):
                    answers = {i: int(v) for i, v in zip(items, vals, strict=True) if not _missing(v)}
                    if answers:
                        responses.append(b | {"instrument": code, "language": lang or "", "answers": answers,
                                              "batch_id": batch.pk})
            tables["responses"] = _upsert(batch, SurveyResponse, (owner, "wave_id", "instrument"), responses,
                                          ["language", "answers"])
        counts = {"rows": len(rows)}
        for key in ("created", "updated", "unchanged"):
            counts[key] = sum(t[key] for t in tables.values())
        counts["tables"] = tables
        batch.counts = counts
        batch.save(update_fields=["counts"])
        transaction.on_commit(profiles_version_new)  # the school and country profiles change with the data
    return ImportOutcome(batch, counts=counts)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _value(v, boolean: bool = False):
    if _missing(v):
        return False if boolean else None
    if boolean:
        return bool(v)
    return float(v) if not float(v).is_integer() else (int(v) if abs(v) < 2**53 else float(v))


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    return a == b


def _upsert(batch: ImportBatch, model, key: tuple[str, ...], rows: list[dict], fields: list[str]) -> dict:
    """Create or replace rows of `model` identified by `key`, recording what each replaced; unchanged rows are left
    alone. Replacing keeps the primary key (delete, then insert with the same id)."""
    label = model._meta.label
    concrete = [f.attname for f in model._meta.concrete_fields]
    owner = key[0]
    existing = {}
    owner_ids = list({r[owner] for r in rows})
    for start in range(0, len(owner_ids), 900):
        for obj in model.objects.filter(**{f"{owner}__in": owner_ids[start: start + 900]}).values(*concrete):
            existing[tuple(obj[k] for k in key)] = obj
    create, replace, before, unchanged = [], [], [], 0
    for row in rows:
        old = existing.get(tuple(row[k] for k in key))
        if old is None:
            create.append(row)
        elif all(_same(old[f], row.get(f)) for f in fields):
            unchanged += 1
        else:
            before.append(old)
            replace.append(old | {f: row.get(f) for f in fields} | ({"batch_id": row["batch_id"]} if "batch_id" in row
                                                                    else {}))
    if replace:
        pks = [b["id"] for b in before]
        for start in range(0, len(pks), 900):
            model.objects.filter(pk__in=pks[start: start + 900]).delete()
        _insert(model, replace)
    _insert(model, create)
    created_keys = {tuple(r[k] for k in key) for r in create}
    created_ids = []
    if create:
        new_owners = list({r[owner] for r in create})
        for start in range(0, len(new_owners), 900):
            for *values, pk in model.objects.filter(**{f"{owner}__in": new_owners[start: start + 900]}).values_list(
                    *key, "id"):
                if tuple(values) in created_keys:
                    created_ids.append(pk)
    ImportChange.objects.create(batch=batch, table=label, created=created_ids, replaced=before)
    return {"table": label, "created": len(create), "updated": len(replace), "unchanged": unchanged}


def _insert(model, rows: list[dict]) -> None:
    """INSERT many rows in one executemany: Django's bulk_create builds a model instance per row, which made
    imports four times slower. Values are prepared by each field for the database in use."""
    if not rows:
        return
    columns = list(rows[0])
    fields = {f.attname: f for f in model._meta.concrete_fields}
    prepare = [fields[c].get_db_prep_save if fields[c].get_internal_type() == "JSONField" else None for c in columns]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(fields[c].column) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    params = [tuple(p(row[c], connection) if p else row[c] for c, p in zip(columns, prepare, strict=True))
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    if "id" in columns and connection.vendor == "postgresql":  # ids given explicitly: keep the sequence ahead
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                           f"GREATEST((SELECT MAX(id) FROM {quote(model._meta.db_table)}), 1))")


def import_undo(*, batch: ImportBatch, user=None) -> ImportBatch:
    """Undo the most recent applied import: delete what it created, restore what it replaced."""
    latest = import_batch_latest_applied()
    if batch.status != ImportBatch.Status.APPLIED:
        raise ValidationError(gettext("import #%(pk)s was already undone") % {"pk": batch.pk})
    if latest is None or latest.pk != batch.pk:
        raise ValidationError(gettext("only the most recent import can be undone: undo #%(pk)s first") % {"pk": latest.pk})
    with transaction.atomic():
        for change in batch.changes.all():
            model = apps.get_model(change.table)
            pks = change.created + [row["id"] for row in change.replaced]
            for start in range(0, len(pks), 900):
                model.objects.filter(pk__in=pks[start: start + 900]).delete()
            _insert(model, change.replaced)
        batch.status = ImportBatch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.undone_by = user if user and user.pk else None
        batch.save(update_fields=["status", "undone_at", "undone_by"])
        transaction.on_commit(profiles_version_new)
    return batch
