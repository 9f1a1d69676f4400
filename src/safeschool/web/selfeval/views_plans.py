"""Thin views of action plans: name the permission, read through selectors_plans, write through services_plans,
render. A school's staff edit its plans; researchers and administrators read them; an unknown id is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import add_to_form, reason
from safeschool.web.selfeval import charts_plans
from safeschool.web.selfeval import selectors_plans as plans
from safeschool.web.selfeval import services_plans as services
from safeschool.web.selfeval.forms_plans import ActionForm, GoalForm, PlanForm, ProgressForm
from safeschool.web.selfeval.models import PlanStatus

EDIT, VIEW = "selfeval.edit_plan", "selfeval.view_plan"


@login_required
def plan_list(request, school_id: int):
    school = plans.school_get(school_id=school_id, user=request.user)
    return render(request, "selfeval/plan_list.html", {
        "school": school, "plans": plans.plan_list(school=school, user=request.user),
        "can_edit": plans.may(request.user, EDIT, school)})


@login_required
def plan_new(request, school_id: int):
    school = plans.school_get(school_id=school_id, user=request.user, perm=EDIT)
    if request.method == "POST":
        form = PlanForm(request.POST, school=school)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(user=request.user, school=school, title=data["title"],
                                            baseline=data["baseline"])
            except (ValidationError, PermissionDenied) as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, gettext("The plan is created: add its goals."))
                url = reverse("selfeval:plan_goal_new", args=[plan.pk])
                if data["subdimension"]:
                    url += "?" + urlencode({"subdimension": data["subdimension"]})
                return redirect(url)
    else:
        code = request.GET.get("subdimension", "")
        code = code if plans.subdimension_of(code) is not None else ""
        title = plans.subdimension_name(code) if code else ""
        form = PlanForm(school=school, initial={"baseline": plans.latest_closed_campaign(school=school),
                                                "subdimension": code, "title": title})
    return render(request, "selfeval/plan_new.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _plan_page(request, plan, *, status_code: int = 200):
    detail = plans.plan_detail(plan=plan, user=request.user)
    for row in detail["goals"]:
        goal, progress = row["goal"], row["progress"]
        row["chart"] = charts_plans.goal_chart(progress, title=row["indicator"], target=goal.target,
                                               summary=progress.sentence)
    nxt = services.NEXT_STATUS.get(plan.status)
    return render(request, "selfeval/plan_detail.html", {
        "plan": plan, "school": plan.school, "goals": detail["goals"],
        "can_edit": plans.may(request.user, EDIT, plan.school) and plan.status != PlanStatus.COMPLETED,
        "next_status": nxt}, status=status_code)


@login_required
def plan_detail(request, pk: int):
    plan = plans.plan_get(plan_id=pk, user=request.user, perm=VIEW)
    return _plan_page(request, plan)


@login_required
@require_POST
def plan_status(request, pk: int):
    plan = plans.plan_get(plan_id=pk, user=request.user, perm=EDIT)
    try:
        services.plan_status_set(user=request.user, plan=plan, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, gettext("The plan is now: %(status)s.") % {
            "status": PlanStatus(plan.status).label})
    return redirect("selfeval:plan", pk=plan.pk)


@login_required
def goal_new(request, pk: int):
    plan = plans.plan_get(plan_id=pk, user=request.user, perm=EDIT)
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.goal_add(user=request.user, plan=plan, subdimension=data["subdimension"],
                                  indicator=data["indicator"], informant=data["informant"],
                                  description=data["description"], target=data["target"])
            except (ValidationError, PermissionDenied) as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, gettext("The goal is added."))
                return redirect("selfeval:plan", pk=plan.pk)
    else:
        code = request.GET.get("subdimension", "")
        form = GoalForm(initial={"subdimension": code} if plans.subdimension_of(code) is not None else None)
    return render(request, "selfeval/plan_form.html", {
        "plan": plan, "school": plan.school, "form": form, "heading": gettext("Add a goal"),
        "button": gettext("Add the goal")}, status=400 if form.errors else 200)


@login_required
def action_new(request, pk: int):
    goal = plans.goal_get(goal_id=pk, user=request.user, perm=EDIT)
    plan = goal.plan
    if request.method == "POST":
        form = ActionForm(request.POST, school=plan.school)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_add(user=request.user, goal=goal, **data)
            except (ValidationError, PermissionDenied) as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, gettext("The action is added."))
                return redirect("selfeval:plan", pk=plan.pk)
    else:
        form = ActionForm(school=plan.school)
    return render(request, "selfeval/plan_form.html", {
        "plan": plan, "school": plan.school, "form": form, "goal": goal, "heading": gettext("Add an action"),
        "button": gettext("Add the action")}, status=400 if form.errors else 200)


@login_required
def progress_new(request, pk: int):
    action = plans.action_get(action_id=pk, user=request.user, perm=EDIT)
    plan = action.goal.plan
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            try:
                services.progress_add(user=request.user, action=action, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, gettext("The progress update is recorded."))
                return redirect("selfeval:plan", pk=plan.pk)
    else:
        form = ProgressForm(initial={"status": action.status})
    return render(request, "selfeval/plan_form.html", {
        "plan": plan, "school": plan.school, "form": form, "action": action,
        "heading": gettext("Record progress"), "button": gettext("Record the update")},
        status=400 if form.errors else 200)
