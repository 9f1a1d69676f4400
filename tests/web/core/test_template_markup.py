"""Markup rules every template keeps, read from the template files themselves."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "safeschool" / "web"


def scroll_boxes_without_keyboard_access(text: str) -> list[str]:
    """A box in which a table scrolls must take keyboard focus (axe: scrollable-region-focusable), or people who
    do not use a mouse cannot reach its hidden columns."""
    return [tag for tag in re.findall(r"<div[^>]*\btable-scroll\b[^>]*>", text) if "tabindex=" not in tag]


def test_every_table_scroll_box_takes_keyboard_focus():
    found = {str(path.relative_to(TEMPLATES)): bad for path in TEMPLATES.rglob("*.html")
             if (bad := scroll_boxes_without_keyboard_access(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_check_catches_a_box_without_focus():
    assert scroll_boxes_without_keyboard_access('<div class="table-scroll"><table></table></div>')
    assert not scroll_boxes_without_keyboard_access('<div class="table-scroll" tabindex="0"><table>')
