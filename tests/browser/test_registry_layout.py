"""The intervention registry on a 390 px phone and a 1366 px screen: no page wider than the window, the header's
menu (with Interventions) on one row on the wide screen, and the logic model's five stages side by side there and
stacked on the phone; and axe-core finds no serious or critical violation on any of them."""

import os
from pathlib import Path

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import services_registry as registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = os.environ.get("SAFESCHOOL_SCREENSHOTS", "")  # a directory: save screenshots there to look at


def test_registry_pages_fit_the_phone_and_the_screen(live_server, browser, log_in):
    user = user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    made = registry.intervention_create(user=user, data={
        "name": "Alternatives to exclusion with a deliberately long name that has to wrap", "status": "ready",
        "why": "Exclusion predicts offending; " * 20, "outcomes": ["exclusion", "attendance"],
        "level": "community"})
    registry.logic_set(user=user, intervention=made, lines={
        "inputs": ["Youth justice practitioners", "Two hours a week"], "activities": ["Restorative meetings"],
        "outputs": ["Meetings held"], "short_term": ["Fewer suspensions"], "long_term": ["Fewer young people "
                                                                                         "in custody"]})
    registry.version_create(user=user, intervention=made, context="Greek islands", changes="Online meetings",
                            reasons="Distance", fields={"delivery": "Online"})
    # the edit, new-version and co-producer forms share the registration form's template and styles
    paths = ["/interventions/", "/interventions/new/", f"/interventions/{made.pk}/",
             f"/interventions/{made.pk}/logic/", f"/interventions/{made.pk}/versions/2/"]
    wide, stages, violations = {}, {}, {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport, bypass_csp=True)  # only so that axe can be injected
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, "res", "pw-res-123456")
        page.wait_for_load_state()
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            wide[(viewport["width"], path)] = page.evaluate(OVERFLOW)
            if viewport is DESKTOP:
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                violations[path] = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                                    if v["impact"] in ("serious", "critical")]
            if SHOTS:
                name = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=f"{SHOTS}/{viewport['width']}-{name}.png", full_page=True)
            if path == f"/interventions/{made.pk}/":
                tops = page.eval_on_selector_all(".logic-flow > li", "els => els.map(e => e.getBoundingClientRect().top)")
                stages[viewport["width"]] = len(set(round(t) for t in tops))
        if viewport is DESKTOP:  # the menu on one row: every entry's top within a few pixels of the first's
            tops = page.eval_on_selector_all(".nav-links > li", "els => els.map(e => e.getBoundingClientRect().top)")
            assert max(tops) - min(tops) < 8, tops
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert stages == {390: 5, 1366: 1}
    assert {k: v for k, v in violations.items() if v} == {} and len(violations) == len(paths)  # stacked on the phone, one row of five on the screen
