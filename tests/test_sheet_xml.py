"""The streamed Calls/Evidence rows: what they hold must read back exactly as openpyxl would have written it."""

from __future__ import annotations

import math
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from auditor.reports.cells import EXCEL_MAX_CELL, TRUNCATED, StyleIds
from auditor.reports.excel import RollingSheet, Scorecard
from auditor.reports.sheet_xml import number_text, xml_text
from auditor.scoring import Scoreboard

TRICKY = [
    ("a & b < c > d", "a & b < c > d"),
    ("line\r\nbreak", "line\r\nbreak"),
    ("  padded  ", "  padded  "),
    ("bell\x07 and nul\x00 gone", "bell and nul gone"),
    ("lone \udc80 surrogate", "lone  surrogate"),
    ("non\ufffecharacter\uffff", "noncharacter"),
    ("引号\"和'撇号'", "引号\"和'撇号'"),
    ("#N/A", "#N/A"),
    ("]]> <![CDATA[", "]]> <![CDATA["),
    ("emoji 😀 and 𠀀", "emoji 😀 and 𠀀"),
]


def _book(tmp_path: Path, default_checklist, **kw) -> Scorecard:
    return Scorecard(tmp_path / "out.xlsx", default_checklist, **kw)


def _close(card: Scorecard) -> openpyxl.Workbook:
    """The real close path: sheet frames by openpyxl, streamed rows spliced in; then read back in full mode."""
    card.close(Scoreboard(80), [], {"inputs": []})
    return openpyxl.load_workbook(card.target)


def test_text_reads_back_as_written_after_cleaning(tmp_path, default_checklist):
    card = _book(tmp_path, default_checklist)
    sheet = RollingSheet(card, "Rows", ["text"], [20])
    for raw, _ in TRICKY:
        sheet.append([raw])
    wb = _close(card)
    got = [row[0].value for row in wb["Rows"].iter_rows(min_row=2)]
    assert got == [want for _, want in TRICKY]
    assert all(row[0].data_type == "s" for row in wb["Rows"].iter_rows(min_row=2))


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_looking_text_is_a_quote_prefixed_string_with_its_style_kept(tmp_path, default_checklist, lead):
    card = _book(tmp_path, default_checklist)
    red = card.styles(PatternFill("solid", fgColor="F8696B"))
    sheet = RollingSheet(card, "Rows", ["a", "b"], [10, 10])
    sheet.append([lead + "SUM(A1:A2)", lead + "1+1"], [0, red])
    wb = _close(card)
    a, b = next(wb["Rows"].iter_rows(min_row=2))
    for c in (a, b):
        assert c.data_type == "s" and c.quotePrefix and c.value.endswith(("SUM(A1:A2)", "1+1"))
    assert b.fill.fgColor.rgb.endswith("F8696B") and not a.fill.fill_type


def test_repeated_strings_read_back_with_each_style_and_past_the_cache_limit(tmp_path, default_checklist, monkeypatch):
    """Short strings' cells are made once per style and reused; a full cache is cut back, never wrong."""
    import auditor.reports.sheet_xml as sheet_xml

    monkeypatch.setattr(sheet_xml, "_CACHED_PER_STYLE", 8)
    card = _book(tmp_path, default_checklist)
    red = card.styles(PatternFill("solid", fgColor="F8696B"))
    sheet = RollingSheet(card, "Rows", ["a", "b"], [10, 10])
    rows = [[v, v] for v in ["FAIL", "=1+1", " pad", "FAIL", *[f"id{i}" for i in range(30)], "FAIL", "=1+1", " pad"]]
    for row in rows:
        sheet.append(row, [0, red])
    wb = _close(card)
    got = list(wb["Rows"].iter_rows(min_row=2))
    assert [[c.value for c in row] for row in got] == rows
    assert all(row[0].fill.fgColor.rgb != row[1].fill.fgColor.rgb for row in got)
    assert {row[1].fill.fgColor.rgb for row in got} == {"00F8696B"}
    assert all(row[1].quotePrefix for row in got if row[1].value == "=1+1")


def test_numbers_booleans_and_empty_cells(tmp_path, default_checklist):
    card = _book(tmp_path, default_checklist)
    fmt = card.styles(number_format="0.0")
    sheet = RollingSheet(card, "Rows", list("abcdefg"), [8] * 7)
    sheet.append([85.0, 7, 0.1 + 0.2, True, None, "", None], [fmt, 0, 0, 0, 0, 0, fmt])
    wb = _close(card)
    row = next(wb["Rows"].iter_rows(min_row=2))
    assert [c.value for c in row[:4]] == [85, 7, 0.3, True]  # 16 significant digits, as openpyxl writes them
    assert row[0].number_format == "0.0" and row[6].number_format == "0.0"
    assert row[4].value is None and row[5].value is None


def test_over_long_text_is_cut_with_the_marker(tmp_path, default_checklist):
    card = _book(tmp_path, default_checklist)
    sheet = RollingSheet(card, "Rows", ["text"], [20])
    sheet.append(["长" * (EXCEL_MAX_CELL + 10)])
    value = next(_close(card)["Rows"].iter_rows(min_row=2))[0].value
    assert len(value) == EXCEL_MAX_CELL and value.endswith(TRUNCATED)


def test_rows_go_into_their_own_sheet_after_the_header_and_the_filter_covers_them(tmp_path, default_checklist):
    card = _book(tmp_path, default_checklist, max_rows=3)
    for n in range(5):
        card.calls.append([f"C{n}"] + [None] * (len(card.calls.headers) - 1))
    wb = _close(card)
    assert [ws.title for ws in wb if ws.title.startswith("Calls")] == ["Calls", "Calls (2)", "Calls (3)"]
    assert [ws.auto_filter.ref for ws in wb if ws.title.startswith("Calls")] == ["A1:S3", "A1:S3", "A1:S2"]
    assert wb["Calls"]["A1"].value == "Call ID" and wb["Calls"]["A2"].value == "C0" and wb["Calls (3)"]["A2"].value == "C4"
    with zipfile.ZipFile(card.target) as z:
        assert z.testzip() is None and "[Content_Types].xml" in z.namelist()


def test_redaction_applies_to_streamed_rows(tmp_path, default_checklist):
    card = _book(tmp_path, default_checklist, redact=lambda s: s.replace("13812345678", "*******5678"))
    card.evidence.append(["C1", "A1", "x", "FAIL", 1, "客户", "我的手机号是13812345678", "", "", None])
    wb = _close(card)
    assert wb["Evidence"]["G2"].value == "我的手机号是*******5678"


def test_close_leaves_only_the_workbook_and_abort_leaves_nothing(tmp_path, default_checklist):
    card = _book(tmp_path, default_checklist)
    card.calls.append(["C1"] + [None] * (len(card.calls.headers) - 1))
    _close(card)
    assert sorted(os.listdir(tmp_path)) == ["out.xlsx"]
    aborted = Scorecard(tmp_path / "other.xlsx", default_checklist)
    aborted.calls.append(["C1"] + [None] * (len(aborted.calls.headers) - 1))
    assert any(name.endswith(".rows.tmp") for name in os.listdir(tmp_path))
    aborted.abort()
    assert sorted(os.listdir(tmp_path)) == ["out.xlsx"]


def test_style_ids_start_from_the_default_style(tmp_path, default_checklist):
    card = _book(tmp_path, default_checklist)
    ids = StyleIds(card.summary_ws)
    assert ids.quoted[0] != 0 and ids(number_format="0.0") == card.one_decimal
    card.abort()


def test_xml_text_and_number_text():
    assert xml_text("a&b<c>d\re") == "a&amp;b&lt;c&gt;d&#13;e" and xml_text("您好") == "您好"
    assert [number_text(v) for v in (85.0, 3, 1e20, 0.1, math.nan, math.inf)] == ["85", "3", "1e+20", "0.1", "", ""]


def test_an_aborted_workbook_leaves_nothing_to_complain_when_collected(tmp_path, default_checklist):
    """openpyxl's unsaved write-only sheets used to raise from lxml when collected after an abort (printed on stderr)."""
    import gc
    import sys

    gc.collect()  # what earlier tests left behind is not this test's
    raised = []
    hook, sys.unraisablehook = sys.unraisablehook, raised.append
    try:
        card = _book(tmp_path, default_checklist)
        card.calls.append(["C1"] + [None] * (len(card.calls.headers) - 1))
        card.abort()
        del card
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert raised == []
