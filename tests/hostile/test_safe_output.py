"""Safe output: no formula runs, Excel limits are handled, names never become paths, checklists cannot run code."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import openpyxl
import pytest

from auditor.checklist import ChecklistError, default_checklist_path, load_compiled
from auditor.engine import audit_call
from auditor.reports.excel import EXCEL_MAX_CELL, TRUNCATED, Scorecard
from auditor.scoring import Scoreboard
from auditor.transcripts import LoadLimits, Problem, load_file

LEADS = ["=", "+", "-", "@", "\t", "\r"]
FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def _all_cells(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c


def _assert_no_formula(path: Path, needles: list[str]) -> set[str]:
    """No cell is a formula; every cell holding a needle is a string. Returns the sheets the needles were seen in."""
    seen = set()
    for title, c in _all_cells(path):
        assert c.data_type != "f", (title, c.coordinate, c.value)
        if isinstance(c.value, str) and any(n.replace("\r", "\n").lstrip("\t\n") in c.value for n in needles):
            assert c.data_type == "s", (title, c.coordinate, c.value)
            seen.add(title)
    return seen


def test_formula_text_from_every_field_is_written_as_a_string_by_the_cli(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, f in enumerate(FORMULAS[:4]):
        call = {"call_id": f, "agent_id": f, "agent_name": f, "team": f, "started_at": f,
                "turns": [{"speaker": "客服", "text": f + " 您好"}, {"speaker": "客户", "text": f}]}
        (folder / f"call{i}.json").write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
    # file names and problem reasons: a formula-looking file name that fails to load
    (folder / "=cmd()|'calc'!A0.json").write_text("{", encoding="utf-8")
    code, _, err = cli("audit", "in", "--evidence", "all", "--force")
    assert code == 0, err
    sheets = _assert_no_formula(tmp_path / "scorecard.xlsx", FORMULAS[:4] + ["=cmd()"])
    assert {"Calls", "Evidence", "Agents", "Problems"} <= sheets
    calls = {c.value for t, c in _all_cells(tmp_path / "scorecard.xlsx") if t == "Calls" and c.column == 1}
    assert set(FORMULAS[:4]) <= calls


def test_scorecard_writes_every_leading_character_as_literal_text(tmp_path, default_checklist):
    """Tab and CR never survive loading (control characters are stripped), so the writer is tested directly."""
    from dataclasses import replace

    (tmp_path / "c.txt").write_text("客服：您好\n客户：查话费\n", encoding="utf-8")
    call = next(i for i in load_file(tmp_path / "c.txt", LoadLimits()) if not isinstance(i, Problem))
    card = Scorecard(tmp_path / "out.xlsx", default_checklist, evidence="all")
    board = Scoreboard(80)
    problems = []
    for f in FORMULAS:
        turns = tuple(t._replace(text=f + t.text) for t in call.turns)
        r = audit_call(default_checklist, replace(call, call_id=f, agent_id=f, agent_name=f, team=f, turns=turns))
        for res in r.items.values():
            res.evidence = [replace(e, text=f + e.text, match=f, note=f) for e in res.evidence]
        r.source_path = f + "path.txt"
        board.add(r)
        card.add_call(r)
        problems.append(Problem(f + "file.json", f + " reason", 3))
    card.close(board, problems, {"inputs": FORMULAS, "finished_at": "=NOW()"})
    seen = _assert_no_formula(tmp_path / "out.xlsx", FORMULAS)
    assert {"Summary", "Agents", "Calls", "Evidence", "Problems"} <= seen
    for title, c in _all_cells(tmp_path / "out.xlsx"):
        if isinstance(c.value, str) and c.value[:1] in "=+-@":
            assert c.data_type == "s" and c.quotePrefix, (title, c.coordinate)


def test_rows_past_the_sheet_limit_continue_on_a_second_sheet(tmp_path, default_checklist):
    (tmp_path / "c.txt").write_text("客户：喂\n客服：嗯\n", encoding="utf-8")
    call = next(i for i in load_file(tmp_path / "c.txt", LoadLimits()) if not isinstance(i, Problem))
    card = Scorecard(tmp_path / "out.xlsx", default_checklist, evidence="all", max_rows=10)
    board = Scoreboard(80)
    from dataclasses import replace

    for n in range(25):
        r = audit_call(default_checklist, replace(call, call_id=f"C{n:02d}"))
        board.add(r)
        card.add_call(r)
    card.close(board, [], {"inputs": []})
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    calls = [ws for ws in wb if ws.title.startswith("Calls")]
    assert [ws.title for ws in calls] == ["Calls", "Calls (2)", "Calls (3)"]
    assert all(ws.max_row <= 10 and ws.cell(1, 1).value == "Call ID" for ws in calls)
    ids = [row[0].value for ws in calls for row in ws.iter_rows(min_row=2)]
    assert ids == [f"C{n:02d}" for n in range(25)]  # every row kept, in order, none twice
    evidence = [ws for ws in wb if ws.title.startswith("Evidence")]
    assert len(evidence) >= 2 and sum(ws.max_row - 1 for ws in evidence) > 10


@pytest.mark.skipif("not __import__('os').environ.get('AUDITOR_SLOW_TESTS')", reason="writes 1,048,576+ rows (minutes); set AUDITOR_SLOW_TESTS=1")
def test_full_size_sheet_limit(tmp_path, default_checklist):
    from auditor.reports.excel import EXCEL_MAX_ROWS, RollingSheet

    card = Scorecard(tmp_path / "out.xlsx", default_checklist)
    sheet = RollingSheet(card, "Rows", ["n"], [8])
    for n in range(EXCEL_MAX_ROWS + 5):
        sheet.append([n])
    assert [ws.title for ws, _ in sheet.sheets] == ["Rows", "Rows (2)"] and sheet.rows == 6


def test_cell_over_32767_characters_is_cut_with_a_marker(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    long_text = "您好" + "长" * 40_000 + "尾巴"
    (folder / "long.json").write_text(json.dumps({"call_id": "L", "turns": [{"speaker": "客服", "text": long_text}]}, ensure_ascii=False), encoding="utf-8")
    code, _, err = cli("audit", "in", "--evidence", "all", "--max-turn-chars", "50000", "--force")
    assert code == 0, err
    texts = [c.value for t, c in _all_cells(tmp_path / "scorecard.xlsx") if t == "Evidence" and isinstance(c.value, str) and c.value.startswith("您好长")]
    assert texts and all(len(v) == EXCEL_MAX_CELL and v.endswith(TRUNCATED) for v in texts)
    # results.jsonl is not Excel: it keeps the whole text
    assert long_text in (tmp_path / "results.jsonl").read_text(encoding="utf-8")


def test_names_from_transcripts_never_become_paths(cli, tmp_path):
    folder = tmp_path / "work" / "in"
    folder.mkdir(parents=True)
    evil = ["../../etc/passwd", "/tmp/evil", "..\\..\\windows\\system32", "C:/x", "a/../../../b"]
    for i, cid in enumerate(evil):
        call = {"call_id": cid, "agent_id": cid, "agent_name": cid, "team": cid, "turns": [{"speaker": "客服", "text": "您好"}]}
        (folder / f"c{i}.json").write_text(json.dumps(call), encoding="utf-8")
    (folder / "m.txt").write_text("---\ncall_id: ../../../pwned\n---\n客服：您好\n", encoding="utf-8")
    out_dir = tmp_path / "work" / "out"
    out_dir.mkdir()
    before = {p for p in tmp_path.rglob("*")}
    start = time.time()
    code, _, err = cli("audit", folder, "-o", out_dir / "s.xlsx", "--results", out_dir / "r.jsonl")
    assert code == 0, err
    after = {p for p in tmp_path.rglob("*")}
    assert after - before == {out_dir / "s.xlsx", out_dir / "r.jsonl"}
    assert not Path("/tmp/evil").exists() or Path("/tmp/evil").stat().st_mtime < start
    ids = {json.loads(line).get("call_id") for line in (out_dir / "r.jsonl").read_text().splitlines()}
    assert set(evil) | {"../../../pwned"} <= ids


def _checklist(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """id: t
name: T
version: "1"
items:
  - id: greeting
    title: 问候
    detector: {kind: phrases, phrases: [您好]}
"""


def test_checklist_that_constructs_python_objects_is_rejected_and_nothing_runs(cli, tmp_path):
    marker = tmp_path / "pwned"
    evil = MINIMAL.replace('name: T', f'name: !!python/object/apply:os.system ["touch {marker}"]')
    path = _checklist(tmp_path, evil)
    with pytest.raises(ChecklistError) as exc:
        load_compiled(path)
    assert "YAML tags (!!python/..., !custom) are not allowed" in str(exc.value) and ":2:" in str(exc.value)
    (tmp_path / "in.txt").write_text("客服：您好\n", encoding="utf-8")
    code, _, err = cli("audit", "in.txt", "-c", path)
    assert code == 2 and "YAML tags" in err
    assert not marker.exists() and not (tmp_path / "scorecard.xlsx").exists()


def test_yaml_alias_bomb_is_rejected_quickly(tmp_path):
    lines = ['a0: &a0 ["您好", "您好", "您好", "您好", "您好", "您好", "您好", "您好", "您好", "您好"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    bomb = MINIMAL.replace("detector: {kind: phrases, phrases: [您好]}", "detector: {kind: phrases, phrases: *a9}")
    path = _checklist(tmp_path, "\n".join(lines) + "\n" + bomb)
    start = time.monotonic()
    with pytest.raises(ChecklistError) as exc:
        load_compiled(path)
    assert time.monotonic() - start < 5
    assert "expands to more than" in str(exc.value)


def test_recursive_yaml_alias_is_rejected_not_followed_forever(tmp_path):
    path = _checklist(tmp_path, MINIMAL + "signals: &s {x: *s}\n")
    with pytest.raises(ChecklistError) as exc:
        load_compiled(path)
    assert f"{path}:8:" in str(exc.value)


def test_self_referencing_structure_hits_the_value_budget():
    from auditor.checklist.limits import limit_errors

    loop: dict = {}
    loop["x"] = loop
    assert any("expands to more than" in message for _, message in limit_errors({"items": [loop]}))


@pytest.mark.parametrize("change,message", [
    ("phrases: [您好]", "phrase is 300 characters, over the limit of 200"),
    ("phrases: [您好]", "list has 5001 entries, over the limit of 5000"),
    ("kind: phrases, phrases: [您好]", "pattern is 2001 characters, over the limit of 2000"),
    ("title: 问候", "text is 20001 characters, over the limit of 20000"),
])
def test_checklist_size_limits(tmp_path, change, message):
    if "300" in message:
        new = "phrases: [您好, " + "长" * 300 + "]"
    elif "5001" in message:
        new = "phrases: [" + ", ".join(f"p{i}" for i in range(5001)) + "]"
    elif "2001" in message:
        new = "kind: regex, patterns: [" + "a" * 2001 + "]"
    else:
        new = "title: " + "长" * 20001
    path = _checklist(tmp_path, MINIMAL.replace(change, new))
    with pytest.raises(ChecklistError) as exc:
        load_compiled(path)
    assert message in str(exc.value)
    assert f"{path}:" in str(exc.value)


def test_checklist_file_size_limit(tmp_path):
    path = _checklist(tmp_path, MINIMAL + "#" * (3 * 1024 * 1024) + "\n")
    with pytest.raises(ChecklistError) as exc:
        load_compiled(path)
    assert "over the limit of 2097152" in str(exc.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_checklist_from_a_pipe_is_read_no_further_than_the_limit(tmp_path):
    """A pipe says its size is 0; what comes through it is still cut at the limit, with the file named."""
    import threading

    fifo = tmp_path / "checklist.yaml"
    os.mkfifo(fifo)
    sent = []

    def feed() -> None:
        try:
            with open(fifo, "wb") as fh:
                for _ in range(4):
                    fh.write(b"#" * (1024 * 1024) + b"\n")
                    sent.append(1)
        except BrokenPipeError:
            pass  # the reader stopped at the limit and closed its end

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(ChecklistError) as exc:
        load_compiled(fifo)
    writer.join(10)
    assert f"{fifo}:" in str(exc.value) and "over the limit of 2097152" in str(exc.value)
    assert len(sent) < 4  # it stopped reading: the last megabyte never went through


def test_default_checklist_is_within_the_limits():
    compiled, _ = load_compiled(default_checklist_path())
    assert "no_sensitive_data" in compiled.item_ids


def test_file_name_that_is_not_utf8_is_audited_and_written_as_valid_utf8(tmp_path):
    """Linux file names are bytes: one that is not UTF-8 reaches Python with lone surrogates, which UTF-8 cannot hold."""
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    call = json.dumps({"call_id": "X1", "turns": [{"speaker": "客服", "text": "您好，请问有什么可以帮您？"}]}, ensure_ascii=False)
    bad = os.fsencode(folder) + b"/call_\xff\xfe.json"
    with open(bad, "w", encoding="utf-8") as fh:
        fh.write(call)
    (folder / "good.json").write_text(call.replace("X1", "X2"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "auditor", "audit", "in", "-q", "--jobs", "1"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    raw = (tmp_path / "results.jsonl").read_bytes()
    raw.decode("utf-8")  # strict: every line is valid UTF-8
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    paths = {r["source"]["path"] for r in records if r["type"] == "call"}
    assert paths == {os.path.join("in", os.fsdecode(b"call_\xff\xfe.json")), os.path.join("in", "good.json")}  # the name round-trips
    calls = openpyxl.load_workbook(tmp_path / "scorecard.xlsx")["Calls"]
    assert {row[0].value for row in calls.iter_rows(min_row=2)} == {"X1", "X2"}
