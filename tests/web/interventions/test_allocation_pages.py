"""The allocation: done once by the platform after the protocol is locked (a second POST and the database refuse),
reproducible from its stored seed, blocked, with a balance table; which unit got which arm shown to researchers
(all), to a school's staff (their own school) and to nobody else (counts only)."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safeschool.trials import randomise
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import selectors_allocation, services_allocation
from safeschool.web.interventions.models import AllocatedUnit, Allocation, Intervention, Protocol, Trial
from safeschool.web.research.models import Country, School, SchoolClass
from safeschool.web.research.services import staff_appoint

HASH = "b" * 64


def _country(code: str) -> Country:
    return Country.objects.create(code=code, name=code, tracking_age=14, grade_repetition_pct=3, esl_rate_pct=10,
                                  esl_support=True, inclusion_index=0.5)


def make_trial(*, design="crt2", unit="school", block_by="country", schools=8, classes=0, lock=True) -> Trial:
    countries = [_country("IT"), _country("EL")]
    made = []
    for i in range(schools + 2):  # two more schools of the network take no part
        s = School.objects.create(code=f"S{i + 1:03d}", name=f"School {i + 1}", country=countries[i % 2],
                                  stage="lower_secondary", context="urban", ses_composition=(i % 5) / 5 - 0.4,
                                  climate_index=3 + (i % 3) / 3)
        for k in range(classes):
            SchoolClass.objects.create(code=f"{s.code}-C{k + 1}", school=s, grade=7)
        made.append(s)
    intervention = Intervention.objects.create(name="Check and connect", why="Attachment to school")
    trial = Trial.objects.create(intervention=intervention, title="Check and connect trial", design=design, unit=unit,
                                 block_by=block_by, primary_outcome="achievement", steps=3 if design == "sw" else None,
                                 analysis_model="y ~ treat + baseline + (1|school_id)",
                                 status="registered" if lock else "designing")
    trial.schools.add(*made[:schools])
    protocol = Protocol.objects.create(trial=trial, content={"design": design})
    if lock:
        Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash=HASH)
    return trial


@pytest.fixture
def people(db):
    made = {role: user_create(username=role, password="pw-123456789", role=r) for role, r in (
        ("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
        ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN))}
    return made


@pytest.fixture
def trial(people):
    made = make_trial()
    staff_appoint(user=people["staff_own"], school=School.objects.get(code="S001"))
    staff_appoint(user=people["staff_other"], school=School.objects.get(code="S010"))  # not in the trial
    return made


def _post(client, trial, confirm=True):
    return client.post(reverse("interventions:allocation", args=[trial.pk]), {"confirm": "on"} if confirm else {})


def test_allocation_before_the_lock_is_refused(client, people):
    trial = make_trial(lock=False)
    Trial.objects.filter(pk=trial.pk).update(status="registered")  # even a registered status without a lock
    client.force_login(people["researcher"])
    response = _post(client, trial)
    assert response.status_code == 400
    assert "Lock the protocol first" in response.content.decode()
    assert not Allocation.objects.exists()


def test_allocated_once_blocked_and_the_database_refuses_a_second(client, people, trial):
    client.force_login(people["researcher"])
    assert _post(client, trial, confirm=False).status_code == 400  # the confirmation is required
    assert not Allocation.objects.exists()
    response = _post(client, trial)
    assert response.status_code == 302
    allocation = Allocation.objects.get(trial=trial)
    trial.refresh_from_db()
    assert trial.status == "randomised" and allocation.done_by == people["researcher"]
    assert allocation.algorithm == randomise.ALGORITHM and len(allocation.input_hash) == 64
    units = list(AllocatedUnit.objects.filter(allocation=allocation))
    assert len(units) == 8 and {u.block for u in units} == {"IT", "EL"}
    for block in ("IT", "EL"):  # exactly half of each block's 4 schools
        assert sum(u.arm == "intervention" for u in units if u.block == block) == 2
    again = _post(client, trial)
    assert again.status_code == 400 and "allocated already" in again.content.decode()
    assert Allocation.objects.count() == 1 and AllocatedUnit.objects.count() == 8
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(trial=trial, seed=1, algorithm="x", input_hash=HASH)
    assert {r["variable"] for r in allocation.balance} >= {"ses_composition", "climate_index", "achievement"}
    levels = {r["variable"]: r.get("level") for r in allocation.balance}
    assert levels["ses_composition"] == "unit" and levels["achievement"] == "student"


def test_the_allocation_reproduces_from_its_seed(client, people, trial):
    allocation = services_allocation.allocation_run(trial=trial, user=people["researcher"], seed=12345)
    assert selectors_allocation.reproduce(allocation) == {"identical": True, "reason": ""}
    # the same units with another seed give other arms: the check can fail
    other = Allocation(trial=trial, seed=54321, algorithm=allocation.algorithm, input_hash=allocation.input_hash,
                       block_by=allocation.block_by, proportion=0.5, pk=allocation.pk)
    assert selectors_allocation.reproduce(other)["identical"] is False
    client.force_login(people["researcher"])
    page = client.get(reverse("interventions:allocation", args=[trial.pk])).content.decode()
    assert 'data-check="identical"' in page and "12345" in page and allocation.input_hash in page
    client.force_login(people["member"])  # the seed would give every arm away: not to those who see counts only
    page = client.get(reverse("interventions:allocation", args=[trial.pk])).content.decode()
    assert 'data-check="identical"' in page and "12345" not in page and allocation.input_hash in page


def _unit_rows(page: str) -> list[str]:
    return re.findall(r'data-unit="([^"]+)"', page)


@pytest.mark.parametrize(("role", "expected"), [("researcher", 8), ("admin", 8), ("staff_own", 1),
                                                ("staff_other", 0), ("member", 0)])
def test_who_sees_which_arms(client, people, trial, role, expected):
    services_allocation.allocation_run(trial=trial, user=people["researcher"], seed=7)
    client.force_login(people[role])
    response = client.get(reverse("interventions:allocation", args=[trial.pk]))
    assert response.status_code == 200
    rows = _unit_rows(response.content.decode())
    assert len(rows) == expected
    if role == "staff_own":
        assert rows == ["S001"]
    if expected == 0:
        assert "8 units were allocated" in response.content.decode()


def test_roles_ids_and_posts(client, people, trial):
    url = reverse("interventions:allocation", args=[trial.pk])
    assert client.get(url).status_code == 302  # anonymous: to sign in
    client.force_login(people["member"])
    assert client.get(url).status_code == 200
    assert "Allocate now" not in client.get(url).content.decode()
    assert _post(client, trial).status_code == 403
    client.force_login(people["staff_own"])
    assert _post(client, trial).status_code == 403
    assert not Allocation.objects.exists()
    assert client.get(reverse("interventions:allocation", args=[999999])).status_code == 404
    assert client.get(f"/interventions/trials/{trial.pk}x/allocation/").status_code == 404
    assert client.get("/interventions/trials/-1/allocation/").status_code == 404


def test_classes_are_randomised_within_their_schools(people):
    trial = make_trial(design="bcrt3", unit="class", block_by="", schools=4, classes=4)
    allocation = services_allocation.allocation_run(trial=trial, user=people["admin"], seed=99)
    units = list(AllocatedUnit.objects.filter(allocation=allocation).select_related("school_class", "school"))
    assert len(units) == 16 and all(u.school_class is not None for u in units)
    for school in {u.school for u in units}:
        arms = [u.arm for u in units if u.school == school]
        assert sorted(arms) == ["control", "control", "intervention", "intervention"]
        assert {u.block for u in units if u.school == school} == {school.code}
    assert selectors_allocation.reproduce(allocation)["identical"]


def test_stepped_wedge_gives_each_school_a_step(people):
    sw = make_trial(design="sw", block_by="", schools=6)
    allocation = services_allocation.allocation_run(trial=sw, user=people["researcher"], seed=3)
    steps = sorted(AllocatedUnit.objects.filter(allocation=allocation).values_list("step", flat=True))
    assert steps == [1, 1, 2, 2, 3, 3] and selectors_allocation.reproduce(allocation)["identical"]


def test_matched_comparison_pairs_with_other_schools(people):
    did = make_trial(design="did", block_by="", schools=4)
    School.objects.bulk_create([School(code=f"X{i}", name=f"Other {i}", country=Country.objects.get(code="IT"),
                                       stage="lower_secondary", context="rural", ses_composition=i / 10,
                                       climate_index=3.5) for i in range(4)])
    allocation = services_allocation.allocation_run(trial=did, user=people["researcher"], seed=5)
    units = list(AllocatedUnit.objects.filter(allocation=allocation).select_related("school"))
    chosen = set(did.schools.values_list("code", flat=True))
    assert {u.school.code for u in units if u.arm == "intervention"} == chosen
    assert len([u for u in units if u.arm == "control"]) == 4
    assert not chosen & {u.school.code for u in units if u.arm == "control"}
    assert selectors_allocation.reproduce(allocation)["identical"]
