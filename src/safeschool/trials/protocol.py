"""Pre-registration: a protocol's canonical JSON and content hash (what is locked with a timestamp), the fields a
protocol must state, and the deviations between the locked protocol and a later version.

The hash is ``sha256(canonical_json(protocol))``: keys sorted at every depth, no whitespace, UTF-8 (not
``\\u`` escapes), floats as Python's shortest round-tripping ``repr`` and no NaN, so the same protocol gives the
same hash on every machine and any change to any field changes it.
"""

from __future__ import annotations

import hashlib
import json
import math
from numbers import Number

from safeschool.vocabulary import gettext_noop

# the keys a protocol must have; lists may be empty only where EMPTY_ALLOWED says so
PROTOCOL_FIELDS = ("design", "unit", "primary_outcome", "secondary_outcomes", "covariates", "analysis_model",
                   "mdes", "power", "alpha", "randomisation", "stopping_rules", "missing_data")
EMPTY_ALLOWED = {"secondary_outcomes", "covariates"}
# the problems validate() names after "field: " besides missing/empty; fixed phrases, so the pages can gettext them
POSITIVE = gettext_noop("must be a positive number")
PROPORTION = gettext_noop("must be a number between 0 and 1")


def _plain(value):
    """numpy scalars and arrays, tuples and sets as plain JSON values (sets sorted)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a protocol cannot hold NaN or infinite numbers")
    return value


def canonical_json(obj) -> str:
    """Sorted keys, no whitespace, UTF-8 text, floats by ``repr``; NaN and infinity refused."""
    return json.dumps(_plain(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(obj) -> str:
    """SHA-256 (hex) of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(obj).encode("utf-8")).hexdigest()


def validate(protocol: dict) -> list[str]:
    """One line per problem, "field: problem": missing, empty, or (for mdes, power, alpha) POSITIVE / PROPORTION.
    An empty list means the protocol can be locked."""
    problems = []
    for field in PROTOCOL_FIELDS:
        if field not in protocol:
            problems.append(f"{field}: missing")
            continue
        value = protocol[field]
        empty = value is None or (isinstance(value, str) and not value.strip()) or \
            (isinstance(value, list | tuple | dict) and not value)
        if empty and field not in EMPTY_ALLOWED:
            problems.append(f"{field}: empty")
    for field, low, high, problem in (("mdes", 0, math.inf, POSITIVE), ("power", 0, 1, PROPORTION),
                                      ("alpha", 0, 1, PROPORTION)):
        value = protocol.get(field)
        if value is None or field + ": empty" in problems:
            continue
        if not isinstance(value, Number) or isinstance(value, bool) or not low < value < high:
            problems.append(f"{field}: {problem}")
    return problems


def deviations(locked: dict, current: dict) -> list[dict]:
    """The fields whose value differs between the locked protocol and ``current``, in PROTOCOL_FIELDS order then
    alphabetically: ``{"field", "locked", "current"}`` (``None`` where a side lacks the field)."""
    extra = sorted((set(locked) | set(current)) - set(PROTOCOL_FIELDS))
    out = []
    for field in [*PROTOCOL_FIELDS, *extra]:
        before, after = locked.get(field), current.get(field)
        if canonical_json(before) != canonical_json(after):
            out.append({"field": field, "locked": before, "current": after})
    return out
