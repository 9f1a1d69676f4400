"""The mapping form stays compact: columns grouped by instrument, suggestions pre-selected, only the columns that
need a decision open, one short row per column, and a page a third of the size of one full item list per column."""

import re

import pandas as pd
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_mapping_form_is_grouped_compact_and_preselected(client_as, survey_file, tmp_path):
    frame = pd.read_csv(survey_file, dtype=str).rename(columns={"pssm_3": "q_belong_3"})  # a name nothing matches
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    client = client_as("researcher")
    with open(path, "rb") as fh:
        upload = client.post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
    response = client.get(upload["Location"])
    page = response.content.decode()
    assert response.status_code == 200 and frame.shape[1] == 73
    assert len(page) < 100 * 1024  # 257 KB when each of the 73 columns listed every item
    groups = re.findall(r'<details class="mapping-group"( open)?[^>]*>\s*<summary>(.*?)</summary>(.*?)</details>',
                        page, re.S)
    opened = [summary for is_open, summary, _ in groups if is_open]
    assert len(opened) == 1 and opened[0].startswith("Needs a decision")  # only what needs a decision is open
    pending = next(body for is_open, _, body in groups if is_open)
    assert "q_belong_3" in pending and "pssm_4" not in pending.split("<select")[0]
    assert pending.count("<optgroup") >= 5  # an unmatched column may become any item, grouped by instrument
    pssm = next(body for _, summary, body in groups if "<code>pssm</code>" in summary)
    assert 'value="pssm_4" selected' in pssm  # the suggestion is pre-selected
    assert "kss_1" not in pssm and "<optgroup" not in pssm  # a matched column offers its instrument's items only
    assert "17 of 18 items matched" in next(s for _, s, _ in groups if "<code>pssm</code>" in s)
    # each row: the column, its first answers, the select
    row = re.search(r'<div class="mapping-row"><label for="id_col_(\d+)"><code>pssm_4</code></label>'
                    r'<span class="mapping-samples">([^<]+)</span><select', pssm)
    assert row is not None and re.fullmatch(r"\d( · \d){0,2}", row.group(2))
    keys = next(body for _, summary, body in groups if summary.startswith("Id, wave and language"))
    assert "student_id" in keys and "<optgroup" not in keys
