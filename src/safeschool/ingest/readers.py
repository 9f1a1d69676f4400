"""Files in as tables of cells: CSV (encoding and delimiter detected), Excel .xlsx, SPSS .sav and Stata .dta (value
labels kept), each refused with one line naming the file when it cannot be read; and analysis tables (CSV through
the same reader, or Parquet) as typed DataFrames for the commands that analyse them.

Row numbers are those a user sees: the spreadsheet row (header = row 1) for CSV and Excel, the case number for SPSS
and Stata.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".sav": "sav", ".zsav": "sav",
           ".dta": "dta"}
MAX_CELL = 2_000  # characters: no field we import is longer; longer cells are errors, not silently cut
MAX_BYTES = 200 * 1024 * 1024  # a local file (the command line); web uploads have their own, lower limit
# An .xlsx is a zip of XML: a few hundred KB can unpack to millions of cells, which openpyxl holds in memory (5 million
# took 54 s and 1.5 GB). Its declared size, compression and cells are checked before openpyxl sees it. A real sheet
# is about 32 bytes of XML per cell and compresses 10-15 to 1.
MAX_XLSX_CELLS = 2_000_000  # an 18,000-student wave with 110 columns
MAX_XLSX_UNZIPPED = 200 * 1024 * 1024  # bytes, all the workbook's parts together
MAX_ZIP_RATIO = 100  # uncompressed / compressed size of any part over 1 MB
# a Parquet file's cells (rows x columns, from its footer, before anything is unpacked): a few kilobytes of
# run-length-encoded Parquet can declare hundreds of millions of rows (a "zip bomb"); ten times the xlsx limit
MAX_PARQUET_CELLS = 20_000_000
MAX_COLUMNS = 5_000  # a header wider than this is refused before pandas builds (slowly) one column per field
_CHUNK = 1 << 20


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
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    digest = digest.hexdigest()
    if kind == "xlsx":
        table = _read_xlsx(path.read_bytes(), name, sheet)
    elif kind == "csv":
        table = _read_csv(path, name, encoding)
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
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(path).metadata
            if meta.num_columns > MAX_COLUMNS:
                raise TableReadError(f"{path}: {meta.num_columns:,} columns are over the {MAX_COLUMNS:,}-column limit")
            if meta.num_rows * max(meta.num_columns, 1) > MAX_PARQUET_CELLS:
                raise TableReadError(f"{path}: {meta.num_rows:,} rows of {meta.num_columns:,} columns are over the "
                                     f"{MAX_PARQUET_CELLS:,}-cell limit for a Parquet file")
            return pd.read_parquet(path)
        except TableReadError:
            raise
        except (ValueError, OSError) as exc:
            raise TableReadError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from exc
    if FORMATS.get(suffix) != "csv":
        raise TableReadError(f"{path}: unsupported file type '{suffix}' (use .csv or .parquet)")
    try:
        encoding, delimiter, header = _csv_checked(path, str(path))
        return _csv_frame(path, str(path), encoding, delimiter, header, typed=True)
    except FileProblem as exc:
        raise TableReadError(str(exc)) from exc
    except OSError as exc:
        raise TableReadError(f"{path}: cannot be read ({exc.strerror})") from exc


def write_parsed(table: RawTable, folder: str | Path) -> None:
    """Keep a read table as Parquet plus its metadata (the original's name, size, SHA-256, format, encoding...), so
    that what comes after the upload never parses the original again."""
    folder = Path(folder)
    table.frame.to_parquet(folder / "table.parquet", index=False)
    meta = {"format": table.format, "name": table.name, "size": table.size, "sha256": table.sha256,
            "encoding": table.encoding, "delimiter": table.delimiter, "first_row": table.first_row,
            "column_labels": table.column_labels,
            # codes stay numbers: JSON object keys would turn them into text
            "value_labels": {col: [[code, label] for code, label in labels.items()]
                             for col, labels in table.value_labels.items()}}
    (folder / "table.json").write_text(json.dumps(meta, default=str))


def read_parsed(folder: str | Path) -> RawTable:
    """The table `write_parsed` kept, as it was read."""
    folder = Path(folder)
    meta = json.loads((folder / "table.json").read_text())
    frame = pd.read_parquet(folder / "table.parquet")
    labels = {col: {code: label for code, label in pairs} for col, pairs in meta.pop("value_labels").items()}
    return RawTable(frame, value_labels=labels, **meta)


# ----------------------------------------------------------------------------------------------------- CSV
# The file is read as a stream, never held whole as bytes and text at once: one pass decodes it (finding its
# encoding, NUL characters, emptiness), one checks every row's width with the csv module, and pandas reads it.

class _Undecodable(Exception):
    def __init__(self, encoding: str, exc: UnicodeDecodeError, offset: int):
        self.encoding, self.offset = encoding, offset
        self.message = (f"'{exc.encoding}' codec can't decode byte 0x{exc.object[exc.start]:02x} in position {offset}: "
                        f"{exc.reason}")


def _scan(path: Path, encoding: str) -> tuple[bool, int | None]:
    """Decode the whole file in chunks: (it is blank, the row of the first NUL character); _Undecodable otherwise."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, lines, blank, nul_row = 0, 0, True, None
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            base = offset - len(decoder.getstate()[0])  # bytes held back from the previous chunk
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise _Undecodable(encoding, exc, base + exc.start) from None
            offset += len(chunk)
            if nul_row is None and "\x00" in text:
                nul_row = lines + text.count("\n", 0, text.index("\x00")) + 1
            lines += text.count("\n")
            blank = blank and not text.strip()
            if not chunk:
                return blank, nul_row


def _detect(path: Path, name: str) -> str:
    """The file's encoding (UTF-8 with or without BOM, UTF-16, or the most likely single-byte code page)."""
    with open(path, "rb") as fh:
        head = fh.read(200_000)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    magic = {b"PK\x03\x04": " (it looks like an Excel .xlsx file: rename it .xlsx)",
             b"\xd0\xcf\x11\xe0": " (it looks like an old Excel .xls file: save it as .xlsx or CSV)",
             b"$FL2": " (it looks like an SPSS file: rename it .sav)", b"$FL3": " (it looks like an SPSS file)"}
    for start, hint in magic.items():
        if head.startswith(start):
            raise FileProblem(f"{name}: this is not a text file{hint}")
    try:
        _scan(path, "utf-8-sig")
    except _Undecodable:
        if b"\x00" in head[:4096]:
            raise FileProblem(f"{name}: this is not a text file") from None
    else:
        return "utf-8"
    from charset_normalizer import from_bytes

    matches = list(from_bytes(head, cp_isolation=["cp1252", "latin_1", "iso8859_7", "cp1250", "iso8859_2",
                                                  "cp1253", "mac_roman"]))
    if not matches:
        raise FileProblem(f"{name}: the text encoding could not be recognised: save it as UTF-8 CSV or give "
                          "`encoding:` in the mapping")
    best = matches[0]
    # short texts fit several code pages equally well: then take the one most Western European exports use
    western = next((m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos + 0.05), None)
    return (western or best).encoding


def _text_lines(path: Path, encoding: str) -> Iterator[str]:
    with open(path, encoding=encoding, newline="") as fh:
        first = True
        for line in fh:
            yield line.lstrip("\ufeff") if first else line
            first = False


def _stream_encoding(encoding: str) -> str:
    return "utf-8-sig" if encoding == "utf-8" else encoding  # a detected UTF-8 file may start with a BOM


def _csv_checked(path: Path, name: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """The encoding, delimiter and header row, once the file decodes and every row has the header's width."""
    if encoding:
        try:
            codecs.lookup(encoding)
            blank, nul_row = _scan(path, encoding)
        except LookupError as exc:
            raise FileProblem(f"{name}: cannot be read as {encoding} ({exc})") from exc
        except _Undecodable as exc:
            raise FileProblem(f"{name}: cannot be read as {encoding} ({exc.message})") from None
        stream = encoding
    else:
        encoding = _detect(path, name)
        try:
            blank, nul_row = _scan(path, _stream_encoding(encoding))
        except _Undecodable as exc:
            raise FileProblem(f"{name}: byte {exc.offset} cannot be read as {encoding}: save it as UTF-8 CSV") from None
        stream = _stream_encoding(encoding)
    if blank:
        raise FileProblem(f"{name}: the file is empty")
    if nul_row is not None:
        raise FileProblem(f"{name}: row {nul_row} contains a NUL character (control characters cannot be imported)")
    with open(path, encoding=stream, newline="") as fh:
        sample = fh.read(65536)
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0] if "\n" not in sample[:-1] else sample,
                                        delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    width, header = None, None
    rows = csv.reader(_text_lines(path, stream), delimiter=delimiter)
    try:
        for number, fields in enumerate(rows, start=1):
            if header is None:
                header = fields
                if len(header) > MAX_COLUMNS:
                    raise FileProblem(f"{name}: {len(header):,} columns are over the {MAX_COLUMNS:,}-column limit")
            if not fields:
                continue
            if width is None:
                width = len(fields)
            elif len(fields) != width:
                raise FileProblem(f"{name}: row {number} has {len(fields)} fields where the header has {width} "
                                  f"(delimiter '{delimiter}'; a line break inside a cell needs quotes)")
    except csv.Error as exc:
        raise FileProblem(f"{name}: row {rows.line_num} cannot be read as CSV ({exc})") from exc
    return encoding, delimiter, header or []


def _csv_frame(path: Path, name: str, encoding: str, delimiter: str, header: list[str], *,
               typed: bool = False) -> pd.DataFrame:
    """The checked file as a frame: every cell as text, or (typed) numbers and missing values as pandas infers."""
    options = {} if typed else {"dtype": str, "keep_default_na": False}
    try:
        frame = pd.read_csv(path, encoding=_stream_encoding(encoding), sep=delimiter, index_col=False,
                            skip_blank_lines=True, engine="c", on_bad_lines="error", **options)
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            raise FileProblem(f"{name}: row {found.group(2)} has {found.group(3)} fields where the header has "
                              f"{found.group(1)} (delimiter '{delimiter}')") from exc
        raise FileProblem(f"{name}: cannot be read as CSV ({str(exc).splitlines()[0]})") from exc
    except pd.errors.EmptyDataError as exc:
        raise FileProblem(f"{name}: the file is empty") from exc
    _check_header([h.strip() for h in header], name)
    frame.columns = [c.strip() for c in header]
    return frame


def _read_csv(path: Path, name: str, encoding: str | None = None) -> RawTable:
    encoding, delimiter, header = _csv_checked(path, name, encoding)
    return RawTable(_csv_frame(path, name, encoding, delimiter, header), "csv", name, 0, "", encoding=encoding,
                    delimiter=delimiter)


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
    _check_workbook(data, name)
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


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s+ref=[\"']([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?[\"']")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")


def _check_workbook(data: bytes, name: str) -> None:
    """Refuse a workbook that would unpack to too much before openpyxl reads it: its parts' declared sizes
    (Python's zipfile never inflates an entry beyond them), their compression ratios, and each sheet's cells as
    declared in `<dimension ref=...>` and as counted in its XML."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        parts = book.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(f"{name}: the workbook cannot be opened (BadZipFile: {exc})") from exc
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_XLSX_UNZIPPED:
        raise FileProblem(f"{name}: the workbook unpacks to {unpacked / 1e6:,.0f} MB, over the "
                          f"{MAX_XLSX_UNZIPPED / 1e6:.0f} MB limit (save the sheet as CSV)")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _CHUNK and ratio > MAX_ZIP_RATIO:
            raise FileProblem(f"{name}: part '{part.filename}' is compressed {ratio:,.0f} to 1, over the "
                              f"{MAX_ZIP_RATIO} to 1 limit for a workbook (a zip bomb?)")
    for part in parts:
        if "worksheets/" not in part.filename or not part.filename.endswith(".xml"):
            continue
        cells, tail = 0, b""
        with book.open(part) as fh:
            while chunk := fh.read(_CHUNK):
                block = tail + chunk
                if cells == 0 and (found := _DIMENSION.search(block)):
                    declared = _dimension_cells(found)
                    if declared > MAX_XLSX_CELLS:
                        ref = found.group(0).decode(errors="replace").split("ref=", 1)[1].strip("\"'")
                        raise FileProblem(f"{name}: a sheet declares {declared:,} cells ({ref}), over the "
                                          f"{MAX_XLSX_CELLS:,}-cell limit (save it as CSV or split it)")
                cells += len(_CELL.findall(block, 0, len(block) - 64)) if len(block) > 64 else 0
                tail = block[-64:] if len(block) > 64 else block
                if cells > MAX_XLSX_CELLS:
                    break
        cells += len(_CELL.findall(tail))
        if cells > MAX_XLSX_CELLS:
            raise FileProblem(f"{name}: a sheet holds over {MAX_XLSX_CELLS:,} cells, the limit (save it as CSV or "
                              "split it)")


def _dimension_cells(found: re.Match) -> int:
    first_col, first_row, last_col, last_row = found.groups()
    if last_col is None:
        return 1
    return (abs(int(last_row) - int(first_row)) + 1) * (abs(_column_number(last_col) - _column_number(first_col)) + 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


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
