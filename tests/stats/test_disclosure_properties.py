"""Property: for any small cohort or breakdown (groups of 1-9 students included), nothing published lets a group
of fewer than 10 students be recovered by subtraction from its parent, and hidden cells carry no figures."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from safeschool.stats import descriptives as d
from safeschool.stats.disclosure import protect, suppress_groups
from safeschool.vocabulary import MIN_CELL

# cell sizes: often 1-9 (the groups to protect), sometimes empty or large
SIZES = st.one_of(st.integers(1, MIN_CELL - 1), st.integers(0, 60))
BREAKDOWN = st.lists(SIZES, min_size=1, max_size=8)


def _small(n: int) -> bool:
    return 0 < n < MIN_CELL


@settings(max_examples=300, deadline=None)
@given(BREAKDOWN)
def test_no_small_cell_equals_parent_minus_the_shown_cells(sizes):
    counts = {f"c{i}": n for i, n in enumerate(sizes)}
    protection = protect(counts)
    parent = sum(sizes)
    if protection.parent_hidden or _small(parent):
        return  # the parent is not published: nothing to subtract from
    shown = sum(n for key, n in counts.items() if not protection.hidden(key))
    hidden = [n for key, n in counts.items() if protection.hidden(key)]
    assert not _small(parent - shown)  # the hidden cells together are 0 or at least 10 students
    assert all(n != parent - shown for n in hidden) or len(hidden) == 0
    assert all(not _small(n) for key, n in counts.items() if not protection.hidden(key))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(SIZES, st.floats(1, 5, allow_nan=False)), min_size=1, max_size=6),
       st.integers(0, 2**16))
def test_no_small_cells_mean_follows_from_the_parent_mean(cells, seed):
    """parent mean x N - sum of shown n x mean is the sum over the hidden cells: it must cover 0 or >= 10 students."""
    rng = pd.Series(range(1000)).sample(frac=1, random_state=seed).to_numpy() / 1000.0
    values = {f"c{i}": pd.Series([centre + rng[j % 1000] for j in range(n)]) for i, (n, centre) in enumerate(cells)}
    published = d.breakdown_means(values, digits=2)
    everyone = pd.concat(list(values.values())) if values else pd.Series(dtype=float)
    parent = d.mean_ci(everyone, digits=2)
    for stat in published.values():
        if stat["suppressed"]:
            assert stat["n"] is None and stat["mean"] is None and stat["ci_low"] is None
        else:
            assert stat["n"] >= MIN_CELL and stat["mean"] == round(stat["mean"], 2)
    if parent["suppressed"]:
        return
    hidden_n = parent["n"] - sum(s["n"] for s in published.values() if not s["suppressed"])
    assert not _small(hidden_n)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["F", "M", "X", "Y"]), st.booleans(), st.floats(350, 650)),
                min_size=1, max_size=80))
def test_profile_tables_hide_small_groups_and_what_would_reveal_them(rows):
    frame = pd.DataFrame(rows, columns=["gender", "dropped_out", "achievement"])
    truth = frame.groupby("gender").size()
    table = d.group_breakdown(frame, "gender", "dropped_out", share=True, digits=3).set_index("key")
    for key, row in table.iterrows():
        if row.suppressed:
            assert pd.isna(row.n) and pd.isna(row.value)
        else:
            assert row.n == truth[key] and (row.n >= MIN_CELL or row.n == 0)
    hidden_n = sum(int(truth[k]) for k in table.index if table.loc[k, "suppressed"])
    assert not _small(hidden_n) or len(frame) < MIN_CELL
    bands = d.banded_counts(frame.achievement, d.ACHIEVEMENT_BANDS)
    assert bands[bands.suppressed]["count"].isna().all() and bands[bands.suppressed]["share"].isna().all()
    shown = bands[~bands.suppressed]["count"].sum()
    assert not _small(len(frame) - shown) or len(frame) < MIN_CELL


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text("abc", min_size=1, max_size=3), st.tuples(SIZES, st.floats(0, 1)), min_size=1,
                       max_size=6))
def test_suppressed_group_cells_keep_no_count_or_value(groups):
    for cell in suppress_groups(groups).values():
        if cell.suppressed:
            assert cell.n in (None, 0) and cell.value is None
