"""The label's application pages (signed in): apply (the criteria checked before submitting), the list each role
sees, one application with its evidence, the review form, the decision, withdrawal, revocation. Thin: services
write (and check permissions again), selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import add_to_form, reason, submitted
from safeschool.web.core.ids import int_or_none
from safeschool.web.label import display, selectors, services
from safeschool.web.label.forms import ApplyForm, DecideForm, EvidenceForm, ReviewForm
from safeschool.web.label.models import Application, Award, Evidence
from safeschool.web.research.models import School


def _refuse(user, perm: str, obj=None) -> None:
    if not selectors.has(user, perm, obj):
        raise PermissionDenied(_("You do not have permission to see this page (%(perm)s).") % {"perm": perm})


def _application(pk: str, user) -> Application:
    number = int_or_none(pk)
    if number is None:
        raise Http404
    try:
        return selectors.application_for(number, user)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def apply(request, school_id: str):
    school = get_object_or_404(School.objects.select_related("country"), pk=int_or_none(school_id))
    _refuse(request.user, "label.apply", school)
    choices = selectors.apply_choices(school)
    form = ApplyForm(request.POST or None, choices=choices)
    checks = None
    if request.method == "POST" and request.POST.get("action") == "check":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.clean_application(school=school, level=data["level"], campaign=data["campaign"],
                                           action_plan=data["action_plan"], par_cycle=data["par_cycle"])
                checks = display.check_rows(selectors.application_checks(
                    level=data["level"], campaign=data["campaign"], plan=data["action_plan"],
                    par_cycle=data["par_cycle"]))
            except ValidationError as exc:
                add_to_form(form, exc)
    else:
        def submit(data):
            application = services.application_submit(user=request.user, school=school, **data)
            messages.success(request, _("The application is submitted. Add the documents that show the school's "
                                        "practices: reviewers read them."))
            return redirect("label:application", pk=application.pk)

        if (response := submitted(request, form, submit)) is not None:
            return response
    return render(request, "label/apply.html", {
        "school": school, "form": form, "checks": checks, "choices": choices,
        "open_application": selectors.open_application(school)},
        status=400 if request.method == "POST" and form.errors else 200)


@login_required
def application_list(request):
    applications = selectors.applications_for(request.user)
    return render(request, "label/application_list.html", {
        "applications": applications, "schools": School.objects.filter(
            staff_appointments__user=request.user).order_by("name") if selectors.has(request.user, "label.apply_any")
        else School.objects.none()})


def _reviews_visible(user, application) -> bool:
    """Administrators see every review; a reviewer sees the others' once their own is in (independent
    assessments); the school reads the decision's reasons."""
    return (selectors.has(user, "label.decide", application)
            or application.reviews.filter(reviewer=user).exists())


@login_required
def application_detail(request, pk: str):
    application = _application(pk, request.user)
    may_upload = selectors.has(request.user, "label.upload_evidence", application)
    form = EvidenceForm(request.POST or None, request.FILES or None) if may_upload else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the school's own staff add evidence, while the application is under way."))

        def upload(data):
            services.evidence_upload(user=request.user, application=application, **data)
            messages.success(request, _("The document is added."))
            return redirect("label:application", pk=application.pk)

        if (response := submitted(request, form, upload)) is not None:
            return response
    award = Award.objects.filter(application=application).first()
    return render(request, "label/application_detail.html", {
        "application": application, "checks": display.check_rows(application.checks),
        "scores": display.dimension_table(application.campaign.results),
        "evidence": [(e, display.practice_name(e.indicator)) for e in application.evidence.all()],
        "form": form, "award": award,
        "reviews": [(r, display.assessment_rows(r)) for r in application.reviews.select_related("reviewer")]
        if _reviews_visible(request.user, application) else None,
        "review_count": application.reviews.count(), "reviews_needed": selectors.REVIEWS_NEEDED,
        "may_review": selectors.has(request.user, "label.review", application)
        and not application.reviews.filter(reviewer=request.user).exists()
        and application.reviews.count() < selectors.REVIEWS_NEEDED,
        "may_decide": selectors.has(request.user, "label.decide", application) and application.status in
        ("submitted", "under_review"),
        "may_revoke": award is not None and award.revoked_at is None and selectors.has(request.user, "label.revoke",
                                                                                       award)},
        status=400 if request.method == "POST" else 200)


@login_required
def evidence_file(request, pk: str):
    evidence = get_object_or_404(Evidence.objects.select_related("application__school"), pk=int_or_none(pk))
    _refuse(request.user, "label.view_application", evidence.application)
    name = evidence.file.name.rsplit("/", 1)[-1]
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=name)


@login_required
def review(request, pk: str):
    application = _application(pk, request.user)
    _refuse(request.user, "label.review", application)
    form = ReviewForm(request.POST or None, level=application.level)

    def submit(data):
        services.review_submit(user=request.user, application=application, assessments=form.assessments(),
                               recommendation=data["recommendation"], comments=data["comments"])
        messages.success(request, _("Your review is recorded."))
        return redirect("label:application", pk=application.pk)

    if (response := submitted(request, form, submit)) is not None:
        return response
    return render(request, "label/review.html", {
        "application": application, "form": form, "checks": display.check_rows(application.checks),
        "scores": display.dimension_table(application.campaign.results)},
        status=400 if request.method == "POST" else 200)


@login_required
def decide(request, pk: str):
    application = _application(pk, request.user)
    _refuse(request.user, "label.decide", application)
    form = DecideForm(request.POST or None, applied=application.level)

    def submit(data):
        services.application_decide(user=request.user, application=application, award=data["decision"] == "award",
                                    level=data["level"], reasons=data["reasons"])
        messages.success(request, _("The decision is recorded."))
        return redirect("label:application", pk=application.pk)

    if (response := submitted(request, form, submit)) is not None:
        return response
    return render(request, "label/decide.html", {
        "application": application, "form": form,
        "reviews": [(r, display.assessment_rows(r)) for r in application.reviews.select_related("reviewer")],
        "criteria": display.level_criteria(application.level), "reviews_needed": selectors.REVIEWS_NEEDED},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def withdraw(request, pk: str):
    application = _application(pk, request.user)
    services.application_withdraw(user=request.user, application=application)
    messages.success(request, _("The application is withdrawn."))
    return redirect("label:application", pk=application.pk)


@login_required
@require_POST
def revoke(request, pk: str):
    award = get_object_or_404(Award.objects.select_related("application"), pk=int_or_none(pk))
    _refuse(request.user, "label.revoke", award)
    try:
        services.award_revoke(user=request.user, award=award, reason=request.POST.get("reason", ""))
        messages.success(request, _("The label is revoked: it has left the register."))
    except ValidationError as exc:
        messages.error(request, reason(exc))
    return redirect("label:application", pk=award.application_id)
