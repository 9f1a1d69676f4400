"""Delphi statistics against worked examples computed by hand (percentiles: linear interpolation, R type 7)."""

import numpy as np
import pandas as pd
import pytest

from safeschool.stats import delphi as dl

IN = [7, 7, 8, 8, 8, 9, 9, 9, 2, 5]  # sorted 2 5 7 7 8 8 8 9 9 9
SPLIT = [1, 1, 2, 2, 5, 6, 8, 8, 9, 9]
OUT = [1, 1, 1, 2, 2, 3, 3, 2, 9, 4]
MIDDLE = [5, 5, 5, 5, 6, 6, 4, 4]


def frame(values_by_statement, round_=1, group="teachers"):
    rows = []
    for statement, values in values_by_statement.items():
        rows += [{"panellist": f"p{i}", "group": group, "statement": statement, "round": round_, "rating": v}
                 for i, v in enumerate(values)]
    return pd.DataFrame(rows)


def test_summary_by_hand():
    s = dl.summary(np.array(IN))
    # median (8+8)/2; Q1 at position 2.25 -> 7; Q3 at 6.75 -> 8 + 0.75 = 8.75; P30 at 2.7 -> 7; P70 at 6.3 -> 8.3
    assert (s["n"], s["median"], s["q1"], s["q3"], s["iqr"]) == (10, 8.0, 7.0, 8.75, 1.75)
    assert s["p30"] == pytest.approx(7.0) and s["p70"] == pytest.approx(8.3) and s["mean"] == pytest.approx(7.2)
    assert (s["low"], s["middle"], s["high"]) == (0.1, 0.1, 0.8)


@pytest.mark.parametrize(("values", "comet", "agreement", "iqr", "rand"), [
    (IN, "in", "in", "in", "in"),  # 80 % high, 10 % low; IQR 1.75; IPR 1.3 < IPRAS 2.35 + 1.5 * 2.65
    (SPLIT, "no consensus", "no consensus", "no consensus", "uncertain"),  # IPR 6 > IPRAS 2.35
    (OUT, "out", "out", "out", "out"),  # 80 % low, 10 % high
    (MIDDLE, "no consensus", "no consensus", "uncertain", "uncertain"),  # median 5, IQR 1
])
def test_verdicts_by_hand(values, comet, agreement, iqr, rand):
    r = np.array(values)
    assert dl.verdict(r, dl.Rule("comet")) == comet
    assert dl.verdict(r, dl.Rule("agreement", threshold=0.75)) == agreement
    assert dl.verdict(r, dl.Rule("iqr", max_iqr=2)) == iqr
    assert dl.verdict(r, dl.Rule("rand")) == rand


def test_rand_panel_size_rule():
    # k = floor((n + 1) / 3): 3 for 8-10 panellists, 4 for 11-13, 5 for 14-16 (the manual's table)
    assert [(n + 1) // 3 for n in (8, 9, 10, 11, 13, 14, 16)] == [3, 3, 3, 4, 4, 5, 5]
    assert dl.rand_disagreement(np.array(SPLIT), "panel")  # 4 low and 4 high, k = 3
    assert dl.rand_disagreement(np.array([1, 1, 2, 5, 6, 8, 8, 9, 9, 9]), "panel")  # 3 low and 5 high
    assert not dl.rand_disagreement(np.array([1, 1, 5, 5, 6, 8, 8, 9, 9, 9]), "panel")  # only 2 low
    # IN: 2 ratings (2 and 5) lie outside the band 7-9 that holds the median; k - 1 = 2, so agreement
    assert dl.rand_agreement(np.array(IN))
    assert not dl.rand_agreement(np.array(SPLIT))  # median 5.5: 8 of 10 outside 4-6
    assert dl.verdict(np.array(SPLIT), dl.Rule("rand", rand_method="panel")) == "uncertain"


def test_comet_boundaries():
    exactly = [7] * 7 + [5] * 2 + [1]  # 70 % high, 10 % low: in (the rule says at least 70 %)
    assert dl.verdict(np.array(exactly), dl.Rule("comet")) == "in"
    too_many_low = [7] * 7 + [1] * 2 + [5]  # 20 % low: not in
    assert dl.verdict(np.array(too_many_low), dl.Rule("comet")) == "no consensus"


def test_stability_wilcoxon_by_hand():
    before = frame({"S1": [1, 1, 1, 1, 1, 1]}, round_=1)
    after = frame({"S1": [2, 3, 4, 5, 6, 7]}, round_=2)
    table = dl.statement_stats(pd.concat([before, after]), dl.Rule("comet"))
    second = table[table["round"] == 2].iloc[0]
    # differences 1..6 all positive, no ties: exact two-sided p = 2 / 2^6
    assert second["wilcoxon_p"] == pytest.approx(2 / 64) and second["n_paired"] == 6 and not second["stable"]
    # IQR 0 before; after: Q1 = 3.25, Q3 = 5.75
    assert second["iqr_change"] == pytest.approx(2.5)
    same = dl.statement_stats(pd.concat([before, frame({"S1": [1] * 6}, round_=2)]), dl.Rule("comet"))
    row = same[same["round"] == 2].iloc[0]
    assert row["wilcoxon_p"] == 1.0 and row["stable"]


def test_rule_within_every_group():
    teachers = pd.concat([frame({"S1": IN}, group="teachers").assign(panellist=lambda f, k=k: f"t{k}" + f.panellist)
                          for k in range(3)])  # 24 of 30 rate 7-9
    families = frame({"S1": SPLIT}, group="families").assign(panellist=lambda f: "f" + f.panellist)  # 4 of 10
    both = pd.concat([teachers, families])
    rule = dl.Rule("agreement", threshold=0.7)
    assert dl.statement_stats(both, rule)["verdict"].item() == "in"  # 28 of 40 = 70 % overall
    strict = dl.statement_stats(both, dl.Rule("agreement", threshold=0.7, by_group=True)).iloc[0]
    assert strict["verdict"] == "no consensus" and strict["verdict_by_group"] == {"families": "no consensus",
                                                                                   "teachers": "in"}


def test_response_and_attrition():
    r1 = frame({"S1": [5, 5, 5]}, round_=1)
    r2 = frame({"S1": [5, 5]}, round_=2)
    table = dl.response(pd.concat([r1, r2]), panel=pd.DataFrame({"panellist": ["p0", "p1", "p2", "p3"],
                                                                 "group": "teachers"}))
    assert table.to_dict("records")[1] | {} == {"round": 2, "group": "teachers", "responded": 2, "invited": 4,
                                                "response_rate": 0.5, "lost_since_previous": 1,
                                                "attrition": pytest.approx(1 / 3)}


@pytest.mark.parametrize(("edit", "message"), [
    (lambda f: f.assign(rating=f.rating.astype(object).where(f.index != 2, 10)), "row 3: rating '10' is not a whole"),
    (lambda f: f.assign(rating=f.rating.astype(object).where(f.index != 0, "7.5")), "row 1: rating '7.5'"),
    (lambda f: pd.concat([f, f.iloc[[1]]], ignore_index=True), "rated statement S1 twice in round 1"),
    (lambda f: f.drop(columns=["group"]), "missing column\\(s\\): group"),
])
def test_bad_ratings_are_named(edit, message):
    with pytest.raises(dl.DelphiError, match=message):
        dl.validate(edit(frame({"S1": IN})))


def test_bad_settings_are_named():
    with pytest.raises(dl.DelphiError, match="rule must be one of"):
        dl.Rule("vote")
    with pytest.raises(dl.DelphiError, match="split into three equal bands"):
        dl.Scale(1, 5)


def test_integer_quantiles_equal_numpy():
    rng = np.random.default_rng(4)
    for n in (1, 2, 3, 10, 57, 2000):
        r = rng.integers(1, 10, n)
        fast = dl.summary(r)
        slow = dl.summary(r.astype(float))  # the float path uses numpy.percentile
        for key in ("median", "q1", "q3", "p30", "p70"):
            assert fast[key] == pytest.approx(slow[key], abs=1e-12), (n, key)


def test_stats_from_database_counts_equal_the_row_level_statistics():
    rng = np.random.default_rng(9)
    groups = np.array(["teachers", "families", "students"])
    rows = []
    for rnd, spread in ((1, 1.8), (2, 1.0)):
        for p in range(60):
            for sidx in range(5):
                if rng.random() < 0.1:
                    continue  # some panellists skip some statements
                rows.append({"panellist": f"p{p}", "group": groups[p % 3], "statement": f"S{sidx}", "round": rnd,
                             "rating": int(np.clip(round(rng.normal(3 + sidx, spread)), 1, 9))})
    frame = pd.DataFrame(rows)
    rule = dl.Rule("rand", by_group=True)
    full = dl.statement_stats(frame, rule).query("round == 2").reset_index(drop=True)
    counts = frame.groupby(["statement", "group", "round", "rating"]).size().rename("n").reset_index()
    counts = counts.rename(columns={"rating": "value"})
    pairs = frame[frame["round"] == 2].merge(frame[frame["round"] == 1], on=["panellist", "statement"])
    diffs = (pairs.assign(d=pairs.rating_x - pairs.rating_y).groupby(["statement", "d"]).size().rename("n")
             .reset_index())
    fast = dl.stats_from_counts(counts[counts["round"] == 2], diffs, rule,
                                previous=counts[counts["round"] == 1])
    for column in ("n", "median", "iqr", "mean", "high", "verdict", "verdict_comet", "verdict_rand", "iqr_change",
                   "n_paired", "changed", "wilcoxon_p"):
        assert fast[column].tolist() == pytest.approx(full[column].tolist()) if fast[column].dtype != object \
            else fast[column].tolist() == full[column].tolist(), column
    assert fast["verdict_by_group"].tolist() == full["verdict_by_group"].tolist()
