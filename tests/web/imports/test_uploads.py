"""Uploads: refused over the size limit while they stream in, read once and kept as Parquet, nothing kept of a file
that cannot be read, stale uploads swept."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from safeschool.ingest import readers
from safeschool.web.imports import staging
from safeschool.web.imports.models import ImportBatch
from safeschool.web.imports.uploads import UploadLimitHandler


def folders(settings) -> list[Path]:
    root = Path(settings.IMPORT_STAGING)
    return sorted(root.iterdir()) if root.exists() else []




def test_an_upload_over_the_limit_is_refused_naming_it(client_as, settings, tmp_path):
    settings.MAX_UPLOAD_MB = 1
    path = tmp_path / "big.csv"
    path.write_text("student_id,pssm_1\n" + "S-0001,3\n" * 200_000)  # 1.8 MB
    with open(path, "rb") as fh:
        response = client_as("researcher").post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
    assert response.status_code == 400
    assert "is over the 1 MB upload limit" in response.content.decode()
    assert folders(settings) == []


def test_the_limit_stops_a_file_while_it_streams(settings):
    settings.MAX_UPLOAD_MB = 1
    request = RequestFactory().post("/")
    handler = UploadLimitHandler(request)
    handler.handle_raw_input(None, {}, 1_000, "b")  # the request understates its length
    handler.new_file("file", "big.csv", "text/csv", None)
    assert handler.receive_data_chunk(b"x" * 65_536, 0) == b"x" * 65_536
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 65_536, 1024 * 1024 - 1_000)
    assert request.upload_refused.startswith("'big.csv' is over the 1 MB upload limit")


def test_a_refused_file_leaves_nothing_in_staging(client_as, settings, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("student_id,pssm_1\n")
    with open(path, "rb") as fh:
        response = client_as("researcher").post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
    assert response.status_code == 400 and "header row but no data rows" in response.content.decode()
    assert folders(settings) == [] and not ImportBatch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_file_is_read_once_and_kept_as_parquet(client_as, settings, survey_file, monkeypatch):
    client = client_as("researcher")
    with open(survey_file, "rb") as fh:
        response = client.post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
    (folder,) = folders(settings)
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "table.json", "table.parquet"]

    def parse_again(*args, **kwargs):
        raise AssertionError("the original was parsed again")

    monkeypatch.setattr(readers, "_read_csv", parse_again)
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and "No problems found" in preview.content.decode()
    assert client.get(response["Location"] + "problems.csv").status_code == 200
    form = preview.context["form"]
    data = {name: (field.initial if field.initial is not None else "") for name, field in form.fields.items()}
    client.post(response["Location"], data | {"action": "import"})
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    batch = ImportBatch.objects.get()
    # the batch records the original file, as the fingerprint (file bytes + mapping) needs
    body = survey_file.read_bytes()
    assert (batch.file_sha256, batch.file_size, batch.file_format, batch.encoding) == (
        hashlib.sha256(body).hexdigest(), len(body), "csv", "utf-8")
    assert batch.counts["rows"] > 0 and folders(settings) == []


def test_stale_uploads_are_swept_and_fresh_ones_kept(users, settings, survey_file):
    settings.IMPORT_STAGING_MAX_AGE_HOURS = 24

    def upload():
        return staging.stage(user=users["researcher"], upload=SimpleUploadedFile("s.csv", survey_file.read_bytes()),
                             target="student_survey", mapping=None)

    old, fresh = upload(), upload()
    two_days_ago = time.time() - 48 * 3600
    os.utime(Path(settings.IMPORT_STAGING) / old, (two_days_ago, two_days_ago))
    assert staging.staging_sweep() == 1
    assert [f.name for f in folders(settings)] == [fresh]
    upload()  # staging an upload sweeps too
    assert len(folders(settings)) == 2
