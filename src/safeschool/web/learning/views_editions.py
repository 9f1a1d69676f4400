"""The pages of the course's editions: an edition (facts, places, the waiting list, one's own enrolment, what a
mobility-funding application needs), a new edition, enrolling and cancelling, attendance, the knowledge check, the
evaluation, the results (and issuing certificates), and the certificates: public verification, the PDF (the holder
and the organisers), revoking (administrators). Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import reason, submitted
from safeschool.web.learning import selectors_course as courses
from safeschool.web.learning import selectors_editions as sel
from safeschool.web.learning import services_editions as services
from safeschool.web.learning.certificates import acceptance_letter_pdf, certificate_pdf, format_code
from safeschool.web.learning.forms_editions import (
    AttendanceForm,
    CheckForm,
    EditionForm,
    EvaluationForm,
    RevokeForm,
)


def _organiser(user) -> None:
    if not courses.may_manage(user):
        raise PermissionDenied(gettext("Only researchers and administrators run the course's editions."))


def edition_detail(request, pk: str):
    edition = sel.edition_get(pk)
    if edition.course.published_at is None and not courses.may_manage(request.user):
        raise Http404
    mine = sel.enrolment_of(request.user, edition)
    certificate = getattr(mine, "certificate", None) if mine is not None and hasattr(mine, "certificate") else None
    return render(request, "learning/edition_detail.html", {
        "edition": edition, "course": edition.course, "places_left": sel.places_left(edition),
        "waiting": sel.waiting_list(edition).count(), "mine": mine, "position": sel.waiting_position(mine),
        "certificate": certificate, "mobility": sel.mobility_facts(edition),
        "has_check": bool(sel.check_questions(edition.course)), "may_manage": courses.may_manage(request.user)})


@login_required
def edition_new(request, slug: str, version: int):
    course = courses.course_get(slug=slug, version=version, user=request.user)
    _organiser(request.user)
    form = EditionForm(request.POST or None)

    def act(data):
        edition = services.edition_create(user=request.user, course=course, **data)
        messages.success(request, gettext("The edition is created."))
        return redirect("learning:edition", pk=edition.pk)

    return submitted(request, form, act) or render(request, "learning/edition_new.html", {
        "course": course, "form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def enrol(request, pk: str):
    edition = sel.edition_get(pk)
    try:
        enrolment = services.enrol(user=request.user, edition=edition)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, reason(exc))
    else:
        if enrolment.status == "waitlisted":
            messages.info(request, gettext("The edition is full: you are on the waiting list."))
        else:
            messages.success(request, gettext("You are enrolled."))
    return redirect("learning:edition", pk=edition.pk)


@login_required
@require_POST
def enrolment_cancel(request, pk: str):
    edition = sel.edition_get(pk)
    mine = sel.enrolment_of(request.user, edition)
    if mine is None:
        raise Http404
    try:
        services.enrolment_cancel(user=request.user, enrolment=mine)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, gettext("Your enrolment is cancelled."))
    return redirect("learning:edition", pk=edition.pk)


@login_required
def acceptance_letter(request, pk: str):
    """The participant's letter of acceptance (PDF), for a mobility-funding application: only with a place."""
    edition = sel.edition_get(pk)
    mine = sel.enrolment_of(request.user, edition)
    if mine is None or mine.status not in sel.PLACES:
        raise Http404
    url = request.build_absolute_uri(reverse("learning:course", args=[edition.course.slug, edition.course.version]))
    response = HttpResponse(acceptance_letter_pdf(mine, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="acceptance-{edition.pk}.pdf"'
    return response


@login_required
def attendance(request, pk: str):
    edition = sel.edition_get(pk)
    _organiser(request.user)
    grid = sel.attendance_grid(edition)
    form = AttendanceForm(request.POST or None, grid=grid)

    def act(data):
        services.attendance_record(user=request.user, edition=edition, marks=form.marks())
        messages.success(request, gettext("Attendance is saved."))
        return redirect("learning:attendance", pk=edition.pk)

    return submitted(request, form, act) or render(request, "learning/edition_attendance.html", {
        "edition": edition, "grid": grid, "form": form}, status=400 if form.errors else 200)


def _participant(request, edition):
    mine = sel.enrolment_of(request.user, edition)
    if mine is None or mine.status not in sel.PLACES:
        raise PermissionDenied(gettext("Only participants with a place take part in this."))
    return mine


@login_required
def knowledge_check(request, pk: str, moment: str):
    edition = sel.edition_get(pk)
    if moment not in sel.MOMENTS:
        raise Http404
    mine = _participant(request, edition)
    questions = sel.check_questions(edition.course)
    if not questions:
        raise Http404
    done = mine.knowledge_checks.filter(moment=moment).first()
    form = CheckForm(request.POST or None, questions=questions)

    def act(data):
        check = services.check_take(user=request.user, enrolment=mine, moment=moment, answers=data)
        messages.success(request, gettext("Thank you. Your score: %(score)s of %(max)s.") % {
            "score": check.score, "max": check.max_score})
        return redirect("learning:edition", pk=edition.pk)

    return submitted(request, form, act) or render(request, "learning/edition_check.html", {
        "edition": edition, "form": form, "moment": moment, "done": done}, status=400 if form.errors else 200)


@login_required
def evaluation(request, pk: str):
    edition = sel.edition_get(pk)
    mine = _participant(request, edition)
    form = EvaluationForm(request.POST or None)

    def act(data):
        services.evaluation_submit(user=request.user, enrolment=mine, ratings=form.ratings(),
                                   comments=data["comments"])
        messages.success(request, gettext("Thank you for your evaluation."))
        return redirect("learning:edition", pk=edition.pk)

    return submitted(request, form, act) or render(request, "learning/edition_evaluation.html", {
        "edition": edition, "form": form, "done": hasattr(mine, "evaluation")}, status=400 if form.errors else 200)


@login_required
def edition_results(request, pk: str):
    edition = sel.edition_get(pk)
    _organiser(request.user)
    if request.method == "POST":
        issued = services.completions_issue(user=request.user, edition=edition)
        messages.success(request, gettext("Certificates issued: %(n)s.") % {"n": len(issued)})
        return redirect("learning:edition_results", pk=edition.pk)
    return render(request, "learning/edition_results.html", {
        "edition": edition, "results": sel.edition_results(edition),
        "certificates": sel.edition_certificates(edition)})


def certificate_verify(request, code: str):
    """Public: the course, the edition, its dates, the issue date and whether it is valid or revoked. No name."""
    certificate = sel.certificate_find(code)
    if certificate is None:
        return render(request, "learning/certificate_unknown.html", {"code": sel.code_normalise(code)[:20]},
                      status=404)
    return render(request, "learning/certificate_verify.html", {
        "certificate": certificate, "edition": certificate.enrolment.edition,
        "course": certificate.enrolment.edition.course, "code": format_code(certificate.code),
        "may_see": sel.may_see_certificate(request.user, certificate),
        "may_revoke": courses.may_revoke(request.user) and certificate.revoked_at is None,
        "revoke_form": RevokeForm()})


@login_required
def certificate_pdf_view(request, code: str):
    certificate = sel.certificate_find(code)
    if certificate is None or not sel.may_see_certificate(request.user, certificate):
        raise Http404
    url = request.build_absolute_uri(reverse("learning:certificate_verify", args=[certificate.code]))
    response = HttpResponse(certificate_pdf(certificate, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    return response


@login_required
@require_POST
def certificate_revoke(request, code: str):
    certificate = sel.certificate_find(code)
    if certificate is None:
        raise Http404
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(gettext("Say why the certificate is revoked."))
        services.certificate_revoke(user=request.user, certificate=certificate, reason=form.cleaned_data["reason"])
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, gettext("The certificate is revoked."))
    return redirect("learning:certificate_verify", code=certificate.code)
