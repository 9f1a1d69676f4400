"""The model file: a zip of `model.json` (what the model is, how it was evaluated and audited, and the SHA-256 of
the estimator) and `estimator.skops` (the fitted scikit-learn pipeline, in skops' format). No pickle.

Loading treats the file as hostile until shown otherwise: the zip must hold exactly those two members, at most
`MAX_BYTES` uncompressed (outer and inner zip, so a zip bomb is refused before it is inflated); the estimator's
bytes must match the SHA-256 in model.json; every type skops does not trust by default must be on `ALLOWED_TYPES`,
an explicit list of what our two pipelines need. The hash catches a file whose parts were changed or mixed up; the
type allowlist is what keeps a crafted estimator from running code.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline

from safeschool import __version__
from safeschool.screening.models import RiskModel

FORMAT = "safeschool-risk-model"
FORMAT_VERSION = 1
MEMBERS = ("model.json", "estimator.skops")
MAX_BYTES = 50 * 1024 * 1024
# Types outside skops' default trust that our pipelines hold (found with skops.io.get_untrusted_types on a fitted
# logistic and boosting pipeline); anything else in a file is refused.
ALLOWED_TYPES = frozenset({
    "numpy.dtype",
    "functools.partial",
    "sklearn.utils.validation.check_array",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
})
# What the model itself fixes in model.json; the rest of the meta (name, version, dates, evaluation, fairness,
# gate, test cohort) comes from the caller.
_STATE = ("outcome", "algorithm", "features", "categorical", "medians", "tier_cutoffs", "tier_shares", "base_rate",
          "train_cohorts", "n_train", "include_protected", "random_state")


class ModelFileError(ValueError):
    """The model file cannot be used; the message says why in one line."""


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to model.json")


def _state(model: RiskModel) -> dict:
    if not hasattr(model, "estimator_"):
        raise ModelFileError("the model is not fitted: nothing to save")
    return {"outcome": model.outcome, "algorithm": model.algorithm, "features": list(model.features_),
            "categorical": list(model.categorical_), "medians": dict(model.medians_),
            "tier_cutoffs": dict(model.tier_cutoffs_), "tier_shares": list(model.tier_shares),
            "base_rate": model.base_rate_, "train_cohorts": list(model.train_cohorts_), "n_train": model.n_train_,
            "include_protected": bool(model.include_protected), "random_state": model.random_state}


def to_bytes(model: RiskModel, meta: dict | None = None) -> bytes:
    """The model file's bytes: `meta` (name, version, created, expires_on, test_cohort, evaluation, fairness,
    gate, …) plus the model's own state, the safeschool version and the estimator's SHA-256."""
    import skops.io as sio  # here, not at the top: importing skops takes 2.5 s, paid by every command and server

    estimator = sio.dumps(model.estimator_)
    document = {**(meta or {}), **_state(model), "format": FORMAT, "format_version": FORMAT_VERSION,
                "safeschool_version": __version__, "estimator_sha256": hashlib.sha256(estimator).hexdigest()}
    document.setdefault("created", datetime.now(UTC).isoformat(timespec="seconds"))
    text = json.dumps(document, default=_json_default, allow_nan=False, ensure_ascii=False, indent=1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.json", text)
        archive.writestr("estimator.skops", estimator)
    return buffer.getvalue()


def save(model: RiskModel, path: str | Path, *, meta: dict | None = None) -> Path:
    out = Path(path)
    out.write_bytes(to_bytes(model, meta))
    return out


def _members(data: bytes, what: str, expected: tuple[str, ...] | None) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise ModelFileError(f"{what} is not a readable zip file ({exc})") from exc
    names = [i.filename for i in infos]
    if expected is not None and sorted(names) != sorted(expected):
        extra = sorted(set(names) - set(expected)) or [n for n in names if names.count(n) > 1]
        missing = sorted(set(expected) - set(names))
        reason = f"unexpected member {extra[0]!r}" if extra else f"missing {missing[0]!r}"
        raise ModelFileError(f"{what} must hold only {' and '.join(expected)}: {reason}")
    total = sum(i.file_size for i in infos)
    if total > MAX_BYTES:
        raise ModelFileError(f"{what} would unpack to {total:,} bytes, more than the {MAX_BYTES:,} allowed")
    return archive


def _read(archive: zipfile.ZipFile, name: str, what: str) -> bytes:
    try:
        with archive.open(name) as member:
            data = member.read(MAX_BYTES + 1)  # never more than the cap, whatever the header claims
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError, OSError) as exc:
        raise ModelFileError(f"{what}: {name} cannot be read ({exc})") from exc
    if len(data) > MAX_BYTES:
        raise ModelFileError(f"{what}: {name} is larger than the {MAX_BYTES:,} bytes allowed")
    return data


def _document(raw: bytes) -> dict:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFileError(f"model.json is not valid JSON ({str(exc).splitlines()[0][:120]})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"model.json does not describe a {FORMAT} (format {FORMAT!r} expected)")
    if document.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"model.json has format version {document.get('format_version')!r}; "
                             f"this safeschool reads version {FORMAT_VERSION}")
    missing = [key for key in (*_STATE, "estimator_sha256") if key not in document]
    if missing:
        raise ModelFileError(f"model.json lacks {', '.join(missing)}")
    return document


def _estimator(blob: bytes) -> Pipeline:
    import skops.io as sio  # (imported when a model file is read; see to_bytes)

    _members(blob, "estimator.skops", None)  # the inner zip is capped too
    try:
        untrusted = sio.get_untrusted_types(data=blob)
    except Exception as exc:  # skops raises many kinds on a broken file; all mean "unusable"
        raise ModelFileError(f"estimator.skops cannot be inspected ({type(exc).__name__}: {exc})") from exc
    refused = sorted(set(untrusted) - ALLOWED_TYPES)
    if refused:
        raise ModelFileError(f"estimator.skops holds a type that is not allowed: {refused[0]}")
    try:
        estimator = sio.loads(blob, trusted=list(untrusted))
    except Exception as exc:
        raise ModelFileError(f"estimator.skops cannot be loaded ({type(exc).__name__}: {exc})") from exc
    if not isinstance(estimator, Pipeline) or not hasattr(estimator, "predict_proba"):
        raise ModelFileError(f"estimator.skops holds a {type(estimator).__name__}, not a fitted pipeline")
    return estimator


def from_bytes(data: bytes) -> RiskModel:
    """The model in a model file, with `.meta` = model.json; a `ModelFileError` when anything is wrong."""
    if len(data) > MAX_BYTES:
        raise ModelFileError(f"the model file is larger than the {MAX_BYTES:,} bytes allowed")
    archive = _members(data, "the model file", MEMBERS)
    document = _document(_read(archive, "model.json", "the model file"))
    blob = _read(archive, "estimator.skops", "the model file")
    if hashlib.sha256(blob).hexdigest() != document["estimator_sha256"]:
        raise ModelFileError("estimator.skops does not match the SHA-256 in model.json (changed after saving)")
    estimator = _estimator(blob)
    try:
        model = RiskModel(document["algorithm"], document["outcome"], features=tuple(document["features"]),
                          include_protected=bool(document["include_protected"]),
                          tier_shares=tuple(document["tier_shares"]), random_state=document["random_state"])
        model.estimator_ = estimator
        model.features_ = [str(f) for f in document["features"]]
        model.categorical_ = [str(f) for f in document["categorical"]]
        model.medians_ = {str(k): float(v) for k, v in document["medians"].items()}
        model.tier_cutoffs_ = {"high": float(document["tier_cutoffs"]["high"]),
                               "moderate": float(document["tier_cutoffs"]["moderate"])}
        model.base_rate_ = float(document["base_rate"])
        model.train_cohorts_ = [int(c) for c in document["train_cohorts"]]
        model.n_train_ = int(document["n_train"])
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ModelFileError(f"model.json has a malformed field ({type(exc).__name__}: {exc})") from exc
    model.meta = document
    return model


def load(path: str | Path) -> RiskModel:
    source = Path(path)
    if not source.is_file():
        raise ModelFileError(f"{source} is not a file")
    if source.stat().st_size > MAX_BYTES:
        raise ModelFileError(f"{source.name} is larger than the {MAX_BYTES:,} bytes allowed")
    return from_bytes(source.read_bytes())
