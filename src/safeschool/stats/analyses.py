"""The analyses the platform runs (ecological decomposition, MAIHDA) as one function each, with their tables,
figures and JSON — shared by the command line and the web's background tasks (no Django here)."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from safeschool import csvsafe
from safeschool.stats import figures
from safeschool.stats.ecological import BlockSpec, EcologicalDecomposition, default_spec
from safeschool.stats.maihda import Maihda


@dataclass
class AnalysisOutput:
    kind: str
    result: dict  # the JSON document
    tables: dict[str, pd.DataFrame]  # CSV tables (only displayable rows)
    charts: dict[str, dict]  # Vega-Lite specifications


def data_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of the analysis table's content (row order and column order included)."""
    digest = hashlib.sha256()
    digest.update(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def provenance(frame: pd.DataFrame, parameters: dict) -> dict:
    packages = {}
    for name in ("safeschool", "mixedlm", "numpy", "pandas", "scipy", "formulaic"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {"data_fingerprint": data_fingerprint(frame), "n_rows": int(len(frame)), "parameters": parameters,
            "packages": packages, "python": platform.python_version()}


def select_stages(frame: pd.DataFrame, stages: list[str] | None) -> pd.DataFrame:
    if not stages:
        return frame
    if "stage" not in frame.columns:
        raise ValueError("--stages needs a 'stage' column in the data")
    unknown = sorted(set(stages) - set(frame["stage"].dropna().unique()))
    if unknown:
        raise ValueError(f"stage '{unknown[0]}' does not occur in the data")
    return frame[frame["stage"].isin(stages)]


def run_ecological(frame: pd.DataFrame, *, outcome: str, spec: BlockSpec | None = None, family: str = "auto",
                   progress=None) -> AnalysisOutput:
    model = EcologicalDecomposition(outcome, spec=spec or default_spec(), family=family).fit(frame, progress=progress)
    result = model.to_dict()
    final = model.coefficients_[model.coefficients_.step == model.steps_.step.iloc[-1]]
    steps = list(model.steps_.step)
    charts = {
        "variance_partition": figures.variance_partition(model.variance_, steps,
                                                         f"Variance of {outcome} by level, step by step"),
        "coefficients": figures.coefficients(final, f"Determinants of {outcome} (final model)"),
    }
    tables = {"steps": model.steps_, "variance": model.variance_, "explained": model.explained_,
              "coefficients": model.coefficients_}
    return AnalysisOutput("ecological", result, tables, charts)


def run_maihda(frame: pd.DataFrame, *, outcome: str, strata: list[str], family: str = "auto",
               progress=None) -> AnalysisOutput:
    model = Maihda(outcome, strata, family=family).fit(frame, progress=progress)
    result = model.to_dict()
    shown = model.display_strata()
    binary = model.family_ == "binomial"
    charts = {
        "strata": figures.caterpillar(
            shown, value="predicted", low="predicted_low", high="predicted_high",
            title=f"Predicted {'probability of ' if binary else ''}{outcome} by stratum (null model, shrunken)",
            x_title="Predicted probability" if binary else f"Predicted {outcome}"),
        "interactions": figures.caterpillar(
            shown, value="interaction", low="interaction_low", high="interaction_high", reference=0.0,
            title="Stratum interaction effects (main-effects model)",
            x_title="Interaction (logit scale)" if binary else "Interaction effect"),
    }
    tables = {"models": model.summary_, "fixed_effects": model.main_.summary, "strata": shown}
    return AnalysisOutput("maihda", result, tables, charts)


def write_outputs(output: AnalysisOutput, directory: Path) -> list[Path]:
    """Tables as CSV and figures as SVG and PNG into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in output.tables.items():
        path = directory / f"{name}.csv"
        csvsafe.frame_to_csv(table, path, index=False)
        written.append(path)
    for name, spec in output.charts.items():
        written += figures.write(spec, directory / name)
    path = directory / f"{output.kind}.json"
    path.write_text(json.dumps(output.result, indent=2, default=str))
    written.append(path)
    return written
