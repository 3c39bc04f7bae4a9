"""Huge inputs: a clear limit, raisable by an option, bounded memory, no hang.

The files are generated here (never committed). Each run is a fresh
interpreter that reports its own peak resident memory, compared with a run
over one small call so the figure is the cost of the hostile file alone.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .conftest import GOOD_CALL, run_measured

MB = 1024 * 1024


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A 100 MB single-line file, as .jsonl, .json and .txt, next to a good call."""
    folder = tmp_path_factory.mktemp("big")
    chunk = "您好" * 50_000  # 300 KB of UTF-8
    path = folder / "one.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"call_id": "huge", "turns": [{"speaker": "客服", "text": "')
        for _ in range(350):
            fh.write(chunk)
        fh.write('"}]}')  # no newline: one line of 100 MB
    assert path.stat().st_size >= 100 * MB
    for suffix in (".json", ".txt"):
        (folder / f"one{suffix}").hardlink_to(path)
    (folder / "good.txt").write_text(GOOD_CALL, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def baseline_mb(tmp_path_factory) -> int:
    folder = tmp_path_factory.mktemp("small")
    (folder / "good.txt").write_text(GOOD_CALL, encoding="utf-8")
    proc, peak = run_measured(["audit", "good.txt", "--force", "-q"], folder)
    assert proc.returncode == 0, proc.stderr
    return peak


def _audit(folder: Path, *args: str):
    start = time.monotonic()
    proc, peak = run_measured(["audit", *args, "--force", "-q", "-o", "out.xlsx", "--results", "out.jsonl"], folder)
    return proc, peak, time.monotonic() - start


@pytest.mark.parametrize("name", ["one.json", "one.txt"])
def test_100mb_file_is_refused_by_size_before_reading(big, baseline_mb, name):
    proc, peak, seconds = _audit(big, name, "good.txt")
    assert proc.returncode == 0, proc.stderr
    assert f"error: {name}: file is 100.1 MB, over the limit of 64 MB (raise it with --max-file-mb)" in proc.stderr
    assert peak < baseline_mb + 20, (peak, baseline_mb)  # never read
    assert seconds < 60


def test_100mb_single_line_jsonl_costs_at_most_the_limit_in_memory(big, baseline_mb):
    proc, peak, seconds = _audit(big, "one.jsonl", "good.txt")
    assert proc.returncode == 0, proc.stderr
    assert "error: one.jsonl:1: line is longer than the limit of 64 MB (raise it with --max-file-mb)" in proc.stderr
    assert "empty file" not in proc.stderr
    assert peak < baseline_mb + 64 + 16, (peak, baseline_mb)  # the limit plus one read chunk, not the 100 MB line
    assert seconds < 60
    problems = [json.loads(line) for line in (big / "out.jsonl").read_text(encoding="utf-8").splitlines() if '"problem"' in line]
    assert any(p["line"] == 1 and "longer than the limit" in p["reason"] for p in problems)


def test_raising_the_file_limit_reads_the_line_and_the_next_limit_speaks(big):
    proc, _, seconds = _audit(big, "one.jsonl", "good.txt", "--max-file-mb", "200")
    assert proc.returncode == 0, proc.stderr
    assert "one.jsonl:1: a turn has 35000000 characters, more than the limit of 20000 (raise it with --max-turn-chars)" in proc.stderr
    assert seconds < 120


@pytest.fixture(scope="module")
def many_turns(tmp_path_factory) -> Path:
    """One call of 200,000 turns, as a JSON Lines record and as a text transcript."""
    folder = tmp_path_factory.mktemp("turns")
    turns = [{"speaker": "客服" if i % 2 == 0 else "客户", "text": "您好，请问有什么可以帮您？" if i % 2 == 0 else "我想查一下话费。"} for i in range(200_000)]
    (folder / "long.jsonl").write_text(json.dumps({"call_id": "long", "turns": turns}, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "long.txt").write_text("".join(("客服：" if t["speaker"] == "客服" else "客户：") + t["text"] + "\n" for t in turns), encoding="utf-8")
    (folder / "good.txt").write_text(GOOD_CALL, encoding="utf-8")
    return folder


def test_200000_turn_call_hits_the_turn_limit_quickly_and_cheaply(many_turns, baseline_mb):
    proc, peak, seconds = _audit(many_turns, "long.jsonl", "long.txt", "good.txt")
    assert proc.returncode == 0, proc.stderr
    assert "error: long.jsonl:1: the call has 200000 turns, more than the limit of 20000 (raise it with --max-turns)" in proc.stderr
    assert "error: long.txt:20001: the call has more than the limit of 20000 turns (raise it with --max-turns)" in proc.stderr
    assert peak < baseline_mb + 250, (peak, baseline_mb)
    assert seconds < 60


def test_200000_turn_call_is_audited_when_the_limit_is_raised(many_turns):
    proc, _, seconds = _audit(many_turns, "long.txt", "--max-turns", "250000")
    assert proc.returncode == 0, proc.stderr
    record = json.loads((many_turns / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert record["call_id"] == "long" and record["turns"] == 200_000
    assert seconds < 120
