"""Locked protocols, deviations and allocations are fixed by the database itself (migration 0002's triggers), not
only by the services: a raw UPDATE or DELETE fails, as Delphi's closed rounds do."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from safeschool.web.interventions.models import (
    AllocatedUnit,
    Allocation,
    Deviation,
    Intervention,
    Protocol,
    Trial,
)
from safeschool.web.research.models import Country, School

HASH = "a" * 64


@pytest.fixture
def trial(db):
    country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=3,
                                     esl_rate_pct=11, esl_support=True, inclusion_index=0.5)
    school = School.objects.create(code="IT-S1", name="School 1", country=country, stage="primary", context="urban",
                                   ses_composition=0)
    intervention = Intervention.objects.create(name="Check and connect", why="Attachment to school")
    made = Trial.objects.create(intervention=intervention, title="A trial", design="crt2", unit="school",
                                primary_outcome="attendance", analysis_model="attendance_rate ~ treat + (1|school_id)")
    made.schools.add(school)
    return made


def _fails(statement: str, params: list) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_locked_protocol_cannot_change_or_be_deleted(trial):
    protocol = Protocol.objects.create(trial=trial, content={"design": "crt2"})
    Protocol.objects.filter(pk=protocol.pk).update(content={"design": "crt3"})  # a draft may change
    Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash=HASH)
    _fails("UPDATE interventions_protocol SET content = %s WHERE id = %s", ['{"design": "sw"}', protocol.pk])
    _fails("UPDATE interventions_protocol SET locked_at = NULL, content_hash = '' WHERE id = %s", [protocol.pk])
    _fails("DELETE FROM interventions_protocol WHERE id = %s", [protocol.pk])
    protocol.refresh_from_db()
    assert protocol.content == {"design": "crt3"} and protocol.content_hash == HASH


def test_deviations_need_a_locked_protocol_and_never_change(trial):
    protocol = Protocol.objects.create(trial=trial, content={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Deviation.objects.create(protocol=protocol, field="design", change="x", reason="y")
    Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash=HASH)
    deviation = Deviation.objects.create(protocol=protocol, field="covariates", change="added ses", reason="advice")
    _fails("UPDATE interventions_deviation SET reason = 'other' WHERE id = %s", [deviation.pk])
    _fails("DELETE FROM interventions_deviation WHERE id = %s", [deviation.pk])
    assert Deviation.objects.get().reason == "advice"


def test_an_allocation_and_its_units_never_change(trial):
    allocation = Allocation.objects.create(trial=trial, seed=42, algorithm="v1", input_hash=HASH)
    unit = AllocatedUnit.objects.create(allocation=allocation, school=trial.schools.get(), arm="control")
    _fails("UPDATE interventions_allocatedunit SET arm = 'intervention' WHERE id = %s", [unit.pk])
    _fails("DELETE FROM interventions_allocatedunit WHERE id = %s", [unit.pk])
    _fails("UPDATE interventions_allocation SET seed = 7 WHERE id = %s", [allocation.pk])
    _fails("DELETE FROM interventions_allocation WHERE id = %s", [allocation.pk])
    with pytest.raises(IntegrityError), transaction.atomic():  # and a trial has one allocation only
        Allocation.objects.create(trial=trial, seed=43, algorithm="v1", input_hash=HASH)
    assert AllocatedUnit.objects.get().arm == "control" and Allocation.objects.get().seed == 42
