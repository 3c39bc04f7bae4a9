"""Where the built-in checklists live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

DEFAULT_ID = "zh_call_center"


def checklists_dir() -> Path:
    """The wheel carries ``checklists/`` as ``auditor/_checklists``; a checkout has it at the top."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_checklists"
    return installed if installed.is_dir() else package.parent / "checklists"


def default_checklist_path() -> Path:
    return checklists_dir() / f"{DEFAULT_ID}.yaml"
