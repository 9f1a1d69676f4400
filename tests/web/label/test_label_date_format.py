"""Every label page writes a date the same way, the project's SHORT_DATE_FORMAT (29/11/2028 in English): the
verification page once wrote "29 Nov 2028" where the register wrote 29/11/2028."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from safeschool.web.label.models import Application, Award

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "safeschool" / "web" / "label" / "templates"


def test_every_label_template_formats_dates_with_the_short_format():
    uses = [(p.name, m) for p in TEMPLATES.rglob("*.html")
            for m in re.findall(r'\|date(?::"([A-Z_]*)")?', p.read_text(encoding="utf-8"))]
    assert uses and {m for _, m in uses} == {"SHORT_DATE_FORMAT"}, uses


def test_the_register_and_the_verification_page_write_the_same_date(client, w):
    start = timezone.localdate() - dt.timedelta(days=30)
    done = Application.objects.create(school=w.other, level="safe", campaign=w.other_campaign, statement="x",
                                      status="awarded", decided_level="safe")
    award = Award.objects.create(application=done, school=w.other, level="safe", awarded_on=start,
                                 valid_until=start.replace(year=start.year + 2), verification_code="DATEFORMAT22")
    short, long = (date_format(award.valid_until, f) for f in ("SHORT_DATE_FORMAT", "DATE_FORMAT"))
    assert short != long and re.fullmatch(r"\d\d/\d\d/\d{4}", short)
    for url in (reverse("label:register"), reverse("label:verify_code", args=[award.verification_code])):
        page = client.get(url).content.decode()
        assert short in page and date_format(start, "SHORT_DATE_FORMAT") in page and long not in page, url
