"""Reads for the school report, its recommendations and the network comparison. The school's own campaign is
scored from its answers (selectors.responses_frame); every other campaign — the peers' and the school's previous
one — is read only as the score rows it kept when it closed (`Campaign.results`), one query for all of them, so a
report costs the same whatever the size of the network. Permissions are checked here as well as in the views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F
from django.utils.translation import gettext as _

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval import report as reports
from safeschool.selfeval.recommend import TIERS
from safeschool.vocabulary import MIN_CELL
from safeschool.web.hub.models import Document, Policy, Practice, PracticeReview, Programme
from safeschool.web.research.models import School
from safeschool.web.selfeval.models import Campaign
from safeschool.web.selfeval.selectors import responses_frame

STAGE_COUNTRY, STAGE = "stage_country", "stage"  # the peers' scopes, narrowest first


def _latest_closed(campaigns) -> dict[int, int]:
    """school id -> the pk of its latest closed campaign, among `campaigns` (one query of three columns)."""
    latest: dict[int, tuple] = {}
    for pk, school_id, closed_at in campaigns.filter(closed_at__isnull=False).values_list("pk", "school_id",
                                                                                           "closed_at"):
        if school_id not in latest or (closed_at, pk) > latest[school_id]:
            latest[school_id] = (closed_at, pk)
    return {school_id: pk for school_id, (_, pk) in latest.items()}


def _results(pks) -> dict[int, dict]:
    """campaign pk -> {school, stage, country, results} (one query; only the JSON rows are read)."""
    rows = Campaign.objects.filter(pk__in=list(pks)).values_list(
        "pk", "school__code", "school__stage", "school__country__code", "results")
    return {pk: {"school": code, "stage": stage, "country": country, "results": results or []}
            for pk, code, stage, country, results in rows}


def peer_results(campaign: Campaign) -> dict[str, list]:
    """The peers' result rows per scope: the latest closed campaign of every other school of the same stage
    in the same country (STAGE_COUNTRY), and in the whole network (STAGE); same questionnaire version."""
    school = campaign.school
    latest = _latest_closed(Campaign.objects.filter(school__stage=school.stage,
                                                    questionnaire_version=campaign.questionnaire_version)
                            .exclude(school=school))
    found = _results(latest.values())
    country = [r["results"] for r in found.values() if r["country"] == school.country.code]
    return {STAGE_COUNTRY: country, STAGE: [r["results"] for r in found.values()]}


def previous_results(campaign: Campaign) -> list | None:
    """The result rows of the school's campaign closed before this one opened (None when there is none)."""
    previous = (Campaign.objects.filter(school_id=campaign.school_id, closed_at__isnull=False,
                                        questionnaire_version=campaign.questionnaire_version,
                                        opened_at__lt=campaign.opened_at)
                .exclude(pk=campaign.pk).order_by("-closed_at", "-pk").values_list("results", flat=True).first())
    return previous


def _merge_fallback(report: dict, wider: dict) -> dict:
    """Comparison rows without a percentile among the country's schools take the network-wide one (same stage)."""
    by_key = {(r["level"], r["code"], r["informant"]): r for r in wider.get("comparison") or []}
    merged = []
    for row in report.get("comparison") or []:
        other = by_key.get((row["level"], row["code"], row["informant"]))
        merged.append(other if row.get("percentile") is None and other and other.get("percentile") is not None
                      else row)
    return report | {"comparison": merged}


def campaign_report(campaign: Campaign, user, questionnaire=None) -> dict:
    """The school report of a closed campaign (report.school_report): its groups, scores, gaps, strengths and
    priorities, the comparison with its peers (the same stage in its country; the same stage across the network for
    a score too few of them have), the change since its previous campaign, and reliability."""
    if not user.has_perm("selfeval.view_report", campaign.school):
        raise PermissionDenied(_("You may not see this school's self-evaluation."))
    questionnaire = questionnaire or questionnaires.load(campaign.questionnaire_version)
    frame = responses_frame(campaign, questionnaire)
    peers = peer_results(campaign)
    previous = previous_results(campaign)
    if len(peers[STAGE_COUNTRY]) >= MIN_CELL:
        report = reports.school_report(frame, questionnaire, peers=peers[STAGE_COUNTRY], peers_scope=STAGE_COUNTRY,
                                       previous=previous)
        missing = any(r.get("percentile") is None for r in report.get("comparison") or [])
        if missing and len(peers[STAGE]) > len(peers[STAGE_COUNTRY]):
            report = _merge_fallback(report, reports.school_report(frame, questionnaire, peers=peers[STAGE],
                                                                   peers_scope=STAGE))
    else:
        report = reports.school_report(frame, questionnaire, peers=peers[STAGE], peers_scope=STAGE,
                                       previous=previous)
    return report | {"peer_counts": {scope: len(rows) for scope, rows in peers.items()}}


def _practices(fields) -> list[dict]:
    reviews: dict[int, list[dict]] = {}
    for review in PracticeReview.objects.filter(practice__status=Practice.Status.ACCEPTED, decision="accept",
                                                round=F("practice__round")).values("practice_id", "fit", "tier"):
        reviews.setdefault(review["practice_id"], []).append(review)
    out = []
    for row in Practice.objects.filter(status=Practice.Status.ACCEPTED).order_by("title", "pk").values(*fields):
        mine = reviews.get(row["id"]) or []
        principles = sorted({str(p) for r in mine for p in (r["fit"] or {})})
        fit = {p: sum(float((r["fit"] or {}).get(p) or 0) for r in mine) / len(mine) for p in principles}
        tiers = [r["tier"] for r in mine if r["tier"] in TIERS]
        out.append(row | {"status": Practice.Status.ACCEPTED, "fit": fit,
                          "tier": max(tiers, key=TIERS.index) if tiers else None})
    return out


def catalogue(stage: str) -> dict[str, list[dict]]:
    """The Hub's entries recommendations match, as plain dicts (recommend.recommend): published programmes (signed
    off by two reviewers, as the Hub publishes them) and library documents for the school's stage or every stage,
    policies, and every accepted practice with its published rubric — criterion A `fit` the mean of its accepting
    reviews in its accepted round (hub.selectors.practice_rubric), criterion B `tier` the weakest they gave
    (recommend.recommend ranks the school's stage first). Five queries."""
    fields = ("id", "title", "country", "level", "stages")

    def for_stage(rows):
        return [r for r in rows if not r["stages"] or stage in r["stages"]]

    return {
        "programmes": for_stage(Programme.objects.annotate(reviewers=Count("signoffs__reviewer", distinct=True))
                               .filter(reviewers__gte=2).order_by("title", "pk").values(*fields, "fit", "tier", "url")),
        "practices": _practices(fields),
        "policies": list(Policy.objects.order_by("title", "pk").values(*fields, "year", "url")),
        "documents": for_stage(Document.objects.order_by("title", "pk").values(*fields, "kind")),
    }


def network_results(user, questionnaire_version: int = 1) -> tuple[dict[str, list], dict[str, dict]]:
    """For researchers and administrators: every school's latest closed campaign's result rows by school code, and
    each school's {stage, country} (report.network_summary's arguments). Two queries."""
    if not user.has_perm("selfeval.view_network"):
        raise PermissionDenied(_("Only researchers and administrators see the network comparison."))
    latest = _latest_closed(Campaign.objects.filter(questionnaire_version=questionnaire_version))
    found = {pk: r for pk, r in _results(latest.values()).items() if r["results"]}  # an empty campaign adds nothing
    return ({r["school"]: r["results"] for r in found.values()},
            {r["school"]: {"stage": r["stage"], "country": r["country"]} for r in found.values()})


def network_schools(user):
    """The schools a researcher may highlight on the network comparison (those with a closed campaign)."""
    if not user.has_perm("selfeval.view_network"):
        raise PermissionDenied(_("Only researchers and administrators see the network comparison."))
    return (School.objects.filter(selfeval_campaigns__closed_at__isnull=False).distinct()
            .select_related("country").only("pk", "code", "name", "stage", "country__code", "country__name")
            .order_by("country__name", "name"))
