"""Two sites aggregate, a coordinator pools: `safeschool aggregate` and `safeschool fit --sites`."""

import json
import subprocess
import sys

import pytest

from safeschool.ingest.cohort_files import analysis_frame, read_cohort_dir

FORMULA = "achievement ~ ses_index + gender + (1|country_id/school_id/class_id)"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "safeschool.cli", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def site_rows(tmp_path_factory, cohort_dir):
    d = tmp_path_factory.mktemp("sites")
    frame = analysis_frame(read_cohort_dir(cohort_dir).tables)
    countries = sorted(frame.country_id.unique())
    frame[frame.country_id == countries[0]].to_csv(d / "one.csv", index=False)
    frame[frame.country_id == countries[1]].to_parquet(d / "two.parquet", index=False)
    frame.to_csv(d / "all.csv", index=False)
    return d


def test_two_sites_pooled_equal_the_full_data_fit(site_rows):
    d = site_rows
    for name, src in (("one", "one.csv"), ("two", "two.parquet")):
        proc = _cli("aggregate", "--data", d / src, "--formula", FORMULA, "--out", d / f"{name}_site.parquet")
        assert proc.returncode == 0, proc.stderr
        assert "no row for any student" in proc.stdout
    pooled = _cli("fit", "--sites", d / "one_site.parquet", d / "two_site.parquet", "--json", d / "pooled.json")
    assert pooled.returncode == 0, pooled.stderr
    full = _cli("fit", "--data", d / "all.csv", "--formula", FORMULA, "--json", d / "full.json")
    assert full.returncode == 0, full.stderr
    a, b = json.loads((d / "pooled.json").read_text()), json.loads((d / "full.json").read_text())
    assert a["engine"] == "aggregates" and b["engine"] == "mixedlm"
    assert set(a) == set(b)  # the same JSON document
    for fa, fb in zip(a["fixed_effects"], b["fixed_effects"], strict=True):
        assert fa["term"] == fb["term"] and fa["estimate"] == pytest.approx(fb["estimate"], rel=1e-6)
    for va, vb in zip(a["variance_components"], b["variance_components"], strict=True):
        assert va["group"] == vb["group"] and va["variance"] == pytest.approx(vb["variance"], rel=1e-4)
    assert a["loglik"] == pytest.approx(b["loglik"], abs=1e-6)


def test_engine_aggregates_on_a_file(site_rows):
    proc = _cli("fit", "--data", site_rows / "all.csv", "--formula", FORMULA, "--engine", "aggregates", "--ml")
    assert proc.returncode == 0, proc.stderr
    assert "Linear mixed model fit by ML" in proc.stdout


@pytest.mark.parametrize(("args", "reason"), [
    (["fit", "--engine", "aggregates", "--formula", "achievement ~ ses_index + (1 + ses_index|school_id)"],
     "random intercepts only"),
    (["fit", "--engine", "aggregates", "--family", "binomial", "--formula", "dropout ~ ses_index + (1|school_id)"],
     "linear (gaussian) models only"),
    (["aggregate", "--formula", "achievement ~ log(ses_index) + (1|school_id)", "--out", "x.parquet"],
     "plain column names"),
])
def test_refusals_are_one_line(site_rows, args, reason):
    proc = _cli(*args, "--data", site_rows / "all.csv")
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and reason in lines[0], proc.stderr


def test_overlapping_sites_are_refused(site_rows):
    d = site_rows
    assert _cli("aggregate", "--data", d / "one.csv", "--formula", FORMULA, "--out", d / "x.parquet").returncode == 0
    proc = _cli("fit", "--sites", d / "x.parquet", "--sites", d / "x.parquet")
    assert proc.returncode != 0 and "also appears in another site file" in proc.stderr


@pytest.mark.parametrize("command", ["fit", "aggregate"])
def test_a_postgres_url_keeps_its_slashes_and_an_unreachable_server_is_one_line(command, tmp_path):
    """`--data postgres://…` reaches the database as written (a Path option made it postgres:/…), and a server that
    refuses the connection is a one-line error naming the address without its password, not a traceback."""
    url = "postgres://someone:s3cret@127.0.0.1:1/site"  # port 1: refused at once
    extra = ["--engine", "aggregates"] if command == "fit" else ["--out", str(tmp_path / "site.parquet")]
    result = _cli(command, "--data", url, "--table", "students", "--formula", "y ~ x + (1|school/class)", *extra)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("Error: cannot connect to postgres://127.0.0.1:1/site:"), result.stderr
    assert "s3cret" not in result.stderr
