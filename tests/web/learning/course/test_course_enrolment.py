"""Enrolment: places while they last, then the waiting list; cancelling promotes the first waiting in the same
transaction; the database refuses over-booking and a certificate for an enrolment that is not completed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from safeschool.web.learning import selectors_editions as sel
from safeschool.web.learning import services_editions as services
from safeschool.web.learning.models import Certificate, Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db


def test_places_then_waiting_list_then_promotion(world):
    edition, people = world.edition, world.people
    made = [services.enrol(user=u, edition=edition) for u in people[:5]]
    assert [e.status for e in made] == ["enrolled"] * 3 + ["waitlisted"] * 2
    assert sel.places_left(edition) == 0
    assert sel.waiting_position(made[4]) == 2
    # enrolling twice changes nothing
    assert services.enrol(user=people[0], edition=edition).pk == made[0].pk
    promoted = services.enrolment_cancel(user=people[1], enrolment=made[1])
    assert promoted.pk == made[3].pk and promoted.status == "enrolled"
    assert Enrolment.objects.get(pk=made[1].pk).status == "cancelled"
    assert sel.places_taken(edition) == 3 and sel.waiting_position(Enrolment.objects.get(pk=made[4].pk)) == 1
    # a waiting person who cancels frees no place: nobody is promoted
    assert services.enrolment_cancel(user=people[4], enrolment=made[4]) is None
    # someone else may not cancel my place
    with pytest.raises(PermissionDenied):
        services.enrolment_cancel(user=people[6], enrolment=made[0])
    # re-enrolling after cancelling: the edition is full, so the waiting list
    assert services.enrol(user=people[1], edition=edition).status == "waitlisted"


def test_the_database_refuses_over_booking(world):
    edition, people = world.edition, world.people
    for u in people[:3]:
        Enrolment.objects.create(edition=edition, user=u, status="enrolled")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(edition=edition, user=people[3], status="enrolled")
    waiting = Enrolment.objects.create(edition=edition, user=people[3], status="waitlisted")
    waiting.status = "enrolled"
    with pytest.raises(IntegrityError), transaction.atomic():
        waiting.save()
    assert sel.places_taken(edition) == 3


def test_enrolment_closed_and_anonymous_refused(world):
    from django.contrib.auth.models import AnonymousUser
    world.edition.enrolment_open = False
    try:
        with pytest.raises(ValidationError):
            services.enrol(user=world.people[0], edition=world.edition)
    finally:
        world.edition.enrolment_open = True
    with pytest.raises(PermissionDenied):
        services.enrol(user=AnonymousUser(), edition=world.past)


def _complete_past(world, n: int):
    """n participants of the past edition with every session attended and both checks taken."""
    past, people = world.past, world.people[:n]
    enrolments = [services.enrol(user=u, edition=past) for u in people]
    sessions = sel.course_sessions(world.course)
    services.attendance_record(user=world.researcher, edition=past,
                               marks={(e.pk, s.pk): True for e in enrolments for s in sessions})
    questions = sel.check_questions(world.course)
    for i, e in enumerate(enrolments):
        wrong = {q["code"]: (q["answer"] + 1) % len(q["options"]) for q in questions}
        right = {q["code"]: q["answer"] for q in questions}
        services.check_take(user=e.user, enrolment=e, moment="pre", answers=wrong if i % 2 else right)
        services.check_take(user=e.user, enrolment=e, moment="post", answers=right)
        services.evaluation_submit(user=e.user, enrolment=e, ratings={k: 4 + i % 2 for k in sel.REACTION_ITEMS},
                                   comments="Useful")
    return enrolments


def test_certificate_only_for_completed(world):
    enrolments = _complete_past(world, 3)
    # one attended 3 of 5 sessions (60 %): not completed
    sessions = sel.course_sessions(world.course)
    services.attendance_record(user=world.researcher, edition=world.past,
                               marks={(enrolments[2].pk, s.pk): False for s in sessions[:2]})
    with pytest.raises(ValidationError):
        services.certificate_issue(user=world.researcher, enrolment=enrolments[0])
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(enrolment=enrolments[0], code="ABCDEFGHJK")
    with pytest.raises(PermissionDenied):
        services.completions_issue(user=world.staff, edition=world.past)
    issued = services.completions_issue(user=world.researcher, edition=world.past)
    assert {c.enrolment_id for c in issued} == {enrolments[0].pk, enrolments[1].pk}
    assert Enrolment.objects.get(pk=enrolments[2].pk).status == "enrolled"
    code = issued[0].code
    assert len(code) == 10 and not set(code) & set("01OI")
    assert sel.certificate_find(code.lower()[:5] + "-" + code[5:]).pk == issued[0].pk
    with pytest.raises(ValidationError):
        services.enrolment_cancel(user=enrolments[0].user, enrolment=Enrolment.objects.get(pk=enrolments[0].pk))


def test_revoke(world):
    enrolments = _complete_past(world, 1)
    (certificate,) = services.completions_issue(user=world.researcher, edition=world.past)
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(user=world.researcher, certificate=certificate, reason="error")
    with pytest.raises(ValidationError):
        services.certificate_revoke(user=world.admin, certificate=certificate, reason="  ")
    services.certificate_revoke(user=world.admin, certificate=certificate, reason="Issued in error")
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is not None
    assert enrolments[0].pk == certificate.enrolment_id


def test_results_suppressed_below_min_cell_and_computed_from_ten(world):
    _complete_past(world, 9)
    results = sel.edition_results(world.past)
    assert results["participants"] == 9
    assert results["pre"]["suppressed"] and results["pre"]["value"] is None
    assert all(r["suppressed"] for r in results["reactions"])
    services.enrol(user=world.people[9], edition=world.past)  # a tenth with no attendance, checks or evaluation
    results = sel.edition_results(world.past)
    assert results["attendance"]["value"] == pytest.approx(0.9)
    assert results["pre"]["suppressed"]  # still only nine took it
    _complete_past_one_more(world)
    results = sel.edition_results(world.past)
    # 11 people, 10 took pre: i even -> 1.0, i odd -> 0.0 (i = 0..8 plus the 11th with i=10 -> right)
    assert results["pre"]["value"] == pytest.approx(6 / 10)
    assert results["post"]["value"] == pytest.approx(1.0)
    assert results["gain"]["value"] == pytest.approx(4 / 10)
    overall = next(r for r in results["reactions"] if r["code"] == "overall")
    assert overall["value"] == pytest.approx((6 * 4 + 4 * 5) / 10)


def _complete_past_one_more(world):
    u = world.people[10]
    e = services.enrol(user=u, edition=world.past)
    questions = sel.check_questions(world.course)
    right = {q["code"]: q["answer"] for q in questions}
    services.check_take(user=u, enrolment=e, moment="pre", answers=right)
    services.check_take(user=u, enrolment=e, moment="post", answers=right)
    services.evaluation_submit(user=u, enrolment=e, ratings={k: 4 for k in sel.REACTION_ITEMS}, comments="")
    with pytest.raises(ValidationError):
        services.check_take(user=u, enrolment=e, moment="post", answers=right)


def test_statuses_are_the_models(world):
    assert set(sel.PLACES) == {EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED}
