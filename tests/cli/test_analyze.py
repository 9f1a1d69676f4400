"""`safeschool fit` and `safeschool analyze`: outputs written, one-line errors with non-zero exits."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from safeschool.ingest.cohort_files import analysis_frame, read_cohort_dir


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "safeschool.cli", *map(str, args)], capture_output=True, text=True,
                          env=env)


@pytest.fixture(scope="module")
def frame_csv(tmp_path_factory, cohort_dir):
    path = tmp_path_factory.mktemp("frame") / "students.csv"
    analysis_frame(read_cohort_dir(cohort_dir).tables).to_csv(path, index=False)
    return path


def test_fit_writes_the_documented_json(tmp_path, frame_csv):
    out = tmp_path / "fit.json"
    proc = _cli("fit", "--data", frame_csv, "--formula", "achievement ~ ses_index + gender + (1|school_id/class_id)",
                "--ml", "--json", out)
    assert proc.returncode == 0, proc.stderr
    assert "Linear mixed model fit by ML" in proc.stdout and "Random effects:" in proc.stdout
    result = json.loads(out.read_text())
    assert result["method"] == "ML" and result["engine"] == "mixedlm" and result["n_obs"] == 540
    assert result["groups"] == {"school_id": 6, "class_id:school_id": 18}
    assert [v["group"] for v in result["variance_components"]] == ["school_id", "class_id:school_id", "Residual"]
    assert result["fixed_effects"][2]["term"] == "genderM"


def test_fit_parquet_and_binomial(tmp_path, frame_csv):
    parquet = tmp_path / "f.parquet"
    pd.read_csv(frame_csv).to_parquet(parquet)
    proc = _cli("fit", "--data", parquet, "--formula", "dropout ~ ses_index + (1|school_id)", "--family", "binomial",
                "--json", tmp_path / "b.json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "b.json").read_text())["method"] in ("Laplace", "Laplace (nAGQ=0)")


@pytest.mark.parametrize(("formula", "reason"), [
    ("achievement ~ ses_index", "has no random term"),
    ("achievement ~ ses_index + (1|nowhere)", "unknown column 'nowhere'"),
    ("age ~ ses_index + (1|school_id)", None),  # a valid model: exit 0
])
def test_fit_errors_are_one_line(frame_csv, formula, reason):
    proc = _cli("fit", "--data", frame_csv, "--formula", formula)
    if reason is None:
        assert proc.returncode == 0, proc.stderr
        return
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and reason in lines[0]


def test_fit_missing_file(tmp_path):
    proc = _cli("fit", "--data", tmp_path / "none.csv", "--formula", "y ~ x + (1|g)")
    assert proc.returncode != 0 and "does not exist" in proc.stderr


def test_analyze_ecological_writes_tables_and_figures(tmp_path, cohort_dir):
    out = tmp_path / "eco"
    proc = _cli("analyze", "ecological", "--data", cohort_dir, "--outcome", "achievement", "--json",
                tmp_path / "eco.json", "--out", out)
    assert proc.returncode == 0, proc.stderr
    for name in ("steps.csv", "variance.csv", "explained.csv", "coefficients.csv", "variance_partition.svg",
                 "variance_partition.png", "coefficients.svg", "coefficients.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "variance_partition.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (out / "coefficients.svg").read_text()[:500]
    result = json.loads((tmp_path / "eco.json").read_text())
    assert [s["step"] for s in result["steps"]][0] == "null model"


def test_analyze_maihda_from_the_database(tmp_path, cohort_dir):
    env = {"SAFESCHOOL_HOME": str(tmp_path / "home"), "PATH": ""}
    assert _cli("load", cohort_dir, env=env).returncode == 0
    proc = _cli("analyze", "maihda", "--db", "--outcome", "achievement", "--strata", "gender,migrant,ses",
                "--json", tmp_path / "m.json", "--out", tmp_path / "m", env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "m.json").read_text())
    assert all(s["n"] >= 10 for s in result["strata"])
    strata_csv = pd.read_csv(tmp_path / "m" / "strata.csv")
    assert (strata_csv.n >= 10).all() and len(strata_csv) == len(result["strata"])


@pytest.mark.parametrize(("args", "reason"), [
    (["analyze", "maihda", "--outcome", "achievement", "--strata", "ses_index,gender"], "band it first"),
    (["analyze", "maihda", "--outcome", "achievement", "--strata", "gender"], "at least two attributes"),
    (["analyze", "ecological", "--outcome", "shoe_size"], "unknown outcome 'shoe_size'"),
    (["analyze", "ecological", "--outcome", "dropout", "--stages", "university"], "stage 'university'"),
])
def test_analyze_errors_are_one_line(cohort_dir, args, reason):
    proc = _cli(*args, "--data", cohort_dir)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if "Error" in ln]
    assert len(lines) == 1 and reason in lines[0], proc.stderr


def test_analyze_needs_exactly_one_source():
    proc = _cli("analyze", "ecological", "--outcome", "achievement")
    assert proc.returncode != 0 and "give either --data FILE or --db" in proc.stderr
