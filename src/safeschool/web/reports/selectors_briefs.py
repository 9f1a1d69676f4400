"""Reads of policy briefs: the briefs each role may see, what a brief may be built from (succeeded analyses,
Delphi statements that reached consensus in a closed round, signed-off programmes with strong or moderate
evidence), the recommendations that address an analysis, and a brief's reach — its downloads by country (countries
with fewer than REACH_MIN downloads grouped, so no single reader stands out) and its endorsements (only advocates
whose consent is current count; only those listed in the directory are named)."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext

from safeschool.vocabulary import LEVELS
from safeschool.web.analysis.models import AnalysisRun, Kind, Status
from safeschool.web.cocreation.models import Round, Statement
from safeschool.web.core import formatting
from safeschool.web.core.permissions import authorize
from safeschool.web.hub.models import Programme, Tier
from safeschool.web.network.models import Member
from safeschool.web.network.selectors import consenting
from safeschool.web.reports import rules as _rules  # noqa: F401  (registers the permissions)
from safeschool.web.reports.models import Brief, BriefStatus, Download, Endorsement

MANAGE, VIEW = "reports.manage_briefs", "reports.view_brief"
ENDORSE, REACH = "reports.endorse_brief", "reports.view_brief_reach"
TITLE_MAX = Brief._meta.get_field("title").max_length
TEXT_FIELDS = ("key_messages", "context", "findings", "implications", "limitations")
TEXT_MAX = {name: Brief._meta.get_field(name).max_length for name in TEXT_FIELDS}
REACH_MIN = 5  # a country with fewer downloads is counted under "other countries"
RESERVED_SLUGS = {"new"}  # addresses under /reports/briefs/ a brief's slug must not take
BRIEF_KINDS = (Kind.ECOLOGICAL, Kind.MAIHDA)
STRONGEST = (Tier.STRONG, Tier.MODERATE)  # criterion B tiers a brief may cite, strongest first
# the level of a multilevel model each ecological level of the Safe Education model works at
MODEL_LEVEL = {"student": "individual", "class": "relational", "school": "community", "country": "political"}


def may(user, perm: str, brief: Brief | None = None) -> bool:
    return rules.has_perm(perm, user, brief)


# ------------------------------------------------------------------------------------------------ the briefs
def brief_list(*, user) -> QuerySet:
    """Published briefs for everyone; drafts too for their editors (researchers and administrators)."""
    briefs = Brief.objects.select_related("analysis").order_by("status", "-published_at", "-created_at", "-pk")
    return briefs if may(user, MANAGE) else briefs.filter(status=BriefStatus.PUBLISHED)


def brief_get(*, slug: str, user, perm: str = VIEW) -> Brief:
    """The brief `slug` if `user` holds `perm` on it. A brief the user may not read at all is 404, as an unknown
    one (a draft's existence is not told); an action refused to someone who may read it is 403."""
    if perm == MANAGE:
        authorize(user, MANAGE)  # before the lookup: nothing learnt about which drafts exist
    brief = (Brief.objects.select_related("analysis", "created_by").filter(slug=str(slug)[:80]).first()
             if slug else None)
    if brief is None or not may(user, VIEW, brief):
        raise Http404(gettext("No such policy brief."))
    if perm != VIEW and not may(user, perm, brief):
        raise PermissionDenied(gettext("You do not have permission to do this with this brief."))
    return brief


def brief_by_reference(reference: str) -> Brief | None:
    """A brief by its number or its slug (the command line takes either); None when there is none."""
    reference = str(reference).strip()
    if reference.isdigit():
        found = Brief.objects.filter(pk=int(reference)).first()
        if found:
            return found
    return Brief.objects.filter(slug=reference[:80]).first()


def slug_taken(slug: str) -> bool:
    return slug in RESERVED_SLUGS or Brief.objects.filter(slug=slug).exists()


# ------------------------------------------------------------------------------ what a brief is built from
def analyses_usable() -> QuerySet:
    """Analyses a brief may rest on: succeeded ecological decompositions and MAIHDA runs, newest first."""
    return AnalysisRun.objects.filter(status=Status.SUCCEEDED, kind__in=BRIEF_KINDS).order_by("-finished_at", "-pk")


def consensus() -> dict[int, dict]:
    """Statement id -> how it reached consensus ("in") in its latest closed round that says so: {"median", "q1",
    "q3", "iqr", "n", "round", "study", "closed_at"}. A statement still open, or rated out or uncertain, is not
    here."""
    found: dict[int, dict] = {}
    rounds = (Round.objects.filter(status=Round.Status.CLOSED, results__isnull=False).select_related("study")
              .order_by("study_id", "number"))
    for round_ in rounds:
        codes = dict(Statement.objects.filter(study=round_.study).values_list("code", "pk"))
        for row in round_.results or []:
            pk = codes.get(row.get("statement"))
            if pk is None or row.get("verdict") != "in":
                continue
            found[pk] = {"median": row.get("median"), "q1": row.get("q1"), "q3": row.get("q3"),
                         "iqr": row.get("iqr"), "n": row.get("n"), "round": round_.number,
                         "study": round_.study.title, "study_id": round_.study_id, "closed_at": round_.closed_at}
    return found


def consensus_statements() -> QuerySet:
    """The Delphi statements a brief may recommend (consensus "in" in a closed round), by study, ecological level
    (individual first) and code."""
    level_order = Case(*[When(level=level, then=Value(i)) for i, level in enumerate(LEVELS)],
                       default=Value(len(LEVELS)), output_field=IntegerField())
    return (Statement.objects.filter(pk__in=list(consensus())).select_related("study")
            .annotate(level_order=level_order).order_by("study__title", "level_order", "code"))


def programmes_offered() -> QuerySet:
    """Programmes a brief may cite: signed off by two reviewers, with strong evidence first, then moderate."""
    order = {tier: i for i, tier in enumerate(STRONGEST)}
    signed = (Programme.objects.filter(tier__in=STRONGEST).annotate(
        reviewers=Count("signoffs__reviewer", distinct=True)).filter(reviewers__gte=2))
    pks = sorted(signed.values_list("pk", "tier", "title"), key=lambda r: (order[r[1]], r[2].lower(), r[0]))
    ranked = [pk for pk, _tier, _title in pks]
    return Programme.objects.filter(pk__in=ranked).annotate(
        rank=_rank_case(ranked)).order_by("rank")


def _rank_case(pks: list[int]):
    if not pks:
        return Value(0, output_field=IntegerField())
    return Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(pks)], output_field=IntegerField())


def analysis_levels(run: AnalysisRun) -> list[str]:
    """The ecological levels (individual … political) an analysis points to, most important first: for an
    ecological decomposition, the levels holding the largest shares of the null model's variance (every level
    with at least 10 %, at least the largest); for MAIHDA, the individual level its strata are formed at."""
    result = run.result or {}
    if run.kind == Kind.MAIHDA:
        return ["individual"]
    shares = [(v.get("vpc") or 0.0, MODEL_LEVEL.get(v.get("level"), "")) for v in result.get("variance", [])
              if v.get("step") == "null model"]
    shares = sorted((s for s in shares if s[1]), reverse=True)
    chosen = [level for share, level in shares if share >= 0.10] or [level for _share, level in shares[:1]]
    return [level for level in chosen if level in LEVELS]


def statements_addressing(run: AnalysisRun | None) -> list[Statement]:
    """The consensus statements at the levels `run` points to (the default choice of a new brief)."""
    if run is None:
        return []
    levels = analysis_levels(run)
    chosen = [s for s in consensus_statements() if s.level in levels]
    return sorted(chosen, key=lambda s: (levels.index(s.level), s.study_id, s.code))


# ------------------------------------------------------------------------------------ a brief's contents
def brief_recommendations(brief: Brief) -> list[dict]:
    """The brief's chosen statements with their Delphi figures (only those still in consensus), in order."""
    stats = consensus()
    rows = []
    chosen = sorted(brief.recommendations.select_related("study"), key=lambda s: (
        LEVELS.index(s.level) if s.level in LEVELS else len(LEVELS), s.study_id, s.code))
    for statement in chosen:
        figures = stats.get(statement.pk)
        if figures is not None:
            rows.append({"statement": statement, **figures})
    return rows


def brief_programmes(brief: Brief) -> list[Programme]:
    order = {tier: i for i, tier in enumerate(Tier.values)}
    return sorted(brief.programmes.all(), key=lambda p: (order.get(p.tier, 9), p.title.lower(), p.pk))


def endorsements(brief: Brief) -> dict:
    """{"count", "names"}: endorsements by members whose consent is current (a withdrawn consent takes the
    endorsement out at once); each named as in the directory when they are listed there, else "a network
    member"."""
    counting = Endorsement.objects.filter(brief=brief).filter(
        Q(member__in=_consenting_members())).select_related("member").order_by("endorsed_at", "pk")
    names = [row.member.display_name if row.member.in_directory else gettext("a network member")
             for row in counting]
    return {"count": len(names), "names": names}


def _consenting_members():
    return Member.objects.filter(consenting(), user__is_active=True).values("pk")


def has_endorsed(brief: Brief, user) -> bool:
    member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
    return member is not None and Endorsement.objects.filter(brief=brief, member=member).exists()


def reach(brief: Brief) -> dict:
    """Downloads in total, by format and by country: {"total", "formats": [(label, n)], "countries": [(label, n)],
    "grouped": n in "other countries", "unknown": n with no known country, "note"}. Countries with fewer than
    REACH_MIN downloads are grouped (their sum too, however small: it names no country)."""
    rows = Download.objects.filter(brief=brief)
    total = rows.count()
    formats = [(label.upper() if label else "", n) for label, n in
               rows.values_list("format").annotate(n=Count("pk")).order_by("format")]
    by_country = dict(rows.exclude(country="").values_list("country").annotate(n=Count("pk")))
    shown = sorted(((code, n) for code, n in by_country.items() if n >= REACH_MIN), key=lambda r: (-r[1], r[0]))
    grouped = sum(n for n in by_country.values() if n < REACH_MIN)
    countries = [(formatting.label("country", code), n) for code, n in shown]
    note = gettext("Countries with fewer than %(n)s downloads are counted together as “other countries”, so that "
                   "no single reader stands out. A download's country is its reader's, when a signed-in member "
                   "downloads; no person or address is recorded.") % {"n": REACH_MIN}
    return {"total": total, "formats": formats, "countries": countries, "grouped": grouped,
            "unknown": total - sum(by_country.values()), "note": note}
