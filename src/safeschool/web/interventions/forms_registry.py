"""The registry's forms: the filters, an intervention (the TIDieR items numbered as the checklist numbers them, in
four fieldsets), a new version (the TIDieR items plus its adaptation), the logic model (one small formset per
stage) and a co-producer. They check what was typed; the services check it again and decide whether the user may."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safeschool.vocabulary import LEVELS
from safeschool.web.core import formatting
from safeschool.web.core.ids import ModelIdsField
from safeschool.web.interventions import selectors_registry as registry
from safeschool.web.interventions.models import TIDIER_FIELDS, Intervention, InterventionStatus, Outcome
from safeschool.web.network.models import Sector

TEXTAREA = {"rows": 3}


def _level_choices(blank) -> list[tuple[str, str]]:
    return [("", blank)] + [(lv, formatting.label("level", lv)) for lv in LEVELS]


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    sector = forms.ChoiceField(required=False, label=_("Sector"), choices=())
    outcome = forms.ChoiceField(required=False, label=_("Outcome"), choices=())
    status = forms.ChoiceField(required=False, label=_("Status"), choices=())
    level = forms.ChoiceField(required=False, label=_("Level"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Translators: the empty choice of a filter (no filter on this field)
        every = _("All")
        self.fields["sector"].choices = [("", every), *Sector.choices]
        self.fields["outcome"].choices = [("", every), *Outcome.choices]
        self.fields["status"].choices = [("", every), *InterventionStatus.choices]
        self.fields["level"].choices = _level_choices(every)


def tidier_field(name: str, *, required: bool) -> forms.Field:
    item = registry.ITEMS[name]
    max_length = Intervention._meta.get_field(name).max_length
    label = format_lazy("{}. {}", item.number, item.label)
    if name == "name":
        return forms.CharField(max_length=max_length, label=label, help_text=item.help)
    return forms.CharField(max_length=max_length, required=required, label=label, help_text=item.help,
                           widget=forms.Textarea(attrs=TEXTAREA))


class InterventionForm(forms.Form):
    """The description, what it aims at, and its links to the Hub and to PAR cycles."""

    summary = forms.CharField(max_length=2_000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              label=_("Summary"), help_text=_("Two or three sentences for the registry's list."))
    outcomes = forms.MultipleChoiceField(choices=Outcome.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                         label=_("Outcomes it aims to improve"))
    level = forms.ChoiceField(choices=(), required=False, label=_("Ecological level"),
                              help_text=_("The level it mainly works at."))
    status = forms.ChoiceField(choices=InterventionStatus.choices, initial=InterventionStatus.DRAFT,
                               label=_("Status"))
    practices = ModelIdsField(queryset=None, required=False, label=_("Hub practices"))
    programmes = ModelIdsField(queryset=None, required=False, label=_("Hub programmes"))
    par_cycles = ModelIdsField(queryset=None, required=False, label=_("PAR cycles"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", *TIDIER_FIELDS):
            self.fields[name] = tidier_field(name, required=name == "why")
        self.fields["level"].choices = _level_choices("—")
        self.fields["practices"].queryset = registry.practice_options()
        self.fields["practices"].error_messages["invalid_choice"] = _("Choose practices the Hub has accepted.")
        self.fields["programmes"].queryset = registry.programme_options()
        self.fields["par_cycles"].queryset = registry.par_cycle_options()
        self.fields["par_cycles"].label_from_instance = lambda c: f"{c.title} ({c.school.name})"

    def fieldsets(self) -> list[dict]:
        """The TIDieR items grouped as the template shows them, then the summary and aims, then the links."""
        groups = [{"legend": legend, "fields": [self[name] for name in names]}
                  for legend, names in registry.FIELDSETS]
        groups.append({"legend": _("Summary and aims"),
                       "fields": [self["summary"], self["outcomes"], self["level"], self["status"]]})
        groups.append({"legend": _("Links"), "fields": [self["practices"], self["programmes"], self["par_cycles"]]})
        return groups

    @classmethod
    def initial_of(cls, intervention: Intervention) -> dict:
        return {**{f: getattr(intervention, f) for f in ("name", "summary", "level", "status", *TIDIER_FIELDS)},
                "outcomes": list(intervention.outcomes or []),
                "practices": list(intervention.practices.all()), "programmes": list(intervention.programmes.all()),
                "par_cycles": list(intervention.par_cycles.all())}


class VersionForm(forms.Form):
    """A new version: the TIDieR items as they now read, and the adaptation that made them."""

    context = forms.CharField(max_length=300, label=_("For which context"),
                              help_text=_("The schools, country or group it was adapted for."))
    changes = forms.CharField(max_length=3_000, widget=forms.Textarea(attrs=TEXTAREA), label=_("What changed"))
    reasons = forms.CharField(max_length=3_000, widget=forms.Textarea(attrs=TEXTAREA), label=_("Why"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", *TIDIER_FIELDS):
            self.fields[name] = tidier_field(name, required=name == "why")

    def fieldsets(self) -> list[dict]:
        groups = [{"legend": _("The adaptation"), "fields": [self["context"], self["changes"], self["reasons"]]}]
        return groups + [{"legend": legend, "fields": [self[name] for name in names]}
                         for legend, names in registry.FIELDSETS]


class LogicLineForm(forms.Form):
    text = forms.CharField(max_length=500, required=False,
                           # Translators: one line of a logic model (an input, an activity, an outcome ...)
                           label=pgettext_lazy("logic model", "Line"))


LogicFormSet = forms.formset_factory(LogicLineForm, extra=2, can_order=True, can_delete=True, max_num=30,
                                     validate_max=True)


def logic_formsets(data=None, *, stages: list[dict]) -> list[dict]:
    """One formset per stage (prefix: the stage code), filled with its lines."""
    return [{"stage": s["stage"], "label": s["label"],
             "formset": LogicFormSet(data, prefix=s["stage"], initial=[{"text": t} for t in s["lines"]])}
            for s in stages]


def logic_lines(formsets: list[dict]) -> dict[str, list[str]]:
    """{stage: [text, ...]} in the order asked for (ORDER, then position), without deleted or empty lines."""
    lines = {}
    for group in formsets:
        formset = group["formset"]
        kept = [f for f in formset.forms if f.cleaned_data.get("text", "").strip()
                and not f.cleaned_data.get("DELETE")]
        kept = sorted(enumerate(kept), key=lambda p: (p[1].cleaned_data.get("ORDER") is None,
                                                       p[1].cleaned_data.get("ORDER") or 0, p[0]))
        lines[group["stage"]] = [f.cleaned_data["text"].strip() for _i, f in kept]
    return lines


class CoProducerForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, required=False, label=_("Network member"),
                                    help_text=_("A member who shows themselves in the directory."))
    organisation = forms.CharField(max_length=200, required=False, label=_("Or an organisation"))
    sector = forms.ChoiceField(choices=Sector.choices, label=_("Sector"))
    role = forms.CharField(max_length=200, required=False, label=_("Role"),
                           help_text=_("What they contributed."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = registry.member_options(user)
        self.fields["member"].error_messages["invalid_choice"] = _("Choose a member from the directory.")
        self.fields["member"].empty_label = "—"

    def clean(self):
        data = super().clean()
        if not data.get("member") and not (data.get("organisation") or "").strip() and "member" not in self.errors:
            self.add_error("member", _("Choose a member or name an organisation."))
        return data

