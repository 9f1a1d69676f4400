"""Survey and needs figures against hand computation, and their suppression boundaries (4 vs 5 partnerships in a
country, 1 vs 2 overall; 9 vs 10 respondents, with complementary suppression along rows and columns)."""

from __future__ import annotations

import pandas as pd
import pytest

from safeschool.partnership import instrument
from safeschool.partnership.scoring import needs_figures, survey_figures
from safeschool.partnership.tables import protect_table

DIMS = instrument.load().dimension_items()


def response(partnership, side, country="IT", shared_goals=(3, 3, 3), problems=(), rest=3):
    row = {"partnership": partnership, "country": country, "side": side, "problems": list(problems)}
    for dim, codes in DIMS.items():
        values = shared_goals if dim == "shared_goals" else (rest,) * len(codes)
        row.update(zip(codes, values, strict=True))
    return row


@pytest.fixture(scope="module")
def hand_table():
    school = [(1, (5, 4, 3), ["time", "funding"]), (2, (2, 2, 2), ["time"]), (3, (5, 5, 5), []),
              (4, (1, None, 3), ["trust"]), (5, (4, 4, None), ["time"])]
    rec = [(1, (3, 3, 3), ["time"]), (2, (4, 4, 4), ["funding", "data_sharing"]), (3, (5, 5, 5), []),
           (4, (2, 2, 2), [])]  # partnership 5's REC did not answer
    rows = [response(p, "school", shared_goals=g, problems=pr) for p, g, pr in school]
    rows += [response(p, "rec", shared_goals=g, problems=pr) for p, g, pr in rec]
    return pd.DataFrame(rows)


def test_survey_figures_match_hand_computation(hand_table):
    figures = survey_figures(hand_table)
    overall, italy = figures["overall"], figures["countries"]["IT"]
    assert overall["partnerships"] == 5 and overall["responses"] == {"school": 5, "rec": 4}
    # school scores per partnership: 4, 2, 5, 2 (1 and 3), 4 (4 and 4) -> 17 / 5
    assert overall["means"]["shared_goals"] == {"school": 3.4, "rec": 3.5}
    assert overall["means"]["trust"] == {"school": 3.0, "rec": 3.0}
    # pairs: |4-3| + |2-4| + |5-5| + |2-2| over 4 partnerships where both sides answered
    assert overall["agreement"]["shared_goals"] == {"difference": 0.75, "pairs": 4}
    assert overall["agreement"]["roles"] == {"difference": 0.0, "pairs": 4}
    # a partnership names a problem when either side does: {time, funding}, {time, funding, data_sharing}, {},
    # {trust}, {time}
    assert overall["problems"]["time"] == {"count": 3, "share": 0.6, "school": 0.6, "rec": 0.25}
    assert overall["problems"]["funding"] == {"count": 2, "share": 0.4, "school": 0.2, "rec": 0.25}
    assert overall["problems"]["data_sharing"]["share"] == 0.2 and overall["problems"]["other"]["count"] == 0
    # the country has 5 partnerships (shown) but only 4 REC responses and 4 pairs: those figures need 5
    assert italy["suppressed"] is False and italy["partnerships"] == 5
    assert italy["means"]["shared_goals"] == {"school": 3.4, "rec": None}
    assert italy["agreement"]["shared_goals"]["difference"] is None
    assert italy["problems"]["time"] == {"count": 3, "share": 0.6, "school": 0.6, "rec": None}
    assert figures["min_partnerships"] == {"country": 5, "overall": 2}


def test_a_country_needs_five_partnerships_and_overall_two(hand_table):
    four = hand_table[hand_table["partnership"] != 5]
    hidden = survey_figures(four)["countries"]["IT"]
    assert hidden == {"suppressed": True, "reason": "small"}
    assert survey_figures(four)["overall"]["partnerships"] == 4
    assert survey_figures(hand_table)["countries"]["IT"]["suppressed"] is False
    one = survey_figures(hand_table[hand_table["partnership"] == 1])
    assert one["overall"] == {"suppressed": True, "reason": "small"}
    two = survey_figures(hand_table[hand_table["partnership"].isin([1, 2])])
    assert two["overall"]["means"]["shared_goals"] == {"school": 3.0, "rec": 3.5}


def test_a_small_country_is_protected_by_hiding_the_next_smallest(hand_table):
    spain = hand_table[hand_table["partnership"] <= 4].assign(country="ES", partnership=lambda f: f.partnership + 10)
    portugal = pd.concat([hand_table.assign(country="PT", partnership=lambda f: f.partnership + 20),
                          pd.DataFrame([response(26, "school", "PT")])])
    figures = survey_figures(pd.concat([hand_table, spain, portugal], ignore_index=True))
    assert figures["countries"]["ES"] == {"suppressed": True, "reason": "small"}
    assert figures["countries"]["IT"] == {"suppressed": True, "reason": "protects"}  # 5 < Portugal's 6
    assert figures["countries"]["PT"]["partnerships"] == 6
    assert figures["overall"]["partnerships"] == 15


def test_a_side_with_four_responses_is_hidden_with_the_next_smallest(hand_table):
    italy = hand_table  # 5 partnerships, 4 REC responses
    portugal = pd.DataFrame([response(p, side, "PT") for p in range(20, 26) for side in ("school", "rec")])
    sweden = pd.DataFrame([response(p, side, "SE") for p in range(30, 37) for side in ("school", "rec")])
    figures = survey_figures(pd.concat([italy, portugal, sweden], ignore_index=True))
    countries = figures["countries"]
    assert countries["IT"]["means"]["trust"] == {"school": 3.0, "rec": None}
    assert countries["PT"]["means"]["trust"] == {"school": 3.0, "rec": None}  # protects Italy's REC answers
    assert countries["PT"]["agreement"]["trust"]["difference"] is None and countries["PT"]["problems"]["time"]["rec"] is None
    assert countries["SE"]["means"]["trust"] == {"school": 3.0, "rec": 3.0}
    assert countries["SE"]["agreement"]["trust"]["difference"] == 0.0
    assert figures["overall"]["means"]["trust"]["rec"] == 3.0


@pytest.mark.parametrize("change, message", [
    (lambda f: f.assign(side="parent"), "unknown side"),
    (lambda f: f.assign(goals_agreed=6), "not a whole number 1-5"),
    (lambda f: f.assign(problems=[["weather"]] * len(f)), "unknown problem code 'weather'"),
    (lambda f: pd.concat([f, f.iloc[:1]]), "two responses from the same side"),
])
def test_bad_responses_are_refused(hand_table, change, message):
    with pytest.raises(ValueError, match=message):
        survey_figures(change(hand_table))


def people(country, role, n, **topics):
    rows = []
    for i in range(n):
        row = {"school": f"{country}-{i % 3}", "country": country, "role": role, "formats": []}
        row.update({code: values[i] for code, values in topics.items()})
        rows.append(row)
    return rows


def test_needs_figures_match_hand_computation():
    teachers = people("IT", "teacher", 10, families=[4, 4, 3, 3, 2, 2, 1, 1, 4, 4],
                      early_warning=[4, 4, 4, 3, 3, 2, 2, 1, 4, None], wellbeing=[3] * 10)
    for i in range(3):
        teachers[i]["formats"] = ["workshop", "coaching"] if i == 0 else ["workshop"]
    figures = needs_figures(pd.DataFrame(teachers))
    cell = figures["countries"]["IT"]["teacher"]
    assert cell["respondents"] == 10 and cell["schools"] == 3
    assert cell["topics"]["families"] == {"mean": 2.8, "high": 0.4, "answers": 10, "suppressed": False,
                                          "reason": None}
    assert cell["topics"]["wellbeing"]["mean"] == 3.0 and cell["topics"]["wellbeing"]["high"] == 0.0
    # 9 answers of 10 respondents: the topic is hidden, the others are not
    assert cell["topics"]["early_warning"] == {"mean": None, "high": None, "answers": None, "suppressed": True,
                                               "reason": "small"}
    assert cell["ranking"] == ["wellbeing", "families"]
    assert cell["formats"]["workshop"] == 0.3 and cell["formats"]["coaching"] == 0.1
    assert figures["overall"]["all"]["respondents"] == 10
    leaders = figures["countries"]["IT"]["leader"]  # nobody: nothing to hide, nothing to show
    assert leaders["respondents"] == 0 and leaders["ranking"] == []
    assert {t["reason"] for t in leaders["topics"].values()} == {"empty"}


def test_nine_respondents_are_hidden_ten_are_shown():
    nine = needs_figures(pd.DataFrame(people("IT", "teacher", 9, families=[4] * 9)))
    assert nine["countries"]["IT"]["teacher"] == {"suppressed": True, "reason": "small"}
    assert nine["overall"]["all"] == {"suppressed": True, "reason": "small"}
    ten = needs_figures(pd.DataFrame(people("IT", "teacher", 10, families=[4] * 10)))
    assert ten["countries"]["IT"]["teacher"]["topics"]["families"]["mean"] == 4.0


def test_nine_leaders_beside_ten_teachers_hide_the_teachers_too():
    rows = people("IT", "leader", 9, families=[1] * 9) + people("IT", "teacher", 10, families=[4] * 10)
    figures = needs_figures(pd.DataFrame(rows))
    italy = figures["countries"]["IT"]
    assert italy["leader"]["reason"] == "small" and italy["teacher"]["reason"] == "protects"
    assert italy["all"]["respondents"] == 19 and italy["all"]["topics"]["families"]["mean"] == 2.58
    assert figures["overall"]["leader"]["suppressed"] and figures["overall"]["teacher"]["suppressed"]
    assert "1.0" not in str(figures) and "respondents': 9" not in str(figures)


def test_a_small_country_is_protected_across_countries():
    counts = {("IT", "leader"): 4, ("IT", "teacher"): 30, ("ES", "leader"): 12, ("ES", "teacher"): 25,
              ("PT", "leader"): 20, ("PT", "teacher"): 40}
    reasons = protect_table(counts, ["IT", "ES", "PT"], ["leader", "teacher"])
    assert reasons[("IT", "leader")] == "small"
    assert reasons[("IT", "teacher")] == "protects"  # the row IT is shown: 4 alone could be subtracted
    assert reasons[("ES", "leader")] == "protects"  # the column of leaders is shown: 12 is the next smallest
    assert reasons[("ES", "teacher")] == "protects"  # and now row ES needs a second hidden cell
    assert reasons[("PT", "leader")] is None and reasons[("overall", "all")] is None
    rows, columns = ["IT", "ES", "PT", "overall"], ["leader", "teacher", "all"]
    lines = [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]
    for line in lines:  # no line (cells and its total last) has exactly one unknown: nothing by subtraction
        assert sum(1 for key in line if reasons[key]) != 1, line
