"""`safeschool selfeval questionnaire --json OUT`: exactly issue 16 §7's keys and types, and one-line errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.selfeval import questionnaire as module

runner = CliRunner()
INFORMANT_NAMES = {"leaders", "teachers", "students", "families"}


def test_the_json_has_exactly_the_issues_shape(tmp_path):
    out = tmp_path / "q.json"
    result = runner.invoke(app, ["selfeval", "questionnaire", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert list(data) == ["dimensions"] and len(data["dimensions"]) == 4
    codes = []
    for d in data["dimensions"]:
        codes.append(d["code"])
        assert set(d) == {"code", "name", "pillar", "subdimensions"}
        assert all(isinstance(d[k], str) for k in ("code", "name", "pillar"))
        assert d["subdimensions"]
        for s in d["subdimensions"]:
            assert set(s) == {"code", "name", "indicators"} and s["indicators"]
            codes.append(s["code"])
            for i in s["indicators"]:
                codes.append(i["code"])
                assert i["type"] in {"likert", "yes_no", "figure"}
                expected = {"code", "type", "informants"} | ({"scale"} if i["type"] == "likert" else set())
                assert set(i) == expected, i
                if i["type"] == "likert":
                    assert i["scale"] == [1, 5]
                assert i["informants"] and set(i["informants"]) <= INFORMANT_NAMES
    assert len(codes) == len(set(codes)), "codes must be unique"
    assert data == module.load().as_json()


def test_a_broken_questionnaire_is_a_one_line_error(tmp_path, monkeypatch):
    bad = tmp_path / "questionnaire.yaml"
    bad.write_text(module.DEFAULT_FILE.read_text().replace("type: likert", "type: slider", 1))
    monkeypatch.setattr(module, "DEFAULT_FILE", bad)
    out = tmp_path / "q.json"
    result = runner.invoke(app, ["selfeval", "questionnaire", "--json", str(out)])
    assert result.exit_code == 2 and not out.exists()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "unknown type 'slider'" in lines[0], result.output


def test_the_help_names_the_command():
    result = runner.invoke(app, ["selfeval", "--help"])
    assert result.exit_code == 0 and "questionnaire" in result.output
