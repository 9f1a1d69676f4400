"""`safeschool selfeval report`: the report dict as JSON (no NaN), peers from a responses CSV or a score JSON, and
one-line errors that name what is wrong."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.selfeval import simulate
from safeschool.selfeval.questionnaire import load

runner = CliRunner()
KEYS = ["groups", "scores", "gaps", "strengths", "priorities", "comparison", "change", "reliability"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    q = load()
    frame = simulate.simulate_network(q, schools=12, respondents=60, seed=5)
    # S001's families: 9 respondents, under the threshold
    small = simulate.simulate_campaign(q, school="S001", n={"families": 9}, seed=5)
    path = folder / "responses.csv"
    kept = frame[(frame["school"] != "S001") | (frame["informant"] != "families")]
    simulate.write_csv(pd.concat([kept, small], ignore_index=True), path)
    return folder, path


def _run(*args):
    return runner.invoke(app, ["selfeval", "report", *map(str, args)])


def test_the_report_is_written_as_json_without_nan(files):
    folder, path = files
    out = folder / "r.json"
    result = _run("--responses", path, "--school", "S001", "--peers", path, "--json", out)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "NaN" not in text
    data = json.loads(text)
    assert list(data) == KEYS
    families = next(g for g in data["groups"] if g["informant"] == "families")
    assert families == {"informant": "families", "n": None, "shown": False}
    assert not any(r["informant"] == "families" for r in data["scores"] + data["comparison"] + data["reliability"])
    with_peers = [r for r in data["comparison"] if r["percentile"] is not None]
    assert with_peers and all(r["peers_n"] >= 10 and r["scope"] == "file" for r in with_peers)
    assert max(r["peers_n"] for r in data["comparison"]) == 11  # the school itself is not its own peer


def test_peers_from_the_score_json_give_the_same_comparison(files):
    folder, path = files
    scores = folder / "scores.json"
    assert runner.invoke(app, ["selfeval", "score", "--responses", str(path), "--json", str(scores)]).exit_code == 0
    a, b = folder / "a.json", folder / "b.json"
    assert _run("--responses", path, "--school", "S002", "--peers", path, "--json", a).exit_code == 0
    assert _run("--responses", path, "--school", "S002", "--peers", scores, "--json", b).exit_code == 0
    assert json.loads(a.read_text())["comparison"] == json.loads(b.read_text())["comparison"]


def test_an_unknown_school_is_a_one_line_error(files):
    folder, path = files
    out = folder / "none.json"
    result = _run("--responses", path, "--school", "NOPE", "--json", out)
    assert result.exit_code != 0 and not out.exists()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "no school 'NOPE'" in lines[0] and "S001" in lines[0]


@pytest.mark.parametrize(("content", "message"), [("{not json", "cannot read"), ('{"rows": 1}', "no score rows")])
def test_a_bad_peers_file_is_a_one_line_error(files, content, message):
    folder, path = files
    peers = folder / "peers.json"
    peers.write_text(content)
    out = folder / "none.json"
    result = _run("--responses", path, "--school", "S001", "--peers", peers, "--json", out)
    assert result.exit_code != 0 and not out.exists() and message in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
