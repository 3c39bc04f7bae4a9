"""The pre-commit hook and the CI job documented for checklist authors, run as shipped."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import auditor.detectors as detectors

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "checklist-authoring.md"


def hook() -> dict:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == "auditor-checklists")


def run_hook(cwd: Path, args: list[str] | None = None) -> subprocess.CompletedProcess:
    """What pre-commit runs: the entry, then the args (pass_filenames is false)."""
    h = hook()
    assert h["pass_filenames"] is False
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    cmd = shlex.split(h["entry"]) + (args if args is not None else list(h.get("args", [])))
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_hook_passes_on_the_shipped_checklists():
    proc = run_hook(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.fullmatch(r"\d+ passed, 0 failed", proc.stdout.strip().splitlines()[-1])


def test_hook_fails_on_a_broken_checklist(tmp_path):
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "team.yaml").write_text(
        "id: team\nname: T\nversion: 1\nitems:\n  - id: greeting\n    title: 问候\n    weight: 0\n    detector: {kind: phrases, phrases: [您好]}\n",
        encoding="utf-8")
    proc = run_hook(tmp_path)
    assert proc.returncode == 2
    assert "checklists/team.yaml:7:5: items[0].weight: Input should be greater than 0" in proc.stdout + proc.stderr


def test_hook_fails_on_a_failing_example(tmp_path):
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "team.yaml").write_text(
        "id: team\nname: T\nversion: 1\nitems:\n  - id: greeting\n    title: 问候\n    detector: {kind: phrases, phrases: [您好]}\n"
        "    examples:\n      pass: ['客服：您好', '客服：早上好']\n      fail: ['客服：喂']\n", encoding="utf-8")
    proc = run_hook(tmp_path)
    assert proc.returncode == 1
    assert "FAIL team/greeting-pass-2" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "2 passed, 1 failed"


WORKFLOW = ROOT / ".github" / "workflows" / "checklists.yml"


def _workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def test_documented_workflow_runs_the_rules_commands(tmp_path):
    """The shipped GitHub Actions job (the docs point at it) is valid YAML and its validate/test steps pass on the shipped checklists."""
    assert ".github/workflows/checklists.yml" in DOC.read_text(encoding="utf-8")
    shutil.copytree(ROOT / "checklists", tmp_path / "checklists")  # a checkout's layout, without writing into this one
    steps = _workflow()["jobs"]["checklists"]["steps"]
    runs = [s["run"] for s in steps if "run" in s and s["run"].startswith("auditor rules") and "\n" not in s["run"].strip()]
    assert any(" validate " in r for r in runs) and any(" test " in r for r in runs)
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    for run in runs:
        proc = subprocess.run(shlex.split(run), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, run + "\n" + proc.stdout + proc.stderr
    assert (tmp_path / "rules-junit.xml").is_file()


@pytest.mark.parametrize("kind", sorted(detectors.MODULES))
def test_docs_list_every_detector_kind_and_parameter(kind):
    """A new detector or parameter without documentation fails here."""
    text = DOC.read_text(encoding="utf-8")
    assert f"### `{kind}`" in text
    section = text.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0]
    module = detectors.MODULES[kind]
    params = next(v for k, v in vars(module).items() if k.endswith("Params"))
    for name, field in params.model_fields.items():
        if name != "kind":
            assert f"`{name}`" in section, f"{kind}.{name} is not documented"
            sub = getattr(field.annotation, "model_fields", None)
            for subname in sub or {}:
                assert f"`{name}.{subname}`" in section or f"`{subname}`" in section or subname in ("label", "weight", "phrases"), f"{kind}.{name}.{subname}"
