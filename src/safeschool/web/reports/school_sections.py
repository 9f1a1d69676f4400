"""The school's own work in its profile report: its latest self-evaluation as its report publishes it (groups below
their respondent threshold left out), its Safe School Label, its current action plan and the practices recommended
for it. Read through the selectors of selfeval, label and hub with the reader's permissions (the command line reads
as the operator, an administrator)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from safeschool.publishing.document import Chart, Facts, Figure, Links, Paragraph, Section
from safeschool.selfeval.recommend import TIERS, recommend
from safeschool.web.core import formatting
from safeschool.web.hub.models import Tier
from safeschool.web.label import selectors as label_selectors
from safeschool.web.reports.common import table
from safeschool.web.research.models import School
from safeschool.web.selfeval import reports as selfeval_reports
from safeschool.web.selfeval import selectors_plans, selectors_reports
from safeschool.web.selfeval.models import Campaign

PRACTICES_FOR_STAGE = 5  # without recommendations: this many of the Hub's programmes and practices for the stage


def day(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else formatting.MISSING


# ------------------------------------------------------------------------------------------- self-evaluation
def selfeval_data(school: School, user) -> tuple[Campaign | None, object, dict | None]:
    """The latest closed campaign, its questionnaire and its report data (campaign_report), or Nones."""
    campaign = selectors_plans.latest_closed_campaign(school=school)
    if campaign is None:
        return None, None, None
    q = selectors_plans.questionnaire(campaign.questionnaire_version)
    return campaign, q, selectors_reports.campaign_report(campaign, user, q)


def selfeval_section(school: School, campaign: Campaign | None, q, data: dict | None) -> Section:
    title = gettext("Self-evaluation")
    if campaign is None:
        return Section(title, [Paragraph(gettext("No self-evaluation yet: the school has not closed a "
                                                 "self-evaluation campaign."))], anchor="selfeval")
    view = selfeval_reports.page(data, q, school)
    blocks: list = [Paragraph(gettext("From the campaign “%(title)s”, closed on %(day)s. Scores run from 0 to 100 "
                                      "for each group that answered; a group with fewer respondents than its "
                                      "threshold is not shown.") % {"title": campaign.title,
                                                                     "day": day(campaign.closed_at)})]
    blocks.append(table(gettext("Who answered"), [("group", gettext("Group"), "text"),
                                                  ("respondents", gettext("Respondents"), "text")],
                        [{"group": g["label"], "respondents": g["text"]} for g in view["groups"]]))
    if view["shown"]:
        columns = [("dimension", gettext("Dimension"), "text")] + [
            (f"score_{g}", label, "number:0") for g, label in zip(view["shown"], view["shown_labels"], strict=True)]
        rows = [{"dimension": dim["name"], **{f"score_{c['informant']}": c["score_100"] for c in dim["cells"]}}
                for dim in view["dimensions"]]
        chart_rows = [{"dimension": row["name"], "group": formatting.label("informant", row["informant"]),
                       "score": row["score_100"]} for row in view["dimension_chart"] if row["score_100"] is not None]
        best = max(chart_rows, key=lambda r: r["score"]) if chart_rows else None
        summary = (gettext("Highest score: %(dimension)s as %(group)s see it (%(score)s of 100).") % {
            "dimension": best["dimension"], "group": best["group"].lower(),
            "score": formatting.number(best["score"], 0)} if best else gettext("No dimension could be scored."))
        blocks.append(Figure(
            name="selfeval-dimensions", title=gettext("Self-evaluation scores by dimension and group"),
            summary=summary,
            chart=Chart(kind="bars", rows=chart_rows, value="score", category="dimension", series="group",
                        format="number:0", value_title=gettext("Score (0-100)"),
                        category_title=gettext("Dimension"), domain=(0.0, 100.0)),
            table=table(gettext("Dimension scores (0-100) by group"), columns, rows)))
    for key, heading in (("strengths", gettext("Strengths")), ("priorities", gettext("Priorities"))):
        if view[key]:
            blocks.append(Facts([(heading, "; ".join(f"{p['name']} ({formatting.number(p.get('score_100'), 0)})"
                                                     for p in view[key]))]))
    blocks.append(Links([(gettext("The full self-evaluation report"), reverse("selfeval:report",
                                                                            args=[campaign.pk]))]))
    return Section(title, blocks, anchor="selfeval")


# ----------------------------------------------------------------------------------------------------- label
def label_section(school: School) -> Section:
    title = gettext("Safe School Label")
    award = label_selectors.current_awards().filter(school=school).order_by("-awarded_on", "-pk").first()
    if award is not None:
        return Section(title, [
            Facts([(gettext("Level"), formatting.label("label_level", award.level)),
                   (gettext("Awarded on"), day(award.awarded_on)),
                   (gettext("Valid until"), day(award.valid_until)),
                   (gettext("Verification code"), award.verification_code)]),
            Links([(gettext("Verify this label"), reverse("label:verify_code", args=[award.verification_code]))]),
        ], anchor="label")
    application = label_selectors.open_application(school)
    if application is not None:
        return Section(title, [Paragraph(
            gettext("The school has applied for the level “%(level)s” (submitted on %(day)s); the application is "
                    "%(status)s.") % {"level": formatting.label("label_level", application.level),
                                      "day": day(application.submitted_at),
                                      "status": formatting.label("application_status", application.status).lower()})],
            anchor="label")
    return Section(title, [Paragraph(gettext("The school does not hold the Safe School Label and has no open "
                                             "application."))], anchor="label")


# ------------------------------------------------------------------------------------------------------ plan
def current_plan(school: School, user):
    """The plan in progress (else the latest draft), newest first; None without one."""
    plans = list(selectors_plans.plan_list(school=school, user=user))
    return next((p for p in plans if p.status == "active"), None) or next(
        (p for p in plans if p.status == "draft"), None)


def plan_section(school: School, user) -> Section:
    title = gettext("Action plan")
    plan = current_plan(school, user)
    if plan is None:
        return Section(title, [Paragraph(gettext("The school has no current action plan."))], anchor="plan")
    detail = selectors_plans.plan_detail(plan=plan, user=user)
    goals, actions = [], []
    for number, row in enumerate(detail["goals"], start=1):
        goal = row["goal"]
        goals.append({"number": number, "goal": goal.description, "subdimension": row["subdimension"],
                      "indicator": row["indicator"], "group": formatting.label("informant", goal.informant),
                      "target": goal.target, "progress": row["progress"].sentence})
        for action in row["actions"]:
            actions.append({"goal": number, "action": action.description, "owner": action.owner,
                            "due": day(action.due_on), "status": formatting.label("action_status", action.status)})
    blocks = [Facts([(gettext("Plan"), plan.title), (gettext("Status"), formatting.label("plan_status", plan.status)),
                     (gettext("Started from"), plan.baseline.title if plan.baseline else formatting.MISSING)])]
    if goals:
        blocks.append(table(gettext("Goals and their progress"), [
            ("number", gettext("Goal"), "count"), ("goal", gettext("What the school aims for"), "text"),
            ("subdimension", gettext("Subdimension"), "text"), ("indicator", gettext("Indicator"), "text"),
            ("group", gettext("As seen by"), "text"), ("target", gettext("Target (0-100)"), "number:0"),
            ("progress", gettext("Progress"), "text")], goals))
    else:
        blocks.append(Paragraph(gettext("The plan has no goals yet.")))
    if actions:
        blocks.append(table(gettext("Actions"), [
            ("goal", gettext("Goal"), "count"), ("action", gettext("Action"), "text"),
            ("owner", gettext("Who acts"), "text"), ("due", gettext("Due"), "text"),
            ("status", gettext("Status"), "text")], actions))
    return Section(title, blocks, anchor="plan")


# ----------------------------------------------------------------------------------------------- practices
def _hub_href(kind: str, entry: dict) -> str:
    if kind == "programmes":
        return reverse("hub:programme", args=[entry["id"]])
    if kind == "practices":
        return reverse("hub:practice", args=[entry["id"]])
    return entry.get("url") or ""


def practices_section(school: School, campaign: Campaign | None, q, data: dict | None, catalogue: dict) -> Section:
    title = gettext("Recommended practices")
    tiers = dict(Tier.choices)
    if campaign is not None:
        found = recommend(data, q, catalogue, stage=school.stage, country=school.country.code)
        rows = selfeval_reports.recommendation_rows(found, q, school, tiers)
        blocks: list = []
        for weak in rows:
            # Translators: a weak area of a school's self-evaluation, e.g. "Safe teacher (score 42 of 100)".
            blocks.append(Paragraph(gettext("%(name)s (score %(score)s of 100)") % {
                "name": weak["name"], "score": weak["score_text"]}))
            links = [(_entry_text(e), e["href"]) for kind in ("programmes", "practices", "policies", "documents")
                     for e in weak[kind] if e["href"]]
            if links:
                blocks.append(Links(links))
        if blocks:
            return Section(title, [Paragraph(gettext("What the self-evaluation recommends for the school's weakest "
                                                     "areas, from the Hub's programmes, practices and resources."))]
                           + blocks, anchor="practices")
    # programmes come filtered by stage already (catalogue); practices for the stage or for every stage
    entries = [("programmes", e) for e in catalogue["programmes"]] + [
        ("practices", e) for e in catalogue["practices"] if not e["stages"] or school.stage in e["stages"]]
    entries.sort(key=lambda ke: (TIERS.index(ke[1]["tier"]) if ke[1].get("tier") in TIERS else len(TIERS),
                                 ke[1]["title"]))
    if not entries:
        return Section(title, [Paragraph(gettext("The Hub has no published programmes or practices for this stage "
                                                 "yet."))], anchor="practices")
    stage = formatting.label("stage", school.stage)
    return Section(title, [
        Paragraph((gettext("The self-evaluation finds no weak area (none in the lowest quarter of its peers or "
                           "below the middle of the scale). Programmes and practices the Hub publishes for the "
                           "stage “%(stage)s”, strongest evidence first:") if campaign is not None else
                   gettext("Programmes and practices the Hub publishes for the stage “%(stage)s”, strongest evidence "
                           "first (the school has no self-evaluation to match them to):")) % {"stage": stage}),
        Links([(_entry_text(e | {"tier_label": str(tiers.get(e["tier"], "")) if e.get("tier") else ""}),
                _hub_href(kind, e)) for kind, e in entries[:PRACTICES_FOR_STAGE]]),
    ], anchor="practices")


def _entry_text(entry: dict) -> str:
    tier = entry.get("tier_label")
    # Translators: a recommended Hub entry with its evidence tier, e.g. "Restorative circles — evidence: Strong (...)".
    return gettext("%(title)s — evidence: %(tier)s") % {"title": entry["title"], "tier": tier} if tier else \
        entry["title"]
