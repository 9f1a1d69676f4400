"""Survey and school-record files in: CSV (encoding and delimiter detected), Excel .xlsx, SPSS .sav and Stata .dta
(value labels kept), mapped to instrument items and record fields through a mapping (YAML or the web step), and
validated row by row before anything is written.

Nothing here touches the database: `prepare` returns the rows to write (keyed by pseudonym and wave) and a list of
problems (row, column, value, rule, message). The web service writes them in one transaction only when the list
is empty. Row numbers are those a user sees: the spreadsheet row (header = row 1) for CSV and Excel, the case
number for SPSS and Stata.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from safeschool.instruments.registry import Instrument, item_index, registry
from safeschool.stats.psychometrics import score_instrument

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".sav": "sav", ".zsav": "sav",
           ".dta": "dta"}
MAX_CELL = 2_000  # characters: no field we import is longer; longer cells are errors, not silently cut
MAX_BYTES = 200 * 1024 * 1024
TARGETS = ("student_survey", "teacher_survey", "school_records")
RECORD_FIELDS = {  # school_records: field -> (kind, low, high)
    "achievement": ("float", 0, 1000), "attendance_rate": ("float", 0, 1),
    "behaviour_incidents": ("int", 0, 1000), "suspensions": ("int", 0, 1000), "dropped_out": ("bool", None, None),
}
TRUE_WORDS, FALSE_WORDS = {"1", "yes", "y", "true", "t", "si", "sí", "ja", "oui"}, {"0", "no", "n", "false", "f", "non",
                                                                                   "nein"}
ID_NAMES = {"student_survey": ("student_id", "pupil_id", "student", "pupil", "id", "student_code", "pupil_code"),
            "school_records": ("student_id", "pupil_id", "student", "pupil", "id", "student_code", "pupil_code"),
            "teacher_survey": ("teacher_id", "teacher", "id", "staff_id", "teacher_code")}


class FileProblem(ValueError):
    """The file as a whole cannot be read (empty, not the format it claims, truncated, merged headers...)."""


class MappingError(ValueError):
    """A mapping that cannot be applied, naming the key at fault."""


@dataclass
class RawTable:
    frame: pd.DataFrame  # every cell as read (strings for text formats, numbers for SPSS/Stata)
    format: str
    name: str
    size: int
    sha256: str
    encoding: str | None = None
    delimiter: str | None = None
    value_labels: dict[str, dict] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    first_row: int = 2  # the number users see for the first data row

    def row_number(self, index: int) -> int:
        return int(index) + self.first_row


@dataclass
class Problem:
    row: int | None
    column: str
    value: str
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row if self.row is not None else "", "column": self.column, "value": self.value,
                "rule": self.rule, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}column '{self.column}': {self.message}" if self.column else f"{where}{self.message}"


# ----------------------------------------------------------------------------------------------------- reading
def read_file(path: str | Path, *, sheet: str | None = None, name: str | None = None,
              encoding: str | None = None) -> RawTable:
    """Read a file as a table of cells; FileProblem (one line, naming the file) when it cannot be."""
    path = Path(path)
    name = name or path.name
    if not path.exists():
        raise FileProblem(f"{name}: file does not exist")
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(f"{name}: the file is empty")
    if size > MAX_BYTES:
        raise FileProblem(f"{name}: {size / 1e6:.0f} MB is over the {MAX_BYTES / 1e6:.0f} MB limit")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise FileProblem(f"{name}: unsupported file type '{path.suffix}' (use .csv, .xlsx, .sav or .dta)")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "sav": _read_stat, "dta": _read_stat}[kind]
    if kind == "xlsx":
        table = reader(path, data, name, sheet)
    elif kind == "csv":
        table = reader(path, data, name, encoding)
    else:
        table = reader(path, data, name)
    table.size, table.sha256, table.name = size, digest, name
    if table.frame.empty and len(table.frame.columns):
        raise FileProblem(f"{name}: the file has a header row but no data rows")
    if not len(table.frame.columns):
        raise FileProblem(f"{name}: the file has no columns")
    return table


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    magic = {b"PK\x03\x04": " (it looks like an Excel .xlsx file: rename it .xlsx)",
             b"\xd0\xcf\x11\xe0": " (it looks like an old Excel .xls file: save it as .xlsx or CSV)",
             b"$FL2": " (it looks like an SPSS file: rename it .sav)", b"$FL3": " (it looks like an SPSS file)"}
    for start, hint in magic.items():
        if data.startswith(start):
            raise FileProblem(f"{name}: this is not a text file{hint}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" in data[:4096]:
            raise FileProblem(f"{name}: this is not a text file") from None
    else:
        return text, "utf-8"
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:200_000], cp_isolation=["cp1252", "latin_1", "iso8859_7", "cp1250", "iso8859_2",
                                                            "cp1253", "mac_roman"]))
    if not matches:
        raise FileProblem(f"{name}: the text encoding could not be recognised: save it as UTF-8 CSV or give "
                          "`encoding:` in the mapping")
    best = matches[0]
    # short texts fit several code pages equally well: then take the one most Western European exports use
    western = next((m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos + 0.05), None)
    best = western or best
    try:
        return data.decode(best.encoding), best.encoding
    except UnicodeDecodeError as exc:
        raise FileProblem(f"{name}: byte {exc.start} cannot be read as {best.encoding}: save it as UTF-8 CSV") from exc


def _read_csv(path: Path, data: bytes, name: str, encoding: str | None = None) -> RawTable:
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise FileProblem(f"{name}: cannot be read as {encoding} ({exc})") from exc
    else:
        text, encoding = _decode(data, name)
    if not text.strip():
        raise FileProblem(f"{name}: the file is empty")
    if "\x00" in text:
        row = text.count("\n", 0, text.index("\x00")) + 1
        raise FileProblem(f"{name}: row {row} contains a NUL character (control characters cannot be imported)")
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0] if "\n" not in sample[:-1] else sample,
                                        delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    width = None
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        for number, fields in enumerate(rows, start=1):
            if not fields:
                continue
            if width is None:
                width = len(fields)
            elif len(fields) != width:
                raise FileProblem(f"{name}: row {number} has {len(fields)} fields where the header has {width} "
                                  f"(delimiter '{delimiter}'; a line break inside a cell needs quotes)")
    except csv.Error as exc:
        raise FileProblem(f"{name}: row {rows.line_num} cannot be read as CSV ({exc})") from exc
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, index_col=False,
                            skip_blank_lines=True, engine="c", on_bad_lines="error")
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            raise FileProblem(f"{name}: row {found.group(2)} has {found.group(3)} fields where the header has "
                              f"{found.group(1)} (delimiter '{delimiter}')") from exc
        raise FileProblem(f"{name}: cannot be read as CSV ({str(exc).splitlines()[0]})") from exc
    except pd.errors.EmptyDataError as exc:
        raise FileProblem(f"{name}: the file is empty") from exc
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    _check_header([h.strip() for h in header], name)
    frame.columns = [c.strip() for c in header]
    return RawTable(frame, "csv", name, 0, "", encoding=encoding, delimiter=delimiter)


def _check_header(header: list, name: str) -> None:
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        letter = _column_letter(i)
        if h is None or str(h).strip() == "":
            raise FileProblem(f"{name}: column {letter} has no header")
        if str(h) in seen:
            raise FileProblem(f"{name}: header '{h}' appears twice (columns {_column_letter(seen[str(h)])} and "
                              f"{letter})")
        seen[str(h)] = i


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _read_xlsx(path: Path, data: bytes, name: str, sheet: str | None) -> RawTable:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileProblem(f"{name}: not an .xlsx workbook (an old .xls? save it as .xlsx or CSV)")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise FileProblem(f"{name}: the workbook cannot be opened ({type(exc).__name__}: {exc})") from exc
    if sheet is not None and sheet not in book.sheetnames:
        raise FileProblem(f"{name}: no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})")
    ws = book[sheet] if sheet else book.worksheets[0]
    for merged in ws.merged_cells.ranges:
        if merged.min_row == 1:
            raise FileProblem(f"{name}: sheet '{ws.title}' has merged header cells {merged.coord}: give each "
                              "column its own header in row 1")
    rows = list(ws.iter_rows(values_only=True))
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise FileProblem(f"{name}: sheet '{ws.title}' is empty")
    header = list(rows[0])
    while header and header[-1] is None:
        header.pop()
    _check_header(header, name)
    body = [list(r[: len(header)]) + [None] * (len(header) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=[str(h).strip() for h in header], dtype=object)
    frame = frame.map(lambda v: "" if v is None else (v if isinstance(v, str) else _plain(v)))
    return RawTable(frame, "xlsx", name, 0, "")


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_stat(path: Path, data: bytes, name: str) -> RawTable:
    import pyreadstat

    reader = pyreadstat.read_dta if path.suffix.lower() == ".dta" else pyreadstat.read_sav
    label = "Stata" if path.suffix.lower() == ".dta" else "SPSS"
    try:
        frame, meta = reader(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise FileProblem(f"{name}: the {label} file cannot be read ({str(exc).strip() or type(exc).__name__}); it "
                          "may be truncated or not a {label} file".replace("{label}", label)) from exc
    _check_header(list(frame.columns), name)
    labels = {k: {_code(c): v for c, v in d.items()} for k, d in (meta.variable_value_labels or {}).items()}
    return RawTable(frame, "sav" if label == "SPSS" else "dta", name, 0, "", value_labels=labels,
                    column_labels={k: v for k, v in (meta.column_names_to_labels or {}).items() if v},
                    first_row=1, encoding=getattr(meta, "file_encoding", None))


def _code(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ----------------------------------------------------------------------------------------------------- mapping
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
    known = _known_targets(target)
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


def _known_targets(target: str) -> list[str]:
    if target == "school_records":
        return list(RECORD_FIELDS)
    return [item for ins in _instruments_for(target) for item in ins.items]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def suggest_mapping(table: RawTable, target: str) -> Mapping:
    """A first mapping from the column names: item codes in any spelling (PSSM_3, pssm3, Pssm.3), field names, the
    id, wave and language columns. The user checks and fixes it."""
    known = {_norm(k): k for k in _known_targets(target)}
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


# ----------------------------------------------------------------------------------------------------- validating
@dataclass
class Prepared:
    target: str
    rows: pd.DataFrame  # key, wave, language, then mapped columns (numbers) and scale scores
    answers: dict[str, list[str]]  # instrument code -> its item columns present
    scores: list[str]  # platform fields filled from scale scores (student.belonging -> belonging)
    problems: list[Problem]
    warnings: list[str]
    table: RawTable
    mapping: Mapping

    @property
    def ok(self) -> bool:
        return not self.problems

    def fingerprint(self) -> str:
        return hashlib.sha256((self.table.sha256 + self.mapping.fingerprint()).encode()).hexdigest()


def prepare(table: RawTable, mapping: Mapping, *, pseudonymise: Callable[[str], str],
            known_ids: set[str] | None = None, waves: set[int] | None = None, max_problems: int = 10_000) -> Prepared:
    """Validate every row against the mapping; return the rows to write and every problem found."""
    frame = table.frame
    problems: list[Problem] = []
    warnings: list[str] = []
    needed = [mapping.id, *mapping.columns] + [c for c in (mapping.wave_column, mapping.language_column) if c]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        problems += [Problem(None, c, "", "column", f"the mapping names column '{c}', which the file does not have "
                             f"(it has: {', '.join(map(str, frame.columns[:15]))})") for c in absent]
        return Prepared(mapping.target, pd.DataFrame(), {}, [], problems, warnings, table, mapping)
    unmapped = [c for c in frame.columns if c not in needed and c not in mapping.ignore]
    if unmapped:
        warnings.append(f"{len(unmapped)} column(s) not imported: {', '.join(map(str, unmapped[:10]))}"
                        + (" ..." if len(unmapped) > 10 else ""))
    rownum = np.arange(len(frame)) + table.first_row

    def add(mask, column, values, rule, message):
        for i in np.flatnonzero(np.asarray(mask))[: max(0, max_problems - len(problems))]:
            value = values.iloc[i] if hasattr(values, "iloc") else values[i]
            text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
            problems.append(Problem(int(rownum[i]), column, text[:80] + ("…" if len(text) > 80 else ""), rule,
                                    message(text) if callable(message) else message))

    # overlong cells in the id, wave and language columns (mapped columns are checked below)
    for col in needed[:1] + [c for c in (mapping.wave_column, mapping.language_column) if c]:
        series = frame[col]
        if not pd.api.types.is_numeric_dtype(series):
            add(series.astype(str).str.len() > MAX_CELL, col, series, "length", f"cell longer than {MAX_CELL} characters")
    # identifiers -> pseudonyms
    raw_ids = _texts(frame[mapping.id])
    add(raw_ids == "", mapping.id, raw_ids, "required", "the id is missing")
    keys = raw_ids.map(lambda v: pseudonymise(v) if v else "")
    # wave
    if mapping.wave_column:
        wave = pd.to_numeric(_texts(frame[mapping.wave_column]), errors="coerce")
        bad = wave.isna() | (wave % 1 != 0)
        add(bad, mapping.wave_column, frame[mapping.wave_column], "type", "wave must be a whole number")
        wave = wave.where(~bad, -1).astype(int)
    else:
        wave = pd.Series(mapping.wave, index=frame.index)
    if waves is not None:
        add(~wave.isin(list(waves)) & (wave != -1), mapping.wave_column or "wave", wave, "reference",
            lambda v: f"wave {v} is not defined (waves: {', '.join(map(str, sorted(waves)))})")
    if known_ids is not None:
        unknown = (keys != "") & ~keys.isin(known_ids)
        who = "teacher" if mapping.target == "teacher_survey" else "student"
        add(unknown, mapping.id, raw_ids, "reference", f"no {who} with this id in the database (load the cohort or "
            "school roster first)")
    dup = (keys != "") & pd.DataFrame({"k": keys, "w": wave}).duplicated(keep=False)
    add(dup, mapping.id, raw_ids, "duplicate", "this id appears more than once for the same wave")
    language = (_texts(frame[mapping.language_column]).str.lower() if mapping.language_column
                else pd.Series(mapping.language or "", index=frame.index))
    out = pd.DataFrame({"key": keys.to_numpy(), "wave": wave.to_numpy(), "language": language.to_numpy()})
    # mapped columns
    index = item_index(registry())
    missing_codes = {_id_text(m) for m in mapping.missing}
    missing_numbers = {float(m) for m in missing_codes if re.fullmatch(r"-?\d+(\.\d+)?", m)}
    for col, dest in mapping.columns.items():
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series):  # SPSS/Stata numbers: no text to parse
            number = series.astype(float)
            text = number.map(_id_text) if mapping.recode or RECORD_FIELDS.get(dest, ("",))[0] == "bool" else None
            blank = number.isna() | number.isin(missing_numbers)
        else:
            text = series.astype(str).str.strip()
            long = text.str.len() > MAX_CELL
            add(long, col, series, "length", f"cell longer than {MAX_CELL} characters")
            blank = text.isin(missing_codes) | (text == "") | long
            number = None
        labels = table.value_labels.get(col, {})
        if mapping.target == "school_records" and RECORD_FIELDS[dest][0] == "bool":
            low = text.str.lower() if text is not None else number.map(_id_text)
            value = pd.Series(np.where(low.isin(TRUE_WORDS), 1.0, np.where(low.isin(FALSE_WORDS), 0.0, np.nan)),
                              index=frame.index)
            add(value.isna() & ~blank, col, series, "code",
                lambda v: f"'{v}' is not a yes/no answer (use 1/0, yes/no or true/false)")
            out[dest] = value.where(~blank)
            continue
        value = (number if number is not None else pd.to_numeric(text.where(~blank), errors="coerce")).where(~blank)
        if mapping.recode and text is not None:
            recoded = text.str.strip().str.lower().map(mapping.recode)
            value = value.fillna(pd.to_numeric(recoded, errors="coerce"))
        not_number = value.isna() & ~blank
        add(not_number, col, series, "type", lambda v: f"'{v}' is not a number"
            + (" (add it to the mapping's recode section)" if v and not v.replace(".", "").isdigit() else ""))
        if dest in index:
            ins = index[dest]
            if labels:  # SPSS/Stata: codes carrying a label outside the response range are missing-value codes
                labelled_missing = {c for c in labels if isinstance(c, (int, float))
                                    and not ins.minimum <= c <= ins.maximum}
                value = value.where(~value.isin(labelled_missing))
            off = value.notna() & ((value < ins.minimum) | (value > ins.maximum) | (value % 1 != 0))
            add(off, col, series, "range", lambda v, ins=ins: f"{v} is not an answer on the {ins.minimum}-"
                f"{ins.maximum} scale of {ins.code.upper()}")
        else:
            kind, lo, hi = RECORD_FIELDS[dest]
            off = value.notna() & ((value < lo) | (value > hi) | ((value % 1 != 0) if kind == "int" else False))
            add(off, col, series, "range", lambda v, lo=lo, hi=hi, kind=kind: f"{v} is outside {lo}-{hi}"
                + (" or not a whole number" if kind == "int" else ""))
        out[dest] = value.where(~off)
    answers: dict[str, list[str]] = {}
    scores: list[str] = []
    if mapping.target != "school_records":
        for ins in {index[d].code: index[d] for d in mapping.columns.values() if d in index}.values():
            present = [i for i in ins.items if i in out]
            answers[ins.code] = present
            scored = score_instrument(out[present], ins)
            for scale in ins.scales:
                if scale.code not in scored:
                    lacking = [i for i in scale.items if i not in out]
                    warnings.append(f"{ins.code}: scale '{scale.code}' not scored ({len(lacking)} of its items are "
                                    f"not in the file: {', '.join(lacking[:5])})")
                    continue
                if scale.target:
                    fieldname = scale.target.split(".", 1)[1]
                    out[f"score:{fieldname}"] = scored[scale.code].round(3)
                    scores.append(fieldname)
    return Prepared(mapping.target, out, answers, scores, problems, warnings, table, mapping)


def _texts(series: pd.Series) -> pd.Series:
    """Cells as trimmed text; whole numbers stored as floats (SPSS) without their '.0'."""
    if pd.api.types.is_numeric_dtype(series):
        return series.map(_id_text)
    return series.fillna("").astype(str).str.strip()


def _id_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def write_report(problems: list[Problem], path: str | Path) -> Path:
    """The row-level error report as CSV: row, column, value, rule, message."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_csv(problems), encoding="utf-8")
    return path


def report_csv(problems: list[Problem]) -> str:
    buffer = io.StringIO()
    pd.DataFrame([p.as_dict() for p in problems], columns=["row", "column", "value", "rule", "message"]).to_csv(
        buffer, index=False)
    return buffer.getvalue()
