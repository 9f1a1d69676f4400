"""The model file round-trips exactly and refuses what it should: a changed estimator, an extra member, a zip bomb,
a truncated file, a type outside the allowlist, and pickle."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

import numpy as np
import pytest
import skops.io as sio

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.screening import modelfile
from safeschool.screening.card import card_html, card_markdown
from safeschool.screening.data import screening_table, temporal_split
from safeschool.screening.evaluation import evaluate
from safeschool.screening.modelfile import ModelFileError, from_bytes, load, save, to_bytes
from safeschool.screening.models import RiskModel

SIZES = Sizes(countries=2, schools=12, classes=36, teachers=40, students=4000, cohorts=3)
META = {"name": "Early leaving", "version": 3, "expires_on": "2027-09-01", "test_cohort": 2025}


@pytest.fixture(scope="module")
def split():
    return temporal_split(screening_table(simulate(CohortConfig(sizes=SIZES)).tables), 2025)


@pytest.fixture(scope="module", params=["logistic", "boosting"])
def fitted(request, split):
    return RiskModel(request.param).fit(split[0])


@pytest.fixture(scope="module")
def blob(split):
    return to_bytes(RiskModel("logistic").fit(split[0]), META)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _parts(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _with_estimator(blob: bytes, estimator: bytes) -> bytes:
    """The file with another estimator and model.json's hash updated to match it (a careful forger)."""
    parts = _parts(blob)
    document = json.loads(parts["model.json"])
    document["estimator_sha256"] = hashlib.sha256(estimator).hexdigest()
    return _zip({"model.json": json.dumps(document).encode(), "estimator.skops": estimator})


def test_round_trip_gives_identical_probabilities_tiers_and_domains(fitted, split, tmp_path):
    _, test = split
    path = save(fitted, tmp_path / "model.zip", meta=META)
    loaded = load(path)
    assert np.array_equal(loaded.predict_proba(test), fitted.predict_proba(test))
    assert np.array_equal(loaded.tiers(loaded.predict_proba(test)), fitted.tiers(fitted.predict_proba(test)))
    assert loaded.domains(test.head(50)) == fitted.domains(test.head(50))
    assert (loaded.algorithm, loaded.outcome, loaded.features_) == (fitted.algorithm, fitted.outcome, fitted.features_)
    assert loaded.tier_cutoffs_ == fitted.tier_cutoffs_ and loaded.train_cohorts_ == [2023, 2024]
    assert loaded.meta["name"] == "Early leaving" and loaded.meta["version"] == 3
    assert loaded.meta["expires_on"] == "2027-09-01" and loaded.meta["safeschool_version"]
    assert sorted(zipfile.ZipFile(path).namelist()) == ["estimator.skops", "model.json"]


def test_no_pickle_in_the_file(blob):
    parts = _parts(blob)
    with zipfile.ZipFile(io.BytesIO(parts["estimator.skops"])) as inner:
        names = inner.namelist()
    assert "schema.json" in names and not any(n.endswith((".pkl", ".pickle")) for n in names)
    assert b"\x80\x04\x95" not in parts["estimator.skops"]  # the pickle protocol 4 header


def test_a_tampered_estimator_is_refused(blob, split):
    parts = _parts(blob)
    other = sio.dumps(RiskModel("logistic", features=("attendance_rate",)).fit(split[0]).estimator_)
    forged = _zip({"model.json": parts["model.json"], "estimator.skops": other})
    with pytest.raises(ModelFileError, match="does not match the SHA-256 in model.json"):
        from_bytes(forged)


def test_an_extra_member_is_refused(blob):
    with pytest.raises(ModelFileError, match="unexpected member 'run.py'"):
        from_bytes(_zip({**_parts(blob), "run.py": b"import os"}))
    with pytest.raises(ModelFileError, match="missing 'estimator.skops'"):
        from_bytes(_zip({"model.json": _parts(blob)["model.json"]}))


def test_a_zip_bomb_is_refused_before_it_is_inflated(blob, monkeypatch):
    bomb = _zip({**_parts(blob), "model.json": b" " * 60_000_000})  # 60 MB of spaces, a few kB compressed
    assert len(bomb) < 1_000_000
    with pytest.raises(ModelFileError, match=r"would unpack to 60,\d{3},\d{3} bytes, more than the 52,428,800 allowed"):
        from_bytes(bomb)
    monkeypatch.setattr(modelfile, "MAX_BYTES", 100_000)  # the estimator's own zip is capped as well
    inner = _zip({"schema.json": b" " * 200_000})
    with pytest.raises(ModelFileError, match="estimator.skops would unpack to"):
        from_bytes(_with_estimator(blob, inner))


def test_truncated_and_garbage_files_are_refused(blob, tmp_path):
    with pytest.raises(ModelFileError, match="not a readable zip file"):
        from_bytes(blob[: len(blob) // 2])
    with pytest.raises(ModelFileError, match="not a readable zip file"):
        from_bytes(b"not a zip at all")
    with pytest.raises(ModelFileError, match="is not a file"):
        load(tmp_path / "missing.zip")
    parts = _parts(blob)
    with pytest.raises(ModelFileError, match="model.json is not valid JSON"):
        from_bytes(_zip({**parts, "model.json": b"{"}))
    with pytest.raises(ModelFileError, match="lacks tier_cutoffs"):
        document = json.loads(parts["model.json"])
        del document["tier_cutoffs"]
        from_bytes(_zip({**parts, "model.json": json.dumps(document).encode()}))


def test_a_type_outside_the_allowlist_is_refused(blob):
    # a forged estimator holding a function reference (the way to run code on load), with a matching hash
    hostile = sio.dumps({"call": print})
    with pytest.raises(ModelFileError, match="type that is not allowed: builtins.print"):
        from_bytes(_with_estimator(blob, hostile))


def test_the_card_names_data_metrics_governance_and_limits(split):
    train, test = split
    model = RiskModel("logistic").fit(train)
    report = evaluate(train, test, n_boot=20)
    meta = {**META, "evaluation": report, "gate": {"passed": False, "reasons": ["FPR ratio for sen is 2.4."],
                                                   "checks": []}}
    loaded = from_bytes(to_bytes(model, meta))
    card = card_markdown(loaded.meta)
    assert card.startswith("# Model card: Early leaving, version 3")
    for expected in ("2023, 2024", "2025", "not a life sentence", "Never use this score for tracking", "2027-09-01",
                     "school_only", "abc", "chance", "oracle", "FPR ratio for sen is 2.4.", "attendance_rate",
                     report["verdict"]["sentence"], "Not passed"):
        assert expected in card, expected
    assert "gender" not in card.split("## Features")[1].split("##")[0]
    # column names and codes only ever as code, never a bare token in the prose (issue 15 review)
    assert "`attendance_rate`" in card and "`school_only`" in card
    prose = re.sub(r"`[^`]*`", "", card)
    assert not re.search(r"\b[a-z]+(?:_[a-z]+)+\b", prose), re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", prose)
    translated = card_markdown(loaded.meta, gettext=lambda s: s.upper() if s == "Intended use" else s)
    assert "INTENDED USE" in translated


def test_the_html_card_is_a_page_that_escapes_what_people_wrote(blob):
    fairness = [{"group": "gender", "value": "F", "n": 20, "selection_rate": 0.1, "fpr": None, "fnr": None,
                 "precision": None}]
    meta = {**from_bytes(blob).meta, "name": "<script>alert(1)</script> | model", "fairness": fairness}
    page = card_html(meta)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page and "<table>" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; / model" in page
    assert "<blockquote>" in page and "not a life sentence" in page
    assert "<td>gender</td>\n<td>F</td>\n<td>20</td>\n<td>10.0 %</td>" in page
