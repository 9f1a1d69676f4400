"""Self-evaluation scoring against a hand computation on a small file (2 schools × 3 informant groups), the
disclosure threshold per group and per indicator, row-level errors that name row and column, and the 0–100 rescaling
(a reversed figure included)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.selfeval.questionnaire import Dimension, Figure, Indicator, Questionnaire, Subdimension, load
from safeschool.selfeval.scoring import ResponsesError, indicator_scores, read_responses, score


def _indicator(code, kind, informants, scale=None, figure=None):
    return Indicator(code, kind, tuple(informants), {i: {"en": code} for i in informants}, scale, figure)


FEEL_SAFE = _indicator("feel_safe", "likert", ["teachers", "students"], scale=(1, 5))
MENTORING = _indicator("mentoring", "yes_no", ["leaders", "teachers"])
ATTENDANCE = _indicator("attendance", "figure", ["leaders", "teachers"], figure=Figure("%", 50.0, 100.0, True))
SUSPENSIONS = _indicator("suspensions", "figure", ["leaders", "teachers"],
                         figure=Figure("per 100 students", 0.0, 20.0, False))
FAIR_RULES = _indicator("fair_rules", "likert", ["students"], scale=(1, 4))
DIMENSIONS = (
    Dimension("learning", "Safe Learning", "individual", (
        Subdimension("safe_learner", "Safe learner", (FEEL_SAFE, MENTORING)),
        Subdimension("safe_functioning", "Safe functioning", (ATTENDANCE,)))),
    Dimension("school", "Safe School", "community", (
        Subdimension("strong_school", "Strong school", (SUSPENSIONS, FAIR_RULES)),)),
)
Q = Questionnaire("test", "Test", 1, {"en": "source"}, DIMENSIONS,
                  {i.code: i for d in DIMENSIONS for s in d.subdimensions for i in s.indicators})
HEADER = "school,informant,feel_safe,mentoring,attendance,suspensions,fair_rules"


def _rows(school, informant, **columns):
    """CSV lines for one group: column name -> list of answers ('' = blank); missing columns are blank."""
    n = max(len(v) for v in columns.values())
    names = HEADER.split(",")[2:]
    return [",".join([school, informant] + [str(columns.get(c, [""] * n)[k]) for c in names]) for k in range(n)]


# School A: teachers 11 (one blank per indicator), students 12, leaders 3 (below 10).
# School B: teachers 10 (suspensions answered by only 4), students 9 (below 10), leaders 1.
LINES = [HEADER,
         *_rows("A", "teachers", feel_safe=[4, 4, 5, 3, 4, 5, 4, 3, 4, 4, ""],
                mentoring=["yes", "yes", "no", "yes", "yes", "no", "yes", "yes", "no", "yes", ""],
                attendance=[90, 80, 100, 70, 90, 80, 90, 100, 60, 90, ""],
                suspensions=[2, 4, 6, 2, 4, 6, 2, 4, 6, 4, ""]),
         *_rows("A", "students", feel_safe=[5, 4, 4, 3, 5, 4, 2, 4, 5, 4, 4, ""],
                fair_rules=[3, 3, 4, 2, 3, 3, 4, 3, 2, 3, 3, 3]),
         *_rows("A", "leaders", mentoring=["yes", "yes", "yes"], attendance=[95, 95, 95], suspensions=[1, 1, 1]),
         *_rows("B", "students", feel_safe=[1] * 9, fair_rules=[1] * 9),
         *_rows("B", "teachers", feel_safe=[2, 3, 3, 2, 3, 3, 2, 3, 3, 2],
                mentoring=["no", "NO", "yes", 0, "no", 1, "no", "no", "no", "no"],
                attendance=[70] * 10, suspensions=[10, 12, 8, 10, "", "", "", "", "", ""]),
         *_rows("B", "leaders", mentoring=["yes"], attendance=[99], suspensions=[0])]


def _row(school, informant, dimension, subdimension, value, value_100, n):
    return {"school": school, "informant": informant, "dimension": dimension, "subdimension": subdimension,
            "score": value, "score_100": value_100, "n": n}


def _hidden(school, informant, parts):
    return [_row(school, informant, d, s, None, None, None) for d, s in parts]


LEADER_PARTS = [("learning", None), ("learning", "safe_learner"), ("learning", "safe_functioning"),
                ("school", None), ("school", "strong_school")]
STUDENT_PARTS = [("learning", None), ("learning", "safe_learner"), ("school", None), ("school", "strong_school")]
# Worked by hand (docs/selfeval.md): indicator = mean of answers; subdimension = mean of its indicators;
# dimension = mean of its subdimensions; 0-100 = mean of the parts' 0-100.
EXPECTED = [
    *_hidden("A", "leaders", LEADER_PARTS),
    # teachers: feel_safe 40/10 = 4.0 (75), mentoring 7/10 = 0.7 (70), attendance 850/10 = 85 ((85-50)/50 -> 70),
    # suspensions 40/10 = 4 (reversed: 100 - 4/20*100 = 80)
    _row("A", "teachers", "learning", None, (2.35 + 85) / 2, (72.5 + 70) / 2, 11),
    _row("A", "teachers", "learning", "safe_learner", (4.0 + 0.7) / 2, (75 + 70) / 2, 11),
    _row("A", "teachers", "learning", "safe_functioning", 85.0, 70.0, 11),
    _row("A", "teachers", "school", None, 4.0, 80.0, 11),
    _row("A", "teachers", "school", "strong_school", 4.0, 80.0, 11),
    # students: feel_safe 44/11 = 4.0 (75); fair_rules 36/12 = 3.0 on 1-4 ((3-1)/3 -> 66.67)
    _row("A", "students", "learning", None, 4.0, 75.0, 12),
    _row("A", "students", "learning", "safe_learner", 4.0, 75.0, 12),
    _row("A", "students", "school", None, 3.0, 200 / 3, 12),
    _row("A", "students", "school", "strong_school", 3.0, 200 / 3, 12),
    *_hidden("B", "leaders", LEADER_PARTS),
    # teachers: feel_safe 26/10 = 2.6 (40), mentoring 2/10 = 0.2 (20), attendance 70 (40); suspensions answered by
    # 4 (< 10): no score, so strong_school (asked of teachers only through it) has none, but n is shown
    _row("B", "teachers", "learning", None, (1.4 + 70) / 2, (30 + 40) / 2, 10),
    _row("B", "teachers", "learning", "safe_learner", 1.4, 30.0, 10),
    _row("B", "teachers", "learning", "safe_functioning", 70.0, 40.0, 10),
    _row("B", "teachers", "school", None, None, None, 10),
    _row("B", "teachers", "school", "strong_school", None, None, 10),
    *_hidden("B", "students", STUDENT_PARTS),
]


@pytest.fixture(scope="module")
def responses(tmp_path_factory):
    path = tmp_path_factory.mktemp("selfeval") / "responses.csv"
    path.write_text("\n".join(LINES) + "\n")
    return read_responses(path, Q)


def _approx(rows):
    return [{k: (pytest.approx(v) if isinstance(v, float) else v) for k, v in row.items()} for row in rows]


def test_scores_match_the_hand_computation(responses):
    assert score(responses, Q) == _approx(EXPECTED)


def test_a_group_below_the_threshold_shows_neither_score_nor_n(responses):
    rows = score(responses, Q)
    small = [r for r in rows if (r["school"], r["informant"]) in {("A", "leaders"), ("B", "students"), ("B", "leaders")}]
    assert small and all(r["score"] is None and r["score_100"] is None and r["n"] is None for r in small)
    # at a threshold of 3 the three leaders of A are shown (their yes/no share is 1.0), the single leader of B not
    lowered = score(responses, Q, min_n=3)
    leaders = {(r["school"], r["subdimension"]): r for r in lowered if r["informant"] == "leaders"}
    assert leaders[("A", "safe_learner")]["score"] == pytest.approx(1.0) and leaders[("A", "safe_learner")]["n"] == 3
    assert leaders[("B", "safe_learner")]["score"] is None and leaders[("B", "safe_learner")]["n"] is None


def test_indicator_scores_rescale_to_0_100_and_reverse_a_figure_where_lower_is_better(responses):
    table = indicator_scores(responses, Q).loc[("A", "teachers")]
    assert table["feel_safe"] == pytest.approx(4.0) and table["feel_safe__100"] == pytest.approx(75.0)
    assert table["mentoring"] == pytest.approx(0.7) and table["mentoring__100"] == pytest.approx(70.0)
    assert table["attendance"] == pytest.approx(85.0) and table["attendance__100"] == pytest.approx(70.0)
    assert table["suspensions"] == pytest.approx(4.0) and table["suspensions__100"] == pytest.approx(80.0)
    assert table["feel_safe__answered"] == 10 and table["n"] == 11
    students = indicator_scores(responses, Q).loc[("A", "students")]
    assert students["fair_rules__100"] == pytest.approx(200 / 3)


@pytest.mark.parametrize(("value", "expected"), [(0, 100.0), (20, 0.0), (5, 75.0)])
def test_a_reversed_figure_at_its_ends(tmp_path, value, expected):
    path = tmp_path / "r.csv"
    path.write_text("school,informant,suspensions\n" + "".join(f"S,teachers,{value}\n" for _ in range(10)))
    table = indicator_scores(read_responses(path, Q), Q)
    assert table.loc[("S", "teachers"), "suspensions__100"] == pytest.approx(expected)


@pytest.mark.parametrize(("lines", "where", "what"), [
    (["school,informant,feel_safe", "A,students,4", "A,pupils,3"], "row 3, column 'informant'", "unknown informant"),
    (["school,informant,feel_safe,bogus", "A,students,4,1"], "row 1, column 'bogus'", "not an indicator"),
    (["school,informant,feel_safe", "A,students,4", "A,students,6"], "row 3, column 'feel_safe'", "outside the scale"),
    (["school,informant,feel_safe", "A,students,3.5"], "row 2, column 'feel_safe'", "outside the scale"),
    (["school,informant,attendance", "A,teachers,9O"], "row 2, column 'attendance'", "not a number"),
    (["school,informant,attendance", "A,teachers,120"], "row 2, column 'attendance'", "outside the figure"),
    (["school,informant,mentoring", "A,teachers,yes", "A,teachers,maybe"], "row 3, column 'mentoring'",
     "not a number"),
    (["school,informant,mentoring", "A,teachers,2"], "row 2, column 'mentoring'", "not yes/no"),
    (["school,informant,attendance", "A,students,90"], "row 2, column 'attendance'", "not asked of this informant"),
    (["school,informant,feel_safe", ",students,4"], "row 2, column 'school'", "missing school"),
    (["informant,feel_safe", "students,4"], "row 1, column 'school'", "missing"),
])
def test_row_level_errors_name_row_and_column(tmp_path, lines, where, what):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResponsesError) as caught:
        read_responses(path, Q)
    assert f"bad.csv: {where}" in str(caught.value) and what in str(caught.value)


def test_the_first_problem_is_reported_with_a_count_of_the_others(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("school,informant,feel_safe,fair_rules\nA,students,4,9\nA,students,7,2\n")
    message = str(pytest.raises(ResponsesError, read_responses, path, Q).value)
    assert message.startswith("bad.csv: row 2, column 'fair_rules'") and "1 more" in message


runner = CliRunner()


def test_the_cli_scores_a_file_and_writes_nothing_when_a_row_is_wrong(tmp_path):
    questionnaire = load()
    likert = next(i for i in questionnaire.indicators.values() if i.type == "likert" and "students" in i.informants)
    good = tmp_path / "good.csv"
    good.write_text(f"school,informant,{likert.code}\n" + "".join(f"S1,students,{1 + k % 5}\n" for k in range(10)))
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["selfeval", "score", "--responses", str(good), "--json", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())["scores"]
    ours = [r for r in rows if r["subdimension"] is not None and r["score"] is not None]
    assert ours and all(r["score"] == pytest.approx(3.0) and r["n"] == 10 for r in ours)
    assert set(rows[0]) == {"school", "informant", "dimension", "subdimension", "score", "score_100", "n"}

    bad = tmp_path / "bad.csv"
    bad.write_text(f"school,informant,{likert.code}\nS1,students,4\nS1,students,six\n")
    missing = tmp_path / "none.json"
    result = runner.invoke(app, ["selfeval", "score", "--responses", str(bad), "--json", str(missing)])
    assert result.exit_code != 0 and not missing.exists()
    assert "row 3" in result.output and likert.code in result.output


def test_each_group_uses_its_own_threshold_by_default(responses):
    """With the questionnaire's per-informant rule (leaders 1, others 10) B's single leader is shown with n = 1
    while B's nine students stay hidden; an explicit min_n overrides the rule for every group."""
    per_group = dataclasses.replace(Q, min_sizes={"leaders": 1, "teachers": 10, "students": 10, "families": 10},
                                    attributable=frozenset({"leaders"}))
    rows = {(r["school"], r["informant"], r["subdimension"]): r for r in score(responses, per_group)}
    leader = rows[("B", "leaders", "safe_learner")]
    assert leader["n"] == 1 and leader["score"] == pytest.approx(1.0)  # mentoring: one "yes"
    assert rows[("B", "leaders", "safe_functioning")]["score"] == pytest.approx(99.0)
    assert rows[("B", "students", "safe_learner")]["score"] is None and rows[("B", "students", None)]["n"] is None
    assert rows[("A", "teachers", "safe_learner")]["n"] == 11
    forced = {(r["school"], r["informant"]): r["n"] for r in score(responses, per_group, min_n=10)}
    assert forced[("B", "leaders")] is None and forced[("A", "leaders")] is None
