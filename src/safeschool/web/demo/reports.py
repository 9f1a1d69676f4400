"""The demo's policy briefs: the demo's ecological decomposition of achievement (run here if the worker has not run
it yet), a published English brief on it for the whole network — two or three statements the demo Delphi panel
agreed on in its closed round, the strongest signed-off programmes, a narrative worded from what the simulated
cohort was built to show — endorsed by some of the demo's advocates (level d), and a Spanish draft for Spain.
Everything goes through the briefs' services, as the pages do."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from safeschool.web.analysis.execution import analysis_run_execute
from safeschool.web.analysis.models import AnalysisRun, Kind, Status
from safeschool.web.network.models import Member
from safeschool.web.reports import selectors_briefs, services_briefs
from safeschool.web.reports.models import Brief
from safeschool.web.reports.selectors_country import country_runs
from safeschool.web.reports.services_country import ensure_country_analyses
from safeschool.web.research.models import Country

ENDORSERS = 4  # demo advocates who endorse the published brief

ENGLISH = {
    "title": "Where differences in achievement lie: schools, classes and students",
    "key_messages": (
        "Most differences in achievement in the network's schools lie between students of the same class; a "
        "substantial share lies between schools.\n\n"
        "Students who feel more secure, and who have closer, less conflictual relationships with their teachers, "
        "tend to score higher; so do students in schools with a better climate. These are associations, not "
        "proven effects.\n\n"
        "The network's stakeholders agreed on practices at these levels: they are a reasonable place to start, "
        "with an evaluation built in."),
    "context": "Early leaving is decided over years of schooling. Knowing where differences in achievement lie "
               "helps decide whether to act on each student, each class or each school.",
    "findings": "The decomposition splits the differences in students' test scores into the parts that lie "
                "between countries, schools, classes and students, then adds the model's predictors level by "
                "level. The figures below are from simulated data made to try the platform.",
    "implications": (
        "Support that reaches every student (a trusted adult, attention to security and belonging) addresses the "
        "largest share of the differences.\n\n"
        "Because a sizeable share lies between schools, school-level work — climate, alternatives to exclusion, "
        "partnership with Regional Educational Centres — is worth pursuing alongside it.\n\n"
        "Any programme adopted on this basis should be evaluated: these data cannot say what would change if a "
        "practice were introduced."),
    "limitations": "The demo's data are simulated, so the figures illustrate the method only.",
}
SPANISH = {
    "title": "Dónde están las diferencias de rendimiento: centros, clases y alumnado (España)",
    "key_messages": (
        "La mayor parte de las diferencias de rendimiento se da entre alumnos de una misma clase; una parte "
        "considerable, entre centros.\n\n"
        "El alumnado que se siente más seguro y que tiene relaciones más cercanas con su profesorado tiende a "
        "obtener mejores resultados. Son asociaciones, no efectos demostrados."),
    "implications": "Borrador: falta redactar las implicaciones para España.",
}


def _analysis() -> AnalysisRun | None:
    """The demo's ecological decomposition, run now when it is still queued (returned only if it succeeded)."""
    run = AnalysisRun.objects.filter(kind=Kind.ECOLOGICAL, parameters__outcome="achievement").order_by("pk").first()
    if run is None:
        return None
    if not run.finished:
        run = analysis_run_execute(run_id=run.pk)
    return run if run.status == Status.SUCCEEDED else None


def demo_briefs_ensure() -> str:
    """Made once (when no brief exists and the demo researcher, analysis and Delphi study do); a note saying what
    was made, or "" when nothing was."""
    if Brief.objects.exists():
        return ""
    researcher = get_user_model().objects.filter(username="researcher").first()
    run = _analysis() if researcher is not None else None
    if run is None:
        return ""
    statements = selectors_briefs.statements_addressing(run)[:3]
    if len(statements) < 2:  # the levels the analysis points to have too few: any that reached consensus
        statements = list(selectors_briefs.consensus_statements()[:3])
    programmes = list(selectors_briefs.programmes_offered()[:3])
    brief = services_briefs.brief_create(user=researcher, language="en", country="", analysis=run,
                                         recommendations=statements, programmes=programmes, **ENGLISH)
    published = False
    if statements:
        brief = services_briefs.brief_publish(user=researcher, brief=brief)
        published = True
    endorsed = 0
    if published:
        for member in Member.objects.filter(level="d", user__is_active=True).select_related("user").order_by("pk"):
            if endorsed >= ENDORSERS:
                break
            if selectors_briefs.may(member.user, selectors_briefs.ENDORSE, brief):
                services_briefs.brief_endorse(user=member.user, brief=brief)
                endorsed += 1
    services_briefs.brief_create(user=researcher, language="es", country="ES", analysis=run,
                                 recommendations=statements[:2], programmes=programmes[:2], **SPANISH)
    state = "published" if published else "saved as a draft (no Delphi statement reached consensus)"
    return (f"Policy briefs: '{brief.title}' {state} with {len(statements)} recommendations and {endorsed} "
            f"endorsements, and a Spanish draft for Spain (/reports/briefs/).")


def demo_country_analyses_queue() -> str:
    """Queue the analyses every country's profile report rests on (two ecological decompositions and a MAIHDA
    within the country) for the worker `safeschool demo` starts, so that the country reports are complete a few
    minutes after the server is up (each page says which are still being computed). Idempotent."""
    queued = 0
    for country in Country.objects.order_by("code"):
        missing = sum(1 for run in country_runs(country).values() if run is None)
        if missing:
            ensure_country_analyses(country, run_now=False)
            queued += missing
    if not queued:
        return ""
    return f"Queued {queued} within-country analyses for the country reports (the worker runs them in a few minutes)."
