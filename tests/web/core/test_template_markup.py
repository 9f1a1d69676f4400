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


def card_cells_without_label(text: str) -> list[str]:
    """Under 600 px a `table.table-cards` row becomes a card whose cells name their column from `data-label`; a
    cell without one (other than a row-wide message with colspan) reads as a bare value on a phone."""
    tables = re.findall(r"<table[^>]*\btable-cards\b[^>]*>.*?</table>", text, flags=re.S)
    return [td for table in tables for td in re.findall(r"<td\b[^>]*>", table)
            if "data-label=" not in td and "colspan=" not in td]


def test_every_card_table_cell_names_its_column():
    found = {str(path.relative_to(TEMPLATES)): bad for path in TEMPLATES.rglob("*.html")
             if (bad := card_cells_without_label(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_check_catches_a_card_cell_without_label():
    assert card_cells_without_label('<table class="table-cards"><tr><td data-label="A">1</td><td>2</td></tr></table>')
    assert not card_cells_without_label('<table class="table-cards"><tr><td data-label="A">1</td>'
                                        '<td colspan="2">none</td></tr></table><table><td>x</td></table>')
