"""Protocol hash: canonical, stable, and changed by any field; validation and deviations."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from safeschool.trials.protocol import PROTOCOL_FIELDS, canonical_json, content_hash, deviations, validate

PROTOCOL = {"design": "crt2", "unit": "school", "primary_outcome": "achievement", "secondary_outcomes": ["belonging"],
            "covariates": ["baseline"], "analysis_model": "achievement ~ treat + baseline + (1|school_id)",
            "mdes": 0.25, "power": 0.8, "alpha": 0.05, "randomisation": {"block": "country", "seed": 12345},
            "stopping_rules": "none: the trial runs its full year", "missing_data": "complete cases; MI if > 5 %"}


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": [1.5, "ß"], "c": {"z": 1, "y": 2}}) == '{"a":[1.5,"ß"],"b":1,"c":{"y":2,"z":1}}'
    assert canonical_json({"x": np.float64(0.1), "n": np.int64(3)}) == '{"n":3,"x":0.1}'
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_hash_stable_and_changing_with_any_field():
    h = content_hash(PROTOCOL)
    # a fixed value: the same protocol hashes the same on every machine and in every release
    assert h == content_hash(dict(reversed(list(PROTOCOL.items()))))
    assert h == "ae578fe41fe5565b31ecb3c045fbd41b6bfc3aa9f7fc47aafbfc9ac024641432"
    seen = {h}
    for field in PROTOCOL:
        changed = copy.deepcopy(PROTOCOL)
        value = changed[field]
        changed[field] = value + 0.01 if isinstance(value, float) else (
            value + ["x"] if isinstance(value, list) else {**value, "seed": 1} if isinstance(value, dict) else value + ".")
        seen.add(content_hash(changed))
    assert len(seen) == len(PROTOCOL) + 1


def test_validate_and_deviations():
    assert validate(PROTOCOL) == []
    broken = {k: v for k, v in PROTOCOL.items() if k != "missing_data"} | {"primary_outcome": " ", "power": 1.2,
                                                                            "secondary_outcomes": []}
    assert validate(broken) == ["primary_outcome: empty", "missing_data: missing", "power: must be a number between 0 and 1"]
    assert set(PROTOCOL) == set(PROTOCOL_FIELDS)
    later = PROTOCOL | {"mdes": 0.3, "covariates": ["baseline", "ses"]}
    assert deviations(PROTOCOL, later) == [
        {"field": "covariates", "locked": ["baseline"], "current": ["baseline", "ses"]},
        {"field": "mdes", "locked": 0.25, "current": 0.3}]
    assert deviations(PROTOCOL, dict(PROTOCOL)) == []
