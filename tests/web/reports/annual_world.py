"""A hand-made network for the annual report's tests, with counts chosen so that the disclosure rules must act:

- 29 members who take part this year: by type teacher 14, scientific 12, policymaker 3 (3 is hidden as small, and
  12 must be hidden too so that 29 - 14 does not give the 3 away); by level a 15, b 11, d 3 (d small, b protects);
  by country IT 16, ES 10, PT 3 (PT small, ES protects); 4 of them joined last year; one more member withdrew
  consent and one erased account is left out;
- three schools: lower secondary in Italy with 12 students, primary in Spain with 5 (too small to count its
  students), upper secondary in Italy with none;
- a Safe School Label awarded this year and one last year; a completed trial with a shown result (g 0.21, 95 % CI
  0.05 to 0.37, low attrition), a registered trial, and a completed trial whose arms are too small to show;
- a case study and a resource pack published this year, a case study published last year, a published and a draft
  policy brief; one user per role, the staff member appointed at the Italian lower secondary school."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.interventions.models import ImpactRun, Intervention, Trial
from safeschool.web.label.models import Application, Award
from safeschool.web.learning.models import CaseStudy, ResourcePack
from safeschool.web.network import services as network
from safeschool.web.network.models import Member
from safeschool.web.reports.models import Brief
from safeschool.web.research.models import Country, School, SchoolClass, Student
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval.models import Campaign

PASSWORD = "pw-long-enough-1"
TYPES = ["teacher"] * 14 + ["scientific"] * 12 + ["policymaker"] * 3
LEVELS = ["a"] * 15 + ["b"] * 11 + ["d"] * 3
COUNTRIES = ["IT"] * 16 + ["ES"] * 10 + ["PT"] * 3


def _country(code: str, name: str) -> Country:
    return Country.objects.create(code=code, name=name, tracking_age=14, grade_repetition_pct=2.0, esl_rate_pct=9.0,
                                  esl_support=True, inclusion_index=0.5)


def _school(code: str, country: Country, stage: str, students: int) -> School:
    school = School.objects.create(code=code, name=f"School {code}", country=country, stage=stage, context="urban",
                                   ses_composition=0.0)
    school_class = SchoolClass.objects.create(code=f"{code}-1", school=school, grade=7)
    Student.objects.bulk_create(Student(pseudonym=f"{code}-{i}", school_class=school_class, gender="F", age=12,
                                        migrant_background=False, roma_minority=False, ses_index=0.0, sen=False,
                                        out_of_parental_care=False, cohort=2024) for i in range(students))
    return school


def _award(school: School, campaign: Campaign, code: str, day: dt.date, level: str) -> Award:
    done = Application.objects.create(school=school, level=level, campaign=campaign, statement="x", status="awarded",
                                      decided_level=level)
    return Award.objects.create(application=done, school=school, level=level, awarded_on=day,
                                valid_until=day.replace(year=day.year + 2), verification_code=code)


def _run(trial: Trial, *, analysed: int, g: float, low: float, high: float) -> ImpactRun:
    consort = {arm: {"students_analysed": analysed, "clusters_analysed": 2} for arm in ("intervention", "control")}
    attrition = {"boundary_used": "cautious", "students": {"overall": 0.08, "differential": 0.02,
                                                           "boundary": {"cautious": "low", "optimistic": "low"}}}
    return ImpactRun.objects.create(
        trial=trial, data="trials/x.csv", outcome=trial.primary_outcome, formula=trial.analysis_model,
        status="succeeded", result={"estimate": g * 10, "ci": [low * 10, high * 10], "effect_size": g,
                                    "effect_size_ci": [low, high], "effect_size_method": "hedges_g_total_variance",
                                    "n": analysed * 2},
        consort=consort, attrition=attrition, finished_at=timezone.now())


def build() -> SimpleNamespace:
    year = timezone.localdate().year
    last_year = timezone.now().replace(year=year - 1, month=6, day=15)
    italy, spain, _portugal = _country("IT", "Italy"), _country("ES", "Spain"), _country("PT", "Portugal")
    members = [network.member_join(username=f"member-{i}", password=None, email=f"m{i}@example.org",
                                   display_name=f"Member {i}", stakeholder_type=t, country=c, birth_year=1980,
                                   level=lv, consent=True)
               for i, (t, lv, c) in enumerate(zip(TYPES, LEVELS, COUNTRIES, strict=True))]
    Member.objects.filter(pk__in=[m.pk for m in members[:4]]).update(joined_at=last_year)
    withdrawn = network.member_join(username="withdrawn", password=None, email="w@example.org",
                                    display_name="Withdrawn", stakeholder_type="ngo", country="IT", birth_year=1980,
                                    consent=True)
    network.consent_withdraw(member=withdrawn, kind="membership")
    gone = network.member_join(username="gone", password=None, email="g@example.org", display_name="Gone",
                               stakeholder_type="ngo", country="IT", birth_year=1980, consent=True)
    gone.user.is_active = False
    gone.user.save()

    own = _school("AN-LS", italy, "lower_secondary", 12)
    small = _school("AN-PR", spain, "primary", 5)
    _school("AN-US", italy, "upper_secondary", 0)
    campaign = Campaign.objects.create(school=own, title="Spring", informants=["students"], closed_at=timezone.now(),
                                       results=[])
    today = timezone.localdate()
    _award(own, campaign, "ANNUALSAFE01", today, "safe")
    _award(own, campaign, "ANNUALOLD001", today.replace(year=year - 1), "committed")

    users = {role: user_create(username=f"u-{role}", password=PASSWORD, role=r)
             for role, r in (("member", Role.MEMBER), ("staff", Role.STAFF), ("researcher", Role.RESEARCHER),
                             ("admin", Role.ADMIN))}
    staff_appoint(user=users["staff"], school=own)

    mentoring = Intervention.objects.create(name="Mentoring", why="Belonging")
    completed = Trial.objects.create(intervention=mentoring, title="Mentoring trial", design="crt2", unit="school",
                                     primary_outcome="achievement", analysis_model="achievement ~ treat + (1|school_id)",
                                     status="completed")
    completed.schools.set([own, small])
    _run(completed, analysed=40, g=0.21, low=0.05, high=0.37)
    registered = Trial.objects.create(intervention=mentoring, title="Restorative trial", design="crt3", unit="school",
                                      primary_outcome="attendance", analysis_model="attendance_rate ~ treat",
                                      status="registered")
    tiny = Trial.objects.create(intervention=mentoring, title="Tiny trial", design="crt2", unit="school",
                                primary_outcome="achievement", analysis_model="achievement ~ treat", status="completed")
    _run(tiny, analysed=6, g=0.9, low=0.1, high=1.7)

    now = timezone.now()
    CaseStudy.objects.create(slug="this-year", title="A case of this year", context="x", practice="y", authors="A",
                             published_at=now)
    CaseStudy.objects.create(slug="last-year", title="A case of last year", context="x", practice="y", authors="A",
                             published_at=last_year)
    ResourcePack.objects.create(number=1, slug="pack-one", title="Pack one", published_at=now)
    analysis = AnalysisRun.objects.create(kind="ecological", parameters={}, created_by=users["researcher"])
    published = Brief.objects.create(title="Brief on belonging", slug="brief-belonging", analysis=analysis,
                                     key_messages="k", status="published", published_at=now)
    draft = Brief.objects.create(title="Draft brief", slug="draft-brief", analysis=analysis, key_messages="k")
    return SimpleNamespace(year=year, users=users, own=own, small=small, italy=italy, completed=completed,
                           registered=registered, tiny=tiny, published=published, draft=draft)
