"""Red team (issue 19) on the official indicators' web side: the import page for every role (GET and POST, CSRF),
oversized, compressed, binary and hostile uploads refused with the database exactly unchanged, odd addresses
answered 404 (or sent to the country), and the pages' figures written for people — no "nan", "None", "-0", raw codes
or "2,019" — in Spanish and Greek with a decimal comma."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from esl_files import NATIONAL, REGIONAL, registry

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.indicators import figures, services
from safeschool.web.indicators.models import Observation, Release

ROLES = ("anonymous", "member", "staff", "researcher", "admin")
HEAD = "freq,unit,sex,age,geo\\TIME_PERIOD"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        registry()
        services.release_import(data=NATIONAL.encode(), name="estat_sdg_04_10.tsv")
        services.release_import(data=REGIONAL.encode(), name="estat_edat_lfse_16.tsv")
        users = {role: user_create(username=f"rt-{role}", password=f"pw-{role}-12345", role=value).pk
                 for role, value in (("member", Role.MEMBER), ("staff", Role.STAFF),
                                     ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN))}
    yield users
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def as_role(world, client, db):
    from django.contrib.auth import get_user_model

    def login(role, http=None):
        http = http or client
        if role != "anonymous":
            http.force_login(get_user_model().objects.get(pk=world[role]))
        return http
    return login


def counts():
    return Release.objects.count(), Observation.objects.count()


def upload(data: bytes, name: str = "estat_sdg_04_10.tsv", dataset: str = "") -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream"), "dataset": dataset}


@pytest.mark.parametrize("role, get, post", [("anonymous", 302, 302), ("member", 403, 403), ("staff", 403, 403),
                                             ("researcher", 200, 400), ("admin", 200, 400)])
def test_the_import_page_for_every_role(as_role, role, get, post):
    http = as_role(role)
    before = counts()
    assert http.get(reverse("indicators:import")).status_code == get
    # a file that would import if the role were allowed is refused as a duplicate (already imported) or forbidden
    assert http.post(reverse("indicators:import"), upload(NATIONAL.encode())).status_code == post
    assert counts() == before


def test_a_post_without_the_csrf_token_is_refused(as_role):
    http = as_role("admin", Client(enforce_csrf_checks=True))
    before = counts()
    response = http.post(reverse("indicators:import"), upload(NATIONAL.replace("2022", "2023").encode()))
    assert response.status_code == 403 and counts() == before


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sdg_04_10.tsv", NATIONAL)
    return buffer.getvalue()


HOSTILE = {
    "gzip bomb": (gzip.compress(b"0" * (51 * 1024 * 1024)), "estat_sdg_04_10.tsv.gz", "unpacks to over"),
    "zip": (_zip(), "estat_sdg_04_10.tsv.gz", "not UTF-8"),
    "xlsx": (_zip(), "estat_sdg_04_10.xlsx", ".tsv.gz"),
    "utf-16": (NATIONAL.encode("utf-16"), "estat_sdg_04_10.tsv", "not UTF-8"),
    "nul": (NATIONAL.replace("8.4", "8.4\x00").encode(), "estat_sdg_04_10.tsv", "binary"),
    "formula geo": (f"{HEAD}\t2019\nA,PC,T,Y18-24,=HYPERLINK(1)\t1\n".encode(), "sdg_04_10.tsv", "1 problem"),
    "script sex": (f"{HEAD}\t2019\nA,PC,<script>,Y18-24,IT\t1\n".encode(), "sdg_04_10.tsv", "1 problem"),
    "script flag": (f"{HEAD}\t2019\nA,PC,T,Y18-24,IT\t1 <script>\n".encode(), "sdg_04_10.tsv", "1 problem"),
    "year 0001": (f"{HEAD}\t0001\nA,PC,T,Y18-24,IT\t1\n".encode(), "sdg_04_10.tsv", "1 problem"),
    "year 9999": (f"{HEAD}\t9999\nA,PC,T,Y18-24,IT\t1\n".encode(), "sdg_04_10.tsv", "1 problem"),
    "nan inf": (f"{HEAD}\t2019\t2020\t2021\nA,PC,T,Y18-24,IT\tnan\tinf\t1e309\n".encode(), "sdg_04_10.tsv",
                "3 problems"),
    "negative": (f"{HEAD}\t2019\nA,PC,T,Y18-24,IT\t-1\n".encode(), "sdg_04_10.tsv", "1 problem"),
    "over 100": (f"{HEAD}\t2019\nA,PC,T,Y18-24,IT\t100.0001\n".encode(), "sdg_04_10.tsv", "1 problem"),
    "wide": (f"{HEAD}\t" .encode() + b"\t".join(b"2019" for _ in range(100_000)) + b"\n", "sdg_04_10.tsv",
             "columns"),
    "big cell": (("freq,unit,sex,age," + "g" * 1_000_000 + "\\TIME_PERIOD\t2019\n").encode(), "sdg_04_10.tsv",
                 "names no geo"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_uploads_are_refused_and_nothing_is_stored(as_role, kind):
    data, name, reason = HOSTILE[kind]
    http = as_role("researcher")
    before = counts()
    response = http.post(reverse("indicators:import"), upload(data, name))
    page = response.content.decode()
    assert response.status_code == 400 and reason in page, kind
    assert "<script>" not in page.split("</header>", 1)[-1].split("<footer", 1)[0] or "<script" not in page
    assert counts() == before


def test_scripts_in_a_refused_file_are_escaped_on_the_page(as_role):
    http = as_role("admin")
    data = f"{HEAD}\t2019\nA,PC,<script>alert(1)</script>,Y18-24,IT\t1\n".encode()
    page = http.post(reverse("indicators:import"), upload(data, "sdg_04_10.tsv")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page


def test_an_upload_over_the_site_limit_is_refused_while_it_streams_in(as_role, settings):
    settings.MAX_UPLOAD_MB = 1  # stands for the 200 MB upload: the handler drops it without keeping it
    http = as_role("admin")
    before = counts()
    response = http.post(reverse("indicators:import"), upload(b"0" * (2 * 1024 * 1024), "sdg_04_10.tsv"))
    assert response.status_code == 400 and "over the 1 MB upload limit" in response.content.decode()
    assert counts() == before


def test_a_dataset_chosen_on_the_form_that_disagrees_with_the_file_is_refused(as_role):
    http = as_role("admin")
    before = counts()
    response = http.post(reverse("indicators:import"),
                         upload(NATIONAL.replace("2022", "2023").encode(), dataset="edat_lfse_16"))
    assert response.status_code == 400 and "name different datasets" in response.content.decode()
    assert counts() == before


def test_the_same_contents_gzipped_again_is_a_new_file_and_imported(as_role):
    """Accepted on purpose: the fingerprint is the uploaded file's (sha256 of its bytes), as the other importers'.
    The same observations gzipped afresh (another timestamp in the gzip header) are a second release of the same
    dataset, which then is the current one; nothing is duplicated in what the pages show (they read the current
    release only). The exact same bytes twice are refused."""
    http = as_role("admin")
    text = NATIONAL.replace("2022", "2023").encode()
    first, second = gzip.compress(text, mtime=1), gzip.compress(text, mtime=2)
    assert first != second
    before = counts()
    assert http.post(reverse("indicators:import"), upload(first, "sdg_04_10.tsv.gz")).status_code == 302
    assert http.post(reverse("indicators:import"), upload(first, "sdg_04_10.tsv.gz")).status_code == 400
    assert http.post(reverse("indicators:import"), upload(second, "sdg_04_10.tsv.gz")).status_code == 302
    assert counts() == (before[0] + 2, before[1] + 2 * 28)
    page = http.get(reverse("indicators:country", args=["IT"])).content.decode()
    assert page.count("13.3") == page.count("13.3")  # rendered without error
    from safeschool.web.indicators import selectors

    assert len(selectors.country_esl("IT")["points"]) == 4  # one series, not two


@pytest.mark.parametrize("path", ["../", "..%2F", "%00", "IT%00", "EL%3Cscript%3E", "EL<script>", "x" * 1000,
                                  "ZZ", "releases/abc", "releases/-1", "releases/0", "releases/99999",
                                  "releases/99999999999999999999999", "releases/9223372036854775808"])
def test_odd_addresses_are_not_found(as_role, path):
    response = as_role("anonymous").get("/indicators/" + path + "/")
    assert response.status_code == 404, path


@pytest.mark.parametrize("code", ["eu27_2020", "EU27_2020", "it", "IT"])
def test_aggregate_and_lowercase_codes_reach_their_page(as_role, code):
    assert as_role("anonymous").get(reverse("indicators:country", args=[code])).status_code == 200


def test_a_region_code_sends_to_its_country_page(as_role):
    """ITC4 (Lombardy) is shown as a row of Italy's page: its own address leads there, not to an empty page."""
    response = as_role("anonymous").get(reverse("indicators:country", args=["ITC4"]))
    assert response.status_code == 302 and response.url == reverse("indicators:country", args=["IT"]) + "#regions"
    assert as_role("anonymous").get(reverse("indicators:country", args=["ES11"])).status_code == 404


RAW = re.compile(r"\bnan\b|\bNone\b|(?<![\w.])-0(?:[.,]0+)?(?![\w.,])|\b[12],\d{3}\b|\bY18-24\b|>\s*(?:T|F|M|PC)\s*<")


def _visible(page: str) -> str:
    """The page's text and chart data without attributes, scripts' code or CSS."""
    body = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"<(?!/?t[dh])[^>]*>", " ", body)


@pytest.mark.parametrize("language", ["en", "es", "el"])
@pytest.mark.parametrize("code", ["", "IT", "EU27_2020", "MT"])
def test_figures_are_written_for_people(as_role, language, code):
    url = reverse("indicators:country", args=[code]) if code else reverse("indicators:index")
    page = as_role("anonymous").get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    text = _visible(page)
    assert not RAW.findall(text), RAW.findall(text)[:5]
    for spec in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        data = json.dumps(json.loads(spec), ensure_ascii=False)
        assert not re.findall(r'"(?:nan|NaN|None|-0|T|Y18-24|PC|2,0\d\d)"|NaN|Infinity', data), data[:300]
    if language in ("es", "el") and code:
        assert re.search(r"\d,\d\s?%", text), "decimal comma"
        assert not re.search(r"\b\d+\.\d\s?%", text)


def test_flags_are_explained_in_words(as_role):
    page = as_role("anonymous").get(reverse("indicators:country", args=["IT"])).content.decode()
    assert "break in time series" in page and "provisional" in page
    with translation.override("es"):
        assert figures.flags_text("bp") and figures.flags_text("bp") != "bp"


def _cli(*args: str):
    from typer.testing import CliRunner

    from safeschool.cli import app

    return CliRunner().invoke(app, ["indicators", "import", *args])


def _one_line(result) -> str:
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def test_the_command_refuses_a_missing_file_a_directory_and_a_huge_file_in_one_line(tmp_path):
    assert "No such file" in _one_line(_cli("--file", str(tmp_path / "missing[/b].tsv")))  # rich markup in a name
    assert "directory" in _one_line(_cli("--file", str(tmp_path)))
    huge = tmp_path / "sdg_04_10.tsv"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, refused before it is read
    assert "over 50 MB" in _one_line(_cli("--file", str(huge)))


def test_the_command_refuses_an_unreadable_file_in_one_line(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    locked = tmp_path / "sdg_04_10.tsv"
    locked.write_text(NATIONAL)
    locked.chmod(0)
    assert "Permission denied" in _one_line(_cli("--file", str(locked)))


def test_the_command_refuses_a_hostile_file_in_one_line_and_stores_nothing(world, db, tmp_path):
    before = counts()
    bad = tmp_path / "sdg_04_10.tsv"
    bad.write_bytes(HOSTILE["year 9999"][0])
    result = _cli("--file", str(bad))
    assert result.exit_code == 2 and "year '9999' is outside" in result.output and "Traceback" not in result.output
    bomb = tmp_path / "sdg_04_10.tsv.gz"
    bomb.write_bytes(HOSTILE["gzip bomb"][0])
    assert "unpacks to over" in _one_line(_cli("--file", str(bomb)))
    assert counts() == before
