"""The instruments page shows, per instrument, the wording it publishes per language by translation status."""

import re

from django.urls import reverse


def test_instrument_page_shows_wording_coverage_per_language(client_as):
    page = client_as("researcher").get(reverse("imports:instruments"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    climate = page[page.index("<code>climate</code>"):page.index("</article>", page.index("<code>climate</code>"))]
    assert "Forward translation" in climate
    # source, forward, back-translated, reviewed, missing: ten Spanish items, forward only
    assert re.search(r'<td lang="es">Español</td>\s*<td class="num">0</td><td class="num">10</td>'
                     r'<td class="num">0</td><td class="num">0</td><td class="num">0</td>', climate)
    assert re.search(r'<td lang="en">English</td>\s*<td class="num">10</td><td class="num">0</td>', climate)
    pssm = page[page.index("<code>pssm</code>"):page.index("</article>", page.index("<code>pssm</code>"))]
    assert "Forward translation" not in pssm  # licensed: no published wording


def test_instrument_page_names_the_field_a_scale_fills_in_words(client_as):
    page = client_as("researcher").get(reverse("imports:instruments"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>Teacher record: self-efficacy</td>" in page
    assert "<td>Student record: sense of belonging</td>" in page
    assert "teacher.self_efficacy" not in page and "student.belonging" not in page
