"""EPUB 3 written from chapters and read back: the structure EPUB requires, every XHTML well-formed, hostile text
escaped or dropped, images packaged, and read_epub refusing broken books."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET  # noqa: N817

import pytest

from safeschool.publishing.epub import EpubError, read_epub, write_epub

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
HOSTILE_TITLE = 'Hand<book> & "Partners" <script>alert(1)</script> – ελληνικά, română, 日本 \x01'
CHAPTERS = [
    ("Chapter <1> & more", '<p onclick="steal()">Hello &amp; <b>welcome<script>alert("x")</script> to '
                           '<a href="javascript:alert(1)">this</a> <a href="https://example.org/?a=1&b=2">site</a>'
                           '<br><img src="figure.png" alt="A figure"><img src="missing.png"><iframe src="x"></iframe>'
                           '<ul><li>one<li>two</ul><p>Ünïcødé ✓ &nbsp;end'),
    ("Plain", "3 < 4 && 5 > 4 — no markup at all ]]> <!-- a comment --> <style>body{display:none}</style>"),
    ("Ελληνικά", "<h2>Υποενότητα</h2><table><tr><td>α<td>β</table><p>🙂 emoji"),
]


def book(**overrides) -> bytes:
    buffer = io.BytesIO()
    arguments = {"title": HOSTILE_TITLE, "language": "el", "authors": ["Ana <ana@x>", "B & C"],
                 "identifier": "urn:uuid:0f6e5c1e-0000-4000-8000-000000000018",
                 "modified": datetime(2026, 11, 29, 6, 30, tzinfo=timezone(timedelta(hours=1))),
                 "chapters": CHAPTERS, "images": {"figure.png": PNG}, "css": "body { font-family: serif; }"}
    write_epub(buffer, **{**arguments, **overrides})
    return buffer.getvalue()


@pytest.fixture(scope="module")
def data() -> bytes:
    return book()


def test_round_trip_reads_back_what_was_written(data):
    read = read_epub(data)
    assert read["title"] == HOSTILE_TITLE.replace("\x01", "").strip()  # XML cannot hold a control character
    assert read["language"] == "el" and read["authors"] == ["Ana <ana@x>", "B & C"]
    assert read["identifier"] == "urn:uuid:0f6e5c1e-0000-4000-8000-000000000018"
    assert read["modified"] == "2026-11-29T05:30:00Z"  # in UTC
    assert read["toc"] == ["Chapter <1> & more", "Plain", "Ελληνικά"]
    assert [c["title"] for c in read["chapters"]] == read["toc"]
    first, plain, greek = (c["text"] for c in read["chapters"])
    assert "Hello & welcome to this site" in first and "Ünïcødé ✓" in first and "one two" in first
    assert "alert" not in first and "steal" not in first
    assert "3 < 4 && 5 > 4 — no markup at all ]]>" in plain and "display:none" not in plain
    assert "Υποενότητα" in greek and "🙂 emoji" in greek
    assert read["images"] == ["figure.png"]


def test_the_archive_has_the_epub_structure(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and first.extra == b""
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"  # readable at offset 38
    names = archive.namelist()
    assert {"META-INF/container.xml", "OEBPS/content.opf", "OEBPS/nav.xhtml", "OEBPS/chapter-001.xhtml",
            "OEBPS/chapter-003.xhtml", "OEBPS/style.css", "OEBPS/images/figure.png"} <= set(names)
    assert archive.read("OEBPS/images/figure.png") == PNG
    opf = ET.fromstring(archive.read("OEBPS/content.opf"))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    items = {i.get("href"): i for i in opf.findall("opf:manifest/opf:item", ns)}
    assert items["nav.xhtml"].get("properties") == "nav"
    assert items["images/figure.png"].get("media-type") == "image/png"
    assert [r.get("idref") for r in opf.findall("opf:spine/opf:itemref", ns)] == ["c1", "c2", "c3"]
    for name in names:  # every XML file parses with an XML parser; nothing executable survives
        if name.endswith((".xhtml", ".opf", ".xml")):
            text = archive.read(name)
            ET.fromstring(text)
            assert not re.search(rb"<script|<iframe|<style|onclick|javascript:", text, re.I), name
    chapter = archive.read("OEBPS/chapter-001.xhtml").decode()
    assert 'src="images/figure.png"' in chapter and "missing.png" not in chapter
    assert "&lt;1&gt; &amp; more" in chapter and 'href="https://example.org/?a=1&amp;b=2"' in chapter


def test_the_same_book_gives_the_same_bytes_and_a_path_works(data, tmp_path):
    assert book() == data
    path = tmp_path / "book.epub"
    write_epub(path, title="T", language="en", authors=[], identifier="id-1", modified=datetime(2026, 1, 2, 3, 4, 5),
               chapters=[("Only", "<p>text</p>")])
    read = read_epub(path)
    assert read["modified"] == "2026-01-02T03:04:05Z" and read["authors"] == [] and read["toc"] == ["Only"]
    assert "OEBPS/style.css" not in read["files"]


@pytest.mark.parametrize("overrides, message", [
    ({"title": " "}, "title"), ({"language": "en<"}, "language tag"), ({"identifier": ""}, "identifier"),
    ({"chapters": []}, "chapter"), ({"images": {"../evil.png": PNG}}, "plain file name"),
    ({"images": {"a.exe": b"x"}}, "plain file name"),
])
def test_bad_arguments_are_refused(overrides, message):
    with pytest.raises(EpubError, match=message):
        book(**overrides)


def rebuilt(data: bytes, change) -> bytes:
    """The book with its entries passed through change(name, bytes, info) -> [(name, bytes, compress)]."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            for name, content, compress in change(info.filename, source.read(info.filename), info.compress_type):
                target.writestr(zipfile.ZipInfo(name, date_time=info.date_time), content, compress_type=compress)
    return out.getvalue()


def keep(name, content, compress):
    return [(name, content, compress)]


@pytest.mark.parametrize("change, message", [
    (lambda n, c, z: [(n, c, zipfile.ZIP_DEFLATED)] if n == "mimetype" else keep(n, c, z), "stored uncompressed"),
    (lambda n, c, z: [] if n == "mimetype" else keep(n, c, z), "first entry"),
    (lambda n, c, z: [(n, c.replace(b"</p>", b"</div>", 1), z)] if n.endswith("chapter-001.xhtml")
     else keep(n, c, z), "not well-formed"),
    (lambda n, c, z: [(n, re.sub(rb"<meta property=\"dcterms:modified\">[^<]*</meta>", b"", c), z)]
     if n.endswith(".opf") else keep(n, c, z), "dcterms:modified"),
    (lambda n, c, z: [] if n.endswith("nav.xhtml") else keep(n, c, z), "nav.xhtml, which is not in the archive"),
    (lambda n, c, z: [] if n.endswith("container.xml") else keep(n, c, z), "container.xml is missing"),
    (lambda n, c, z: [(n, c.replace(b'version="3.0"', b'version="2.0"'), z)] if n.endswith(".opf")
     else keep(n, c, z), "not EPUB 3.0"),
    (lambda n, c, z: [(n, c.replace(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'), z)]
     if n.endswith("chapter-002.xhtml") else keep(n, c, z), "entity declarations"),
])
def test_read_epub_refuses_a_broken_book(data, change, message):
    with pytest.raises(EpubError, match=message):
        read_epub(rebuilt(data, change))
    assert read_epub(rebuilt(data, keep))["toc"]  # the rebuilding itself keeps a valid book


def test_not_a_zip_is_refused():
    with pytest.raises(EpubError, match="not a ZIP"):
        read_epub(b"%PDF-1.7 not an epub")
