"""axe-core (vendored from npm, injected from the test folder) on the main network and Hub pages in Chromium:
no serious or critical violations, in English and in Spanish; and no request leaves the machine."""

from pathlib import Path

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.demo.accounts import demo_users_ensure
from safeschool.web.demo.hub import demo_hub_ensure
from safeschool.web.demo.network import demo_members_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGES = ["/network/", "/network/join/", "/network/members/", "/network/me/", "/hub/", "/hub/c/topic-inclusive/",
         "/hub/programmes/", "/hub/policies/", "/hub/library/", "/hub/wiki/", "/hub/practices/",
         "/hub/practices/new/", "/hub/moderation/", "/hub/newsletters/", "/cocreation/delphi/", "/cocreation/par/",
         "/accounts/password/", "/accounts/password/reset/"]


def serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_network_and_hub_pages_have_no_serious_violations(live_server, browser, log_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user_create(username="member", password="pw-member-12345", role=Role.MEMBER)
    demo_users_ensure()  # the administrator appoints the demo moderators
    demo_members_ensure(n=40)
    from safeschool.web.network.models import Member

    Member.objects.filter(user__username="member").update(level="d", moderator=True)
    assert demo_hub_ensure()
    page = browser.new_page(bypass_csp=True)  # only so that axe itself can be injected; other tests check the CSP
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None)
    found = {}
    page.goto(f"{live_server.url}/network/join/")
    found["/network/join/ (signed out)"] = serious(page)
    page.goto(f"{live_server.url}/accounts/login/?next=/network/")
    log_in(page, "member", "pw-member-12345")
    for language in ("en", "es"):
        if language == "es":
            with page.expect_navigation():  # the switcher submits itself on change (its button is for no-script)
                page.select_option("#language", "es")
        for path in PAGES:
            page.goto(f"{live_server.url}{path}")
            assert page.locator("main h1").count() >= 1, path
            found[f"{path} ({language})"] = serious(page)
    assert {k: v for k, v in found.items() if v} == {}
    assert outside == []  # every asset of these pages is served from this machine
    # the check itself can fail: an image without text and an unlabelled field are caught
    page.set_content('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>')
    caught = serious(page)
    assert any(c.startswith("image-alt") for c in caught) and any(c.startswith("label") for c in caught)
