"""Writes of the intervention registry: registering an intervention (which makes version 1, a snapshot of its TIDieR
description and logic model), correcting it, a new version with its adaptation (for which context, what changed
and why — all three required from version 2 on, the last two also by the database), the logic model, and
co-producers. Each checks the permission again (a withdrawn consent edits nothing) and refuses with a
ValidationError naming its field before anything is written."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from safeschool.web.hub.models import Practice
from safeschool.web.interventions import selectors_registry as registry
from safeschool.web.interventions.models import (
    TIDIER_FIELDS,
    CoProducer,
    Intervention,
    InterventionVersion,
    LogicModelItem,
    LogicStage,
    Outcome,
)
from safeschool.web.network.models import Member

DESCRIPTION = ("name", "summary", "level", "status", *TIDIER_FIELDS)
LINKS = ("practices", "programmes", "par_cycles")


def _adder(user) -> None:
    if not registry.may(user, registry.ADD):
        raise PermissionDenied(gettext("Only members co-producing at level (c) with current consent, school staff, "
                                       "researchers and administrators register interventions."))


def _editor(user, intervention: Intervention) -> None:
    if not registry.may_edit(user, intervention):
        raise PermissionDenied(gettext("Only whoever registered it, its co-producing members with current consent, "
                                       "researchers and administrators change an intervention."))


def _outcomes(codes) -> list[str]:
    codes = list(dict.fromkeys(codes or []))
    unknown = [c for c in codes if c not in Outcome.values]
    if unknown:
        raise ValidationError({"outcomes": gettext("Not an outcome of the registry: %(codes)s.") % {
            "codes": ", ".join(unknown)}})
    return [c for c in Outcome.values if c in codes]  # the registry's order


def _links(intervention: Intervention, data: dict) -> None:
    if "practices" in data:
        practices = list(data["practices"])
        if any(p.status != Practice.Status.ACCEPTED for p in practices):
            raise ValidationError({"practices": gettext("Choose practices the Hub has accepted.")})
        intervention.practices.set(practices)
    if "programmes" in data:
        intervention.programmes.set(list(data["programmes"]))
    if "par_cycles" in data:
        intervention.par_cycles.set(list(data["par_cycles"]))


def _strip(data: dict, fields) -> dict:
    return {f: (data[f].strip() if isinstance(data[f], str) else data[f]) for f in fields if f in data}


@transaction.atomic
def intervention_create(*, user, data: dict) -> Intervention:
    """A new intervention and its version 1. `data`: the description fields, `outcomes` (codes) and the links."""
    _adder(user)
    fields = _strip(data, DESCRIPTION)
    intervention = Intervention(**fields, outcomes=_outcomes(data.get("outcomes")), created_by=user)
    intervention.full_clean(exclude=["outcomes"])  # _outcomes checks them; none is allowed
    intervention.save()
    _links(intervention, data)
    InterventionVersion.objects.create(intervention=intervention, number=1, snapshot=registry.snapshot(intervention),
                                       created_by=user)
    return intervention


@transaction.atomic
def intervention_update(*, user, intervention: Intervention, data: dict) -> Intervention:
    """A correction (a typo, the status, the links): the versions stay as they were — a substantive change is a new
    version."""
    _editor(user, intervention)
    for field, value in _strip(data, DESCRIPTION).items():
        setattr(intervention, field, value)
    if "outcomes" in data:
        intervention.outcomes = _outcomes(data["outcomes"])
    intervention.full_clean(exclude=["outcomes"])  # _outcomes checks them; none is allowed
    intervention.save()
    _links(intervention, data)
    return intervention


@transaction.atomic
def version_create(*, user, intervention: Intervention, context: str, changes: str, reasons: str,
                   fields: dict) -> InterventionVersion:
    """The next version: the changed TIDieR fields become the intervention's, and the new description with its
    logic model is stored as the version's snapshot, in one transaction."""
    _editor(user, intervention)
    context, changes, reasons = context.strip(), changes.strip(), reasons.strip()
    errors = {}
    for name, value in (("context", context), ("changes", changes), ("reasons", reasons)):
        if not value:
            errors[name] = gettext("Say for which context, what changed and why: a new version needs all three.")
    if errors:
        raise ValidationError(errors)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)  # one new number at a time
    for field, value in _strip(fields, ("name", *TIDIER_FIELDS)).items():
        setattr(locked, field, value)
    locked.full_clean(exclude=["outcomes"])
    previous = locked.versions.order_by("-number").first()
    new = registry.snapshot(locked)
    if previous is not None and previous.snapshot == new:
        raise ValidationError(gettext("Nothing changed since version %(n)s: change the description or the logic "
                                      "model first.") % {"n": previous.number})
    locked.save()
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = InterventionVersion(intervention=locked, number=number, snapshot=new, context=context,
                                  changes=changes, reasons=reasons, created_by=user)
    version.full_clean()
    version.save()
    for field in ("name", *TIDIER_FIELDS):
        setattr(intervention, field, getattr(locked, field))
    return version


@transaction.atomic
def logic_set(*, user, intervention: Intervention, lines: dict[str, list[str]]) -> int:
    """The logic model replaced by these lines ({stage: [text, ...]} in order); returns how many lines it has."""
    _editor(user, intervention)
    unknown = set(lines) - set(LogicStage.values)
    if unknown:
        raise ValidationError(gettext("Not a stage of the logic model: %(s)s.") % {"s": ", ".join(sorted(unknown))})
    items = []
    for stage in LogicStage.values:
        for order, text in enumerate(t.strip() for t in lines.get(stage, [])):
            if text:
                item = LogicModelItem(intervention=intervention, stage=stage, text=text, order=order)
                item.full_clean(exclude=["intervention"])
                items.append(item)
    intervention.logic_items.all().delete()
    LogicModelItem.objects.bulk_create(items)
    return len(items)


def coproducer_add(*, user, intervention: Intervention, member: Member | None, organisation: str, sector: str,
                   role: str) -> CoProducer:
    """A member (one the user may name: see selectors_registry.member_options) or an organisation, with sector."""
    _editor(user, intervention)
    organisation = organisation.strip()
    if member is None and not organisation:
        raise ValidationError({"member": gettext("Choose a member or name an organisation.")})
    if member is not None and not registry.member_options(user).filter(pk=member.pk).exists():
        raise ValidationError({"member": gettext("Choose a member from the directory.")})
    if member is not None and intervention.coproducers.filter(member=member).exists():
        raise ValidationError({"member": gettext("This member already co-produces it.")})
    coproducer = CoProducer(intervention=intervention, member=member, organisation=organisation, sector=sector,
                            role=role.strip())
    coproducer.full_clean()
    coproducer.save()
    return coproducer
