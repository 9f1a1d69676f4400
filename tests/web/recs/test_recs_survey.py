"""The partnership survey and the needs form (H2): waves opened and closed by researchers and administrators; the
school side answered by the school's staff, the REC side by that REC's staff (a member of another REC, or one who
withdrew consent, cannot); every item on its scale, problems from the taxonomy; once per side per wave (a second
answer refused with a clear message, the database holding one row); the needs form for the school's staff, stored
without the person."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from recs_world import BAD_IDS, ROLES, world_built

from safeschool.partnership import instrument as instruments
from safeschool.partnership import needs as needs_questionnaire
from safeschool.web.recs.models import NeedsResponse, SurveyResponse, SurveyWave


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with world_built(django_db_blocker, tmp_path_factory.mktemp("recs-survey-home"), test_settings_for) as built:
        yield built


@pytest.fixture
def w(world, db):
    return world


def as_role(client, w, role):
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def full_answer(rating: int = 4, **extra) -> dict:
    data = {code: str(rating) for code in instruments.load().items}
    return {**data, "problems": ["time", "data_sharing"], "comments": "Fine", **extra}


def answer_url(w, side: str, partnership=None) -> str:
    return reverse("recs:survey_answer", args=[w.wave.pk, (partnership or w.p).pk, side])


ANSWERERS = {"school": {"staff_own"}, "rec": {"rec_staff"}}


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_each_survey_page(client, w, role):
    as_role(client, w, role)
    pages = {reverse("recs:survey"): set(ROLES) - {"anonymous"}, reverse("recs:wave", args=[w.wave.pk]):
             set(ROLES) - {"anonymous"}, answer_url(w, "school"): ANSWERERS["school"],
             answer_url(w, "rec"): ANSWERERS["rec"],
             reverse("recs:needs_answer", args=[w.wave.pk, w.own.pk]): {"staff_own"}}
    for url, allowed in pages.items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302, url
        else:
            assert response.status_code == (200 if role in allowed else 403), (url, role)
    if role not in {"researcher", "admin", "anonymous"}:
        assert client.post(reverse("recs:survey"), {"title": "Mine", "instrument_version": 1}).status_code == 403
        assert client.post(reverse("recs:wave_close", args=[w.wave.pk])).status_code == 403
        assert SurveyWave.objects.get(pk=w.wave.pk).is_open


def test_bad_ids_and_sides_are_404(client, w):
    as_role(client, w, "staff_own")
    for bad in BAD_IDS:
        for url in (f"/recs/survey/{bad}/", f"/recs/survey/{bad}/partnerships/{w.p.pk}/school/",
                    f"/recs/survey/{w.wave.pk}/partnerships/{bad}/school/",
                    f"/recs/survey/{w.wave.pk}/needs/{bad}/", f"/recs/survey/{bad}/needs/{w.own.pk}/"):
            assert client.get(url).status_code == 404, url
    assert client.get(f"/recs/survey/{w.wave.pk}/partnerships/{w.p.pk}/student/").status_code == 404


def test_the_school_side_answers_once(client, w):
    as_role(client, w, "staff_own")
    wave_page = client.get(reverse("recs:wave", args=[w.wave.pk])).content.decode()
    assert f'href="{answer_url(w, "school")}"' in wave_page and answer_url(w, "rec") not in wave_page
    assert reverse("recs:needs_answer", args=[w.wave.pk, w.own.pk]) in wave_page
    page = client.get(answer_url(w, "school")).content.decode()
    assert "Our school and the REC have agreed" in page and "Data sharing" in page  # the school's wording, taxonomy
    assert "Our centre and the school have agreed" not in page
    assert client.post(answer_url(w, "school"), full_answer(4)).status_code == 302
    row = SurveyResponse.objects.get(wave=w.wave, partnership=w.p, side="school")
    assert set(row.answers.values()) == {4} and row.problems == ["time", "data_sharing"]
    second = client.post(answer_url(w, "school"), full_answer(2))
    assert second.status_code == 400 and "already answered" in second.content.decode()
    assert SurveyResponse.objects.filter(wave=w.wave, partnership=w.p, side="school").count() == 1
    assert "already answered" in client.get(answer_url(w, "school")).content.decode()
    assert f'href="{answer_url(w, "school")}"' not in client.get(reverse("recs:wave", args=[w.wave.pk])).content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        SurveyResponse.objects.create(wave=w.wave, partnership=w.p, side="school", answers={})


def test_the_rec_side_only_by_that_recs_consenting_staff(client, w):
    as_role(client, w, "rec_staff_other")
    assert client.post(answer_url(w, "rec"), full_answer(3)).status_code == 403
    as_role(client, w, "rec_withdrawn")
    assert client.post(answer_url(w, "rec"), full_answer(3)).status_code == 403
    as_role(client, w, "staff_own")
    assert client.post(answer_url(w, "rec"), full_answer(3)).status_code == 403  # not the school's side to give
    assert not SurveyResponse.objects.filter(side="rec").exists()
    as_role(client, w, "rec_staff")
    assert "Our centre and the school have agreed" in client.get(answer_url(w, "rec")).content.decode()
    assert client.post(answer_url(w, "rec"), full_answer(5)).status_code == 302
    assert SurveyResponse.objects.get(side="rec", partnership=w.p).submitted_by == w.users["rec_staff"]


def test_invalid_answers_are_refused_with_nothing_stored(client, w):
    as_role(client, w, "staff_own")
    first = next(iter(instruments.load().items))
    for bad in (full_answer(9), full_answer(0), full_answer(problems=["magic"]), full_answer(**{first: "x"}),
                {k: v for k, v in full_answer().items() if k != first}, full_answer(comments="x" * 5_001)):
        assert client.post(answer_url(w, "school"), bad).status_code == 400
    assert not SurveyResponse.objects.exists()


def test_a_closed_wave_takes_no_answer(client, w):
    as_role(client, w, "researcher")
    assert client.post(reverse("recs:wave_close", args=[w.wave.pk])).status_code == 302
    assert not SurveyWave.objects.get(pk=w.wave.pk).is_open
    as_role(client, w, "staff_own")
    response = client.post(answer_url(w, "school"), full_answer())
    assert response.status_code == 400 and "closed" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_researchers_open_a_wave_and_see_progress(client, w):
    as_role(client, w, "admin")
    assert client.post(reverse("recs:survey"), {"title": "", "instrument_version": 1}).status_code == 400
    assert client.post(reverse("recs:survey"), {"title": "Next", "instrument_version": 99}).status_code == 400
    assert client.post(reverse("recs:survey"), {"title": "Autumn", "instrument_version": 1}).status_code == 302
    SurveyResponse.objects.create(wave=w.wave, partnership=w.p, side="rec", answers={})
    page = client.get(reverse("recs:wave", args=[w.wave.pk])).content.decode()
    assert '<dd data-side="rec">1</dd>' in page and '<dd data-side="school">0</dd>' in page


def test_the_needs_form_is_not_linked_to_the_person(client, w):
    questionnaire = needs_questionnaire.load()
    as_role(client, w, "staff_other")
    url = reverse("recs:needs_answer", args=[w.wave.pk, w.own.pk])
    assert client.post(url, {"role": "teacher"}).status_code == 403
    as_role(client, w, "staff_own")
    assert "Teacher" in client.get(url).content.decode()  # the role is chosen first
    assert client.post(url, {"role": "pupil"}).status_code == 400
    topics = [t.code for t in questionnaire.topics_for("leader")]
    page = client.get(url, {"role": "leader"}).content.decode()
    assert all(f'data-field="{code}"' in page for code in topics)
    only_teachers = {t.code for t in questionnaire.topics_for("teacher")} - set(topics)
    assert only_teachers and not any(f'data-field="{code}"' in page for code in only_teachers)
    fmt = next(iter(questionnaire.formats))
    data = {"role": "leader", "formats": [fmt], **{code: "3" for code in topics}}
    assert client.post(url, {**data, topics[0]: "5"}).status_code == 400
    assert client.post(url, {**data, "formats": ["magic"]}).status_code == 400
    assert client.post(url, data).status_code == 302
    row = NeedsResponse.objects.get(wave=w.wave, school=w.own)
    assert row.role == "leader" and row.needs == {code: 3 for code in topics} and row.formats == [fmt]
    assert {f.name for f in NeedsResponse._meta.get_fields()}.isdisjoint({"user", "submitted_by", "member"})
