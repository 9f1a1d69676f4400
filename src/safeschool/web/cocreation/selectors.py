"""Read-only queries for Delphi pages and reports."""

from __future__ import annotations

import pandas as pd
from django.db.models import Count

from safeschool.stats.delphi import response
from safeschool.web.cocreation.models import DelphiStudy, Panellist, Rating, Round
from safeschool.web.cocreation.services import ratings_frame, results, rule_of


def feedback(*, study: DelphiStudy, panellist: Panellist, round: Round) -> list[dict]:
    """Per statement of `round`: last round's distribution (overall and by group), this panellist's previous
    rating, the anonymised comments, and whether they have rated it in this round already."""
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
        groups = sorted({r.panellist.group for r in last})
        rows.append({
            "statement": s, "rated": mine.get(s.pk),
            "overall": [sum(1 for r in last if r.value == v) for v in scale],
            "by_group": {g: [sum(1 for r in last if r.value == v and r.panellist.group == g) for v in scale]
                         for g in groups},
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
    return {"study": study, "rule": rule_of(study).describe(), "rule_fixed_at": rounds[0].opened_at if rounds else None,
            "rule_defined_at": study.created_at, "rounds": rounds, "composition": composition,
            "panel_size": sum(c["n"] for c in composition), "response": resp,
            "final": sorted(final, key=lambda r: r["statement"]), "changes": changes}
