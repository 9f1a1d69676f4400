"""Thin views of the partnership survey and the needs analysis: the waves (researchers and administrators open and
close them), one wave with what the user may answer, one side's answer for a partnership (once per side per wave)
and the needs form of a school (leaders and teachers, not linked to them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import reason, submitted
from safeschool.web.recs import selectors_survey as sel
from safeschool.web.recs import services_survey as services
from safeschool.web.recs.forms_survey import AnswerForm, NeedsForm, WaveForm
from safeschool.web.recs.models import NeedsRole, Side
from safeschool.web.recs.selectors_recs import check, may

MANAGE = "recs.manage"


@login_required
def survey(request):
    waves = sel.wave_list(user=request.user)
    can_manage = may(request.user, MANAGE)
    form = WaveForm(request.POST or None, versions=sel.instrument_versions()) if can_manage else None
    if request.method == "POST":
        check(request.user, MANAGE)

        def act(data):
            wave = services.wave_open(user=request.user, **data)
            messages.success(request, gettext("The survey wave is open."))
            return redirect("recs:wave", pk=wave.pk)

        done = submitted(request, form, act)
        if done is not None:
            return done
    return render(request, "recs/survey_list.html", {"waves": waves, "form": form, "can_manage": can_manage},
                  status=400 if form is not None and form.errors else 200)


@login_required
def wave(request, pk: int):
    w = sel.wave_get(user=request.user, pk=pk)
    return render(request, "recs/survey_wave.html", {"wave": w, **sel.wave_detail(user=request.user, wave=w),
                                                     "can_manage": may(request.user, MANAGE)})


@login_required
@require_POST
def wave_close(request, pk: int):
    check(request.user, MANAGE)
    w = sel.wave_get(user=request.user, pk=pk)
    try:
        services.wave_close(user=request.user, wave=w)
    except ValidationError as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, gettext("The survey wave is closed."))
    return redirect("recs:wave", pk=w.pk)


@login_required
def survey_answer(request, pk: int, partnership: int, side: str):
    w, p = sel.answer_target(user=request.user, wave_pk=pk, partnership_pk=partnership, side=side)
    done_before = sel.answered(wave=w, partnership=p, side=side)
    form = AnswerForm(request.POST or None, instrument=sel.instrument_of(w), side=side)

    def act(data):
        services.survey_answer(user=request.user, wave=w, partnership=p, side=side, answers=form.answers(),
                               problems=data["problems"], comments=data["comments"])
        messages.success(request, gettext("Thank you: your answer is recorded."))
        return redirect("recs:wave", pk=w.pk)

    response = submitted(request, form, act)
    if response is not None:
        return response
    return render(request, "recs/survey_answer.html", {
        "wave": w, "p": p, "side": side, "side_label": Side(side).label, "form": form,
        "answered": done_before and request.method != "POST"},
        status=400 if form.errors else 200)


@login_required
def needs_answer(request, pk: int, school: int):
    w, s = sel.needs_target(user=request.user, wave_pk=pk, school_pk=school)
    role = request.POST.get("role") or request.GET.get("role") or ""
    if role not in NeedsRole.values:
        return render(request, "recs/needs_role.html", {"wave": w, "school": s, "roles": NeedsRole.choices},
                      status=400 if request.method == "POST" else 200)
    form = NeedsForm(request.POST or None, questionnaire=sel.needs_of(w), role=role)

    def act(data):
        services.needs_answer(user=request.user, wave=w, school=s, role=role, needs=form.needs(),
                              formats=data["formats"])
        messages.success(request, gettext("Thank you: your answer is recorded (without your name)."))
        return redirect("recs:wave", pk=w.pk)

    return submitted(request, form, act) or render(request, "recs/needs_answer.html", {
        "wave": w, "school": s, "role": role, "role_label": NeedsRole(role).label, "form": form},
        status=400 if form.errors else 200)
