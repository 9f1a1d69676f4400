"""Reads for action plans: a school's plans, one plan with its goals, actions and progress, and "did it move?" —
each goal's indicator (0-100, as its informant group sees it) at the baseline and at every later closed campaign of
the school, read from the campaigns' stored `results` (never from answers), with a suppressed group left
suppressed. Every read checks `selfeval.view_plan` again."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, gettext

from safeschool.selfeval import questionnaire as qn
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.core import formatting
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.research.models import School
from safeschool.web.selfeval.models import Action, ActionPlan, Campaign, Goal, ProgressUpdate

# a point of a goal's indicator: shown, hidden because the group fell below its threshold, or not asked/measured
SHOWN, SUPPRESSED, ABSENT = "shown", "suppressed", "absent"


@lru_cache(maxsize=4)
def questionnaire(version: int | None = None) -> qn.Questionnaire:
    """The questionnaire (read once per process: the packaged file does not change while the site runs)."""
    return qn.load(version)


def may(user, perm: str, school: School) -> bool:
    """`rules.has_perm`, not `user.has_perm`: Django grants a superuser every permission, but only the school's
    own staff edit its plans (administrators read them)."""
    return rules.has_perm(perm, user, school)


def _check(user, perm: str, school: School) -> None:
    if not may(user, perm, school):
        raise PermissionDenied(gettext("You do not have permission to see this page (%(perm)s).") % {"perm": perm})


# ------------------------------------------------------------------------------------------- questionnaire
def subdimension_of(code: str, q: qn.Questionnaire | None = None) -> qn.Subdimension | None:
    q = q or questionnaire()
    return next((s for d in q.dimensions for s in d.subdimensions if s.code == code), None)


def subdimension_name(code: str, q: qn.Questionnaire | None = None) -> str:
    q = q or questionnaire()
    if subdimension_of(code, q) is None:
        return formatting.humanise(code)
    return q.name_of(code, get_language() or qn.SOURCE_LANGUAGE)


def indicator_text(code: str, q: qn.Questionnaire | None = None) -> str:
    """What an indicator measures, in the school's own words: its wording for the first informant group asked
    (school leaders when they are asked), in the reader's language when translated."""
    q = q or questionnaire()
    indicator = q.indicators.get(code)
    if indicator is None:
        return formatting.humanise(code)
    return indicator.text(indicator.informants[0], get_language() or qn.SOURCE_LANGUAGE)


def subdimension_choices(q: qn.Questionnaire | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(dimension name, [(subdimension code, name)]) for a grouped select."""
    q = q or questionnaire()
    language = get_language() or qn.SOURCE_LANGUAGE
    return [(q.name_of(d.code, language), [(s.code, q.name_of(s.code, language)) for s in d.subdimensions])
            for d in q.dimensions]


def indicator_choices(q: qn.Questionnaire | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(subdimension name, [(indicator code, what it measures)]) for a grouped select."""
    q = q or questionnaire()
    language = get_language() or qn.SOURCE_LANGUAGE
    return [(q.name_of(s.code, language), [(i.code, i.text(i.informants[0], language)) for i in s.indicators])
            for d in q.dimensions for s in d.subdimensions]


# ---------------------------------------------------------------------------------------------- campaigns
def closed_campaigns(*, school: School) -> QuerySet[Campaign]:
    """The school's closed campaigns, oldest first (the order a series is drawn in)."""
    return Campaign.objects.filter(school=school, closed_at__isnull=False).order_by("closed_at", "pk")


def latest_closed_campaign(*, school: School) -> Campaign | None:
    return closed_campaigns(school=school).last()


def practice_options() -> QuerySet[Practice]:
    """The practices an action may name: the Hub's accepted (published) ones."""
    return Practice.objects.filter(status=Practice.Status.ACCEPTED).order_by("title")


def programme_options() -> QuerySet[Programme]:
    return Programme.objects.order_by("title")


def par_cycle_options(*, school: School) -> QuerySet[ParCycle]:
    """The PAR cycles an action may join: only the same school's."""
    return ParCycle.objects.filter(school=school).order_by("-started_at", "-pk")


def indicator_point(results, *, indicator: str, informant: str) -> tuple[str, float | None]:
    """One indicator's 0-100 for one informant group in a campaign's stored `results`: (SHOWN, value), or
    (SUPPRESSED, None) when the group or the indicator fell below the threshold, or (ABSENT, None) when the
    campaign did not ask that group (or has no results)."""
    for row in results or ():
        if row.get("informant") != informant or row.get("level", "indicator") != "indicator":
            continue
        if (row.get("code") or row.get("indicator")) != indicator:
            continue
        value = row.get("score_100")
        if formatting.is_missing(value):
            return SUPPRESSED, None
        return SHOWN, float(value)
    return ABSENT, None


# ---------------------------------------------------------------------------------------------------- plans
def school_get(*, school_id: int, user, perm: str = "selfeval.view_plan") -> School:
    school = get_object_or_404(School.objects.select_related("country"), pk=school_id)
    _check(user, perm, school)
    return school


def plan_list(*, school: School, user) -> QuerySet[ActionPlan]:
    _check(user, "selfeval.view_plan", school)
    return (ActionPlan.objects.filter(school=school).select_related("baseline")
            .prefetch_related("goals").order_by("-created_at", "-pk"))


def plan_get(*, plan_id: int, user, perm: str = "selfeval.view_plan") -> ActionPlan:
    """The plan (404 for an unknown id, before any permission is asked, so ids reveal nothing more to a
    stranger than a 403 does)."""
    plan = get_object_or_404(ActionPlan.objects.select_related("school__country", "baseline"), pk=plan_id)
    _check(user, perm, plan.school)
    return plan


def goal_get(*, goal_id: int, user, perm: str = "selfeval.view_plan") -> Goal:
    goal = get_object_or_404(Goal.objects.select_related("plan__school__country", "plan__baseline"), pk=goal_id)
    _check(user, perm, goal.plan.school)
    return goal


def action_get(*, action_id: int, user, perm: str = "selfeval.view_plan") -> Action:
    action = get_object_or_404(Action.objects.select_related("goal__plan__school__country", "practice",
                                                             "programme", "par_cycle"), pk=action_id)
    _check(user, perm, action.goal.plan.school)
    return action


@dataclass
class Point:
    campaign: Campaign
    state: str
    score_100: float | None
    is_baseline: bool
    change: str = ""  # since the baseline, signed ("+12"), when both are shown


@dataclass
class Progress:
    """"Did it move?" for one goal."""

    points: list[Point] = field(default_factory=list)
    change: float | None = None  # latest shown later point minus the shown baseline
    sentence: str = ""


def goal_progress(goal: Goal, campaigns: list[Campaign], q: qn.Questionnaire | None = None) -> Progress:
    """The goal's indicator at the baseline and at every later closed campaign of the school, with the change
    since the baseline and a plain sentence about it."""
    q = q or questionnaire()
    baseline = goal.plan.baseline
    if baseline is None or baseline.closed_at is None:
        later = list(campaigns)
    else:
        later = [c for c in campaigns if c.closed_at > baseline.closed_at]
    series = ([baseline] if baseline is not None and baseline.closed_at is not None else []) + later
    progress = Progress()
    for campaign in series:
        state, value = indicator_point(campaign.results, indicator=goal.indicator, informant=goal.informant)
        progress.points.append(Point(campaign, state, value, campaign is baseline))
    first = progress.points[0] if progress.points else None
    if first is not None and first.is_baseline and first.state == SHOWN:
        for point in progress.points[1:]:
            if point.state == SHOWN:
                point.change = signed(point.score_100 - first.score_100)
    progress.change, progress.sentence = _movement(goal, progress.points, q)
    return progress


def _movement(goal: Goal, points: list[Point], q: qn.Questionnaire) -> tuple[float | None, str]:
    group = formatting.label("informant", goal.informant).lower()
    fewer = gettext("fewer than %(n)s respondents") % {"n": formatting.count(q.min_n(goal.informant))}
    if not points or not points[0].is_baseline:
        return None, gettext("There is no closed baseline campaign to compare with.")
    first = points[0]
    if len(points) == 1:
        return None, gettext("No closed campaign since the baseline yet: the next one will show whether it moved.")
    last = points[-1]
    if first.state == SUPPRESSED:
        return None, gettext("Not comparable: the baseline is not shown for %(group)s (%(fewer)s).") % {
            "group": group, "fewer": fewer}
    if first.state == ABSENT:
        return None, gettext("Not comparable: %(group)s were not asked at the baseline.") % {"group": group}
    if last.state == SUPPRESSED:
        return None, gettext("Not comparable: the latest campaign is not shown for %(group)s (%(fewer)s).") % {
            "group": group, "fewer": fewer}
    if last.state == ABSENT:
        return None, gettext("Not comparable: %(group)s were not asked in the latest campaign.") % {"group": group}
    change = last.score_100 - first.score_100
    points_text = formatting.number(abs(change), 0)
    if points_text == formatting.number(0, 0):
        return change, gettext("Did not change since the baseline, as %(group)s see it.") % {"group": group}
    if change > 0:
        return change, gettext("Rose by %(points)s points since the baseline, as %(group)s see it.") % {
            "points": points_text, "group": group}
    return change, gettext("Fell by %(points)s points since the baseline, as %(group)s see it.") % {
        "points": points_text, "group": group}


def signed(change) -> str:
    """A change in points with its sign, written by the formatting layer: "+12", "−3", "0" (never "-0")."""
    if formatting.is_missing(change):
        return formatting.MISSING
    text = formatting.number(abs(float(change)), 0)
    if text == formatting.number(0, 0):
        return text
    return ("+" if float(change) > 0 else "\u2212") + text


def plan_detail(*, plan: ActionPlan, user) -> dict:
    """Everything the plan page shows: goals in order, each with its progress and its actions, each action
    with its progress updates newest first."""
    _check(user, "selfeval.view_plan", plan.school)
    q = questionnaire()
    updates = Prefetch("updates", queryset=ProgressUpdate.objects.select_related("author")
                       .order_by("-created_at", "-pk"))
    actions = Prefetch("actions", queryset=Action.objects.select_related("practice", "programme", "par_cycle")
                       .prefetch_related(updates))
    goals = list(plan.goals.prefetch_related(actions).order_by("pk"))
    campaigns = list(closed_campaigns(school=plan.school))
    rows = []
    for goal in goals:
        progress = goal_progress(goal, campaigns, q)
        first = progress.points[0] if progress.points and progress.points[0].is_baseline else None
        rows.append({"goal": goal, "subdimension": subdimension_name(goal.subdimension, q),
                     "baseline_state": first.state if first else "none",
                     "baseline_value": goal.baseline if goal.baseline is not None else (first.score_100 if first else None),
                     "indicator": indicator_text(goal.indicator, q), "progress": progress,
                     "change": signed(progress.change), "min_n": q.min_n(goal.informant),
                     "actions": list(goal.actions.all())})
    return {"goals": rows}
