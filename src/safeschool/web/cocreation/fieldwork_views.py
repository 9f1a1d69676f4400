"""Thin views for interviews (research team only) and PAR cycles (school staff and linked researchers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from safeschool.web.cocreation import fieldwork, selectors
from safeschool.web.cocreation.models import Code, Interview, ParCycle
from safeschool.web.core.errors import reason
from safeschool.web.core.ids import int_or_none
from safeschool.web.core.permissions import authorize
from safeschool.web.network.models import Member


def _say(request, exc):
    messages.error(request, reason(exc))


@login_required
def interview_list(request):
    authorize(request.user, "cocreation.run_interviews")
    if request.method == "POST":
        member = Member.objects.filter(pk=int_or_none(request.POST.get("interviewee"))).first()
        when = parse_datetime(request.POST.get("scheduled_at", ""))
        try:
            if member is None or when is None:
                raise ValidationError(gettext("Choose the interviewee and a date and time."))
            interview = fieldwork.interview_schedule(user=request.user, interviewee=member,
                                                     topic=request.POST.get("topic", ""), scheduled_at=when,
                                                     place=request.POST.get("place", ""))
        except (ValidationError, PermissionDenied) as exc:
            _say(request, exc)
        else:
            return redirect("cocreation:interview", pk=interview.pk)
    by = request.GET.get("by", "group")
    return render(request, "cocreation/interview_list.html", {
        "interviews": selectors.interview_list(), "eligible": selectors.interviewees_eligible(),
        "frequencies": selectors.code_frequencies(by if by in ("group", "country") else "group"), "by": by})


@login_required
def interview_detail(request, pk: int):
    authorize(request.user, "cocreation.run_interviews")
    interview = get_object_or_404(Interview.objects.select_related("interviewee"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "consent":
                fieldwork.interview_consent(user=request.user, interview=interview,
                                            method=request.POST.get("consent_method", ""))
            elif action == "record":
                fieldwork.interview_record(user=request.user, interview=interview, notes=request.POST.get("notes"),
                                           transcript=request.FILES.get("transcript"))
            elif action == "excerpt":
                fieldwork.excerpt_code(user=request.user, interview=interview, text=request.POST.get("text", ""),
                                       codes=request.POST.get("codes", "").split(","))
        except (ValidationError, PermissionDenied) as exc:
            _say(request, exc)
        return redirect("cocreation:interview", pk=pk)
    return render(request, "cocreation/interview_detail.html", {
        "interview": interview, "excerpts": interview.excerpts.prefetch_related("codes"),
        "codebook": Code.objects.all()})


@login_required
def par_list(request):
    user = request.user
    cycles, schools = selectors.par_cycles_visible(user=user), selectors.par_schools_startable(user=user)
    if request.method == "POST":
        school = get_object_or_404(schools, pk=int_or_none(request.POST.get("school")))
        try:
            cycle = fieldwork.cycle_start(user=user, school=school, title=request.POST.get("title", ""),
                                          goal=request.POST.get("goal", ""))
        except (ValidationError, PermissionDenied) as exc:
            _say(request, exc)
        else:
            return redirect("cocreation:par", pk=cycle.pk)
    return render(request, "cocreation/par_list.html", {"cycles": cycles, "schools": schools[:500]})


@login_required
def par_detail(request, pk: int):
    cycle = get_object_or_404(ParCycle.objects.select_related("school"), pk=pk)
    authorize(request.user, "cocreation.work_on_par_cycle", cycle)
    return render(request, "cocreation/par_detail.html", {
        "cycle": cycle, "actions": cycle.actions.select_related("practice"), "notes": cycle.notes.all(),
        "practices": selectors.practices_for_actions()})


@login_required
@require_POST
def par_action(request, pk: int, action: str):
    cycle = get_object_or_404(ParCycle, pk=pk)
    try:
        if action == "advance":
            fieldwork.cycle_advance(user=request.user, cycle=cycle)
        elif action == "action":
            practice = selectors.practices_for_actions().filter(pk=int_or_none(request.POST.get("practice"))).first()
            fieldwork.action_add(user=request.user, cycle=cycle, description=request.POST.get("description", ""),
                                 practice=practice, due=request.POST.get("due") or None)
        elif action == "note":
            fieldwork.note_add(user=request.user, cycle=cycle, kind=request.POST.get("kind", ""),
                               text=request.POST.get("text", ""))
        else:
            raise ValidationError(gettext("unknown action '%(action)s'") % {"action": action})
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    return redirect("cocreation:par", pk=pk)
