"""The power libraries' refusals as the web says them. `safeschool.trials.power` and `safeschool.trials.icc` refuse
in the command line's words and in English ("--clusters: 2 leave 0 degrees of freedom for crt2 (J - g - 2)"); the
CLI keeps that wording. The web never shows it: a small table keyed by the refusal's option (PowerInputError
.option) and reason gives a translated sentence that names the form field in words."""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from safeschool.trials import power
from safeschool.trials.icc import MIN_SCHOOLS
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting

# What the library's message says, in order (the first phrase found decides).
_POWER_REASONS = (("degrees of freedom", "df"), ("cannot fill", "steps"), ("no number of clusters", "unreachable"),
                  ("plus --icc", "sum"), ("is required", "required"), ("whole number", "count"),
                  ("must lie in (0, 1)", "open_share"), ("must lie in", "share"), ("unknown design", "design"),
                  ("above 0", "positive"), ("or more", "minimum"), ("at least", "minimum"))

# (form field, reason) -> sentence; then reason alone -> sentence with the field's label.
_POWER_MESSAGES = {
    ("clusters", "df"): N_("Too few schools for this design and this number of covariates: the analysis would have "
                           "no degrees of freedom left. Add schools or use fewer covariates at the randomised level."),
    ("clusters", "steps"): N_("Fewer schools than steps: at least one school must cross over to the intervention "
                              "at each step. Add schools or use fewer steps."),
    ("target", "unreachable"): N_("No number of schools up to %(max)s reaches this target MDES: choose a larger "
                                  "target or change the other inputs."),
    ("icc_class", "sum"): N_("The school ICC and the class ICC together must be below 1."),
    ("icc_class", "required"): N_("3-level designs need the between-class ICC."),
    ("classes_per_school", "minimum"): N_("Classes per school: at least %(minimum)s for this design."),
    ("cluster_size", "minimum"): N_("Students per cluster: enter a number of at least 1."),
}
_BY_REASON = {
    "count": N_("%(field)s: enter a whole number of at least %(minimum)s."),
    "share": N_("%(field)s: enter a number from 0 up to (not including) 1."),
    "open_share": N_("%(field)s: enter a number between 0 and 1."),
    "positive": N_("%(field)s: enter a number above 0."),
    "minimum": N_("%(field)s: enter a number of at least %(minimum)s."),
    "design": N_("%(field)s: choose one of the designs listed."),
}
_ANY = N_("%(field)s: this value cannot be used for this design.")


def power_field(exc: power.PowerInputError) -> str:
    """The power form's field a PowerInputError names (its option: "cluster-size" -> "cluster_size")."""
    name = (exc.option or "").replace("-", "_")
    return {"mdes": "target"}.get(name, name)


def power_reason(exc: power.PowerInputError) -> str:
    message = str(exc)
    return next((reason for phrase, reason in _POWER_REASONS if phrase in message), "")


def power_message(exc: power.PowerInputError, *, labels: dict | None = None) -> str:
    """The translated sentence for a PowerInputError; `labels` maps form fields to their (translated) labels."""
    field, reason = power_field(exc), power_reason(exc)
    found = re.search(r"at least (\d+)", str(exc))
    values = {"field": str((labels or {}).get(field) or gettext("This value")),
              "minimum": formatting.count(int(found.group(1))) if found else formatting.count(0),
              "max": formatting.count(power.MAX_CLUSTERS)}
    template = _POWER_MESSAGES.get((field, reason)) or _BY_REASON.get(reason) or _ANY
    return gettext(template) % values


# ----------------------------------------------------------------------------------------------------- ICCs
_ICC_REASONS = (("the school variance needs", "schools"), ("too few per school", "students"),
                ("has no column", "column"), ("have no column", "column"), ("unknown outcome", "outcome"),
                ("needs the column", "outcome"))
_ICC_MESSAGES = {
    "schools": N_("fewer than %(schools)s schools have data on this outcome in this selection, too few to estimate "
                  "the share between schools"),
    "students": N_("the schools in this selection have fewer than %(students)s students each on average, too few to "
                   "separate schools from classes"),
    "column": N_("the data lack a variable this estimate needs"),
    "outcome": N_("the data have no values for this outcome"),
}
_ICC_ANY = N_("the model could not be fitted to these data")


def icc_reason(message: str) -> str:
    return next((reason for phrase, reason in _ICC_REASONS if phrase in message), "")


def icc_message(message: str) -> str:
    """The translated phrase (lower case: it goes inside a sentence) for a trials.icc refusal's message."""
    return gettext(_ICC_MESSAGES.get(icc_reason(message), _ICC_ANY)) % {
        "schools": formatting.count(MIN_SCHOOLS), "students": formatting.count(MIN_CELL)}
