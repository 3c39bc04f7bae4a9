"""Rows deflated while they stream, and the zip written around them: the workbook must read back byte for byte."""

from __future__ import annotations

import os
import random
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from auditor.reports import deflate
from auditor.reports.deflate import BackgroundDeflate, DeflatedRows, crc32_combine, temp_rows_file, write_package
from auditor.reports.excel import Scorecard
from auditor.scoring import Scoreboard


@pytest.mark.parametrize("len1, len2", [(0, 0), (0, 5), (5, 0), (1, 1), (1000, 3), (3, 70_000), (2_000_000, 1_500_001)])
def test_crc32_combine_is_the_crc_of_the_joined_bytes(len1, len2):
    rng = random.Random(len1 * 7 + len2)
    a, b = rng.randbytes(len1), rng.randbytes(len2)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def _rows(folder: Path, pieces: list[bytes]) -> DeflatedRows:
    fh, path = temp_rows_file(folder, "t")
    rows = DeflatedRows(fh, path, BackgroundDeflate())
    for piece in pieces:
        rows.add(piece)
    rows.finish()
    return rows


def _package(folder: Path) -> Path:
    """A small zip with a sheet to splice into, an entry stored uncompressed and one compressed."""
    package = folder / "package.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>" * 50)
        z.writestr(zipfile.ZipInfo("docProps/plain.xml", (2024, 2, 29, 23, 59, 58)), b"<stored/>", compress_type=zipfile.ZIP_STORED)
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r=\"1\"/></sheetData><autoFilter ref=\"A1:B9\"/></worksheet>")
    return package


@pytest.mark.parametrize("chunk", [16, 4096, 1 << 20])
def test_spliced_sheet_is_head_rows_tail_and_other_entries_are_copied(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(deflate, "CHUNK", chunk)  # 16: every row longer than a buffer; 4096: the two buffers in turn
    pieces = [f'<row r="{i}"><c><v>{i * 37}</v></c></row>'.encode() for i in range(2, 3000)]
    rows = _rows(tmp_path, pieces)
    package, target = _package(tmp_path), tmp_path / "out.zip"
    write_package(package, {"xl/worksheets/sheet1.xml": rows}, target)
    with zipfile.ZipFile(target) as z, zipfile.ZipFile(package) as original:
        assert z.testzip() is None  # every entry's CRC-32 checks out
        assert [i.filename for i in z.infolist()] == [i.filename for i in original.infolist()]
        sheet = z.read("xl/worksheets/sheet1.xml")
        assert sheet == b'<worksheet><sheetData><row r="1"/>' + b"".join(pieces) + b'</sheetData><autoFilter ref="A1:B9"/></worksheet>'
        for name in ("[Content_Types].xml", "docProps/plain.xml"):
            assert z.read(name) == original.read(name)
            assert z.getinfo(name).compress_type == original.getinfo(name).compress_type
            assert z.getinfo(name).date_time == original.getinfo(name).date_time


def test_past_the_zip32_limit_the_package_goes_through_zipfile(tmp_path, monkeypatch):
    monkeypatch.setattr(deflate, "_ZIP32_LIMIT", 1000)
    pieces = [f'<row r="{i}"/>'.encode() for i in range(2, 500)]
    rows = _rows(tmp_path, pieces)
    target = tmp_path / "out.zip"
    write_package(_package(tmp_path), {"xl/worksheets/sheet1.xml": rows}, target)
    with zipfile.ZipFile(target) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml").count(b"<row ") == 1 + len(pieces)
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 1000


def test_rows_are_compressed_while_they_stream_not_at_the_end(tmp_path, monkeypatch):
    monkeypatch.setattr(deflate, "CHUNK", 4096)
    worker = BackgroundDeflate()
    fh, path = temp_rows_file(tmp_path, "t")
    rows = DeflatedRows(fh, path, worker)
    for i in range(5000):
        rows.add(f'<row r="{i}"><c t="inlineStr"><is><t>text {i}</t></is></c></row>'.encode())
    worker.wait()
    assert rows.size >= 5000 * 40 - 4096  # compressed (and counted) before finish was asked for
    rows.finish()
    inflated = zlib.decompressobj(-15).decompress(path.read_bytes())
    assert inflated.count(b"<row ") == 5000 and len(inflated) == rows.size and zlib.crc32(inflated) == rows.crc


def test_a_workbook_with_many_pieces_reads_back_whole(tmp_path, monkeypatch, default_checklist):
    monkeypatch.setattr(deflate, "CHUNK", 512)
    card = Scorecard(tmp_path / "out.xlsx", default_checklist)
    width = len(card.calls.headers)
    for i in range(2000):
        card.calls.append([f"C{i}", f"A{i % 7}", "王芳", "售后", "", i / 3] + ["pass"] * (width - 6))
        card.evidence.append([f"C{i}", "A1", "greeting", "FAIL", 1, "客服", "喂 " * (i % 50), "", "no greeting", 1.5])
    card.close(Scoreboard(80), [], {"inputs": []})
    assert sorted(os.listdir(tmp_path)) == ["out.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)
    calls = list(wb["Calls"].iter_rows(min_row=2, values_only=True))
    evidence = list(wb["Evidence"].iter_rows(min_row=2, values_only=True))
    assert len(calls) == len(evidence) == 2000
    assert calls[1999][:6] == ("C1999", "A4", "王芳", "售后", None, pytest.approx(1999 / 3))
    assert evidence[49][6] == "喂 " * 49 and evidence[50][6] in (None, "")


def test_abort_stops_the_thread_and_leaves_no_temporary_file(tmp_path, monkeypatch, default_checklist):
    monkeypatch.setattr(deflate, "CHUNK", 256)
    card = Scorecard(tmp_path / "out.xlsx", default_checklist)
    for i in range(500):
        card.calls.append([f"C{i}"] + [None] * (len(card.calls.headers) - 1))
    card.abort()
    assert os.listdir(tmp_path) == []
    assert card.deflate._pool is None


def test_an_error_in_the_thread_reaches_the_writer(tmp_path):
    worker = BackgroundDeflate()

    def broken() -> None:
        raise OSError("disk full")

    worker.submit(broken)
    with pytest.raises(OSError, match="disk full"):
        worker.wait()
    worker.shutdown()
