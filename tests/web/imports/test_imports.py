"""Imports through the real services and pages: all-or-nothing, idempotent, undo restores exactly, per role."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from safeschool.ingest.mapping import parse_mapping
from safeschool.instruments.registry import registry
from safeschool.web.imports.models import ImportBatch, SurveyResponse
from safeschool.web.imports.services import (
    ImportRefused,
    import_apply,
    import_check,
    import_file,
    import_undo,
)
from safeschool.web.research.models import Outcome, StudentScales

STUDENT_INSTRUMENTS = ("kss", "strs_sf", "pssm", "engagement", "climate")
BAD_FILES = {
    "empty.csv": lambda p: p.write_bytes(b""),
    "header_only.csv": lambda p: p.write_text("student_id,wave,pssm_1\n"),
    "binary.csv": lambda p: p.write_bytes(b"PK\x03\x04\x00\x00\x00binary"),
    "ragged.csv": lambda p: p.write_text("student_id,wave,pssm_1\nA,1,3\nB,1,3,4\n"),
    "truncated.sav": lambda p: p.write_bytes(b"$FL2@(#) IBM SPSS STATISTICS 64-bit"),
    "not_excel.xlsx": lambda p: p.write_text("student_id,pssm_1\n1,2\n"),
}


def snapshot():
    """Every row of the tables imports touch, as plain values."""
    return (list(StudentScales.objects.order_by("pk").values_list()),
            list(Outcome.objects.order_by("pk").values_list()),
            list(SurveyResponse.objects.order_by("pk").values_list()))


@pytest.fixture
def mapping():
    columns = {i: i for code in STUDENT_INSTRUMENTS for i in registry()[code].items}
    return parse_mapping({"target": "student_survey", "id": "student_id", "wave": {"column": "wave"},
                          "language": {"column": "language"}, "columns": columns})


@pytest.mark.usefixtures("cohort_shared")
class TestWithTheCohort:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    def test_import_scores_items_undo_restores_exactly(self, loaded, survey_file, mapping, small_cohort):
        before = snapshot()
        prepared, outcome = import_file(path=survey_file, mapping=mapping)
        assert prepared.ok and outcome and not outcome.already
        rows = len(pd.read_csv(survey_file))
        assert outcome.counts["rows"] == rows
        responses = SurveyResponse.objects.filter(wave__number=2)
        assert responses.filter(instrument="pssm").count() > 0.9 * rows
        # the stored scale score is the registry's scoring of the stored answers (PSSM: 5 items reversed)
        r = responses.filter(instrument="pssm").select_related("student").first()
        pssm = registry()["pssm"]
        answers = r.answers
        expected = sum(6 - v if k in pssm.reverse else v for k, v in answers.items()) / len(answers)
        if len(answers) >= 0.8 * 18:
            assert StudentScales.objects.get(student=r.student, wave__number=2).belonging == pytest.approx(expected, abs=1e-3)
        assert snapshot() != before
        # the same file and mapping again: nothing changes
        after = snapshot()
        _, again = import_file(path=survey_file, mapping=mapping)
        assert again.already and again.batch == outcome.batch and snapshot() == after
        import_undo(batch=outcome.batch)
        assert snapshot() == before
        assert ImportBatch.objects.get().status == "undone"

    def test_one_bad_row_writes_nothing(self, loaded, survey_file, mapping, tmp_path):
        frame = pd.read_csv(survey_file)
        frame.loc[7, "pssm_4"] = 9
        bad = tmp_path / "bad.csv"
        frame.to_csv(bad, index=False)
        before = snapshot()
        prepared, outcome = import_file(path=bad, mapping=mapping)
        assert outcome is None and [(p.row, p.column, p.rule) for p in prepared.problems] == [(9, "pssm_4", "range")]
        with pytest.raises(ImportRefused, match="row 9, column 'pssm_4'.*nothing was imported"):
            import_apply(prepared=prepared)
        assert snapshot() == before and not ImportBatch.objects.exists()

    def test_only_the_latest_import_can_be_undone(self, loaded, survey_file, mapping, tmp_path):
        _, first = import_file(path=survey_file, mapping=mapping)
        records = tmp_path / "records.csv"
        pd.DataFrame({"student_id": pd.read_csv(survey_file).student_id[:5], "attendance": [0.5] * 5}).to_csv(records,
                                                                                                             index=False)
        rec_map = parse_mapping({"target": "school_records", "id": "student_id", "wave": 2,
                                 "columns": {"attendance": "attendance_rate"}})
        _, second = import_file(path=records, mapping=rec_map)
        assert second.counts["updated"] + second.counts["created"] == 5
        with pytest.raises(Exception, match=f"undo #{second.batch.pk} first"):
            import_undo(batch=first.batch)
        import_undo(batch=second.batch)
        import_undo(batch=first.batch)

    def test_unknown_students_are_a_reference_problem(self, loaded, tmp_path, mapping):
        path = tmp_path / "x.csv"
        pd.DataFrame({"student_id": ["NOT-A-STUDENT"], "wave": [1], "language": ["en"], "pssm_1": [3]}).to_csv(path,
                                                                                                             index=False)
        m = parse_mapping(mapping.as_dict() | {"columns": {"pssm_1": "pssm_1"}})
        from safeschool.ingest.readers import read_file
        prepared = import_check(table=read_file(path), mapping=m)
        assert [(p.row, p.column, p.rule) for p in prepared.problems] == [(2, "student_id", "reference")]

    @pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("member", 403), ("staff_own", 403),
                                                  ("researcher", 200), ("admin", 200)])
    def test_import_pages_per_role(self, client_as, role, status):
        assert client_as(role).get(reverse("imports:list")).status_code == status

    def test_web_shows_problems_and_report(self, client_as, survey_file, tmp_path):
        frame = pd.read_csv(survey_file, dtype=str)
        frame.loc[0, "kss_2"] = "often"
        bad = tmp_path / "bad.csv"
        frame.to_csv(bad, index=False)
        client = client_as("admin")
        with open(bad, "rb") as fh:
            response = client.post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
        page = client.get(response["Location"]).content.decode()
        assert "1 problem — nothing will be imported" in page and "&#x27;often&#x27; is not a number" in page
        report = client.get(response["Location"] + "problems.csv").content.decode()
        assert report.splitlines()[1].startswith("2,kss_2,often,type,")
        # another user cannot see this upload
        client.logout()
        other = client_as("researcher")
        assert other.get(response["Location"]).status_code == 404

    def test_web_refuses_a_broken_file_clearly(self, client_as, tmp_path):
        path = tmp_path / "empty.csv"
        path.write_text("student_id,pssm_1\n")
        client = client_as("researcher")
        with open(path, "rb") as fh:
            page = client.post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
        assert page.status_code == 400 and "header row but no data rows" in page.content.decode()
        assert not ImportBatch.objects.exists()

    @pytest.mark.parametrize("name", sorted(BAD_FILES))
    def test_every_bad_file_is_refused_with_a_reason_and_changes_nothing(self, loaded, tmp_path, mapping, name):
        from safeschool.ingest.readers import FileProblem

        path = tmp_path / name
        BAD_FILES[name](path)
        before = snapshot()
        with pytest.raises(FileProblem, match=name.replace(".", r"\.") + ": "):
            import_file(path=path, mapping=mapping)
        assert snapshot() == before and not ImportBatch.objects.exists()

    def test_a_wrong_encoding_override_is_named(self, loaded, tmp_path, mapping):
        from safeschool.ingest.readers import FileProblem

        path = tmp_path / "latin.csv"
        path.write_bytes("student_id,wave,language,pssm_1\nS-ñ,1,es,3\n".encode("cp1252"))
        forced = parse_mapping(mapping.as_dict() | {"encoding": "utf-8", "columns": {"pssm_1": "pssm_1"}})
        with pytest.raises(FileProblem, match="latin.csv: cannot be read as utf-8"):
            import_file(path=path, mapping=forced)

    def test_instrument_page_lists_structure_and_attached_texts(self, client_as):
        from safeschool.web.imports.models import ItemText

        ItemText.objects.create(instrument="pssm", item="pssm_1", language="es", text="(licensed text)")
        page = client_as("researcher").get(reverse("imports:instruments")).content.decode()
        assert "Psychological Sense of School Membership" in page and "Reverse-keyed: 3, 6, 9, 12, 16" in page
        assert "relational level (Safe Teaching)" in page and "es 1/18" in page and "6, 8, 10, 11, 12, 13, 14, 15" in page
        assert client_as("member").get(reverse("imports:instruments")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_web_flow_upload_preview_import_undo(client_as, survey_file):
    client = client_as("researcher")
    with open(survey_file, "rb") as fh:
        response = client.post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert preview.status_code == 200 and "No problems found" in page and 'value="pssm_3" selected' in page
    form = preview.context["form"]
    data = {name: (field.initial if field.initial is not None else "") for name, field in form.fields.items()}
    data["action"] = "import"
    done = client.post(response["Location"], data)
    assert done.status_code == 302 and "/jobs/" in done["Location"]
    assert "waiting for the background worker" in client.get(done["Location"]).content.decode()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    status = client.get(done["Location"], headers={"HX-Request": "true"})
    batch = ImportBatch.objects.get()
    assert status["HX-Redirect"] == reverse("imports:detail", args=[batch.pk])
    assert batch.created_by.username == "r" and batch.counts["rows"] > 0 and len(batch.fingerprint) == 64
    detail = client.get(status["HX-Redirect"]).content.decode()
    assert "Undo this import" in detail
    client.post(reverse("imports:undo", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "undone"


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_upload_vanished_fails_with_a_reason(client_as, survey_file, mapping, users):
    from safeschool.web.imports import staging
    from safeschool.web.imports.execution import import_job_execute
    from safeschool.web.imports.services import import_job_create

    user = users["researcher"]
    with open(survey_file, "rb") as fh:
        from django.core.files.uploadedfile import SimpleUploadedFile
        token = staging.stage(user=user, upload=SimpleUploadedFile("s.csv", fh.read()), target="student_survey",
                              mapping=None)
    job = import_job_create(user=user, token=token, file_name="s.csv", mapping=mapping)
    staging.discard(token)
    job = import_job_execute(job_id=job.pk)
    assert job.status == "failed" and "nothing was imported" in job.error and not ImportBatch.objects.exists()
    other = client_as("admin")
    assert other.get(reverse("imports:job", args=[job.pk])).status_code == 404  # jobs are their owner's
