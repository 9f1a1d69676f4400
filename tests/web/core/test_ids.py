"""core.ids: one parser for ids read from GET and POST."""

from __future__ import annotations

import pytest

from safeschool.web.core.ids import MAX_ID, ids_or_none, int_or_none


@pytest.mark.parametrize("value", ["abc", "", " ", "-1", "0", "1.5", "9" * 30, str(MAX_ID + 1), "１", None, True,
                                   -3, "0x10", "1e3"])
def test_not_an_id(value):
    assert int_or_none(value) is None


@pytest.mark.parametrize(("value", "expected"), [("1", 1), (" 42 ", 42), (7, 7), (str(MAX_ID), MAX_ID)])
def test_an_id(value, expected):
    assert int_or_none(value) == expected


def test_ids_all_or_nothing():
    assert ids_or_none(["1", "2"]) == [1, 2] and ids_or_none([]) == [] and ids_or_none(["1", "abc"]) is None
