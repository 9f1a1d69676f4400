"""/reports/: the index of the reports this reader may get."""

from __future__ import annotations

from django.shortcuts import render

from safeschool.web.reports.selectors_site import index_for


def index(request):
    return render(request, "reports/index.html", index_for(request.user))
