"""`safeschool fit` and `aggregate` print and write exactly what they did before their imports were made lazy
(issue 20): the text and the JSON of stored runs on a small fixed file (tests/cli/data/fit_golden), byte for byte.

The stored outputs were written by this test with SAFESCHOOL_REGENERATE_GOLDEN=1 before any change to the fit
path; regenerate them only for an intended change of the output, and say so in the commit.
"""

import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from safeschool.cli import app

DATA = Path(__file__).parent / "data" / "fit_golden"
F4 = "score ~ x1 + gender + flag + (1|country/school/class)"
CASES = {
    "aggregates_csv": ["fit", "--engine", "aggregates", "--data", "students.csv", "--formula", F4, "--json", "out.json"],
    "aggregates_parquet_ml": ["fit", "--engine", "aggregates", "--data", "students.parquet", "--formula", F4, "--ml",
                              "--json", "out.json"],
    "aggregates_singular": ["fit", "--engine", "aggregates", "--data", "students.csv", "--formula",
                            "score2 ~ x1 + (1|country/school)", "--json", "out.json"],
    "mixedlm_csv": ["fit", "--data", "students.csv", "--formula", "score ~ x1 + gender + (1|school/class)",
                    "--json", "out.json"],
    "site_one": ["aggregate", "--data", "one.csv", "--formula", F4, "--out", "one.parquet"],
    "site_two": ["aggregate", "--data", "two.parquet", "--formula", F4, "--out", "two.parquet"],
    "sites_pooled": ["fit", "--sites", "one.parquet", "two.parquet", "--json", "out.json"],
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("golden")
    source = DATA / "students.csv"
    (d / "students.csv").write_bytes(source.read_bytes())
    con = duckdb.connect()
    rows = f"read_csv_auto('{source}', header = true)"
    con.execute(f"COPY (SELECT * FROM {rows}) TO '{d / 'students.parquet'}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM {rows} WHERE country = 'C1') TO '{d / 'one.csv'}' (HEADER)")
    con.execute(f"COPY (SELECT * FROM {rows} WHERE country <> 'C1') TO '{d / 'two.parquet'}' (FORMAT parquet)")
    return d


@pytest.mark.parametrize("case", list(CASES))
def test_output_is_byte_identical_to_the_stored_run(workdir, case, monkeypatch):
    if case == "sites_pooled":  # needs the two site files
        for site in ("site_one", "site_two"):
            _run(workdir, site, monkeypatch)
    result = _run(workdir, case, monkeypatch)
    assert result.exit_code == 0, result.output
    outputs = {"stdout.txt": result.stdout, "stderr.txt": result.stderr}
    if (workdir / "out.json").exists():
        outputs["json"] = (workdir / "out.json").read_text()
        (workdir / "out.json").unlink()
    for suffix, text in outputs.items():
        stored = DATA / f"{case}.{suffix}"
        if os.environ.get("SAFESCHOOL_REGENERATE_GOLDEN"):
            stored.write_text(text)
        assert text == stored.read_text(), f"{case} {suffix} differs from the stored run"
    if case.startswith("aggregates") or case == "sites_pooled":
        assert '"engine": "aggregates"' in outputs["json"]


def _run(workdir, case, monkeypatch):
    monkeypatch.chdir(workdir)
    return CliRunner().invoke(app, CASES[case])
