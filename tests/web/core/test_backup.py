"""`safeschool backup` and `restore` (core.backup): an installation with a loaded cohort, a user and a media file
backed up and restored into a fresh empty one, compared table by table and byte by byte; a backup taken while
another connection writes; refusals of a non-empty installation, a tampered or hostile file and a wrong key.

The installations are real databases of the test's own (SQLite files, or PostgreSQL databases made from the test
database as a template when DATABASE_URL is postgres://), which the default connection is pointed at for a while.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import sqlite3
import stat
import tarfile
import threading
import uuid
from contextlib import closing, contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connections
from django.test import override_settings

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.core import backup_archive, backup_database
from safeschool.web.core.backup import BackupError, backup, restore
from safeschool.web.research.services import cohort_load

TINY = Sizes(countries=1, schools=2, classes=4, teachers=6, students=80, waves=2)
MEDIA = "label/2026/policy.pdf"
pytestmark = pytest.mark.django_db  # makes pytest-django set the test database up (the template of every installation)


@contextmanager
def database(changes: dict):
    """The default connection pointed at another database (the test's own) inside the block."""
    old = connections["default"]
    new = old.__class__({**old.settings_dict, **changes}, alias="default")
    connections["default"] = new
    try:
        yield new
    finally:
        new.close()
        connections["default"] = old


def home_settings(home: Path) -> dict:
    return {"HOME": home, "MEDIA_ROOT": home / "media", "PSEUDONYM_KEY": "",
            "PSEUDONYM_KEY_FILE": str(home / "keys" / "pseudonym.key")}


class Installations:
    """Empty installations made from the (migrated, empty) test database; SQLite files or PostgreSQL databases."""

    def __init__(self, root: Path):
        self.root, self.vendor, self.made = root, connections["default"].vendor, []
        test_db = connections["default"]
        if self.vendor == "sqlite":
            test_db.ensure_connection()
            self.empty = root / "empty.sqlite3"
            with closing(sqlite3.connect(self.empty)) as target:
                test_db.connection.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
        else:
            self.empty = self._create(template=test_db.settings_dict["NAME"])

    def _create(self, template: str) -> str:
        name = f"backup_{uuid.uuid4().hex[:12]}"
        if template == connections["default"].settings_dict["NAME"]:
            connections["default"].close()  # CREATE DATABASE … TEMPLATE needs the template without sessions
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.append(name)
        return name

    def fresh(self, source: bool = False) -> SimpleNamespace:
        """A new installation: on SQLite a migrated empty database; on PostgreSQL a blank database as `restore`
        finds it on a new machine (the source: a copy of the migrated test database)."""
        home = self.root / f"home-{uuid.uuid4().hex[:8]}"
        home.mkdir()
        if self.vendor == "sqlite":
            shutil.copy(self.empty, home / "safeschool.sqlite3")
            changes = {"NAME": str(home / "safeschool.sqlite3")}
        else:
            changes = {"NAME": self.empty if source else self._create(template="template0")}
        return SimpleNamespace(home=home, db=changes)

    def summary(self, place) -> dict:
        with database(place.db) as connection:
            if self.vendor == "sqlite":
                return backup_database.sqlite_summary(Path(place.db["NAME"]))[0]
            return backup_database.pg_summary(connection)[0]

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with connections["default"]._nodb_cursor() as cursor:
                for name in self.made:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, tmp_path_factory):
    """One installation with a tiny loaded cohort, a user and a media file, and its backup."""
    root = tmp_path_factory.mktemp("backups")
    cohort = root / "cohort"
    simulate(CohortConfig(sizes=TINY, seed=3)).write(cohort)
    with django_db_blocker.unblock():
        places = Installations(root)
        try:
            source = places.fresh(source=True)
            with override_settings(**home_settings(source.home)), database(source.db):
                cohort_load(directory=cohort)
                user_create(username="keeper", password="pw-keeper-123", role=Role.MEMBER)
                media = source.home / "media" / MEDIA
                media.parent.mkdir(parents=True)
                media.write_bytes(b"%PDF-1.4 evidence \x00\xff")
                out = root / "out" / "site.tar.gz"
                result = backup(out)
            yield SimpleNamespace(places=places, source=source, out=out, result=result,
                                  summary=places.summary(source))
        finally:
            places.drop()


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def restore_into(place, archive: Path, **kwargs):
    with override_settings(**home_settings(place.home)), database(place.db):
        return restore(archive, **kwargs)


def test_round_trip_every_table_and_the_media_file(made, unblocked):
    target = made.places.fresh()
    done = restore_into(target, made.out, key=made.result.key_out)
    restored = made.places.summary(target)
    assert restored == made.summary == made.result.manifest["tables"]
    assert made.summary["research_student"]["rows"] == TINY.students
    assert made.summary["auth_user"]["rows"] == 1
    assert (target.home / "media" / MEDIA).read_bytes() == (made.source.home / "media" / MEDIA).read_bytes()
    installed = target.home / "keys" / "pseudonym.key"
    assert done.key_installed == installed and installed.read_bytes() == made.result.key_out.read_bytes()
    assert stat.S_IMODE(installed.stat().st_mode) == 0o600
    assert not list(target.home.glob(".restore-*"))


def test_the_key_is_apart_mode_600_and_not_in_the_file(made):
    key_file = made.result.key_out
    assert key_file == made.out.with_name("site.tar.gz.pseudonym-key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert key == (made.source.home / "keys" / "pseudonym.key").read_text().strip() and len(key) >= 32
    raw = gzip.decompress(made.out.read_bytes())
    assert key.encode() not in raw
    with tarfile.open(made.out) as archive:
        names = archive.getnames()
    assert names[0] == "manifest.json" and "media/" + MEDIA in names and not any("key" in n for n in names)
    manifest = made.result.manifest
    assert manifest["pseudonym_key"]["fingerprint"] and key not in json.dumps(manifest)
    assert manifest["database"]["vendor"] == made.places.vendor and manifest["migrations"]


def listing(home: Path) -> list[str]:
    """What a home holds, without SQLite's -wal and -shm files (a read-only reader of a WAL file leaves them)."""
    return sorted(p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm")))


def _snapshot(place) -> bytes:
    return Path(place.db["NAME"]).read_bytes() if "NAME" in place.db and place.db["NAME"].endswith("sqlite3") else b""


def test_refuses_a_non_empty_installation_and_changes_nothing(made, unblocked):
    before = _snapshot(made.source)
    with pytest.raises(BackupError, match=r"not empty \(table \w+ has [\d,]+ rows\)"):
        restore_into(made.source, made.out)
    assert made.places.summary(made.source) == made.summary and _snapshot(made.source) == before


def _rewrite(archive: Path, out: Path, change_manifest=None, extra=None) -> Path:
    """A copy of `archive` with its manifest changed and hostile members added."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and change_manifest:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        for member, data in extra or []:
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    return out


def test_refuses_a_tampered_checksum_and_writes_nothing(made, unblocked, tmp_path):
    def tamper(manifest):
        manifest["tables"]["research_student"]["checksum"] = "0" * 64

    tampered = _rewrite(made.out, tmp_path / "tampered.tar.gz", tamper)
    target = made.places.fresh()
    before = _snapshot(target)
    with pytest.raises(BackupError, match="research_student's rows do not match the backup's checksum"):
        restore_into(target, tampered)
    assert _snapshot(target) == before
    assert made.places.summary(target).get("research_student", {"rows": 0})["rows"] == 0
    assert listing(target.home) == (["safeschool.sqlite3"] if made.places.vendor == "sqlite" else [])


def _member(name: str, size: int = 0, kind=tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname = size, kind, link
    return info


def _listed(name, size):
    return lambda manifest: manifest["files"].append({"path": name, "size": size, "sha256": "0" * 64})


HOSTILE = {
    "traversal member": ({}, [(_member("media/../../evil.txt", 4), b"evil")], "does not list"),
    "traversal in the manifest": (_listed("../evil.txt", 4), [(_member("../evil.txt", 4), b"evil")],
                                  "outside its folders"),
    "symlink": (_listed("media/link", 0), [(_member("media/link", kind=tarfile.SYMTYPE, link="/etc/passwd"), None)],
                "not a plain file"),
    "huge member": (_listed("media/huge.bin", 2 ** 62), [], r"needs [\d,]+ bytes"),
    "undeclared size": (_listed("media/big.bin", 3), [(_member("media/big.bin", 9), b"123456789")],
                        "its manifest says 3"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_refuses_a_hostile_file_and_writes_nothing(made, unblocked, tmp_path, kind):
    if made.places.vendor != "sqlite":
        pytest.skip("the archive's checks do not depend on the database (run on SQLite)")
    change, extra, message = HOSTILE[kind]
    hostile = _rewrite(made.out, tmp_path / "hostile.tar.gz", change or None, extra)
    target = made.places.fresh()
    before = _snapshot(target)
    with pytest.raises(BackupError, match=message):
        restore_into(target, hostile)
    assert _snapshot(target) == before
    assert listing(target.home) == ["safeschool.sqlite3"]
    assert not (tmp_path.parent / "evil.txt").exists() and not (target.home.parent / "evil.txt").exists()


def test_refuses_a_truncated_file_and_a_wrong_key(made, unblocked, tmp_path):
    if made.places.vendor != "sqlite":
        pytest.skip("the archive's checks do not depend on the database (run on SQLite)")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(made.out.read_bytes()[: made.out.stat().st_size // 2])
    target = made.places.fresh()
    with pytest.raises(BackupError, match="corrupt or truncated"):
        restore_into(target, truncated)
    wrong = tmp_path / "wrong.key"
    wrong.write_text("f" * 64)
    with pytest.raises(BackupError, match="is not the key this backup was made with"):
        restore_into(target, made.out, key=wrong)
    assert made.places.summary(target)["research_student"]["rows"] == 0
    assert listing(target.home) == ["safeschool.sqlite3"]


def test_online_backup_is_one_consistent_snapshot_while_another_connection_writes(made, unblocked, tmp_path):
    """A writer adds a group and a content type in each transaction; the backup must hold as many of one as of
    the other, and its manifest must describe exactly the database it holds."""
    if made.places.vendor != "sqlite":
        pytest.skip("SQLite's online copy (PostgreSQL: pg_dump reads the summary's exported snapshot)")
    place = made.places.fresh()
    path = Path(place.db["NAME"])
    stop, written, started = threading.Event(), [0], threading.Event()

    def writer():
        with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            while not stop.is_set():
                n = written[0]
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO auth_group (name) VALUES (?)", (f"g{n}",))
                conn.execute("INSERT INTO django_content_type (app_label, model) VALUES ('w', ?)", (f"m{n}",))
                conn.execute("COMMIT")
                written[0] = n + 1
                started.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(10)
        before = written[0]
        with override_settings(**home_settings(place.home)), database(place.db):
            result = backup(tmp_path / "online.tar.gz")
        during = written[0] - before
    finally:
        stop.set()
        thread.join()
    assert during > 0  # the writer really wrote while the backup ran
    tables = result.manifest["tables"]
    base = made.places.summary(SimpleNamespace(db={"NAME": str(made.places.empty)}))
    groups = tables["auth_group"]["rows"] - base["auth_group"]["rows"]
    assert groups > 0 and groups == tables["django_content_type"]["rows"] - base["django_content_type"]["rows"]
    staging = tmp_path / "staging"
    staging.mkdir()
    backup_archive.unpack(tmp_path / "online.tar.gz", staging)
    assert backup_database.sqlite_summary(staging / "database.sqlite3")[0] == tables
