"""Thin views of the screening app: check the permission, read through a selector or act through a service, render.
Scores reach school staff only through the selectors, which show nothing from an unpublished or expired model."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from safeschool.web.accounts.rules import is_school_staff
from safeschool.web.core.errors import add_to_form, reason
from safeschool.web.core.permissions import authorize
from safeschool.web.research.models import School, Student
from safeschool.web.screening import charts, display, selectors, services
from safeschool.web.screening.forms import CapacityForm, FollowUpForm, TrainForm
from safeschool.web.screening.models import RiskModel

PSEUDONYM_MAX = 64  # a pseudonym is 20 hexadecimal characters; anything much longer is not one


def _student(pseudonym: str) -> Student:
    """The student of a pseudonym from the address; a hostile or unknown one is 404, never a lookup of 10 kB."""
    if not pseudonym or len(pseudonym) > PSEUDONYM_MAX or not pseudonym.isascii() or not pseudonym.isalnum():
        raise Http404(gettext("No such student."))
    return get_object_or_404(Student.objects.select_related("school_class__school"), pseudonym=pseudonym)


@login_required
def home(request):
    user = request.user
    can_models = user.has_perm("screening.view_models")
    if not (can_models or is_school_staff(user)):
        raise PermissionDenied(gettext("Screening is for school staff, researchers and administrators."))
    context = {"schools": selectors.visible_schools(user).select_related("country").order_by("country__name", "name"),
               "can_models": can_models,
               "can_train": user.has_perm("screening.train")}
    if can_models:
        context |= {"model_rows": display.model_rows(selectors.models_for(user)[:10]),
                    "published": display.published_models(),
                    "security": display.security_overview()}
    return render(request, "screening/home.html", context)


def _school_page(request, school: School, form: CapacityForm | None = None, status: int = 200):
    screening = selectors.school_list(school=school, user=request.user)
    can_edit = request.user.has_perm("screening.edit_capacity", school)
    if form is None and can_edit:
        form = CapacityForm(initial={"share": display.share_initial(screening)})
    return render(request, "screening/school_list.html", {
        "school": school, "info": display.list_info(screening), "rows": display.list_rows(screening),
        "flags": display.flag_rows(screening), "form": form, "can_edit": can_edit}, status=status)


@login_required
def school_list(request, school_id: int):
    school = get_object_or_404(School.objects.select_related("country"), pk=school_id)
    authorize(request.user, "screening.view_school", school)
    return _school_page(request, school)


@login_required
@require_POST
def capacity(request, school_id: int):
    school = get_object_or_404(School.objects.select_related("country"), pk=school_id)
    authorize(request.user, "screening.edit_capacity", school)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.set_capacity(school=school, share=float(form.cleaned_data["share"]), user=request.user)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, gettext("The support capacity is saved; the list now fits it."))
            return redirect("screening:school", school_id=school.pk)
    return _school_page(request, school, form, status=400)


def _student_page(request, student: Student, form: FollowUpForm | None = None, status: int = 200):
    screen = selectors.student_screen(student=student, user=request.user)
    practices = display.practice_choices(screen)
    can_follow = request.user.has_perm("screening.add_follow_up", student)
    if form is None and can_follow:
        form = FollowUpForm(practices=practices)
    return render(request, "screening/student.html", {
        "student": student, "school": student.school_class.school, "summary": display.student_summary(screen),
        "domains": display.domain_rows(screen), "supports": display.support_rows(screen),
        "profile": display.security_rows(screen), "follow_ups": display.follow_up_rows(screen),
        "form": form, "can_follow": can_follow}, status=status)


@login_required
def student(request, pseudonym: str):
    pupil = _student(pseudonym)
    authorize(request.user, "screening.view_student", pupil)
    return _student_page(request, pupil)


@login_required
@require_POST
def follow_up(request, pseudonym: str):
    pupil = _student(pseudonym)
    authorize(request.user, "screening.add_follow_up", pupil)
    screen = selectors.student_screen(student=pupil, user=request.user)
    practices = display.practice_choices(screen)
    form = FollowUpForm(request.POST, practices=practices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_follow_up(student=pupil, user=request.user, who_acts=data["who_acts"],
                                   action=data["action"], review_on=data["review_on"], note=data["note"],
                                   practice=next((p for p in practices if p.pk == data["practice"]), None))
        except (ValidationError, PermissionDenied) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, gettext("The follow-up is recorded."))
            return redirect("screening:student", pseudonym=pupil.pseudonym)
    return _student_page(request, pupil, form, status=400)


@login_required
def model_list(request):
    authorize(request.user, "screening.view_models")
    return render(request, "screening/model_list.html", {
        "model_rows": display.model_rows(selectors.models_for(request.user)),
        "can_train": request.user.has_perm("screening.train")})


def _model(request, pk: int) -> RiskModel:
    authorize(request.user, "screening.view_models")
    return selectors.model_detail(model_id=pk, user=request.user)


@login_required
def model_detail(request, pk: int):
    model = _model(request, pk)
    evaluation = model.evaluation or {}
    return render(request, "screening/model_detail.html", {
        "model": model, "ev": display.evaluation_rows(evaluation),
        "charts": charts.model_charts(model), "fairness": display.fairness_tables(model.fairness),
        "gate": display.gate_rows(model.gate), "actions": display.actions(model, request.user)})


@login_required
def model_card(request, pk: int):
    model = _model(request, pk)
    return render(request, "screening/model_card.html", {"model": model, "card": display.card_html(model)})


@login_required
def model_card_md(request, pk: int):
    model = _model(request, pk)
    response = HttpResponse(model.card_markdown, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="model-{model.pk}-v{model.version}-card.md"'
    return response


def _train_form(data=None) -> TrainForm:
    return TrainForm(data, outcomes=display.outcome_labels(), algorithms=display.algorithm_labels(),
                     cohorts=display.cohorts())


@login_required
def train(request):
    authorize(request.user, "screening.view_models")
    form = _train_form(request.POST or None)
    if request.method == "POST":
        authorize(request.user, "screening.train")
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = services.train_model(user=request.user, outcome=data["outcome"],
                                           algorithm=data["algorithm"], test_cohort=data["test_cohort"],
                                           capacity=float(data["capacity"]))
            except (ValidationError, PermissionDenied) as exc:
                add_to_form(form, exc)
            else:
                return redirect(f"{reverse('screening:train')}?{urlencode({'task': job.id})}")
    task = display.training(request.GET.get("task"))
    template = "screening/includes/training.html" if request.headers.get("HX-Request") else "screening/train.html"
    return render(request, template, {
        "form": form, "can_train": request.user.has_perm("screening.train"), "task": task},
        status=400 if form.errors else 200)


def _action(request, pk: int, act, done: str):
    authorize(request.user, "screening.view_models")
    model = get_object_or_404(RiskModel, pk=pk)
    try:
        act(model, request.user)
    except services.PublishRefused as exc:
        messages.error(request, gettext("Not published: %(reasons)s") % {"reasons": " ".join(exc.reasons)})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, done)
    return redirect("screening:model", pk=model.pk)


@login_required
@require_POST
def approve(request, pk: int):
    return _action(request, pk, lambda m, u: services.approve(model=m, user=u), gettext("Your approval is recorded."))


@login_required
@require_POST
def publish(request, pk: int):
    return _action(request, pk, lambda m, u: services.publish(model=m, user=u),
                   gettext("The model is published; schools see its scores after the next scoring run."))


@login_required
@require_POST
def retire(request, pk: int):
    return _action(request, pk, lambda m, u: services.retire(model=m, user=u),
                   gettext("The model is retired; its scores are no longer shown to schools."))


@login_required
@require_POST
def score(request, pk: int):
    return _action(request, pk, lambda m, u: services.score_all(model=m, user=u),
                   gettext("Scoring has started; the new scores replace the shown ones when it finishes."))


@login_required
@require_POST
def follow_up_close(request, pk: int):
    follow_up = selectors.follow_up_get(follow_up_id=pk, user=request.user)
    try:
        services.close_follow_up(follow_up=follow_up, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, gettext("The follow-up is marked done."))
    return redirect("screening:student", pseudonym=follow_up.student.pseudonym)
