"""The Delphi CSVs (final report, per-round results) neutralise formula cells written by panellists or researchers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import services
from safeschool.web.network import services as network

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_delphi_csvs_neutralise_formulas(client):
    researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    panel = [network.member_join(username=f"p{i}", password="pw-long-enough-1", email=f"p{i}@example.org",
                                 display_name=f"P{i}", stakeholder_type="teacher", country="ES",
                                 birth_year=date.today().year - 40, level="c", consent=True) for i in range(10)]
    study = services.study_create(user=researcher, title="Study", rule={"name": "comet"})
    services.panel_invite(user=researcher, study=study, members=panel)
    services.statement_add(user=researcher, study=study, code="S1", text=HOSTILE, level="relational")
    round_ = services.round_open(user=researcher, study=study)
    statement = round_.statements.get()
    for m in panel:
        services.rating_submit(user=m.user, round=round_, statement=statement, value=8, comment="")
    services.round_close(user=researcher, round=round_)
    client.force_login(researcher)
    report = client.get(reverse("cocreation:report_as", args=[study.pk, "csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(report)))
    assert rows[0]["Text"] == "'" + HOSTILE and float(rows[0]["Median"]) == 8
    per_round = client.get(reverse("cocreation:results", args=[study.pk]), {"round": 1, "format": "csv"})
    cells = [c for row in csv.reader(io.StringIO(per_round.content.decode())) for c in row]
    assert not any(c.startswith(("=", "@", "\t", "\r")) or (c.startswith(("+", "-")) and not c.lstrip("+-")[:1].isdigit())
                   for c in cells)
