"""Thin views of the intervention registry: name the permission, read through selectors_registry, write through
services_registry (core.errors.submitted puts a refusal on the form), render. An unknown id is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from safeschool.web.core.errors import reason, submitted
from safeschool.web.interventions import selectors_registry as registry
from safeschool.web.interventions import services_registry as services
from safeschool.web.interventions.forms_registry import (
    CoProducerForm,
    FilterForm,
    InterventionForm,
    VersionForm,
    logic_formsets,
    logic_lines,
)


def _data(request):
    return request.POST if request.method == "POST" else None


def _status(form) -> int:
    return 400 if form.errors else 200


@login_required
def home(request):
    registry.check(request.user, registry.VIEW)
    form = FilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    return render(request, "interventions/registry_home.html", {
        "form": form, "rows": registry.intervention_list(**filters), "filtered": bool(filters),
        "can_add": registry.may(request.user, registry.ADD)})


@login_required
def intervention_new(request):
    registry.check(request.user, registry.ADD)
    form = InterventionForm(_data(request))

    def create(data):
        intervention = services.intervention_create(user=request.user, data=data)
        messages.success(request, gettext("The intervention is registered as version 1."))
        return redirect("interventions:intervention", pk=intervention.pk)

    if (response := submitted(request, form, create)) is not None:
        return response
    return render(request, "interventions/registry_form.html", {
        "form": form, "heading": gettext("Register an intervention"), "button": gettext("Register")},
        status=_status(form))


@login_required
def intervention(request, pk: int):
    item = registry.intervention_get(pk=pk, user=request.user)
    return render(request, "interventions/registry_detail.html", {
        "intervention": item, **registry.intervention_detail(intervention=item, user=request.user)})


@login_required
def intervention_edit(request, pk: int):
    item = registry.intervention_get(pk=pk, user=request.user, perm=registry.EDIT)
    form = InterventionForm(_data(request), initial=InterventionForm.initial_of(item))

    def update(data):
        services.intervention_update(user=request.user, intervention=item, data=data)
        messages.success(request, gettext("The corrections are saved."))
        return redirect("interventions:intervention", pk=item.pk)

    if (response := submitted(request, form, update)) is not None:
        return response
    return render(request, "interventions/registry_form.html", {
        "form": form, "intervention": item, "heading": gettext("Correct the description"),
        "button": gettext("Save the corrections")}, status=_status(form))


@login_required
def version_new(request, pk: int):
    item = registry.intervention_get(pk=pk, user=request.user, perm=registry.EDIT)
    form = VersionForm(_data(request), initial={f: getattr(item, f) for f in registry.VERSIONED})

    def create(data):
        fields = {f: data[f] for f in registry.VERSIONED}
        version = services.version_create(user=request.user, intervention=item, context=data["context"],
                                          changes=data["changes"], reasons=data["reasons"], fields=fields)
        messages.success(request, gettext("Version %(n)s is recorded.") % {"n": version.number})
        return redirect("interventions:version", pk=item.pk, number=version.number)

    if (response := submitted(request, form, create)) is not None:
        return response
    return render(request, "interventions/registry_version_form.html", {"form": form, "intervention": item},
                  status=_status(form))


@login_required
def version(request, pk: int, number: int):
    item = registry.intervention_get(pk=pk, user=request.user)
    found = registry.version_get(intervention=item, number=number)
    return render(request, "interventions/registry_version.html", {
        "intervention": item, "this_version": found, "diff": registry.version_diff(found),
        "logic": registry.logic_stages(found.snapshot.get("logic", {}))})


@login_required
def logic_edit(request, pk: int):
    item = registry.intervention_get(pk=pk, user=request.user, perm=registry.EDIT)
    stages = registry.logic_stages(registry.snapshot(item)["logic"])
    groups = logic_formsets(request.POST if request.method == "POST" else None, stages=stages)
    error = ""
    if request.method == "POST" and all(g["formset"].is_valid() for g in groups):
        try:
            services.logic_set(user=request.user, intervention=item, lines=logic_lines(groups))
        except (PermissionDenied, ValidationError) as exc:
            error = reason(exc)
        else:
            messages.success(request, gettext("The logic model is saved."))
            return redirect("interventions:intervention", pk=item.pk)
    invalid = any(any(g["formset"].errors) or g["formset"].non_form_errors() for g in groups)
    status = 400 if request.method == "POST" and (error or invalid) else 200
    return render(request, "interventions/registry_logic_form.html", {
        "intervention": item, "groups": groups, "error": error}, status=status)


@login_required
def coproducer_add(request, pk: int):
    item = registry.intervention_get(pk=pk, user=request.user, perm=registry.EDIT)
    form = CoProducerForm(_data(request), user=request.user)

    def add(data):
        services.coproducer_add(user=request.user, intervention=item, **data)
        messages.success(request, gettext("The co-producer is added."))
        return redirect("interventions:intervention", pk=item.pk)

    if (response := submitted(request, form, add)) is not None:
        return response
    return render(request, "interventions/registry_coproducer_form.html", {"form": form, "intervention": item},
                  status=_status(form))
