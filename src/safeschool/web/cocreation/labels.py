"""The words of Delphi results a reader sees for the codes the statistics core stores (verdicts, the merged group)
and the consensus rule described in the reader's language; registered with the formatting layer when the app is
ready, used by the pages, the CSV and the PDF alike."""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from safeschool.stats.delphi import Rule
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.core import formatting

VERDICTS = {
    # Translators: a Delphi verdict: the panel agrees the statement belongs in the model.
    "in": pgettext_lazy("Delphi verdict", "In"),
    # Translators: a Delphi verdict: the panel agrees the statement does not belong in the model.
    "out": pgettext_lazy("Delphi verdict", "Out"),
    "no consensus": pgettext_lazy("Delphi verdict", "No consensus"),
    "uncertain": pgettext_lazy("Delphi verdict", "Uncertain"),
}
RULE_NAMES = {"comet": "COMET", "agreement": _("Percent agreement"), "iqr": _("Median and IQR"),
              "rand": "RAND/UCLA"}
OTHER_GROUPS = {"other groups": _("Other groups")}


def register() -> None:
    formatting.register("verdict", VERDICTS)
    formatting.register("delphi_rule", RULE_NAMES)
    formatting.register("stakeholder_type", OTHER_GROUPS)
    formatting.register("par_phase", ParCycle._meta.get_field("phase").choices)


def rule_text(rule: Rule) -> str:
    """The consensus definition in words (stats.delphi.Rule.describe, in the reader's language)."""
    values = {"in": formatting.percent(rule.comet_in, 0), "against": formatting.percent(rule.comet_against, 0),
              "threshold": formatting.percent(rule.threshold, 0), "iqr": formatting.number(rule.max_iqr, 1)}
    if rule.name == "comet":
        text = gettext("COMET: in when at least %(in)s rate 7–9 and fewer than %(against)s rate 1–3; out "
                       "symmetrically") % values
    elif rule.name == "agreement":
        text = gettext("Percent agreement: in when at least %(threshold)s rate 7–9, out when at least "
                       "%(threshold)s rate 1–3") % values
    elif rule.name == "iqr":
        text = gettext("Median and IQR: in when the IQR is at most %(iqr)s and the median 7–9, out when the IQR is "
                       "at most %(iqr)s and the median 1–3") % values
    else:
        text = gettext("RAND/UCLA: appropriate (median 7–9) or inappropriate (median 1–3) without disagreement")
        text += ", " + (gettext("disagreement when IPR > IPRAS") if rule.rand_method == "ipras"
                        else gettext("disagreement by the panel-size rule"))
    if rule.by_group:
        text += "; " + gettext("must hold within every stakeholder group")
    return text
