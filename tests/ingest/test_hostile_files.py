"""Hostile workbooks are refused before openpyxl parses them: a zip bomb, a sheet declaring or holding too many
cells, a workbook unpacking to too much. Each file is generated here and is small on disk."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from safeschool.ingest import readers
from safeschool.ingest.readers import FileProblem, read_file


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["pupil", "pssm_1"])
    ws.append(["1", 3])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, edit) -> bytes:
    """The same workbook with its first sheet's XML changed by `edit`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            body = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            target.writestr(part.filename, body)
    return out.getvalue()


def test_a_sheet_declaring_millions_of_cells_is_refused_before_parsing(tmp_path, monkeypatch):
    def declare(body: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z200000"', body)

    path = tmp_path / "huge.xlsx"
    path.write_bytes(rewrite_sheet(workbook_bytes(), declare))
    assert path.stat().st_size < 10_000
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl was reached"))
    with pytest.raises(FileProblem, match=r"huge.xlsx: a sheet declares 5,200,000 cells \(A1:Z200000\), over the "
                                          r"2,000,000-cell limit"):
        read_file(path)


def test_a_sheet_holding_more_cells_than_it_declares_is_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_XLSX_CELLS", 1_000)

    def stuff(body: bytes) -> bytes:
        rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (i, i, i)
                        for i in range(3, 1_000))
        return body.replace(b"</sheetData>", rows + b"</sheetData>")

    path = tmp_path / "liar.xlsx"
    path.write_bytes(rewrite_sheet(workbook_bytes(), stuff))
    with pytest.raises(FileProblem, match="liar.xlsx: a sheet holds over 1,000 cells, the limit"):
        read_file(path)


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(rewrite_sheet(workbook_bytes(), lambda body: body + b" " * 3_000_000))
    assert path.stat().st_size < 100_000
    with pytest.raises(FileProblem, match=r"bomb.xlsx: part 'xl/worksheets/sheet1.xml' is compressed [\d,]+ to 1, "
                                          r"over the 100 to 1 limit"):
        read_file(path)


def test_a_workbook_unpacking_to_too_much_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_XLSX_UNZIPPED", 1_000)
    path = tmp_path / "big.xlsx"
    path.write_bytes(workbook_bytes())
    with pytest.raises(FileProblem, match=r"big.xlsx: the workbook unpacks to [\d.,]+ MB, over the 0 MB limit"):
        read_file(path)


def test_an_ordinary_workbook_still_reads(tmp_path):
    path = tmp_path / "fine.xlsx"
    path.write_bytes(workbook_bytes())
    assert read_file(path).frame.to_dict("list") == {"pupil": ["1"], "pssm_1": ["3"]}
