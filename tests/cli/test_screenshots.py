"""The contact sheet `make screenshots` writes: every screenshot under its width, linked, captioned and escaped."""

from safeschool.cli.screenshots import contact_sheet


def test_contact_sheet_links_every_screenshot_by_width_with_escaped_names():
    shots = [(1366, "member", "home", "1366/member-home.png"), (390, "member", "home", "390/member-home.png"),
             (390, "staff", "<b>", "390/staff-x.png")]
    page = contact_sheet(shots)
    assert page.index("<h2>1366 px</h2>") < page.index('href="1366/member-home.png"') < page.index("<h2>390 px</h2>")
    assert page.index("<h2>390 px</h2>") < page.index('href="390/member-home.png"')
    assert 'alt="staff: &lt;b&gt; at 390 px"' in page and "<b>" not in page
    assert page.count("<figure>") == 3
