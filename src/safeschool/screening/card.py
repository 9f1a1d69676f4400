"""The model card (Mitchell et al., 2019) of a screening model, in Markdown (and as a standalone HTML page), from its model.json (`meta`): what it
is for and not for, its data and cohorts, its inputs, how it did against the baselines on a later cohort, the
fairness audit and publication gate, its version and expiry.

Labels go through `gettext` (the web passes Django's; the CLI writes English), and `_(…)` marks them for the
catalogues. Values that came from people (the model's name, gate reasons) have newlines and table pipes removed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it import MarkdownIt

from safeschool.screening.data import DOMAINS, PROTECTED, SCHOOL_FEATURES
from safeschool.stats.disclosure import suppress_counts
from safeschool.vocabulary import MIN_CELL

# The page's colours are the site's (ink, primary, muted, surface, border); the card must read well on its own.
_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;color:#1b2733;max-width:60rem;margin:0 auto;padding:1rem}"
          "h1,h2{color:#153a6b}blockquote{border-left:4px solid #1d4f91;background:#f5f7fa;margin:0;"
          "padding:.5rem 1rem}table{border-collapse:collapse;display:block;overflow-x:auto}"
          "th,td{border:1px solid #d5dbe3;padding:.25rem .5rem;text-align:left}code{color:#4a5868;"
          "overflow-wrap:anywhere}")


def _identity(text: str) -> str:
    return text


def _clean(value) -> str:
    return " ".join(str(value).split()).replace("|", "/")


_SNAKE = re.compile(r"(?<![`\w])([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)(?![`\w])")


def _code(name) -> str:
    """A column or attribute name set as code (`school_rec_partner`), never a bare token in the prose."""
    return f"`{_clean(name).replace('`', '')}`"


def _codes(text) -> str:
    """Text (a gate reason, a group's name or value) with every code-like token (migrant_background) set as code."""
    return _SNAKE.sub(r"`\1`", _clean(text))


def _num(x, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def _ci(pair) -> str:
    if not pair or pair[0] is None:
        return ""
    return f" ({_num(pair[0])}–{_num(pair[1])})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *["| " + " | ".join(row) + " |" for row in rows], ""]


def _features(meta: dict, _: Callable[[str], str]) -> list[str]:
    features = list(meta.get("features") or [])
    lines = [f"## {_('Features')}", ""]
    labels = {"attendance": _("Attendance"), "behaviour": _("Behaviour"), "achievement": _("Achievement"),
              "security": _("Security"), "belonging": _("Belonging")}
    for domain, columns in DOMAINS.items():
        used = [c for c in columns if c in features]
        if used:
            lines.append(f"- {labels.get(domain, domain)}: {', '.join(_code(c) for c in used)}")
    school = [c for c in features if c in SCHOOL_FEATURES]
    if school:
        lines.append(f"- {_('School context')}: {', '.join(_code(c) for c in school)}")
    other = [c for c in features if c not in SCHOOL_FEATURES and c not in PROTECTED
             and not any(c in cols for cols in DOMAINS.values())]
    if other:
        lines.append(f"- {_('Other')}: {', '.join(_code(c) for c in other)}")
    lines += ["", _("Every input is taken at the student's first wave, what a school knows in the autumn. Missing "
                    "values are imputed with the training medians, and the model also sees that they were missing."),
              ""]
    protected = [c for c in PROTECTED if c in features]
    lines += [f"## {_('Protected attributes')}", ""]
    if protected:
        lines.append(_("At a researcher's request these protected attributes are model inputs: {names}. The "
                       "fairness audit still applies.").format(names=", ".join(_code(c) for c in protected)))
    else:
        lines.append(_("Gender, migrant background, Roma or minority background, socio-economic band, special "
                       "educational needs and growing up outside parental care are not model inputs; they are used "
                       "only to audit the model's errors."))
    return [*lines, ""]


def _performance(evaluation: dict, _: Callable[[str], str]) -> list[str]:
    lines = [f"## {_('Performance on the test cohort')}", ""]
    if not evaluation:
        return [*lines, _("This model has not been evaluated on a later cohort."), ""]
    lines += [_("Each school selects its top {capacity} of students (k = {k} in all). AUC with a 95 % bootstrap "
                "confidence interval; a lower Brier score is better.").format(
        capacity=_pct(evaluation.get("capacity")), k=evaluation.get("k")), ""]
    kinds = {"model": _("model"), "baseline": _("baseline"), "oracle": _("simulated truth")}
    rows = [[_codes(m["name"]), kinds.get(m.get("kind"), ""), _num(m.get("auc")) + _ci(m.get("auc_ci")),
             _num(m.get("brier"), 4), _pct(m.get("precision_at_k")), _pct(m.get("recall_at_k"))]
            for m in evaluation.get("models", [])]
    lines += _table([_("Model"), _("Kind"), _("AUC (95 % CI)"), _("Brier"), _("Precision at k"),
                     _("Recall at k")], rows)
    verdict = evaluation.get("verdict") or {}
    if verdict.get("template"):
        lines += [_(verdict["template"]).format(**verdict.get("fields", {})), ""]
    elif verdict.get("sentence"):
        lines += [_codes(verdict["sentence"]), ""]
    if evaluation.get("oracle_auc") is not None:
        lines += [_("The oracle is the simulated true probability of each student: its AUC ({auc}) is the ceiling "
                    "any model of these data can reach.").format(auc=_num(evaluation["oracle_auc"])), ""]
    return lines


def _tiers(meta: dict, evaluation: dict, _: Callable[[str], str]) -> list[str]:
    lines = [f"## {_('Tiers')}", ""]
    cutoffs = meta.get("tier_cutoffs") or {}
    if cutoffs:
        lines += [_("High: a predicted probability above {high}; moderate: above {moderate}; low: the rest (the top "
                    "10 % and the next 15 % of the training cohorts).").format(
            high=_num(cutoffs.get("high"), 3), moderate=_num(cutoffs.get("moderate"), 3)), ""]
    entry = next((m for m in (evaluation or {}).get("models", []) if m.get("name") == meta.get("algorithm")), None)
    if entry:
        labels = {"high": _("high"), "moderate": _("moderate"), "low": _("low")}
        tiers = entry.get("tiers", [])
        # a tier of fewer than 10 students shows no figure, not even its n (nor one that would give it away)
        counts = suppress_counts({i: t["n"] for i, t in enumerate(tiers) if t.get("n") is not None})
        rows = []
        for i, t in enumerate(tiers):
            n = counts.get(i)
            shown = n is not None and (n == 0 or n >= MIN_CELL)
            rows.append([labels.get(t["tier"], t["tier"]), str(n) if shown else "—",
                         _pct(t.get("observed_rate")) if shown else "—",
                         _pct(t.get("mean_predicted")) if shown else "—"])
        lines += [_("How many students of the test cohort each tier held, and how many of them actually had the "
                    "outcome (figures for fewer than 10 students are not shown):"), ""]
        lines += _table([_("Tier"), _("Students"), _("Observed rate"), _("Mean predicted")], rows)
    return lines


def _fairness(meta: dict, _: Callable[[str], str]) -> list[str]:
    lines = [f"## {_('Fairness audit and publication gate')}", ""]
    gate = meta.get("gate") or {}
    if "passed" in gate:
        lines.append(f"**{_('Passed') if gate['passed'] else _('Not passed')}**" + (
            "" if gate["passed"] else ": " + _("the model cannot be published to schools.")))
        lines += [f"- {_codes(reason)}" for reason in gate.get("reasons", [])]
    else:
        lines.append(_("The publication gate has not been checked."))
    lines.append("")
    rows = [r for r in meta.get("fairness") or [] if r.get("group") != "stratum"]
    strata = [r for r in meta.get("fairness") or [] if r.get("group") == "stratum"]
    if rows:
        lines += _table([_("Group"), _("Value"), _("Students"), _("Selection rate"), _("False-positive rate"),
                         _("False-negative rate"), _("Precision")],
                        [[_codes(r["group"]), _codes(r["value"]), "—" if r.get("n") is None else str(r["n"]),
                          _pct(r.get("selection_rate")), _pct(r.get("fpr")), _pct(r.get("fnr")),
                          _pct(r.get("precision"))] for r in rows])
    if strata:
        shown = sum(1 for r in strata if r.get("n") is not None)
        lines += [_("Intersectional strata audited: {n} ({shown} with at least 10 students; the others are "
                    "suppressed).").format(n=len(strata), shown=shown), ""]
    return lines


def card_markdown(meta: dict, gettext: Callable[[str], str] | None = None) -> str:
    """The model card in Markdown; `gettext` translates its labels (default: English as written)."""
    _ = gettext or _identity
    evaluation = meta.get("evaluation") or {}
    cohorts = ", ".join(str(c) for c in meta.get("train_cohorts") or []) or "—"
    test_cohort = meta.get("test_cohort") or evaluation.get("test_cohort") or "—"
    algorithms = {"logistic": _("logistic regression"), "boosting": _("gradient boosting")}
    lines = [
        "# " + _("Model card: {name}, version {version}").format(
            name=_clean(meta.get("name") or meta.get("outcome") or "—"), version=meta.get("version", "—")), "",
        "> " + _("A starting point for inquiry, not a life sentence. Never use this score for tracking, streaming, "
                 "admission or discipline."), "",
        f"## {_('Intended use')}", "",
        _("To help school staff notice, early in the school year, which students may need support, and in which "
          "domains a school can change (attendance, behaviour, achievement, security, belonging). A score starts a "
          "conversation with the student and the family; it decides nothing on its own. Each school's list is cut "
          "to the number of students it can support."), "",
        _("It is not for use after its expiry date ({date}): then retrain it on newer cohorts.").format(
            date=meta.get("expires_on") or "—"), "",
        f"## {_('Model')}", "",
        f"- {_('Outcome')}: {_codes(meta.get('outcome', '—'))}",
        f"- {_('Algorithm')}: {algorithms.get(meta.get('algorithm'), _clean(meta.get('algorithm', '—')))}",
        f"- {_('Version')}: {meta.get('version', '—')}",
        f"- {_('Created')}: {meta.get('created', '—')}",
        f"- {_('Expires on')}: {meta.get('expires_on') or '—'}",
        f"- {_('safeschool version')}: {meta.get('safeschool_version', '—')}",
        f"- {_('Estimator SHA-256')}: `{meta.get('estimator_sha256', '—')}`", "",
        f"## {_('Data')}", "",
        "- " + _("Training cohorts (entry years): {cohorts}; {n} students, of whom {rate} had the outcome.").format(
            cohorts=cohorts, n=meta.get("n_train", evaluation.get("n_train", "—")),
            rate=_pct(meta.get("base_rate", evaluation.get("train_base_rate")))),
        "- " + _("Test cohort: {cohort}; {n} students, of whom {rate} had the outcome.").format(
            cohort=test_cohort, n=evaluation.get("n_test", "—"), rate=_pct(evaluation.get("base_rate"))),
        "- " + _("No student is in both: the model is judged on a later school year it never saw."), "",
        *_features(meta, _),
        *_performance(evaluation, _),
        *_tiers(meta, evaluation, _),
        *_fairness(meta, _),
        f"## {_('Limitations')}", "",
        "- " + _("Schools and students change from year to year: check calibration on every new cohort, and "
                 "retrain when the observed rates drift away from the predicted ones."),
        "- " + _("The school a student attends carries much of the signal; the school-only baseline above shows how "
                 "much the individual data add."),
        "- " + _("A high tier is wrong for many students in it (see the observed rate per tier) and misses "
                 "students in lower tiers: staff judgement and the student's own voice come first."),
        "",
    ]
    return "\n".join(lines)


def card_html(meta: dict, gettext: Callable[[str], str] | None = None, language: str = "en") -> str:
    """The model card as a standalone HTML page (raw HTML in the Markdown is escaped, never passed through)."""
    _ = gettext or _identity
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(card_markdown(meta, gettext))
    title = _("Model card: {name}, version {version}").format(
        name=_clean(meta.get("name") or meta.get("outcome") or "—"), version=meta.get("version", "—"))
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}</body>\n"
            "</html>\n")
