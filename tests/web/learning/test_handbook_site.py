"""The handbook (versions per language, chapters from Markdown, the case studies and packs they draw on, HTML, PDF,
EPUB) and the public site (/learning/, its Atom feed, /sitemap.xml, page metadata): anonymous visitors reach every
public page and nothing personal or unpublished is on them; only researchers and administrators edit."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile

import pypdfium2
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeschool.publishing.epub import read_epub
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.learning import services_handbook as services
from safeschool.web.learning.handbook_export import handbook_pdf
from safeschool.web.learning.models import (
    CaseStudy,
    Chapter,
    Course,
    Edition,
    Enrolment,
    Handbook,
    ResourcePack,
)
from safeschool.web.recs.models import StateReport

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BODY = ("# Why partnerships\n\nSchools and *RECs* work **together**. See [the network](https://example.org/n).\n\n"
        "- time\n- trust\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1))")


@pytest.fixture
def world(db):
    now = timezone.now()
    users = {"researcher": user_create(username="r6", password="pw-research-6", role=Role.RESEARCHER),
             "member": user_create(username="m6", password="pw-member-66", role=Role.MEMBER),
             "zelda": user_create(username="zelda6", password="pw-zelda-666", role=Role.MEMBER,
                                  email="zelda.enrolled@example.org", first_name="Zeldaenrolled")}
    case = CaseStudy.objects.create(slug="open-doors", title="Open doors", context="A town school.",
                                    practice="Weekly joint meetings.", authors="Team A", published_at=now)
    CaseStudy.objects.create(slug="hidden-draft", title="Hiddendraftcase", context="x", practice="y", authors="B")
    pack = ResourcePack.objects.create(number=1, slug="first-pack", title="Working together",
                                       summary="A first pack.", published_at=now)
    course = Course.objects.create(slug="six-day", title="Partnership course", summary="Six days.", published_at=now)
    edition = Edition.objects.create(course=course, title="Spring edition", starts_on=dt.date.today() + dt.timedelta(30),
                                     ends_on=dt.date.today() + dt.timedelta(36), venue="Athens", trainers="T",
                                     capacity=10)
    Enrolment.objects.create(edition=edition, user=users["zelda"], status="enrolled")
    StateReport.objects.create(version=1, title="State of the art 2026", published_at=now)
    StateReport.objects.create(version=2, title="Secretdraftreport")
    en = Handbook.objects.create(version=1, language="en", title="Partnership handbook", subtitle="Best practice",
                                 authors="Team A", references="Ref One 2020.\n\nRef Two 2021.", published_at=now)
    chapter = Chapter.objects.create(handbook=en, order=1, title="Why partnerships", body=BODY)
    chapter.case_studies.set([case, CaseStudy.objects.get(slug="hidden-draft")])
    chapter.packs.set([pack])
    Chapter.objects.create(handbook=en, order=2, title="Working on referrals", body="Counted, never listed.")
    el = Handbook.objects.create(version=1, language="el", title="Εγχειρίδιο συνεργασίας", authors="Ομάδα",
                                 published_at=now)
    Chapter.objects.create(handbook=el, order=1, title="Γιατί συνεργασίες", body="Κείμενο.")
    draft = Handbook.objects.create(version=2, language="en", title="Secretdrafthandbook", authors="Team A")
    Chapter.objects.create(handbook=draft, order=1, title="Unfinished", body="Not yet.")
    return {"users": users, "en": en, "el": el, "draft": draft}


PUBLIC = ["/", "/learning/", "/learning/reports/1/", "/learning/handbook/", "/learning/handbook/1/en/", "/learning/handbook/1/el/",
          "/learning/feed.atom", "/sitemap.xml"]


def test_anonymous_reaches_every_public_page_and_nothing_personal_or_unpublished(client, world):
    for url in PUBLIC + ["/learning/handbook/1/en/handbook.pdf", "/learning/reports/1/report.pdf"]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("latin-1")
        for secret in ("zelda", "Zeldaenrolled", "@example.org", "Secretdrafthandbook", "Hiddendraftcase",
                       "Secretdraftreport"):
            assert secret.lower() not in text.lower(), (url, secret)
    home = client.get("/learning/").content.decode()
    for title in ("State of the art 2026", "Working together", "Partnership course", "Partnership handbook",
                  "Open doors", "Spring edition", 'href="/label/'):
        assert title in home, title


def test_drafts_are_404_to_visitors_and_members_and_shown_to_researchers(client, world):
    for url in ("/learning/reports/2/", "/learning/reports/99/", "/learning/reports/2/report.pdf", "/learning/handbook/2/en/", "/learning/handbook/2/en/handbook.pdf", "/learning/handbook/9/en/",
                "/learning/handbook/1/xx/", "/learning/handbook/x/en/", "/learning/handbook/1/en/edit/"):
        assert client.get(url).status_code in (302, 404), url
    assert 'href="/learning/handbook/edit/"' not in client.get("/learning/").content.decode()
    client.force_login(world["users"]["member"])
    assert client.get("/learning/handbook/2/en/").status_code == 404
    assert 'href="/learning/handbook/edit/"' not in client.get("/learning/handbook/1/en/").content.decode()
    assert client.get("/learning/handbook/edit/").status_code == 403
    assert client.post("/learning/handbook/2/en/publish/").status_code == 403
    assert client.post("/learning/handbook/edit/", {"version": 3, "language": "en", "title": "T",
                                                    "authors": "A"}).status_code == 403
    assert not Handbook.objects.filter(version=3).exists()
    client.force_login(world["users"]["researcher"])
    assert "Secretdrafthandbook" in client.get("/learning/handbook/2/en/").content.decode()
    assert 'href="/learning/handbook/edit/"' in client.get("/learning/").content.decode()


def test_chapters_render_markdown_safely_with_toc_boxes_references_and_language_switch(client, world):
    page = client.get("/learning/handbook/1/en/").content.decode()
    assert "<h3>Why partnerships</h3>" in page and "<em>RECs</em>" in page and "<strong>together</strong>" in page
    assert '<a href="https://example.org/n">' in page and "<li>time</li>" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert 'href="#chapter-1"' in page and 'href="#chapter-2"' in page and 'id="references"' in page
    assert "<li>Ref One 2020.</li>" in page and "<li>Ref Two 2021.</li>" in page
    assert 'href="/learning/cases/open-doors/"' in page and "Working together" in page
    assert 'href="/learning/handbook/1/el/"' in page and 'hreflang="el"' in page
    assert 'href="/learning/handbook/1/en/handbook.pdf"' in page and 'handbook.epub"' in page
    # page metadata
    assert '<meta property="og:title" content="Partnership handbook">' in page
    assert '<link rel="canonical" href="http://testserver/learning/handbook/1/en/">' in page
    assert '<meta property="og:url" content="http://testserver/learning/handbook/1/en/">' in page


def test_handbook_follows_the_visitors_language_else_english(client, world):
    assert "Εγχειρίδιο" in client.get("/learning/handbook/", HTTP_ACCEPT_LANGUAGE="el").content.decode()
    assert "Partnership handbook" in client.get("/learning/handbook/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()


def test_home_pages_announce_the_atom_feed(client, world):
    for url in ("/", "/learning/"):
        page = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml" href="/learning/feed.atom"' in page, url
    assert 'og:description' in client.get("/learning/").content.decode()
    home = client.get("/").content.decode()
    assert home.count('href="/learning/"') >= 1  # the footer leads visitors to the public outputs
    assert '<link rel="canonical" href="http://testserver/">' in home and 'property="og:title"' in home
    assert home.count('property="og:title"') == 1 and 'name="description"' in home
    learning = client.get("/learning/").content.decode()
    assert learning.count('rel="canonical"') == 1 and '<meta property="og:title" content="Learning and outputs">' in learning


def test_feed_is_atom_with_dated_entries_of_published_outputs(client, world):
    root = ET.fromstring(client.get("/learning/feed.atom").content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = {e.findtext(f"{ATOM}title") for e in entries}
    assert {"State of the art 2026", "1. Working together", "Open doors"} <= titles
    assert "Partnership handbook (v1, en)" in titles and "Partnership handbook (v2, en)" not in titles
    assert all(e.findtext(f"{ATOM}updated") and e.find(f"{ATOM}link").get("href").startswith("http")
               for e in entries)
    assert len(entries) == 6  # report, pack, course, two handbook languages, case study


def test_sitemap_lists_public_pages_only(client, world):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locs = {u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")}
    assert {"http://testserver/learning/", "http://testserver/learning/handbook/1/en/",
            "http://testserver/learning/cases/open-doors/", "http://testserver/label/"} <= locs
    assert not any("/2/en/" in loc or "hidden-draft" in loc for loc in locs)


def test_researcher_makes_a_version_adds_chapters_and_publishes(client, world):
    client.force_login(world["users"]["researcher"])
    response = client.post("/learning/handbook/edit/", {"version": 3, "language": "pt", "title": "Manual",
                                                        "authors": "Equipa", "references": "R1"})
    assert response.status_code == 302 and response["Location"] == "/learning/handbook/3/pt/edit/"
    assert client.post("/learning/handbook/3/pt/publish/").status_code == 302
    assert Handbook.objects.get(version=3).published_at is None  # no chapters: refused
    response = client.post("/learning/handbook/3/pt/edit/", {"order": 1, "title": "Capítulo", "body": "Texto",
                                                             "case_studies": ["abc"]})
    assert response.status_code == 400  # a non-numeric id is a form error
    response = client.post("/learning/handbook/3/pt/edit/", {"order": 1, "title": "Capítulo", "body": "Texto",
                                                             "case_studies": ["99999999999999999999"]})
    assert response.status_code == 400
    assert client.post("/learning/handbook/3/pt/edit/", {"order": 1, "title": "Capítulo",
                                                         "body": "Texto"}).status_code == 302
    assert client.post("/learning/handbook/3/pt/publish/").status_code == 302
    assert client.get("/learning/handbook/3/pt/").status_code == 200
    client.logout()
    assert client.get("/learning/handbook/3/pt/").status_code == 200
    with pytest.raises(ValidationError):  # a published version is not changed
        services.chapter_add(user=world["users"]["researcher"], handbook=Handbook.objects.get(version=3),
                             order=2, title="Late", body="x")
    with pytest.raises(PermissionDenied):
        services.handbook_create(user=world["users"]["member"], version=4, language="en", title="T", authors="A")


def test_pdf_has_language_title_toc_and_pages_that_are_not_blank(world):
    pdf = pypdfium2.PdfDocument(handbook_pdf(world["en"], base_url="http://testserver"))
    assert len(pdf) >= 4  # title, contents, two chapters (+ references)
    assert pdf.get_metadata_dict()["Title"] == "Partnership handbook"
    raw = bytes(handbook_pdf(world["el"]))
    assert b"/Lang (el)" in raw or b"/Lang(el)" in raw
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert "Why partnerships" in texts[1] and "Working on referrals" in texts[1]  # the table of contents
    for i in range(len(pdf)):
        image = pdf[i].render(scale=0.5).to_pil().convert("L")
        dark = sum(1 for v in image.get_flattened_data() if v < 200)
        assert dark > 200, f"page {i + 1} is blank"


def test_epub_reads_back_with_contents_chapters_boxes_and_references(client, world):
    response = client.get("/learning/handbook/1/en/handbook.epub")
    assert response.status_code == 200 and response["Content-Type"] == "application/epub+zip"
    book = read_epub(response.content)
    assert book["title"] == "Partnership handbook" and book["language"] == "en"
    assert book["toc"] == ["1. Why partnerships", "2. Working on referrals", "References"]
    text = " ".join(str(c) for c in book["chapters"])
    assert "Open doors" in text and "Working together" in text and "Ref Two 2021." in text
    assert "Hiddendraftcase" not in text
    assert "<script>alert" in text  # shown as text, never as markup
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xhtml = " ".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml"))
    assert "<script" not in xhtml and "javascript:" not in xhtml.replace("(javascript:alert(1))", "")
    assert read_epub(client.get("/learning/handbook/1/el/handbook.epub").content)["language"] == "el"
    assert client.get("/learning/handbook/2/en/handbook.epub").status_code == 404


def test_figures_of_the_published_report_are_drawn_on_the_page_and_in_the_pdf(client, world, monkeypatch):
    from safeschool.web.learning import selectors_handbook
    from safeschool.web.recs import charts_report
    from safeschool.web.research.charts import column

    rows = [{"problem": "Time", "share": 0.62}, {"problem": "Funding", "share": None, "note": "Fewer than 10"}]
    figure = charts_report._figure("problems", "Problems of implementation", "Time is named most.",
                                   [column("problem", "Problem"), column("share", "Share", "percent:0"),
                                    column("note", "Note")], rows, category="problem", value="share",
                                   scale=(0, 1), value_title="Share", fmt="percent:0")
    assert "Problems of implementation" not in client.get("/learning/handbook/1/en/").content.decode()
    monkeypatch.setattr(selectors_handbook, "section_figures", lambda figures: {"implementation": [figure]})
    page = client.get("/learning/handbook/1/en/").content.decode()
    assert 'href="#figures"' in page and "Problems of implementation" in page and "Time is named most." in page
    assert 'href="/learning/reports/1/"' in page and "Secretdraftreport" not in page
    pdf = pypdfium2.PdfDocument(handbook_pdf(world["en"]))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Problems of implementation" in text and "62" in text and "Fewer than 10" in text
