"""The public indicator pages and the figures the reports reuse, on a hand-made release: distance to the target
(its sign and words), the years each target was met (strictly below), flags in words, the network's measure beside
(suppressed under MIN_CELL), the simulated banner, the empty page, and unknown, lowercase and hostile codes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from esl_files import NATIONAL, REGIONAL, registry

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.indicators import figures, selectors, services
from safeschool.web.indicators.models import Release
from safeschool.web.research.models import School
from safeschool.web.research.services import staff_appoint

ROLES = ("anonymous", "member", "staff", "researcher", "admin")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The registry and both releases, made once for the module (rolled back at its end)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        registry()
        services.release_import(data=NATIONAL.encode(), name="estat_sdg_04_10.tsv")
        services.release_import(data=REGIONAL.encode(), name="estat_edat_lfse_16.tsv", simulated=True)
        users = {role: user_create(username=role, password=f"pw-{role}-12345", role=value) for role, value in
                 (("member", Role.MEMBER), ("staff", Role.STAFF), ("researcher", Role.RESEARCHER),
                  ("admin", Role.ADMIN))}
        staff_appoint(user=users["staff"], school=School.objects.get(code="S-IT"))
    yield {role: user.pk for role, user in users.items()}
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def as_role(world, client, db):
    from django.contrib.auth import get_user_model

    def login(role):
        if role != "anonymous":
            client.force_login(get_user_model().objects.get(pk=world[role]))
        return client
    return login


def test_summary_distance_and_years_met_on_the_hand_made_release(world, db):
    it, mt = selectors.country_esl("it"), selectors.country_esl("MT")
    assert [p.value for p in it["points"]] == [13.3, 13.1, 12.7, 11.5] and it["release"].dataset == "sdg_04_10"
    assert it["summary"]["distance"] == pytest.approx(2.5) and it["summary"]["met"] is False
    assert it["summary"]["breaks"] == [2020] and it["summary_2020"]["years_met"] == []
    assert mt["summary"]["distance"] == pytest.approx(-0.5) and mt["summary"]["met"] is True
    assert mt["summary"]["years_met"] == [2021, 2022]  # 9.0 in 2020 is not below 9 %
    assert mt["summary_2020"]["years_met"] == [2019, 2020, 2021, 2022]
    assert selectors.country_esl("XX") is None and selectors.country_esl("") is None


def test_facts_and_figure_read_as_a_person_says_them(world, db):
    with translation.override("en"):
        facts = dict(figures.esl_facts("IT").items)
        assert facts["Latest (2022)"] == "11.5\u00a0% (provisional)"
        assert facts["Distance to the 2030 target (below 9 %)"] == "2.5 points above the 2030 target"
        assert facts["Years below 9 % (2030 target)"] == "none" and facts["Breaks in series"] == "2020"
        mt = dict(figures.esl_facts("MT").items)
        assert mt["Distance to the 2030 target (below 9 %)"] == "0.5 points below the 2030 target"
        assert mt["Years below 9 % (2030 target)"] == "2021–2022" and mt["2030 target"].startswith("Met")
        figure = figures.esl_figure("IT")
    assert figure.chart.kind == "lines" and figure.chart.flag == "flags" and figure.chart.series == "sex"
    assert [r.value for r in figure.chart.rules] == [0.09, 0.10]
    assert len(figure.table.rows) == 12 and {r["sex"] for r in figure.table.rows} == {"Total", "Female", "Male"}
    row = next(r for r in figure.table.rows if r["sex"] == "Total" and r["year"] == 2020)
    assert (row["value"], row["flags"], row["distance"]) == (0.131, "b", pytest.approx(4.1))
    assert "b = break in time series" in figure.note and "p = provisional" in figure.note
    assert "Break in series in 2020" in figure.note and "not Eurostat" not in figure.note
    assert figures.esl_figure("PT") is None and figures.esl_facts("PT") is None


def test_the_networks_measure_is_labelled_and_suppressed_under_min_cell(world, db):
    it = figures.network_esl("IT")
    assert (it["wave"], it["n"], it["value"], it["suppressed"]) == (2, 12, 0.25, False)
    assert "a different measure" in it["label"] and it["text"] == "25.0\u00a0%"
    es = figures.network_esl("ES")  # 4 students
    assert es["suppressed"] and es["value"] is None and es["n"] is None and es["n_text"] is None
    assert figures.network_esl("PT") is None and figures.network_esl("MT") is None


def test_the_overview_orders_network_countries_then_the_eu_then_others(world, db):
    assert [e["code"] for e in selectors.esl_overview()] == ["IT", "EU27_2020", "MT"]


@pytest.mark.parametrize("role", ROLES)
def test_the_index_page_for_everyone(as_role, role):
    response = as_role(role).get(reverse("indicators:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2.5 points above the 2030 target" in page and "0.5 points below the 2030 target" in page
    assert "European Union (27 countries, from 2020)" in page and "Malta" in page
    assert page.index('id="geo-IT"') < page.index('id="geo-EU27_2020"') < page.index('id="geo-MT"')
    assert "a different measure" in page and "25.0\u00a0%" in page
    assert "estat_sdg_04_10.tsv" in page
    assert "Simulated figures." in page  # the regional release is simulated
    assert ("Import a Eurostat file" in page) == (role in ("researcher", "admin"))


@pytest.mark.parametrize("code", ["IT", "it"])
def test_the_country_page_by_any_case(as_role, code):
    response = as_role("anonymous").get(reverse("indicators:country", args=[code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Early leaving in Italy" in page and "ITC4" in page and "ITF3" in page
    assert "16.0\u00a0%" in page  # ITF3's latest year with a figure (2021; 2022 is ':')
    assert "b = break in time series" in page and "Break in series in 2020" in page
    assert "For reference: European Union" in page and "a different measure" in page
    assert page.count('class="table-scroll" tabindex="0"') >= 1


def test_other_pages_of_the_country_for_every_role(as_role):
    for role in ROLES[1:]:
        assert as_role(role).get(reverse("indicators:country", args=["MT"])).status_code == 200
    page = as_role("admin").get(reverse("indicators:country", args=["PT"])).content.decode()
    assert "no national figures for Portugal" in page  # a registry country without figures


@pytest.mark.parametrize("code", ["XX", "<script>", "EU27_2020x", "a" * 40, "IT%00"])
def test_unknown_and_hostile_codes_are_not_found(as_role, code):
    assert as_role("anonymous").get(f"/indicators/{code}/").status_code == 404


def test_no_banner_without_a_simulated_release(as_role):
    Release.objects.filter(simulated=True).delete()
    page = as_role("anonymous").get(reverse("indicators:index")).content.decode()
    assert "Simulated figures." not in page and "2.5 points above" in page



def test_the_pages_draw_their_figures_as_the_sites_charts(as_role):
    country = as_role("anonymous").get(reverse("indicators:country", args=["IT"])).content.decode()
    start = country.index('data-chart="esl-it"')
    assert '<script type="application/json">' in country[start:] and "vendor/vega-lite.min.js" in country
    assert '"2030 target: below 9.0\\u00a0%"' in country  # the rule's label travels in the spec
    index = as_role("anonymous").get(reverse("indicators:index")).content.decode()
    assert 'data-chart="esl-latest"' in index and "vendor/vega-lite.min.js" in index
