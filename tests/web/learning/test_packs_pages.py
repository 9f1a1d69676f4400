"""Resource packs for every role: visitors see published versions only (a draft is a 404); an old version stays
readable with ?version=N after a new one is made; a video shows a <video> with a captions <track> and its transcript;
the ZIP is read back (items under safe names, transcripts as .txt, a README with licence, version and items, no path
outside); hostile uploads (a renamed HTML page, a path in the name, a video without captions, a fake WebVTT) are
refused with nothing stored; only researchers and administrators manage packs."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.learning import services_packs as services
from safeschool.web.learning.archive import safe_name
from safeschool.web.learning.models import CaseStudy, PackItem, ResourcePack

PASSWORD = "pw-long-enough-1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello, colleagues.\n"
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    home = tmp_path_factory.mktemp("packs-home")
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        users = {role: user_create(username=f"p-{role}", password=PASSWORD, role=r, email=f"{role}@example.org")
                 for role, r in (("member", Role.MEMBER), ("staff", Role.STAFF), ("researcher", Role.RESEARCHER),
                                 ("admin", Role.ADMIN))}
        case = CaseStudy.objects.create(slug="published-case", title="A published case", context="c",
                                        practice="p", authors="A", published_at=timezone.now())
        draft = ResourcePack.objects.create(number=9, slug="secret-pack", title="Secret pack")
        yield SimpleNamespace(users=users, case=case, draft=draft)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    return world


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def pack(w):
    """A published pack of three items (a document uploaded as '../../etc/passwd.pdf', a captioned video, a case
    study link), made through the services."""
    r = w.users["researcher"]
    p = services.pack_save(user=r, data={"slug": "working-together", "title": "Working together", "summary": "S",
                                         "learning_outcomes": ["Plan a joint meeting"],
                                         "audiences": ["leaders", "rec_staff"], "language": "en",
                                         "licence": "cc-by-sa"})
    services.item_add(user=r, pack=p, data={"kind": "document", "title": "Meeting guide",
                                            "file": upload("../../etc/passwd.pdf", PDF)})
    services.item_add(user=r, pack=p, data={"kind": "video", "title": "Two heads on referral",
                                            "file": upload("Head Teacher Maria.mp4", MP4),
                                            "captions": upload("c.vtt", VTT), "transcript": "Hello, colleagues."})
    services.item_add(user=r, pack=p, data={"kind": "case_study", "title": "Case", "case_study": w.case})
    return services.pack_publish(user=r, pack=p)


def test_list_and_page_public(client, w, pack):
    page = client.get(reverse("learning:packs")).content.decode()
    assert "Working together" in page and "Secret pack" not in page
    assert "School leaders, REC staff" in page and "CC BY-SA 4.0" in page
    page = client.get(reverse("learning:pack", args=["working-together"])).content.decode()
    assert "Plan a joint meeting" in page
    assert '<link rel="canonical" href="http://testserver/learning/packs/working-together/">' in page
    assert '<track kind="captions"' in page and "Hello, colleagues." in page and "<video" in page
    assert reverse("learning:case", args=["published-case"]) in page
    assert "passwd" not in page and "Maria" not in page
    item = pack.items.get(kind="video")
    response = client.get(reverse("learning:pack_item_file", args=["working-together", item.pk, "captions"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")
    assert b"".join(response.streaming_content) == VTT
    assert client.get(reverse("learning:pack", args=["secret-pack"])).status_code == 404
    assert client.get(reverse("learning:pack_archive", args=["secret-pack"])).status_code == 404
    for bad in ("?version=abc", "?version=99", "?version=" + "9" * 30):
        assert client.get(reverse("learning:pack", args=["working-together"]) + bad).status_code == 404
    for args in (["working-together", "abc", "file"], ["working-together", item.pk, "path"],
                 ["working-together", "9" * 30, "file"]):
        assert client.get(reverse("learning:pack_item_file", args=args)).status_code == 404


def test_archive_read_back(client, pack):
    response = client.get(reverse("learning:pack_archive", args=["working-together"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = archive.namelist()
        assert names == ["01-meeting-guide.pdf", "02-two-heads-on-referral.mp4",
                         "02-two-heads-on-referral-captions.vtt", "02-two-heads-on-referral-transcript.txt",
                         "03-case-case-study.txt", "README.txt"]
        assert all("/" not in n and "\\" not in n and ".." not in n for n in names)
        assert archive.read("01-meeting-guide.pdf") == PDF
        assert archive.read("02-two-heads-on-referral.mp4") == MP4
        assert archive.read("02-two-heads-on-referral-transcript.txt").decode() == "Hello, colleagues."
        assert "http://testserver/learning/cases/published-case/" in archive.read("03-case-case-study.txt").decode()
        readme = archive.read("README.txt").decode()
    for text in (f"{pack.number}. Working together", "Version: 1", "Licence: CC BY-SA 4.0", "Plan a joint meeting",
                 "1. Meeting guide (Document)", "2. Two heads on referral (Video)", "02-two-heads-on-referral.mp4"):
        assert text in readme, text


def test_new_version_keeps_the_old_one(client, w, pack):
    client.force_login(w.users["researcher"])
    response = client.post(reverse("learning:pack_version_new", args=["working-together"]))
    assert response.status_code == 302 and response["Location"].endswith("?version=2")
    v2 = ResourcePack.objects.get(slug="working-together", version=2)
    assert v2.items.count() == 3 and v2.published_at is None and v2.number == pack.number
    response = client.post(reverse("learning:pack_item_new", args=["working-together"]) + "?version=2",
                           {"kind": "activity_sheet", "title": "New sheet", "file": upload("s.txt", b"Do this.")})
    assert response.status_code == 302
    client.post(reverse("learning:pack_publish", args=["working-together"]) + "?version=2")
    client.logout()
    latest = client.get(reverse("learning:pack", args=["working-together"])).content.decode()
    old = client.get(reverse("learning:pack", args=["working-together"]) + "?version=1").content.decode()
    assert "New sheet" in latest and "New sheet" not in old and "Version 1" in old
    with zipfile.ZipFile(io.BytesIO(b"".join(client.get(
            reverse("learning:pack_archive", args=["working-together"]) + "?version=1").streaming_content))) as z:
        assert "Version: 1" in z.read("README.txt").decode() and len(z.namelist()) == 6
    # a published version does not change
    with pytest.raises(ValidationError):
        services.item_add(user=w.users["admin"], pack=pack, data={"kind": "document", "title": "x",
                                                                  "url": "https://example.org"})


@pytest.mark.parametrize("name,content,kind,extra", [
    ("guide.pdf", b"<html><script>alert(1)</script></html>", "document", {}),   # HTML renamed .pdf
    ("guide.html", b"<html></html>", "document", {}),                           # extension not allowed
    ("guide.docx", PDF, "document", {}),                                        # not an office archive
    ("empty.pdf", b"", "document", {}),
    ("film.mp4", MP4, "video", {"transcript": "t"}),                            # no captions
    ("film.mp4", MP4, "video", {"captions": ("c.vtt", VTT)}),                   # no transcript
    ("film.mp4", MP4, "video", {"captions": ("c.vtt", b"<html>"), "transcript": "t"}),  # fake WebVTT
    ("film.mp4", PDF, "video", {"captions": ("c.vtt", VTT), "transcript": "t"}),  # not an MP4
    ("notes.txt", b"\x00\x01binary", "document", {}),
])
def test_hostile_uploads_refused(client, w, name, content, kind, extra):
    client.force_login(w.users["researcher"])
    data = {"kind": kind, "title": "Item", "file": upload(name, content)}
    for key, value in extra.items():
        data[key] = upload(*value) if isinstance(value, tuple) else value
    response = client.post(reverse("learning:pack_item_new", args=["secret-pack"]), data)
    assert response.status_code == 400
    assert not PackItem.objects.filter(pack=w.draft).exists()


def test_hostile_text_escaped_and_javascript_links_refused(client, w):
    client.force_login(w.users["admin"])
    response = client.post(reverse("learning:pack_item_new", args=["secret-pack"]),
                           {"kind": "document", "title": HOSTILE, "url": "javascript:alert(1)"})
    assert response.status_code == 400
    response = client.post(reverse("learning:pack_item_new", args=["secret-pack"]),
                           {"kind": "document", "title": HOSTILE, "description": HOSTILE,
                            "url": "https://example.org/guide"})
    assert response.status_code == 302
    page = client.get(reverse("learning:pack", args=["secret-pack"])).content.decode()
    assert HOSTILE not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("member", 403), ("staff", 403),
                                         ("researcher", 200), ("admin", 200)])
def test_manage_pages_per_role(client, w, role, status):
    if role != "anonymous":
        client.force_login(w.users[role])
    assert client.get(reverse("learning:pack_new")).status_code == status
    # refused before the pack is looked up: a draft's address is not confirmed to those who may not edit
    assert client.get(reverse("learning:pack_item_new", args=["secret-pack"])).status_code == status
    assert client.get(reverse("learning:pack_item_new", args=["no-such-pack"])).status_code == (
        404 if status == 200 else status)
    assert client.get(reverse("learning:pack", args=["secret-pack"])).status_code == (200 if status == 200 else 404)
    if role in ("member", "staff"):
        with pytest.raises(PermissionDenied):
            services.pack_save(user=w.users[role], data={"slug": "x", "title": "x", "summary": "",
                                                         "learning_outcomes": [], "audiences": [],
                                                         "language": "en", "licence": "cc-by"})


def test_a_withdrawn_case_study_leaves_the_pack_and_its_archive(client, w, pack):
    CaseStudy.objects.filter(pk=w.case.pk).update(published_at=None)
    page = client.get(reverse("learning:pack", args=["working-together"])).content.decode()
    assert "A published case" not in page
    with zipfile.ZipFile(io.BytesIO(b"".join(client.get(
            reverse("learning:pack_archive", args=["working-together"])).streaming_content))) as archive:
        assert not any("case-study" in n for n in archive.namelist())
        assert "A published case" not in archive.read("README.txt").decode()


@pytest.mark.parametrize("title,extension,expected", [
    ("../../etc/passwd", "pdf", "04-etcpasswd.pdf"), ("C:\\Windows\\system32", "PDF", "04-cwindowssystem32.pdf"),
    ("", "mp4", "04-item.mp4"), ("Ελληνικά", "txt", "04-item.txt"), ("guide", "p/../hp", "04-guide.bin"),
    ("x" * 300, "pdf", "04-" + "x" * 60 + ".pdf")])
def test_safe_names_inside_the_archive(title, extension, expected):
    assert safe_name(4, title, extension) == expected
