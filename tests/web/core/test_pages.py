"""The site's own pages in production: chart scripts only where there are charts, the error pages in the site's
layout, the health check for monitors."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path, reverse

from safeschool.web import urls as site_urls

pytestmark = pytest.mark.django_db

VEGA = re.compile(r'<script src="[^"]*/(vega|vega-lite|vega-embed)\.min[^"]*\.js"|core/charts[^"]*\.js')


def _boom(request):
    raise RuntimeError("a bug")


# A test-only URLconf: the site's pages, error handlers, and one view that fails.
urlpatterns = [*site_urls.urlpatterns, path("boom/", _boom)]
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def test_login_and_home_load_no_chart_scripts_while_a_school_profile_does(client, client_as, school):
    for url in (reverse("accounts:login"), reverse("core:home")):
        body = client.get(url).content.decode()
        assert not VEGA.search(body), url
    body = client_as("member").get(reverse("research:school_detail", args=[school.pk])).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', body)
    assert [s.rsplit("/", 1)[1] for s in scripts[:4]] == ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js",
                                                          "charts.js"]
    assert len(scripts) == len(set(scripts))  # four charts, each script once


def test_a_country_page_loads_the_chart_scripts(client_as, school):
    body = client_as("member").get(reverse("research:country_detail", args=[school.country.code])).content.decode()
    assert VEGA.search(body)


def test_404_is_styled_in_the_site_layout(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "This page does not exist" in body and '<nav id="site-menu"' in body and "site.css" in body
    assert '<main class="container" id="content">' in body and "<h1>" in body


@override_settings(ROOT_URLCONF=__name__)
def test_500_is_styled_in_the_site_layout_without_touching_the_database(client, django_assert_num_queries):
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body and '<nav id="site-menu"' in body and "site.css" in body
    assert '<main class="container" id="content">' in body and "<h1>" in body
    assert "a bug" not in body  # no traceback for the visitor


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_503_when_the_database_is_unreachable(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
