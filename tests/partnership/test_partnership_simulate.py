"""Simulated survey and needs answers (the demo's): valid for the scoring, seeded, and shaped as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safeschool.partnership import instrument, needs
from safeschool.partnership.scoring import needs_figures, survey_figures
from safeschool.partnership.simulate import needs_response, survey_response


@pytest.fixture(scope="module")
def survey():
    rng = np.random.default_rng(18)
    rows = []
    for p in range(60):
        quality = rng.normal(0, 0.6)
        for side in ("school", "rec"):
            answer = survey_response(rng, side, quality=quality,
                                     problem_rates={"data_sharing": 0.9} if p % 2 else None)
            rows.append({"partnership": p, "country": "IT" if p % 2 else "ES", "side": side,
                         **answer["answers"], "problems": answer["problems"]})
    return survey_figures(pd.DataFrame(rows))


def test_simulated_survey_is_scored_and_shaped(survey):
    overall = survey["overall"]
    means = overall["means"]
    assert all(means[d]["rec"] > means[d]["school"] - 0.1 for d in means)
    assert min(means, key=lambda d: means[d]["school"]) == "resources"
    shares = {code: p["share"] for code, p in overall["problems"].items()}
    assert shares["time"] > shares["trust"] and shares["time"] > shares["other"]
    assert survey["countries"]["IT"]["problems"]["data_sharing"]["share"] > \
        survey["countries"]["ES"]["problems"]["data_sharing"]["share"]


def test_simulation_is_seeded_and_within_the_scales():
    first = survey_response(np.random.default_rng(1), "rec", quality=-1.5)
    assert first == survey_response(np.random.default_rng(1), "rec", quality=-1.5)
    assert set(first["answers"]) == set(instrument.load().items)
    assert all(1 <= v <= 5 for v in first["answers"].values())
    with pytest.raises(ValueError):
        survey_response(np.random.default_rng(1), "parent")
    leader = needs_response(np.random.default_rng(2), "leader")
    assert set(leader["needs"]) == {t.code for t in needs.load().topics_for("leader")}
    assert all(1 <= v <= 4 for v in leader["needs"].values()) and leader["formats"]


def test_leaders_and_teachers_put_different_topics_first():
    rng = np.random.default_rng(5)
    rows = [{"school": i % 4, "country": "IT", "role": role, **answer["needs"], "formats": answer["formats"]}
            for role in ("leader", "teacher") for i in range(40)
            for answer in [needs_response(rng, role)]]
    figures = needs_figures(pd.DataFrame(rows))["overall"]
    assert figures["leader"]["ranking"][:3] != figures["teacher"]["ranking"][:3]
    assert "leading_change" in figures["leader"]["ranking"][:4]
    assert "leading_change" not in figures["teacher"]["ranking"]
