"""Mappings: which file column holds the id, the wave, the language, and which instrument item or record field each
other column fills. Written as YAML (docs/import.md) or in the web step; checked against the instrument registry
and the record fields, and suggested from a file's column names.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from safeschool.ingest.readers import RawTable
from safeschool.instruments.registry import Instrument, registry

TARGETS = ("student_survey", "teacher_survey", "school_records")
RECORD_FIELDS = {  # school_records: field -> (kind, low, high)
    "achievement": ("float", 0, 1000), "attendance_rate": ("float", 0, 1),
    "behaviour_incidents": ("int", 0, 1000), "suspensions": ("int", 0, 1000), "dropped_out": ("bool", None, None),
}
ID_NAMES = {"student_survey": ("student_id", "pupil_id", "student", "pupil", "id", "student_code", "pupil_code"),
            "school_records": ("student_id", "pupil_id", "student", "pupil", "id", "student_code", "pupil_code"),
            "teacher_survey": ("teacher_id", "teacher", "id", "staff_id", "teacher_code")}


class MappingError(ValueError):
    """A mapping that cannot be applied, naming the key at fault."""


@dataclass
class Mapping:
    target: str
    id: str
    columns: dict[str, str]  # file column -> item code or record field
    wave: int | None = None
    wave_column: str | None = None
    language: str | None = None
    language_column: str | None = None
    missing: list = field(default_factory=list)
    recode: dict = field(default_factory=dict)  # answer text -> number, for files exported with labels
    ignore: list[str] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None

    def as_dict(self) -> dict:
        out: dict = {"target": self.target, "id": self.id}
        if self.wave_column:
            out["wave"] = {"column": self.wave_column}
        elif self.wave is not None:
            out["wave"] = self.wave
        if self.language_column:
            out["language"] = {"column": self.language_column}
        elif self.language:
            out["language"] = self.language
        if self.sheet:
            out["sheet"] = self.sheet
        if self.encoding:
            out["encoding"] = self.encoding
        if self.missing:
            out["missing"] = list(self.missing)
        if self.recode:
            out["recode"] = dict(self.recode)
        out["columns"] = dict(self.columns)
        if self.ignore:
            out["ignore"] = list(self.ignore)
        return out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.as_dict(), sort_keys=False, allow_unicode=True)

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True, default=str).encode()).hexdigest()


def parse_mapping(data: dict | str, *, source: str = "mapping") -> Mapping:
    """A mapping from its YAML text or dict; MappingError names the key at fault."""
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            raise MappingError(f"{source}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{source}: expected keys target, id, wave and columns")
    unknown = set(data) - {"target", "id", "wave", "language", "missing", "recode", "columns", "ignore", "sheet",
                           "encoding"}
    if unknown:
        raise MappingError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    target = data.get("target")
    if target not in TARGETS:
        raise MappingError(f"{source}: target must be one of {', '.join(TARGETS)} (got {target!r})")
    if not data.get("id"):
        raise MappingError(f"{source}: 'id' must name the column holding the {target.split('_')[0]} id")
    wave = data.get("wave")
    wave_number = wave_column = None
    if isinstance(wave, dict) and wave.get("column"):
        wave_column = str(wave["column"])
    elif isinstance(wave, int) and wave > 0:
        wave_number = wave
    else:
        raise MappingError(f"{source}: 'wave' must be a wave number or {{column: NAME}} (got {wave!r})")
    language = data.get("language")
    language_column = language.get("column") if isinstance(language, dict) else None
    columns = data.get("columns") or {}
    if not isinstance(columns, dict) or not columns:
        raise MappingError(f"{source}: 'columns' must map file columns to items or fields")
    known = known_targets(target)
    for col, dest in columns.items():
        if dest not in known:
            near = [k for k in known if k.split("_")[0] == str(dest).split("_")[0]][:3]
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise MappingError(f"{source}: column '{col}' maps to '{dest}', which is not an item or field of "
                               f"{target}{hint}")
    seen: dict[str, str] = {}
    for col, dest in columns.items():
        if dest in seen:
            raise MappingError(f"{source}: '{dest}' is mapped from two columns ('{seen[dest]}' and '{col}')")
        seen[dest] = col
    recode = {str(k).strip().lower(): v for k, v in (data.get("recode") or {}).items()}
    return Mapping(target, str(data["id"]), {str(k): str(v) for k, v in columns.items()}, wave_number, wave_column,
                   None if language_column else (str(language) if language else None), language_column,
                   list(data.get("missing") or []), recode, [str(c) for c in data.get("ignore") or []],
                   data.get("sheet"), data.get("encoding"))


def read_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    if not path.exists():
        raise MappingError(f"{path}: mapping file does not exist")
    return parse_mapping(path.read_text(encoding="utf-8"), source=str(path))


def _instruments_for(target: str) -> list[Instrument]:
    """Instruments whose answers arrive as rows of this target. STRS is answered by the teacher but about one
    student, so it arrives with the student's row."""
    if target == "student_survey":
        return [i for i in registry().values() if "student" in (i.respondent, i.about)]
    if target == "teacher_survey":
        return [i for i in registry().values() if i.respondent == "teacher" and i.about != "student"]
    return []


def known_targets(target: str) -> list[str]:
    """What a column of this target may be mapped to: the items of its instruments, or the record fields."""
    if target == "school_records":
        return list(RECORD_FIELDS)
    return [item for ins in _instruments_for(target) for item in ins.items]


def target_groups(target: str) -> list[tuple[str, str, list[str]]]:
    """known_targets grouped as a form shows them: (instrument code, instrument name, its items) per instrument of
    this target; school records give one group, ("records", "", the record fields)."""
    if target == "school_records":
        return [("records", "", list(RECORD_FIELDS))]
    return [(ins.code, ins.name, list(ins.items)) for ins in _instruments_for(target)]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def suggest_mapping(table: RawTable, target: str) -> Mapping:
    """A first mapping from the column names: item codes in any spelling (PSSM_3, pssm3, Pssm.3), field names, the
    id, wave and language columns. The user checks and fixes it."""
    known = {_norm(k): k for k in known_targets(target)}
    synonyms = {"attendance": "attendance_rate", "incidents": "behaviour_incidents", "exclusions": "suspensions",
                "dropout": "dropped_out", "left": "dropped_out", "score": "achievement"}
    columns, used = {}, set()
    id_col = next((c for c in table.frame.columns if _norm(c) in {_norm(n) for n in ID_NAMES[target]}), None)
    wave_col = next((c for c in table.frame.columns if _norm(c) in ("wave", "round", "welle", "ola")), None)
    lang_col = next((c for c in table.frame.columns if _norm(c) in ("language", "lang", "idioma", "lingua")), None)
    for col in table.frame.columns:
        if col in (id_col, wave_col, lang_col):
            continue
        key = _norm(col)
        dest = known.get(key) or (synonyms.get(key) if target == "school_records" else None)
        if dest is None and target != "school_records":
            match = re.match(r"^([a-z]+?)(?:sf)?q?0*(\d+)$", key)
            if match:
                dest = next((v for k, v in known.items() if re.sub(r"sf", "", k) == f"{match.group(1)}{match.group(2)}"),
                            None)
        if dest and dest not in used:
            columns[col] = dest
            used.add(dest)
    return Mapping(target, id_col or "", columns, None if wave_col else 1, wave_col, None, lang_col,
                   [], {}, [c for c in table.frame.columns if c not in columns and c not in (id_col, wave_col, lang_col)])
