"""Reads of the public site: every published output (state-of-the-art reports, resource packs, courses and their
open editions, the handbook, case studies) with a one-line description, its address and its date — what /learning/
lists, the Atom feed carries and the sitemap names. Drafts, enrolments and people are never read here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from safeschool.web.learning.models import CaseStudy, Course, Edition, Handbook, ResourcePack
from safeschool.web.recs.models import StateReport

KINDS = ("report", "pack", "course", "handbook", "case")


@dataclass(frozen=True)
class Output:
    kind: str
    key: str  # unique across the site, for the feed's ids
    title: str
    description: str
    url: str
    published_at: dt.datetime


def url_or_none(name: str, *args) -> str | None:
    """The address of a page another area serves, or None while that area does not serve it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _line(text: str, chars: int = 180) -> str:
    return Truncator(" ".join((text or "").split())).chars(chars)


def _home_anchor(key: str) -> str:
    return reverse("learning:home") + f"#{key}"


def outputs() -> list[Output]:
    """Every published output, newest first."""
    found: list[Output] = []
    for r in StateReport.objects.filter(published_at__isnull=False):
        key = f"report-{r.version}"
        found.append(Output("report", key, r.title, _("State-of-the-art report, version %(v)s.") % {"v": r.version},
                            url_or_none("learning:public_report", r.version) or _home_anchor(key), r.published_at))
    for p in ResourcePack.objects.filter(published_at__isnull=False):
        key = f"pack-{p.number}-{p.version}"
        found.append(Output("pack", key, str(p), _line(p.summary) or _("Resource pack %(n)s.") % {"n": p.number},
                            url_or_none("learning:pack", p.slug) or _home_anchor(key), p.published_at))
    for c in Course.objects.filter(published_at__isnull=False):
        key = f"course-{c.slug}-{c.version}"
        found.append(Output("course", key, f"{c.title} (v{c.version})", _line(c.summary) or c.get_kind_display(),
                            url_or_none("learning:course", c.slug, c.version) or _home_anchor(key), c.published_at))
    for h in Handbook.objects.filter(published_at__isnull=False):
        key = f"handbook-{h.version}-{h.language}"
        found.append(Output("handbook", key, f"{h.title} (v{h.version}, {h.language})",
                            _line(h.subtitle) or _("The handbook on school–REC partnership working."),
                            reverse("learning:handbook_version", args=[h.version, h.language]), h.published_at))
    for s in CaseStudy.objects.filter(published_at__isnull=False):
        key = f"case-{s.slug}"
        found.append(Output("case", key, s.title, _line(s.context),
                            url_or_none("learning:case", s.slug) or _home_anchor(key), s.published_at))
    return sorted(found, key=lambda o: o.published_at, reverse=True)


def by_kind(found: list[Output]) -> dict[str, list[Output]]:
    return {kind: [o for o in found if o.kind == kind] for kind in KINDS}


def open_editions():
    """Editions of published courses still to start and open for enrolment (dates and venue only)."""
    return (Edition.objects.filter(course__published_at__isnull=False, enrolment_open=True,
                                   starts_on__gte=timezone.localdate())
            .select_related("course").order_by("starts_on"))
