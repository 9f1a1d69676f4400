"""Screening's services and selectors against a real trained model (web-backend): the governance of publication,
immutable scores, who sees which school, capacity-bound lists and follow-ups. One world per module: a simulated
cohort of 3,000 students in three entry cohorts, loaded through the research service, two trained models (one
that passes its gate, one made to fail it) — inside one transaction rolled back when the module ends."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.screening import modelfile
from safeschool.screening.data import DOMAINS, read_cohort, screening_table
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.hub.models import Practice
from safeschool.web.network.models import Member
from safeschool.web.research.models import School, Student
from safeschool.web.research.services import cohort_load, pseudonymiser, staff_appoint
from safeschool.web.screening import selectors, services
from safeschool.web.screening.execution import model_train_execute, scoring_run_execute
from safeschool.web.screening.models import ModelApproval, RiskModel, RiskScore, ScoringRun
from safeschool.web.screening.tables import database_screening_table

SIZES = Sizes(countries=2, schools=12, classes=36, teachers=40, students=3000)
UNFAIR = {"max_calibration_gap": 0.0001, "min_group_n": 10}  # no model can pass this: a deliberately failed gate


@dataclass
class World:
    directory: object
    users: dict
    school_a: School
    school_b: School
    fair: RiskModel  # passed its gate
    unfair: RiskModel  # failed it


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    home = tmp_path_factory.mktemp("screening-backend")
    directory = home / "cohort"
    simulate(CohortConfig(sizes=SIZES, seed=7)).write(directory)
    keys = override_settings(HOME=home, PSEUDONYM_KEY="test-key-0123456789abcdef0123456789abcdef",
                             PSEUDONYM_KEY_FILE=str(home / "keys" / "pseudonym.key"))
    with keys, django_db_blocker.unblock(), transaction.atomic():
        cohort_load(directory=directory)
        schools = list(School.objects.order_by("code"))
        users = {name: user_create(username=f"be-{name}", password=None, role=role) for name, role in [
            ("member", Role.MEMBER), ("staff_a", Role.STAFF), ("staff_b", Role.STAFF),
            ("researcher", Role.RESEARCHER), ("researcher2", Role.RESEARCHER), ("admin", Role.ADMIN)]}
        staff_appoint(user=users["staff_a"], school=schools[0])
        staff_appoint(user=users["staff_b"], school=schools[-1])
        fair = model_train_execute(user_id=users["researcher"].pk, n_boot=50)
        unfair = model_train_execute(user_id=users["researcher"].pk, n_boot=50, gate_settings=UNFAIR)
        yield World(directory=directory, users=users, school_a=schools[0], school_b=schools[-1], fair=fair,
                    unfair=unfair)
        transaction.set_rollback(True)


@pytest.fixture
def world(built, db):
    built.fair.refresh_from_db()
    built.unfair.refresh_from_db()
    return built


def _approved(model, world):
    services.approve(model, world.users["researcher"])
    services.approve(model, world.users["admin"])
    return model


def _published_and_scored(world):
    model = services.publish(_approved(world.fair, world), world.users["admin"])
    run = scoring_run_execute(run_id=services.score_all(model, world.users["admin"]).pk)
    assert run.status == "done", run.error
    return model, run


# --- the table from the database ---------------------------------------------------------------------------

def test_the_database_table_equals_the_files_table(world):
    from_files = screening_table(read_cohort(world.directory)).drop(columns="p_true")  # the truth stays on disk
    code = pseudonymiser("student")
    from_files["student_id"] = from_files["student_id"].map(code)
    from_db = database_screening_table()
    key = ["student_id"]
    a = from_files.sort_values(key).reset_index(drop=True)
    b = from_db.sort_values(key).reset_index(drop=True)[list(a.columns)]
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9)


# --- training and governance -------------------------------------------------------------------------------

def test_training_stores_a_draft_with_its_evaluation_audit_gate_and_model_file(world):
    fair, unfair = world.fair, world.unfair
    assert (fair.status, fair.name, fair.version, unfair.version) == ("draft", "early-leaving-logistic", 1, 2)
    assert fair.train_cohorts == [2023, 2024] and fair.test_cohort == 2025
    names = {m["name"] for m in fair.evaluation["models"]}
    assert {"logistic", "abc", "school_only", "chance"} <= names
    assert fair.fairness and {"group", "value", "n", "fpr"} <= set(fair.fairness[0])
    assert fair.gate["passed"] is True and unfair.gate["passed"] is False and unfair.gate["reasons"]
    loaded = modelfile.from_bytes(bytes(fair.estimator))
    assert not set(loaded.features_) & {"gender", "migrant_background", "roma_minority", "ses_band", "sen"}
    assert loaded.meta["version"] == 1 and fair.meta["estimator_sha256"] == loaded.meta["estimator_sha256"]
    card = fair.card_markdown
    assert "not a life sentence" in card and "early-leaving-logistic" in card


def test_publishing_is_refused_without_both_approvals(world):
    with pytest.raises(services.PublishRefused) as none:
        services.publish(world.fair, world.users["admin"])
    assert len(none.value.reasons) == 2
    services.approve(world.fair, world.users["researcher"])
    with pytest.raises(services.PublishRefused) as one:
        services.publish(world.fair, world.users["admin"])
    assert len(one.value.reasons) == 1 and "administrator" in one.value.reasons[0]
    assert RiskModel.objects.get(pk=world.fair.pk).status == "draft"


def test_the_same_person_cannot_give_both_approvals(world):
    services.approve(world.fair, world.users["researcher"])
    with pytest.raises(ValidationError):
        services.approve(world.fair, world.users["researcher"])
    with pytest.raises(ValidationError):  # a second researcher cannot stand in for the administrator either
        services.approve(world.fair, world.users["researcher2"])
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses it too
        ModelApproval.objects.create(model=world.fair, user=world.users["researcher"], role="administrator")
    with pytest.raises(services.PublishRefused):
        services.publish(world.fair, world.users["researcher"])


def test_members_and_staff_cannot_approve_publish_or_train(world):
    for name in ("member", "staff_a"):
        with pytest.raises(PermissionDenied):
            services.approve(world.fair, world.users[name])
        with pytest.raises(PermissionDenied):
            services.publish(world.fair, world.users[name])
        with pytest.raises(PermissionDenied):
            services.train_model(user=world.users[name])


def test_a_model_that_failed_its_gate_cannot_be_published(world):
    _approved(world.unfair, world)
    with pytest.raises(services.PublishRefused) as refused:
        services.publish(world.unfair, world.users["admin"])
    assert any("gate" in r for r in refused.value.reasons)
    assert RiskModel.objects.get(pk=world.unfair.pk).status == "draft"


def test_an_expired_model_cannot_be_published(world):
    _approved(world.fair, world)
    RiskModel.objects.filter(pk=world.fair.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    world.fair.refresh_from_db()
    with pytest.raises(services.PublishRefused) as refused:
        services.publish(world.fair, world.users["admin"])
    assert any("expired" in r for r in refused.value.reasons)


def test_publishing_retires_the_previous_model_and_the_database_allows_one_published(world):
    first, _run = _published_and_scored(world)
    second = model_train_execute(user_id=world.users["researcher"].pk, n_boot=50)
    assert second.version == 3
    services.publish(_approved(second, world), world.users["admin"])
    assert RiskModel.objects.get(pk=first.pk).status == "retired"
    assert list(RiskModel.objects.filter(status="published").values_list("pk", flat=True)) == [second.pk]
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskModel.objects.filter(pk=first.pk).update(status="published", published_at=timezone.now())
    assert selectors.current_run(selectors.current_model()) is None  # the new model has not scored yet


# --- scores: complete, versioned, immutable ----------------------------------------------------------------

def test_scoring_stores_one_row_per_student_of_the_latest_cohort_with_the_model_version(world):
    model, run = _published_and_scored(world)
    latest = Student.objects.filter(cohort=2025)
    assert run.cohort == 2025 and run.n_scored == latest.count() == RiskScore.objects.filter(run=run).count()
    assert set(RiskScore.objects.filter(run=run).values_list("student_id", flat=True)) == \
        set(latest.values_list("pk", flat=True))
    assert set(RiskScore.objects.filter(run=run).values_list("run__model__version", flat=True)) == {model.version}
    rows = list(RiskScore.objects.filter(run=run).values_list("probability", "tier", "domains"))
    assert all(0 <= p <= 1 for p, _t, _d in rows) and {t for _p, t, _d in rows} == {"low", "moderate", "high"}
    assert {d for _p, _t, ds in rows for d in ds} <= set(DOMAINS)


def test_a_score_cannot_be_updated_even_with_raw_sql(world):
    _model, run = _published_and_scored(world)
    score = RiskScore.objects.filter(run=run).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        RiskScore.objects.filter(pk=score.pk).update(probability=0.01)
    with pytest.raises(DatabaseError), transaction.atomic():
        score.tier = "low"
        score.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE screening_riskscore SET probability = 0.5 WHERE id = %s", [score.pk])
    with pytest.raises(DatabaseError), transaction.atomic():  # nor can its run move to another model
        ScoringRun.objects.filter(pk=run.pk).update(model=world.unfair)
    assert RiskScore.objects.get(pk=score.pk).probability == score.probability


def test_recomputing_makes_a_new_run_and_leaves_the_old_rows_unchanged(world):
    model, first = _published_and_scored(world)
    before = list(RiskScore.objects.filter(run=first).order_by("pk").values_list("pk", "probability", "tier",
                                                                                  "domains", "created_at"))
    second = scoring_run_execute(run_id=services.score_all(model, world.users["researcher"]).pk)
    assert second.pk != first.pk and second.n_scored == first.n_scored
    after = list(RiskScore.objects.filter(run=first).order_by("pk").values_list("pk", "probability", "tier",
                                                                                 "domains", "created_at"))
    assert after == before
    assert selectors.current_run(model) == second


# --- who sees what -----------------------------------------------------------------------------------------

def test_staff_of_school_a_never_get_school_b_from_any_selector(world):
    _published_and_scored(world)
    staff_a = world.users["staff_a"]
    assert list(selectors.visible_schools(staff_a)) == [world.school_a]
    with pytest.raises(PermissionDenied):
        selectors.school_list(world.school_b, staff_a)
    student_b = Student.objects.filter(school_class__school=world.school_b, cohort=2025).first()
    with pytest.raises(PermissionDenied):
        selectors.student_screen(student_b, staff_a)
    with pytest.raises(PermissionDenied):
        selectors.student_screen(student_b.pseudonym, staff_a)
    with pytest.raises(PermissionDenied):
        selectors.open_follow_ups(world.school_b, staff_a)
    own = selectors.school_list(world.school_a, staff_a)
    assert own.rows and all(Student.objects.get(pk=r.student_id).school_class.school_id == world.school_a.pk
                            for r in own.rows)
    assert {f["student_id"] for f in own.flags} <= set(
        Student.objects.filter(school_class__school=world.school_a).values_list("pseudonym", flat=True))
    assert not selectors.models_for(staff_a).exists()
    with pytest.raises(PermissionDenied):
        selectors.model_detail(world.fair.pk, staff_a)


def test_members_and_administrators_see_no_students_and_researchers_see_every_school(world):
    _published_and_scored(world)
    for name in ("member", "admin"):
        assert not selectors.visible_schools(world.users[name]).exists()
        with pytest.raises(PermissionDenied):
            selectors.school_list(world.school_a, world.users[name])
    assert selectors.visible_schools(world.users["researcher"]).count() == School.objects.count()
    assert selectors.school_list(world.school_b, world.users["researcher"]).rows


def test_no_score_is_shown_from_a_retired_or_expired_model(world):
    model, _run = _published_and_scored(world)
    staff_a = world.users["staff_a"]
    assert selectors.school_list(world.school_a, staff_a).rows
    RiskModel.objects.filter(pk=model.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    listing = selectors.school_list(world.school_a, staff_a)
    assert listing.rows == [] and listing.model is None
    RiskModel.objects.filter(pk=model.pk).update(expires_on=timezone.localdate() + dt.timedelta(days=30))
    services.retire(RiskModel.objects.get(pk=model.pk), world.users["admin"])
    assert selectors.school_list(world.school_a, staff_a).rows == []
    student = Student.objects.filter(school_class__school=world.school_a, cohort=2025).first()
    assert selectors.student_screen(student, staff_a).score is None


# --- capacity and follow-ups -------------------------------------------------------------------------------

def test_the_list_holds_ceil_share_times_scored_students(world):
    _published_and_scored(world)
    staff_a = world.users["staff_a"]
    default = selectors.school_list(world.school_a, staff_a)
    assert default.share == 0.10 and not default.capacity_set
    assert default.k == math.ceil(0.10 * default.n_scored) == len(default.rows)
    services.set_capacity(world.school_a, 0.07, staff_a)
    listing = selectors.school_list(world.school_a, staff_a)
    assert listing.k == math.ceil(0.07 * listing.n_scored) == len(listing.rows) and listing.capacity_set
    probabilities = [r.probability for r in listing.rows]
    assert probabilities == sorted(probabilities, reverse=True)
    rest = RiskScore.objects.filter(run=listing.run, student__school_class__school=world.school_a) \
        .exclude(student_id__in=[r.student_id for r in listing.rows])
    assert all(s.probability <= probabilities[-1] for s in rest)  # the top k, not a threshold
    assert selectors.capacity_k(0.1, 100) == 10 and selectors.capacity_k(0.1, 95) == 10  # 0.1 × 100 is not 11
    assert selectors.capacity_k(0.5, 1) == 1 and selectors.capacity_k(0.1, 0) == 0


def test_only_the_schools_own_staff_set_a_valid_capacity(world):
    with pytest.raises(PermissionDenied):
        services.set_capacity(world.school_a, 0.2, world.users["staff_b"])
    with pytest.raises(PermissionDenied):
        services.set_capacity(world.school_a, 0.2, world.users["researcher"])
    for bad in (0, 1.5, -0.1, "lots"):
        with pytest.raises(ValidationError):
            services.set_capacity(world.school_a, bad, world.users["staff_a"])
    assert selectors.capacity_share(world.school_a) == (0.10, False)


def test_follow_ups_by_the_students_school_only(world):
    _published_and_scored(world)
    student = Student.objects.filter(school_class__school=world.school_a, cohort=2025).first()
    review = timezone.localdate() + dt.timedelta(days=14)
    for name in ("staff_b", "researcher", "member"):
        with pytest.raises(PermissionDenied):
            services.add_follow_up(student=student, user=world.users[name], who_acts="Tutor", action="Call home",
                                   review_on=review)
    with pytest.raises(ValidationError):
        services.add_follow_up(student=student, user=world.users["staff_a"], who_acts="", action="Call home",
                               review_on=review)
    made = services.add_follow_up(student=student, user=world.users["staff_a"], who_acts="Tutor",
                                  action="Call home", review_on=review)
    assert made.score is not None and made.score.run == selectors.current_run(selectors.current_model())
    with pytest.raises(PermissionDenied):
        services.close_follow_up(follow_up=made, user=world.users["staff_b"])
    done = services.close_follow_up(follow_up=made, user=world.users["staff_a"], note="Family met")
    assert done.status == "done" and done.closed_at and "Family met" in done.note
    screen = selectors.student_screen(student, world.users["staff_a"])
    assert [f.pk for f in screen.follow_ups] == [made.pk] and screen.score is not None


def test_training_is_queued_for_researchers_and_its_status_readable(world):
    result = services.train_model(user=world.users["researcher"], capacity="0.1")
    status = selectors.training_status(result.id)
    assert status["status"] == "queued" and status["model_id"] is None
    assert selectors.training_status("not-a-task") is None
    with pytest.raises(ValidationError):
        services.train_model(user=world.users["researcher"], capacity=1.5)
    with pytest.raises(ValidationError):
        services.train_model(user=world.users["researcher"], outcome="gender")


def test_suggested_practices_are_accepted_hub_practices_matching_the_domain(world):
    author = Member.objects.create(user=world.users["member"], display_name="Author", stakeholder_type="teacher",
                                   country="IT", birth_year=1980)
    common = {"country": "IT", "level": "relational", "years_in_place": 2, "stakeholders_involved": "teachers",
              "funding": "school", "evaluation": "none", "cost_band": "low", "licence": "cc-by",
              "submitted_by": author}
    buddies = Practice.objects.create(title="Attendance buddies", status="accepted", **common)
    Practice.objects.create(title="Attendance phone calls", status="submitted", **common)  # not reviewed yet
    mentoring = Practice.objects.create(title="Peer mentoring", summary="Older students mentor younger ones.",
                                        status="accepted", **common)
    found = selectors.suggested_practices(["belonging", "attendance", "gender"])
    assert [g["domain"] for g in found] == ["belonging", "attendance"]  # never a protected attribute
    assert [p.title for p in found[1]["practices"]] == [buddies.title]
    assert mentoring in found[0]["practices"] and buddies in found[0]["practices"]  # "buddies": a peer support
    student = Student.objects.filter(school_class__school=world.school_a).first()
    submitted = Practice.objects.get(title="Attendance phone calls")
    with pytest.raises(ValidationError):
        services.add_follow_up(student=student, user=world.users["staff_a"], who_acts="Tutor", action="Calls",
                               review_on=timezone.localdate(), practice=submitted)


def test_the_worker_trains_and_scores_through_the_tasks(world, django_capture_on_commit_callbacks):
    queued = services.train_model(user=world.users["researcher"], capacity=0.1)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    status = selectors.training_status(queued.id)
    assert status["status"] == "done", status
    model = RiskModel.objects.get(pk=status["model_id"])
    assert (model.status, model.version, model.created_by) == ("draft", 3, world.users["researcher"])
    services.publish(_approved(model, world), world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.score_all(model, world.users["admin"])
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    run.refresh_from_db()
    assert run.status == "done" and run.task_id and run.n_scored == Student.objects.filter(cohort=2025).count()
