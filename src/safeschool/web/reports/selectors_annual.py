"""What the network's annual report counts, read from each area's own records: members (by stakeholder type,
participation level and country, and who joined in the year), schools (by stage and country), Safe School Label
awards, trials with their primary results, and the outputs published in the year.

Small counts are hidden here, at the source, so nothing about a small group reaches a renderer: a member breakdown
hides every count under MIN_CELL and, with complementary suppression (stats.disclosure.protect), as many more as it
takes for no hidden count to follow from the total; students are counted only in schools of at least MIN_CELL
students (as the country pages count them), and a breakdown of them is protected the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from safeschool.stats.disclosure import protect
from safeschool.vocabulary import MIN_CELL, STAGES
from safeschool.web.interventions import selectors_impact
from safeschool.web.interventions.models import ImpactRun, RunStatus, Trial, TrialStatus
from safeschool.web.label.models import Award
from safeschool.web.label.selectors import current_awards
from safeschool.web.learning import selectors_site
from safeschool.web.learning.models import Certificate, Edition
from safeschool.web.network.models import Level, Member, StakeholderType
from safeschool.web.network.selectors import active_members, consenting
from safeschool.web.reports.models import Brief, BriefStatus
from safeschool.web.research.models import School

FIRST_YEAR = 2000


def year_valid(year: int) -> bool:
    """A year the annual report is written for: from 2000 to next year (a report of the year to come says it has
    nothing yet)."""
    return FIRST_YEAR <= year <= timezone.localdate().year + 1


def year_span(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year as [1 January, next 1 January) in the site's time zone."""
    zone = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone))


def as_of(year: int) -> dt.date:
    """The day the year's standing figures are taken at: 31 December, or today for the year in progress."""
    return min(dt.date(year, 12, 31), timezone.localdate())


@dataclass(frozen=True)
class Tally:
    """One cell of a breakdown: `n` is None when hidden, `reason` says why (stats.disclosure)."""

    code: str
    n: int | None
    reason: str | None = None


def protected(counts: dict[str, int]) -> tuple[list[Tally], bool]:
    """A breakdown under primary and complementary suppression (its total shown), and whether the total itself
    must be hidden (the hidden cells together still hold fewer than MIN_CELL)."""
    protection = protect(counts, k=MIN_CELL, total_shown=True)
    cells = [Tally(code, None if protection.hidden(code) else n, protection.reasons[code]) for code, n in counts.items()]
    return cells, protection.parent_hidden


def _counts(queryset, field: str, codes) -> dict[str, int]:
    found = dict(queryset.values_list(field).annotate(n=Count("id")).order_by())
    keys = list(codes) if codes is not None else sorted(found)
    return {code: found.get(code, 0) for code in keys}


def members(year: int) -> dict:
    """Members who had joined by the end of the year and still take part (active account, current consent), as
    they are now; those who joined in the year. Every count under MIN_CELL is hidden, with its complements."""
    start, end = year_span(year)
    joined = Member.objects.filter(active_members(), consenting(), joined_at__lt=end).exclude(stakeholder_type="")
    total = joined.count()
    by_type, hide_1 = protected(_counts(joined, "stakeholder_type", StakeholderType.values))
    by_level, hide_2 = protected(_counts(joined, "level", Level.values))
    by_country, hide_3 = protected({k: v for k, v in _counts(joined, "country", None).items() if v})
    new = joined.filter(joined_at__gte=start).count()
    return {"total": None if (hide_1 or hide_2 or hide_3 or 0 < total < MIN_CELL) else total,
            "by_type": by_type, "by_level": by_level, "by_country": by_country,
            "joined": None if 0 < new < MIN_CELL else new, "any": total > 0}


def schools() -> dict:
    """The network's schools by stage and by country (schools are counted whatever their size; students only in
    schools of at least MIN_CELL students, each breakdown protected)."""
    rows = list(School.objects.annotate(n=Count("classes__students")).values_list("stage", "country__code", "n"))

    def breakdown(position: int, codes) -> list[dict]:
        keys = list(codes) if codes is not None else sorted({r[position] for r in rows})
        n_schools = {key: sum(1 for r in rows if r[position] == key) for key in keys}
        students = {key: sum(r[2] for r in rows if r[position] == key and r[2] >= MIN_CELL) for key in keys}
        cells, _hide = protected(students)
        return [{"code": c.code, "schools": n_schools[c.code], "students": c.n, "reason": c.reason} for c in cells]

    return {"schools": len(rows), "countries": len({r[1] for r in rows}),
            "students": sum(r[2] for r in rows if r[2] >= MIN_CELL),
            "small": sum(1 for r in rows if 0 < r[2] < MIN_CELL),
            "by_stage": [r for r in breakdown(0, STAGES) if r["schools"]], "by_country": breakdown(1, None)}


def label_awards(year: int) -> dict:
    """Awards made in the year (later revoked ones too: they were made) by country and level; the register's size
    at the end of the year (the public register is open to all, so nothing here is hidden)."""
    awards = Award.objects.filter(awarded_on__year=year)
    rows = list(awards.values_list("school__country__code", "level").annotate(n=Count("id"))
                .order_by("school__country__code", "level"))
    by_level = dict(awards.values_list("level").annotate(n=Count("id")).order_by())
    return {"awarded": awards.count(), "rows": [{"country": c, "level": lv, "n": n} for c, lv, n in rows],
            "by_level": by_level, "register": current_awards(today=as_of(year)).count(), "as_of": as_of(year)}


def _primary_result(trial: Trial) -> dict | None:
    """The latest succeeded run of the primary outcome whose figures may be shown (every arm >= MIN_CELL)."""
    for run in ImpactRun.objects.filter(trial=trial, outcome=trial.primary_outcome, status=RunStatus.SUCCEEDED):
        if selectors_impact.shown(run):
            result = run.result or {}
            low, high = (result.get("effect_size_ci") or [None, None])[:2]
            attrition = selectors_impact.attrition_view(run.attrition) or {}
            students = attrition.get("students") or {}
            return {"run": run, "g": result.get("effect_size"), "low": low, "high": high,
                    "method": result.get("effect_size_method", ""), "n": result.get("n"),
                    "attrition": students.get("verdict"), "boundary": attrition.get("used")}
    return None


def trials(year: int) -> list[dict]:
    """Every trial registered by the end of the year, with its design, status (now) and clusters; a completed
    trial's primary result when it may be shown."""
    _start, end = year_span(year)
    found = []
    for trial in Trial.objects.filter(created_at__lt=end).select_related("allocation").order_by("created_at", "pk"):
        allocation = getattr(trial, "allocation", None)
        clusters = allocation.units.count() if allocation is not None else trial.schools.count()
        unit = "class" if (allocation is not None and trial.unit == "class") else "school"
        found.append({"trial": trial, "clusters": clusters, "unit": unit,
                      "result": _primary_result(trial) if trial.status == TrialStatus.COMPLETED else None})
    return found


def outputs(year: int) -> dict:
    """The public outputs published in the year (learning's list: state-of-the-art reports, resource packs,
    courses, handbook versions, case studies), the course editions that started in it, the certificates issued in
    it (a count) and the policy briefs published in it."""
    start, end = year_span(year)
    published = [o for o in selectors_site.outputs() if start <= o.published_at < end]
    editions = list(Edition.objects.filter(course__published_at__isnull=False, starts_on__year=year)
                    .select_related("course").order_by("starts_on", "pk"))
    certificates = Certificate.objects.filter(issued_at__gte=start, issued_at__lt=end, revoked_at__isnull=True).count()
    briefs = list(Brief.objects.filter(status=BriefStatus.PUBLISHED, published_at__gte=start, published_at__lt=end)
                  .order_by("published_at", "pk"))
    return {"by_kind": selectors_site.by_kind(sorted(published, key=lambda o: o.published_at)),
            "editions": editions, "certificates": certificates, "briefs": briefs}


def first_year() -> int:
    """The first year the network has anything to report (a member, an award, a trial, a published output),
    never before 2000; this year when it has nothing yet."""
    dates = [Member.objects.order_by("joined_at").values_list("joined_at", flat=True).first(),
             Trial.objects.order_by("created_at").values_list("created_at", flat=True).first(),
             Award.objects.order_by("awarded_on").values_list("awarded_on", flat=True).first(),
             *(o.published_at for o in selectors_site.outputs()[-1:])]
    years = [d.year for d in dates if d is not None]
    return max(FIRST_YEAR, min(years, default=timezone.localdate().year))


def annual_years() -> list[int]:
    """The years an annual report is offered for, newest first (this year's is the year so far)."""
    return list(range(timezone.localdate().year, first_year() - 1, -1))
