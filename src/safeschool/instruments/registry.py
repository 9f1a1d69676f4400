"""The instrument registry: questionnaires defined in version-controlled YAML (structure only, no item texts).

An instrument has items ``{code}_{n}`` on one response range, some reverse-keyed, and one or more scales, each a
set of items with a scoring rule (mean of the answered items, prorated when at least ``min_answered`` of them
were answered) and, optionally, the platform field it fills (``student.belonging``). The shipped definitions live
beside this file; ``SAFESCHOOL_INSTRUMENTS`` names a further directory whose files add to or replace them.

An instrument may carry its items' wording per language, each translation with its status in the TRAPD/ESS
sequence (``forward`` translation, ``back_translated``, ``reviewed``): only instruments whose texts the network may
publish (its own); licensed texts are attached in the admin instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from safeschool.vocabulary import LEVELS, PILLARS, gettext_noop

RESPONDENTS = ("student", "teacher", "parent", "school_leader")
TARGETS = {  # platform fields an instrument's scale may fill, with the respondent row they belong to
    "student.security": "student", "student.closeness": "student", "student.conflict": "student",
    "student.belonging": "student", "student.engagement": "student", "student.climate": "student",
    "teacher.self_efficacy": "teacher",
}
TARGET_LABELS = {  # what a reader sees for a target (the instruments page's "Fills" column), translated when shown
    "student.security": gettext_noop("Student record: attachment security"),
    "student.closeness": gettext_noop("Student record: teacher–student closeness"),
    "student.conflict": gettext_noop("Student record: teacher–student conflict"),
    "student.belonging": gettext_noop("Student record: sense of belonging"),
    "student.engagement": gettext_noop("Student record: engagement"),
    "student.climate": gettext_noop("Student record: school climate as the student sees it"),
    "teacher.self_efficacy": gettext_noop("Teacher record: self-efficacy"),
}
SHIPPED = Path(__file__).parent
LANGUAGES = ("en", "es", "it", "pt", "el", "ro", "pl")  # the platform's languages (web settings.LANGUAGES; tested)
# A translation's status, in the order a survey translation goes through them (TRAPD; ESS translation guidelines):
# translated forward from the source, translated back by someone who has not seen the source, then reviewed and
# adjudicated by a team. The source language's own wording has no status.
TRANSLATION_STATUSES = ("forward", "back_translated", "reviewed")


class InstrumentError(ValueError):
    """An instrument definition that cannot be used, with the file and field named."""


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    items: tuple[str, ...]
    method: str = "mean"
    min_answered: float = 0.8
    target: str | None = None


@dataclass(frozen=True)
class Wording:
    text: str
    status: str = "source"  # the source language's text; translations: one of TRANSLATION_STATUSES


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    reference: str
    respondent: str
    about: str
    level: str
    minimum: int
    maximum: int
    items: tuple[str, ...]
    reverse: tuple[str, ...]
    scales: tuple[Scale, ...]
    languages: tuple[str, ...] = ()
    anchors: dict = field(default_factory=dict, compare=False)
    source: str = ""
    source_language: str = "en"
    wording: dict = field(default_factory=dict, compare=False)  # item code -> language -> Wording

    def text(self, item: str, language: str) -> Wording | None:
        """An item's wording in a language, or None when it has not been written (or may not be published)."""
        return self.wording.get(item, {}).get(language)

    def coverage(self) -> dict[str, dict[str, int]]:
        """Per language with any wording: how many items are worded, by status, and how many are missing."""
        out: dict[str, dict[str, int]] = {}
        for item in self.items:
            for language, wording in self.wording.get(item, {}).items():
                counts = out.setdefault(language, {})
                counts[wording.status] = counts.get(wording.status, 0) + 1
        for counts in out.values():
            counts["missing"] = len(self.items) - sum(counts.values())
        return {language: out[language] for language in LANGUAGES if language in out}

    @property
    def pillar(self) -> str:
        return PILLARS[self.level]

    def item(self, number: int) -> str:
        return f"{self.code}_{number}"

    def scale(self, code: str) -> Scale:
        for s in self.scales:
            if s.code == code:
                return s
        raise KeyError(f"{self.code} has no scale '{code}' (it has: {', '.join(s.code for s in self.scales)})")


def parse(data: dict, source: str = "<memory>") -> Instrument:
    """One instrument from its YAML mapping; InstrumentError names the file and the field at fault."""
    def need(key, kind=None):
        if key not in data:
            raise InstrumentError(f"{source}: missing field '{key}'")
        value = data[key]
        if kind is not None and not isinstance(value, kind):
            raise InstrumentError(f"{source}: field '{key}' must be a {kind.__name__}")
        return value

    code = need("code", str)
    if not code.isidentifier() or code != code.lower():
        raise InstrumentError(f"{source}: code '{code}' must be lower-case letters, digits and _")
    response = need("response", dict)
    lo, hi = response.get("min"), response.get("max")
    if not (isinstance(lo, int) and isinstance(hi, int) and lo < hi):
        raise InstrumentError(f"{source}: response needs integer min < max (got {lo!r}, {hi!r})")
    count = need("items", int)
    if count < 1:
        raise InstrumentError(f"{source}: items must be at least 1")
    items = tuple(f"{code}_{i}" for i in range(1, count + 1))

    def numbers(value, where):
        if value == "all":
            return items
        if not isinstance(value, list) or not all(isinstance(i, int) and 1 <= i <= count for i in value):
            raise InstrumentError(f"{source}: {where} must be 'all' or item numbers between 1 and {count}")
        if len(set(value)) != len(value):
            raise InstrumentError(f"{source}: {where} lists an item twice")
        return tuple(f"{code}_{i}" for i in value)

    respondent, level = need("respondent", str), need("level", str)
    if respondent not in RESPONDENTS:
        raise InstrumentError(f"{source}: respondent '{respondent}' is not one of {', '.join(RESPONDENTS)}")
    if level not in LEVELS:
        raise InstrumentError(f"{source}: level '{level}' is not one of {', '.join(LEVELS)}")
    scales = []
    for i, s in enumerate(need("scales", list)):
        where = f"scales[{i}]"
        if not isinstance(s, dict) or "code" not in s:
            raise InstrumentError(f"{source}: {where} needs a code")
        scoring = s.get("scoring") or {}
        share = float(scoring.get("min_answered", 0.8))
        if not 0 < share <= 1:
            raise InstrumentError(f"{source}: {where}.scoring.min_answered must be in (0, 1]")
        method = scoring.get("method", "mean")
        if method not in ("mean", "sum"):
            raise InstrumentError(f"{source}: {where}.scoring.method must be mean or sum (prorated)")
        target = s.get("target")
        if target is not None and target not in TARGETS:
            raise InstrumentError(f"{source}: {where}.target '{target}' is not a platform field "
                                  f"({', '.join(TARGETS)})")
        scales.append(Scale(s["code"], s.get("name", s["code"]), numbers(s.get("items", "all"), f"{where}.items"),
                            method, share, target))
    if not scales:
        raise InstrumentError(f"{source}: an instrument needs at least one scale")
    source_language = str(data.get("source_language", "en"))
    if source_language not in LANGUAGES:
        raise InstrumentError(f"{source}: source_language '{source_language}' is not one of {', '.join(LANGUAGES)}")
    wording = parse_wording(data.get("wording") or {}, code=code, count=count, source=source,
                            source_language=source_language)
    return Instrument(code, need("name", str), str(data.get("reference", "")), respondent,
                      str(data.get("about", respondent)), level, lo, hi, items,
                      numbers(data.get("reverse") or [], "reverse"), tuple(scales),
                      tuple(data.get("languages") or ()), dict(response.get("anchors") or {}), source,
                      source_language, wording)


def parse_wording(data, *, code: str, count: int, source: str, source_language: str) -> dict:
    """``{item number: {language: {text, status}}}`` -> ``{item code: {language: Wording}}``; InstrumentError names
    the file, instrument, item and language of the first entry at fault, in one line."""
    if not isinstance(data, dict):
        raise InstrumentError(f"{source}: {code}: wording must map item numbers to languages")
    out: dict[str, dict[str, Wording]] = {}
    for number, languages in data.items():
        if not (isinstance(number, int) and 1 <= number <= count):
            raise InstrumentError(f"{source}: {code}: wording for item {number!r}, which is not between 1 and {count}")
        where = f"{source}: {code} item {number}"
        if not isinstance(languages, dict):
            raise InstrumentError(f"{where}: wording must map languages to {{text, status}}")
        for language, entry in languages.items():
            at = f"{where} ({language})"
            if language not in LANGUAGES:
                raise InstrumentError(f"{at}: unknown language '{language}' (one of {', '.join(LANGUAGES)})")
            if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
                raise InstrumentError(f"{at}: needs a text")
            status = entry.get("status", "source" if language == source_language else None)
            if language == source_language and status != "source":
                raise InstrumentError(f"{at}: the source language's wording has no translation status")
            if language != source_language and status not in TRANSLATION_STATUSES:
                raise InstrumentError(f"{at}: status {status!r} is not one of {', '.join(TRANSLATION_STATUSES)}")
            out.setdefault(f"{code}_{number}", {})[language] = Wording(" ".join(str(entry["text"]).split()), status)
    return out


def load_file(path: Path) -> Instrument:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise InstrumentError(f"{path}: expected a mapping of fields")
    return parse(data, str(path))


@cache
def _load(directories: tuple[str, ...]) -> dict[str, Instrument]:
    found: dict[str, Instrument] = {}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.yaml")):
            instrument = load_file(path)
            found[instrument.code] = instrument
    return found


def registry(extra: str | Path | None = None) -> dict[str, Instrument]:
    """Every instrument by code: the shipped ones, then those in SAFESCHOOL_INSTRUMENTS and `extra`."""
    dirs = [str(SHIPPED)]
    for d in (os.environ.get("SAFESCHOOL_INSTRUMENTS"), extra):
        if d:
            if not Path(d).is_dir():
                raise InstrumentError(f"instrument directory {d} does not exist")
            dirs.append(str(d))
    return dict(_load(tuple(dirs)))


def item_index(instruments: dict[str, Instrument]) -> dict[str, Instrument]:
    """Instrument of every item code."""
    return {item: ins for ins in instruments.values() for item in ins.items}


def scale_items(spec: str) -> tuple[list[str], list[str], int, int]:
    """The items of a scale named ``instrument:scale`` (``pssm:belonging``), those of them that are reverse-keyed,
    and the instrument's lowest and highest answer; InstrumentError names what the registry does not hold."""
    code, _, scale_code = spec.partition(":")
    instruments = registry()
    if code not in instruments:
        raise InstrumentError(f"no instrument '{code}' (registry: {', '.join(instruments)})")
    instrument = instruments[code]
    try:
        items = list(instrument.scale(scale_code).items)
    except KeyError as exc:
        raise InstrumentError(exc.args[0]) from exc
    return items, [i for i in instrument.reverse if i in items], instrument.minimum, instrument.maximum
