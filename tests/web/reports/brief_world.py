"""A hand-made world for the policy brief tests (no cohort loaded): two analyses that succeeded with results
computed by the statistics core on the small simulated cohort (an ecological decomposition and a MAIHDA run), a
failed and a queued one; a Delphi study whose closed round 1 put S1–S3 "in" and S4 "out", with S5 rated high in
the open round 2; programmes in every evidence tier, signed off or not; and members at each participation level,
with and without current consent and a directory listing."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.utils import timezone

from safeschool.ingest.cohort_files import analysis_frame
from safeschool.stats.analyses import provenance, run_ecological, run_maihda
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.cocreation import services as delphi
from safeschool.web.hub.models import Programme, ProgrammeSignoff
from safeschool.web.network import services as network
from safeschool.web.reports import services_briefs

ADULT = date.today().year - 40
NARRATIVE = {"key_messages": "Most differences lie between students.\n\nA fifth lies between schools.",
             "implications": "Act at school level too.", "findings": "The decomposition shows where.",
             "limitations": "Team's own caveat: one wave only."}


_RESULTS: dict = {}


def results(cohort_files) -> dict:
    """The statistics core's results on the small cohort (computed once per test session: they never change)."""
    if _RESULTS:
        return _RESULTS
    frame = analysis_frame(cohort_files.tables, wave=1)
    params = {"outcome": "achievement", "wave": 1, "stages": [], "family": "auto"}
    eco = run_ecological(frame, outcome="achievement")
    maihda = run_maihda(frame, outcome="achievement", strata=["gender", "migrant_background"])
    _RESULTS.update({"ecological": (eco, provenance(frame, params)),
                     "maihda": (maihda, provenance(frame, params | {"strata": ["gender", "migrant"]}))})
    return _RESULTS


def _run(kind: str, output, record, **params) -> AnalysisRun:
    now = timezone.now()
    return AnalysisRun.objects.create(kind=kind, parameters={"outcome": "achievement", "wave": 1, "stages": [],
                                                             "family": "auto", **params},
                                      status="succeeded", result=output.result, charts=output.charts,
                                      provenance=record, started_at=now, finished_at=now)


def join(name: str, level: str, **extra):
    fields = {"stakeholder_type": "teacher", "country": "ES", "birth_year": ADULT, "level": level} | extra
    return network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                               display_name=name.title(), consent=True, **fields)


def build(computed: dict) -> SimpleNamespace:
    w = SimpleNamespace()
    w.researcher = user_create(username="b-res", password="pw-long-enough-1", role=Role.RESEARCHER)
    w.admin = user_create(username="b-admin", password="pw-long-enough-1", role=Role.ADMIN)
    w.staff = user_create(username="b-staff", password="pw-long-enough-1", role=Role.STAFF)
    w.plain = user_create(username="b-plain", password="pw-long-enough-1", role=Role.MEMBER)  # no network profile
    w.eco = _run("ecological", *computed["ecological"])
    w.maihda = _run("maihda", *computed["maihda"], strata=["gender", "migrant"])
    w.failed = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "achievement"}, status="failed",
                                          error="no students")
    w.queued = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "dropout"})
    # members: a, c, and advocates (d) listed in the directory or not, one who will withdraw consent
    w.level_a = join("ana-a", "a", country="IT")
    w.level_c = join("carla-c", "c", country="IT")
    w.advocate = join("dora-d", "d", country="PT", directory={"in_directory": True})
    w.quiet = join("quinn-d", "d", country="PL")  # not in the directory
    w.leaver = join("lea-d", "d", country="RO", directory={"in_directory": True})
    panel = [w.level_c, w.advocate, w.quiet, w.leaver, *[join(f"panel{i}", "c") for i in range(3)]]
    # Delphi: round 1 closed (S1-S3 in, S4 out), S5 added and rated high in the open round 2
    w.study = delphi.study_create(user=w.researcher, title="Validating the model", rule={"name": "comet"})
    delphi.panel_invite(user=w.researcher, study=w.study, members=panel)
    statements = {}
    for code, level, text in (("S1", "individual", "Every student has a trusted adult."),
                              ("S2", "community", "Schools use alternatives to exclusion."),
                              ("S3", "relational", "Teachers are trained in secure relationships."),
                              ("S4", "political", "Tracking is postponed.")):
        statements[code] = delphi.statement_add(user=w.researcher, study=w.study, code=code, text=text, level=level)
    r1 = delphi.round_open(user=w.researcher, study=w.study)
    for member in panel:
        for code, s in statements.items():
            delphi.rating_submit(user=member.user, round=r1, statement=s, value=2 if code == "S4" else 8)
    delphi.round_close(user=w.researcher, round=r1)
    statements["S5"] = delphi.statement_add(user=w.researcher, study=w.study, code="S5", level="community",
                                            text="Schools share a worked example.")
    r2 = delphi.round_open(user=w.researcher, study=w.study)
    for member in panel:
        delphi.rating_submit(user=member.user, round=r2, statement=statements["S5"], value=9)
    w.statements = statements
    # programmes: signed off strong and moderate (offered); strong with one sign-off and promising (not offered)
    reviewers = panel[:2]

    def programme(title, tier, signoffs, country="IT"):
        p = Programme.objects.create(title=title, country=country, level="community", tier=tier,
                                     url=f"https://example.org/{tier}")
        for reviewer in reviewers[:signoffs]:
            ProgrammeSignoff.objects.create(programme=p, reviewer=reviewer)
        return p

    w.moderate = programme("Check and Connect", "moderate", 2, "ES")
    w.strong = programme("Good Behaviour Game", "strong", 2)
    w.half = programme("Half signed", "strong", 1)
    w.promising = programme("Promising idea", "promising", 2)
    w.published = services_briefs.brief_create(
        user=w.researcher, title="Where differences lie", language="en", analysis=w.eco,
        recommendations=[statements["S1"], statements["S2"]], programmes=[w.strong, w.moderate], **NARRATIVE)
    w.published = services_briefs.brief_publish(user=w.researcher, brief=w.published)
    w.draft = services_briefs.brief_create(user=w.researcher, title="Secret draft", language="es", country="ES",
                                           analysis=w.maihda, recommendations=[statements["S3"]],
                                           key_messages="Borrador.")
    return w


def withdraw_consent(member) -> None:
    network.consent_withdraw(member=member, kind="membership")
