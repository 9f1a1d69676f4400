"""The label's pages for every role on every address: the register, criteria and verification are public (an
expired or revoked label is not on the register, and its verification page says which); applications need a
sign-in and the right role; wrong, unknown and non-numeric ids are 404s; hostile uploads and early decisions are
refused on the form with nothing stored; the nav entry is there for everyone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeschool.web.label import services
from safeschool.web.label.models import Application, Award, Evidence

PASSWORD = "pw-long-enough-1"  # the world's (conftest.py)

ROLES = ("anonymous", "member", "member_c", "staff_own", "staff_other", "researcher", "researcher_at_school",
         "admin")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BAD_IDS = ("abc", "0", "-1", "99999", "9" * 30)


@pytest.fixture
def data(w):
    """An open application of the first school (by its staff, one document); the second school holds a current
    label, and had an expired one and a revoked one."""
    application = services.application_submit(user=w.users["staff_own"], school=w.own, level="committed",
                                              campaign=w.campaign, action_plan=w.plan, par_cycle=w.cycle,
                                              statement="We looked at ourselves honestly.")
    evidence = services.evidence_upload(user=w.users["staff_own"], application=application,
                                        indicator="written_safeguarding_policy", description="Policy",
                                        file=SimpleUploadedFile("policy.pdf", PDF))
    today = timezone.localdate()

    def award(code: str, start: dt.date, revoked: bool = False) -> Award:
        done = Application.objects.create(school=w.other, level="safe", campaign=w.other_campaign, statement="x",
                                          status="awarded", decided_level="safe")
        return Award.objects.create(application=done, school=w.other, level="safe", awarded_on=start,
                                    valid_until=start.replace(year=start.year + 2), verification_code=code,
                                    revoked_at=timezone.now() if revoked else None)

    current = award("CURRENTCODE2", today - dt.timedelta(days=30))
    expired = award("EXPIREDCODE2", today - dt.timedelta(days=800))
    revoked = award("REVOKEDCODE2", today - dt.timedelta(days=30), revoked=True)
    return {"application": application, "evidence": evidence, "current": current, "expired": expired,
            "revoked": revoked}


def as_role(client, w, role: str):
    if role != "anonymous":
        assert client.login(username=w.users[role].username, password=PASSWORD)
    return client


def statuses(client, w, url: str, roles=ROLES) -> dict:
    out = {}
    for role in roles:
        client.logout()
        response = as_role(client, w, role).get(url)
        out[role] = response.status_code
        if response.status_code == 302:
            assert reverse("accounts:login") in response["Location"], (role, url)
    return out


def expect(allowed: set[str], refused: int = 403) -> dict:
    return {r: 200 if r in allowed else 302 if r == "anonymous" else refused for r in ROLES}


def test_the_public_pages_for_everyone(client, w, data):
    for name in ("label:register", "label:criteria", "label:verify"):
        assert set(statuses(client, w, reverse(name)).values()) == {200}, name
    client.logout()
    page = client.get(reverse("label:register")).content.decode()
    assert w.other.name in page and "CURRENTCODE2" in page
    assert w.own.name not in page  # an application is not a label
    assert page.count("CODE2") == 1  # the expired and the revoked label are not listed
    assert reverse("label:register") in page  # the nav entry


def test_the_register_filters_by_country_and_level(client, w, data):
    assert w.other.name in client.get(reverse("label:register"), {"country": "HR", "level": "safe"}).content.decode()
    assert w.other.name not in client.get(reverse("label:register"), {"level": "exemplary"}).content.decode()
    assert client.get(reverse("label:register"), {"country": "<script>"}).status_code == 400


@pytest.mark.parametrize(("code", "word"), [("CURRENTCODE2", "Valid."), ("EXPIREDCODE2", "Expired."),
                                            ("REVOKEDCODE2", "Revoked."), ("NOSUCHCODE22", "Unknown code."),
                                            ("x", "Unknown code.")])
def test_verification_says_valid_expired_revoked_or_unknown(client, w, data, code, word):
    page = client.get(reverse("label:verify_code", args=[code])).content.decode()
    assert word in page
    others = {"Valid.", "Expired.", "Revoked.", "Unknown code."} - {word}
    assert not any(o in page for o in others)
    if word != "Valid.":
        assert "certificate.pdf" not in page and "Complaint" not in page


def test_the_verify_form_goes_to_the_code_page(client, w, data):
    response = client.get(reverse("label:verify"), {"code": "curr-entc-ode2"})
    assert response.status_code == 302 and response["Location"] == reverse("label:verify_code",
                                                                           args=["CURRENTCODE2"])


def test_certificates_current_for_all_expired_only_for_the_school_and_admins(client, w, data):
    current = statuses(client, w, reverse("label:certificate", args=[data["current"].pk]),
                       roles=("anonymous", "member", "staff_own"))  # each PDF takes a moment: three roles
    assert set(current.values()) == {200}
    expired = statuses(client, w, reverse("label:certificate", args=[data["expired"].pk]))
    assert expired == {r: 200 if r in {"staff_other", "admin"} else 404 for r in ROLES}
    client.logout()
    response = client.get(reverse("label:certificate", args=[data["current"].pk]))
    assert response["Content-Type"] == "application/pdf"
    for bad in BAD_IDS:
        assert client.get(reverse("label:certificate", args=[bad])).status_code == 404


def test_apply_page_per_role(client, w, data):
    assert statuses(client, w, reverse("label:apply", args=[w.own.pk])) == expect({"staff_own"})
    assert statuses(client, w, reverse("label:apply", args=[w.other.pk])) == expect({"staff_other"})


def test_application_pages_per_role(client, w, data):
    pk = data["application"].pk
    readers = {"staff_own", "researcher", "member_c", "admin"}
    assert statuses(client, w, reverse("label:applications")) == expect(set(ROLES) - {"anonymous"})
    assert statuses(client, w, reverse("label:application", args=[pk])) == expect(readers)
    assert statuses(client, w, reverse("label:evidence", args=[data["evidence"].pk])) == expect(readers)
    assert statuses(client, w, reverse("label:review", args=[pk])) == expect({"researcher", "member_c"})
    assert statuses(client, w, reverse("label:decide", args=[pk])) == expect({"admin"})
    # a reviewer reads the campaign's dimension scores per shown group on the application and the review form
    client.logout()
    as_role(client, w, "member_c")
    for name in ("label:application", "label:review"):
        page = client.get(reverse(name, args=[pk])).content.decode()
        assert "Safe Learning" in page and "<th scope=\"col\" class=\"num\">Families</th>" in page, name


def test_the_application_list_per_role(client, w, data):
    school = w.own.name
    for role, sees in (("staff_own", True), ("staff_other", False), ("researcher", True), ("member_c", True),
                       ("researcher_at_school", False), ("member", False), ("admin", True)):
        client.logout()
        page = as_role(client, w, role).get(reverse("label:applications")).content.decode()
        assert (f">{school}</a>" in page) is sees, role


@pytest.mark.parametrize("role", ["staff_own", "admin", "researcher"])
def test_wrong_and_non_numeric_ids_are_404(client, w, data, role):
    as_role(client, w, role)
    for bad in BAD_IDS:
        for name in ("label:apply", "label:application", "label:review", "label:decide", "label:evidence"):
            assert client.get(reverse(name, args=[bad])).status_code == 404, (name, bad)


def test_a_hostile_upload_on_the_page_is_a_form_error_and_nothing_is_stored(client, w, data):
    as_role(client, w, "staff_own")
    url = reverse("label:application", args=[data["application"].pk])
    for name, content in (("policy.pdf", b"<html><body>not a pdf</body></html>"),
                          ("policy.exe", b"MZ\x90\x00"), ("big.pdf", PDF + b" " * (10 * 1024 * 1024 + 1))):
        response = client.post(url, {"indicator": "anti_bullying_programme", "description": "Plan",
                                     "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 400, name
        assert 'class="error"' in response.content.decode(), name
    assert Evidence.objects.count() == 1


def test_a_decision_on_the_page_needs_two_reviews(client, w, data):
    as_role(client, w, "admin")
    url = reverse("label:decide", args=[data["application"].pk])
    response = client.post(url, {"decision": "award", "level": "committed", "reasons": "Fine."})
    assert response.status_code == 400 and "two reviews" in response.content.decode()
    assert not Award.objects.filter(application=data["application"]).exists()


def test_review_then_decide_through_the_pages(client, w, data):
    application = data["application"]
    criteria = {f"criterion_{c}": "met" for c in ("recent_campaign", "voices_heard", "plan_in_progress")}
    for role in ("researcher", "member_c"):
        client.logout()
        as_role(client, w, role)
        response = client.post(reverse("label:review", args=[application.pk]),
                               {**criteria, "recommendation": "award", "comments": "Sound."})
        assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    as_role(client, w, "researcher_2")
    assert client.get(reverse("label:review", args=[application.pk])).status_code == 200  # may see, not review
    response = client.post(reverse("label:review", args=[application.pk]),
                           {**criteria, "recommendation": "award", "comments": "Third."})
    assert response.status_code == 400 and application.reviews.count() == 2
    client.logout()
    as_role(client, w, "admin")
    response = client.post(reverse("label:decide", args=[application.pk]),
                           {"decision": "award", "level": "committed", "reasons": "Both reviewers agree."})
    assert response.status_code == 302
    made = Award.objects.get(application=application)
    client.logout()
    assert w.own.name in client.get(reverse("label:register")).content.decode()
    assert client.get(reverse("label:verify_code", args=[made.verification_code])).status_code == 200
