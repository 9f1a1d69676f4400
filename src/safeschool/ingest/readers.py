"""Files in as tables of cells: CSV (encoding and delimiter detected), Excel .xlsx, SPSS .sav and Stata .dta (value
labels kept), each refused with one line naming the file when it cannot be read; and analysis tables (CSV through
the same reader, or Parquet) as typed DataFrames for the commands that analyse them.

Row numbers are those a user sees: the spreadsheet row (header = row 1) for CSV and Excel, the case number for SPSS
and Stata.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".sav": "sav", ".zsav": "sav",
           ".dta": "dta"}
MAX_CELL = 2_000  # characters: no field we import is longer; longer cells are errors, not silently cut
MAX_BYTES = 200 * 1024 * 1024


class FileProblem(ValueError):
    """The file as a whole cannot be read (empty, not the format it claims, truncated, merged headers...)."""


class TableReadError(ValueError):
    """The file cannot be read as an analysis table."""


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
    if kind == "xlsx":
        table = _read_xlsx(data, name, sheet)
    elif kind == "csv":
        table = _read_csv(data, name, encoding)
    else:
        table = _read_stat(path, name)
    table.size, table.sha256, table.name = size, digest, name
    if table.frame.empty and len(table.frame.columns):
        raise FileProblem(f"{name}: the file has a header row but no data rows")
    if not len(table.frame.columns):
        raise FileProblem(f"{name}: the file has no columns")
    return table


def read_table(path: str | Path) -> pd.DataFrame:
    """An analysis table with typed columns: CSV read and checked as `read_file` reads it, or Parquet;
    TableReadError (one line, naming the file) when it cannot be."""
    path = Path(path)
    if not path.exists():
        raise TableReadError(f"{path}: file does not exist")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except (ValueError, OSError) as exc:
            raise TableReadError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from exc
    if FORMATS.get(suffix) != "csv":
        raise TableReadError(f"{path}: unsupported file type '{suffix}' (use .csv or .parquet)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableReadError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        text, _, delimiter = _csv_text(data, str(path))
        return _csv_frame(text, str(path), delimiter, typed=True)
    except FileProblem as exc:
        raise TableReadError(str(exc)) from exc


# ----------------------------------------------------------------------------------------------------- CSV
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


def _csv_text(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str, str]:
    """The decoded text, its encoding and its delimiter, once every row is known to have the header's width."""
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
    return text, encoding, delimiter


def _csv_frame(text: str, name: str, delimiter: str, *, typed: bool = False) -> pd.DataFrame:
    """The checked text as a frame: every cell as text, or (typed) numbers and missing values as pandas infers."""
    options = {} if typed else {"dtype": str, "keep_default_na": False}
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, index_col=False, skip_blank_lines=True, engine="c",
                            on_bad_lines="error", **options)
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
    return frame


def _read_csv(data: bytes, name: str, encoding: str | None = None) -> RawTable:
    text, encoding, delimiter = _csv_text(data, name, encoding)
    return RawTable(_csv_frame(text, name, delimiter), "csv", name, 0, "", encoding=encoding, delimiter=delimiter)


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


# ----------------------------------------------------------------------------------------------------- Excel
def _read_xlsx(data: bytes, name: str, sheet: str | None) -> RawTable:
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


# ----------------------------------------------------------------------------------------------------- SPSS, Stata
def _read_stat(path: Path, name: str) -> RawTable:
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
