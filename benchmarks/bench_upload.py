"""Peak memory of a web upload and of its preview for a 50 MB survey CSV, each in a fresh process (peak resident
memory, VmHWM, minus the process's size once the libraries are imported).

- upload: the file is read (`read_file`) and kept as Parquet (`write_parsed`), once;
- preview: what every preview, problem report and background import then does: the kept table is loaded
  (`read_parsed`), a mapping suggested and every row checked (`prepare`, without the database);
- before: the same preview as it was until issue 13, parsing the original again (`read_file` of commit 3a2cba9,
  whose CSV reader held the bytes, the decoded text and a copy in memory at once).

Run: `.venv/bin/python benchmarks/bench_upload.py [--mb 50]` (Linux: reads /proc/self/status).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

BEFORE = "3a2cba9"  # the commit before the parse-once staging and the streaming CSV reader
ROOT = Path(__file__).resolve().parents[1]


def survey_csv(path: Path, mb: int) -> None:
    """A survey export: id, wave, language and 100 answers 1-5 per student, written until the file holds `mb` MB."""
    rng = np.random.default_rng(0)
    rows = int(mb * 1024 * 1024 / 222)
    frame = pd.DataFrame(rng.integers(1, 6, (rows, 100)), columns=[f"pssm_{i}" if i <= 18 else f"bg_{i}"
                                                                     for i in range(1, 101)])
    frame.insert(0, "language", "es")
    frame.insert(0, "wave", 1)
    frame.insert(0, "student_id", [f"S-{i:07d}" for i in range(rows)])
    frame.to_csv(path, index=False)


CHILD = r"""
import sys, time
from pathlib import Path
def rss(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
mode, path, folder, old = sys.argv[1:5]
import pandas as pd, pyarrow.parquet, openpyxl, charset_normalizer
from safeschool.ingest import readers
from safeschool.ingest.mapping import suggest_mapping
from safeschool.ingest.validation import prepare
if mode.startswith("before") or mode == "workbook-before":
    import types
    readers = types.ModuleType("old_readers")
    sys.modules["old_readers"] = readers  # dataclasses look their module up
    exec(compile(Path(old).read_text(), old, "exec"), readers.__dict__)
base = rss("VmRSS")
start = time.perf_counter()
if mode == "upload":
    readers.write_parsed(readers.read_file(path), folder)
elif mode.startswith("workbook"):
    try:
        table = readers.read_file(path)
        print(f"read: {table.frame.shape[0]:,} rows x {table.frame.shape[1]} columns", file=sys.stderr)
    except readers.FileProblem as exc:
        print(exc, file=sys.stderr)
else:
    table = readers.read_parsed(folder) if mode in ("load", "preview") else readers.read_file(path)
    if mode in ("before", "preview"):
        prepare(table, suggest_mapping(table, "student_survey"), pseudonymise=lambda v: v)
print(f"{rss('VmHWM') - base:.0f} {time.perf_counter() - start:.1f}")
"""


def hostile_workbook(path: Path, rows: int = 100_000, columns: int = 50) -> None:
    """An .xlsx holding rows x columns cells of the same number: a few hundred KB that unpack to about 150 MB."""
    import zipfile

    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in parts.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData>')
            sheet.write(b'<row r="1">' + b"".join(b'<c t="inlineStr"><is><t>q%d</t></is></c>' % c
                                                  for c in range(columns)) + b"</row>")
            row = b"".join(b'<c t="n"><v>3</v></c>' for _ in range(columns))
            for r in range(2, rows + 1):
                sheet.write(b'<row r="%d">' % r + row + b"</row>")
            sheet.write(b"</sheetData></worksheet>")


def measure(mode: str, path: Path, folder: Path, old: Path) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(folder), str(old)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(done.stderr)
    if done.stderr:
        print(done.stderr.strip())
    out = done.stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path, old = tmp / "survey.csv", tmp / "old_readers.py"
        survey_csv(path, args.mb)
        old.write_text(subprocess.run(["git", "show", f"{BEFORE}:src/safeschool/ingest/readers.py"], check=True,
                                      capture_output=True, text=True, cwd=ROOT).stdout)
        rows = len(pd.read_csv(path, usecols=[0]))
        print(f"{path.stat().st_size / 1e6:.1f} MB CSV, {rows:,} rows x 103 columns")
        print("| step | peak memory above baseline (MB) | time (s) |\n|---|---|---|")
        for label, mode in [("before (3a2cba9): reading the CSV", "before-read"),
                            ("before (3a2cba9): a preview = reading the CSV again + checking every row", "before"),
                            ("now: reading the CSV (streamed)", "read"),
                            ("now: the upload = reading once + keeping Parquet", "upload"),
                            ("now: loading the kept Parquet", "load"),
                            ("now: a preview = loading the Parquet + checking every row", "preview")]:
            peak, seconds = measure(mode, path, tmp, old)
            print(f"| {label} | {peak:,.0f} | {seconds:.1f} |")
        print(f"(Parquet kept: {(tmp / 'table.parquet').stat().st_size / 1e6:.1f} MB)")
        book = tmp / "hostile.xlsx"
        hostile_workbook(book)
        print(f"\n{book.stat().st_size / 1e3:.0f} KB .xlsx holding 5,000,000 cells:")
        peak, seconds = measure("workbook-before", book, tmp, old)
        print(f"before (3a2cba9): {seconds:.1f} s, peak memory +{peak:,.0f} MB")
        peak, seconds = measure("workbook", book, tmp, old)
        print(f"now: refused in {seconds:.2f} s, peak memory +{peak:.0f} MB")


if __name__ == "__main__":
    main()
