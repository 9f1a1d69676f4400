"""What the screening pages show, as rows for the templates: an evaluation's table, the fairness audit, the gate's
checks, the counsellor's list and a student's screen, with every code read as its label (web/core/formatting) and
every hidden figure carrying why. Reads only (through the selectors); the views stay thin."""

from __future__ import annotations

import copy
import re

from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from markdown_it import MarkdownIt

from safeschool.screening.card import card_markdown
from safeschool.screening.data import DOMAINS, OUTCOMES, PROTECTED
from safeschool.screening.evaluation import ALGORITHM_NAMES
from safeschool.screening.norms import SCREEN_SCALES
from safeschool.vocabulary import MIN_CELL
from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.core import formatting
from safeschool.web.hub.models import Practice
from safeschool.web.research.models import Student
from safeschool.web.screening import selectors
from safeschool.web.screening.charts import model_label
from safeschool.web.screening.models import Algorithm, ApprovalRole, ModelStatus, RiskModel

KINDS = {"model": gettext_lazy("Model"), "baseline": gettext_lazy("Baseline"),
         "oracle": gettext_lazy("Simulated truth")}
# What each domain means for a student, in words a teacher uses (the domain's name is the risk_domain label).
DOMAIN_MEANINGS = {
    "attendance": gettext_lazy("Missed more school days than most students in the first year."),
    "behaviour": gettext_lazy("Behaviour incidents or suspensions were recorded in the first year."),
    "achievement": gettext_lazy("Results in the first year were below what most students reached."),
    "security": gettext_lazy("Reports feeling less secure with teachers and adults at school (closeness, "
                             "conflict, security)."),
    "belonging": gettext_lazy("Reports a weaker sense of belonging and engagement at school."),
}
CHECKS = {"fpr_ratio": gettext_lazy("False-positive rate ratio"),
          "fnr_ratio": gettext_lazy("False-negative rate ratio"),
          "calibration": gettext_lazy("Calibration in the large"),
          "monotone_tiers": gettext_lazy("Observed rate rises with the tier")}
TIER_BADGES = {"high": "danger", "moderate": "warning", "low": "muted"}
TASK_STATUS = {"queued": gettext_lazy("Waiting for the background worker"),
               "running": gettext_lazy("Training, evaluating and auditing; this page refreshes by itself"),
               "done": gettext_lazy("Finished: the model is stored as a draft"), "failed": gettext_lazy("Failed")}


def domain_label(code: str) -> str:
    return formatting.label("risk_domain", code)


def safe_domains(codes) -> list[str]:
    """Only the domains a school can change, never a protected attribute, whatever was stored."""
    return [c for c in (codes or []) if c in DOMAINS and c not in PROTECTED]


# ------------------------------------------------------------------------------------------------ the evaluation
def evaluation_rows(evaluation: dict) -> dict:
    """The evaluation's table: one row per model, baseline and the simulated truth, plus the verdict."""
    rows = []
    for m in evaluation.get("models") or []:
        ci = m.get("auc_ci") or [None, None]
        rows.append({"name": m["name"], "label": model_label(m["name"]), "kind": m.get("kind"),
                     "kind_label": str(KINDS.get(m.get("kind"), formatting.humanise(m.get("kind") or ""))),
                     "auc": m.get("auc"), "auc_low": ci[0], "auc_high": ci[1], "brier": m.get("brier"),
                     "precision_at_k": m.get("precision_at_k"), "recall_at_k": m.get("recall_at_k")})
    verdict = dict(evaluation.get("verdict") or {})
    verdict["sentence"] = verdict_sentence(evaluation)
    return {"rows": rows, "verdict": verdict, "oracle_auc": evaluation.get("oracle_auc"),
            "k": evaluation.get("k"), "capacity": evaluation.get("capacity"),
            "n_train": evaluation.get("n_train"), "n_test": evaluation.get("n_test"),
            "base_rate": evaluation.get("base_rate"), "train_cohorts": evaluation.get("train_cohorts") or [],
            "test_cohort": evaluation.get("test_cohort")}


def verdict_sentence(evaluation: dict) -> str:
    """The verdict in the reader's language, its figures written by the formatting layer (the stored template
    and the raw figures); the stored English sentence when the template cannot be filled."""
    verdict = evaluation.get("verdict") or {}
    template, fields = verdict.get("template"), dict(verdict.get("fields") or {})
    if not template:
        return verdict.get("sentence") or ""
    best = next((m for m in evaluation.get("models") or [] if m["name"] == verdict.get("best_model")), {})
    ci, difference_ci = best.get("auc_ci") or [None, None], verdict.get("difference_ci") or [None, None]
    fields |= {"model": gettext(ALGORITHM_NAMES[best["name"]]) if best.get("name") in ALGORITHM_NAMES
               else fields.get("model", ""),
               "auc": formatting.number(best.get("auc")), "auc_lo": formatting.number(ci[0]),
               "auc_hi": formatting.number(ci[1]), "school_auc": formatting.number(verdict.get("school_only_auc")),
               "difference": formatting.number(verdict.get("difference")),
               "lo": formatting.number(difference_ci[0]), "hi": formatting.number(difference_ci[1])}
    try:
        return gettext(template).format(**fields)
    except (KeyError, IndexError, ValueError):
        return verdict.get("sentence") or ""


def _stratum_label(value: str) -> str:
    parts = []
    for part in str(value).split(", "):
        column, _, code = part.partition("=")
        parts.append(formatting.label(f"group:{column}", code) if column in PROTECTED else part)
    return " × ".join(parts)


def fairness_rows(rows) -> list[dict]:
    """The audit table: each group and stratum with its figures; a hidden row says why (n<10, or hidden to
    protect a small group) and carries no figure."""
    out = []
    for r in rows or []:
        stratum = r.get("group") == "stratum"
        hidden = r.get("n") is None
        out.append({
            "group": gettext("Stratum") if stratum else formatting.label("group", r.get("group")),
            "value": _stratum_label(r.get("value")) if stratum else formatting.label(f"group:{r.get('group')}",
                                                                                     r.get("value")),
            "stratum": stratum, "hidden": hidden, "reason": r.get("suppressed") or ("small" if hidden else None),
            **{k: (None if hidden else r.get(k)) for k in ("n", "selection_rate", "fpr", "fnr", "precision",
                                                           "calibration")}})
    return out


def fairness_tables(rows) -> dict:
    """The audit split into the groups of each attribute and the intersectional strata."""
    shown = fairness_rows(rows)
    return {"groups": [r for r in shown if not r["stratum"]], "strata": [r for r in shown if r["stratum"]]}


def _check_groups(check: dict) -> str:
    """Which groups a check compares, in words: "Girls vs Boys" for a ratio, the one group for calibration."""
    group = check.get("group")
    if not group:
        return formatting.MISSING

    def name(value):
        return _stratum_label(value) if group == "stratum" else formatting.label(f"group:{group}", value)

    if check.get("high") is None:
        return formatting.MISSING
    if check.get("low") is None:
        return name(check["high"])
    # Translators: the two groups a fairness check compares, e.g. "Girls vs Boys".
    return gettext("%(high)s vs %(low)s") % {"high": name(check["high"]), "low": name(check["low"])}


def _check_sentence(row: dict, check: dict) -> str:
    """Why a failed check failed, in the reader's language, from the check's figures (never its stored English
    reason, which names raw attribute codes)."""
    if check.get("check") == "monotone_tiers":
        return gettext("The observed outcome rate does not rise from the low to the high tier, or a tier holds too "
                       "few students to tell.")
    value = check.get("value")
    # Translators: why a fairness check failed, e.g. "False-positive rate ratio, Migrant background (Yes vs No):
    # 2.100; even the lower end of its confidence interval, 1.700, is beyond the limit 1.50."
    return gettext("%(check)s, %(attribute)s (%(groups)s): %(value)s; even the lower end of its confidence "
                   "interval, %(lower)s, is beyond the limit %(limit)s.") % {
        "check": row["label"], "attribute": row["attribute"], "groups": row["groups"],
        "value": gettext("infinite") if value is None and check.get("check", "").endswith("_ratio")
        else formatting.number(value, 3), "lower": formatting.number(check.get("lower"), 3),
        "limit": formatting.number(check.get("limit"), 2)}


def gate_rows(gate) -> dict:
    """The gate's verdict and each check with the groups it compared, in labels; `reasons` are the failed checks
    told from their figures in the reader's language (the stored English reasons are for the CLI and logs)."""
    gate = gate or {}
    checks = []
    for c in gate.get("checks") or []:
        row = {"label": str(CHECKS.get(c.get("check"), formatting.humanise(c.get("check") or ""))),
               "attribute": (gettext("Strata") if c.get("group") == "stratum"
                             else formatting.label("group", c.get("group")) if c.get("group") else formatting.MISSING),
               "groups": _check_groups(c), "value": c.get("value"), "lower": c.get("lower"), "limit": c.get("limit"),
               "passed": bool(c.get("passed"))}
        row["reason"] = None if row["passed"] else _check_sentence(row, c)
        checks.append(row)
    failed = [c for c in checks if not c["passed"]]
    reasons = [c["reason"] for c in failed]
    if not gate.get("passed") and not reasons:  # a refusal without checks (an old or hand-made gate)
        reasons = [gettext("The gate's checks were not recorded.")] if gate.get("reasons") else []
    return {"passed": bool(gate.get("passed")), "reasons": reasons, "checks": checks, "failed": failed}


# ------------------------------------------------------------------------------------------------ form choices
def outcome_labels() -> dict:
    return {code: formatting.label("risk_outcome", code) for code in OUTCOMES}


def algorithm_labels() -> dict:
    return {code: formatting.label("risk_algorithm", code) for code in Algorithm.values}


def cohorts() -> list[int]:
    return selectors.cohorts() if hasattr(selectors, "cohorts") else sorted(
        c for c in Student.objects.values_list("cohort", flat=True).distinct() if c is not None)


# ------------------------------------------------------------------------------------------------ researchers
def model_rows(models) -> list[dict]:
    """A model list's rows: the audited model's AUC and the school-only baseline's, from its evaluation."""
    rows = []
    for model in models:
        evaluation = model.evaluation or {}
        verdict = evaluation.get("verdict") or {}
        rows.append({"model": model, "auc": verdict.get("best_auc"), "school_only_auc": verdict.get("school_only_auc")})
    return rows


def published_models() -> list[RiskModel]:
    return [m for m in (selectors.current_model(code) for code in OUTCOMES) if m is not None]


def security_overview() -> list[dict]:
    """How many students the security screen flags on each scale, across the network (researchers' home)."""
    if not hasattr(selectors, "security_overview"):
        return []
    rows = []
    for r in selectors.security_overview():
        small = formatting.is_missing(r.get("n")) or r["n"] < MIN_CELL
        flagged = r.get("flagged")
        hidden = small or (not formatting.is_missing(flagged) and 0 < flagged < MIN_CELL)
        rows.append({"scale": scale_label(r["scale"]), "n": None if small else r["n"],
                     "flagged": None if hidden else flagged,
                     "share": None if hidden else (flagged / r["n"] if r["n"] else None), "reason": "small"})
    return rows


def actions(model: RiskModel, user) -> dict:
    """Approvals, what still blocks publication and which buttons this user gets (the services check again)."""
    approvals = selectors.model_approvals(model)
    role = ApprovalRole.ADMINISTRATOR if is_admin(user) else ApprovalRole.RESEARCHER if is_researcher(user) else None
    draft = model.status == ModelStatus.DRAFT
    published = model.status == ModelStatus.PUBLISHED
    already = any(a.user_id == user.pk for a in approvals.values())
    blockers = selectors.publish_refusals(model) if draft else []
    return {
        "approvals": list(approvals.values()),
        "missing_roles": [r for r in ApprovalRole.values if r not in approvals] if draft else [],
        "approve_as": role,
        "can_approve": draft and role is not None and role not in approvals and not already
                       and user.has_perm("screening.approve", model),
        "can_publish": draft and not blockers and user.has_perm("screening.publish", model),
        "can_retire": model.status != ModelStatus.RETIRED and user.has_perm("screening.retire", model),
        "can_score": published and not model.expired and user.has_perm("screening.score", model),
        "blockers": blockers,
        "runs": list(model.runs.order_by("-created_at", "-id")[:5]),
    }


SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def card_html(model: RiskModel) -> str:
    """The model card in the reader's language as HTML: the card's Markdown rendered with raw HTML switched off
    (a name or a reason in the card cannot inject markup); column names (attendance_rate) set as code."""
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(card_markdown(_labelled(model.meta),
                                                                                         gettext))
    html = re.sub(r">([^<]+)<", lambda m: ">" + SNAKE.sub(r"<code>\g<0></code>", m.group(1)) + "<", html)
    html = html.replace("<code><code>", "<code>").replace("</code></code>", "</code>")  # the card's own `code`
    # a wide table scrolls inside its own box, never the page (390 px)
    return mark_safe(html.replace("<table>", '<div class="table-scroll" tabindex="0"><table>')
                     .replace("</table>", "</table></div>"))


def _labelled(meta: dict) -> dict:
    """The card's meta with codes read as labels (outcome, algorithm, model and baseline names, groups and strata
    values), as the pages show them; the model file keeps the codes."""
    meta = copy.deepcopy(meta)
    meta["outcome"] = formatting.label("risk_outcome", meta.get("outcome"))
    meta["algorithm"] = model_label(meta.get("algorithm"))  # the card finds the model's tiers by this name
    for entry in (meta.get("evaluation") or {}).get("models") or []:
        entry["name"] = model_label(entry.get("name"))
    if meta.get("gate"):  # the failed checks told in labels, not the stored English reasons with their codes
        meta["gate"]["reasons"] = gate_rows(meta["gate"])["reasons"]
    for row, shown in zip(meta.get("fairness") or [], fairness_rows(meta.get("fairness")), strict=True):
        row["value"] = shown["value"]
        if row.get("group") != "stratum":  # the card tells strata by this code
            row["group"] = shown["group"]
    return meta


def training(task_id) -> dict | None:
    """A queued training's state for the training page (None without a task, or for an id that is not one)."""
    if not task_id or len(task_id) > 64:
        return None
    status = selectors.training_status(task_id)
    if status is None:
        return None
    model = RiskModel.objects.filter(pk=status["model_id"]).first() if status.get("model_id") else None
    return status | {"id": task_id, "model": model, "label": str(TASK_STATUS.get(status["status"], "")),
                     "finished": status["status"] in ("done", "failed")}


# ------------------------------------------------------------------------------------------------ schools
def scale_label(code: str) -> str:
    return formatting.label("variable", code)


def share_initial(screening) -> float:
    return round(float(screening.share), 2)


def list_info(screening) -> dict:
    run = screening.run
    return {"model": screening.model, "k": screening.k, "share": screening.share, "n_scored": screening.n_scored,
            "scored_at": run.finished_at if run else None, "capacity_set": screening.capacity_set}


def list_rows(screening) -> list[dict]:
    return [{"pseudonym": r.pseudonym, "short": r.pseudonym[:10], "score": r.score_0_100, "tier": r.tier,
             "badge": TIER_BADGES.get(r.tier, "muted"), "domains": [domain_label(d) for d in safe_domains(r.domains)],
             "follow_up": formatting.label("follow_up_status", r.follow_up) if r.follow_up else gettext("none yet")}
            for r in screening.rows]


def flag_text(scale: str) -> str:
    """What a flag says: below the cut-off, or above it for teacher–student conflict (high is worse)."""
    if SCREEN_SCALES.get(scale, 1) < 0:
        return gettext("reliably above the cut-off")
    return gettext("reliably below the cut-off")


def flag_rows(screening) -> list[dict]:
    """The security screen's flags, one row per student with each scale it is flagged on."""
    students: dict[str, dict] = {}
    for f in screening.flags:
        row = students.setdefault(str(f["student_id"]), {"pseudonym": str(f["student_id"]),
                                                         "short": str(f["student_id"])[:10], "scales": []})
        row["scales"].append({"scale": scale_label(f["scale"]), "score": f.get("score"),
                              "percentile": f.get("percentile"), "cutoff": f.get("cutoff"),
                              "flag": flag_text(f["scale"])})
    return list(students.values())


# ------------------------------------------------------------------------------------------------ a student
def student_summary(screen) -> dict | None:
    if screen.score is None or screen.model is None:
        return None
    return {"score": screen.score.score_0_100, "tier": screen.score.tier,
            "badge": TIER_BADGES.get(screen.score.tier, "muted"), "model": screen.model, "on_list": screen.in_list}


def domain_rows(screen) -> list[dict]:
    return [{"code": d, "label": domain_label(d), "meaning": str(DOMAIN_MEANINGS[d])}
            for d in safe_domains(screen.domains)]


def support_rows(screen) -> list[dict]:
    """Each suggested Hub practice once, with the domains it answers."""
    found: dict[int, dict] = {}
    for group in screen.practices or []:
        if group.get("domain") not in DOMAINS:
            continue
        for practice in group.get("practices") or []:
            entry = found.setdefault(practice.pk, {"pk": practice.pk, "title": practice.title, "domains": []})
            entry["domains"].append(domain_label(group["domain"]))
    return list(found.values())


def practice_choices(screen) -> list:
    """The practices a follow-up may name: the suggested ones, else every accepted practice."""
    suggested = {p.pk: p for group in screen.practices or [] for p in group.get("practices") or []}
    return list(suggested.values()) or list(Practice.objects.filter(status=Practice.Status.ACCEPTED)
                                            .order_by("title")[:50])


def security_rows(screen) -> list[dict]:
    return [{"scale": scale_label(r["scale"]), "score": r.get("score"), "percentile": r.get("percentile"),
             "cutoff": r.get("cutoff"), "flagged": bool(r.get("flagged")), "flag": flag_text(r["scale"])}
            for r in screen.security or []]


def follow_up_rows(screen) -> list:
    return list(screen.follow_ups or [])
