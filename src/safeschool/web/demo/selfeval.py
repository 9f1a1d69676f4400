"""The demo's self-evaluation: campaigns of the School Evaluation Questionnaire in a dozen schools across countries
(schools of the demo staff login's stage first, so the comparison with the same stage has enough peers), answered by
simulated respondents (safeschool.selfeval.simulate) through the code each was issued, with realistic response
rates (students 55-90 %, families 25-50 %, teachers 60-95 %, leaders all). Three schools also have a campaign
closed a year earlier, so their reports show change, and one heard from only 8 families (a group its report does
not show). The demo staff school has a campaign closed ten months ago (report, recommendations, an action plan in
progress built on it) and an open one (response rates, codes to issue). Action plans in progress in four schools;
in one, the goal's indicator moved between its two campaigns. The label's part is safeschool.web.demo.label.

Everything goes through the services a school's staff use (a school leader login per school, which cannot sign
in, acts for the schools other than the demo staff's); only the dates are moved back afterwards, since a campaign
closed a year ago cannot be opened a year ago."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from safeschool.selfeval import questionnaire as sq
from safeschool.selfeval.simulate import simulate_campaign
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import fieldwork
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Practice
from safeschool.web.research.models import School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import services, services_plans
from safeschool.web.selfeval.models import (
    AccessCode,
    ActionPlan,
    ActionStatus,
    Campaign,
    PlanStatus,
    ProgressUpdate,
    Response,
)

SCHOOLS = 12
CODES = {"leaders": (3, 4), "teachers": (20, 36), "students": (90, 150), "families": (60, 110)}  # issued, min-max
RATES = {"leaders": (1.0, 1.0), "teachers": (0.60, 0.95), "students": (0.55, 0.90), "families": (0.25, 0.50)}
FEW_FAMILIES = 8  # the families who answered in one school: fewer than the threshold, so the group is not shown
OPEN_SHARE = 0.6  # the open campaign has heard from this share of those who will answer
SCHOOL_Z = [0.0, 1.6, 0.3, 0.5, -0.2, 0.6, -0.6, 0.3, -0.3, 0.8, -0.1, 0.2]  # each school's level (z), in order
MOVED = ("safe_relationships", "free_from_bullying", "students")  # the goal whose indicator moves (school 1)
LEVEL_SAFE = 1.6  # school 1: high enough for the Safe School level's thresholds in every group

# Plans: (title, [(subdimension, indicator, informant, goal, target, [(action, owner, practice title or None,
# linked to the school's PAR cycle, status, [progress updates])])])
PLANS = {
    "own": ("Every student has an adult to turn to", [
        ("safe_relationships", "trusted_adult", "students",
         "Every student can name an adult at school they would go to with a problem.", 75.0, [
             ("Form tutors greet every student at the classroom door each morning (our action research cycle).",
              "Form tutors", "Morning check-in", True, ActionStatus.IN_PROGRESS,
              ["Started in years 7 and 8; tutors keep a short log of who seemed low.",
               "Late arrivals down from 11 to 7 a day in week 6."]),
             ("Peer mentors from year 9 for every new student, trained in the first month.", "Head of year 7",
              "Peer mentoring", False, ActionStatus.PLANNED, []),
         ]),
        ("safe_functioning", "learner_voice", "students",
         "Students help decide school rules and see what changed because of them.", 65.0, [
             ("A youth council with two elected students per class meets the leadership team every month.",
              "Deputy head", "Youth council", False, ActionStatus.IN_PROGRESS,
              ["First elections held; 41 candidates for 24 places."]),
         ]),
    ]),
    "moved": ("Ending bullying together", [
        ("safe_relationships", "free_from_bullying", "students",
         "Fewer students are bullied, and those who are know who will help.", 70.0, [
             ("Anti-bullying charter written with the student council and signed in every class.",
              "Student council and deputy head", "Youth council", False, ActionStatus.DONE,
              ["Charter signed in all 18 classes.", "Reviewed with the council after one term: kept as it is."]),
             ("Peer mentors on every break and in the canteen.", "Head of pastoral care", "Peer mentoring", True,
              ActionStatus.IN_PROGRESS, ["Twelve mentors trained; a rota for breaks and the canteen."]),
         ]),
    ]),
    "committed": ("Families as partners", [
        ("kind_school", "family_partnership", "families",
         "Families are invited for reasons other than problems, and come.", 60.0, [
             ("A parent café once a month, run with the parents' association.", "Family liaison officer",
              "Parent café", False, ActionStatus.IN_PROGRESS, ["First café: 23 parents, most of them new faces."]),
         ]),
    ]),
    "review": ("A calmer school day", [
        ("safe_teaching_skills", "restorative_responses", "teachers",
         "Conflicts are resolved by talking them through, not only by sanctions.", 70.0, [
             ("Restorative conversations training for all form tutors.", "Head of year 8", None, False,
              ActionStatus.IN_PROGRESS, ["Half of the tutors trained; the rest in the spring term."]),
         ]),
    ]),
}


@dataclass(frozen=True)
class DemoSchool:
    """What the demo makes of one of its schools."""

    school: School
    level: float  # the school's simulated level (z)
    previous: int = 0  # days since a previous closed campaign (0: none)
    open_now: bool = False  # the current campaign is still open (the demo staff school)
    few_families: bool = False
    plan: str = ""  # a key of PLANS


def demo_selfeval_ensure(seed: int = 16) -> str | None:
    """Seed the campaigns and plans unless a campaign exists; a note for the person running the demo (None when
    nothing was made). One transaction: the services' own become savepoints (thousands of answers, one commit)."""
    with transaction.atomic():
        return _seed(seed)


def demo_schools() -> list[DemoSchool]:
    """The demo's schools and what each gets, the demo staff school first (empty without the staff login)."""
    staff = get_user_model().objects.filter(username="staff").first()
    own = School.objects.filter(staff_appointments__user=staff).order_by("code").first() if staff else None
    if own is None:
        return []
    others = list(School.objects.exclude(pk=own.pk).select_related("country").order_by("country__name", "code"))
    queues: dict[int, list[School]] = {}  # same stage first, then the others, country by country
    for school in [s for s in others if s.stage == own.stage] + [s for s in others if s.stage != own.stage]:
        queues.setdefault(school.country_id, []).append(school)
    order = sorted(queues, key=lambda c: c == own.country_id)  # the staff school's country last: more countries
    chosen = [own]
    while len(chosen) < SCHOOLS and any(queues.values()):
        for country in order:
            if queues[country] and len(chosen) < SCHOOLS:
                chosen.append(queues[country].pop(0))
    kinds = {0: {"previous": 300, "open_now": True, "plan": "own"}, 1: {"previous": 365, "plan": "moved"},
             2: {"previous": 365, "plan": "committed"}, 3: {"previous": 365, "plan": "review"},
             4: {"few_families": True}}
    return [DemoSchool(school=s, level=SCHOOL_Z[i % len(SCHOOL_Z)], **kinds.get(i, {})) for i, s in enumerate(chosen)]


def _seed(seed: int) -> str | None:
    if Campaign.objects.exists():
        return None
    schools = demo_schools()
    if not schools:
        return None
    rng = random.Random(seed)
    questionnaire = sq.load()
    campaigns = answers = plans = 0
    for i, demo in enumerate(schools):
        leader = school_leader(demo.school)
        baseline = None
        if demo.previous:
            baseline, n = _campaign(demo, leader, questionnaire, rng, seed=seed + 100 + i, level=demo.level - 0.4,
                                    ago=demo.previous)
            campaigns, answers = campaigns + 1, answers + n
        if demo.plan and baseline is not None:
            _plan(demo, leader, baseline, PLANS[demo.plan])
            plans += 1
        gaps = {MOVED[0]: {MOVED[2]: 6.0}} if demo.plan == "moved" else None  # the goal's indicator moves up
        if demo.level >= LEVEL_SAFE:  # the Safe School: no group lags behind in any pillar
            gaps = {**{sub: {} for sub in _subdimensions(questionnaire)}, **(gaps or {})}
        _, n = _campaign(demo, leader, questionnaire, rng, seed=seed + i, level=demo.level, gaps=gaps,
                         ago=0 if demo.open_now else 21)
        campaigns, answers = campaigns + 1, answers + n
    own = schools[0].school
    countries = len({d.school.country_id for d in schools})
    return (f"Self-evaluation: {campaigns} campaigns in {len(schools)} schools of {countries} countries "
            f"({answers:,} answers, each through its own code), {plans} action plans in progress; "
            f"{own.name}'s current campaign is open.")


def _subdimensions(questionnaire) -> list[str]:
    return [s.code for d in questionnaire.dimensions for s in d.subdimensions]


def school_leader(school: School):
    """Who runs the school's campaigns: the demo staff login at its own school, elsewhere a school leader account
    that cannot sign in (made here once, appointed at the school)."""
    User = get_user_model()
    staff = User.objects.filter(username="staff", appointments__school=school).first()
    if staff is not None:
        return staff
    username = f"leader-{school.code}".lower()
    user = User.objects.filter(username=username).first() or user_create(username=username, password=None,
                                                                          role=Role.STAFF)
    staff_appoint(user=user, school=school, position="school leader")
    return user


def _campaign(demo: DemoSchool, leader, questionnaire, rng: random.Random, *, seed: int, level: float, ago: int,
              gaps=None) -> tuple[Campaign, int]:
    """Open a campaign, issue codes to every group, answer a realistic share of them with simulated respondents,
    each through one code, close it (unless it is the open one) and date it `ago` days back."""
    open_now = demo.open_now and ago == 0
    campaign = services.campaign_open(leader, demo.school, f"Self-evaluation, {_season(ago + 28)}",
                                      list(sq.INFORMANTS), closes_on=timezone.localdate() + dt.timedelta(days=14))
    issued = {g: rng.randint(*CODES[g]) for g in sq.INFORMANTS}
    answering = {g: max(1, round(issued[g] * rng.uniform(*RATES[g]))) for g in sq.INFORMANTS}
    if demo.few_families:
        answering["families"] = FEW_FAMILIES
    if open_now:
        answering = {g: n if g == "leaders" else math.floor(n * OPEN_SHARE) for g, n in answering.items()}
    frame = simulate_campaign(questionnaire, school=demo.school.code, n=answering, level=level, gaps=gaps, seed=seed)
    indicators = [c for c in frame.columns if c not in ("school", "informant")]
    total = 0
    for group in sq.INFORMANTS:
        codes = services.codes_issue(leader, campaign, group, issued[group])
        rows = frame.loc[frame["informant"] == group, indicators]
        for code, values in zip(codes, rows.to_dict("records"), strict=False):
            services.response_submit(code, {k: _number(v) for k, v in values.items() if not math.isnan(v)})
            total += 1
    if not open_now:
        campaign = services.campaign_close(leader, campaign)
    _move_back(campaign, days=ago)
    campaign.refresh_from_db()
    return campaign, total


def _season(days_ago: int) -> str:
    """The season and year of the day `days_ago` days back, as "autumn 2025" (a campaign's title)."""
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return f"{('winter', 'spring', 'summer', 'autumn')[day.month % 12 // 3]} {day.year}"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _move_back(campaign: Campaign, *, days: int) -> None:
    """Date a campaign made now: a closed one closed `days` back, four weeks after it opened; the open one opened
    ten days ago. Its codes were issued when it opened, its answers (and the codes' use) came in over the weeks."""
    closed = timezone.now() - dt.timedelta(days=days)
    opened = closed - dt.timedelta(days=28) if campaign.closed_at else timezone.now() - dt.timedelta(days=10)
    span = (closed - opened).days
    Campaign.objects.filter(pk=campaign.pk).update(
        opened_at=opened, **({"closes_on": closed.date(), "closed_at": closed} if campaign.closed_at else {}))
    AccessCode.objects.filter(campaign=campaign).update(issued_at=opened)
    for model, field in ((Response, "submitted_on"), (AccessCode, "used_on")):
        rows = model.objects.filter(campaign=campaign)
        ids = list((rows.filter(used_on__isnull=False) if model is AccessCode else rows).values_list("pk", flat=True))
        for day in range(span):
            model.objects.filter(pk__in=ids[day::span]).update(**{field: (opened + dt.timedelta(days=day + 1)).date()})


def _plan(demo: DemoSchool, leader, baseline: Campaign, spec) -> ActionPlan:
    """An action plan in progress built on the baseline campaign: goals, actions linked to Hub practices (one to
    the school's PAR cycle) and progress updates, dated from two weeks after the baseline closed."""
    title, goals = spec
    practices = {p.title: p for p in Practice.objects.filter(status=Practice.Status.ACCEPTED)}
    plan = services_plans.plan_create(user=leader, school=demo.school, title=title, baseline=baseline)
    started = (baseline.closed_at + dt.timedelta(days=14)).date()
    for subdimension, indicator, informant, description, target, actions in goals:
        goal = services_plans.goal_add(user=leader, plan=plan, subdimension=subdimension, indicator=indicator,
                                       informant=informant, description=description, target=target)
        for k, (text, owner, practice, par, status, updates) in enumerate(actions):
            action = services_plans.action_add(
                user=leader, goal=goal, description=text, owner=owner, practice=practices.get(practice or ""),
                par_cycle=_par_cycle(demo.school, leader) if par else None, starts_on=started + dt.timedelta(days=7 * k),
                due_on=started + dt.timedelta(days=120) if status == ActionStatus.DONE  # else not yet due
                else timezone.localdate() + dt.timedelta(days=90 + 30 * k))
            for update in updates:
                services_plans.progress_add(user=leader, action=action, text=update, status=status)
            if status != ActionStatus.PLANNED and not updates:
                services_plans.progress_add(user=leader, action=action, text="Started.", status=status)
    plan = services_plans.plan_status_set(user=leader, plan=plan, status=PlanStatus.ACTIVE)
    ActionPlan.objects.filter(pk=plan.pk).update(created_at=baseline.closed_at + dt.timedelta(days=14))
    updates = list(ProgressUpdate.objects.filter(action__goal__plan=plan).order_by("pk").values_list("pk", flat=True))
    span = max(1, (timezone.now() - baseline.closed_at).days - 21)
    for k, pk in enumerate(updates):  # spread between the plan's start and last week
        ProgressUpdate.objects.filter(pk=pk).update(
            created_at=baseline.closed_at + dt.timedelta(days=21 + span * (k + 1) // (len(updates) + 1)))
    return plan


def _par_cycle(school: School, leader) -> ParCycle:
    """The school's action research cycle (co-creation's demo made one in the demo staff school), else one the
    school leader starts now."""
    cycle = ParCycle.objects.filter(school=school).order_by("pk").first()
    if cycle is None:
        cycle = fieldwork.cycle_start(user=leader, school=school, title="Peer mentors at break time",
                                      goal="No student spends a break alone; bullying reports fall.")
        fieldwork.action_add(user=leader, cycle=cycle, description="Train twelve peer mentors")
        cycle = fieldwork.cycle_advance(user=leader, cycle=cycle)
    return cycle
