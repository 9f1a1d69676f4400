"""Reads of the official indicators for the pages, the reports and the CLI: the current release of each dataset
(its latest import), a country's early-leaving series against the EU targets, its regions, and the network's own
early-leaving share beside it (a different measure, from the research registry, suppressed under MIN_CELL)."""

from __future__ import annotations

import pandas as pd
from django.db.models import Count, F, Max, Q

from safeschool.indicators import eurostat, targets
from safeschool.stats.descriptives import share_ci
from safeschool.vocabulary import MIN_CELL
from safeschool.web.indicators.models import Observation, Release
from safeschool.web.research import selectors as research
from safeschool.web.research.models import Country
from safeschool.web.research.models import Outcome as StudentOutcome

EU = "EU27_2020"  # the EU aggregate: the reference line of every page
SEXES = ("T", "F", "M")


def releases() -> list[Release]:
    """Every imported release, newest first."""
    return list(Release.objects.all())


def release_current() -> dict[str, Release]:
    """dataset -> its current release (the latest imported)."""
    current: dict[str, Release] = {}
    for release in Release.objects.order_by("-imported_at", "-id"):
        current.setdefault(release.dataset, release)
    return current


def release_get(pk) -> Release | None:
    return Release.objects.filter(pk=pk).first()


def has_data() -> bool:
    return Release.objects.exists()


def _as_read(row: Observation) -> eurostat.Observation:
    """A stored observation as the pure package reads it (dims without freq, which is not stored)."""
    dims = [("unit", row.unit), ("sex", row.sex), ("age", row.age)]
    dims += [tuple(part.split("=", 1)) for part in row.other.split(",") if "=" in part]
    return eurostat.Observation(row.dataset, row.geo, row.year, row.value, row.flags, tuple(dims))


def _esl_rows(current: dict[str, Release], geo_filter: Q) -> list[eurostat.Observation]:
    """The ESL rows (18-24, %) of the current releases matching `geo_filter`."""
    if not current:
        return []
    rows = Observation.objects.filter(geo_filter, release__in=list(current.values()),
                                      age=targets.ESL_SELECTION["age"], unit=targets.ESL_SELECTION["unit"],
                                      sex__in=SEXES, other__in=("", f"wstatus={targets.WSTATUS_TOTAL}"))
    return [_as_read(row) for row in rows.only("dataset", "geo", "year", "value", "flags", "sex", "age", "unit",
                                               "other")]


def _series(observations: list[eurostat.Observation], geo: str, current: dict[str, Release]) -> dict | None:
    """The national series of one geo from the first dataset (targets.PREFERENCE) that has it, by sex."""
    for dataset in targets.PREFERENCE:
        rows = [obs for obs in observations if obs.dataset == dataset]
        points = targets.national_series(rows, geo=geo, sex="T")
        if points:
            release = current[dataset]
            return {"code": geo, "points": points,
                    "by_sex": {sex: targets.national_series(rows, geo=geo, sex=sex) for sex in SEXES},
                    "summary": targets.summary(points, targets.TARGET_2030),
                    "summary_2020": targets.summary(points, targets.TARGET_2020),
                    "release": release, "simulated": release.simulated}
    return None


def country_esl(code: str) -> dict | None:
    """A country's (or the EU aggregate's) official ESL series against both targets; None when no current release
    has it. {"code", "points" (sex T), "by_sex", "summary" (2030 target), "summary_2020", "release", "simulated"}."""
    code = (code or "").strip().upper()
    if not code:
        return None
    current = release_current()
    return _series(_esl_rows(current, Q(geo=code)), code, current)


def esl_overview() -> list[dict]:
    """Every geo with a national series, in the pages' order: the network's registry countries (by name), then the
    EU aggregate, then the other countries present (by code); other aggregates (EA20, EU28 ...) are left out."""
    current = release_current()
    observations = _esl_rows(current, Q(country=F("geo")) | Q(geo=EU))
    geos = {obs.geo for obs in observations}
    registry = list(Country.objects.order_by("name"))
    in_registry = {country.code for country in registry}
    order = [country.code for country in registry] + [EU] + sorted(geos - in_registry - {EU})
    found = []
    for geo in order:
        if geo in geos:
            series = _series(observations, geo, current)
            if series is not None:
                found.append(series | {"in_network": geo in in_registry})
    return found


def geo_known(code: str) -> bool:
    """Is `code` a country of the registry or a geo of any current release (for the country page's 404)?"""
    code = (code or "").strip().upper()
    return bool(code) and (Country.objects.filter(code=code).exists()
                           or Observation.objects.filter(geo=code, release__in=list(release_current().values()))
                           .exists())


def registry_country(code: str) -> Country | None:
    return Country.objects.filter(code=(code or "").strip().upper()).first()


def regional_rows(code: str) -> dict | None:
    """The latest rate of each NUTS region of a country (edat_lfse_16, sex T) with the release they come from."""
    release = release_current().get("edat_lfse_16")
    code = (code or "").strip().upper()
    if release is None or not code:
        return None
    rows = Observation.objects.filter(release=release, country=code).exclude(geo=code)
    regions = targets.regional_latest([_as_read(row) for row in rows], country=code)
    if not regions:
        return None
    for region in regions:
        region["distance"] = targets.distance(region["value"], targets.TARGET_2030)
    return {"rows": regions, "release": release, "simulated": release.simulated}


def network_share(code: str) -> dict | None:
    """The network's own early leaving in a country: the share of its students who had left education by the
    last wave (schools of at least MIN_CELL students, as the country pages count them). None when the country is
    not in the registry or has no outcomes; a share over fewer than MIN_CELL students is suppressed (value None,
    suppressed True, reason)."""
    return network_shares().get((code or "").strip().upper())


def network_shares() -> dict[str, dict]:
    """`network_share` of every registry country, counted in two grouped queries once per version of the data
    (the indicators page shows every country's; counting each one's students in Python grew with the network)."""
    return research.profile_cached("network-esl", 0, _network_shares)


def _network_shares() -> dict[str, dict]:
    country = "student__school_class__school__country__code"
    last = {row[country]: row["last"] for row in
            StudentOutcome.objects.values(country).annotate(last=Max("wave__number")).order_by()}
    counts = {(row[country], row["wave__number"]): (row["n"], row["left"]) for row in
              StudentOutcome.objects.filter(student__school_class__school__in=research.published_school_ids())
              .values(country, "wave__number").annotate(n=Count("pk"), left=Count("pk", filter=Q(dropped_out=True)))
              .order_by()}
    out = {}
    for code, wave in last.items():
        if wave is None:
            continue
        n, left = counts.get((code, wave), (0, 0))
        stats = share_ci(pd.Series([1.0] * left + [0.0] * (n - left), dtype=float), MIN_CELL,
                         research.precision("dropped_out"))
        out[code] = {"code": code, "wave": wave, "n": stats.get("n"), "value": stats.get("mean"),
                     "ci_low": stats.get("ci_low"), "ci_high": stats.get("ci_high"),
                     "suppressed": bool(stats.get("suppressed")), "reason": stats.get("reason")}
    return out


def release_geos(release: Release) -> list[str]:
    """The geo codes a release holds, sorted."""
    return sorted(set(release.observations.values_list("geo", flat=True)))
