"""Reads for case studies: the public list (published only, with its filters), one case study for a user (a draft
only for those who may edit it), the drafts a user may work on, the form's choices and the suggested citation."""

from __future__ import annotations

import datetime as dt

import rules
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from safeschool import vocabulary
from safeschool.web.hub.models import Practice
from safeschool.web.interventions.models import Intervention, InterventionStatus
from safeschool.web.learning import rules_cases  # noqa: F401  (registers the permissions)
from safeschool.web.learning.models import CaseStudy
from safeschool.web.research.models import RegionalEducationalCentre, School

SEARCH_MAX = 100


def has(user, perm: str, obj=None) -> bool:
    """The rule itself, not Django's superuser shortcut."""
    return rules.has_perm(perm, user, obj)


def _related() -> QuerySet[CaseStudy]:
    return CaseStudy.objects.select_related("school", "school__country", "rec")


def cases_public(*, country: str = "", stage: str = "", rec: int | None = None, school: int | None = None,
                 practice: int | None = None, intervention: int | None = None, q: str = "") -> QuerySet[CaseStudy]:
    """Published case studies, newest first, narrowed by the filters given (each optional)."""
    cases = _related().filter(published_at__isnull=False)
    if country:
        cases = cases.filter(country=country)
    if stage:
        cases = cases.filter(stages__icontains=f'"{stage}"')  # SQLite has no JSON `contains`
    if rec:
        cases = cases.filter(rec_id=rec)
    if school:
        cases = cases.filter(school_id=school)
    if practice:
        cases = cases.filter(practices__id=practice)
    if intervention:
        cases = cases.filter(interventions__id=intervention)
    q = (q or "").strip()[:SEARCH_MAX]
    if q:
        text = Q()
        for field in ("title", "authors", "context", "partnership", "practice", "evidence", "outcomes", "lessons",
                      "transferability"):
            text |= Q(**{f"{field}__icontains": q})
        cases = cases.filter(text)
    return cases.distinct().order_by("-published_at", "title")


def filter_choices() -> dict:
    """What the public filters offer: only values some published case study has."""
    published = CaseStudy.objects.filter(published_at__isnull=False)
    countries = set(published.exclude(country="").values_list("country", flat=True))
    stages = {s for row in published.values_list("stages", flat=True) for s in (row or [])}
    return {
        "countries": [(c, label) for c, label in vocabulary.COUNTRIES if c in countries],
        "stages": [(s, label) for s, label in vocabulary.STAGE_LABELS.items() if s in stages],
        "recs": RegionalEducationalCentre.objects.filter(case_studies__in=published).distinct().order_by("name"),
        "schools": School.objects.filter(case_studies__in=published).distinct().order_by("name"),
        "practices": Practice.objects.filter(case_studies__in=published).distinct().order_by("title"),
        "interventions": Intervention.objects.filter(case_studies__in=published).distinct().order_by("name"),
    }


def case_for(user, slug: str) -> CaseStudy | None:
    """The case study at `slug` if `user` may see it (published: everyone; a draft: its editors), else None."""
    case = _related().filter(slug=slug).first() if slug else None
    return case if case is not None and has(user, "learning.view_case", case) else None


def drafts_for(user) -> QuerySet[CaseStudy]:
    """Unpublished case studies the user may edit: all for researchers/admins, their schools' for school staff."""
    drafts = _related().filter(published_at__isnull=True).order_by("-created_at")
    if has(user, "learning.publish_case"):
        return drafts
    if has(user, "learning.write_cases"):
        return drafts.filter(school__staff_appointments__user=user).distinct()
    return drafts.none()


def linked_practices(case: CaseStudy) -> QuerySet[Practice]:
    """Only accepted (published) Hub practices are shown beside a case study."""
    return case.practices.filter(status=Practice.Status.ACCEPTED).order_by("title")


def linked_interventions(case: CaseStudy) -> QuerySet[Intervention]:
    """Interventions still being co-produced are not named on a public page."""
    return case.interventions.exclude(status=InterventionStatus.DRAFT).order_by("name")


def form_choices(user) -> dict:
    """The schools a user may attach a case study to (researchers: all; staff: their own), RECs, accepted
    practices and interventions that are not drafts."""
    schools = School.objects.select_related("country").order_by("name")
    if not has(user, "learning.publish_case"):
        schools = schools.filter(staff_appointments__user=user).distinct()
    return {"schools": schools, "recs": RegionalEducationalCentre.objects.order_by("name"),
            "practices": Practice.objects.filter(status=Practice.Status.ACCEPTED).order_by("title"),
            "interventions": Intervention.objects.exclude(status=InterventionStatus.DRAFT).order_by("name")}


def citation(case: CaseStudy, url: str, accessed: dt.date) -> str:
    """authors (year). title. safeschool network case study. URL, accessed date."""
    year = (case.published_at or case.created_at).year
    return _("%(authors)s (%(year)s). %(title)s. safeschool network case study. %(url)s, accessed %(date)s.") % {
        "authors": case.authors, "year": year, "title": case.title.rstrip("."), "url": url,
        "date": accessed.isoformat()}


def author_names(case: CaseStudy) -> list[str]:
    """The authors one by one, for the citation_author metadata: split at semicolons and " and "."""
    names = [part.strip() for chunk in case.authors.split(";") for part in chunk.split(" and ")]
    return [name for name in names if name]
