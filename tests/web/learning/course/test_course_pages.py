"""The course's pages: public course and edition pages and certificate verification (nothing personal on them),
enrolling through the page, the organisers' pages refused to others, adapting into a new version, the PDF for the
holder and the organisers only, revoked reports revoked, unknown codes and ids are 404."""

from __future__ import annotations

from types import SimpleNamespace

import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeschool.web.learning import receivers
from safeschool.web.learning import selectors_editions as sel
from safeschool.web.learning import services_editions as services
from safeschool.web.learning.models import Course, Enrolment
from safeschool.web.network import personal_data

pytestmark = pytest.mark.django_db


def _certificate(world):
    holder = world.people[0]
    holder.first_name, holder.last_name = "Ana", "Holder-Surname"
    holder.save()
    e = services.enrol(user=holder, edition=world.past)
    sessions = sel.course_sessions(world.course)
    services.attendance_record(user=world.researcher, edition=world.past,
                               marks={(e.pk, s.pk): True for s in sessions})
    right = {q["code"]: q["answer"] for q in sel.check_questions(world.course)}
    services.check_take(user=holder, enrolment=e, moment="post", answers=right)
    (certificate,) = services.completions_issue(user=world.researcher, edition=world.past)
    return certificate


def test_public_pages_without_login(client, world):
    course = client.get(reverse("learning:course", args=[world.course.slug, 1]))
    assert course.status_code == 200
    html = course.content.decode()
    assert "Session 2.1" in html and "Referral guide" in html and "https://example.org/g" in html
    assert "Mobility funding" in html and "7.5" in html  # 5 sessions x 90 minutes
    assert client.get(reverse("learning:courses")).status_code == 200
    page = client.get(reverse("learning:edition", args=[world.edition.pk])).content.decode()
    assert "Zagreb" in page and "Log in to enrol" in page
    for bad in ("999999", "abc", "99999999999999999999999"):
        assert client.get(f"/learning/editions/{bad}/").status_code == 404
    assert client.get(reverse("learning:course", args=[world.course.slug, 9])).status_code == 404
    assert client.get(reverse("learning:course", args=["nope", 1])).status_code == 404


def test_enrol_through_the_page_and_waiting_list(client, world):
    for i, u in enumerate(world.people[:4]):
        client.force_login(u)
        client.post(reverse("learning:enrol", args=[world.edition.pk]))
        expected = "enrolled" if i < 3 else "waitlisted"
        assert Enrolment.objects.get(user=u, edition=world.edition).status == expected
    page = client.get(reverse("learning:edition", args=[world.edition.pk])).content.decode()
    assert "number 1 on the waiting list" in page
    client.force_login(world.people[0])
    client.post(reverse("learning:enrolment_cancel", args=[world.edition.pk]))
    assert Enrolment.objects.get(user=world.people[3], edition=world.edition).status == "enrolled"
    assert client.get(reverse("learning:enrol", args=[world.edition.pk])).status_code == 405
    client.logout()
    assert client.post(reverse("learning:enrol", args=[world.edition.pk])).status_code == 302
    assert Enrolment.objects.filter(edition=world.edition, status="enrolled").count() == 3


@pytest.mark.parametrize("name", ["attendance", "edition_results"])
def test_organiser_pages_refused_to_others(client, world, name):
    url = reverse(f"learning:{name}", args=[world.past.pk])
    assert client.get(url).status_code == 302  # log in first
    for user in (world.people[0], world.staff):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    client.force_login(world.researcher)
    assert client.get(url).status_code == 200


def test_attendance_page_records(client, world):
    e = services.enrol(user=world.people[0], edition=world.past)
    session = sel.course_sessions(world.course)[0]
    client.force_login(world.researcher)
    response = client.post(reverse("learning:attendance", args=[world.past.pk]), {f"a_{e.pk}_{session.pk}": "on"})
    assert response.status_code == 302
    assert e.attendance.get(session=session).present is True
    assert e.attendance.exclude(session=session).filter(present=True).count() == 0


def test_check_and_evaluation_pages(client, world):
    e = services.enrol(user=world.people[0], edition=world.past)
    client.force_login(world.people[1])  # not a participant
    assert client.get(reverse("learning:knowledge_check", args=[world.past.pk, "pre"])).status_code == 403
    client.force_login(world.people[0])
    assert client.get(reverse("learning:knowledge_check", args=[world.past.pk, "later"])).status_code == 404
    questions = sel.check_questions(world.course)
    answers = {q["code"]: str(q["answer"]) for q in questions}
    r = client.post(reverse("learning:knowledge_check", args=[world.past.pk, "pre"]), answers)
    assert r.status_code == 302 and e.knowledge_checks.get(moment="pre").score == len(questions)
    bad = client.post(reverse("learning:evaluation", args=[world.past.pk]), {"r_overall": "9"})
    assert bad.status_code == 400
    ratings = {f"r_{code}": "4" for code in sel.REACTION_ITEMS}
    assert client.post(reverse("learning:evaluation", args=[world.past.pk]),
                       {**ratings, "comments": "<script>x</script>"}).status_code == 302
    assert e.evaluation.ratings["overall"] == 4


def test_adapt_makes_a_new_version_and_leaves_the_original(client, world):
    sessions = sel.course_sessions(world.course)
    url = reverse("learning:course_adapt", args=[world.course.slug, 1])
    client.force_login(world.staff)
    assert client.get(url).status_code == 403
    client.force_login(world.researcher)
    assert client.get(url).status_code == 200
    data = {"title": "Induction", "kind": "induction", f"day_{sessions[4].pk}": "1", f"order_{sessions[4].pk}": "1",
            f"day_{sessions[0].pk}": "1", f"order_{sessions[0].pk}": "2"}
    response = client.post(url, data)
    assert response.status_code == 302
    new = Course.objects.get(slug=world.course.slug, version=2)
    assert new.adapted_from_id == world.course.pk and new.kind == "induction"
    assert [s.title for s in sel.course_sessions(new)] == [sessions[4].title, sessions[0].title]
    assert len(sel.course_sessions(world.course)) == 5
    assert client.post(url, {"title": "Nothing", "kind": "induction"}).status_code == 400


def test_verification_public_nothing_personal_and_revoked(client, world):
    certificate = _certificate(world)
    url = reverse("learning:certificate_verify", args=[certificate.code])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Valid." in html and world.course.title in html
    for personal in ("Holder-Surname", "Ana", world.people[0].username, "certificate.pdf"):
        assert personal not in html
    pdf_url = reverse("learning:certificate_pdf", args=[certificate.code])
    assert client.get(pdf_url).status_code == 302
    client.force_login(world.people[1])
    assert client.get(pdf_url).status_code == 404
    client.force_login(world.people[0])
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf.content)
    text = document[0].get_textpage().get_text_range()
    assert "Ana Holder-Surname" in text and world.course.title in text and "Plan a partnership" in text
    assert certificate.code[:5] in text and "7.5" in text and url in text.replace("\r\n", "").replace("\n", "")
    image = document[0].render(scale=0.5).to_pil().convert("L")
    assert sum(1 for v in image.get_flattened_data() if v < 200) > 500, "the certificate's page is blank"
    document.close()
    client.force_login(world.researcher)
    assert client.get(pdf_url).status_code == 200
    client.force_login(world.researcher)
    assert client.post(reverse("learning:certificate_revoke", args=[certificate.code]),
                       {"reason": "x"}).status_code == 403
    client.force_login(world.admin)
    client.post(reverse("learning:certificate_revoke", args=[certificate.code]), {"reason": "Issued in error"})
    client.logout()
    html = client.get(url).content.decode()
    assert "Revoked." in html and "Issued in error" in html and "Valid." not in html
    unknown = client.get(reverse("learning:certificate_verify", args=["ZZZZZZZZZZ"]))
    assert unknown.status_code == 404 and "Certificate not found" in unknown.content.decode()
    assert client.get("/learning/certificates/%3Cscript%3E/").status_code == 404


def test_export_receiver(world):
    certificate = _certificate(world)
    member = SimpleNamespace(user=world.people[0])
    assert any(entry[0][0] == "learning.member_export" for entry in personal_data.member_export.receivers)
    sections = receivers.member_export(sender=None, member=member)
    (row,) = sections["course_enrolments"]
    assert row["certificate"] == certificate.code and row["sessions_attended"] == 5
    assert row["knowledge_checks"] == {"post": "5/5"}


def test_new_edition_and_issuing_through_the_page(client, world):
    url = reverse("learning:edition_new", args=[world.course.slug, 1])
    data = {"title": "Lisbon <b>autumn</b>", "starts_on": "2031-10-01", "ends_on": "2031-10-06", "venue": "Lisbon",
            "trainers": "C. Trainer", "capacity": "12", "language": "pt", "enrolment_open": "on"}
    client.force_login(world.people[0])
    assert client.post(url, data).status_code == 403
    client.force_login(world.researcher)
    assert client.post(url, {**data, "ends_on": "2031-09-01"}).status_code == 400
    assert client.post(url, {**data, "capacity": "0"}).status_code == 400
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Lisbon &lt;b&gt;autumn&lt;/b&gt;" in page and "<b>autumn" not in page
    # a participant may not take the check after the course before it starts
    e = services.enrol(user=world.people[0], edition=world.edition)
    right = {q["code"]: q["answer"] for q in sel.check_questions(world.course)}
    with pytest.raises(ValidationError):
        services.check_take(user=world.people[0], enrolment=e, moment="post", answers=right)
    _certificate(world)
    assert client.post(reverse("learning:edition_results", args=[world.past.pk])).status_code == 302
    results = client.get(reverse("learning:edition_results", args=[world.past.pk])).content.decode()
    assert "fewer than 10" in results and sel.edition_certificates(world.past).count() == 1


def test_acceptance_letter_only_with_a_place(client, world):
    url = reverse("learning:acceptance_letter", args=[world.edition.pk])
    for u in world.people[:4]:
        services.enrol(user=u, edition=world.edition)
    client.force_login(world.people[3])  # on the waiting list
    assert client.get(url).status_code == 404
    client.force_login(world.people[0])
    assert "letter of acceptance (PDF)" in client.get(reverse("learning:edition", args=[world.edition.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(response.content)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert world.people[0].username in text and "Zagreb" in text and "7.5" in text and "Plan a partnership" in text
