"""Item wording per language with each translation's status (forward, back_translated, reviewed): the shipped
instruments the network may publish carry it, licensed ones do not; mistakes are refused in one line naming the
instrument, item and language; `safeschool instruments` lists the coverage."""

from __future__ import annotations

import pytest
import yaml
from django.conf import settings
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.instruments.registry import LANGUAGES, TRANSLATION_STATUSES, InstrumentError, parse, registry

BASE = {"code": "demo", "name": "Demo", "respondent": "student", "level": "community",
        "response": {"min": 1, "max": 5}, "items": 2, "scales": [{"code": "demo"}]}


def test_the_registry_knows_the_platforms_languages():
    assert tuple(code for code, _ in settings.LANGUAGES) == LANGUAGES


def test_the_projects_own_instruments_are_worded_in_english_spanish_and_italian():
    found = registry()
    for code in ("climate", "engagement"):
        ins = found[code]
        n = len(ins.items)
        assert ins.coverage() == {"en": {"source": n, "missing": 0}, "es": {"forward": n, "missing": 0},
                                  "it": {"forward": n, "missing": 0}}  # honest: forward translations only
        for item in ins.items:
            assert ins.text(item, "es").text != ins.text(item, "en").text != ins.text(item, "it").text
    assert found["climate"].text("climate_1", "es").text == "Me siento seguro o segura en este centro."
    assert found["climate"].text("climate_1", "pl") is None


@pytest.mark.parametrize("code", ["pssm", "kss", "strs_sf", "tses_sf"])
def test_licensed_instruments_carry_no_published_wording(code):
    assert registry()[code].wording == {} and registry()[code].coverage() == {}


def test_wording_is_parsed_with_statuses_and_counted_per_language():
    ins = parse(BASE | {"wording": {
        1: {"en": {"text": "  One\n item "}, "es": {"text": "Uno", "status": "reviewed"},
            "pl": {"text": "Jeden", "status": "back_translated"}},
        2: {"en": {"text": "Two"}, "es": {"text": "Dos", "status": "forward"}}}})
    assert ins.text("demo_1", "en").text == "One item" and ins.text("demo_1", "en").status == "source"
    assert ins.coverage() == {"en": {"source": 2, "missing": 0}, "es": {"reviewed": 1, "forward": 1, "missing": 0},
                              "pl": {"back_translated": 1, "missing": 1}}
    assert set(TRANSLATION_STATUSES) == {"forward", "back_translated", "reviewed"}


@pytest.mark.parametrize(("wording", "message"), [
    ({1: {"es": {"text": "Uno", "status": "done"}}},
     r"^x\.yaml: demo item 1 \(es\): status 'done' is not one of forward, back_translated, reviewed$"),
    ({1: {"es": {"text": "Uno"}}}, r"^x\.yaml: demo item 1 \(es\): status None is not one of"),
    ({2: {"fr": {"text": "Deux", "status": "forward"}}}, r"^x\.yaml: demo item 2 \(fr\): unknown language 'fr'"),
    ({1: {"en": {"text": "One", "status": "forward"}}},
     r"^x\.yaml: demo item 1 \(en\): the source language's wording has no translation status$"),
    ({1: {"it": {"status": "forward"}}}, r"^x\.yaml: demo item 1 \(it\): needs a text$"),
    ({3: {"en": {"text": "Three"}}}, r"^x\.yaml: demo: wording for item 3, which is not between 1 and 2$"),
    ({1: "One"}, r"^x\.yaml: demo item 1: wording must map languages"),
])
def test_wording_mistakes_are_refused_in_one_line(wording, message):
    with pytest.raises(InstrumentError, match=message) as caught:
        parse(BASE | {"wording": wording}, "x.yaml")
    assert "\n" not in str(caught.value)


def test_an_unknown_source_language_is_refused():
    with pytest.raises(InstrumentError, match="source_language 'xx' is not one of en, es"):
        parse(BASE | {"source_language": "xx"}, "x.yaml")


def test_own_instrument_files_with_wording_load_from_the_instruments_folder(tmp_path, monkeypatch):
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(BASE | {"wording": {1: {"en": {"text": "One"}}}}))
    monkeypatch.setenv("SAFESCHOOL_INSTRUMENTS", str(tmp_path))
    assert registry()["demo"].coverage() == {"en": {"source": 1, "missing": 1}}


def test_the_instruments_command_lists_coverage_and_wording():
    runner = CliRunner()
    result = runner.invoke(app, ["instruments"], terminal_width=200)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "climate" in line]
    assert len(rows) == 3 and any(" es " in r and " 10 " in r for r in rows)
    assert "No published wording: kss, pssm, strs_sf, tses_sf" in result.output
    spanish = runner.invoke(app, ["instruments", "--wording", "es"], terminal_width=200)
    assert "climate_1" in spanish.output and "Me siento seguro o segura en este centro." in spanish.output
    assert "forward" in spanish.output
    refused = runner.invoke(app, ["instruments", "--wording", "xx"])
    assert refused.exit_code != 0 and "unknown language 'xx'" in refused.output
