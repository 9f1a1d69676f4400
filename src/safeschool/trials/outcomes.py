"""The outcomes an intervention can be evaluated on: the registry's codes, the analysis-frame column each reads, its
family (linear or logistic) and whether it is attainment (the only outcome EEF's months' progress applies to)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from safeschool.vocabulary import gettext_noop


@dataclass(frozen=True)
class Outcome:
    """One evaluable outcome. `column` is its column in `safeschool.ingest.cohort_files.analysis_frame`."""

    code: str
    column: str
    family: str  # "gaussian" or "binomial"
    label: str
    attainment: bool = False

    @property
    def binary(self) -> bool:
        return self.family == "binomial"


OUTCOMES: dict[str, Outcome] = {
    "achievement": Outcome("achievement", "achievement", "gaussian", gettext_noop("Achievement"), attainment=True),
    "attendance": Outcome("attendance", "attendance_rate", "gaussian", gettext_noop("Attendance rate")),
    "exclusion": Outcome("exclusion", "excluded", "binomial", gettext_noop("Suspended or excluded")),
    "dropout": Outcome("dropout", "dropout", "binomial", gettext_noop("Early school leaving")),
    "security": Outcome("security", "security", "gaussian", gettext_noop("Attachment security")),
    "belonging": Outcome("belonging", "belonging", "gaussian", gettext_noop("Sense of belonging")),
}


def outcome(code: str) -> Outcome:
    """The outcome with this code; a ValueError naming the choices otherwise."""
    try:
        return OUTCOMES[code]
    except KeyError:
        raise ValueError(f"unknown outcome '{code}' (choose {', '.join(OUTCOMES)})") from None


def outcome_frame(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """`frame` with the outcome's column present: `excluded` (suspended or excluded at least once in the wave,
    i.e. suspensions > 0) is derived when it is missing; binary outcomes are 0/1 floats (missing stays missing)."""
    spec = outcome(code)
    out = frame
    if spec.column not in out:
        if spec.column == "excluded" and "suspensions" in out:
            out = out.copy()
            out["excluded"] = (out["suspensions"] > 0).where(out["suspensions"].notna())
        else:
            raise ValueError(f"outcome '{code}' needs the column '{spec.column}', which the data do not have")
    if spec.binary:
        if out is frame:
            out = out.copy()
        out[spec.column] = pd.to_numeric(out[spec.column].astype("float64"), errors="coerce")
    return out
