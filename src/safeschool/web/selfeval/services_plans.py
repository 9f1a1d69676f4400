"""Writes for action plans: a plan from a baseline campaign, goals tied to a subdimension and watched through one
indicator as one informant group sees it (the baseline read from the campaign's stored results), actions linked to
the Hub and optionally to the same school's PAR cycle, progress updates, and the plan's status (draft -> in
progress -> completed). Only the school's staff write (`selfeval.edit_plan`); every refusal is a ValidationError
naming its field, raised before anything is written."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.research.models import School
from safeschool.web.selfeval import selectors_plans as plans
from safeschool.web.selfeval.models import (
    Action,
    ActionPlan,
    ActionStatus,
    Campaign,
    Goal,
    Informant,
    PlanStatus,
    ProgressUpdate,
)

# the only status changes a plan makes, in order
NEXT_STATUS = {PlanStatus.DRAFT: PlanStatus.ACTIVE, PlanStatus.ACTIVE: PlanStatus.COMPLETED}


def _editor(user, school: School) -> None:
    if not plans.may(user, "selfeval.edit_plan", school):
        raise PermissionDenied(gettext("Only the school's staff edit its action plans."))


def _open(plan: ActionPlan) -> None:
    if plan.status == PlanStatus.COMPLETED:
        raise ValidationError(gettext("The plan is completed: it no longer changes."))


def check_goal(*, subdimension: str, indicator: str, informant: str) -> None:
    """The codes exist in the questionnaire, the indicator belongs to the subdimension and is asked of the
    informant group; a ValidationError naming the field otherwise."""
    q = plans.questionnaire()
    sub = plans.subdimension_of(subdimension, q)
    if sub is None:
        raise ValidationError({"subdimension": gettext("Not a subdimension of the questionnaire.")})
    item = q.indicators.get(indicator)
    if item is None:
        raise ValidationError({"indicator": gettext("Not an indicator of the questionnaire.")})
    if item not in sub.indicators:
        raise ValidationError({"indicator": gettext("This indicator belongs to another subdimension.")})
    if informant not in Informant.values:
        raise ValidationError({"informant": gettext("Not an informant group.")})
    if informant not in item.informants:
        raise ValidationError({"informant": gettext("This indicator is not asked of %(group)s.") % {
            "group": str(Informant(informant).label).lower()}})


def check_action(*, school: School, practice: Practice | None, par_cycle: ParCycle | None,
                 starts_on: date | None, due_on: date | None) -> None:
    if practice is not None and practice.status != Practice.Status.ACCEPTED:
        raise ValidationError({"practice": gettext("Choose a practice the Hub has accepted.")})
    if par_cycle is not None and par_cycle.school_id != school.pk:
        raise ValidationError({"par_cycle": gettext("This PAR cycle belongs to another school.")})
    if starts_on and due_on and due_on < starts_on:
        raise ValidationError({"due_on": gettext("The due date comes before the start date.")})


def plan_create(*, user, school: School, title: str, baseline: Campaign | None) -> ActionPlan:
    _editor(user, school)
    if baseline is not None and baseline.school_id != school.pk:
        raise ValidationError({"baseline": gettext("This campaign belongs to another school.")})
    if baseline is not None and baseline.closed_at is None:
        raise ValidationError({"baseline": gettext("Choose a closed campaign: an open one has no results yet.")})
    plan = ActionPlan(school=school, baseline=baseline, title=title.strip(), created_by=user)
    plan.full_clean()
    plan.save()
    return plan


def goal_add(*, user, plan: ActionPlan, subdimension: str, indicator: str, informant: str, description: str,
             target: float | None = None) -> Goal:
    """A goal; its baseline is the indicator's 0-100 in the baseline campaign's results, or none when that group
    was not shown (below its threshold) or not asked."""
    _editor(user, plan.school)
    _open(plan)
    check_goal(subdimension=subdimension, indicator=indicator, informant=informant)
    baseline = None
    if plan.baseline is not None:
        _state, baseline = plans.indicator_point(plan.baseline.results, indicator=indicator, informant=informant)
    goal = Goal(plan=plan, subdimension=subdimension, indicator=indicator, informant=informant,
                description=description.strip(), baseline=baseline, target=target)
    goal.full_clean()
    goal.save()
    return goal


def action_add(*, user, goal: Goal, description: str, owner: str, practice: Practice | None = None,
               programme: Programme | None = None, par_cycle: ParCycle | None = None,
               starts_on: date | None = None, due_on: date | None = None,
               status: str = ActionStatus.PLANNED) -> Action:
    school = goal.plan.school
    _editor(user, school)
    _open(goal.plan)
    check_action(school=school, practice=practice, par_cycle=par_cycle, starts_on=starts_on, due_on=due_on)
    action = Action(goal=goal, description=description.strip(), owner=owner.strip(), practice=practice,
                    programme=programme, par_cycle=par_cycle, starts_on=starts_on, due_on=due_on, status=status)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def progress_add(*, user, action: Action, text: str, status: str) -> ProgressUpdate:
    """A progress update; the action takes its status."""
    _editor(user, action.goal.plan.school)
    _open(action.goal.plan)
    update = ProgressUpdate(action=action, text=text.strip(), status=status, author=user)
    update.full_clean()
    update.save()
    Action.objects.filter(pk=action.pk).update(status=status)
    action.status = status
    return update


def plan_status_set(*, user, plan: ActionPlan, status: str) -> ActionPlan:
    """Draft -> in progress -> completed, one step at a time; a plan starts only once it has a goal."""
    _editor(user, plan.school)
    if NEXT_STATUS.get(plan.status) != status:
        raise ValidationError(gettext("A plan goes from draft to in progress to completed, one step at a time."))
    if status == PlanStatus.ACTIVE and not plan.goals.exists():
        raise ValidationError(gettext("Add a goal before starting the plan."))
    updated = ActionPlan.objects.filter(pk=plan.pk, status=plan.status).update(status=status)
    if not updated:  # someone changed it meanwhile
        raise ValidationError(gettext("The plan's status changed meanwhile; reload the page."))
    plan.status = status
    return plan
