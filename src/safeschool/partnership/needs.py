"""The training-and-support-needs analysis read from needs.yaml and checked: the topics school leaders and teachers
rate on a priority scale (1 no need to 4 high priority; each topic names the roles asked about it), the preferred
formats of training, and the roles (the codes of recs.models.NeedsRole). Every problem is a NeedsError naming the
file and the code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "needs.yaml"
ROLES = ("leader", "teacher")  # recs.models.NeedsRole


class NeedsError(ValueError):
    """The needs file is not valid, or the version asked for does not exist."""


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Needs:
    code: str
    name: str
    version: int
    scale: tuple[int, int]
    anchors: dict[int, str]
    roles: dict[str, str]  # role code -> label
    topics: dict[str, Topic]  # in questionnaire order
    formats: dict[str, str]  # format code -> label

    def topics_for(self, role: str) -> list[Topic]:
        """The topics a role is asked about, in order; KeyError for an unknown role."""
        if role not in self.roles:
            raise KeyError(role)
        return [t for t in self.topics.values() if role in t.roles]


def load(version: int | None = None) -> Needs:
    """The packaged needs analysis (its current version; `version` must match it when given)."""
    needs = _load_cached(str(DEFAULT_FILE))
    if version is not None and version != needs.version:
        raise NeedsError(f"{DEFAULT_FILE.name}: version {version!r} does not exist (this is version {needs.version})")
    return needs


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Needs:
    return load_file(Path(path))


def load_file(path: Path) -> Needs:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NeedsError(f"{path.name}: cannot read ({exc})") from exc
    return parse(data, path.name)


def parse(data: Any, where: str = "needs") -> Needs:
    def fail(message: str) -> NeedsError:
        return NeedsError(f"{where}: {message}")

    if not isinstance(data, dict):
        raise fail("not a mapping")
    for key in ("code", "name", "version", "scale", "roles", "topics", "formats"):
        if key not in data:
            raise fail(f"'{key}' is missing")
    version, scale = data["version"], data["scale"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(f"version must be a whole number from 1 (got {version!r})")
    if not (isinstance(scale, list) and len(scale) == 2 and all(isinstance(x, int) for x in scale)
            and scale[0] < scale[1]):
        raise fail(f"scale must be [min, max] (got {scale!r})")
    roles = data["roles"]
    if not isinstance(roles, dict) or set(roles) != set(ROLES):
        raise fail(f"roles must name exactly {', '.join(ROLES)}")
    formats = data["formats"]
    if not isinstance(formats, dict) or not formats or not all(isinstance(v, str) and v for v in formats.values()):
        raise fail("formats must be a non-empty mapping of code -> label")
    topics: dict[str, Topic] = {}
    if not isinstance(data["topics"], list) or not data["topics"]:
        raise fail("'topics' must be a non-empty list")
    for entry in data["topics"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not entry["code"]:
            raise fail("a topic without a code")
        code = entry["code"]
        if code in topics or code in ("school", "country", "role", "formats"):
            raise fail(f"duplicate or reserved topic code '{code}'")
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise fail(f"topic '{code}': no name")
        asked = entry.get("roles")
        if not isinstance(asked, list) or not asked or any(r not in ROLES for r in asked):
            raise fail(f"topic '{code}': roles must be a non-empty list of {', '.join(ROLES)}")
        topics[code] = Topic(code, entry["name"].strip(), tuple(asked))
    anchors = {int(k): str(v) for k, v in (data.get("anchors") or {}).items()}
    return Needs(data["code"], data["name"], version, (scale[0], scale[1]), anchors, dict(roles), topics,
                 dict(formats))
