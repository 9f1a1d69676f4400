"""Read an analysis table from CSV or Parquet, with one-line errors that name the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


class TableReadError(ValueError):
    """The file cannot be read as a table."""


def read_table(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise TableReadError(f"{path}: file does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
    except (ValueError, OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise TableReadError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from exc
    raise TableReadError(f"{path}: unsupported file type '{suffix}' (use .csv or .parquet)")
