"""Red-team pass on self-evaluation (issue 16): what an attacker or a careless respondent sends to the answering
flow (non-finite and huge numbers, lists, keys of another group's questions, a replayed token, a closed campaign's
code, a body over the size limit, requests without a CSRF token or with the wrong method) and what the staff of
another school can reach by changing an id in an action-plan address. Each test asserts what the attack would
break: a 500, a stored answer, a second response from one code, a write to another school's plan."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Programme
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import services
from safeschool.web.selfeval.models import AccessCode, Action, ActionPlan, Goal, Response

Q = questionnaires.load()


def asked(informant: str, kind: str) -> list[str]:
    return [c for c, i in Q.indicators.items() if informant in i.informants and i.type == kind]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="LV", name="Latvia", tracking_age=15, grade_repetition_pct=1.0,
                                         esl_rate_pct=4.0, esl_support=True, inclusion_index=0.6)
        a, b = (School.objects.create(code=code, name=f"School {code}", country=country, stage="primary",
                                      context="rural", ses_composition=0.1) for code in ("RTA", "RTB"))
        users = {"staff_a": user_create(username="rt-sa", password=None, role=Role.STAFF),
                 "staff_b": user_create(username="rt-sb", password=None, role=Role.STAFF)}
        staff_appoint(user=users["staff_a"], school=a)
        staff_appoint(user=users["staff_b"], school=b)
        campaign = services.campaign_open(users["staff_a"], a, "Red team", ["leaders", "students"], None)
        closed = services.campaign_open(users["staff_a"], a, "Closed", ["students"], None)
        closed_code = services.codes_issue(users["staff_a"], closed, "students", 1)[0]
        services.campaign_close(users["staff_a"], closed)
        plan_b = ActionPlan.objects.create(school=b, title="B's plan", created_by=users["staff_b"])
        goal_b = Goal.objects.create(plan=plan_b, subdimension="safe_learner", indicator="learners_feel_safe",
                                     informant="students", description="B's goal")
        plan_a = ActionPlan.objects.create(school=a, title="A's plan", created_by=users["staff_a"])
        goal_a = Goal.objects.create(plan=plan_a, subdimension="safe_learner", indicator="learners_feel_safe",
                                     informant="students", description="A's goal")
        cycle_b = ParCycle.objects.create(school=b, title="B's cycle", goal="Belonging")
        programme = Programme.objects.create(title="A programme", country="LV", level="relational", tier="strong")
        yield SimpleNamespace(users=users, a=a, b=b, campaign=campaign, closed_code=closed_code, plan_a=plan_a,
                              goal_a=goal_a, plan_b=plan_b, goal_b=goal_b, cycle_b=cycle_b, programme=programme)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    cache.clear()
    return world


def code_for(w, informant: str = "students") -> str:
    return services.codes_issue(w.users["staff_a"], w.campaign, informant, 1)[0]


def token_for(client, code: str) -> str:
    html = client.post(reverse("selfeval:answer"), {"code": code}).content.decode()
    return html.split('name="token" value="', 1)[1].split('"', 1)[0]


# --- answers outside scale and type -------------------------------------------------------------------------

NON_FINITE = ["Infinity", "inf", "-inf", "NaN", "1e400", "9" * 400]


@pytest.mark.parametrize("value", NON_FINITE)
def test_a_non_finite_or_huge_likert_answer_is_refused_not_a_crash(w, value):
    likert = asked("students", "likert")[0]
    with pytest.raises(ValidationError) as err:
        services.answers_clean({likert: value}, Q, "students")
    assert list(err.value.message_dict) == [likert]


@pytest.mark.parametrize("value", [10 ** 400, [3], {"x": 3}, float("inf"), float("nan"), "3; DROP TABLE"],
                         ids=["huge-int", "list", "dict", "inf", "nan", "sql"])
def test_answers_of_the_wrong_python_type_are_refused(w, value):
    """What a bulk caller (demo, CLI, a future JSON endpoint) might pass: never an uncaught error."""
    for kind in ("likert", "yes_no"):
        code = asked("students", kind)[0]
        with pytest.raises(ValidationError):
            services.answers_clean({code: value}, Q, "students")
    figure = asked("leaders", "figure")[0]
    with pytest.raises(ValidationError):
        services.answers_clean({figure: value}, Q, "leaders")


@pytest.mark.parametrize("value", ["Infinity", "1e400"])
def test_the_answer_page_refuses_infinity_with_400_and_keeps_the_code(w, client, value):
    code = code_for(w)
    token = token_for(client, code)
    likert = asked("students", "likert")[0]
    response = client.post(reverse("selfeval:answer_send"), {"token": token, likert: value})
    assert response.status_code == 400 and "Question 1:" in response.content.decode()
    assert AccessCode.objects.get(code_hash=services.code_hash(code)).used_on is None
    assert not Response.objects.filter(campaign=w.campaign).exists()


def test_a_students_code_cannot_answer_the_leaders_questions(w, client):
    """Keys of another group's questions (and unknown keys) posted with a student's token are not stored."""
    code = code_for(w, "students")
    token = token_for(client, code)
    figure, likert = asked("leaders", "figure")[0], asked("students", "likert")[0]
    sent = client.post(reverse("selfeval:answer_send"), {"token": token, likert: "4", figure: "50",
                                                         "school": "RTB", "informant": "leaders", "__proto__": "1"})
    assert sent.status_code == 302
    stored = Response.objects.get(campaign=w.campaign)
    assert stored.informant == "students" and stored.answers == {likert: 4}


def test_a_token_replayed_after_use_records_nothing_more(w, client):
    code = code_for(w)
    token = token_for(client, code)
    likert = asked("students", "likert")[0]
    assert client.post(reverse("selfeval:answer_send"), {"token": token, likert: "2"}).status_code == 302
    other = Client()  # another browser with the same token (a shared phone, a copied form)
    replay = other.post(reverse("selfeval:answer_send"), {"token": token, likert: "5"})
    assert replay.status_code == 400 and "cannot be used" in replay.content.decode()
    assert [r.answers for r in Response.objects.filter(campaign=w.campaign)] == [{likert: 2}]


def test_a_forged_token_for_a_known_code_is_refused(w, client):
    code = code_for(w)
    likert = asked("students", "likert")[0]
    forged = client.post(reverse("selfeval:answer_send"), {"token": services.code_normalise(code), likert: "2"})
    assert forged.status_code == 400 and not Response.objects.filter(campaign=w.campaign).exists()


def test_a_closed_campaigns_code_does_not_open_the_questions(w, client):
    response = client.post(reverse("selfeval:answer"), {"code": w.closed_code})
    assert response.status_code == 400 and 'name="token"' not in response.content.decode()


def test_a_body_over_the_upload_limit_is_a_400_not_a_crash(w, client):
    token = token_for(client, code_for(w))
    response = client.post(reverse("selfeval:answer_send"), {"token": token, "padding": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 400
    assert not Response.objects.filter(campaign=w.campaign).exists()


# --- methods and CSRF ---------------------------------------------------------------------------------------

def test_posts_without_a_csrf_token_are_refused(w):
    client = Client(enforce_csrf_checks=True)
    code = code_for(w)
    assert client.post(reverse("selfeval:answer"), {"code": code}).status_code == 403
    client.force_login(w.users["staff_a"])
    pk = w.campaign.pk
    assert client.post(reverse("selfeval:codes", args=[pk]), {"informant": "students", "count": 5}).status_code == 403
    assert client.post(reverse("selfeval:close", args=[pk])).status_code == 403
    assert client.post(reverse("selfeval:plan_status", args=[w.plan_a.pk]), {"status": "active"}).status_code == 403
    assert AccessCode.objects.filter(campaign=w.campaign).count() == 1
    w.campaign.refresh_from_db()
    assert w.campaign.closed_at is None


def test_get_where_only_post_is_expected_changes_nothing(w, client):
    client.force_login(w.users["staff_a"])
    for name, pk in (("codes", w.campaign.pk), ("close", w.campaign.pk), ("plan_status", w.plan_a.pk)):
        assert client.get(reverse(f"selfeval:{name}", args=[pk])).status_code == 405, name
    w.campaign.refresh_from_db()
    assert w.campaign.closed_at is None and not AccessCode.objects.filter(campaign=w.campaign).exists()


# --- IDOR on action plans -----------------------------------------------------------------------------------

def test_staff_cannot_write_to_another_schools_plan_by_changing_the_id(w, client):
    client.force_login(w.users["staff_a"])
    goal = {"subdimension": "safe_learner", "indicator": "learners_feel_safe", "informant": "students",
            "description": "planted", "target": "80"}
    assert client.post(reverse("selfeval:plan_goal_new", args=[w.plan_b.pk]), goal).status_code == 403
    action = {"description": "planted", "owner": "head", "programme": w.programme.pk, "status": "planned"}
    assert client.post(reverse("selfeval:plan_action_new", args=[w.goal_b.pk]), action).status_code == 403
    assert client.post(reverse("selfeval:plan_status", args=[w.plan_b.pk]), {"status": "active"}).status_code == 403
    assert not Goal.objects.filter(description="planted").exists()
    assert not Action.objects.filter(description="planted").exists()
    w.plan_b.refresh_from_db()
    assert w.plan_b.status == "draft"


def test_an_action_cannot_link_another_schools_par_cycle(w, client):
    client.force_login(w.users["staff_a"])
    action = {"description": "planted", "owner": "head", "programme": w.programme.pk, "status": "planned",
              "par_cycle": w.cycle_b.pk}
    response = client.post(reverse("selfeval:plan_action_new", args=[w.goal_a.pk]), action)
    assert response.status_code == 400 and not Action.objects.filter(description="planted").exists()


def test_a_plans_baseline_cannot_be_another_schools_campaign(w, client):
    client.force_login(w.users["staff_b"])
    response = client.post(reverse("selfeval:plan_new", args=[w.b.pk]),
                           {"title": "Borrowed baseline", "baseline": w.campaign.pk})
    assert response.status_code == 400 and not ActionPlan.objects.filter(title="Borrowed baseline").exists()


# --- disclosure by subtraction: a hidden group's (or a hidden indicator's) answers change nothing shown --------

def _without_groups(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "groups"}


def _vary(frame, mask, low: bool):
    """The same respondents with the masked cells' Likert answers pushed to one end of the scale."""
    out = frame.copy()
    for code, ind in Q.indicators.items():
        if ind.type == "likert" and code in out:
            answered = mask & out[code].notna()
            out.loc[answered, code] = ind.scale[0] if low else ind.scale[1]
    return out


def test_a_hidden_groups_answers_change_nothing_in_the_report_the_results_or_the_recommendations():
    """Families 9 (below 10) next to shown students, teachers and leaders: whatever the families answered, every
    score, gap, strength, priority, change, reliability, stored result row and recommendation is the same, so no
    difference between two reports (or a report and its parts) gives their answers away."""
    from safeschool.selfeval import recommend, report
    from safeschool.selfeval.simulate import simulate_campaign

    frame = simulate_campaign(Q, school="RTA", n={"leaders": 2, "teachers": 12, "students": 15, "families": 9},
                              seed=5)
    families = frame["informant"] == "families"
    previous = report.results_rows(simulate_campaign(Q, school="RTA", n={"students": 12, "families": 4}, seed=6), Q)
    low, high = (report.school_report(_vary(frame, families, flag), Q, previous=previous) for flag in (True, False))
    assert {g["informant"]: g["n"] for g in low["groups"]}["families"] is None
    assert _without_groups(low) == _without_groups(high)
    assert not any(r["informant"] == "families" for key in ("scores", "comparison", "change", "reliability")
                   for r in low[key])
    rows = [report.results_rows(_vary(frame, families, flag), Q) for flag in (True, False)]
    assert rows[0] == rows[1]
    assert all(r["score"] is None and r["n"] is None for r in rows[0] if r["informant"] == "families")
    catalogue = {"programmes": [], "practices": [], "policies": [], "documents": []}
    assert (recommend.recommend(low, Q, catalogue, stage="primary", country="LV")
            == recommend.recommend(high, Q, catalogue, stage="primary", country="LV"))


def test_an_indicator_answered_by_fewer_than_ten_of_a_shown_group_changes_nothing_shown():
    """Students 15 (shown) of whom only 6 answered one indicator: that indicator is hidden, and its subdimension's
    and dimension's scores do not move whatever those 6 answered."""
    from safeschool.selfeval import report
    from safeschool.selfeval.simulate import simulate_campaign

    frame = simulate_campaign(Q, school="RTA", n={"students": 15}, seed=7)
    code = asked("students", "likert")[0]
    frame.loc[frame.index[6:], code] = float("nan")
    few = frame[code].notna()
    only = frame.copy()
    only.loc[:, [c for c in Q.indicators if c != code]] = float("nan")  # nothing else varies

    def varied(flag):
        out = frame.copy()
        out.loc[few, code] = _vary(only, few, flag).loc[few, code]
        return report.school_report(out, Q)

    low, high = varied(True), varied(False)
    assert low == high
    assert not any(r["code"] == code and r["score"] is not None for r in low["scores"])


# --- stored markup ------------------------------------------------------------------------------------------

XSS = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_typed_by_staff_is_shown_as_text_on_every_page(w, client):
    from safeschool.web.selfeval import services_plans

    staff = w.users["staff_a"]
    campaign = services.campaign_open(staff, w.a, "Title " + XSS, ["students"], None)
    campaign = services.campaign_close(staff, campaign)
    plan = services_plans.plan_create(user=staff, school=w.a, title="Plan " + XSS, baseline=campaign)
    goal = services_plans.goal_add(user=staff, plan=plan, subdimension="safe_learner",
                                   indicator="learners_feel_safe", informant="students", description="Goal " + XSS)
    action = services_plans.action_add(user=staff, goal=goal, description="Action " + XSS, owner="Owner " + XSS,
                                       programme=w.programme)
    services_plans.progress_add(user=staff, action=action, text="Progress " + XSS, status="in_progress")
    client.force_login(staff)
    pages = [reverse("selfeval:campaign", args=[campaign.pk]), reverse("selfeval:report", args=[campaign.pk]),
             reverse("selfeval:recommendations", args=[campaign.pk]), reverse("selfeval:school", args=[w.a.pk]),
             reverse("selfeval:home"), reverse("selfeval:plans", args=[w.a.pk]), reverse("selfeval:plan", args=[plan.pk])]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "<script>alert" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;alert" in client.get(reverse("selfeval:plan", args=[plan.pk])).content.decode()
