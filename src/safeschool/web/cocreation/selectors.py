"""Read-only queries for co-creation: Delphi ratings, results and reports, interview code frequencies."""

from __future__ import annotations

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from safeschool.stats.delphi import Rule, Scale, response, stats_from_counts
from safeschool.stats.disclosure import protect
from safeschool.web.accounts.rules import is_admin
from safeschool.web.cocreation import labels
from safeschool.web.cocreation.models import (
    DelphiStudy,
    Excerpt,
    Interview,
    PairedChange,
    Panellist,
    ParCycle,
    Rating,
    RatingCount,
    Round,
)
from safeschool.web.cocreation.rules import is_research_team
from safeschool.web.hub.models import Practice
from safeschool.web.network.models import Member
from safeschool.web.network.selectors import consenting
from safeschool.web.research.models import School


def rule_of(study: DelphiStudy) -> Rule:
    return Rule(**{k: v for k, v in study.rule.items()})


def ratings_frame(*, study: DelphiStudy, upto: int | None = None, since: int | None = None) -> pd.DataFrame:
    """All ratings as the (panellist, group, statement, round, rating) table stats.delphi reads: one SQL query
    read straight into columns (the ORM's per-row objects took most of a results page at 400,000 ratings)."""
    where, params = ["r.study_id = %s"], [study.pk]
    if upto is not None:
        where.append("r.number <= %s")
        params.append(upto)
    if since is not None:
        where.append("r.number >= %s")
        params.append(since)
    sql = ("SELECT t.panellist_id, p.group, s.code, r.number, t.value FROM cocreation_rating t "
           "JOIN cocreation_round r ON r.id = t.round_id JOIN cocreation_panellist p ON p.id = t.panellist_id "
           "JOIN cocreation_statement s ON s.id = t.statement_id WHERE " + " AND ".join(where))
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("p.group", 'p."group"'), params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=["panellist", "group", "statement", "round", "rating"])


def results(*, study: DelphiStudy, number: int) -> pd.DataFrame:
    """Statistics for every statement of round `number` (with stability against the round before): stored for a
    closed round, computed live for the open one."""
    stored = Round.objects.filter(study=study, number=number).values_list("results", flat=True).first()
    if stored:
        return pd.DataFrame(stored)
    return round_statistics(study=study, number=number)


def round_statistics(*, study: DelphiStudy, number: int) -> pd.DataFrame:
    """A round's statistics from the counts the database triggers keep (RatingCount: per statement, group and
    rating; PairedChange: the changes from the previous round) — no rating is read
    (stats.delphi.stats_from_counts, tested equal to the row-level statistics)."""
    rounds = {r.number: r for r in Round.objects.filter(study=study, number__in=[number, number - 1])}
    if number not in rounds:
        return pd.DataFrame(columns=["statement", "round", "verdict"])
    codes = dict(study.statements.values_list("id", "code"))
    counts = _counts(rounds[number].pk, number, codes)
    if counts.empty:
        return pd.DataFrame(columns=["statement", "round", "verdict"])
    before = rounds.get(number - 1)
    previous = previous_iqr = differences = None
    if before is not None:
        if before.results:  # closed rounds keep their statistics: the previous IQRs come with them
            previous_iqr = {r["statement"]: r["iqr"] for r in before.results}
        else:
            previous = _counts(before.pk, number - 1, codes)
        differences = pd.DataFrame(
            [(codes[s], d, n) for s, d, n in PairedChange.objects.filter(round=rounds[number], n__gt=0)
             .values_list("statement_id", "d", "n")], columns=["statement", "d", "n"])
    return stats_from_counts(counts, differences, rule_of(study), Scale(study.scale_min, study.scale_max),
                             previous=previous, previous_iqr=previous_iqr)


def _counts(round_id: int, number: int, codes: dict[int, str]) -> pd.DataFrame:
    rows = [(codes[s], g, number, v, n) for s, g, v, n in RatingCount.objects.filter(round_id=round_id, n__gt=0)
            .values_list("statement_id", "group", "value", "n")]
    return pd.DataFrame(rows, columns=["statement", "group", "round", "value", "n"])


def code_frequencies(by: str = "group") -> list[dict]:
    """How many excerpts carry each code, per stakeholder group or country of the interviewee."""
    if by not in ("group", "country"):
        raise ValidationError(gettext("by must be group or country"))
    rows = (Excerpt.objects.values("codes__name", f"interview__{by}").annotate(n=Count("id", distinct=True))
            .order_by("codes__name", f"interview__{by}"))
    return [{"code": r["codes__name"], by: r[f"interview__{by}"], "n": r["n"]} for r in rows if r["codes__name"]]


OTHER_GROUPS = "other groups"


def feedback_groups(sizes: dict[str, int], *, minimum: int) -> tuple[list[str], list[str]]:
    """Which stakeholder groups' distributions a panellist may see (the rest are merged into 'other groups').

    A group that gave fewer than `minimum` ratings would show its few panellists' ratings to everyone, so it is
    merged; and since the overall distribution is shown, the merged groups together must also reach `minimum`
    (otherwise overall - shown groups gives them back): the next-smallest groups join them until they do
    (stats.disclosure.protect). Returns (groups shown on their own, groups merged); when every group is merged
    their row would only repeat the overall one, and no group row is shown."""
    protection = protect(sizes, k=minimum, total_shown=True)
    merged = sorted(g for g in sizes if protection.hidden(g))
    return sorted(g for g in sizes if not protection.hidden(g)), merged


def feedback(*, study: DelphiStudy, panellist: Panellist, round: Round) -> list[dict]:
    """Per statement of `round`: last round's distribution (overall and by group, groups under
    settings.DELPHI_MIN_FEEDBACK_GROUP merged into 'other groups'), this panellist's previous rating, the
    anonymised comments, and whether they have rated it in this round already."""
    minimum = settings.DELPHI_MIN_FEEDBACK_GROUP
    previous = round.number - 1
    ratings = Rating.objects.filter(round__study=study, round__number=previous).select_related("panellist")
    by_statement: dict[int, list[Rating]] = {}
    for r in ratings:
        by_statement.setdefault(r.statement_id, []).append(r)
    mine = dict(Rating.objects.filter(round=round, panellist=panellist).values_list("statement_id", "value"))
    scale = range(study.scale_min, study.scale_max + 1)
    rows = []
    for s in round.statements.all():
        last = by_statement.get(s.pk, [])
        sizes: dict[str, int] = {}
        for r in last:
            sizes[r.panellist.group] = sizes.get(r.panellist.group, 0) + 1
        shown, merged = feedback_groups(sizes, minimum=minimum)
        by_group = {g: [sum(1 for r in last if r.value == v and r.panellist.group == g) for v in scale]
                    for g in shown}
        if merged and shown:
            by_group[OTHER_GROUPS] = [sum(1 for r in last if r.value == v and r.panellist.group in merged)
                                      for v in scale]
        rows.append({
            "statement": s, "rated": mine.get(s.pk),
            "overall": [sum(1 for r in last if r.value == v) for v in scale],
            "by_group": by_group,
            "own_previous": next((r.value for r in last if r.panellist_id == panellist.pk), None),
            "comments": [r.comment for r in last if r.comment],
        })
    return rows


def final_report(study: DelphiStudy) -> dict:
    """The ACCORD items software can fill: panel composition, response and attrition per round and group, the
    consensus definition and when it was fixed, results per statement, changes between rounds."""
    rounds = list(study.rounds.order_by("number"))
    frame = ratings_frame(study=study)
    panel = pd.DataFrame(list(study.panel.values_list("pk", "group")), columns=["panellist", "group"])
    composition = list(study.panel.values("group").annotate(n=Count("id")).order_by("group"))
    resp = response(frame, panel).to_dict("records") if not frame.empty else []
    per_round = {r.number: results(study=study, number=r.number) for r in rounds}
    last = per_round[rounds[-1].number] if rounds else pd.DataFrame()
    statements = {s.code: s for s in study.statements.all()}
    changes = []
    for number, table in per_round.items():
        if number == 1 or table.empty:
            continue
        for row in table.to_dict("records"):
            changes.append({"round": number, "statement": row["statement"], "iqr_change": row.get("iqr_change"),
                            "changed": row.get("changed"), "n_paired": row.get("n_paired"),
                            "wilcoxon_p": row.get("wilcoxon_p"), "stable": row.get("stable")})
    final = []
    for row in last.to_dict("records") if len(last) else []:
        s = statements.get(row["statement"])
        final.append(row | {"text": s.text if s else "", "level": s.level if s else ""})
    # statements that settled earlier and left the later rounds keep their last verdict
    shown = {r["statement"] for r in final}
    for number in sorted(per_round, reverse=True):
        for row in per_round[number].to_dict("records"):
            if row["statement"] not in shown:
                s = statements.get(row["statement"])
                final.append(row | {"text": s.text if s else "", "level": s.level if s else "", "settled_in": number})
                shown.add(row["statement"])
    return {"study": study, "rule": labels.rule_text(rule_of(study)), "rule_fixed_at": rounds[0].opened_at if rounds else None,
            "rule_defined_at": study.created_at, "rounds": rounds, "composition": composition,
            "panel_size": sum(c["n"] for c in composition), "response": resp,
            "final": sorted(final, key=lambda r: r["statement"]), "changes": changes}


def interview_list() -> QuerySet:
    return Interview.objects.select_related("interviewee")[:200]


def interviewees_eligible() -> QuerySet:
    """Members who may be asked for an interview: levels (c) and (d) with current consent (cocreation.interview_member
    checks it again when scheduling)."""
    return Member.objects.filter(consenting(), level__in=["c", "d"], user__is_active=True).order_by(
        "display_name")[:300]


def par_cycles_visible(*, user) -> QuerySet:
    """The cycles of the user's own schools and those they are linked to as a researcher (all, for administrators)."""
    cycles = ParCycle.objects.select_related("school")
    if not is_admin(user):
        cycles = cycles.filter(Q(school__staff_appointments__user=user) | Q(researchers=user)).distinct()
    return cycles


def par_schools_startable(*, user) -> QuerySet:
    """The schools where this user may start a cycle (cocreation.start_par_cycle): every school for the research
    team, their own schools for staff."""
    schools = School.objects.all() if is_research_team(user) else School.objects.filter(staff_appointments__user=user)
    return schools.order_by("name")


def practices_for_actions() -> QuerySet:
    """Accepted practices, which a cycle's actions may follow."""
    return Practice.objects.filter(status="accepted").order_by("title")


def member_data(*, member: Member) -> dict:
    """Everything co-creation holds about a member, for "Download all my data" (network/personal_data.py): each
    Delphi panel with the member's ratings and comments, and each interview with its notes, transcript and
    coded excerpts."""
    def at(value):
        return value.isoformat() if value else None

    panels = member.delphi_panels.select_related("study")
    interviews = member.interviews.prefetch_related("excerpts__codes")
    return {
        "delphi": [{"study": p.study.title, "group": p.group, "invited_at": at(p.invited_at),
                    "ratings": [{"round": r.round.number, "statement": r.statement.code, "value": r.value,
                                 "comment": r.comment, "created_at": at(r.created_at)}
                                for r in p.ratings.select_related("round", "statement").order_by("round__number",
                                                                                                   "statement__code")]}
                   for p in panels],
        "interviews": [{"topic": i.topic, "group": i.group, "country": i.country, "scheduled_at": at(i.scheduled_at),
                        "place": i.place, "status": i.status, "consent_at": at(i.consent_at),
                        "consent_method": i.consent_method, "notes": i.notes, "transcript": i.transcript.name,
                        "excerpts": [{"text": e.text, "codes": [c.name for c in e.codes.all()]}
                                     for e in i.excerpts.all()]}
                       for i in interviews],
    }
