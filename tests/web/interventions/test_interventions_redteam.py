"""Red team of /interventions/: every address for every role (and two members who may not edit: one who withdrew
consent, one below level (c)), wrong and non-numeric ids, GET on POST-only addresses, POSTs without a CSRF token,
IDOR (editing someone else's intervention, staff of one school seeing another school's arm, the allocation's seed),
small groups (a stored result with an arm under MIN_CELL on the page, the status fragment and the PDF), hostile text
(HTML/JS, scripts no PDF font draws, very long strings) on the pages and in the PDF, hostile uploads (NUL bytes,
non-UTF-8, 100k columns, a formula cell, path tricks in the name) and hostile power-calculator input (negative,
NaN, inf, 1e308, a search for clusters that could run for ever)."""

from __future__ import annotations

import math
import re
import time
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from safeschool.vocabulary import MIN_CELL
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import reports_impact, services_allocation
from safeschool.web.interventions.models import (
    CoProducer,
    ImpactRun,
    Intervention,
    InterventionVersion,
    LogicModelItem,
    Protocol,
    Trial,
)
from safeschool.web.network import services as network
from safeschool.web.network.models import Member
from safeschool.web.research.models import Country, School, SchoolClass, Student
from safeschool.web.research.services import staff_appoint

SEED = 4242
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SCRIPTS = "Ελληνικά Łódź Română 中文 😀 \u202egnp.exe"  # Greek, Polish, Romanian, CJK, emoji, bidi override
ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin", "withdrawn", "level_b")
SIGNED_IN = set(ROLES) - {"anonymous"}
DESIGNERS = {"researcher", "admin"}
EDITORS = {"member", "researcher", "admin"}  # member co-produces; withdrawn registered and co-produces, withdrew
ADDERS = {"member", "staff_own", "staff_other", "researcher", "admin"}
REGISTRY_RIGHTS = ("home", "intervention", "intervention_new", "intervention_edit", "logic_edit", "coproducer_add",
                   "version_new", "trial_new", "protocol_draft", "allocation")


def _member(user, *, name: str, level: str = "c") -> Member:
    member = Member.objects.create(user=user, display_name=name, stakeholder_type="practitioner", country="IT",
                                   birth_year=1980, level=level, in_directory=True)
    network.consent_give(member=member)
    return member


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    home = tmp_path_factory.mktemp("redteam-home")
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=3,
                                         esl_rate_pct=11, esl_support=True, inclusion_index=0.5)
        schools = [School.objects.create(code=f"RT{i:02d}", name=f"Scuola {i:02d}", country=country,
                                         stage="lower_secondary", context="urban", ses_composition=0)
                   for i in range(1, 13)]
        users = {role: user_create(username=f"rt-{role}", password=None, role=r) for role, r in (
            ("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
            ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN), ("withdrawn", Role.MEMBER),
            ("level_b", Role.MEMBER))}
        staff_appoint(user=users["staff_own"], school=schools[0])
        staff_appoint(user=users["staff_other"], school=schools[-1])
        member = _member(users["member"], name="Maria")
        gone = _member(users["withdrawn"], name="Gianni")
        _member(users["level_b"], name="Bea", level="b")
        intervention = Intervention.objects.create(
            name=f"Mentoring {HOSTILE} {SCRIPTS}", why="x" * 5_000, providers=HOSTILE, materials=SCRIPTS,
            summary=HOSTILE, level="relational", outcomes=["achievement"], status="ready",
            created_by=users["withdrawn"])
        InterventionVersion.objects.create(intervention=intervention, number=1, snapshot={
            "name": intervention.name, "providers": HOSTILE, "logic": {"inputs": [HOSTILE]}})
        LogicModelItem.objects.create(intervention=intervention, stage="inputs", text=HOSTILE)
        CoProducer.objects.create(intervention=intervention, member=member, sector="social_care")
        CoProducer.objects.create(intervention=intervention, member=gone, sector="education", role=HOSTILE)
        network.consent_withdraw(member=gone, kind="membership")
        trial = Trial.objects.create(intervention=intervention, title=f"Trial {HOSTILE} {SCRIPTS}", design="crt2",
                                     unit="school", primary_outcome="achievement", status="registered",
                                     analysis_model="y ~ treat + baseline + (1|school_id)")
        trial.schools.add(*schools)
        protocol = Protocol.objects.create(trial=trial, content={"design": "crt2", "stopping_rules": HOSTILE})
        Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash="d" * 64)
        allocation = services_allocation.allocation_run(trial=trial, user=users["researcher"], seed=SEED)
        arms = {u.school.code: u.arm for u in allocation.units.select_related("school")}
        draft = Trial.objects.create(intervention=intervention, title="Draft trial", design="crt2", unit="school",
                                     primary_outcome="achievement", analysis_model="y ~ treat + (1|school_id)")
        small = ImpactRun.objects.create(
            trial=trial, data="trials/none.csv", outcome="achievement", formula="y ~ treat + (1|school_id)",
            status="succeeded", result={"estimate": 0.987654, "ci": [0.5, 1.5], "p": 0.01234, "effect_size": 0.876543,
                                        "effect_size_ci": [0.1, 1.2], "n": 109},
            consort={"control": {"students_analysed": 100, "students_assigned": 100},
                     "intervention": {"students_analysed": MIN_CELL - 1, "students_assigned": MIN_CELL - 1}})
        yield SimpleNamespace(users=users, intervention=intervention, trial=trial, draft=draft, small=small,
                              schools=schools, arms=arms, seed=allocation.seed)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return world


def _as(client, w, role):
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def _pages(w) -> dict:
    """name -> (address, the roles that get 200; every other signed-in role gets 403)."""
    i, t, d = w.intervention.pk, w.trial.pk, w.draft.pk
    url = reverse
    return {
        "home": (url("interventions:home"), SIGNED_IN),
        "intervention": (url("interventions:intervention", args=[i]), SIGNED_IN),
        "version": (url("interventions:version", args=[i, 1]), SIGNED_IN),
        "intervention_new": (url("interventions:intervention_new"), ADDERS),
        "intervention_edit": (url("interventions:intervention_edit", args=[i]), EDITORS),
        "logic_edit": (url("interventions:logic_edit", args=[i]), EDITORS),
        "coproducer_add": (url("interventions:coproducer_add", args=[i]), EDITORS),
        "version_new": (url("interventions:version_new", args=[i]), EDITORS),
        "trials": (url("interventions:trials"), SIGNED_IN),
        "trial_new": (url("interventions:trial_new", args=[i]), DESIGNERS),
        "trial": (url("interventions:trial", args=[t]), SIGNED_IN),
        "trial_edit": (url("interventions:trial_edit", args=[t]), DESIGNERS),
        "trial_power": (url("interventions:trial_power", args=[d]), SIGNED_IN),
        "power": (url("interventions:power"), SIGNED_IN),
        "protocol": (url("interventions:protocol", args=[t]), SIGNED_IN),
        "protocol_draft": (url("interventions:protocol", args=[d]), DESIGNERS),
        "protocol_json": (url("interventions:protocol_json", args=[t]), SIGNED_IN),
        "deviation_new": (url("interventions:deviation_new", args=[t]), DESIGNERS),
        "allocation": (url("interventions:allocation", args=[t]), SIGNED_IN),
        "impact": (url("interventions:impact", args=[t]), SIGNED_IN),
        "impact_run": (url("interventions:impact_run", args=[w.small.pk]), SIGNED_IN),
        "trial_report_pdf": (url("interventions:trial_report_pdf", args=[t]), SIGNED_IN),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_address_for_every_role(client, w, role):
    """Each role gets 200, 403 or the login page; every page it gets shows the hostile text (HTML/JS in the TIDieR
    fields, the logic model, a co-producer's role, the trial's title, the protocol) escaped."""
    _as(client, w, role)
    for name, (address, allowed) in _pages(w).items():
        if role in ("withdrawn", "level_b") and name not in REGISTRY_RIGHTS:
            continue  # the two members differ from `member` only in the registry's rights
        response = client.get(address)
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"], name
            continue
        assert response.status_code == (200 if role in allowed else 403), (name, response.status_code)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            assert "<script>alert" not in page and "<img src=x" not in page, name
    if role == "member":
        page = client.get(reverse("interventions:intervention", args=[w.intervention.pk])).content.decode()
        assert "&lt;script&gt;alert" in page and "x" * 5_000 in page  # shown, as text


def test_wrong_and_non_numeric_ids_are_404(client, w):
    client.force_login(w.users["admin"])
    names = ("intervention", "intervention_edit", "logic_edit", "coproducer_add", "version_new", "trial_new",
             "trial", "trial_edit", "trial_power", "protocol", "protocol_json", "deviation_new", "allocation",
             "impact", "impact_run", "trial_report_pdf", "protocol_lock", "trial_complete")
    for name in names:
        wrong = reverse(f"interventions:{name}", args=[987654])
        assert client.get(wrong).status_code in (404, 405), name
        assert client.post(wrong, {"confirm": "on"}).status_code == 404, name
        for bad in ("abc", "-1", "1.5", "%2e%2e", "1e3", "９"):  # ９: a full-width digit
            assert client.get(wrong.replace("987654", bad)).status_code == 404, (name, bad)
    assert client.get(reverse("interventions:version", args=[w.intervention.pk, 99])).status_code == 404


def test_out_of_range_ids_and_hostile_text_fields_are_404_or_400(client, w):
    """An id beyond the database's integer range in the address or a form, NUL bytes and megabyte texts: never a
    server error."""
    client.raise_request_exception = False
    client.force_login(w.users["admin"])
    huge = "9" * 30
    for name in ("intervention", "trial", "impact_run", "allocation", "trial_report_pdf", "protocol_json",
                 "trial_new", "trial_power"):
        assert client.get(reverse(f"interventions:{name}", args=[987654]).replace("987654", huge)).status_code == 404
    assert client.get(f"/interventions/{w.intervention.pk}/versions/{huge}/").status_code == 404
    new, deviation = reverse("interventions:intervention_new"), reverse("interventions:deviation_new", args=[w.trial.pk])
    assert client.post(new, {"name": "a\x00b", "why": "y"}).status_code == 400
    assert client.post(new, {"name": "a" * 201, "why": "y" * 1_000_000}).status_code == 400
    assert client.post(deviation, {"field": "design", "change": "\x00", "reason": "b" * 100_000}).status_code == 400
    assert client.post(reverse("interventions:coproducer_add", args=[w.intervention.pk]),
                       {"member": huge, "sector": "education"}).status_code == 400
    assert client.get(reverse("interventions:trial_new", args=[w.intervention.pk]),
                      {"schools": ["abc", huge], "steps": huge, "version": huge, "refresh": "1"}).status_code == 200


@pytest.mark.parametrize("field", ["practices", "programmes", "par_cycles"])
def test_a_linked_id_beyond_the_integer_range_is_a_form_error(client, w, field):
    client.raise_request_exception = False
    client.force_login(w.users["admin"])
    for value in ("9" * 30, "-" + "9" * 30):
        response = client.post(reverse("interventions:intervention_edit", args=[w.intervention.pk]),
                               {"name": "n", "why": "w", "status": "draft", field: [value]})
        assert response.status_code == 400 and field in response.context["form"].errors, value


@pytest.mark.parametrize("name", ["trial_new", "trial_edit"])
def test_a_school_id_beyond_the_integer_range_is_a_form_error(client, w, name):
    client.raise_request_exception = False
    client.force_login(w.users["researcher"])
    pk = w.intervention.pk if name == "trial_new" else w.draft.pk
    response = client.post(reverse(f"interventions:{name}", args=[pk]), {
        "title": "t", "design": "crt2", "primary_outcome": "achievement", "schools": ["9" * 30]})
    assert response.status_code == 400


def test_get_on_post_only_addresses_is_405_and_changes_nothing(client, w):
    client.force_login(w.users["admin"])
    for name in ("protocol_lock", "trial_complete"):
        assert client.get(reverse(f"interventions:{name}", args=[w.draft.pk])).status_code == 405, name
    w.draft.refresh_from_db()
    assert w.draft.status == "designing" and not Protocol.objects.filter(trial=w.draft).exists()


def test_posts_without_a_csrf_token_are_refused(w):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(w.users["admin"])
    posts = {
        reverse("interventions:intervention_new"): {"name": "x", "why": "y"},
        reverse("interventions:intervention_edit", args=[w.intervention.pk]): {"name": "x", "why": "y"},
        reverse("interventions:protocol_lock", args=[w.draft.pk]): {"confirm": "on"},
        reverse("interventions:allocation", args=[w.draft.pk]): {"confirm": "on"},
        reverse("interventions:trial_complete", args=[w.trial.pk]): {"confirm": "on"},
        reverse("interventions:deviation_new", args=[w.trial.pk]): {"field": "design", "change": "a", "reason": "b"},
        reverse("interventions:impact", args=[w.trial.pk]): {"outcome": "achievement"},
        reverse("interventions:trial_power", args=[w.draft.pk]): {"save": "1"},
    }
    for address, data in posts.items():
        assert strict.post(address, data).status_code == 403, address
    w.intervention.refresh_from_db()
    assert w.intervention.name != "x" and Trial.objects.get(pk=w.trial.pk).status == "randomised"


@pytest.mark.parametrize("role", ["withdrawn", "level_b", "staff_own", "staff_other"])
def test_someone_elses_intervention_cannot_be_edited_by_post(client, w, role):
    """IDOR: a POST straight to the edit addresses of an intervention they may not edit is 403 and writes nothing
    (the member who withdrew consent registered and co-produced it)."""
    _as(client, w, role)
    pk = w.intervention.pk
    before = Intervention.objects.get(pk=pk).name
    for name, data in (("intervention_edit", {"name": "Taken", "why": "y", "status": "retired"}),
                       ("coproducer_add", {"organisation": "Mine", "sector": "education"}),
                       ("version_new", {"name": "Taken", "why": "y", "changes": "a", "reasons": "b"}),
                       ("logic_edit", {})):
        assert client.post(reverse(f"interventions:{name}", args=[pk]), data).status_code == 403, name
    assert Intervention.objects.get(pk=pk).name == before
    assert not CoProducer.objects.filter(organisation="Mine").exists()
    assert InterventionVersion.objects.filter(intervention_id=pk).count() == 1


@pytest.mark.parametrize("role", ["member", "staff_own", "staff_other", "withdrawn"])
def test_non_researchers_cannot_design_allocate_or_complete(client, w, role):
    _as(client, w, role)
    t, d = w.trial.pk, w.draft.pk
    assert client.post(reverse("interventions:protocol_lock", args=[d]), {"confirm": "on"}).status_code == 403
    assert client.post(reverse("interventions:protocol", args=[t]), {"stopping_rules": "none"}).status_code == 403
    assert client.post(reverse("interventions:trial_complete", args=[t]), {"confirm": "on"}).status_code == 403
    assert client.post(reverse("interventions:allocation", args=[d]), {"confirm": "on"}).status_code == 403
    assert client.post(reverse("interventions:trial_power", args=[d]), {
        "save": "1", "design": "crt2", "solve": "mdes", "clusters": 20, "cluster_size": 25, "icc": 0.1, "r2_1": 0,
        "r2_2": 0, "r2_3": 0, "covariates": 0, "p": 0.5, "alpha": 0.05, "power": 0.8}).status_code in (200, 403)
    d_trial = Trial.objects.get(pk=d)
    assert d_trial.power == {} and d_trial.status == "designing"
    assert Trial.objects.get(pk=t).status == "randomised"


@pytest.mark.parametrize("role,own", [("staff_own", 0), ("staff_other", -1), ("member", None), ("withdrawn", None),
                                      ("researcher", "all")])
def test_arms_and_the_seed_are_seen_only_by_whom_they_belong_to(client, w, role, own):
    _as(client, w, role)
    response = client.get(reverse("interventions:allocation", args=[w.trial.pk]))
    rows = response.context["unit_rows"]
    codes = {r["unit"] for r in rows}
    if own == "all":
        assert codes == set(w.arms)
    elif own is None:
        assert codes == set()
    else:
        assert codes == {w.schools[own].code}
    page = response.content.decode()
    assert (str(w.seed) in page) == (role == "researcher")
    # another school's arm never appears beside its code on the trial page, its panels or the PDF
    detail = client.get(reverse("interventions:trial", args=[w.trial.pk])).content.decode()
    assert (str(w.seed) in detail) == (role == "researcher") or str(w.seed) not in detail


def _pdf_text(monkeypatch) -> list[str]:
    written: list[str] = []
    for method in ("multi_cell", "cell"):
        original = getattr(FPDF, method)

        def spy(self, *args, _original=original, **kwargs):
            written.append(str(kwargs.get("text", args[2] if len(args) > 2 else "")))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(FPDF, method, spy)
    return written


def test_a_small_arm_shows_no_figure_on_the_page_the_fragment_or_the_pdf(client, w, monkeypatch):
    client.force_login(w.users["researcher"])
    address = reverse("interventions:impact_run", args=[w.small.pk])
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(address, headers=headers).content.decode()
        for figure in ("0.98", "0.87", "0.012", "109", "0,98", "0,87"):
            assert figure not in page, (headers, figure)
    panels = client.get(reverse("interventions:trial", args=[w.trial.pk])).content.decode()
    assert "0.87" not in panels and "0,87" not in panels
    written = _pdf_text(monkeypatch)
    reports_impact.report_pdf(user=w.users["researcher"], trial=w.trial)
    text = "\n".join(written)
    for figure in ("0.98", "0.87", "0.012", "109", "0,98", "0,87"):
        assert figure not in text, figure


def test_a_co_producer_who_withdrew_consent_is_no_longer_named(client, w):
    client.force_login(w.users["staff_other"])
    page = client.get(reverse("interventions:intervention", args=[w.intervention.pk])).content.decode()
    assert "Maria" in page and "Gianni" not in page and "A network member" in page


def test_the_pdf_draws_hostile_text_and_other_scripts(client, w, monkeypatch):
    written = _pdf_text(monkeypatch)
    client.force_login(w.users["member"])
    response = client.get(reverse("interventions:trial_report_pdf", args=[w.trial.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="trial-{w.trial.pk}-report.pdf"'
    assert any("Ελληνικά Łódź Română" in t for t in written) and any(HOSTILE in t for t in written)
    assert str(w.seed) not in "\n".join(written)


def _upload(client, w, content: bytes, name: str):
    return client.post(reverse("interventions:impact", args=[w.trial.pk]),
                       {"data": SimpleUploadedFile(name, content), "outcome": "achievement"})


def _rows(codes, extra=""):
    lines = ["student_id,school_id,class_id,y,baseline" + extra]
    for i, code in enumerate(codes):
        lines.append(f"p{i},{code},c{i},1.0,0.5")
    return "\n".join(lines)


def _hostile_uploads(codes) -> dict:
    """case -> (content, file name, the one-line reason the page must give)."""
    rows = _rows(codes)
    with_header = "\n".join(line + (",=cmd|' /C calc'!A0" if not i else ",1") for i, line in enumerate(rows.split("\n")))
    return {
        "nul bytes": (rows.replace("1.0", "1\x00.0").encode(), "f.csv", "NUL character"),
        "non-UTF-8 junk": (rows.encode("latin-1") + b"\xff\xfe\x00", "f.csv", "cannot be read"),
        "100k columns": ((",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" * 100_000)).encode(),
                         "f.csv", "column limit"),
        "formula id": (rows.replace("p0,", "=1+1,").encode(), "f.csv", "spreadsheet formula"),
        "formula command": (rows.replace("p1,", "@SUM(A1)|cmd,").encode(), "f.csv", "spreadsheet formula"),
        "formula header": (with_header.encode(), "f.csv", "spreadsheet formula"),
        "path in name": (b"\x00\x01junk", "../../../../etc/passwd.csv", "cannot be read"),
        "double suffix": (rows.encode(), "f.csv.exe", ".csv or .parquet"),
        "no rows": (b"student_id,school_id,class_id,y,baseline\n", "f.csv", "no rows"),
        "binary as csv": (bytes(range(256)) * 64, "f.csv", "not a text file"),
        "zip as parquet": (b"PK\x03\x04" + b"\x00" * 4096, "f.parquet", "cannot be read"),
    }


@pytest.mark.parametrize("case", ["nul bytes", "non-UTF-8 junk", "100k columns", "formula id", "formula command",
                                  "formula header", "path in name", "double suffix", "no rows", "binary as csv",
                                  "zip as parquet"])
def test_hostile_uploads_are_a_form_error_and_nothing_is_stored(client, w, settings, case):
    content, name, reason = _hostile_uploads(sorted(w.arms))[case]
    client.force_login(w.users["researcher"])
    started = time.perf_counter()
    response = _upload(client, w, content, name)
    assert time.perf_counter() - started < 5, case
    assert response.status_code == 400, (case, response.status_code)
    page = response.content.decode()
    assert 'class="error"' in page and reason in page, case
    assert "Traceback" not in page and "/etc/passwd" not in page and "/tmp/" not in page, case
    assert not ImpactRun.objects.exclude(pk=w.small.pk).exists()
    assert not (settings.MEDIA_ROOT / "trials").exists()


def test_a_parquet_bomb_is_refused_from_its_footer(client, w, settings, monkeypatch, tmp_path):
    """A few kilobytes of run-length-encoded Parquet declaring more cells than the limit (lowered here so the test
    stays small) is refused before anything is unpacked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from safeschool.ingest import readers

    monkeypatch.setattr(readers, "MAX_PARQUET_CELLS", 100_000)
    path = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"student_id": pa.array([0] * 200_000, type=pa.int8())}), path, compression="zstd")
    assert path.stat().st_size < 10_000
    client.force_login(w.users["researcher"])
    unpacked = []
    monkeypatch.setattr(readers.pd, "read_parquet", lambda *a, **k: unpacked.append(a) or pytest.fail("unpacked"))
    response = _upload(client, w, path.read_bytes(), "bomb.parquet")
    assert response.status_code == 400 and "cell limit" in response.content.decode() and not unpacked
    assert not ImpactRun.objects.exclude(pk=w.small.pk).exists()


def test_a_stored_file_name_never_comes_from_the_upload(client, w, settings):
    """A file the checks accept is stored under a name of the platform's, not the uploader's path."""
    codes = sorted(w.arms)
    body = "student_id,school_id,class_id,y,baseline\n" + "\n".join(
        f"p{i},{codes[i % len(codes)]},c{i % 24},{i % 7}.5,{i % 5}.25" for i in range(240))
    client.force_login(w.users["researcher"])
    response = _upload(client, w, body.encode(), "..%2F..%2Fevil\\..\\x.csv")
    assert response.status_code == 302, response.content.decode()[-1500:]
    run = ImpactRun.objects.exclude(pk=w.small.pk).get()
    assert ".." not in run.data.name and "evil" not in run.data.name and "\\" not in run.data.name
    assert (settings.MEDIA_ROOT / run.data.name).resolve().is_relative_to(settings.MEDIA_ROOT.resolve())


POWER = {"design": "crt2", "solve": "mdes", "clusters": "20", "cluster_size": "25", "icc": "0.1", "r2_1": "0",
         "r2_2": "0", "r2_3": "0", "covariates": "0", "p": "0.5", "alpha": "0.05", "power": "0.8"}


REFUSED = [{"icc": "-0.1"}, {"icc": "NaN"}, {"icc": "-inf"}, {"icc": "1e308"},
           {"clusters": "-5"}, {"clusters": "1e308"}, {"cluster_size": "-1"},
           {"cluster_size": "nan"}, {"cluster_size": "inf"}, {"p": "1"}, {"alpha": "0"}, {"power": "1"},
           {"covariates": "19"}, {"clusters": "2"}, {"solve": "clusters", "target": "1e-300"},
           {"solve": "clusters", "target": "0.001", "cluster_size": "1e308"},
           {"solve": "clusters", "target": "0.001", "icc": "0.99"}, {"solve": "power", "effect": "nan"},
           {"design": "bcrt2", "blocks": "1000", "clusters": "3"}, {"design": "<script>"},
           {"icc": "0.1" * 2_000}, {"design": "sw"}, {"design": "bcrt3"}]
ANSWERED = [{"cluster_size": "1e308"}, {"design": "crt3", "classes_per_school": "1e308", "icc_class": "0.1"},
            {"solve": "clusters", "target": "1e308"}, {"solve": "power", "effect": "1e308"},
            {"design": "sw", "steps": "24", "clusters": "100000"}, {"clusters": "100000", "cluster_size": "1e6"}]


@pytest.mark.parametrize("over", REFUSED + ANSWERED)
def test_the_calculator_refuses_or_answers_hostile_numbers_fast(client, w, over):
    """Out-of-range, non-finite or impossible inputs are a form error (400); huge but valid ones are answered
    with finite figures; neither takes long (the clusters-needed search is bounded)."""
    client.force_login(w.users["member"])
    started = time.perf_counter()
    response = client.post(reverse("interventions:power"), {**POWER, **over})
    assert time.perf_counter() - started < 3, over
    page = response.content.decode()
    assert "<script>" not in page and "Traceback" not in page
    if over in REFUSED:
        assert response.status_code == 400 and 'class="error' in page and "data-mdes=" not in page, over
    else:
        assert response.status_code == 200, over
        figures = [float(v) for v in re.findall(r'data-(?:mdes|clusters|power)="([^"]*)"', page)]
        assert figures and all(math.isfinite(v) and v >= 0 for v in figures), (over, figures)


@pytest.mark.parametrize("over", [{"design": "sw"}, {"design": "bcrt2"}, {"design": "bcrt3"},
                                  {"design": "crt3", "icc_class": "0.05"}])
def test_a_design_input_left_empty_is_a_field_error_in_words(client, w, over):
    client.force_login(w.users["member"])
    page = client.post(reverse("interventions:power"), {**POWER, **over}).content.decode()
    assert "got None" not in page and "--steps" not in page and "--blocks" not in page and "--icc-class" not in page


def test_the_trial_power_page_shows_no_student_count_under_ten(client, w):
    school = w.schools[1]
    klass = SchoolClass.objects.create(code="RT-small", school=school, grade=7)
    for i in range(3):
        Student.objects.create(pseudonym=f"rt-small-{i}", school_class=klass, gender="F", age=12,
                               migrant_background=False, roma_minority=False, ses_index=0, sen=False,
                               out_of_parental_care=False, cohort=1)
    tiny = Trial.objects.create(intervention=w.intervention, title="Tiny", design="crt2", unit="school",
                                primary_outcome="achievement", analysis_model="y ~ treat + (1|school_id)")
    tiny.schools.add(school)
    client.force_login(w.users["member"])
    response = client.get(reverse("interventions:trial_power", args=[tiny.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 students" not in page and response.context["form"].initial.get("cluster_size") != 3.0


@pytest.mark.parametrize("over", [{"clusters": "2"}, {"covariates": "19"}])
def test_a_library_refusal_reads_as_the_form_not_the_command_line(client, w, over):
    client.force_login(w.users["member"])
    page = client.post(reverse("interventions:power"), {**POWER, **over}).content.decode()
    assert "--clusters" not in page and "J - g - 2" not in page


def test_the_registry_filters_ignore_hostile_queries(client, w):
    client.force_login(w.users["member"])
    for query in ({"q": HOSTILE}, {"q": "%" * 500}, {"q": "\x00"}, {"sector": "<b>"}, {"outcome": ["a", "b"]},
                  {"status": "'; DROP TABLE x; --"}, {"level": "x" * 10_000}):
        response = client.get(reverse("interventions:home"), query)
        assert response.status_code == 200, query
        assert "<script>alert" not in response.content.decode() and "<b>" not in response.content.decode()


def test_the_calculator_query_ignores_hostile_choices(client, w):
    client.force_login(w.users["member"])
    response = client.get(reverse("interventions:power"), {"countries": ["<script>", "ZZ"], "stages": "x" * 10_000,
                                                           "outcome": "../../etc", "design": "did"})
    assert response.status_code == 200 and "<script>" not in response.content.decode()
