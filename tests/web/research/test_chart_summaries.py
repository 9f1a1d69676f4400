"""The sentence under a group chart says what a reader can see: the highest and lowest shown group, or that one
group alone is shown, or that every group is hidden."""

import pandas as pd

from safeschool.web.research.charts import group_shares


def frame(rows):
    return pd.DataFrame(rows, columns=["group", "n", "value", "suppressed"])


def summary(rows) -> str:
    return group_shares(frame(rows), "Left early")["usermeta"]["summary"]


def test_highest_and_lowest_of_the_shown_groups():
    text = summary([("Girls", 80, 0.087, False), ("Boys", 70, 0.143, False), ("Another gender", None, None, True)])
    assert text == "Highest: Boys (14.3\u00a0%); lowest: Girls (8.7\u00a0%)."


def test_one_shown_group_is_not_both_highest_and_lowest():
    text = summary([("Girls", 80, 0.087, False), ("Boys", None, None, True), ("Another gender", None, None, True)])
    assert text == "Only Girls can be shown (8.7\u00a0%); the other groups are hidden."


def test_every_group_hidden():
    assert summary([("Girls", None, None, True)]) == "Every group is hidden to protect small groups."
