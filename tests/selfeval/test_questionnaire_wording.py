"""Disclosure per informant group (the `informants:` block), the Questionnaire's look-up helpers, and the merge of
the translators' wording files (wording/<language>.yaml) with its errors naming the file and the code."""

from __future__ import annotations

import copy

import pytest
import yaml

from safeschool.selfeval import questionnaire as module
from safeschool.selfeval.questionnaire import DEFAULT_FILE, QuestionnaireError, load, merge_wording, parse
from safeschool.vocabulary import MIN_CELL


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def no_wording(tmp_path, monkeypatch):
    folder = tmp_path / "wording"
    folder.mkdir()
    monkeypatch.setattr(module, "WORDING_DIR", folder)
    return folder


def test_the_shipped_wording_files_merge_and_fill_every_informant():
    q = load()  # a broken file in wording/ fails here, naming itself
    for language in (p.stem for p in module.WORDING_DIR.glob("*.yaml")):
        assert q.languages[language] in ("forward", "back_translated", "reviewed")


def test_leaders_are_shown_from_one_and_every_other_group_from_min_cell():
    q = load()
    assert q.min_n("leaders") == 1 and "leaders" in q.attributable
    assert [q.min_n(g) for g in ("teachers", "students", "families")] == [MIN_CELL] * 3
    assert q.attributable == frozenset({"leaders"})


@pytest.mark.parametrize(("block", "message"), [
    ({"teachers": {"min_n": 3}}, "informants: teachers: min_n 3 is below the disclosure threshold"),
    ({"pupils": {"min_n": "disclosure"}}, "informants: unknown informant 'pupils'"),
    ({"students": {"min_n": "some"}}, "informants: students: min_n must be a whole number"),
    ({"leaders": {"min_n": 0, "attributable": True}}, "informants: leaders: min_n must be a whole number"),
])
def test_a_wrong_informants_block_is_refused(raw, block, message):
    data = copy.deepcopy(raw)
    data["informants"] = block
    with pytest.raises(QuestionnaireError, match=f"^questionnaire.yaml: {message}"):
        parse(data, "questionnaire.yaml")


def test_without_a_block_every_group_needs_min_cell(raw):
    data = copy.deepcopy(raw)
    del data["informants"]
    assert parse(data).min_n("leaders") == MIN_CELL


def test_helpers_find_names_parts_and_anchors(no_wording):
    q = load()
    assert q.name_of("safe_learning") == "Safe Learning"
    assert q.name_of("wise_school_teaching_learning", "es") == q.subdimension("wise_school_teaching_learning").name
    assert q.dimension_of("kind_school").code == "safe_school"
    assert q.dimension_of("suspensions").code == "safe_school"
    assert q.subdimension("suspensions").code == "wise_school_teaching_learning"
    assert q.subdimension("safe_teacher").code == "safe_teacher"
    assert q.anchor(1) == "strongly disagree" and q.anchor(5) == "strongly agree" and q.anchor(3) is None
    with pytest.raises(KeyError):
        q.subdimension("safe_school")
    with pytest.raises(KeyError):
        q.dimension_of("nonsense")
    with pytest.raises(KeyError):
        q.name_of("learners_feel_safe")


def _spanish(**changes):
    content = {
        "language": "es", "status": "forward",
        "names": {"safe_learning": "Aprendizaje seguro", "safe_learner": "Alumnado seguro"},
        "anchors": {1: "muy en desacuerdo", 5: "muy de acuerdo"},
        "indicators": {"learners_feel_safe": {"leaders": "El alumnado se siente seguro.",
                                              "teachers": "El alumnado se siente seguro en mis clases.",
                                              "students": "Me siento seguro en el centro.",
                                              "families": "Mi hijo o hija se siente seguro."}},
    }
    content.update(changes)
    return content


def test_a_wording_file_is_merged(no_wording):
    (no_wording / "es.yaml").write_text(yaml.safe_dump(_spanish(), allow_unicode=True), encoding="utf-8")
    q = load()
    assert q.languages["es"] == "forward" and q.languages["it"] == "not_translated"
    feel_safe = q.indicators["learners_feel_safe"]
    assert feel_safe.text("students", "es") == "Me siento seguro en el centro."
    assert feel_safe.wording["students"]["status"] == {"en": "source", "es": "forward"}
    assert feel_safe.text("students", "it") == feel_safe.text("students")  # not translated: English
    assert q.indicators["learner_belonging"].text("students", "es") == q.indicators["learner_belonging"].text(
        "students")  # left out of the file: English
    assert q.name_of("safe_learning", "es") == "Aprendizaje seguro"
    assert q.name_of("safe_teaching", "es") == "Safe Teaching"
    assert q.anchor(5, "es") == "muy de acuerdo" and q.anchor(5, "it") == "strongly agree"
    assert load() is q  # read once while the files do not change


@pytest.mark.parametrize(("change", "message"), [
    ({"names": {"safe_nothing": "x"}}, "names: unknown dimension or subdimension code 'safe_nothing'"),
    ({"names": {"learners_feel_safe": "x"}}, "names: unknown dimension or subdimension code 'learners_feel_safe'"),
    ({"indicators": {"feels_safe": {"students": "x"}}}, "indicators: unknown indicator code 'feels_safe'"),
    ({"indicators": {"learners_feel_safe": {"students": "Me siento seguro."}}},
     "indicator 'learners_feel_safe': no wording for leaders"),
    ({"indicators": {"student_attendance": {"leaders": "x", "students": "y"}}},
     "indicator 'student_attendance': wording for students, who is not among its informants"),
    ({"anchors": {3: "ni uno ni otro"}}, "anchors: 3 is not an anchored Likert point"),
    ({"status": "done"}, "status 'done' is not one of forward, back_translated, reviewed"),
    ({"language": "it"}, "language 'it' does not match the file name"),
])
def test_a_wrong_wording_file_names_the_file_and_the_code(no_wording, change, message):
    (no_wording / "es.yaml").write_text(yaml.safe_dump(_spanish(**change), allow_unicode=True), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load()
    assert str(caught.value) == f"wording/es.yaml: {message}" or str(caught.value).startswith(
        f"wording/es.yaml: {message}")


def test_a_language_the_questionnaire_does_not_list_is_refused(tmp_path, raw):
    path = tmp_path / "wording" / "xx.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(_spanish(language="xx")))
    with pytest.raises(QuestionnaireError, match=r"^wording/xx.yaml: language 'xx' is not a translated language"):
        merge_wording(raw, [path])


def test_the_merge_leaves_the_source_data_alone(tmp_path, raw):
    path = tmp_path / "es.yaml"
    path.write_text(yaml.safe_dump(_spanish(), allow_unicode=True), encoding="utf-8")
    before = copy.deepcopy(raw)
    merged = merge_wording(raw, [path])
    assert raw == before and merged != before
