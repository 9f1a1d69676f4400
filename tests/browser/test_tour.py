"""Issue 14's definition of done: every page of README's tour (safeschool.web.demo.tour), as each role, at 1366 px
and 390 px, in Chromium: no horizontal overflow, no console error or warning (nor an uncaught error or a chart that
failed to draw), no axe-core violation of any impact (every page at 390 px, see AXE_WIDTH), and no raw output in
the visible text ("nan", "None", "-0", "TRUE", "FALSE", "<1e-", snake_case codes, model terms). Every problem of every page is collected into one dict, so
one run lists everything.

One seeded database serves all roles (the demo seeded with the small test cohort and 100 members, about 30 s):
transactional tests flush the database after each test, so the roles share one test rather than re-seeding per role;
the problems are keyed "role page @width" instead."""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from safeschool.web.demo.tour import HEIGHT, ROLES, WIDTHS, tour_log_in, tour_steps, tour_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# axe-core takes about 2 s a page: it runs on every page at the phone width (collapsed menu, reflowed tables) and
# at 1366 px on each role's first page (that role's wide header and navigation, the same on all its pages).
AXE_WIDTH = 390

# Raw output a person should never read; each pattern names what it catches.
RAW = {
    "nan/None/TRUE/FALSE": re.compile(r"(?<![\w-])(?:nan|NaN|None|TRUE|FALSE)(?![\w-])"),
    "negative zero": re.compile(r"(?<![\w.,])[-−]0(?:[.,]0+)?(?![.,]?\d)(?!\w)"),
    "p-value in e-notation": re.compile(r"<\s*1e-|\b\d(?:\.\d+)?e[-+]\d+\b"),
    "code (snake_case)": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "model term": re.compile(r"\b[a-z][a-z_]*(?:TRUE|FALSE|True|False)\b|\b[a-z][a-z_]*[a-z][A-Z]\w*\b"
                             r"|\[T\.[^\]]*\]|\bC\(\w+\)"),
}
# Legitimately shown, cut out before matching: an e-mail address, a file name (student_items.csv) and the Django
# admin's "None available" (prose: no recent actions). Words a page marks up as <code> (item and instrument names a
# researcher types into a file) and, on the import preview, the uploaded file's own column names are allowed too.
ALLOWED = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+\.(?:csv|xlsx|sav|dta|yaml|json|pdf|txt|png)\b"
                     r"|\bNone available\b")
# Split at spaces and at a model formula's operators, so "(1|school_id/class_id)" allows school_id and class_id.
CODE_WORDS = ("() => [...document.querySelectorAll('code, kbd, samp')]"
              ".flatMap(e => e.innerText.split(/[\\s|()\\/+~*:]+/))")

OVERFLOWING = """() => {
  const width = window.innerWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= width + 1 || r.width === 0) continue;
    let clipped = false;  // inside a box that scrolls or clips: not the page's overflow
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== 'visible') { clipped = p.getBoundingClientRect().right <= width + 1; if (clipped) break; }
    }
    if (clipped || [...el.children].some(c => c.getBoundingClientRect().right > width + 1)) continue;
    const id = el.id ? '#' + el.id : '', cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
    out.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(r.right)} px)`);
  }
  return {scroll: document.documentElement.scrollWidth, inner: width, culprits: out.slice(0, 4)};
}"""


def raw_text(text: str, allowed: set[str]) -> list[str]:
    """Each raw token in the visible text, with what kind it is and the line it stands in."""
    found = []
    for line in text.splitlines():
        clean = ALLOWED.sub(" ", line)
        for kind, pattern in RAW.items():
            for m in pattern.finditer(clean):
                if m.group(0) not in allowed:
                    found.append(f"{kind}: {m.group(0)!r} in {line.strip()[:120]!r}")
    return sorted(set(found))


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])}x, e.g. {v['nodes'][0]['target']}"
            for v in result["violations"]]


def file_columns(path: Path) -> set[str]:
    with path.open(newline="") as f:
        return set(next(csv.reader(f)))


def test_raw_text_patterns_catch_what_the_issue_saw_and_spare_real_figures():
    seen = ("-0 (-0–0)\nmigrant_backgroundTRUE\ngenderM\n<1e-16\nnan of nan\nschool_board\nC(gender)[T.M]\n"
            "Attendance None\nFALSE")
    kinds = {p.split(":")[0] for p in raw_text(seen, set())}
    assert kinds == set(RAW)
    fine = ("-0.5 (-1.2–0.3)\nWave 2020-01\n0.05\n−0.25\nNone of the above\nstudent_items.csv\n"
            "member-001@example.org\n10–14\n< 0.001\nGender: boys")
    assert raw_text(fine, set()) == ["nan/None/TRUE/FALSE: 'None' in 'None of the above'"]
    assert raw_text("student_id", {"student_id"}) == []


@pytest.fixture
def seeded_tour(closed_rounds_flushable, cohort_dir, settings, tmp_path):
    """The demo, seeded through the same functions as `safeschool demo` but with the small test cohort, 100
    members (enough for a Delphi panel of 20) and the MAIHDA run of the tour; analyses run by the worker. The
    self-evaluation, the label and the interventions' trials are seeded in full (on the small cohort's schools)."""
    from safeschool.web.demo import (
        accounts,
        analysis,
        cocreation,
        hub,
        indicators,
        interventions,
        label,
        learning,
        network,
        recs,
        reports,
        screening,
        selfeval,
    )
    from safeschool.web.demo.tour import tour_prepare
    from safeschool.web.research.services import cohort_load

    settings.MEDIA_ROOT = tmp_path / "media"
    started = time.monotonic()
    cohort_load(directory=cohort_dir)
    accounts.demo_users_ensure()
    analysis.demo_analysis_ensure()
    network.demo_members_ensure(n=100)
    hub.demo_hub_ensure()
    assert cocreation.demo_cocreation_ensure()
    print(screening.demo_screening_ensure())
    print(selfeval.demo_selfeval_ensure())
    print(label.demo_label_ensure())
    print(interventions.demo_interventions_ensure())
    print(recs.demo_recs_ensure())
    print(learning.demo_learning_ensure())
    print(indicators.demo_indicators_ensure(), reports.demo_briefs_ensure())
    tour_prepare()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    print(f"seeded the tour in {time.monotonic() - started:.0f} s")
    return tour_steps(upload=cohort_dir / "student_items.csv")


def listen(page) -> list[str]:
    """The page's console errors and warnings and uncaught errors, as they come (the caller clears the list)."""
    heard: list[str] = []
    page.on("console", lambda m: heard.append(f"console {m.type}: {m.text} ({m.location.get('url', '')})")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: heard.append(f"uncaught: {e}"))
    return heard


def page_problems(page, step, heard: list[str], *, axe: bool) -> list[str]:
    """Everything wrong with the page the browser shows now, one line each."""
    found = []
    if step.status == 404:  # the browser reports the page's own 404 status as a console error
        heard = [h for h in heard if "status of 404" not in h or step.path not in h]
    found += heard
    found += [f"chart failed to draw: {c}" for c in page.eval_on_selector_all(
        "figure.chart[data-rendered=error]", "els => els.map(e => e.dataset.chart || e.id || '?')")]
    box = page.evaluate(OVERFLOWING)
    if box["scroll"] > box["inner"]:
        found.append(f"overflow: page is {box['scroll']} px wide in {box['inner']} px; widest: "
                     + "; ".join(box["culprits"]))
    if axe:
        found += [f"axe {v}" for v in axe_violations(page)]
    allowed = set(page.evaluate(CODE_WORDS)) | (file_columns(step.upload) if step.upload else set())
    return found + raw_text(page.evaluate("() => document.body.innerText"), allowed)


def test_every_tour_page_is_clean_for_every_role_at_both_widths(live_server, browser, seeded_tour):
    started = time.monotonic()
    problems: dict[str, list[str]] = {}
    uploaded: dict = {}
    for role in ROLES:
        steps = [s for s in seeded_tour if s.role == role]
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT}, bypass_csp=True)  # for axe
        page = context.new_page()
        heard = listen(page)
        tour_log_in(page, live_server.url, role)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            for step in steps:
                heard.clear()
                status = tour_visit(page, live_server.url, step, uploaded)
                found = [f"status {status}, expected {step.status}"] if status != step.status else []
                found += page_problems(page, step, heard, axe=width == AXE_WIDTH or step == steps[0])
                if found:
                    problems[f"{role} {step.name} ({step.path}) @{width}"] = found
        context.close()
    print(f"toured {len(seeded_tour)} pages at {len(WIDTHS)} widths in {time.monotonic() - started:.0f} s")
    for key, found in problems.items():  # shown by pytest when the test fails: everything, page by page
        print(key, *(f"  - {f}" for f in found), sep="\n")
    assert problems == {}
