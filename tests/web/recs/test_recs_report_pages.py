"""The state-of-the-art report (H3): versions snapshot their figures, narrative beside them, publishing, the page per
role, the PDF, the public page, suppression in HTML and PDF, wrong ids."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import altair as alt
import pypdfium2
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from fpdf import FPDF

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.core.pdf import Document
from safeschool.web.recs import charts_report, pdf_report, views_report
from safeschool.web.recs import services_report as services
from safeschool.web.recs.models import (
    Meeting,
    NeedsResponse,
    Partnership,
    ReferralCount,
    StateReport,
    SurveyResponse,
    SurveyWave,
)
from safeschool.web.research.models import (
    Country,
    Outcome,
    RegionalEducationalCentre,
    School,
    SchoolClass,
    Student,
    StudentScales,
    Wave,
)

PASSWORD = "pw-long-enough-1"
ROLES = ("anonymous", "member", "staff", "researcher", "admin")
ITEMS = ("goals_agreed", "goals_early_leaving", "goals_reviewed", "roles_clear", "roles_contact", "roles_referral",
         "comm_regular", "comm_feedback", "comm_data", "trust_expertise", "trust_reliable", "trust_open",
         "joint_planning", "joint_families", "joint_training", "res_leadership", "res_time", "res_benefit")
BAD_IDS = ("abc", "0", "-1", "99999", "9" * 30)


def _country(code: str, name: str) -> Country:
    return Country.objects.create(code=code, name=name, tracking_age=14, grade_repetition_pct=2.0, esl_rate_pct=3.0,
                                  esl_support=True, inclusion_index=0.5)


def _students(schools: dict) -> None:
    """Italy: 30 students, 4 of them with SEN (a group hidden: fewer than 10); 6 left early. Greece: 12 students.
    One partnership of each country met and referred students in 2025."""
    wave = Wave.objects.create(number=1, label="Wave 1", starts_on=dt.date(2025, 9, 1))
    for code, n in (("IT", 30), ("EL", 12)):
        klass = SchoolClass.objects.create(code=f"{code}-class", school=schools[code][0], grade=7)
        for i in range(n):
            student = Student.objects.create(pseudonym=f"{code}{i:03d}", school_class=klass, gender="FM"[i % 2],
                                             age=13, migrant_background=i % 3 == 0, roma_minority=False,
                                             ses_index=0.0, sen=code == "IT" and i < 4, out_of_parental_care=False)
            Outcome.objects.create(student=student, wave=wave, dropped_out=code == "IT" and 10 <= i < 16)
            StudentScales.objects.create(student=student, wave=wave, security=3.0 + (i % 2) / 2, belonging=4.0)
        partnership = Partnership.objects.filter(school=schools[code][0]).get()
        Meeting.objects.create(partnership=partnership, held_on=dt.date(2025, 3, 1), topic="Planning")
        ReferralCount.objects.create(partnership=partnership, month=dt.date(2025, 3, 1), count=12)


@contextmanager
def world_built(django_db_blocker, home, test_settings_for):
    """Italy: 6 partnerships answered by both sides (shown), 12 teachers and 3 leaders (leaders hidden); Greece:
    2 partnerships (hidden: fewer than 5) and 4 teachers (hidden)."""
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        users = {role: user_create(username=f"rp-{role}", password=PASSWORD, role=r, email=f"rp-{role}@example.org")
                 for role, r in (("member", Role.MEMBER), ("staff", Role.STAFF), ("researcher", Role.RESEARCHER),
                                 ("admin", Role.ADMIN))}
        wave = SurveyWave.objects.create(title="Wave 2025")
        schools = {}
        for code, name, n in (("IT", "Italy", 6), ("EL", "Greece", 2)):
            country = _country(code, name)
            rec = RegionalEducationalCentre.objects.create(code=f"REC-{code}", country=country, name=f"Centre {code}")
            schools[code] = []
            for i in range(n):
                school = School.objects.create(code=f"{code}-{i}", name=f"School {code} {i}", country=country,
                                               stage="lower_secondary", context="urban", ses_composition=0.0)
                schools[code].append(school)
                p = Partnership.objects.create(school=school, rec=rec, since=dt.date(2024, 9, 1))
                for side, base in (("school", 4), ("rec", 3)):
                    SurveyResponse.objects.create(wave=wave, partnership=p, side=side,
                                                  answers={item: base for item in ITEMS},
                                                  problems=["time"] if i % 2 else ["funding", "time"])
        _students(schools)
        for code, role, n in (("IT", "teacher", 12), ("IT", "leader", 3), ("EL", "teacher", 4)):
            for _ in range(n):
                NeedsResponse.objects.create(wave=wave, school=schools[code][0], role=role,
                                             needs={"early_warning": 4, "families": 3}, formats=["workshop"])
        yield SimpleNamespace(users=users, wave=wave, schools=schools)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with world_built(django_db_blocker, tmp_path_factory.mktemp("report-home"), test_settings_for) as built:
        with django_db_blocker.unblock():
            draft = services.report_create(user=built.users["researcher"], title="State of the art 2025",
                                           language="en", wave=built.wave)
            published = services.report_create(user=built.users["admin"], title="Published report",
                                               language="en", wave=built.wave)
            services.report_narrative_set(user=built.users["admin"], report=published, title="Published report",
                                          narrative={"summary": "Partnerships <b>grow</b>.\n\nSecond paragraph.",
                                                     "recommendations": "Fund the time."})
            services.report_publish(user=built.users["admin"], report=published)
        built.draft, built.published = draft, published
        yield built


@pytest.fixture
def w(world, db):
    return world


def as_role(client, w, role):
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def pdf_of(client, url) -> tuple[bytes, str]:
    """The PDF and every text written into it (fpdf2 stores glyph ids, so the text is caught on its way in)."""
    written: list[str] = []
    multi_cell, table = FPDF.multi_cell, Document.table

    def cell(self, w, h=None, text="", *args, **kwargs):
        written.append(str(text))
        return multi_cell(self, w, h, text, *args, **kwargs)

    def rows(self, heads, cells, widths=None):
        cells = [list(c) for c in cells]
        written.extend([*heads, *(str(x) for c in cells for x in c)])
        return table(self, heads, cells, widths)

    with mock.patch.object(FPDF, "multi_cell", cell), mock.patch.object(Document, "table", rows):
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content, "\n".join(written)


def test_snapshot_keeps_the_figures_when_the_data_change(w):
    before = StateReport.objects.get(pk=w.published.pk).figures
    assert before["survey"]["overall"]["partnerships"] == 8
    SurveyResponse.objects.filter(wave=w.wave, side="rec").update(answers={item: 1 for item in ITEMS})
    NeedsResponse.objects.filter(wave=w.wave).delete()
    Outcome.objects.update(dropped_out=True)
    assert StateReport.objects.get(pk=w.published.pk).figures == before
    fresh = services.report_figures(wave=w.wave)
    assert fresh["survey"]["overall"]["means"] != before["survey"]["overall"]["means"] and fresh["needs"] is None
    assert fresh["outcomes"]["overall"]["early_leaving"]["mean"] == 1.0


def test_page_has_narrative_figures_and_says_why_hidden(client, w):
    page = as_role(client, w, "member").get(reverse("recs:report", args=[w.published.version]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Partnerships &lt;b&gt;grow&lt;/b&gt;." in html and "<b>grow</b>" not in html  # escaped, paragraphs kept
    assert html.index("Partnerships &lt;b&gt;") < html.index('data-section="collaboration"')
    assert 'data-chart="survey-means"' in html and 'data-chart="needs-roles"' in html
    assert "fewer than 5 partnerships answered" in html and "fewer than 10 respondents" in html
    assert "Greece" in html and "School leader" in html
    for name in ("partnerships", "services", "outcome-early_leaving", "outcome-security", "outcome-belonging"):
        assert f'data-chart="{name}"' in html, name
    assert "Special educational needs: SEN / disability" in html and "fewer than 10 students" in html
    for raw in ("shared_goals", "early_warning", '"EL"', "needs_role"):
        assert raw not in html.split('<script type="application/json">')[0], raw


def _needs_cells(figures: dict) -> list:
    needs = figures["needs"]
    return [needs["overall"]["leader"], needs["countries"]["EL"]["teacher"], needs["countries"]["EL"]["all"]]


def test_small_groups_never_appear_in_snapshot_html_or_pdf(client, w):
    figures = w.published.figures
    for cell in _needs_cells(figures):  # 3 leaders, 4 Greek teachers: no count, no mean anywhere
        assert cell["suppressed"] and "respondents" not in cell and "topics" not in cell
    assert figures["survey"]["countries"]["EL"]["suppressed"]
    sen = figures["outcomes"]["countries"]["IT"]["by_group"]["sen"]["early_leaving"]["True"]
    assert sen["suppressed"] and sen["n"] is None and sen["mean"] is None  # 4 students with SEN
    assert figures["outcomes"]["overall"]["early_leaving"]["mean"] == pytest.approx(6 / 42, abs=1e-3)
    assert set(figures["survey"]["countries"]["EL"]) == {"suppressed", "reason"}
    client = as_role(client, w, "researcher")
    html = client.get(reverse("recs:report", args=[w.published.version])).content.decode()
    data = re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)
    assert data and not any('"Greece"' in d and '"mean": 3.5' in d for d in data)
    body, text = pdf_of(client, reverse("recs:report_pdf", args=[w.published.version]))
    assert body.startswith(b"%PDF") and b"/Outlines" in body  # bookmarks: the contents in the reader's pane
    assert "Published report" in text and "Contents" in text and "fewer than 10 respondents" in text
    assert "Greece" in text and "fewer than 5 partnerships answered" in text
    assert "Fund the time." in text and "fewer than 10 students" in text
    assert "Special educational needs: SEN / disability" in text
    document = pypdfium2.PdfDocument(body)  # the pages are not blank: the title page; the bars of section 2
    assert len(document) >= 7  # title and contents, then a page per section
    assert document[0].render(scale=0.5).to_pil().convert("L").getextrema()[0] < 128
    image = document[2].render(scale=1).to_pil().convert("RGB")
    colours = {colour for _count, colour in image.getcolors(maxcolors=1 << 24)}
    assert (0x1D, 0x4F, 0x91) in colours and (0x00, 0x72, 0xB2) in colours  # the bars in the chart colours


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_what(client, w, role):
    client = as_role(client, w, role)
    listing = client.get(reverse("recs:reports"))
    draft = client.get(reverse("recs:report", args=[w.draft.version]))
    new = client.get(reverse("recs:report_new"))
    edit = client.get(reverse("recs:report_edit", args=[w.draft.version]))
    public_draft = client.get(reverse("learning:public_report", args=[w.draft.version]))
    public = client.get(reverse("learning:public_report", args=[w.published.version]))
    assert public.status_code == 200 and public_draft.status_code == 404
    editor = role in ("researcher", "admin")
    if role == "anonymous":
        assert all(r.status_code == 302 for r in (listing, draft, new, edit))
        return
    assert listing.status_code == 200
    assert ("State of the art 2025" in listing.content.decode()) is editor
    assert draft.status_code == (200 if editor else 404)
    assert new.status_code == edit.status_code == (200 if editor else 403)


def test_make_write_publish_through_the_pages(client, w):
    client = as_role(client, w, "researcher")
    made = client.post(reverse("recs:report_new"), {"title": "Third", "language": "it", "wave": w.wave.pk})
    report = StateReport.objects.get(title="Third")
    assert made.status_code == 302 and report.language == "it" and report.figures["survey"]
    fields = {"title": "Third, revised", "summary": "Sintesi.", "training_needs": "x" * 20_001}
    refused = client.post(reverse("recs:report_edit", args=[report.version]), fields)
    assert refused.status_code == 400 and StateReport.objects.get(pk=report.pk).narrative == {}
    fields["training_needs"] = "Formazione."
    client.post(reverse("recs:report_edit", args=[report.version]), fields)
    report.refresh_from_db()
    assert report.title == "Third, revised" and report.narrative == {"summary": "Sintesi.",
                                                                     "training_needs": "Formazione."}
    page = client.get(reverse("recs:report", args=[report.version])).content.decode()
    assert "Italia" in page or "Grecia" in page  # figures labelled in the report's language
    assert client.get(reverse("recs:report_publish", args=[report.version])).status_code == 405
    client.post(reverse("recs:report_publish", args=[report.version]))
    report.refresh_from_db()
    assert report.published_at is not None
    client.post(reverse("recs:report_edit", args=[report.version]), {"title": "Changed", "summary": "No."})
    assert StateReport.objects.get(pk=report.pk).title == "Third, revised"  # a published version never changes


def test_members_cannot_write(client, w):
    client = as_role(client, w, "staff")
    assert client.post(reverse("recs:report_new"), {"title": "X", "language": "en"}).status_code == 403
    assert client.post(reverse("recs:report_publish", args=[w.draft.version])).status_code == 403
    assert client.post(reverse("recs:report_edit", args=[w.draft.version]), {"title": "X"}).status_code == 403
    assert StateReport.objects.get(pk=w.draft.pk).published_at is None and not StateReport.objects.filter(
        title="X").exists()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_wrong_ids(client, w, bad):
    client = as_role(client, w, "admin")
    for url in (f"/recs/report/{bad}/", f"/recs/report/{bad}/report.pdf", f"/recs/report/{bad}/edit/",
                f"/learning/reports/{bad}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/recs/report/{bad}/publish/").status_code == 404


def test_every_chart_is_a_valid_vega_lite_spec_without_hidden_figures(w):
    sections = charts_report.sections(w.published)
    figures = [f for s in sections for f in s["figures"]]
    assert len(figures) == 13  # collaboration 5, implementation 2, target groups 3, training needs 3
    for figure in figures:
        alt.Chart.from_dict({k: v for k, v in figure["spec"].items() if k != "usermeta"}, validate=True)
        drawn = figure["spec"]["data"]["values"]
        assert not any(r.get("note") for r in drawn), figure["name"]  # a hidden figure has no mark
        assert len(figure["rows"]) >= len(drawn)


def test_public_pdf_for_published_versions_only(rf, w):
    request = rf.get("/")
    request.user = AnonymousUser()
    with mock.patch.object(pdf_report, "report_pdf", return_value=b"%PDF-1.4 drawn"):  # drawn in the test above
        response = views_report.public_report_pdf(request, version=w.published.version)
    assert response.status_code == 200 and response.content == b"%PDF-1.4 drawn"
    with pytest.raises(Http404):
        views_report.public_report_pdf(request, version=w.draft.version)
