"""The simulator: deterministic per seed, answers only what the questionnaire asks each group, values within their
scales and plausible ranges, the perception shifts (leaders > teachers > families > students) and a CSV the CLI
scores."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.selfeval import simulate
from safeschool.selfeval.questionnaire import load
from safeschool.selfeval.scoring import read_responses, validate_responses

Q = load()
N = {"leaders": 4, "teachers": 60, "students": 300, "families": 120}


@pytest.fixture(scope="module")
def school():
    return simulate.simulate_campaign(Q, school="A1", n=N, seed=7)


def test_same_seed_same_answers_other_seed_others(school):
    again = simulate.simulate_campaign(Q, school="A1", n=N, seed=7)
    pd.testing.assert_frame_equal(school, again)
    other = simulate.simulate_campaign(Q, school="A1", n=N, seed=8)
    assert not school.equals(other)


def test_columns_groups_and_only_asked_indicators_answered(school):
    assert list(school.columns) == ["school", "informant", *Q.indicators]
    assert school.groupby("informant").size().to_dict() == N
    for code, ind in Q.indicators.items():
        answered = set(school.loc[school[code].notna(), "informant"])
        assert answered <= set(ind.informants), code
        if ind.type == "figure":
            assert answered == {"leaders"}, code
    # the frame passes the same checks as a file
    text = school.apply(lambda column: column.map(lambda v: "" if pd.isna(v) else f"{v:g}" if isinstance(v, float)
                                                  else v))
    assert validate_responses(text, Q)[list(Q.indicators)].equals(school[list(Q.indicators)])


def test_values_within_scale_and_plausible(school):
    for code, ind in Q.indicators.items():
        values = school[code].dropna()
        if ind.type == "likert":
            assert values.isin(range(ind.scale[0], ind.scale[1] + 1)).all(), code
        elif ind.type == "yes_no":
            assert values.isin([0.0, 1.0]).all(), code
        else:
            assert values.between(ind.figure.min, ind.figure.max).all(), code
            low, high = simulate.PLAUSIBLE[code]
            assert values.between(low, high).all(), code
            assert values.nunique() == 1, f"{code}: every leader reports the school's figure"


def test_about_three_percent_blanks(school):
    asked = np.column_stack([school["informant"].isin(ind.informants) for ind in Q.indicators.values()])
    blank = school[list(Q.indicators)].isna().to_numpy() & asked
    assert 0.02 < blank.sum() / asked.sum() < 0.04


def test_perception_shifts_and_school_level():
    likert = [c for c, i in Q.indicators.items() if i.type == "likert"]

    def means(level):
        frame = simulate.simulate_campaign(Q, school="B", n={g: 400 for g in N}, level=level, seed=1)
        shared = [c for c in likert if len(Q.indicators[c].informants) == 4]
        return frame.groupby("informant")[shared].mean().mean(axis=1)

    m = means(0.0)
    assert m["leaders"] > m["teachers"] > m["families"] > m["students"]
    assert 0.25 < m["leaders"] - m["teachers"] < 0.6  # ~10 points of 0-100 on a 1-5 scale
    assert means(1.5)["teachers"] > m["teachers"] + 0.3


def test_network_sizes_and_meta():
    frame = simulate.simulate_network(Q, schools=5, respondents=80, seed=2)
    assert frame["school"].unique().tolist() == simulate.school_codes(5)
    assert (frame.groupby("school").size() == 80).all()
    assert frame.equals(simulate.simulate_network(Q, schools=5, respondents=80, seed=2))
    meta = simulate.network_meta(5, seed=2)
    assert set(meta) == set(simulate.school_codes(5)) and all(set(v) == {"stage", "country"} for v in meta.values())


def test_cli_writes_a_file_that_scores(tmp_path):
    runner = CliRunner()
    out = tmp_path / "sim.csv"
    result = runner.invoke(app, ["selfeval", "simulate", "--schools", "2", "--respondents", "60", "--seed", "3",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = read_responses(out, Q)
    assert len(frame) == 120 and frame["school"].nunique() == 2
    first = out.read_text()
    runner.invoke(app, ["selfeval", "simulate", "--schools", "2", "--respondents", "60", "--seed", "3",
                        "--out", str(out)])
    assert out.read_text() == first
    scored = tmp_path / "scores.json"
    result = runner.invoke(app, ["selfeval", "score", "--responses", str(out), "--json", str(scored)])
    assert result.exit_code == 0, result.output
    assert any(row["score"] is not None for row in json.loads(scored.read_text())["scores"])
