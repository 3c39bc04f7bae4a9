"""Helpers for the hostile-input tests: a folder with one good call, the real CLI, and the three outputs read back.

Every problem must be visible in three places a QA lead might look: the
terminal (stderr), results.jsonl (``"type":"problem"`` lines) and the
workbook's Problems sheet. ``AuditRun.assert_problem`` checks all three.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

GOOD_CALL = "客服：您好，请问有什么可以帮您？\n客户：我想查一下话费。\n客服：好的，已经帮您查到了。还有其他问题吗？谢谢您的来电，再见。\n"


@dataclass
class AuditRun:
    code: int
    stdout: str
    stderr: str
    out: Path
    results: Path
    records: list[dict] = field(default_factory=list)

    @property
    def calls(self) -> list[dict]:
        return [r for r in self.records if r["type"] == "call"]

    @property
    def problems(self) -> list[dict]:
        return [r for r in self.records if r["type"] == "problem"]

    def sheet_rows(self, title: str) -> list[tuple]:
        wb = openpyxl.load_workbook(self.out)
        return [tuple(c.value for c in row) for row in wb[title].iter_rows(min_row=2)]

    def assert_problem(self, filename: str, reason: str, line: int | None = None, severity: str = "error") -> None:
        """The problem is on stderr, in results.jsonl and in the Problems sheet, with file, line and reason."""
        where = f"{filename}:{line}" if line else filename
        assert any(where in ln and reason in ln and ln.startswith(severity) for ln in self.stderr.splitlines()), self.stderr
        matches = [p for p in self.problems if p["path"].endswith(filename) and reason in p["reason"] and p["line"] == line]
        assert matches, self.problems
        assert matches[0]["severity"] == severity
        rows = [r for r in self.sheet_rows("Problems") if str(r[0]).endswith(filename) and reason in str(r[3]) and r[1] == line]
        assert rows, self.sheet_rows("Problems")
        assert rows[0][2] == severity


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A folder holding one well-formed call, so that a run with a hostile file still writes its outputs."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_CALL, encoding="utf-8")
    return folder


@pytest.fixture
def audit(cli, tmp_path):
    """Run ``auditor audit`` with outputs in ``tmp_path``; returns an ``AuditRun`` with everything read back."""

    def run(*args: str | Path) -> AuditRun:
        out, results = tmp_path / "scorecard.xlsx", tmp_path / "results.jsonl"
        code, stdout, stderr = cli("audit", *args, "--out", out, "--results", results, "--force", "--quiet")
        records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()] if results.exists() else []
        return AuditRun(code, stdout, stderr, out, results, records)

    return run


def run_measured(args: list[str], cwd: Path, timeout: float = 300) -> tuple[subprocess.CompletedProcess, int]:
    """Run ``auditor`` in a fresh interpreter; returns the process and its peak resident memory in MB.

    The child reports its own peak (``ru_maxrss``, KB on Linux) at exit, so the
    figure covers exactly one run and nothing else pytest started.
    """
    code = (
        "import atexit, resource, sys\n"
        "atexit.register(lambda: sys.stderr.write('PEAK_RSS_KB %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
        "from auditor.cli import main\n"
        f"sys.argv = ['auditor'] + {args!r}\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_RSS_KB")]
    assert peak, proc.stderr
    return proc, int(peak[-1].split()[1]) // 1024
