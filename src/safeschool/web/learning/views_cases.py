"""Case studies: the public list (GET filters) and page (structured sections, links, suggested citation, citation
metadata), and for editors the new, edit and publish pages. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import reason, submitted
from safeschool.web.core.permissions import authorize
from safeschool.web.learning import selectors_cases as selectors
from safeschool.web.learning import services_cases as services
from safeschool.web.learning.forms_cases import CaseFilterForm, CaseForm

SECTIONS = ("context", "partnership", "practice", "evidence", "outcomes", "lessons", "transferability")


def cases(request):
    form = CaseFilterForm(request.GET or None, choices=selectors.filter_choices())
    filters = form.filters() if form.is_valid() else {}
    return render(request, "learning/case_list.html", {
        "form": form, "cases": selectors.cases_public(**filters) if form.is_valid() or not request.GET else [],
        "filtered": bool(request.GET), "drafts": selectors.drafts_for(request.user),
        "may_write": selectors.has(request.user, "learning.write_cases")},
        status=400 if request.GET and not form.is_valid() else 200)


def case(request, slug: str):
    found = selectors.case_for(request.user, slug)
    if found is None:
        raise Http404
    form = CaseForm  # the section titles, translated, come from the form's labels
    sections = [(form.base_fields[name].label, getattr(found, name)) for name in SECTIONS if getattr(found, name)]
    url = request.build_absolute_uri(request.path)
    return render(request, "learning/case_detail.html", {
        "case": found, "sections": sections, "url": url, "authors": selectors.author_names(found),
        "citation": selectors.citation(found, url, timezone.localdate()),
        "practices": selectors.linked_practices(found), "interventions": selectors.linked_interventions(found),
        "may_edit": selectors.has(request.user, "learning.edit_case", found),
        "may_publish": selectors.has(request.user, "learning.publish_case", found)})


@login_required
def case_new(request):
    authorize(request.user, "learning.write_cases")
    form = CaseForm(request.POST or None, request.FILES or None, choices=selectors.form_choices(request.user))
    done = submitted(request, form, lambda data: redirect(
        "learning:case", slug=services.case_create(user=request.user, data=data).slug))
    return done or render(request, "learning/case_form.html", {"form": form, "case": None},
                          status=400 if request.method == "POST" else 200)


@login_required
def case_edit(request, slug: str):
    found = selectors.case_for(request.user, slug)
    if found is None:
        raise Http404
    authorize(request.user, "learning.edit_case", found)
    form = CaseForm(request.POST or None, request.FILES or None, initial=CaseForm.initial_for(found),
                    choices=selectors.form_choices(request.user))
    done = submitted(request, form, lambda data: redirect(
        "learning:case", slug=services.case_update(user=request.user, case=found, data=data).slug))
    return done or render(request, "learning/case_form.html", {"form": form, "case": found},
                          status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def case_publish(request, slug: str):
    found = selectors.case_for(request.user, slug)
    if found is None:
        raise Http404
    authorize(request.user, "learning.publish_case", found)
    try:
        if request.POST.get("action") == "unpublish":
            services.case_unpublish(user=request.user, case=found)
            messages.success(request, _("The case study is no longer published."))
        else:
            services.case_publish(user=request.user, case=found)
            messages.success(request, _("The case study is published."))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, reason(exc))
    return redirect("learning:case", slug=found.slug)
