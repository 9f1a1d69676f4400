"""The layout on a 390 px phone and a 1366 px screen in Chromium: the navigation collapses behind a menu button on
the phone, no page is wider than the window, the language switches on change, and the admin has the favicon."""

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.network import services as network
from safeschool.web.research.services import cohort_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def sign_in(page, url, username, password, log_in):
    page.goto(f"{url}/accounts/login/")
    log_in(page, username, password)
    page.wait_for_load_state()


def test_the_phone_menu_collapses_and_opens(live_server, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/")
    toggle, schools = page.locator("button.menu-toggle"), page.locator("#site-menu a", has_text="Schools")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not schools.is_visible() and not page.locator("#language").is_visible()  # links hidden until opened
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert schools.is_visible() and page.locator("#language").is_visible()
    box = page.locator("#site-menu").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    toggle.click()
    assert not schools.is_visible()
    wide = browser.new_page(viewport=DESKTOP)  # on a wide screen: no menu button, the links are there
    wide.goto(f"{live_server.url}/")
    assert not wide.locator("button.menu-toggle").is_visible() and wide.locator("#site-menu a", has_text="Schools").is_visible()


def test_no_page_is_wider_than_the_window(live_server, browser, cohort_dir, log_in, settings, tmp_path):
    settings.IMPORT_STAGING = tmp_path / "imports"
    cohort_load(directory=cohort_dir)
    user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    network.member_join(username="ana", password="pw-long-enough-1", email="ana@example.org", display_name="Ana",
                        stakeholder_type="teacher", country="ES", birth_year=1990, level="c", consent=True)
    wide = {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        for path in ("/", "/network/", "/network/join/", "/no/such/page/"):
            page.goto(f"{live_server.url}{path}")
            wide[(viewport["width"], "signed out", path)] = page.evaluate(OVERFLOW)
        sign_in(page, live_server.url, "ana", "pw-long-enough-1", log_in)
        for path in ("/", "/network/", "/network/me/", "/network/me/consent/membership/withdraw/", "/hub/",
                     "/hub/c/topic-inclusive/"):
            page.goto(f"{live_server.url}{path}")
            wide[(viewport["width"], "member", path)] = page.evaluate(OVERFLOW)
        page.context.clear_cookies()
        sign_in(page, live_server.url, "res", "pw-res-123456", log_in)
        for path in ("/schools/imports/", "/schools/imports/instruments/"):
            page.goto(f"{live_server.url}{path}")
            wide[(viewport["width"], "researcher", path)] = page.evaluate(OVERFLOW)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
    # the check itself can fail: a page made wider than the phone is caught
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/")
    page.evaluate("() => { const d = document.createElement('div'); d.style.width = '800px'; d.textContent = 'x';"
                  " document.querySelector('main').append(d); }")
    assert page.evaluate(OVERFLOW) > 0


def test_the_language_switches_on_change_without_a_button(live_server, browser):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/network/")
    assert not page.locator("form.language button").is_visible()  # only inside <noscript>
    with page.expect_navigation():
        page.select_option("#language", "es")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.url.endswith("/network/")


def test_the_admin_and_every_page_have_the_favicon(live_server, browser, client):
    user_create(username="boss", password="pw-boss-123456", role=Role.ADMIN)
    page = browser.new_page(viewport=DESKTOP)
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "pw-boss-123456")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon.endswith(".svg") and page.request.get(f"{live_server.url}{icon}").status == 200
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 200  # followed to the SVG
    page.goto(f"{live_server.url}/")
    assert page.locator("link[rel=icon]").get_attribute("href") == icon
    assert missing == []
