"""The partnership quality survey read from instrument.yaml and checked: dimensions of partnership working, their
Likert items (1-5), each worded for the school side and for the REC side, plus the coded taxonomy of implementation
problems and the REC services (taxonomy.py). Versioned: instrument.yaml holds the current version; an earlier or
later version lives beside it as instrument_v<N>.yaml, and `load(version)` reads the one a survey wave was run on.
Every problem is an InstrumentError naming the file and the code."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from safeschool.partnership.taxonomy import PROBLEMS, SERVICES, SIDES, Problem

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "instrument.yaml"


class InstrumentError(ValueError):
    """The instrument file is not valid, or the version asked for does not exist."""


@dataclass(frozen=True)
class Item:
    code: str
    dimension: str
    wording: dict[str, str]  # side ("school" | "rec") -> the English text (translate with gettext() when shown)

    def text(self, side: str) -> str:
        """The item as the given side reads it; KeyError for an unknown side."""
        return self.wording[side]


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    version: int
    scale: tuple[int, int]
    anchors: dict[int, str]
    dimensions: tuple[Dimension, ...]
    items: dict[str, Item] = field(default_factory=dict)  # flat, by code, in survey order
    problems: dict[str, Problem] = field(default_factory=lambda: dict(PROBLEMS))
    services: dict[str, str] = field(default_factory=lambda: dict(SERVICES))
    sides: dict[str, str] = field(default_factory=lambda: dict(SIDES))

    def dimension(self, code: str) -> Dimension:
        """The dimension with this code; KeyError for any other."""
        for d in self.dimensions:
            if d.code == code:
                return d
        raise KeyError(code)

    def dimension_items(self) -> dict[str, list[str]]:
        """Dimension code -> its item codes, in survey order."""
        return {d.code: [i.code for i in d.items] for d in self.dimensions}

    def as_json(self) -> dict:
        return {"code": self.code, "version": self.version, "scale": list(self.scale),
                "dimensions": [{"code": d.code, "name": d.name,
                                "items": [{"code": i.code, **i.wording} for i in d.items]} for d in self.dimensions],
                "problems": [{"code": p.code, "label": p.label, "definition": p.definition}
                             for p in self.problems.values()],
                "services": [{"code": c, "label": label} for c, label in self.services.items()]}


def versions() -> dict[int, Path]:
    """Every packaged version -> its file."""
    found = {}
    for path in sorted(HERE.glob("instrument*.yaml")):
        data = _read(path)
        found[data.get("version") if isinstance(data, dict) else None] = path
    return {v: p for v, p in found.items() if isinstance(v, int)}


def load(version: int | None = None) -> Instrument:
    """The packaged instrument of this version (the latest when None); InstrumentError for an unknown version."""
    if version is None or version == _current_version():
        return _load_cached(str(DEFAULT_FILE))
    path = versions().get(version)
    if path is None:
        raise InstrumentError(f"partnership survey version {version!r} does not exist (versions: "
                              f"{', '.join(map(str, sorted(versions())))})")
    return _load_cached(str(path))


@lru_cache(maxsize=1)
def _current_version() -> int:
    return load_file(DEFAULT_FILE).version


@lru_cache(maxsize=8)
def _load_cached(path: str) -> Instrument:
    return load_file(Path(path))


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InstrumentError(f"{path.name}: cannot read ({exc})") from exc


def load_file(path: Path) -> Instrument:
    return parse(_read(Path(path)), Path(path).name)


def parse(data: Any, where: str = "instrument") -> Instrument:
    """An Instrument from the YAML's data; an InstrumentError at the first problem."""
    def fail(message: str) -> InstrumentError:
        return InstrumentError(f"{where}: {message}")

    if not isinstance(data, dict):
        raise fail("not a mapping")
    for key in ("code", "name", "version", "scale", "dimensions"):
        if key not in data:
            raise fail(f"'{key}' is missing")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(f"version must be a whole number from 1 (got {version!r})")
    scale = data["scale"]
    if not (isinstance(scale, list) and len(scale) == 2 and all(isinstance(x, int) for x in scale)
            and scale[0] < scale[1]):
        raise fail(f"scale must be [min, max] (got {scale!r})")
    anchors = {int(k): str(v) for k, v in (data.get("likert_anchors") or {}).items()}
    if any(not scale[0] <= k <= scale[1] for k in anchors):
        raise fail("a Likert anchor lies outside the scale")
    if not isinstance(data["dimensions"], list) or not data["dimensions"]:
        raise fail("'dimensions' must be a non-empty list")
    seen: set[str] = set()

    def code_of(entry: Any, what: str) -> str:
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not entry["code"]:
            raise fail(f"a {what} without a code")
        code = entry["code"]
        if code in seen:
            raise fail(f"duplicate code '{code}'")
        if code in ("partnership", "country", "side", "problems"):
            raise fail(f"'{code}' is a reserved column name")
        seen.add(code)
        return code

    dimensions, items = [], {}
    for d in data["dimensions"]:
        dcode = code_of(d, "dimension")
        if not isinstance(d.get("name"), str) or not d["name"].strip():
            raise fail(f"dimension '{dcode}': no name")
        entries = d.get("items")
        if not isinstance(entries, list) or not entries:
            raise fail(f"dimension '{dcode}': items must be a non-empty list")
        parsed = []
        for entry in entries:
            code = code_of(entry, "item")
            wording = {}
            for side in SIDES:
                text = entry.get(side)
                if not isinstance(text, str) or not text.strip():
                    raise fail(f"item '{code}': no wording for the {side} side")
                wording[side] = text.strip()
            extra = sorted(set(entry) - {"code", *SIDES})
            if extra:
                raise fail(f"item '{code}': unknown key '{extra[0]}'")
            parsed.append(Item(code, dcode, wording))
        items.update((i.code, i) for i in parsed)
        dimensions.append(Dimension(dcode, d["name"].strip(), tuple(parsed)))
    return Instrument(data["code"], data["name"], version, (scale[0], scale[1]), anchors, tuple(dimensions), items)
