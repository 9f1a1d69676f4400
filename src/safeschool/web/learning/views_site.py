"""Thin views of the public site at /learning/: the home page listing every published output, and the public
state-of-the-art report (the recs area's view, views_report.public_report, is mounted by urls_site)."""

from __future__ import annotations

from django.shortcuts import render

from safeschool.web.learning import selectors_site as site
from safeschool.web.learning.selectors_handbook import may_edit


def home(request):
    found = site.outputs()
    return render(request, "learning/home.html", {
        "outputs": site.by_kind(found), "editions": site.open_editions(),
        "latest_handbook": next((o for o in found if o.kind == "handbook"), None),
        "canonical": request.build_absolute_uri(request.path), "may_edit": may_edit(request.user)})

