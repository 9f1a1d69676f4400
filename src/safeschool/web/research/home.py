"""What the research registry adds to the home page (settings.HOME_CONTEXT names `home_context`): the network's
totals and its picture, a tile-grid map of Europe with the schools, students and members of each country."""

from __future__ import annotations

from safeschool.web.research import charts_compare, comparisons, selectors


def home_context(request) -> dict:
    """Students are counted as the country pages count them (schools of at least MIN_CELL students), so that the
    network total minus the countries' reveals no small school."""
    # not cached: members join every day, and the counts are a few grouped queries
    return selectors.home_context(request) | {"network_map": charts_compare.network_map(
        comparisons.network_by_country())}
