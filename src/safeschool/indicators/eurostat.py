"""Eurostat's published files on early leavers from education and training, read as observations with their flags:
the bulk TSV (first header cell like ``freq,unit,sex,age,geo\\TIME_PERIOD``, values like ``10.5 b`` or ``: c``)
and SDMX-CSV 1.0 and 2.0, plain or gzipped.

A file that cannot be read at all is refused with one line (``EurostatError``); a problem in a row is a ``RowError``
naming the line (header = line 1), the column and the value, and every such problem is collected (up to
``MAX_ERRORS``) so that one run shows them all, as the other importers do.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from pathlib import Path

from safeschool.indicators import formats
from safeschool.indicators.records import (
    FLAGS,
    MAX_BYTES,
    MAX_ERRORS,
    MAX_ROWS,
    SUPPORTED,
    EurostatError,
    Observation,
    Release,
    RowError,
    quoted,
)

__all__ = ["FLAGS", "MAX_BYTES", "MAX_ERRORS", "MAX_ROWS", "SUPPORTED", "EurostatError", "Observation", "Release",
           "RowError", "dataset_code", "read"]


def read(source: bytes | str | Path, *, name: str = "", dataset: str = "") -> Release:
    """Reads one Eurostat file (bytes, a path, or the text itself) of a SUPPORTED dataset."""
    if isinstance(source, Path):
        name = name or source.name
        try:
            with source.open("rb") as handle:
                source = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise EurostatError(f"cannot read {source}: {error.strerror or error}") from error
    text = source if isinstance(source, str) else _text(source)
    if len(text) > MAX_BYTES:
        raise EurostatError(f"the file is over {MAX_BYTES // (1024 * 1024)} MB")
    if not text.strip():
        raise EurostatError("the file is empty")
    if "\x00" in text:
        raise EurostatError("the file is binary, not a text file from Eurostat")
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "\t" in first and "\\" in first.split("\t", 1)[0]:
        release = formats.read_tsv(text, dataset=_dataset(dataset, "", name))
    elif {"TIME_PERIOD", "OBS_VALUE"} <= {cell.strip().upper() for cell in next(csv.reader([first]), [])}:
        release = formats.read_sdmx(text, dataset=lambda flows: _dataset(dataset, flows, name))
    else:
        raise EurostatError("the file is neither Eurostat's bulk TSV (first cell like "
                            "'freq,unit,sex,age,geo\\TIME_PERIOD') nor SDMX-CSV (columns TIME_PERIOD and OBS_VALUE)")
    if not release.observations and not release.errors:
        raise EurostatError("the file has a header but no observations")
    return release


def _text(data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data)
    if len(data) > MAX_BYTES:
        raise EurostatError(f"the file is over {MAX_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EurostatError(f"the file is not UTF-8 text (byte {error.start + 1}); is it a file from Eurostat?") from None


def _gunzip(data: bytes) -> bytes:
    """Decompresses at most MAX_BYTES + 1 bytes, so a small "gzip bomb" is refused before it fills the memory."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as archive:
            out = archive.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise EurostatError(f"the file is a damaged gzip archive ({error})") from None
    if len(out) > MAX_BYTES:
        raise EurostatError(f"the file unpacks to over {MAX_BYTES // (1024 * 1024)} MB")
    return out


def dataset_code(text: str) -> str:
    """The dataset a DATAFLOW cell or a file name names: "ESTAT:SDG_04_10(1.0)" and "estat_sdg_04_10.tsv.gz" both
    give "sdg_04_10"; "" when it names none of SUPPORTED (a DATAFLOW's own code, lower-cased, when it names another)."""
    low = text.strip().lower()
    for code in sorted(SUPPORTED, key=len, reverse=True):
        if re.search(rf"(?<![a-z0-9]){code}(?![0-9])", low):
            return code
    flow = re.match(r"^(?:[a-z0-9_.]+:)?([a-z0-9_]+)\(", low)
    return flow.group(1) if flow else ""


def _dataset(given: str, flows: str, name: str) -> str:
    """The dataset from dataset=, else the SDMX DATAFLOW column, else the file name; refused when they disagree."""
    sources = []
    if given.strip():
        sources.append((given.strip().lower(), f"dataset {quoted(given.strip())}"))
    if flows:
        sources.append((dataset_code(flows) or flows.strip().lower(), f"DATAFLOW {quoted(flows)}"))
    if name:
        from_name = dataset_code(Path(name).name)
        if from_name in SUPPORTED:
            sources.append((from_name, f"file name {quoted(Path(name).name)}"))
    if not sources:
        raise EurostatError("cannot tell which dataset the file holds: name it (e.g. sdg_04_10.tsv.gz) or give the "
                            f"dataset ({', '.join(SUPPORTED)})")
    codes = {code for code, _ in sources}
    if len(codes) > 1:
        raise EurostatError("the " + " and the ".join(label for _, label in sources) + " name different datasets")
    code = sources[0][0]
    if code not in SUPPORTED:
        raise EurostatError(f"dataset {quoted(code)} is not supported; supported: {', '.join(SUPPORTED)}")
    return code
