"""The official indicators' pages: /indicators/ (every country against the EU targets) and /indicators/<code>/
are public; /indicators/import/ is for researchers and administrators. Thin: selectors read, figures build the
blocks, the service imports."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from safeschool.indicators import targets
from safeschool.indicators.records import AGGREGATE
from safeschool.web.core.permissions import authorize
from safeschool.web.indicators import figures, selectors, services
from safeschool.web.indicators.display import figure_block
from safeschool.web.indicators.forms import ReleaseImportForm

CODE = re.compile(r"^[A-Za-z0-9_]{2,12}$")
IMPORT_COMMAND = "safeschool indicators import --file estat_sdg_04_10.tsv.gz"


def _releases_context() -> dict:
    current = selectors.release_current()
    return {"current": sorted(current.values(), key=lambda r: r.dataset),
            "simulated": any(release.simulated for release in current.values()),
            "command": IMPORT_COMMAND}


def index(request):
    context = _releases_context()
    if not context["current"]:
        return render(request, "indicators/empty.html", context)
    sections = []
    shares = selectors.network_shares()
    for esl in selectors.esl_overview():
        sections.append({"code": esl["code"], "name": figures.country_name(esl["code"]), "esl": esl,
                         "facts": figures.facts_of(esl), "in_network": esl["in_network"],
                         "is_eu": esl["code"] == selectors.EU,
                         "network": figures.network_esl(esl["code"], shares) if esl["in_network"] else None})
    overview = figures.overview_figure([section["esl"] for section in sections])
    return render(request, "indicators/index.html", context | {
        "sections": sections, "chart": figure_block(overview), "overview": overview,
        "target": figures.pct(targets.TARGET_2030), "target_2020": figures.pct(targets.TARGET_2020)})


def country(request, code: str):
    if not CODE.match(code or "") or not selectors.geo_known(code):
        raise Http404
    code = code.upper()
    if len(code) > 2 and not AGGREGATE.match(code) and selectors.geo_known(code[:2]):
        # a region (NUTS code, e.g. ITC4) is a row of its country's page: send there rather than show an empty page
        return redirect(reverse("indicators:country", args=[code[:2]]) + "#regions")
    context = _releases_context()
    esl = selectors.country_esl(code)
    eu = selectors.country_esl(selectors.EU) if code != selectors.EU else None
    regional = selectors.regional_rows(code)
    figure = figures.figure_of(esl) if esl else None
    regions = []
    for row in (regional or {}).get("rows", []):
        regions.append(row | {"value_text": figures.pct(row["value"]), "flags_text": figures.flags_text(row["flags"]),
                              "distance_text": figures.distance_text(row["distance"])})
    return render(request, "indicators/country.html", context | {
        "code": code, "name": figures.country_name(code), "esl": esl, "facts": figures.facts_of(esl) if esl else None,
        "figure": figure, "chart": figure_block(figure),
        "eu": eu, "eu_facts": figures.facts_of(eu) if eu else None, "eu_name": figures.country_name(selectors.EU),
        "regional": regional, "regions": regions,
        "regions_legend": figures.flags_legend(row["flags"] for row in regions),
        "network": figures.network_esl(code),
        "target": figures.pct(targets.TARGET_2030), "target_2020": figures.pct(targets.TARGET_2020)})


def release(request, pk: int):
    found = selectors.release_get(pk)
    if found is None:
        raise Http404
    return render(request, "indicators/release.html", {"release": found,
                                                       "geos": selectors.release_geos(found),
                                                       "source": figures.release_text(found)})


@login_required
def import_release(request):
    authorize(request.user, "indicators.import_release")
    form = ReleaseImportForm(request.POST or None, request.FILES or None,
                             refused=getattr(request, "upload_refused", ""))
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            made = services.release_import(data=upload.read(), name=upload.name, user=request.user,
                                           dataset=form.cleaned_data.get("dataset") or "")
        except services.ImportRefused as refusal:
            form.add_error("file", refusal.reason)
            row_errors = refusal.row_errors
        else:
            return redirect("indicators:release", pk=made.pk)
    return render(request, "indicators/import.html", {"form": form, "row_errors": row_errors,
                                                      "releases": selectors.releases(),
                                                      "command": IMPORT_COMMAND},
                  status=400 if form.errors else 200)
