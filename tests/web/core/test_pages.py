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
    body = client.get(reverse("accounts:login")).content.decode()
    assert not VEGA.search(body)
    # the home page draws the network's map, so it loads them (once each)
    scripts = re.findall(r'<script src="([^"]+)"', client.get(reverse("core:home")).content.decode())
    assert sum(1 for s in scripts if VEGA.search(f'<script src="{s}"')) == 4
    body = client_as("member").get(reverse("research:school_detail", args=[school.pk])).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', body)
    charts = [s.rsplit("/", 1)[1] for s in scripts if VEGA.search(f'<script src="{s}"')]
    assert charts == ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "charts.js"]
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


def test_every_error_page_has_the_layout_a_main_landmark_and_a_heading():
    from django.template.loader import render_to_string

    for name, context in (("403", {"reason": "Only moderators can do this."}), ("404", {}), ("429", {}),
                          ("429", {"message": "There have been too many posts in a short time."}), ("500", {})):
        body = render_to_string(f"core/{name}.html", context)
        assert '<main class="container" id="content">' in body and "<h1>" in body, name
        assert 'class="card surface error-page"' in body and "favicon.svg" in body, name
    busy = render_to_string("core/429.html", {"message": "There have been too many posts in a short time."})
    assert "too many posts in a short time. Wait a while and try again." in busy
    assert "too many attempts" not in busy  # the view's own sentence replaces the general one
    assert "Only moderators can do this." in render_to_string("core/403.html", {"reason": "Only moderators can do this."})


def test_the_admin_has_the_site_favicon_and_favicon_ico_points_to_it(client_as):
    page = client_as("admin").get(reverse("admin:index"))
    assert page.status_code == 200
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.content.decode())
    assert icon and icon.group(1).endswith(".svg")
    redirect = client_as("admin").get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == icon.group(1)
