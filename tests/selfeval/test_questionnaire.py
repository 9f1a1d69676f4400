"""The School Evaluation Questionnaire (issue 16 §1): every pillar and subdimension populated with 3-6 indicators,
unique codes, wording for each informant an indicator names, and clear errors for a broken file."""

from __future__ import annotations

import copy

import pytest
import yaml

from safeschool.selfeval.questionnaire import (
    DEFAULT_FILE,
    INFORMANTS,
    WORDING_DIR,
    QuestionnaireError,
    load,
    parse,
)
from safeschool.vocabulary import PILLARS

EXPECTED = {
    "safe_learning": ("individual", ["safe_learner", "safe_relationships", "safe_functioning"]),
    "safe_teaching": ("relational", ["safe_teacher", "safe_teacher_relationships", "safe_teaching_skills"]),
    "safe_school": ("community", ["kind_school", "strong_school", "wise_school_teaching_learning",
                                  "wise_school_professional_development"]),
    "safe_education": ("political", ["school_safe_policies", "school_development_policies"]),
}


@pytest.fixture(scope="module")
def questionnaire():
    return load()


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_one_dimension_per_pillar_with_the_issues_subdimensions(questionnaire):
    found = {d.code: (d.pillar, [s.code for s in d.subdimensions]) for d in questionnaire.dimensions}
    assert found == EXPECTED
    assert sorted(d.pillar for d in questionnaire.dimensions) == sorted(PILLARS)


def test_every_subdimension_has_three_to_six_indicators(questionnaire):
    for d in questionnaire.dimensions:
        for s in d.subdimensions:
            assert 3 <= len(s.indicators) <= 6, s.code


def test_wise_school_holds_the_indicators_the_issue_lists(questionnaire):
    subs = {s.code: {i.code for i in s.indicators} for d in questionnaire.dimensions for s in d.subdimensions}
    assert {"academic_pressure", "active_participation", "alternatives_to_grade_repetition",
            "alternatives_to_suspension"} <= subs["wise_school_teaching_learning"]
    assert {"staff_attendance", "development_for_safe_teaching", "professional_community"} \
        <= subs["wise_school_professional_development"]
    assert "flexible_pathways" in set().union(*subs.values())


def test_codes_are_unique_and_snake_case(raw):
    codes = [d["code"] for d in raw["dimensions"]]
    codes += [s["code"] for d in raw["dimensions"] for s in d["subdimensions"]]
    codes += [i["code"] for d in raw["dimensions"] for s in d["subdimensions"] for i in s["indicators"]]
    assert len(codes) == len(set(codes))
    assert all(c.replace("_", "").isalnum() and c == c.lower() for c in codes)


def test_every_informant_named_has_english_wording_marked_as_source(questionnaire):
    for indicator in questionnaire.indicators.values():
        assert indicator.informants and set(indicator.informants) <= set(INFORMANTS)
        assert set(indicator.wording) == set(indicator.informants), indicator.code
        for informant in indicator.informants:
            assert indicator.text(informant).strip().endswith((".", "?")), (indicator.code, informant)
            assert indicator.wording[informant]["status"]["en"] == "source"


def test_each_informant_group_and_each_type_is_used(questionnaire):
    used = {i for ind in questionnaire.indicators.values() for i in ind.informants}
    assert used == set(INFORMANTS)
    assert {ind.type for ind in questionnaire.indicators.values()} == {"likert", "yes_no", "figure"}


def test_figures_have_a_scoring_rule_and_include_attendance_and_suspensions(questionnaire):
    figures = {c: i.figure for c, i in questionnaire.indicators.items() if i.type == "figure"}
    assert figures["student_attendance"].unit == "%" and figures["student_attendance"].higher_is_better
    assert figures["suspensions"].unit == "per 100 students" and not figures["suspensions"].higher_is_better
    for indicator in questionnaire.indicators.values():
        assert (indicator.scale is not None) == (indicator.type == "likert"), indicator.code
        assert (indicator.figure is not None) == (indicator.type == "figure"), indicator.code
        if indicator.figure:
            assert indicator.figure.min < indicator.figure.max


def test_students_wording_is_short_and_plain(questionnaire):
    for indicator in questionnaire.indicators.values():
        if "students" in indicator.informants:
            text = indicator.text("students")
            assert len(text.split()) <= 16, (indicator.code, text)
            assert max(len(w.strip(".,()")) for w in text.split()) <= 11, (indicator.code, text)


def test_language_status_comes_from_the_wording_files(questionnaire):
    assert questionnaire.languages["en"] == "source"
    assert set(questionnaire.languages) == {"en", "es", "it", "pt", "el", "ro", "pl"}
    files = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["status"] for p in WORDING_DIR.glob("*.yaml")}
    for language, status in questionnaire.languages.items():
        if language != "en":
            assert status == files.get(language, "not_translated"), language
    assert questionnaire.version == 1


def test_the_flat_index_follows_the_file(questionnaire, raw):
    order = [i["code"] for d in raw["dimensions"] for s in d["subdimensions"] for i in s["indicators"]]
    assert list(questionnaire.indicators) == order


def _first_indicator(data):
    return data["dimensions"][0]["subdimensions"][0]["indicators"][0]


def _broken(raw, change):
    data = copy.deepcopy(raw)
    change(data)
    return data


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: _first_indicator(d).update(code=d["dimensions"][1]["subdimensions"][0]["indicators"][0]["code"]),
     "duplicate code 'teacher_wellbeing'"),
    (lambda d: d["dimensions"][1]["subdimensions"][0].update(code="safe_learner"), "duplicate code 'safe_learner'"),
    (lambda d: _first_indicator(d).update(type="slider"), "indicator 'learners_feel_safe': unknown type 'slider'"),
    (lambda d: _first_indicator(d).update(informants=["leaders", "pupils"]),
     "indicator 'learners_feel_safe': unknown informant 'pupils'"),
    (lambda d: d["dimensions"][0].update(pillar="global"), "dimension 'safe_learning': unknown pillar 'global'"),
    (lambda d: _first_indicator(d).pop("scale"), "indicator 'learners_feel_safe': a likert indicator needs a scale"),
    (lambda d: _first_indicator(d)["wording"].pop("families"),
     "indicator 'learners_feel_safe': no en wording for families"),
    (lambda d: d["dimensions"][0]["subdimensions"][0].update(indicators=[]),
     "subdimension 'safe_learner': indicators must be a non-empty list"),
])
def test_a_broken_file_is_refused_with_a_clear_error(raw, change, message):
    with pytest.raises(QuestionnaireError) as caught:
        parse(_broken(raw, change), "questionnaire.yaml")
    assert str(caught.value).startswith(f"questionnaire.yaml: {message}")


def test_a_figure_without_its_rule_is_refused(raw):
    def change(data):
        for d in data["dimensions"]:
            for s in d["subdimensions"]:
                for i in s["indicators"]:
                    if i["code"] == "suspensions":
                        del i["figure"]["higher_is_better"]
    with pytest.raises(QuestionnaireError, match="indicator 'suspensions': a figure needs"):
        parse(_broken(raw, change))


def test_another_version_is_refused():
    with pytest.raises(QuestionnaireError, match="version 2 not found"):
        load(version=2)
    assert load(version=1).version == 1
