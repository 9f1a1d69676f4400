"""The School Evaluation Questionnaire read from questionnaire.yaml and checked: one dimension per pillar, its
subdimensions and their indicators (Likert items, yes/no practices, figures the school enters), each worded for the
informant groups that answer it, with the translators' wording files (wording/<language>.yaml) merged in, and the
disclosure threshold of each informant group. Every problem is a QuestionnaireError naming the file and the code."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from safeschool.instruments.registry import TRANSLATION_STATUSES
from safeschool.vocabulary import MIN_CELL, PILLARS, gettext_noop

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "questionnaire.yaml"
WORDING_DIR = HERE / "wording"  # <language>.yaml per translated language (docs/selfeval.md "Languages")
DISCLOSURE = "disclosure"  # `min_n: disclosure` in the informants block = vocabulary.MIN_CELL
NOT_TRANSLATED = "not_translated"
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
    min_sizes: dict[str, int] = field(default_factory=dict)  # informant -> disclosure threshold (else MIN_CELL)
    attributable: frozenset[str] = frozenset()  # groups told their answers are attributable (the leadership team)
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # dimension/subdimension code -> {language: name}
    anchors: dict[int, dict[str, str]] = field(default_factory=dict)  # Likert point -> {language: anchor}

    def min_n(self, informant: str) -> int:
        """The fewest respondents (and answers to an indicator) a group's results are shown for: 1 for the school
        leaders, who answer for the school and are told so; vocabulary.MIN_CELL for every other group."""
        return self.min_sizes.get(informant, MIN_CELL)

    @cached_property
    def _parts(self) -> dict[str, tuple[Dimension, Subdimension | None]]:
        parts: dict[str, tuple[Dimension, Subdimension | None]] = {}
        for d in self.dimensions:
            parts[d.code] = (d, None)
            for s in d.subdimensions:
                parts[s.code] = (d, s)
                parts.update((i.code, (d, s)) for i in s.indicators)
        return parts

    def name_of(self, code: str, language: str = SOURCE_LANGUAGE) -> str:
        """A dimension's or subdimension's name in the language when translated, else in English."""
        dimension, sub = self._parts[code]
        if sub is not None and sub.code != code:
            raise KeyError(f"'{code}' is an indicator, not a dimension or subdimension")
        english = (sub or dimension).name
        return self.names.get(code, {}).get(language) or english

    def anchor(self, point: int, language: str = SOURCE_LANGUAGE) -> str | None:
        """The label of a Likert point (1 strongly disagree ... 5 strongly agree); None for a point without one."""
        entry = self.anchors.get(int(point))
        if not entry:
            return None
        return entry.get(language) or entry.get(SOURCE_LANGUAGE)

    def dimension_of(self, code: str) -> Dimension:
        """The dimension a subdimension (or an indicator) belongs to; KeyError for an unknown code."""
        return self._parts[code][0]

    def subdimension(self, code: str) -> Subdimension:
        """The subdimension with this code (or holding this indicator); KeyError for any other code."""
        sub = self._parts[code][1]
        if sub is None:
            raise KeyError(f"'{code}' is a dimension, not a subdimension")
        return sub

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
    """The packaged questionnaire with the wording files merged (its current version; `version` must match it when
    given). Read once and kept until a file changes."""
    wording = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(Path(WORDING_DIR).glob("*.yaml")))
    try:
        stamp = Path(DEFAULT_FILE).stat().st_mtime_ns
    except OSError:
        stamp = None
    questionnaire = _load_cached(str(DEFAULT_FILE), str(WORDING_DIR), stamp, wording)
    if version is not None and version != questionnaire.version:
        raise QuestionnaireError(f"{DEFAULT_FILE.name}: version {version} not found (this is version "
                                 f"{questionnaire.version})")
    return questionnaire


@lru_cache(maxsize=8)
def _load_cached(path: str, wording_dir: str, _stamp, _wording) -> Questionnaire:
    return load_file(Path(path), Path(wording_dir))


def load_file(path: Path, wording_dir: Path | None = None) -> Questionnaire:
    """A questionnaire file, with the wording files of `wording_dir` merged when given."""
    path = Path(path)
    data = _read_yaml(path, path.name)
    if wording_dir is not None:
        data = merge_wording(data, sorted(Path(wording_dir).glob("*.yaml")), where=path.name)
    return parse(data, path.name)


# libyaml's parser when PyYAML was built with it (the questionnaire and its seven wording files: ~10x faster)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, where: str) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 -- a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionnaireError(f"{where}: cannot read ({exc})") from exc


def merge_wording(data: Any, files: list[Path], *, where: str = "questionnaire") -> Any:
    """The questionnaire's data with each wording file's texts added under its language (a copy). A file names
    its language (= its file name), a translation status (forward, back_translated, reviewed) for all its texts,
    dimension/subdimension names, Likert anchors and indicator wording for every informant the indicator has. A
    language without a file is not translated (English is shown); an indicator or name the file leaves out is
    shown in English. Unknown codes, languages, informants or statuses raise a QuestionnaireError naming the file."""
    if not files:
        return data
    if not isinstance(data, dict) or not isinstance(data.get("dimensions"), list):
        raise QuestionnaireError(f"{where}: 'dimensions' must be a non-empty list")
    data = copy.deepcopy(data)
    parts = {}  # code -> the dimension's, subdimension's or indicator's entry in data
    for d in data["dimensions"]:
        parts[d.get("code")] = ("name", d)
        for s in d.get("subdimensions") or []:
            parts[s.get("code")] = ("name", s)
            parts.update((i.get("code"), ("indicator", i)) for i in s.get("indicators") or [])
    languages = data.setdefault("languages", {SOURCE_LANGUAGE: "source"})
    translations = data.setdefault("translations", {"names": {}, "anchors": {}})
    anchors = data.get("likert_anchors") or {}
    for path in files:
        name = f"{path.parent.name}/{path.name}"

        def fail(message: str, name=name) -> QuestionnaireError:
            return QuestionnaireError(f"{name}: {message}")

        content = _read_yaml(path, name)
        if not isinstance(content, dict):
            raise fail("not a mapping")
        language, status = content.get("language"), content.get("status")
        if language != path.stem:
            raise fail(f"language {language!r} does not match the file name (expected '{path.stem}')")
        if language == SOURCE_LANGUAGE or language not in languages:
            raise fail(f"language '{language}' is not a translated language of the questionnaire (choose "
                       f"{', '.join(k for k in languages if k != SOURCE_LANGUAGE)})")
        if status not in TRANSLATION_STATUSES:
            raise fail(f"status {status!r} is not one of {', '.join(TRANSLATION_STATUSES)}")
        for code, text in _mapping(content.get("names"), "names", fail).items():
            if parts.get(code, ("",))[0] != "name":
                raise fail(f"names: unknown dimension or subdimension code '{code}'")
            translations["names"].setdefault(code, {})[language] = _text(text, f"names: '{code}'", fail)
        for key, text in _mapping(content.get("anchors"), "anchors", fail).items():
            point = int(key) if str(key).strip().isdigit() else key
            if point not in anchors:
                raise fail(f"anchors: {point!r} is not an anchored Likert point (choose {', '.join(map(str, anchors))})")
            translations["anchors"].setdefault(point, {})[language] = _text(text, f"anchors: {point}", fail)
        for code, texts in _mapping(content.get("indicators"), "indicators", fail).items():
            kind, entry = parts.get(code, ("", None))
            if kind != "indicator":
                raise fail(f"indicators: unknown indicator code '{code}'")
            texts = _mapping(texts, f"indicator '{code}'", fail)
            asked = list(entry.get("informants") or [])
            missing = [i for i in asked if i not in texts]
            if missing:
                raise fail(f"indicator '{code}': no wording for {missing[0]} (it is asked of {', '.join(asked)})")
            extra = [i for i in texts if i not in asked]
            if extra:
                raise fail(f"indicator '{code}': wording for {extra[0]}, who is not among its informants")
            for informant in asked:
                wording = entry.setdefault("wording", {}).setdefault(informant, {})
                wording[language] = _text(texts[informant], f"indicator '{code}' ({informant})", fail)
                wording.setdefault("status", {})[language] = status
        languages[language] = status
    return data


def _mapping(value: Any, what: str, fail) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(f"{what} must be a mapping")
    return value


def _text(value: Any, what: str, fail) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{what}: the text is empty")
    return value.strip()


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
    min_sizes, attributable = _informants(data.get("informants"), fail)
    translations = data.get("translations") or {}
    names = {code: {SOURCE_LANGUAGE: part.name} for d in dimensions for code, part in
             [(d.code, d), *((s.code, s) for s in d.subdimensions)]}
    for code, texts in (translations.get("names") or {}).items():
        names[code].update(texts)
    anchors = {int(point): {SOURCE_LANGUAGE: str(text)} for point, text in (data.get("likert_anchors") or {}).items()}
    for point, texts in (translations.get("anchors") or {}).items():
        anchors[int(point)].update(texts)
    return Questionnaire(data["code"], data["name"], data["version"], dict(languages), tuple(dimensions), indicators,
                         min_sizes, attributable, names, anchors)


def _informants(block: Any, fail) -> tuple[dict[str, int], frozenset[str]]:
    """The `informants:` block: {group: {min_n: <number> | disclosure, attributable: bool}}. A threshold below
    vocabulary.MIN_CELL is allowed only for a group whose answers are attributable (it is told so)."""
    if block is None:
        return {}, frozenset()
    if not isinstance(block, dict):
        raise fail("informants must be a mapping of informant groups")
    sizes, attributable = {}, set()
    for informant, spec in block.items():
        if informant not in INFORMANTS:
            raise fail(f"informants: unknown informant {informant!r} (choose {', '.join(INFORMANTS)})")
        spec = spec or {}
        if not isinstance(spec, dict):
            raise fail(f"informants: {informant} must be a mapping (min_n, attributable)")
        value = spec.get("min_n", DISCLOSURE)
        size = MIN_CELL if value == DISCLOSURE else value
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise fail(f"informants: {informant}: min_n must be a whole number from 1 or '{DISCLOSURE}' "
                       f"(got {value!r})")
        if spec.get("attributable", False):
            attributable.add(informant)
        elif size < MIN_CELL:
            raise fail(f"informants: {informant}: min_n {size} is below the disclosure threshold ({MIN_CELL}) for "
                       "a group whose answers are not attributable")
        sizes[informant] = size
    return sizes, frozenset(attributable)


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
