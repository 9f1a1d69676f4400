"""Ecological decomposition and MAIHDA on the default 18,000-student cohort: safeschool (mixedlm engine) side by
side with the same models fitted by statsmodels MixedLM, in one run on the same data.

Run: `.venv/bin/python benchmarks/bench_analyses.py [--skip-statsmodels]`. Targets (issue): ecological
decomposition of one outcome under 20 s, MAIHDA under 10 s, on the 2-core workplace machine.
"""

from __future__ import annotations

import argparse
import time
import warnings

from safeschool.cohort import CohortConfig, simulate
from safeschool.ingest.cohort_files import analysis_frame
from safeschool.stats.analyses import run_ecological, run_maihda, select_stages
from safeschool.stats.ecological import DEFAULT_BLOCKS
from safeschool.stats.formula import plain_dtypes as _plain_dtypes
from safeschool.vocabulary import GROUP_ALIASES as ALIASES
from safeschool.vocabulary import SECONDARY_STAGES


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def statsmodels_ecological(frame, outcome: str) -> float:
    import statsmodels.formula.api as smf

    cols = [c for block in DEFAULT_BLOCKS.values() for c in block]
    data = _plain_dtypes(frame[[outcome, "country_id", "school_id", "class_id", *cols]].dropna())
    for c in data.columns:
        if data[c].dtype == bool:
            data[c] = data[c].astype(float)
    start = time.perf_counter()
    terms: list[str] = []
    for block in (None, *DEFAULT_BLOCKS):
        if block:
            terms += DEFAULT_BLOCKS[block]
        rhs = " + ".join(terms) if terms else "1"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smf.mixedlm(f"{outcome} ~ {rhs}", data, groups=data["country_id"], re_formula="1",
                        vc_formula={"school": "0 + C(school_id)", "cls": "0 + C(class_id)"}).fit(reml=False)
    return time.perf_counter() - start


def statsmodels_maihda(frame, outcome: str, strata: list[str]) -> float:
    import statsmodels.formula.api as smf

    cols = [ALIASES.get(s, s) for s in strata]
    data = _plain_dtypes(frame[[outcome, *cols]].dropna())
    data["stratum"] = data[cols].astype(str).agg("|".join, axis=1)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        smf.mixedlm(f"{outcome} ~ 1", data, groups=data["stratum"]).fit(reml=True)
        smf.mixedlm(f"{outcome} ~ " + " + ".join(f"C({c})" for c in cols), data, groups=data["stratum"]).fit(reml=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-statsmodels", action="store_true", help="only time safeschool")
    args = parser.parse_args()
    frame = analysis_frame(simulate(CohortConfig()).tables)
    secondary = select_stages(frame, list(SECONDARY_STAGES))
    strata = ["gender", "migrant", "ses"]
    rows = []
    t, _ = timed(lambda: run_ecological(frame, outcome="achievement"))
    ref = None if args.skip_statsmodels else statsmodels_ecological(frame, "achievement")
    rows.append(("ecological, achievement (5 ML fits, 3 levels)", t, ref, 20))
    t, _ = timed(lambda: run_ecological(secondary, outcome="dropout"))
    rows.append(("ecological, dropout, secondary stages (5 Laplace fits)", t, None, 20))
    t, _ = timed(lambda: run_maihda(frame, outcome="achievement", strata=strata))
    ref = None if args.skip_statsmodels else statsmodels_maihda(frame, "achievement", strata)
    rows.append(("MAIHDA, achievement, gender x migrant x SES", t, ref, 10))
    t, _ = timed(lambda: run_maihda(frame, outcome="dropout", strata=["gender", "roma", "ses", "sen"]))
    rows.append(("MAIHDA, dropout, gender x Roma x SES x SEN (Laplace)", t, None, 10))
    print(f"{'analysis (18,000 students)':<58}{'safeschool s':>13}{'statsmodels s':>15}{'ratio':>8}{'target':>9}")
    for name, ours, theirs, target in rows:
        ratio = f"{theirs / ours:7.1f}x" if theirs else "      -"
        ref = f"{theirs:15.1f}" if theirs else f"{'n/a':>15}"
        status = "met" if ours < target else "MISSED"
        print(f"{name:<58}{ours:13.1f}{ref}{ratio:>8}{f'<{target}s {status}':>9}")
    print("statsmodels has no Laplace GLMM (BinomialBayesMixedGLM is variational Bayes): no competitor for "
          "logistic fits; the statsmodels timings include the statistical tables only, not figures.")


if __name__ == "__main__":
    main()
