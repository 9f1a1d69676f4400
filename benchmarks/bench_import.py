"""Importing an 18,000-row x 100-column student survey (.sav and .csv) into the default cohort's database, end to
end through the import service (read, validate, pseudonymise, score, write in one transaction, record for undo),
next to the bare file read (pandas / pyreadstat) on the same file. Target: under 15 s per file on this machine.

Run: `.venv/bin/python benchmarks/bench_import.py` (builds a temporary database with the default cohort first).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from _installation import fresh_installation


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fresh_installation(Path(tmp))

        from safeschool.cohort import simulate
        from safeschool.ingest.mapping import parse_mapping
        from safeschool.instruments.registry import registry
        from safeschool.web.imports.services import import_file, import_undo
        from safeschool.web.research.services import cohort_load

        cohort = simulate()
        cohort.write(Path(tmp) / "cohort")
        cohort_load(directory=Path(tmp) / "cohort")
        items = cohort["student_items"]
        survey = items[items.wave == 1].reset_index(drop=True)
        rng = np.random.default_rng(1)
        for j in range(100 - survey.shape[1]):  # background questions the mapping leaves out
            survey[f"bg_{j + 1}"] = rng.integers(1, 6, len(survey)).astype(float)
        codes = [c for c in survey.columns if c not in ("student_id", "wave", "language")]
        csv_path, sav_path = Path(tmp) / "survey.csv", Path(tmp) / "survey.sav"
        survey.to_csv(csv_path, index=False)
        pyreadstat.write_sav(survey.astype({c: float for c in codes}), str(sav_path))
        columns = {i: i for code in ("kss", "strs_sf", "pssm", "engagement", "climate") for i in registry()[code].items}
        mapping = parse_mapping({"target": "student_survey", "id": "student_id", "wave": 1,
                                 "language": {"column": "language"}, "columns": columns,
                                 "ignore": [c for c in survey.columns if c.startswith("bg_")]})
        print(f"survey: {survey.shape[0]:,} rows x {survey.shape[1]} columns; {len(columns)} items mapped")
        print(f"{'file':<6}{'bare read s':>12}{'import s':>10}{'ratio':>8}{'undo s':>8}  rows created/updated/unchanged")
        for path, bare in ((csv_path, lambda p: pd.read_csv(p, dtype=str)), (sav_path, lambda p: pyreadstat.read_sav(
                str(p)))):
            start = time.perf_counter()
            bare(path)
            read_s = time.perf_counter() - start
            start = time.perf_counter()
            prepared, outcome = import_file(path=path, mapping=mapping)
            import_s = time.perf_counter() - start
            assert prepared.ok and outcome is not None, prepared.problems[:3]
            start = time.perf_counter()
            import_undo(batch=outcome.batch)
            undo_s = time.perf_counter() - start
            c = outcome.counts
            print(f"{path.suffix:<6}{read_s:12.2f}{import_s:10.2f}{import_s / read_s:7.1f}x{undo_s:8.2f}  "
                  f"{c['created']:,}/{c['updated']:,}/{c['unchanged']:,}")


if __name__ == "__main__":
    main()
