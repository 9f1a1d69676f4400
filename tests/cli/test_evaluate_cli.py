"""`safeschool evaluate impact`: the documented JSON keys, the same figures as the library, one-line errors naming
the option or column with a non-zero exit."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.trials.impact import estimate_impact
from safeschool.trials.simulate import simulate_trial

KEYS = {"estimate", "se", "ci", "p", "effect_size", "effect_size_ci", "n", "clusters"}
FORMULA = "y ~ treat + baseline + (1|school_id/class_id)"


@pytest.fixture(scope="module")
def trial_csv(tmp_path_factory):
    trial = simulate_trial("crt3", schools=12, classes_per_school=2, students_per_class=10, icc_school=0.15,
                           icc_class=0.05, effect=0.3, attrition=0.1, seed=3)
    path = tmp_path_factory.mktemp("trial") / "trial.csv"
    trial.to_csv(path, index=False)
    return path, trial


def _run(*args):
    return CliRunner().invoke(app, ["evaluate", "impact", *map(str, args)])


def test_writes_the_keys_and_the_library_figures(tmp_path, trial_csv):
    path, trial = trial_csv
    out = tmp_path / "impact.json"
    result = _run("--data", path, "--formula", FORMULA, "--treatment", "treat", "--attainment", "--json", out)
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert set(written) >= KEYS
    expected = estimate_impact(trial, formula=FORMULA, treatment="treat", attainment=True)
    assert written["estimate"] == pytest.approx(expected["estimate"])
    assert written["effect_size_ci"] == pytest.approx(expected["effect_size_ci"])
    assert written["n"] == int(trial.y.notna().sum())
    assert written["clusters"] == {"school_id": 12, "class_id:school_id": 24}
    assert isinstance(written["months_progress"], int) and written["effect_size_method"] == "hedges_g_total_variance"
    assert written["variance_formula"] == "y ~ treat + (1|school_id/class_id)"


def test_binomial_family(tmp_path, trial_csv):
    path, trial = trial_csv
    binary = path.parent / "binary.csv"
    trial.assign(y=(trial.y > 0).astype(float).where(trial.y.notna())).to_csv(binary, index=False)
    out = tmp_path / "b.json"
    result = _run("--data", binary, "--formula", "y ~ treat + baseline + (1|school_id)", "--treatment", "treat",
                  "--family", "binomial", "--json", out)
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert written["effect_size_method"] == "cox_index" and written["family"] == "binomial"


@pytest.mark.parametrize(("args", "message"), [
    (["--formula", "y ~ treat + nope + (1|school_id)", "--treatment", "treat"], "--formula: unknown column 'nope'"),
    (["--formula", "y ~ treat + (1|school_id)", "--treatment", "arm"], "--treatment: column 'arm'"),
    (["--formula", "y ~ baseline + (1|school_id)", "--treatment", "treat"], "--treatment: 'treat' is not in"),
    (["--formula", "y ~ treat", "--treatment", "treat"], "--formula: formula 'y ~ treat' has no random term"),
    (["--formula", FORMULA, "--treatment", "treat", "--covariates", "baseline,ses"], "--covariates: 'ses' is not in"),
])
def test_bad_input_one_line_error(tmp_path, trial_csv, args, message):
    path, _ = trial_csv
    result = _run("--data", path, *args, "--json", tmp_path / "x.json")
    assert result.exit_code != 0
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.json").exists()


def test_missing_data_file(tmp_path):
    result = _run("--data", tmp_path / "none.csv", "--formula", FORMULA, "--treatment", "treat", "--json",
                  tmp_path / "x.json")
    assert result.exit_code != 0 and "--data:" in result.output
