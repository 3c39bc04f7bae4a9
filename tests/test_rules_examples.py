"""Examples and transcripts share one parser; case ids and selection."""

from __future__ import annotations

from pathlib import Path

from auditor.rules.examples import Case, checklist_files, slug
from auditor.transcripts import LoadLimits, load_file
from auditor.transcripts.formats.text_format import parse_text
from auditor.transcripts.model import Source

TEXT = "---\ncall_id: X1\nagent_id: A9\n---\n[00:01] 客服：您好，\n  请问有什么可以帮您？\n[00:05] 客户：我想退货。\n"


def test_string_and_file_parse_identically(tmp_path):
    path = tmp_path / "X1.txt"
    path.write_text(TEXT, encoding="utf-8")
    from_file = next(iter(load_file(path, LoadLimits())))
    from_text, warnings = parse_text(TEXT, Source(str(path)), LoadLimits(), call_id="ignored")
    assert from_text == from_file and not warnings
    assert [t.text for t in from_text.turns] == ["您好，\n请问有什么可以帮您？", "我想退货。"]
    assert from_text.turns[0].start == 1.0 and from_text.call_id == "X1" and from_text.agent_id == "A9"
    # without front matter the caller's id is used, as the file name is for a file
    call, _ = parse_text("客服：您好", Source("example"), LoadLimits(), call_id="greeting-pass-1")
    assert call.call_id == "greeting-pass-1"


def test_case_selection_and_ids(tmp_path):
    case = Case("greeting-pass-time_of_day", "zh", "c.yaml", "greeting", "pass", "客服：您好", "c.yaml:3", "time_of_day")
    assert case.matches([]) and case.matches(["greeting"]) and case.matches(["GREETING-PASS"]) and case.matches(["zh/greeting"])
    assert case.matches(["*-pass-time*"]) and case.matches(["nope", "time_of"])
    assert not case.matches(["farewell"]) and not case.matches(["greeting-fail-*"])
    assert not case.known_gap and Case("x", "zh", "", "x", "pass", "", "", "known-gap-foo").known_gap
    assert slug("早上 好 (morning)") == "早上_好_morning"
    (tmp_path / "a.yaml").write_text("x")
    (tmp_path / "b.yml").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "tests").mkdir()
    assert checklist_files([tmp_path]) == [tmp_path / "a.yaml", tmp_path / "b.yml"]
    assert checklist_files([Path("x.yaml")]) == [Path("x.yaml")]
