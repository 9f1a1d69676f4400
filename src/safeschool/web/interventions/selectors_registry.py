"""Reads of the intervention registry: the filtered list, one intervention with its TIDieR description (numbered as
the checklist numbers it), logic model, co-producers by sector, versions and trials, a version against the one
before it, the choices the forms offer, and a member's co-productions for "Download all my data". Every read that
names a permission checks it again (rules.has_perm, as the services do)."""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.interventions.models import (
    TIDIER_FIELDS,
    Intervention,
    InterventionVersion,
    LogicStage,
    Outcome,
)
from safeschool.web.network.models import Member, Sector
from safeschool.web.network.rules import has_consent, member_of
from safeschool.web.network.selectors import consenting

VIEW, ADD, EDIT = "interventions.view", "interventions.add_intervention", "interventions.edit_intervention"


@dataclass(frozen=True)
class Item:
    number: int
    field: str
    label: object  # lazy
    help: object


# The TIDieR checklist (Hoffmann et al. 2014): item number, field, short name and what it asks for.
TIDIER = (
    Item(1, "name", _("Brief name"), _("A name or phrase that describes the intervention.")),
    Item(2, "why", _("Why"), _("The rationale, theory or goal of the elements essential to the intervention.")),
    Item(3, "materials", _("What: materials"), _("Physical or informational materials used, and where they can be "
                                                 "found.")),
    Item(4, "procedures", _("What: procedures"), _("The procedures, activities and processes, including enabling "
                                                   "or support activities.")),
    Item(5, "providers", _("Who provided"), _("Each group of providers: their expertise, background and any "
                                              "training given.")),
    Item(6, "delivery", _("How"), _("Modes of delivery (face to face, online, ...), individually or in a group.")),
    Item(7, "location", _("Where"), _("The types of location, with any infrastructure or features needed.")),
    Item(8, "dose", _("When and how much"), _("The number of sessions, their schedule, duration, intensity or "
                                              "dose.")),
    Item(9, "tailoring", _("Tailoring"), _("What is personalised or adapted, and why, when and how.")),
    Item(10, "modifications", _("Modifications"), _("Changes made during the study: what, why, when and how.")),
    Item(11, "fidelity_planned", _("How well: planned"), _("How adherence or fidelity will be assessed, by whom, "
                                                          "and any strategies to keep it.")),
    Item(12, "fidelity_actual", _("How well: actual"), _("The extent to which it was delivered as planned.")),
)
ITEMS = {item.field: item for item in TIDIER}

# the form's fieldsets: (legend, TIDieR fields)
FIELDSETS = (
    (_("What"), ("name", "why", "materials", "procedures")),
    (_("Who, how and where"), ("providers", "delivery", "location")),
    (_("When and how much"), ("dose",)),
    (_("Tailoring and fidelity"), ("tailoring", "modifications", "fidelity_planned", "fidelity_actual")),
)
VERSIONED = ("name", *TIDIER_FIELDS)  # the fields a version's snapshot holds (and its logic model)


def may(user, perm: str, obj=None) -> bool:
    """`rules.has_perm`, not `user.has_perm`: the rules decide, whatever the account's superuser flag."""
    return rules.has_perm(perm, user, obj)


def may_edit(user, intervention: Intervention) -> bool:
    """The edit rule, and never for a member whose consent is withdrawn (even one who registered it), unless
    they edit as a researcher or administrator."""
    if not may(user, EDIT, intervention):
        return False
    withdrawn = member_of(user) is not None and not has_consent(user)
    return not withdrawn or is_researcher(user) or is_admin(user)


def refusal(perm: str) -> str:
    return gettext("You do not have permission to see this page (%(perm)s).") % {"perm": perm}


def check(user, perm: str, intervention: Intervention | None = None) -> None:
    allowed = may_edit(user, intervention) if perm == EDIT else may(user, perm, intervention)
    if not allowed:
        raise PermissionDenied(refusal(perm))


# ----------------------------------------------------------------------------------------------------- lists
def intervention_list(*, q: str = "", sector: str = "", outcome: str = "", status: str = "",
                      level: str = "") -> list[Intervention]:
    """The registry, filtered; each row carries `latest_version` and `n_trials`, and its co-producers."""
    rows = (Intervention.objects.annotate(latest_version=Max("versions__number"),
                                          n_trials=Count("trials", distinct=True))
            .prefetch_related("coproducers"))
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(summary__icontains=q) | Q(why__icontains=q))
    if sector:
        rows = rows.filter(coproducers__sector=sector).distinct()
    if status:
        rows = rows.filter(status=status)
    if level:
        rows = rows.filter(level=level)
    rows = list(rows[:500])
    if outcome:  # a JSON list: filtered here so that SQLite and PostgreSQL behave the same
        rows = [r for r in rows if outcome in (r.outcomes or [])]
    for row in rows:
        row.sectors = sectors_of(row.coproducers.all())
    return rows


def sectors_of(coproducers) -> list[str]:
    """The sectors of these co-producers, once each, in the Sector order."""
    present = {c.sector for c in coproducers}
    return [code for code in Sector.values if code in present]


def intervention_get(*, pk: int, user, perm: str = VIEW) -> Intervention:
    intervention = get_object_or_404(Intervention, pk=pk)
    check(user, perm, intervention)
    return intervention


def version_get(*, intervention: Intervention, number: int) -> InterventionVersion:
    return get_object_or_404(InterventionVersion.objects.select_related("created_by"), intervention=intervention,
                             number=number)


# ---------------------------------------------------------------------------------------------- description
def snapshot(intervention: Intervention) -> dict:
    """The description as it stands: the TIDieR fields and the logic model, by stage in order."""
    logic = {stage: [] for stage in LogicStage.values}
    for item in intervention.logic_items.order_by("order", "pk"):
        logic.setdefault(item.stage, []).append(item.text)
    return {**{f: getattr(intervention, f) for f in VERSIONED}, "logic": logic}


def tidier_rows(values: dict) -> list[dict]:
    """The twelve TIDieR items with their values ("" when not yet described)."""
    return [{"number": i.number, "field": i.field, "label": i.label, "help": i.help,
             "value": (values.get(i.field) or "").strip()} for i in TIDIER]


def logic_stages(logic: dict) -> list[dict]:
    """The five stages in order with their lines, for the flow and the form."""
    return [{"stage": code, "label": label, "lines": list(logic.get(code, []))} for code, label in LogicStage.choices]


def version_diff(version: InterventionVersion) -> list[dict]:
    """Field by field against the previous version: each TIDieR item and logic-model stage, before and after,
    and whether it changed. Version 1 is compared with nothing (every item reads as new)."""
    previous = (InterventionVersion.objects.filter(intervention=version.intervention, number__lt=version.number)
                .order_by("-number").first())
    before, after = (previous.snapshot if previous else {}), version.snapshot
    rows = []
    for row in tidier_rows(after):
        old = (before.get(row["field"]) or "").strip()
        rows.append({**row, "before": old, "after": row["value"], "changed": old != row["value"]})
    old_logic, new_logic = before.get("logic", {}), after.get("logic", {})
    for stage in logic_stages(new_logic):
        old, new = list(old_logic.get(stage["stage"], [])), stage["lines"]
        # Translators: a stage of the logic model in a version's comparison, e.g. "Logic model: Inputs"
        label = format_lazy(_("Logic model: {stage}"), stage=stage["label"])
        rows.append({"number": None, "field": f"logic:{stage['stage']}", "label": label, "help": "",
                     "before": "\n".join(old), "after": "\n".join(new), "changed": old != new})
    return rows


def intervention_detail(*, intervention: Intervention, user) -> dict:
    """Everything the intervention page shows."""
    current = snapshot(intervention)
    versions = list(intervention.versions.select_related("created_by").order_by("number"))
    latest = versions[-1] if versions else None
    coproducers = list(intervention.coproducers.select_related("member"))
    # a member who withdrew consent is no longer named (as in the network's directory): "a network member"
    named = set(Member.objects.filter(consenting(), pk__in=[c.member_id for c in coproducers if c.member_id])
                .values_list("pk", flat=True))
    for c in coproducers:
        c.named = c.member_id in named
    by_sector = [{"sector": code, "people": [c for c in coproducers if c.sector == code]}
                 for code in sectors_of(coproducers)]
    return {
        "tidier": tidier_rows(current), "logic": logic_stages(current["logic"]),
        "has_logic": any(current["logic"].values()), "coproducers": by_sector,
        "n_sectors": len(by_sector), "versions": versions, "latest": latest,
        # typo corrections change the description without a new version: say so
        "edited_since": latest is not None and {f: latest.snapshot.get(f, "") for f in VERSIONED}
        != {f: current[f] for f in VERSIONED},
        "practices": list(intervention.practices.filter(status=Practice.Status.ACCEPTED)),
        "programmes": list(intervention.programmes.all()),
        "par_cycles": list(intervention.par_cycles.select_related("school")),
        "trials": list(intervention.trials.select_related("version").order_by("-created_at", "-pk")),
        "can_edit": may_edit(user, intervention), "can_design": may(user, "interventions.design_trial"),
    }


# ------------------------------------------------------------------------------------------------ choices
def outcome_choices() -> list[tuple[str, str]]:
    return list(Outcome.choices)


def practice_options() -> QuerySet:
    return Practice.objects.filter(status=Practice.Status.ACCEPTED).order_by("title")


def programme_options() -> QuerySet:
    return Programme.objects.order_by("title")


def par_cycle_options() -> QuerySet:
    return ParCycle.objects.select_related("school").order_by("title", "pk")


def member_options(user) -> QuerySet:
    """Members who show themselves in the directory; researchers and administrators may name any member (not an
    erased profile, whose type is blank)."""
    members = Member.objects.exclude(stakeholder_type="").order_by("display_name", "pk")
    if is_researcher(user) or is_admin(user):
        return members
    return members.filter(in_directory=True)


# ------------------------------------------------------------------------------------------- personal data
def member_data(*, member: Member) -> dict:
    """A member's credits as a co-producer, for "Download all my data"."""
    return {"coproductions": [
        {"intervention": c.intervention.name, "sector": c.sector, "organisation": c.organisation, "role": c.role}
        for c in member.coproductions.select_related("intervention").order_by("intervention__name", "pk")]}
