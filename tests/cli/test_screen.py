"""`safeschool screen`: the evaluation JSON's keys and types, fairness figures equal to a hand computation from the
scores file, one row per student, the model file and card, and one-line errors naming the option."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.screening.data import DOMAINS

runner = CliRunner()
COMMANDS = ("evaluate", "train", "score", "card", "security")
CAPACITY = 0.1
TEST_COHORT = 2025


def _run(*args):
    return runner.invoke(app, ["screen", *map(str, args)])


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Three entry cohorts of 1,000 students in 12 schools (2023, 2024, 2025)."""
    directory = tmp_path_factory.mktemp("screen") / "cohort"
    sizes = Sizes(countries=2, schools=12, classes=36, teachers=40, students=3000, cohorts=3)
    simulate(CohortConfig(sizes=sizes, seed=11)).write(directory)
    return directory


@pytest.fixture(scope="module")
def evaluation(data):
    out = data.parent / "evaluation.json"
    result = _run("evaluate", "--data", data, "--outcome", "dropped_out", "--test-cohort", TEST_COHORT,
                  "--capacity", CAPACITY, "--models", "logistic,boosting", "--bootstrap", 50, "--json", out)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()), result.output


@pytest.fixture(scope="module")
def model_file(data, evaluation):
    """The audited model, trained the way `evaluate` trained it, with its cards."""
    out = data.parent / "model.zip"
    result = _run("train", "--data", data, "--algorithm", evaluation[0]["audited_model"], "--test-cohort",
                  TEST_COHORT, "--capacity", CAPACITY, "--bootstrap", 50, "--out", out, "--card",
                  data.parent / "card.md", "--card-html", data.parent / "card.html")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def scores(data, model_file):
    out = data.parent / "scores.csv"
    result = _run("score", "--data", data, "--model", model_file, "--out", out)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, dtype={"student_id": str, "school_id": str})


def test_help_lists_the_commands_and_every_option_has_help():
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "screen" in top.output
    result = _run("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
        assert _run(command, "--help").exit_code == 0, command
    group = typer.main.get_command(app).get_command(None, "screen")
    for name, command in group.commands.items():
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"screen {name} {param.opts[0]} has no help"


def test_evaluate_json_has_the_issue_keys_and_types(evaluation, data):
    result, output = evaluation
    assert isinstance(result["passed_gate"], bool)
    assert isinstance(result["k"], int) and result["k"] > 0
    names = [m["name"] for m in result["models"]]
    assert {"logistic", "boosting", "abc", "school_only", "chance", "oracle"} <= set(names)
    for m in result["models"]:
        assert isinstance(m["auc"], float) and 0 <= m["auc"] <= 1, m["name"]
        low, high = m["auc_ci"]
        assert low <= m["auc"] <= high, m["name"]
        assert isinstance(m["brier"], float) and 0 <= m["brier"] <= 1
        assert 0 <= m["precision_at_k"] <= 1 and 0 <= m["recall_at_k"] <= 1
        assert sorted(t["tier"] for t in m["tiers"]) == ["high", "low", "moderate"], m["name"]
        for tier in m["tiers"]:
            assert isinstance(tier["n"], int)
            assert tier["observed_rate"] is None or 0 <= tier["observed_rate"] <= 1
    chance = next(m for m in result["models"] if m["name"] == "chance")
    assert chance["auc"] == pytest.approx(0.5, abs=1e-9)
    assert result["test_cohort"] == TEST_COHORT and result["train_cohorts"] == [2023, 2024]
    # k: each school's top ceil(capacity x its students of the test cohort)
    students = pd.read_csv(data / "students.csv")
    test = students[students["cohort"] == TEST_COHORT].merge(pd.read_csv(data / "classes.csv"), on="class_id")
    assert result["k"] == sum(math.ceil(CAPACITY * n) for n in test.groupby("school_id").size())
    assert result["fairness"] and result["gate"]["passed"] is result["passed_gate"]
    for row in result["fairness"]:
        assert {"group", "value", "n", "selection_rate", "fpr", "fnr", "precision"} <= set(row)
        assert row["n"] is None or row["n"] >= 10
    assert result["audited_model"] in ("logistic", "boosting")
    assert " ".join(result["verdict"]["sentence"].split()) in " ".join(output.split())  # the verdict is printed


def _hand_audit(data, scores: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """Selection rate, FPR, FNR and precision per value of `attribute`, from the scores file and the data's
    outcome (left by the last wave), with each school's top ceil(capacity x n) of the test cohort selected."""
    students = pd.read_csv(data / "students.csv", dtype={"student_id": str})
    outcomes = pd.read_csv(data / "outcomes.csv", dtype={"student_id": str})
    last = outcomes[outcomes["wave"] == outcomes["wave"].max()].set_index("student_id")["dropped_out"]
    frame = scores.merge(students[["student_id", "cohort", attribute]], on="student_id")
    frame = frame[frame["cohort"] == TEST_COHORT].copy()
    frame["left"] = frame["student_id"].map(last).astype(str).str.lower().isin(["true", "1"])
    frame["rank"] = frame.groupby("school_id")["score"].rank(ascending=False, method="first")
    frame["selected"] = frame["rank"] <= frame.groupby("school_id")["score"].transform(
        lambda s: math.ceil(CAPACITY * len(s)))
    rows = {}
    for value, g in frame.groupby(frame[attribute].astype(str)):
        neg, pos, sel = g[~g["left"]], g[g["left"]], g[g["selected"]]
        rows[value] = {"n": len(g), "selection_rate": g["selected"].mean(),
                       "fpr": neg["selected"].mean() if len(neg) >= 10 else None,
                       "fnr": (~pos["selected"]).mean() if len(pos) >= 10 else None,
                       "precision": sel["left"].mean() if len(sel) >= 10 else None}
    return pd.DataFrame.from_dict(rows, orient="index"), int(frame["selected"].sum())


@pytest.mark.parametrize("attribute", ["gender", "migrant_background"])
def test_fairness_figures_equal_a_hand_computation_from_the_scores_file(evaluation, data, scores, attribute):
    result, _ = evaluation
    hand, k = _hand_audit(data, scores, attribute)
    assert k == result["k"]
    shown = [r for r in result["fairness"] if r["group"] == attribute and r["n"] is not None]
    assert shown, f"no {attribute} group shown"
    for row in shown:
        expected = hand.loc[str(row["value"])]
        assert row["n"] == expected["n"], row
        for key in ("selection_rate", "fpr", "fnr", "precision"):
            if expected[key] is None or pd.isna(expected[key]):
                assert row[key] is None, (row, key)
            else:
                assert row[key] == pytest.approx(expected[key], abs=1e-4), (row["value"], key)
    for row in result["fairness"]:  # a hidden group is hidden whole, a small one always
        if row["group"] == attribute and row["n"] is None:
            assert all(row[key] is None for key in ("selection_rate", "fpr", "fnr", "precision"))
    small = hand[hand["n"] < 10].index
    assert all(r["n"] is None for r in result["fairness"] if r["group"] == attribute and str(r["value"]) in small)


def test_score_writes_one_row_per_student(data, scores):
    students = pd.read_csv(data / "students.csv", dtype={"student_id": str})
    assert len(scores) == len(students) and set(scores["student_id"]) == set(students["student_id"])
    assert list(scores.columns) == ["student_id", "school_id", "score", "tier", "top_domains"]
    assert scores["score"].between(0, 1).all()
    assert set(scores["tier"]) <= {"low", "moderate", "high"} and "high" in set(scores["tier"])
    named = {d for text in scores["top_domains"].dropna() for d in text.split("; ")}
    assert named and named <= set(DOMAINS)
    # a higher tier means a higher score
    by_tier = scores.groupby("tier")["score"]
    assert by_tier.min()["high"] >= by_tier.max()["moderate"] >= by_tier.max()["low"] - 1e-12


def test_train_writes_the_model_file_and_its_cards(data, model_file, evaluation):
    from safeschool.screening import modelfile

    model = modelfile.load(model_file)
    meta = model.meta
    assert meta["version"] == 1 and meta["test_cohort"] == TEST_COHORT and meta["train_cohorts"] == [2023, 2024]
    assert meta["expires_on"] == (dt.date.today() + dt.timedelta(days=365)).isoformat()
    assert meta["gate"]["passed"] is evaluation[0]["passed_gate"]
    assert meta["fairness"] == evaluation[0]["fairness"]
    assert not set(meta["features"]) & {"gender", "migrant_background", "roma_minority", "ses_band", "sen"}
    card = (data.parent / "card.md").read_text()
    assert "not a life sentence" in card
    html = (data.parent / "card.html").read_text()
    assert "<html" in html and "not a life sentence" in html and "<script" not in html


def test_card_command_writes_markdown_or_html_with_markup_escaped(tmp_path, model_file):
    from safeschool.screening import modelfile

    assert _run("card", "--model", model_file, "--out", tmp_path / "c.md").exit_code == 0
    assert (tmp_path / "c.md").read_text().startswith("# Model card")
    model = modelfile.load(model_file)
    hostile = tmp_path / "hostile.zip"
    modelfile.save(model, hostile, meta={**model.meta, "name": "<script>alert(1)</script>"})
    assert _run("card", "--model", hostile, "--out", tmp_path / "c.html").exit_code == 0
    html = (tmp_path / "c.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<h1>" in html and "<table>" in html
    assert "<script" not in html and "&lt;script&gt;" in html


def test_an_expired_model_is_refused(tmp_path, model_file, data):
    from safeschool.screening import modelfile

    model = modelfile.load(model_file)
    expired = tmp_path / "expired.zip"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    modelfile.save(model, expired, meta={**model.meta, "expires_on": yesterday})
    result = _run("score", "--data", data, "--model", expired, "--out", tmp_path / "s.csv")
    assert result.exit_code != 0 and "--model" in result.output and "expired" in result.output
    assert not (tmp_path / "s.csv").exists()


def test_security_writes_flags_for_every_student_and_scale(tmp_path, data):
    result = _run("security", "--data", data, "--out", tmp_path / "all.csv", "--all")
    assert result.exit_code == 0, result.output
    every = pd.read_csv(tmp_path / "all.csv", dtype={"student_id": str})
    students = pd.read_csv(data / "students.csv", dtype={"student_id": str})
    assert set(every["student_id"]) == set(students["student_id"])
    assert set(every["scale"]) == {"security", "closeness", "conflict", "belonging", "engagement"}
    assert _run("security", "--data", data, "--out", tmp_path / "flags.csv").exit_code == 0
    flags = pd.read_csv(tmp_path / "flags.csv", dtype={"student_id": str})
    assert len(flags) == int(every["flagged"].sum()) and flags["flagged"].all()
    # flagged only when reliably below the cut-off: below by more than 1.645 standard errors
    low = flags[flags["scale"] != "conflict"]
    assert ((low["cutoff"] - low["score"]) / low["sem"] > 1.6448).all()


@pytest.mark.parametrize(("args", "option", "reason"), [
    (["evaluate", "--outcome", "shoe_size"], "--outcome", "unknown outcome 'shoe_size'"),
    (["evaluate", "--test-cohort", "1999"], "--test-cohort", "1999 is not a cohort"),
    (["evaluate", "--test-cohort", "2023"], "--test-cohort", "no cohort before 2023"),
    (["evaluate", "--capacity", "0"], "--capacity", "0 is not a share"),
    (["evaluate", "--capacity", "1.5"], "--capacity", "1.5 is not a share"),
    (["evaluate", "--models", "logistic,forest"], "--models", "unknown model 'forest'"),
    (["evaluate", "--bootstrap", "0"], "--bootstrap", "0 replicates are too few"),
    (["train", "--algorithm", "forest", "--out", "m.zip"], "--algorithm", "unknown model 'forest'"),
    (["train", "--expires-in-days", "0", "--out", "m.zip"], "--expires-in-days", "0 is not a whole number"),
])
def test_errors_are_one_line_naming_the_option(data, args, option, reason):
    result = _run(*args, "--data", data)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and option in lines[0] and reason in lines[0], result.output


def _one_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code != 0 and len(lines) == 1, result.output
    return lines[0]


def test_a_missing_data_directory_and_a_file_that_is_not_a_model(tmp_path, data):
    assert "--data" in _one_line(_run("evaluate", "--data", tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    result = _run("evaluate", "--data", tmp_path / "empty")
    assert result.exit_code != 0 and "students.csv is missing" in result.output
    fake = tmp_path / "model.zip"
    fake.write_text("not a model")
    assert "--model: model.zip" in _one_line(_run("score", "--data", data, "--model", fake, "--out", tmp_path / "s.csv"))
    result = _run("card", "--model", tmp_path / "none.zip", "--out", tmp_path / "c.md")
    assert result.exit_code != 0 and "--model: file" in result.output and "does not exist" in result.output
    result = _run("card", "--model", fake, "--out", tmp_path / "c.txt")
    assert result.exit_code != 0 and "--out" in result.output


def _rezip(blob: bytes, change) -> bytes:
    """The model file with its members changed by `change(dict name -> bytes)`."""
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        members = {name: z.read(name) for name in z.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()


def test_hostile_model_files_give_one_line_and_write_nothing(tmp_path, data, model_file):
    """Red team (issue 15): whatever the model file hides, the command says so in one line, exits ≠ 0 and writes
    no output file."""
    import pickle
    blob = model_file.read_bytes()
    hostile = {
        "traversal": _rezip(blob, lambda m: m.update({"../../evil.txt": b"x"})),
        "pickle": _rezip(blob, lambda m: m.update({"estimator.pkl": pickle.dumps({"a": 1})})),
        "pickled-estimator": _rezip(blob, lambda m: m.update({"estimator.skops": pickle.dumps({"a": 1})})),
        "bomb": _rezip(blob, lambda m: m.update({"estimator.skops": b"\0" * 60_000_000})),
        "truncated": blob[: len(blob) // 2],
        "not-json": _rezip(blob, lambda m: m.update({"model.json": b"{not json"})),
        "json-list": _rezip(blob, lambda m: m.update({"model.json": b"[1, 2]"})),
        "no-estimator": _rezip(blob, lambda m: m.pop("estimator.skops")),
    }
    for name, content in hostile.items():
        path = tmp_path / f"{name}.zip"
        path.write_bytes(content)
        for command, out in (("card", tmp_path / f"{name}.md"), ("score", tmp_path / f"{name}.csv")):
            args = ("card", "--model", path, "--out", out) if command == "card" else (
                "score", "--data", data, "--model", path, "--out", out)
            result = _run(*args)
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert result.exit_code != 0 and len(lines) == 1, (name, command, result.output[-500:])
            assert "Traceback" not in result.output and not out.exists(), (name, command)
    assert not (tmp_path.parent / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()
