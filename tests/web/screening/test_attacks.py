"""The screening pages attacked: wrong and hostile ids and pseudonyms are 404 (never a 500, never echoed), actions
need POST, CSRF and the right role, and a refused or invalid request leaves the database as it was."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safeschool.web.screening.models import FollowUp, ModelApproval, RiskModel, ScoringRun, SupportCapacity

ROLES = ("anonymous", "member", "staff_a", "staff_b", "researcher", "admin")
HOSTILE_PSEUDONYMS = ["..", "../", "..%2F..%2Fetc", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "a" * 10_000, "%00",
                      "abc'--", "0" * 20, "é" * 20]


WRONG = ["/screening/schools/999999/", "/screening/schools/abc/", "/screening/schools/-1/",
         "/screening/schools/99999999999999999999/", "/screening/schools/999999/capacity/",
         "/screening/models/999999/", "/screening/models/abc/", "/screening/models/999999/card/",
         "/screening/models/999999/card.md", "/screening/models/1e3/", "/screening/follow-ups/abc/done/"]


@pytest.mark.parametrize("role", ROLES)
def test_wrong_ids_are_not_found(login, role):
    client = login(role)
    for path in WRONG:
        response = client.get(path)
        if role == "anonymous":
            assert response.status_code in (302, 404), path
        elif role in ("researcher", "admin") or "/schools/" in path and role.startswith("staff"):
            assert response.status_code in (404, 405), (path, response.status_code)  # 405: a POST-only address
        else:
            assert response.status_code in (403, 404, 405), (path, response.status_code)
        assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize("role", ["staff_a", "researcher"])
def test_hostile_pseudonyms_are_not_found(login, role):
    client = login(role)
    for pseudonym in HOSTILE_PSEUDONYMS:
        for path in (f"/screening/students/{pseudonym}/", f"/screening/students/{pseudonym}/follow-ups/"):
            response = client.post(path, {"who_acts": "x", "action": "y", "review_on": "2030-01-01"}) \
                if path.endswith("follow-ups/") else client.get(path)
            assert response.status_code == 404, (path[:60], response.status_code)
            assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize("name", ["approve", "publish", "retire", "score"])
def test_actions_refuse_get(login, pages, name):
    response = login("researcher").get(reverse(f"screening:{name}", args=[pages.draft.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("role", ["member", "staff_a", "staff_b"])
@pytest.mark.parametrize("name", ["approve", "publish", "retire", "score"])
def test_actions_need_the_right_role(login, pages, role, name):
    before = (ModelApproval.objects.count(), ScoringRun.objects.count(),
              list(RiskModel.objects.order_by("pk").values_list("status", flat=True)))
    response = login(role).post(reverse(f"screening:{name}", args=[pages.model.pk]))
    assert response.status_code == 403
    assert before == (ModelApproval.objects.count(), ScoringRun.objects.count(),
                      list(RiskModel.objects.order_by("pk").values_list("status", flat=True)))


def test_actions_need_csrf(pages):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pages.users["researcher"])
    assert client.post(reverse("screening:retire", args=[pages.model.pk])).status_code == 403
    assert RiskModel.objects.get(pk=pages.model.pk).status == "published"


def test_one_person_cannot_give_both_approvals(login, pages):
    client = login("researcher")
    client.post(reverse("screening:approve", args=[pages.draft.pk]))
    client.post(reverse("screening:approve", args=[pages.draft.pk]))
    assert ModelApproval.objects.filter(model=pages.draft).count() == 1
    client.post(reverse("screening:publish", args=[pages.draft.pk]))
    assert RiskModel.objects.get(pk=pages.draft.pk).status == "draft"


def test_staff_of_another_school_change_nothing(login, pages):
    client = login("staff_b")
    before = FollowUp.objects.count()
    response = client.post(reverse("screening:follow_up", args=[pages.student_a.pseudonym]),
                           {"who_acts": "x", "action": "y", "review_on": "2030-01-01"})
    assert response.status_code == 403 and FollowUp.objects.count() == before
    response = client.post(reverse("screening:capacity", args=[pages.school_a.pk]), {"share": "0.3"})
    assert response.status_code == 403 and not SupportCapacity.objects.filter(school=pages.school_a).exists()
    follow_up = FollowUp.objects.get(student=pages.student_a)
    assert client.post(reverse("screening:follow_up_close", args=[follow_up.pk])).status_code == 403
    assert FollowUp.objects.get(pk=follow_up.pk).status == "open"
    assert client.post(reverse("screening:follow_up_close", args=[999999])).status_code == 404


def test_hostile_follow_up_text_is_shown_as_text(login, pages):
    client = login("staff_a")
    client.post(reverse("screening:follow_up", args=[pages.student_a.pseudonym]), {
        "who_acts": "<script>alert(1)</script>", "action": "<img src=x onerror=alert(1)>", "review_on": "2030-01-01"})
    page = client.get(reverse("screening:student", args=[pages.student_a.pseudonym])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "<img src=x" not in page


@pytest.mark.parametrize("data", [{"share": ""}, {"share": "1e400"}, {"share": "nan"}, {"share": "-0.1"},
                                  {"share": "0.1" * 100}, {"share": ["0.1", "0.9"]}])
def test_hostile_capacities_change_nothing(login, pages, data):
    response = login("staff_a").post(reverse("screening:capacity", args=[pages.school_a.pk]), data)
    assert response.status_code in (302, 400)
    share = SupportCapacity.objects.filter(school=pages.school_a).values_list("share", flat=True).first()
    assert share is None or 0 < share <= 1


@pytest.mark.parametrize("data", [{"practice": "999999"}, {"practice": "abc"}, {"who_acts": "x" * 5000},
                                  {"review_on": "99999-01-01"}, {"review_on": ""}])
def test_hostile_follow_ups_change_nothing(login, pages, data):
    before = FollowUp.objects.count()
    response = login("staff_a").post(reverse("screening:follow_up", args=[pages.student_a.pseudonym]), {
        "who_acts": "Counsellor", "action": "Talk", "review_on": "2030-01-01"} | data)
    assert response.status_code == 400 and FollowUp.objects.count() == before
