"""The partnership survey instrument and the needs analysis as packaged: versions, both sides' wording, the coded
taxonomy and services the other apps store codes of, and the translation list kept equal to the YAML texts."""

from __future__ import annotations

import copy

import pytest
import yaml

from safeschool.partnership import PROBLEMS, SERVICES, SIDES, instrument, needs, texts

CONTRACT_PROBLEMS = ["time", "funding", "staff_turnover", "unclear_roles", "data_sharing", "families_reach",
                     "communication", "leadership_support", "bureaucracy", "training_gaps", "trust", "other"]


def test_instrument_version_1_has_dimensions_items_and_both_sides():
    survey = instrument.load(version=1)
    assert survey.version == 1 and survey.scale == (1, 5)
    assert len(survey.dimensions) >= 5
    assert all(len(d.items) >= 3 for d in survey.dimensions)
    assert list(survey.items) == [i.code for d in survey.dimensions for i in d.items]
    for item in survey.items.values():
        assert set(item.wording) == {"school", "rec"}
        assert item.text("school") != item.text("rec")
    assert survey.dimension_items()["trust"] == ["trust_expertise", "trust_reliable", "trust_open"]
    assert instrument.load() is instrument.load(version=1)


def test_an_unknown_version_is_refused():
    with pytest.raises(instrument.InstrumentError, match="version 99"):
        instrument.load(version=99)
    with pytest.raises(needs.NeedsError, match="version 2"):
        needs.load(version=2)


def test_taxonomy_and_services_are_the_contract_codes_with_labels_and_definitions():
    assert list(PROBLEMS) == CONTRACT_PROBLEMS
    assert all(p.label and p.definition.endswith(".") for p in PROBLEMS.values())
    assert list(SERVICES) == ["training", "coaching", "case_management", "psychological", "family_liaison"]
    assert list(SIDES) == ["school", "rec"]
    survey = instrument.load()
    assert list(survey.problems) == CONTRACT_PROBLEMS and list(survey.services) == list(SERVICES)
    assert [p["code"] for p in survey.as_json()["problems"]] == CONTRACT_PROBLEMS


def test_an_item_without_the_rec_wording_is_refused():
    data = yaml.safe_load(instrument.DEFAULT_FILE.read_text())
    broken = copy.deepcopy(data)
    del broken["dimensions"][0]["items"][0]["rec"]
    with pytest.raises(instrument.InstrumentError, match="goals_agreed': no wording for the rec side"):
        instrument.parse(broken)
    duplicate = copy.deepcopy(data)
    duplicate["dimensions"][1]["items"][0]["code"] = "goals_agreed"
    with pytest.raises(instrument.InstrumentError, match="duplicate code 'goals_agreed'"):
        instrument.parse(duplicate)


def test_needs_topics_formats_and_roles():
    analysis = needs.load(version=1)
    assert list(analysis.roles) == ["leader", "teacher"] and analysis.scale == (1, 4)
    leader = [t.code for t in analysis.topics_for("leader")]
    teacher = [t.code for t in analysis.topics_for("teacher")]
    assert "leading_change" in leader and "leading_change" not in teacher
    assert "classroom_climate" in teacher and "classroom_climate" not in leader
    assert {"workshop", "online_course", "coaching"} <= set(analysis.formats)
    with pytest.raises(KeyError):
        analysis.topics_for("student")
    data = yaml.safe_load(needs.DEFAULT_FILE.read_text())
    data["topics"][0]["roles"] = ["parent"]
    with pytest.raises(needs.NeedsError, match="roles must be"):
        needs.parse(data)


def test_every_yaml_text_is_marked_for_translation():
    survey, analysis = instrument.load(), needs.load()
    shown = {survey.name, *survey.anchors.values(), analysis.name, *analysis.anchors.values(),
             *analysis.roles.values(), *analysis.formats.values(), *(t.name for t in analysis.topics.values())}
    for d in survey.dimensions:
        shown |= {d.name, *(text for i in d.items for text in i.wording.values())}
    assert shown == set(texts.TEXTS)
