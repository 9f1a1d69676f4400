"""Thin views of trial design, power and the protocol: name the permission, read through selectors_trials, write
through services_trials, render. Every signed-in user reads trials, locked protocols and the power calculator;
researchers and administrators design, save, lock and record deviations; an unknown id is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from safeschool.trials import designs
from safeschool.trials import power as powerup
from safeschool.trials.protocol import canonical_json
from safeschool.web.core.errors import add_to_form, reason, submitted
from safeschool.web.interventions import power_refusals, power_web, selectors_impact
from safeschool.web.interventions import selectors_trials as sel
from safeschool.web.interventions import services_trials as services
from safeschool.web.interventions.forms_trials import (
    DataForm,
    DeviationForm,
    LockForm,
    PowerForm,
    ProtocolForm,
    TrialForm,
)

VIEW, DESIGN = sel.VIEW, sel.DESIGN
MULTIPLE = ("secondary_outcomes", "covariates", "stages", "countries", "schools")


def _status(form) -> int:
    return 400 if form.errors else 200


@login_required
def trial_list(request):
    return render(request, "interventions/trial_list.html", {
        "trials": sel.trial_list(user=request.user), "can_design": sel.may(request.user, DESIGN)})


def _from_query(query, initial: dict) -> dict:
    """The design form's values carried by 'Show their schools' (a GET that never saves)."""
    out = dict(initial)
    for name in ("title", "version", "design", "block_by", "primary_outcome", "steps", "analysis_model"):
        if name in query:
            out[name] = query.get(name)
    for name in MULTIPLE:
        if name in query or "refresh" in query:
            out[name] = [v for v in query.getlist(name) if v]
    return out


def _design_page(request, *, form, intervention, trial=None):
    return render(request, "interventions/trial_form.html", {
        "form": form, "intervention": intervention, "trial": trial}, status=_status(form))


def _fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "reason"}


@login_required
def trial_new(request, pk: int):
    intervention = sel.intervention_get(intervention_id=pk, user=request.user, perm=DESIGN)
    latest = intervention.versions.order_by("-number").first()
    initial = {"design": "crt2", "version": latest.pk if latest else None,
               "primary_outcome": next(iter(intervention.outcomes or ()), None),
               "title": gettext("Evaluation of %(name)s") % {"name": intervention.name}}
    form = TrialForm(request.POST if request.method == "POST" else None, intervention=intervention,
                     initial=_from_query(request.GET, initial))

    def act(data):
        trial = services.trial_create(user=request.user, intervention=intervention, **_fields(data))
        messages.success(request, gettext("The trial is designed: calculate its power, then write and lock its "
                                          "protocol."))
        return redirect("interventions:trial", pk=trial.pk)

    return submitted(request, form, act) or _design_page(request, form=form, intervention=intervention)


def _initial(trial) -> dict:
    return {"title": trial.title, "version": trial.version_id, "design": trial.design, "block_by": trial.block_by,
            "primary_outcome": trial.primary_outcome, "secondary_outcomes": trial.secondary_outcomes,
            "covariates": trial.covariates, "stages": trial.stages, "countries": trial.countries,
            "schools": list(trial.schools.values_list("pk", flat=True)), "steps": trial.steps,
            "analysis_model": trial.analysis_model}


def _locked(trial) -> bool:
    protocol = sel.protocol_of(trial)
    return protocol is not None and protocol.locked


@login_required
def trial_edit(request, pk: int):
    trial = sel.trial_get(trial_id=pk, user=request.user, perm=DESIGN)
    generated = designs.analysis_formula(trial.design, sel.outcome_column(trial.primary_outcome), trial.covariates)
    form = TrialForm(request.POST if request.method == "POST" else None, intervention=trial.intervention,
                     locked=_locked(trial), generated=generated, initial=_from_query(request.GET, _initial(trial)))

    def act(data):
        made = services.trial_update(user=request.user, trial=trial, reason=data.get("reason", ""), **_fields(data))
        text = gettext("The trial is updated.")
        if made:
            text += " " + ngettext("%(n)s deviation from the protocol is recorded.",
                                   "%(n)s deviations from the protocol are recorded.", len(made)) % {"n": len(made)}
        messages.success(request, text)
        return redirect("interventions:trial", pk=trial.pk)

    return submitted(request, form, act) or _design_page(request, form=form, intervention=trial.intervention,
                                                         trial=trial)


@login_required
def trial_detail(request, pk: int):
    trial = sel.trial_get(trial_id=pk, user=request.user)
    protocol = sel.protocol_of(trial)
    return render(request, "interventions/trial_detail.html", {
        "trial": trial, "protocol": protocol, "deviations": sel.deviations_of(trial),
        "schools": trial.schools.select_related("country").order_by("country__code", "code"),
        "covariates": [sel.variable_label(c) for c in trial.covariates],
        "can_design": sel.may(request.user, DESIGN), "power": trial.power or None,
        "icc_note": power_web.icc_note(trial.power),
        "panels": selectors_impact.trial_panels(user=request.user, trial=trial)})


# ------------------------------------------------------------------------------------------------ protocol
def _protocol_page(request, trial, form, *, status: int = 200):
    protocol = sel.protocol_of(trial)
    locked = protocol is not None and protocol.locked
    content = protocol.content if locked else services.protocol_content(trial)
    return render(request, "interventions/protocol_detail.html", {
        "trial": trial, "protocol": protocol, "locked": locked, "content": content,
        "problems": [] if locked else services.protocol_problems(content), "form": form,
        "lock_form": LockForm(), "can_design": sel.may(request.user, DESIGN),
        "labels": sel.PROTOCOL_LABELS, "deviations": sel.deviations_of(trial),
        "covariate_labels": [sel.variable_label(c) for c in content.get("covariates") or ()]}, status=status)


@login_required
def protocol(request, pk: int):
    trial = sel.trial_get(trial_id=pk, user=request.user)
    written = sel.protocol_of(trial)
    if not (written is not None and written.locked) or request.method == "POST":
        sel.check(request.user, DESIGN)  # a draft is the researchers' until it is locked
    content = (written.content if written is not None else {}) or {}
    form = ProtocolForm(request.POST if request.method == "POST" else None, initial={
        k: content.get(k, "") for k in services.WRITTEN})

    def act(data):
        services.protocol_save(user=request.user, trial=trial, **data)
        messages.success(request, gettext("The protocol is saved. Lock it when nothing is missing."))
        return redirect("interventions:protocol", pk=trial.pk)

    return submitted(request, form, act) or _protocol_page(request, trial, form, status=_status(form))


@login_required
@require_POST
def protocol_lock(request, pk: int):
    trial = sel.trial_get(trial_id=pk, user=request.user, perm=DESIGN)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Tick the box to confirm that the locked protocol can never change."))
        return redirect("interventions:protocol", pk=trial.pk)
    try:
        locked = services.protocol_lock(user=request.user, trial=trial)
    except ValidationError as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, gettext("The protocol is locked and registered. Its SHA-256 is %(hash)s.") % {
            "hash": locked.content_hash})
    return redirect("interventions:protocol", pk=trial.pk)


@login_required
def protocol_json(request, pk: int):
    """The locked protocol exactly as hashed: its SHA-256 is the content hash shown on the page."""
    trial = sel.trial_get(trial_id=pk, user=request.user)
    written = sel.protocol_of(trial)
    if written is None or not written.locked:
        raise Http404(gettext("The protocol is not locked yet."))
    response = HttpResponse(canonical_json(written.content).encode("utf-8"),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trial-{trial.pk}-protocol.json"'
    return response


@login_required
def deviation_new(request, pk: int):
    trial = sel.trial_get(trial_id=pk, user=request.user, perm=DESIGN)
    form = DeviationForm(request.POST if request.method == "POST" else None)

    def act(data):
        services.deviation_record(user=request.user, trial=trial, **data)
        messages.success(request, gettext("The deviation is recorded."))
        return redirect("interventions:trial", pk=trial.pk)

    return submitted(request, form, act) or render(request, "interventions/protocol_deviation.html", {
        "trial": trial, "form": form}, status=_status(form))


# --------------------------------------------------------------------------------------------------- power
def _power_page(request, *, form, initial, sources, found, outcome, selection, trial=None, data_form=None):
    est = found.get("estimate")
    ci = est["icc_school_ci"] if est else None
    calculation, error = None, None
    data = (form.cleaned_data if form.is_valid() else None) if form.is_bound else initial
    if data is not None:
        try:
            calculation = power_web.calculate({**initial, **data}, ci=ci)
        except powerup.PowerInputError as exc:  # the CLI's English: the web says it in the form's words
            field = power_refusals.power_field(exc)
            message = power_refusals.power_message(exc, labels={k: f.label for k, f in form.fields.items()})
            if form.is_bound:
                form.add_error(field if field in form.fields else None, message)
            else:
                error = message
            calculation = None
    if calculation and trial is not None and "save" in request.POST:
        sel.check(request.user, DESIGN)
        saved = power_web.record(calculation, sources=power_web.sources_for(data, initial, sources), found=found,
                                 outcome=outcome, selection=selection)
        try:
            services.trial_power_save(user=request.user, trial=trial, power=saved, reason=data.get("reason") or "")
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, gettext("The power calculation is saved with the trial."))
            return redirect("interventions:trial", pk=trial.pk)
    return render(request, "interventions/power_page.html", {
        "form": form, "data_form": data_form, "trial": trial, "sources": sources, "found": found, "estimate": est,
        "selection": selection, "outcome": outcome, "binary": power_web.is_binary(outcome),
        "calculation": calculation, "error": error,
        "rows": [{"field": form[name], "source": sources.get(name)} for name in form.fields
                 if name not in ("design", "solve", "reason")],
        "chart": power_web.curve_chart(calculation, ci=ci) if calculation else None,
        "can_save": trial is not None and sel.may(request.user, DESIGN),
        "design_note": trial is not None and trial.design not in powerup.DESIGNS}, status=_status(form))


@login_required
def trial_power(request, pk: int):
    trial = sel.trial_get(trial_id=pk, user=request.user)
    design = trial.design if trial.design in powerup.DESIGNS else "crt2"  # a matched comparison: as 2 levels
    found = power_web.estimate_for(outcome=trial.primary_outcome, stages=trial.stages, countries=trial.countries,
                                   covariates=trial.covariates)
    selection = power_web.selection_text(trial.stages, trial.countries)
    initial, sources = power_web.defaults(design=design, found=found, selection=selection, trial=trial,
                                          sizes=sel.school_sizes(trial.schools.values_list("pk", flat=True)))
    form = PowerForm(request.POST if request.method == "POST" else None, initial=initial)
    if not _locked(trial):
        del form.fields["reason"]
    return _power_page(request, form=form, initial=initial, sources=sources, found=found,
                       outcome=trial.primary_outcome, selection=selection, trial=trial)


@login_required
def power(request):
    sel.check(request.user, VIEW)
    data_form = DataForm(request.GET or None)
    chosen = dict(data_form.cleaned_data) if data_form.is_bound and data_form.is_valid() else {
        "design": "crt2", "outcome": "achievement", "stages": [], "countries": [], "covariates": []}
    design = chosen.pop("design")
    found = power_web.estimate_for(**chosen)
    selection = power_web.selection_text(chosen["stages"], chosen["countries"])
    initial, sources = power_web.defaults(design=design, found=found, selection=selection)
    form = PowerForm(request.POST if request.method == "POST" else None, initial=initial)
    del form.fields["reason"]
    return _power_page(request, form=form, initial=initial, sources=sources, found=found,
                       outcome=chosen["outcome"], selection=selection, data_form=data_form)
