"""The label's services and selectors: applying stores the checked criteria, reviewer eligibility (never from the
school, never the applicant; researchers and members at (c)/(d) with consent), two reviews then a third refused,
a decision only after two reviews and never above the level applied for, the register and verification when an
award expires or is revoked, hostile uploads refused with nothing stored, the certificate, the reminder once."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeschool.web.accounts.models import Profile
from safeschool.web.label import selectors, services
from safeschool.web.label.certificate import certificate_pdf
from safeschool.web.label.models import Application, Award, Evidence
from safeschool.web.research.models import StaffAppointment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def apply(w, level: str = "committed", **change) -> Application:
    fields = dict(user=w.users["staff_own"], school=w.own, level=level, campaign=w.campaign, action_plan=w.plan,
                  par_cycle=w.cycle, statement="We evaluated ourselves and made a plan.") | change
    return services.application_submit(**fields)


def review(w, application, role: str, recommendation: str = "award"):
    assess = {c.code: "met" for c in selectors.criteria().level(application.level).criteria}
    return services.review_submit(user=w.users[role], application=application, assessments=assess,
                                  recommendation=recommendation, comments="Sound evidence.")


def award(w, level: str = "committed", today=None) -> Award:
    application = apply(w, level)
    review(w, application, "researcher")
    review(w, application, "member_c")
    services.application_decide(user=w.users["admin"], application=application, award=True, level=level,
                                reasons="Both reviewers agree.", today=today)
    return Award.objects.get(application=application)


def test_applying_stores_the_checked_criteria_of_the_level(w):
    application = apply(w)
    results = {r["code"]: r["met"] for r in application.checks["results"]}
    assert application.checks["level"] == "committed" and application.checks["criteria_version"] == 1
    assert results == {"recent_campaign": True, "voices_heard": True, "plan_in_progress": True}
    assert application.status == "submitted" and application.submitted_by == w.users["staff_own"]


def test_only_the_schools_staff_apply_and_only_with_its_own_closed_campaign(w):
    for role in ("staff_other", "researcher", "admin", "member_c"):
        with pytest.raises(PermissionDenied):
            apply(w, user=w.users[role])
    with pytest.raises(ValidationError) as exc:
        apply(w, campaign=w.other_campaign)
    assert "campaign" in exc.value.message_dict
    assert not Application.objects.exists()


def test_one_open_application_per_school(w):
    apply(w)
    with pytest.raises(ValidationError, match="already has an application"):
        apply(w, "safe")


@pytest.mark.parametrize("role", ["researcher", "member_c", "member_d"])
def test_eligible_reviewers_review(w, role):
    application = apply(w)
    review(w, application, role)
    application.refresh_from_db()
    assert application.status == "under_review" and application.reviews.get().reviewer == w.users[role]


@pytest.mark.parametrize("role", ["researcher_at_school", "staff_own", "staff_other", "member", "member_b",
                                  "member_c_no_consent", "admin"])
def test_others_cannot_review_and_nothing_is_stored(w, role):
    application = apply(w)
    with pytest.raises(PermissionDenied):
        review(w, application, role)
    assert not application.reviews.exists()


def test_the_applicant_cannot_review_even_after_leaving_the_school(w):
    applicant = w.users["member_c"]  # a member at level (c), who is also staff of the school
    applicant.profile.role = "staff"
    applicant.profile.save()
    StaffAppointment.objects.create(user=applicant, school=w.own)
    application = apply(w, user=applicant)
    StaffAppointment.objects.filter(user=applicant).delete()
    with pytest.raises(PermissionDenied):
        review(w, application, "member_c")
    assert not application.reviews.exists()


def test_two_different_reviewers_then_a_third_is_refused(w):
    application = apply(w)
    review(w, application, "researcher")
    with pytest.raises(ValidationError, match="already reviewed"):
        review(w, application, "researcher")
    review(w, application, "member_c")
    with pytest.raises(ValidationError, match="two reviews"):
        review(w, application, "researcher_2")
    assert application.reviews.count() == 2


def test_every_criterion_must_be_assessed(w):
    application = apply(w)
    with pytest.raises(ValidationError):
        services.review_submit(user=w.users["researcher"], application=application,
                               assessments={"recent_campaign": "met"}, recommendation="award", comments="x")
    assert not application.reviews.exists()


def test_a_decision_needs_two_reviews_and_an_administrator(w):
    application = apply(w, "safe")
    decide = dict(application=application, award=True, level="safe", reasons="Sound.")
    with pytest.raises(ValidationError, match="two reviews"):
        services.application_decide(user=w.users["admin"], **decide)
    review(w, application, "researcher")
    with pytest.raises(ValidationError, match="two reviews"):
        services.application_decide(user=w.users["admin"], **decide)
    review(w, application, "member_d")
    with pytest.raises(PermissionDenied):
        services.application_decide(user=w.users["researcher"], **decide)
    with pytest.raises(ValidationError):  # above the level applied for
        services.application_decide(user=w.users["admin"], **(decide | {"level": "exemplary"}))
    assert not Award.objects.exists()
    services.application_decide(user=w.users["admin"], **(decide | {"level": "committed"}))  # a lower level
    made = Award.objects.get()
    assert made.level == "committed" and re.fullmatch(r"[A-Z2-9]{12}", made.verification_code)
    today = timezone.localdate()
    assert made.awarded_on == today and made.valid_until == today.replace(year=today.year + 2)
    application.refresh_from_db()
    assert application.status == "awarded" and application.decided_level == "committed"


def test_a_refusal_makes_no_award(w):
    application = apply(w)
    review(w, application, "researcher", "refuse")
    review(w, application, "member_c", "refuse")
    services.application_decide(user=w.users["admin"], application=application, award=False, reasons="Not yet.")
    application.refresh_from_db()
    assert application.status == "refused" and not Award.objects.exists()


def test_an_expired_label_leaves_the_register_and_verifies_as_expired(w):
    made = award(w, today=dt.date(2020, 3, 1))
    assert list(selectors.register(today=dt.date(2022, 3, 1))) == [made]
    assert selectors.verification(made.verification_code, today=dt.date(2022, 3, 1))[0] == "valid"
    assert list(selectors.register(today=dt.date(2022, 3, 2))) == []
    assert selectors.verification(made.verification_code, today=dt.date(2022, 3, 2)) == ("expired", made)


def test_a_revoked_label_leaves_the_register_and_verifies_as_revoked(w):
    made = award(w)
    code = made.verification_code
    assert selectors.verification(code.lower()[:4] + "-" + code[4:])[0] == "valid"  # as typed from paper
    with pytest.raises(PermissionDenied):
        services.award_revoke(user=w.users["researcher"], award=made, reason="x")
    services.award_revoke(user=w.users["admin"], award=made, reason="Complaint upheld.")
    assert list(selectors.register()) == []
    assert selectors.verification(code)[0] == "revoked"
    assert selectors.verification("ABCDEFGHJKLM") == ("unknown", None)
    assert selectors.verification("") == ("unknown", None)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "error"), [
    ("policy.pdf", b"<!doctype html><html><script>alert(1)</script></html>", "not a PDF"),
    ("policy.png", PDF, "not a PNG"),
    ("policy.docx", b"PK\x03\x04 not really a zip", "not a DOCX"),
    ("policy.odt", _docx(), "not a ODT"),
    ("policy.html", b"<html></html>", "one of these types"),
    ("policy.pdf", PDF + b"0" * (10 * 1024 * 1024), "limit is 10 MB"),
    ("policy.pdf", b"", "empty"),
])
def test_hostile_uploads_are_refused_and_nothing_is_stored(w, settings, name, content, error):
    application = apply(w, "safe")
    before = application.checks
    media = Path(settings.MEDIA_ROOT)
    files = set(media.rglob("*"))
    with pytest.raises(ValidationError, match=error):
        services.evidence_upload(user=w.users["staff_own"], application=application,
                                 indicator="written_safeguarding_policy", description="Our policy",
                                 file=SimpleUploadedFile(name, content))
    assert not Evidence.objects.exists()
    assert set(media.rglob("*")) == files
    application.refresh_from_db()
    assert application.checks == before


def test_evidence_is_stored_and_the_criteria_checked_again(w):
    application = apply(w, "safe")
    services.evidence_upload(user=w.users["staff_own"], application=application, indicator="student_council",
                             description="Minutes", file=SimpleUploadedFile("minutes.docx", _docx()))
    services.evidence_upload(user=w.users["staff_own"], application=application,
                             indicator="written_safeguarding_policy", description="Our policy",
                             file=SimpleUploadedFile("policy.pdf", PDF))
    assert sorted(application.evidence.values_list("indicator", flat=True)) == ["student_council",
                                                                                 "written_safeguarding_policy"]
    application.refresh_from_db()
    key = next(r for r in application.checks["results"] if r["code"] == "key_practices")
    assert "written_safeguarding_policy" not in key["values"].get("undocumented", [])
    with pytest.raises(PermissionDenied):
        services.evidence_upload(user=w.users["staff_other"], application=application,
                                 indicator="student_council", description="x",
                                 file=SimpleUploadedFile("x.pdf", PDF))


def _text(pdf: bytes) -> bytes:
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(match.group(1)))
    return b"".join(parts)


def test_the_certificate_carries_the_code_and_the_verification_address(w):
    made = award(w)
    url = f"https://example.org/label/verify/{made.verification_code}/"
    pdf = certificate_pdf(made, url)
    assert pdf.startswith(b"%PDF")
    assert url.encode() in _text(pdf)


def test_the_renewal_reminder_is_sent_once_90_days_before_in_the_recipients_language(w):
    made = award(w, today=dt.date(2024, 9, 1))  # valid until 2026-09-01
    Profile.objects.filter(user=w.users["staff_own"]).update(language="es")
    assert services.label_reminders_send(dt.date(2026, 6, 2)) == 0  # 91 days before
    # everyone appointed at the school: its staff member and the researcher who works there
    assert services.label_reminders_send(dt.date(2026, 6, 3)) == 2
    assert services.label_reminders_send(dt.date(2026, 6, 4)) == 0
    sent = {m.to[0]: m for m in mail.outbox}
    assert sorted(sent) == ["researcher_at_school@example.org", "staff_own@example.org"]
    assert "septiembre" in sent["staff_own@example.org"].body  # the date in Spanish
    assert "Sep 2026" in sent["researcher_at_school@example.org"].body
    made.refresh_from_db()
    assert made.reminder_sent_on == dt.date(2026, 6, 3)


def test_the_reviewers_score_table_leaves_out_a_suppressed_group():
    from safeschool.web.label.display import dimension_table

    rows = [{"level": "dimension", "code": "safe_learning", "informant": "students", "score_100": 71.4, "n": 30},
            {"level": "dimension", "code": "safe_learning", "informant": "families", "score_100": None, "n": None},
            {"level": "subdimension", "code": "safe_learner", "informant": "students", "score_100": 90.0, "n": 30}]
    table = dimension_table(rows)
    assert table["groups"] == ["Students"]
    assert table["rows"] == [{"name": "Safe Learning", "cells": ["71"]}]


def test_a_finished_application_stays_open_only_to_the_reviewers_who_reviewed_it(w):
    application = apply(w)
    review(w, application, "researcher")
    review(w, application, "member_c")
    services.application_decide(user=w.users["admin"], application=application, award=False, reasons="Not yet.")
    application.refresh_from_db()
    assert selectors.has(w.users["researcher"], "label.view_application", application)
    assert not selectors.has(w.users["member_d"], "label.view_application", application)
    assert selectors.has(w.users["staff_own"], "label.view_application", application)
    assert application not in selectors.applications_for(w.users["member_d"])
