"""Red-team pass on the Safe School Label (issue 16): a member who withdraws consent after being eligible, reviews
kept independent (a second reviewer does not read the first one's comments before writing their own), posts
without a CSRF token or with the wrong method, another school's parts posted to an application, a hidden group in
the application's score table, a finished application closed to eligible reviewers who never reviewed it, and
a stranger who joins the network at level (d) does not review until an administrator vets them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval.simulate import simulate_campaign
from safeschool.web.label import selectors, services
from safeschool.web.label.models import Application, Review
from safeschool.web.network import services as network
from safeschool.web.selfeval.models import Campaign, Response
from safeschool.web.selfeval.services import campaign_close

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET_COMMENT = "First reviewer's private remark 7Q"


def apply(w, **change) -> Application:
    fields = dict(user=w.users["staff_own"], school=w.own, level="committed", campaign=w.campaign,
                  action_plan=w.plan, par_cycle=w.cycle, statement="We evaluated ourselves.") | change
    return services.application_submit(**fields)


def review(w, application, role: str, comments: str = "Sound evidence.") -> Review:
    assess = {c.code: "met" for c in selectors.criteria().level(application.level).criteria}
    return services.review_submit(user=w.users[role], application=application, assessments=assess,
                                  recommendation="award", comments=comments)


def signed_in(w, role: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(w.users[role])
    return client


def test_a_member_who_withdraws_consent_can_no_longer_review(w):
    application = apply(w)
    member = w.users["member_d"].member
    assert signed_in(w, "member_d").get(reverse("label:review", args=[application.pk])).status_code == 200
    network.consent_withdraw(member=member, kind="membership")
    w.users["member_d"].refresh_from_db()
    client = signed_in(w, "member_d")
    assert client.get(reverse("label:review", args=[application.pk])).status_code == 403
    assert client.get(reverse("label:application", args=[application.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        review(w, application, "member_d")
    assert not application.reviews.exists()


def test_a_second_reviewer_does_not_read_the_first_review_before_writing_theirs(w):
    application = apply(w)
    review(w, application, "researcher", comments=SECRET_COMMENT)
    client = signed_in(w, "member_c")
    for name in ("label:application", "label:review"):
        assert SECRET_COMMENT not in client.get(reverse(name, args=[application.pk])).content.decode(), name
    school = signed_in(w, "staff_own").get(reverse("label:application", args=[application.pk])).content.decode()
    assert SECRET_COMMENT not in school  # the school reads the decision's reasons, not the reviewers' notes


def test_posts_without_a_csrf_token_are_refused(w):
    application = apply(w)
    assess = {f"criterion_{c.code}": "met" for c in selectors.criteria().level("committed").criteria}
    reviewer = signed_in(w, "researcher", enforce_csrf_checks=True)
    assert reviewer.post(reverse("label:review", args=[application.pk]),
                         assess | {"recommendation": "award", "comments": "ok"}).status_code == 403
    staff = signed_in(w, "staff_own", enforce_csrf_checks=True)
    upload = {"indicator": "written_safeguarding_policy", "description": "Policy",
              "file": SimpleUploadedFile("policy.pdf", PDF)}
    assert staff.post(reverse("label:application", args=[application.pk]), upload).status_code == 403
    assert staff.post(reverse("label:withdraw", args=[application.pk])).status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted" and not application.reviews.exists()
    assert not application.evidence.exists()


def test_withdraw_and_revoke_refuse_get_and_other_users(w):
    application = apply(w)
    staff = signed_in(w, "staff_own")
    assert staff.get(reverse("label:withdraw", args=[application.pk])).status_code == 405
    for role in ("staff_other", "member_c", "researcher"):
        assert signed_in(w, role).post(reverse("label:withdraw", args=[application.pk])).status_code == 403, role
    application.refresh_from_db()
    assert application.status == "submitted"


def test_an_application_cannot_rest_on_another_schools_campaign_plan_or_cycle(w):
    client = signed_in(w, "staff_other")
    response = client.post(reverse("label:apply", args=[w.other.pk]), {
        "level": "committed", "campaign": w.campaign.pk, "action_plan": w.plan.pk, "par_cycle": w.cycle.pk,
        "statement": "Borrowed parts."})
    assert response.status_code == 400 and not Application.objects.filter(school=w.other).exists()


def test_a_hidden_group_has_no_column_in_the_reviewers_score_table(w):
    """Families 5 (below 10): the campaign's stored results hide them, so the application and review pages show no
    Families column and no family score."""
    q = questionnaires.load()
    campaign = Campaign.objects.create(school=w.own, title="Small families", informants=["students", "families"])
    frame = simulate_campaign(q, school=w.own.code, n={"students": 12, "families": 5}, seed=3)
    Response.objects.bulk_create(
        Response(campaign=campaign, informant=row["informant"],
                 answers={c: float(row[c]) for c in q.indicators if c in row and row[c] == row[c]})
        for _, row in frame.iterrows())
    campaign = campaign_close(w.users["staff_own"], campaign)
    assert not any(r["informant"] == "families" and r["score_100"] is not None for r in campaign.results)
    application = apply(w, campaign=campaign)
    client = signed_in(w, "member_c")
    for name in ("label:application", "label:review"):
        page = client.get(reverse(name, args=[application.pk])).content.decode()
        assert '<th scope="col" class="num">Students</th>' in page, name
        assert '<th scope="col" class="num">Families</th>' not in page, name


def test_a_finished_application_is_closed_to_reviewers_who_never_reviewed_it(w):
    application = apply(w)
    evidence = services.evidence_upload(user=w.users["staff_own"], application=application,
                                        indicator="written_safeguarding_policy", description="Policy",
                                        file=SimpleUploadedFile("policy.pdf", PDF))
    services.application_withdraw(user=w.users["staff_own"], application=application)
    client = signed_in(w, "member_d")
    assert client.get(reverse("label:application", args=[application.pk])).status_code in (403, 404)
    assert client.get(reverse("label:evidence", args=[evidence.pk])).status_code in (403, 404)


def test_an_upload_named_with_dot_dots_lands_in_the_label_folder_and_downloads_as_an_attachment(w, settings):
    from pathlib import Path

    application = apply(w)
    polyglot = PDF + b"<html><script>alert(document.cookie)</script></html>"
    evidence = services.evidence_upload(user=w.users["staff_own"], application=application,
                                        indicator="written_safeguarding_policy", description="Policy",
                                        file=SimpleUploadedFile("../../../../settings.pdf", polyglot))
    media = Path(settings.MEDIA_ROOT).resolve()
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(media / "label") and ".." not in evidence.file.name
    response = signed_in(w, "researcher").get(reverse("label:evidence", args=[evidence.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert "/" not in response["Content-Disposition"].split("filename=", 1)[1]
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"


def test_a_stranger_who_just_joined_at_level_d_cannot_review(w):
    application = apply(w)
    stranger = network.member_join(username="sockpuppet", password="pw-long-enough-1", email="s@example.org",
                                   display_name="Sock", stakeholder_type="teacher", country="HR", birth_year=1980,
                                   level="d", consent=True).user
    assert not selectors.has(stranger, "label.review", application)  # the level alone is self-declared
    assert not selectors.has(stranger, "label.view_application", application)
    with pytest.raises(PermissionDenied):  # only an administrator vets reviewers
        services.reviewer_pool_add(user=w.users["staff_own"], reviewer=stranger)
    services.reviewer_pool_add(user=w.users["admin"], reviewer=stranger)
    assert selectors.has(stranger, "label.review", application)
    services.reviewer_pool_remove(user=w.users["admin"], reviewer=stranger)
    assert not selectors.has(stranger, "label.review", application)


def test_only_members_at_level_c_or_d_enter_the_reviewer_pool(w):
    low = network.member_join(username="levelb", password="pw-long-enough-1", email="b@example.org",
                              display_name="B", stakeholder_type="teacher", country="HR", birth_year=1980,
                              level="b", consent=True).user
    with pytest.raises(ValidationError):
        services.reviewer_pool_add(user=w.users["admin"], reviewer=low)
    assert not low.groups.exists()
