"""Thin views of the allocation, the impact runs and the final report: permission, form, service or selector,
render."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import submitted
from safeschool.web.core.permissions import authorize
from safeschool.web.interventions import (
    reports_impact,
    selectors_allocation,
    selectors_impact,
    services_allocation,
    services_impact,
)
from safeschool.web.interventions.forms_impact import ConfirmForm, ImpactForm
from safeschool.web.interventions.models import ImpactRun, Trial


def _trial(request, pk: int) -> Trial:
    authorize(request.user, "interventions.view")
    return get_object_or_404(Trial.objects.select_related("intervention"), pk=pk)


@login_required
def allocation(request, pk: int):
    trial = _trial(request, pk)
    if request.method == "POST":
        authorize(request.user, "interventions.design_trial")
    form = ConfirmForm(request.POST if request.method == "POST" else None)

    def act(_data):
        services_allocation.allocation_run(trial=trial, user=request.user)
        return redirect("interventions:allocation", pk=trial.pk)

    done = submitted(request, form, act)
    if done is not None:
        return done
    view = selectors_allocation.allocation_page(user=request.user, trial=trial)
    return render(request, "interventions/allocation_detail.html", {**view, "form": form},
                  status=400 if form.errors else 200)


@login_required
def impact(request, pk: int):
    trial = _trial(request, pk)
    if request.method == "POST":
        authorize(request.user, "interventions.run_impact")
    form = ImpactForm(request.POST if request.method == "POST" else None, request.FILES or None, trial=trial,
                      refused=getattr(request, "upload_refused", ""))

    def act(data):
        run = services_impact.impact_run_create(trial=trial, user=request.user, upload=data["data"],
                                                outcome=data["outcome"])
        return redirect("interventions:impact_run", pk=run.pk)

    done = submitted(request, form, act)
    if done is not None:
        return done
    panels = selectors_impact.trial_panels(user=request.user, trial=trial)
    return render(request, "interventions/impact_list.html", {
        "trial": trial, "panels": panels, "form": form, "file_columns": selectors_impact.file_columns(trial)},
        status=400 if form.errors else 200)


@login_required
def impact_run(request, pk: int):
    authorize(request.user, "interventions.view")
    run = get_object_or_404(ImpactRun.objects.select_related("trial", "created_by"), pk=pk)
    template = "interventions/impact_status.html" if request.headers.get("HX-Request") else \
        "interventions/impact_detail.html"
    return render(request, template, {"run": run, "trial": run.trial, **selectors_impact.run_display(run),
                                      "can_complete": selectors_impact.can_complete(request.user, run.trial)})


@login_required
@require_POST
def trial_complete(request, pk: int):
    trial = _trial(request, pk)
    authorize(request.user, "interventions.design_trial")
    form = ConfirmForm(request.POST)

    def act(_data):
        services_impact.trial_complete(trial=trial, user=request.user)
        return redirect("interventions:impact", pk=trial.pk)

    done = submitted(request, form, act)
    if done is not None:
        return done
    panels = selectors_impact.trial_panels(user=request.user, trial=trial)
    return render(request, "interventions/impact_list.html",
                  {"trial": trial, "panels": panels, "form": ImpactForm(trial=trial), "complete_form": form},
                  status=400)


@login_required
def trial_report_pdf(request, pk: int):
    trial = _trial(request, pk)
    response = HttpResponse(reports_impact.report_pdf(user=request.user, trial=trial), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="trial-{trial.pk}-report.pdf"'
    return response
