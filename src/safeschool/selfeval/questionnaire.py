"""The School Evaluation Questionnaire read from questionnaire.yaml and checked: one dimension per pillar, its
subdimensions and their indicators (Likert items, yes/no practices, figures the school enters), each worded for the
informant groups that answer it. Every problem is a QuestionnaireError naming the file and the code concerned."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from safeschool.vocabulary import PILLARS, gettext_noop

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "questionnaire.yaml"
TYPES = ("likert", "yes_no", "figure")
# The informant groups, in the order reports list them (issue 16 §7 names them).
INFORMANTS = {"leaders": gettext_noop("School leaders"), "teachers": gettext_noop("Teachers"),
              "students": gettext_noop("Students"), "families": gettext_noop("Families")}
SOURCE_LANGUAGE = "en"


class QuestionnaireError(ValueError):
    """The questionnaire file is not valid; the message names the file and the code."""


@dataclass(frozen=True)
class Figure:
    unit: str
    min: float
    max: float
    higher_is_better: bool


@dataclass(frozen=True)
class Indicator:
    code: str
    type: str
    informants: tuple[str, ...]
    wording: dict[str, dict[str, Any]]
    scale: tuple[int, int] | None = None
    figure: Figure | None = None

    def text(self, informant: str, language: str = SOURCE_LANGUAGE) -> str:
        """The wording for one informant group, in the language when translated, else in English."""
        entry = self.wording[informant]
        return entry.get(language) or entry[SOURCE_LANGUAGE]


@dataclass(frozen=True)
class Subdimension:
    code: str
    name: str
    indicators: tuple[Indicator, ...]
    principles: tuple[int, ...] = ()  # the Hub's criterion A principles (1-5) this subdimension depends on


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    pillar: str
    subdimensions: tuple[Subdimension, ...]


@dataclass(frozen=True)
class Questionnaire:
    code: str
    name: str
    version: int
    languages: dict[str, str]
    dimensions: tuple[Dimension, ...]
    indicators: dict[str, Indicator] = field(default_factory=dict)  # flat, by code, in questionnaire order

    def as_json(self) -> dict:
        """The structure as issue 16 §7 fixes it (`safeschool selfeval questionnaire --json`)."""
        def indicator(i: Indicator) -> dict:
            row: dict[str, Any] = {"code": i.code, "type": i.type}
            if i.type == "likert":
                row["scale"] = list(i.scale)
            row["informants"] = list(i.informants)
            return row

        return {"dimensions": [
            {"code": d.code, "name": d.name, "pillar": d.pillar,
             "subdimensions": [{"code": s.code, "name": s.name, "indicators": [indicator(i) for i in s.indicators]}
                               for s in d.subdimensions]}
            for d in self.dimensions]}


def load(version: int | None = None) -> Questionnaire:
    """The packaged questionnaire (its current version; `version` must match it when given)."""
    questionnaire = load_file(DEFAULT_FILE)
    if version is not None and version != questionnaire.version:
        raise QuestionnaireError(f"{DEFAULT_FILE.name}: version {version} not found (this is version "
                                 f"{questionnaire.version})")
    return questionnaire


def load_file(path: Path) -> Questionnaire:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionnaireError(f"{path.name}: cannot read ({exc})") from exc
    return parse(data, path.name)


def parse(data: Any, where: str = "questionnaire") -> Questionnaire:
    """A Questionnaire from the YAML's data; a QuestionnaireError at the first problem."""
    def fail(message: str) -> QuestionnaireError:
        return QuestionnaireError(f"{where}: {message}")

    if not isinstance(data, dict):
        raise fail("not a mapping")
    for key in ("code", "name", "version", "dimensions"):
        if key not in data:
            raise fail(f"'{key}' is missing")
    if not isinstance(data["version"], int) or data["version"] < 1:
        raise fail(f"version must be a whole number from 1 (got {data['version']!r})")
    seen: set[str] = set()

    def code_of(entry: Any, what: str) -> str:
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not entry["code"]:
            raise fail(f"a {what} without a code")
        code = entry["code"]
        if code in seen:
            raise fail(f"duplicate code '{code}'")
        seen.add(code)
        return code

    dimensions, indicators = [], {}
    for d in _list(data["dimensions"], "dimensions", fail):
        dcode = code_of(d, "dimension")
        if d.get("pillar") not in PILLARS:
            raise fail(f"dimension '{dcode}': unknown pillar {d.get('pillar')!r} (choose {', '.join(PILLARS)})")
        subs = []
        for s in _list(d.get("subdimensions"), f"dimension '{dcode}': subdimensions", fail):
            scode = code_of(s, "subdimension")
            items = tuple(_indicator(i, code_of(i, "indicator"), fail)
                          for i in _list(s.get("indicators"), f"subdimension '{scode}': indicators", fail))
            indicators.update((i.code, i) for i in items)
            principles = s.get("principles") or []
            if not isinstance(principles, list) or not all(isinstance(p, int) and 1 <= p <= 5 for p in principles):
                raise fail(f"subdimension '{scode}': principles must be a list of numbers 1-5")
            subs.append(Subdimension(scode, str(s.get("name") or scode), items, tuple(principles)))
        dimensions.append(Dimension(dcode, str(d.get("name") or dcode), d["pillar"], tuple(subs)))
    languages = data.get("languages") or {SOURCE_LANGUAGE: "source"}
    return Questionnaire(data["code"], data["name"], data["version"], dict(languages), tuple(dimensions), indicators)


def _list(value: Any, what: str, fail) -> list:
    if not isinstance(value, list) or not value:
        raise fail(f"{what} must be a non-empty list")
    return value


def _indicator(entry: dict, code: str, fail) -> Indicator:
    kind = entry.get("type")
    if kind not in TYPES:
        raise fail(f"indicator '{code}': unknown type {kind!r} (choose {', '.join(TYPES)})")
    informants = entry.get("informants")
    if not isinstance(informants, list) or not informants:
        raise fail(f"indicator '{code}': informants must be a non-empty list")
    unknown = [i for i in informants if i not in INFORMANTS]
    if unknown:
        raise fail(f"indicator '{code}': unknown informant {unknown[0]!r} (choose {', '.join(INFORMANTS)})")
    if len(set(informants)) != len(informants):
        raise fail(f"indicator '{code}': an informant is listed twice")
    scale = figure = None
    if kind == "likert":
        scale = entry.get("scale")
        if not (isinstance(scale, list) and len(scale) == 2 and all(isinstance(x, int) for x in scale)
                and scale[0] < scale[1]):
            raise fail(f"indicator '{code}': a likert indicator needs a scale [min, max] (got {scale!r})")
        scale = (scale[0], scale[1])
    elif "scale" in entry:
        raise fail(f"indicator '{code}': only likert indicators have a scale")
    if kind == "figure":
        spec = entry.get("figure")
        try:
            figure = Figure(str(spec["unit"]), float(spec["min"]), float(spec["max"]), bool(spec["higher_is_better"]))
        except (TypeError, KeyError, ValueError) as exc:
            raise fail(f"indicator '{code}': a figure needs figure: {{unit, min, max, higher_is_better}}") from exc
        if not figure.min < figure.max:
            raise fail(f"indicator '{code}': the figure's min must be below its max")
    wording = entry.get("wording") or {}
    for informant in informants:
        text = wording.get(informant)
        if not isinstance(text, dict) or not isinstance(text.get(SOURCE_LANGUAGE), str) or not text[SOURCE_LANGUAGE]:
            raise fail(f"indicator '{code}': no {SOURCE_LANGUAGE} wording for {informant}")
    extra = sorted(set(wording) - set(informants))
    if extra:
        raise fail(f"indicator '{code}': wording for {extra[0]}, who is not among its informants")
    return Indicator(code, kind, tuple(informants), {k: dict(wording[k]) for k in informants}, scale, figure)
