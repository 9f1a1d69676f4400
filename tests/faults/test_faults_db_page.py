"""The page a request gets while the database is unavailable: 503 with Retry-After and a translated "try again in a
minute", no traceback, rendered without touching the database; a query that is merely wrong stays a 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from safeschool.web.core.middleware import database_unavailable

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("exc", "expected"), [
    (OperationalError("database is locked"), True),
    (OperationalError("unable to open database file"), True),
    (OperationalError('connection to server at "127.0.0.1", port 5445 failed: Connection refused'), True),
    (OperationalError("terminating connection due to administrator command"), True),
    (InterfaceError("connection already closed"), True),
    (OperationalError("no such table: research_school"), False),
    (ValueError("database is locked"), False),
])
def test_what_counts_as_unavailable(exc, expected):
    assert database_unavailable(exc) is expected


def _down(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_view_that_finds_the_database_locked_gets_the_503_page():
    client = Client(raise_request_exception=False)
    with mock.patch("safeschool.web.core.views.import_string", side_effect=_down):  # the home page's queries
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    text = response.content.decode()
    assert "The database is unavailable; try again in a minute" in text
    assert "Traceback" not in text and "OperationalError" not in text and "database is locked" not in text
    assert 'class="site-header"' in text  # in the site's layout


def test_a_middleware_that_finds_the_database_gone_gets_the_503_page_too(django_user_model):
    """The user is looked up by a middleware (ProfileLanguageMiddleware), before any view: its failure reaches
    core.views.server_error, which answers 503 the same way."""
    user = django_user_model.objects.create_user("u", password="pw-u-123456")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    with mock.patch("safeschool.web.accounts.middleware.profile_language",
                    side_effect=InterfaceError("connection already closed")):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "The database is unavailable" in response.content.decode()


def test_the_page_is_rendered_without_a_query(django_assert_num_queries):
    from safeschool.web.core.middleware import database_unavailable_response

    with django_assert_num_queries(0):
        response = database_unavailable_response()
    assert response.status_code == 503


def test_a_wrong_query_is_still_a_server_error():
    client = Client(raise_request_exception=False)
    with mock.patch("safeschool.web.core.views.import_string",
                    side_effect=OperationalError("no such table: research_school")):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500


def test_the_page_speaks_the_reader_language():
    """The catalogues may not have the sentence yet (the lead re-extracts them): the page is rendered through
    {% translate %} in the language LocaleMiddleware chose, which its lang attribute shows."""
    client = Client(raise_request_exception=False)
    with mock.patch("safeschool.web.core.views.import_string", side_effect=_down):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 503
    assert '<html lang="it">' in response.content.decode()
