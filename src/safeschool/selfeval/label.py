"""The Safe School Label's published criteria (label.yaml) and their automatic check against a school's facts: the
report of its closed campaign, the evidence it uploaded, its action plan, its PAR cycles. Pure: the web app gathers
the facts, reviewers judge what the check cannot (the documents themselves, the statement). docs/label.md.

`facts` = {"report": the campaign's report dict (selfeval.report: `groups`, `scores`, `gaps`), "evidence": the
indicator codes with a document, "plan": {"status", "goals"} or None, "par": {"participating", "finished"},
"campaign": {"closed_on": date} or None, "previous": the previous campaign's report or None, "today": date}.

Each check gives {code, met, detail, values}: `detail` is an English sentence (a gettext_noop message, translated
where shown) with %(name)s placeholders filled from `values` (numbers, ISO dates, lists of codes), so the stored
result reads in every language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from safeschool.selfeval.questionnaire import INFORMANTS
from safeschool.vocabulary import gettext_noop

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "label.yaml"
YES = 0.5  # a practice is in place when more than half of the school's leaders answered yes


class LabelCriteriaError(ValueError):
    """label.yaml is not valid; the message names the code concerned."""


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    rule: str
    why: str
    check: str
    params: dict

    def text(self, which: str) -> str:
        """The criterion's `rule` (or `name`, `why`) with its parameters filled in (English; translate first)."""
        return fill(getattr(self, which), self.params)


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    why: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Criteria:
    code: str
    version: int
    name: str
    valid_years: int
    practices: dict[str, str]
    key_practices: tuple[str, ...]
    levels: tuple[Level, ...]

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        raise LabelCriteriaError(f"unknown level '{code}' (choose {', '.join(lv.code for lv in self.levels)})")

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)


def fill(text: str, params: dict) -> str:
    """`text` with its %(name)s placeholders replaced by `params` (lists joined by commas)."""
    shown = {k: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in params.items()}
    try:
        return text % shown
    except (KeyError, ValueError, TypeError):
        return text


def load_criteria(path: Path | None = None) -> Criteria:
    """The published criteria, checked: every level and criterion has a code, a name, a rule and a reason, and
    every check is one this module knows. The packaged file is read once per process."""
    return _published() if path is None else _read(Path(path))


@lru_cache(maxsize=1)
def _published() -> Criteria:
    return _read(DEFAULT_FILE)


def _read(path: Path) -> Criteria:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelCriteriaError(f"{path.name}: cannot read ({exc})") from exc
    return parse(data, path.name)


def parse(data: Any, where: str = "label criteria") -> Criteria:
    def fail(message: str) -> LabelCriteriaError:
        return LabelCriteriaError(f"{where}: {message}")

    if not isinstance(data, dict):
        raise fail("not a mapping")
    for key in ("code", "version", "name", "valid_years", "practices", "key_practices", "levels"):
        if key not in data:
            raise fail(f"'{key}' is missing")
    practices = dict(data["practices"])
    unknown = [p for p in data["key_practices"] if p not in practices]
    if unknown:
        raise fail(f"key practice '{unknown[0]}' is not among the practices")
    levels = []
    for entry in data["levels"]:
        for key in ("code", "name", "why", "criteria"):
            if not entry.get(key):
                raise fail(f"a level without '{key}' ({entry.get('code', '?')})")
        criteria = []
        for c in entry["criteria"]:
            for key in ("code", "name", "rule", "why", "check"):
                if not c.get(key):
                    raise fail(f"level '{entry['code']}': a criterion without '{key}' ({c.get('code', '?')})")
            if c["check"] not in CHECKS:
                raise fail(f"criterion '{c['code']}': unknown check '{c['check']}' (choose {', '.join(CHECKS)})")
            criteria.append(Criterion(c["code"], c["name"], " ".join(c["rule"].split()), " ".join(c["why"].split()),
                                      c["check"], dict(c.get("params") or {})))
        codes = [c.code for c in criteria]
        if len(set(codes)) != len(codes):
            raise fail(f"level '{entry['code']}': a criterion code is used twice")
        levels.append(Level(entry["code"], entry["name"], " ".join(entry["why"].split()), tuple(criteria)))
    return Criteria(data["code"], int(data["version"]), data["name"], int(data["valid_years"]), practices,
                    tuple(data["key_practices"]), tuple(levels))


# --- the checks: (facts, params, criteria) -> (met, detail, values) ------------------------------------------

def _rows(report: dict | None, level: str) -> list[dict]:
    return [r for r in (report or {}).get("scores", []) if r.get("level") == level]


def _shown(report: dict | None) -> list[str]:
    return [g["informant"] for g in (report or {}).get("groups", []) if g.get("shown")]


def _campaign_recent(facts, params, criteria):
    closed = (facts.get("campaign") or {}).get("closed_on")
    if closed is None:
        return False, gettext_noop("No closed campaign."), {}
    today = facts["today"]
    limit = _months_before(today, int(params.get("months", 12)))
    values = {"date": closed.isoformat(), "months": params.get("months", 12)}
    if closed < limit or closed > today:
        return False, gettext_noop("The campaign closed on %(date)s, more than %(months)s months ago."), values
    return True, gettext_noop("The campaign closed on %(date)s."), values


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _groups_shown(facts, params, criteria):
    shown = [i for i in INFORMANTS if i in _shown(facts.get("report"))]
    missing = [g for g in params.get("required", []) if g not in shown]
    any_of = params.get("any_of")
    at_least = int(params.get("at_least", 1))
    values = {"groups": shown, "missing": missing, "count": len(shown), "at_least": at_least}
    if missing:
        return False, gettext_noop("Not shown: %(missing)s (fewer than 10 answered, or not invited)."), values
    if any_of and not any(g in shown for g in any_of):
        values["missing"] = list(any_of)
        return False, gettext_noop("Not shown: %(missing)s (fewer than 10 answered, or not invited)."), values
    if len(shown) < at_least:
        return False, gettext_noop("Groups shown: %(groups)s (%(count)s); needed: %(at_least)s."), values
    return True, gettext_noop("Shown: %(groups)s."), values


def _dimension_scores(facts, params, criteria):
    minimum = float(params["min_score"])
    shown = set(_shown(facts.get("report")))
    rows = [r for r in _rows(facts.get("report"), "dimension") if r.get("informant") in shown]
    if not rows:
        return False, gettext_noop("No dimension score is shown."), {"min_score": minimum}
    missing = [r for r in rows if r.get("score_100") is None]
    below = sorted((r for r in rows if r.get("score_100") is not None and r["score_100"] < minimum),
                   key=lambda r: r["score_100"])
    lowest = min((r for r in rows if r.get("score_100") is not None), key=lambda r: r["score_100"], default=None)
    values = {"min_score": minimum, "lowest": None if lowest is None else round(lowest["score_100"], 1),
              "dimension": None if lowest is None else lowest["code"],
              "group": None if lowest is None else lowest["informant"]}
    if below:
        values["below"] = len(below)
        return False, gettext_noop("Scores below %(min_score)s: %(below)s; the lowest is %(lowest)s "
                                   "(%(dimension)s, %(group)s)."), values
    if missing:
        values["dimension"], values["group"] = missing[0]["code"], missing[0]["informant"]
        return False, gettext_noop("No score for %(dimension)s in %(group)s."), values
    return True, gettext_noop("The lowest score is %(lowest)s (%(dimension)s, %(group)s)."), values


def _practices_in_place(report: dict | None) -> set[str]:
    """The yes/no practices more than half of the school's leaders answered yes (their indicator score is the
    share of yes)."""
    return {r["code"] for r in _rows(report, "indicator")
            if r.get("informant") == "leaders" and r.get("score") is not None and r["score"] > YES}


def _practices_evidenced(facts, params, criteria):
    wanted = list(criteria.key_practices) if params.get("practices") == "key" else list(criteria.practices)
    in_place = _practices_in_place(facts.get("report"))
    evidence = set(facts.get("evidence") or ())
    not_in_place = [p for p in wanted if p not in in_place]
    undocumented = [p for p in wanted if p in in_place and p not in evidence]
    values = {"practices": wanted, "not_in_place": not_in_place, "undocumented": undocumented}
    if not_in_place:
        return False, gettext_noop("Not reported in place: %(not_in_place)s."), values
    if undocumented:
        return False, gettext_noop("No document yet for: %(undocumented)s."), values
    return True, gettext_noop("All in place and documented."), values


def _plan_in_progress(facts, params, criteria):
    plan = facts.get("plan")
    minimum = int(params.get("min_goals", 1))
    if not plan:
        return False, gettext_noop("No action plan."), {"min_goals": minimum}
    values = {"goals": int(plan.get("goals") or 0), "min_goals": minimum}
    if plan.get("status") != "active":
        return False, gettext_noop("The action plan is not in progress."), values
    if values["goals"] < minimum:
        return False, gettext_noop("Goals in the plan: %(goals)s; needed: %(min_goals)s."), values
    return True, gettext_noop("In progress; goals: %(goals)s."), values


def _par(facts, params, criteria):
    par = facts.get("par") or {}
    if params.get("finished"):
        if par.get("finished"):
            return True, gettext_noop("A cycle is finished."), {}
        return False, gettext_noop("No finished cycle yet."), {}
    if par.get("participating") or par.get("finished"):
        return True, gettext_noop("The school takes part in a cycle."), {}
    return False, gettext_noop("No action research cycle."), {}


def _gaps_below(facts, params, criteria):
    limit = float(params["max_gap"])
    gaps = [g for g in (facts.get("report") or {}).get("gaps", [])
            if g.get("level") == "dimension" and g.get("gap") is not None]
    if not gaps:
        return False, gettext_noop("No gap can be computed (fewer than two groups shown)."), {"max_gap": limit}
    widest = max(gaps, key=lambda g: abs(g["gap"]))
    values = {"max_gap": limit, "gap": round(abs(widest["gap"]), 1), "dimension": widest["code"],
              "groups": [widest["a"], widest["b"]]}
    if abs(widest["gap"]) >= limit:
        return False, gettext_noop("A gap of %(gap)s points (%(dimension)s, %(groups)s)."), values
    return True, gettext_noop("The widest gap is %(gap)s points (%(dimension)s, %(groups)s)."), values


def _no_decline(facts, params, criteria):
    limit = float(params["max_drop"])
    previous = facts.get("previous")
    if not previous:
        return False, gettext_noop("No previous campaign to compare with."), {"max_drop": limit}
    before = {(r["code"], r["informant"]): r["score_100"] for r in _rows(previous, "dimension")
              if r.get("score_100") is not None}
    changes = [(r["score_100"] - before[(r["code"], r["informant"])], r)
               for r in _rows(facts.get("report"), "dimension")
               if r.get("score_100") is not None and (r["code"], r["informant"]) in before]
    if not changes:
        return False, gettext_noop("No dimension is shown in both campaigns."), {"max_drop": limit}
    worst, row = min(changes, key=lambda c: c[0])
    values = {"max_drop": limit, "change": round(worst, 1), "dimension": row["code"], "group": row["informant"]}
    if worst < -limit:
        return False, gettext_noop("%(dimension)s fell by %(change)s points (%(group)s)."), values
    return True, gettext_noop("The largest change is %(change)s points (%(dimension)s, %(group)s)."), values


CHECKS = {"campaign_recent": _campaign_recent, "groups_shown": _groups_shown, "dimension_scores": _dimension_scores,
          "practices_evidenced": _practices_evidenced, "plan_in_progress": _plan_in_progress, "par": _par,
          "gaps_below": _gaps_below, "no_decline": _no_decline}


def check(level: str, facts: dict, criteria: Criteria | None = None) -> list[dict]:
    """Every criterion of `level` checked against `facts`: [{code, met, detail, values}] in the published order."""
    criteria = criteria or load_criteria()
    facts = {"today": dt.date.today(), **facts}
    results = []
    for criterion in criteria.level(level).criteria:
        met, detail, values = CHECKS[criterion.check](facts, criterion.params, criteria)
        results.append({"code": criterion.code, "met": bool(met), "detail": detail, "values": values})
    return results


def highest_level(facts: dict, criteria: Criteria | None = None) -> str | None:
    """The highest level whose criteria, and those of every level below it, are all met; None when none is."""
    criteria = criteria or load_criteria()
    reached = None
    for level in criteria.levels:
        if not all(c["met"] for c in check(level.code, facts, criteria)):
            break
        reached = level.code
    return reached
