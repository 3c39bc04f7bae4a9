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


def resolve_checklist(path: Path) -> Path:
    """``--checklist en_call_center`` means the built-in ``checklists/en_call_center.yaml``.

    A user of the installed wheel cannot know where the package put its checklists, so a bare
    name (no folder, no ``.yaml``/``.yml``) that is not a file in the current folder is looked up
    among the built-in checklists. Anything else is returned unchanged.
    """
    if path.exists() or len(path.parts) != 1 or path.suffix.lower() in (".yaml", ".yml"):
        return path
    builtin = checklists_dir() / f"{path.name}.yaml"
    return builtin if builtin.is_file() else path


def builtin_checklist_names() -> list[str]:
    return sorted(p.stem for p in checklists_dir().glob("*.yaml"))
