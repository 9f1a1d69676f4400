"""Eight people enrol at the same moment, each in a thread with its own database connection, into an edition of
capacity 3: never more than 3 places are taken, the others are on the waiting list, nobody gets an error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from safeschool.web.learning import services_editions as services
from safeschool.web.learning.models import Enrolment

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_enrolment_never_over_books(makers):
    edition = makers.edition(makers.course(), capacity=3)
    people = makers.users(8, "c")
    barrier = threading.Barrier(len(people))
    errors, results = [], []

    def enrol(user):
        try:
            barrier.wait()
            results.append(services.enrol(user=user, edition=edition).status)
        except Exception as exc:  # noqa: BLE001 - any error is the failure this test looks for
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(results) == ["enrolled"] * 3 + ["waitlisted"] * 5
    assert Enrolment.objects.filter(edition=edition, status="enrolled").count() == 3
    assert Enrolment.objects.filter(edition=edition, status="waitlisted").count() == 5
