"""The demo, seeded in one place: one function per area, each going through the services a user's action goes
through (so the demo obeys the same validation, permissions and consent rules), called in order by
`safeschool demo`. Every function is idempotent: running the demo again adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from safeschool.cohort import Sizes
from safeschool.web.demo import (
    accounts,
    analysis,
    cocreation,
    cohort,
    hub,
    indicators,
    interventions,
    label,
    learning,
    network,
    recs,
    reports,
    screening,
    selfeval,
)

DEMO_STEPS = cohort.STEPS + 12  # the cohort's steps, then accounts, analysis, members, Hub, co-creation, screening,
# self-evaluation, the label, interventions with their trials, RECs with their partnerships, the learning, and the
# reports with the official indicators


@dataclass
class DemoResult:
    accounts: list[dict] = field(default_factory=list)  # username, password, role, what (one per role)
    notes: list[str] = field(default_factory=list)  # one line each, for the person running the demo


def demo_seed(*, home: Path, progress: Callable[[str], None] = lambda step: None,
              sizes: Sizes | None = None) -> DemoResult:
    """Seed every area; `progress(description)` is called exactly DEMO_STEPS times. `sizes` is the simulated cohort's
    (default: the default cohort), used only when the database holds no students yet."""
    result = DemoResult()
    result.notes.append(cohort.demo_cohort_ensure(home=home, progress=progress, sizes=sizes))
    result.accounts = accounts.demo_users_ensure()
    progress("Demo logins")
    if analysis.demo_analysis_ensure():
        result.notes.append("Queued an ecological decomposition of achievement for the demo researcher.")
    progress("Demo analysis")
    made = network.demo_members_ensure()
    if made:
        result.notes.append(f"Seeded {made} network members (types, levels, countries, some under 16).")
    progress("Network members")
    if hub.demo_hub_ensure():
        result.notes.append("Seeded the Hub: communities with posts, programmes, policies, documents, wiki pages and "
                            "practices.")
    progress("The Hub")
    if cocreation.demo_cocreation_ensure():
        result.notes.append("Seeded co-creation: a Delphi study in round 2, interviews and action research cycles.")
    progress("Co-creation")
    note = screening.demo_screening_ensure()  # after the Hub: follow-ups link its practices
    if note:
        result.notes.append(note)
    progress("Screening")
    for seed, step in ((selfeval.demo_selfeval_ensure, "Self-evaluation"),  # after co-creation: its PAR cycles
                       (label.demo_label_ensure, "Safe School Label"),  # after the campaigns and plans
                       (interventions.demo_interventions_ensure, "Interventions and trials"),  # after the Hub
                       (recs.demo_recs_ensure, "RECs and partnerships"),  # after self-evaluation: its leader logins
                       (learning.demo_learning_ensure, "Learning")):  # after the partnerships and interventions
        note = seed()
        if note:
            result.notes.append(note)
        progress(step)
    # last: the briefs build on the analysis, the Delphi study and the Hub; the indicators on the registry's countries
    seeds = (indicators.demo_indicators_ensure, reports.demo_briefs_ensure, reports.demo_country_analyses_queue)
    result.notes += [note for note in (seed() for seed in seeds) if note]
    progress("Reports and indicators")
    return result
