"""Thin views: permission, form, service or selector, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safeschool.web.analysis import selectors, services
from safeschool.web.analysis.forms import AnalysisForm
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.core.errors import add_to_form
from safeschool.web.core.permissions import authorize


@login_required
def run_list(request):
    authorize(request.user, "analysis.view_analysis")
    form = AnalysisForm(request.POST or None)
    if request.method == "POST":
        authorize(request.user, "analysis.run_analysis")
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.analysis_run_create(user=request.user, kind=data["kind"], parameters={
                    "outcome": data["outcome"], "strata": data["strata"], "wave": data["wave"],
                    "stages": data["stages"], "country": data["country"]})
            except ValidationError as exc:
                add_to_form(form, exc)
            else:
                return redirect("analysis:run_detail", pk=run.pk)
    page = Paginator(selectors.analysis_run_list(), 20).get_page(request.GET.get("page"))
    return render(request, "analysis/run_list.html", {"form": form, "page": page},
                  status=400 if form.errors else 200)


@login_required
def run_detail(request, pk: int):
    authorize(request.user, "analysis.view_analysis")
    run = get_object_or_404(AnalysisRun, pk=pk)
    template = "analysis/includes/status.html" if request.headers.get("HX-Request") else "analysis/run_detail.html"
    return render(request, template, {"run": run, **selectors.run_display(run)})


@login_required
@require_POST
def run_rerun(request, pk: int):
    authorize(request.user, "analysis.run_analysis")
    run = get_object_or_404(AnalysisRun, pk=pk)
    new = services.analysis_run_rerun(run=run, user=request.user)
    return redirect("analysis:run_detail", pk=new.pk)
