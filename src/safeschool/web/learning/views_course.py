"""The course's pages: the list of course versions, one version (days -> sessions -> activities, materials,
outcomes, total hours, its editions and what a mobility-funding application needs), and adapting it into a new
version (researchers and administrators). Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from safeschool.web.core.errors import submitted
from safeschool.web.learning import selectors_course as courses
from safeschool.web.learning import selectors_editions as editions
from safeschool.web.learning import services_course as services
from safeschool.web.learning.forms_course import AdaptForm


def course_list(request):
    return render(request, "learning/course_list.html", {
        "courses": courses.course_list(user=request.user), "may_manage": courses.may_manage(request.user)})


def course_detail(request, slug: str, version: int):
    course = courses.course_get(slug=slug, version=version, user=request.user)
    rows = [{"edition": e, "places_left": editions.places_left(e)} for e in courses.course_editions(course)]
    return render(request, "learning/course_detail.html", {
        "course": course, "days": courses.course_days(course), "hours": courses.course_hours(course),
        "editions": rows, "versions": courses.course_versions(course), "may_manage": courses.may_manage(request.user)})


@login_required
def course_adapt(request, slug: str, version: int):
    course = courses.course_get(slug=slug, version=version, user=request.user)
    if not courses.may_manage(request.user):
        raise PermissionDenied(gettext("Only researchers and administrators adapt a course."))
    form = AdaptForm(request.POST or None, sessions=courses.course_sessions(course))

    def act(data):
        new = services.course_adapt(user=request.user, course=course, title=data["title"], kind=data["kind"],
                                    plan=form.plan())
        messages.success(request, gettext("The new version is made; the original is unchanged."))
        return redirect("learning:course", slug=new.slug, version=new.version)

    return submitted(request, form, act) or render(request, "learning/course_adapt.html", {
        "course": course, "form": form}, status=400 if form.errors else 200)
