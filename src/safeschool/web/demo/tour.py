"""The tour of README's "A tour", as data: for each role (signed out, member, staff, researcher, admin) the pages that
role visits, with concrete addresses resolved from the database (the staff login's own school, the demo Delphi
study, the analyses that exist, the demo's completed trial). Shared by the browser test that checks every page
(tests/browser/test_tour.py) and `make screenshots` (safeschool.cli.screenshots); `tour_visit` drives a Playwright page (passed in, so this
module does not import Playwright)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from safeschool.vocabulary import SECONDARY_STAGES
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.analysis.services import analysis_run_create
from safeschool.web.cocreation.models import DelphiStudy, Interview, ParCycle
from safeschool.web.demo.accounts import demo_password
from safeschool.web.hub.models import Community
from safeschool.web.interventions.models import ImpactRun, Intervention, Trial
from safeschool.web.label.models import Application, Award
from safeschool.web.learning.models import CaseStudy, Edition
from safeschool.web.reports.models import Brief
from safeschool.web.research.models import School, Student
from safeschool.web.screening.models import RiskModel, RiskScore
from safeschool.web.selfeval.models import ActionPlan, Campaign
from safeschool.web.selfeval.services import codes_issue

ROLES = ("visitor", "member", "staff", "researcher", "admin")  # visitor: signed out
WIDTHS = (1366, 390)
HEIGHT = 900
CHARTS_DRAWN = ("() => document.querySelectorAll("
                "'figure.chart:not([data-rendered]), figure.chart[data-rendered=pending]').length === 0")


@dataclass(frozen=True)
class Step:
    role: str
    name: str  # a file-name slug, unique within the role ("school-profile")
    path: str  # the address; for an upload step, the form the file is uploaded through
    upload: Path | None = None  # upload this file as a student survey and land on the import preview
    status: int = 200  # what the page answers (the 404 page: 404)
    code: str | None = None  # a respondent's code: entered in the form at `path`, landing on the questions


def _first(queryset):
    obj = queryset.first()
    if obj is None:
        raise LookupError(f"the tour needs a {queryset.model.__name__} (seed the demo first)")
    return obj


def tour_steps(*, upload: Path) -> list[Step]:
    """Every page of the tour, in the order of README's tour; `upload` is the survey file the researcher uploads."""
    User = get_user_model()
    staff = User.objects.get(username="staff")
    own = _first(School.objects.filter(staff_appointments__user=staff))
    other = _first(School.objects.exclude(pk=own.pk).order_by("country__name", "code"))
    country = own.country
    study = _first(DelphiStudy.objects.order_by("pk"))
    own_cycle = _first(ParCycle.objects.filter(school=own))
    ecological = _first(AnalysisRun.objects.filter(kind="ecological", status="succeeded").order_by("pk"))
    maihda = _first(AnalysisRun.objects.filter(kind="maihda", status="succeeded").order_by("pk"))
    community = _first(Community.objects.order_by("pk"))
    interview = _first(Interview.objects.exclude(excerpts=None).order_by("pk"))
    student = _first(Student.objects.order_by("pk"))
    risk_model = RiskModel.objects.filter(status="published").first() or _first(RiskModel.objects.order_by("pk"))
    # a student on the published model's list; none when the fairness gate kept the model a draft (it can refuse
    # on a larger cohort, whose narrower intervals show a disparity the default cohort's could not)
    listed = RiskScore.objects.filter(run__model__status="published", student__school_class__school=own).order_by(
        "-probability", "pk").select_related("student").first()
    missing = "/this-page-does-not-exist/"
    own_open = _first(Campaign.objects.filter(school=own, closed_at__isnull=True))
    own_closed = _first(Campaign.objects.filter(school=own, closed_at__isnull=False).order_by("-closed_at"))
    own_plan = _first(ActionPlan.objects.filter(school=own).order_by("pk"))
    twice = _first(School.objects.exclude(pk=own.pk).annotate(closed=Count(
        "selfeval_campaigns", filter=Q(selfeval_campaigns__closed_at__isnull=False))).filter(closed__gte=2)
        .order_by("code"))  # a school evaluated twice: its latest report shows change
    changed = _first(Campaign.objects.filter(school=twice, closed_at__isnull=False).order_by("-closed_at"))
    award = _first(Award.objects.filter(revoked_at__isnull=True).order_by("-level", "pk"))
    under_review = _first(Application.objects.filter(status="under_review").order_by("pk"))
    adapted = _first(Intervention.objects.filter(versions__number=2).order_by("pk"))  # the demo's, with version 2
    completed = _first(Trial.objects.filter(status="completed").order_by("pk"))
    impact = _first(ImpactRun.objects.filter(trial=completed, status="succeeded").order_by("pk"))
    case = _first(CaseStudy.objects.filter(published_at__isnull=False).order_by("slug"))
    past_edition = _first(Edition.objects.filter(enrolment_open=False, enrolments__certificate__isnull=False)
                          .distinct().order_by("pk"))  # the demo's past edition, with results
    brief = _first(Brief.objects.filter(status="published").order_by("pk"))
    reports_public = [("indicators", "/indicators/"), ("indicators-country", f"/indicators/{country.code}/"),
                      ("reports", "/reports/"), ("annual-report", f"/reports/annual/{timezone.localdate().year}/"),
                      ("brief", f"/reports/briefs/{brief.slug}/")]
    label_public = [("label-register", "/label/"), ("label-criteria", "/label/criteria/"),
                    ("label-verify", f"/label/verify/{award.verification_code}/"),
                    ("selfeval-questionnaire", "/selfeval/questionnaire/")]
    pages = {
        "visitor": [
            ("home", "/"), ("network", "/network/"), ("join", "/network/join/"), ("login", "/accounts/login/"),
            ("password-reset", "/accounts/password/reset/"), ("not-found", missing), *label_public,
            ("selfeval-answer", "/selfeval/answer/"), ("learning", "/learning/"),
            ("case-study", f"/learning/cases/{case.slug}/"), *reports_public,
        ],
        "member": [
            ("home", "/"), ("schools", "/schools/"), ("school-profile", f"/schools/{other.pk}/"),
            ("countries", "/schools/countries/"), ("country", f"/schools/countries/{country.code}/"),
            ("network", "/network/"), ("my-profile", "/network/me/"), ("members", "/network/members/"),
            ("hub", "/hub/"), ("community", f"/hub/c/{community.slug}/"), ("programmes", "/hub/programmes/"),
            ("library", "/hub/library/"), ("delphi-studies", "/cocreation/delphi/"),
            ("delphi-rate", f"/cocreation/delphi/{study.pk}/rate/"), ("password-change", "/accounts/password/"),
            *label_public, ("label-review", f"/label/applications/{under_review.pk}/review/"),
            ("interventions", "/interventions/"), ("intervention", f"/interventions/{adapted.pk}/"),
            ("recs", "/recs/"), ("reports", "/reports/"), ("country-report", f"/reports/countries/{country.code}/"),
        ],
        "staff": [
            ("home", "/"), ("schools", "/schools/"), ("own-school", f"/schools/{own.pk}/"),
            ("student-records", f"/schools/{own.pk}/students/"), ("country", f"/schools/countries/{country.code}/"),
            ("par-cycles", "/cocreation/par/"), ("par-cycle", f"/cocreation/par/{own_cycle.pk}/"),
            ("screening", "/screening/"), ("screening-list", f"/screening/schools/{own.pk}/"),
            *([("screening-student", f"/screening/students/{listed.student.pseudonym}/")] if listed else []),
            ("selfeval", "/selfeval/"),
            ("selfeval-campaign", f"/selfeval/campaigns/{own_open.pk}/"),
            ("selfeval-report", f"/selfeval/campaigns/{own_closed.pk}/report/"),
            ("selfeval-recommendations", f"/selfeval/campaigns/{own_closed.pk}/recommendations/"),
            ("selfeval-plans", f"/selfeval/schools/{own.pk}/plans/"), ("selfeval-plan", f"/selfeval/plans/{own_plan.pk}/"),
            ("label-apply", f"/label/apply/{own.pk}/"), ("reports", "/reports/"),
            ("school-report", f"/reports/schools/{own.pk}/"), ("not-found", missing),
        ],
        "researcher": [
            ("analyses", "/analysis/"), ("decomposition", f"/analysis/{ecological.pk}/"),
            ("maihda", f"/analysis/{maihda.pk}/"), ("imports", "/schools/imports/"),
            ("instruments", "/schools/imports/instruments/"), ("delphi-study", f"/cocreation/delphi/{study.pk}/"),
            ("delphi-results", f"/cocreation/delphi/{study.pk}/results/"),
            ("delphi-report", f"/cocreation/delphi/{study.pk}/report/"), ("interviews", "/cocreation/interviews/"),
            ("interview", f"/cocreation/interviews/{interview.pk}/"), ("par-cycles", "/cocreation/par/"),
            ("screening", "/screening/"), ("screening-models", "/screening/models/"),
            ("screening-model", f"/screening/models/{risk_model.pk}/"),
            ("screening-card", f"/screening/models/{risk_model.pk}/card/"), ("screening-train", "/screening/models/train/"),
            ("selfeval-network", "/selfeval/network/"), ("selfeval-report", f"/selfeval/campaigns/{changed.pk}/report/"),
            ("label-applications", "/label/applications/"), ("label-application", f"/label/applications/{under_review.pk}/"),
            ("trial", f"/interventions/trials/{completed.pk}/"), ("impact", f"/interventions/impact/{impact.pk}/"),
            ("edition-results", f"/learning/editions/{past_edition.pk}/results/"),
            ("brief-reach", f"/reports/briefs/{brief.slug}/reach/"),
        ],
        "admin": [
            ("admin", "/admin/"), ("admin-students", "/admin/research/student/"),
            ("admin-student", f"/admin/research/student/{student.pk}/change/"), ("moderation", "/hub/moderation/"),
        ],
    }
    steps = [Step(role, name, path, status=404 if path == missing else 200)
             for role in ROLES for name, path in pages[role]]
    at = next(i for i, s in enumerate(steps) if s.role == "researcher" and s.name == "imports") + 1
    steps.insert(at, Step("researcher", "import-preview", "/schools/imports/", upload=upload))
    at = next(i for i, s in enumerate(steps) if s.role == "visitor" and s.name == "selfeval-answer") + 1
    steps.insert(at, Step("visitor", "selfeval-questions", "/selfeval/answer/", code=_respondent_code(own_open)))
    return steps


def _respondent_code(campaign: Campaign) -> str:
    """A student's code of the open campaign, issued by the school's staff through the service: the tour enters it
    and shows the questions (it answers nothing, so the code stays unused)."""
    staff = get_user_model().objects.get(username="staff")
    return codes_issue(staff, campaign, "students", 1)[0]


def tour_prepare() -> bool:
    """What the tour needs beyond `safeschool demo`: the researcher's MAIHDA of early leaving by gender x Roma /
    minority x SES in lower and upper secondary and second-chance schools (README's tour, step 7), queued through
    the analysis service like the form does; True when queued now (the caller runs the worker)."""
    if AnalysisRun.objects.filter(kind="maihda").exists():
        return False
    stages = [s for s in SECONDARY_STAGES if School.objects.filter(stage=s).exists()]  # a small cohort may lack one
    analysis_run_create(user=get_user_model().objects.get(username="researcher"), kind="maihda", parameters={
        "outcome": "dropout", "strata": ["gender", "roma", "ses"], "stages": stages})
    return True


def tour_log_in(page, base_url: str, role: str) -> None:
    """Sign the page's browser context in as the demo login of `role` through the real login form."""
    if role == "visitor":
        return
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", demo_password(role))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"the demo login '{role}' was refused")


def tour_visit(page, base_url: str, step: Step, uploaded: dict[Step, str]) -> int:
    """Open the step's page and wait until its charts are drawn; return the HTTP status. An upload step uploads its
    file through the form the first time and remembers the preview's address in `uploaded` for later visits."""
    if step.code is not None:  # a respondent: the code's form, then its questions
        page.goto(f"{base_url}{step.path}")
        page.fill("input[name=code]", step.code)
        with page.expect_navigation() as navigation:
            page.click("main form button[type=submit]")
        response = navigation.value
    elif step.upload is not None and step in uploaded:
        response = page.goto(uploaded[step])
    elif step.upload is not None:
        page.goto(f"{base_url}{step.path}")
        page.set_input_files("input[name=file]", str(step.upload))
        page.select_option("select[name=target]", "student_survey")
        with page.expect_navigation():
            page.click("main form[enctype] button[type=submit]")
        uploaded[step] = page.url
        response = page.goto(page.url)  # a plain load of the preview, as the other pages
    else:
        response = page.goto(f"{base_url}{step.path}")
    page.wait_for_function(CHARTS_DRAWN, timeout=20000)
    return response.status if response is not None else 0
