"""Shared fixtures: the real samples folder, the real default checklist, the real CLI."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.checklist import default_checklist_path, load_compiled

# Checklists the tests read are cached in a folder of this session's (the CLI's subprocesses
# inherit it), never in the user's cache folder.
_CHECKLIST_CACHE = tempfile.mkdtemp(prefix="auditor-tests-cache-")
os.environ["AUDITOR_CACHE_DIR"] = _CHECKLIST_CACHE
atexit.register(shutil.rmtree, _CHECKLIST_CACHE, True)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def default_checklist():
    compiled, _ = load_compiled(default_checklist_path())
    return compiled


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Run the real typer app in ``tmp_path``; returns (exit code, stdout, stderr)."""
    from auditor.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


def write_text_call(folder: Path, name: str, body: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(body.encode(encoding))
    return path
