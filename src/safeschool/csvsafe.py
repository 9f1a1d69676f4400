"""The one CSV writer of the platform: every CSV we write (downloads, reports, files) neutralises formula cells.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula, so a
participant's text such as ``=HYPERLINK("http://evil", "x")`` in a Delphi comment would run on the researcher's
machine (OWASP "CSV injection"). Such text cells get a leading single quote, which spreadsheets show as text. Numbers
stay numbers: -1.5 as a float, or as the string "-1.5", is written unchanged. Pure Python (no Django), so the web and
ingest both use it; no other module calls ``csv.writer`` or ``DataFrame.to_csv`` for output (tests/test_csvsafe.py).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """`value` made safe for a spreadsheet: a string starting with a formula character gets a leading quote,
    unless it is a plain number; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose rows are neutralised cell by cell."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file, **options) -> SafeWriter:
    """Like `csv.writer(file, **options)`, with formula cells neutralised."""
    return SafeWriter(file, **options)


def dict_writer(file, fieldnames, **options) -> csv.DictWriter:
    """Like `csv.DictWriter(file, fieldnames, **options)`, with formula cells neutralised."""
    dict_writer_ = csv.DictWriter(file, fieldnames, **options)
    dict_writer_.writer = SafeWriter(file, dialect=dict_writer_.writer.dialect)
    return dict_writer_


def frame_to_csv(frame, path_or_buf=None, **options):
    """`frame.to_csv(path_or_buf, **options)` with text cells neutralised (numeric columns are left alone)."""
    safe = frame.copy()
    for position in range(safe.shape[1]):  # by position: column names may repeat
        column = safe.iloc[:, position]
        if column.dtype.kind not in "biufcmM":
            safe.isetitem(position, column.map(neutralise))
    return safe.to_csv(path_or_buf, **options)
