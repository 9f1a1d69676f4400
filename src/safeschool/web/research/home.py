"""What the research registry adds to the home page (settings.HOME_CONTEXT names `home_context`): the network's
totals and its picture, a tile-grid map of Europe with the schools, students and members of each country."""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.utils.translation import get_language

from safeschool.web.research import charts_compare, comparisons, selectors


def home_context(request) -> dict:
    """Students are counted as the country pages count them (schools of at least MIN_CELL students), so that the
    network total minus the countries' reveals no small school."""
    # the counts are not cached (members join every day; a few grouped queries), the map drawn from them is: the
    # same counts in the same language give the same chart, which took most of the page's time to build
    rows = comparisons.network_by_country()
    key = "research:network-map:" + hashlib.sha256(
        json.dumps([get_language(), rows], sort_keys=True, default=str).encode()).hexdigest()
    chart = cache.get(key)
    if chart is None:
        chart = charts_compare.network_map(rows)
        cache.set(key, chart, timeout=24 * 3600)
    return selectors.home_context(request) | {"network_map": chart}
