"""Pieces every command shares: loading the checklist and reporting its errors."""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2

CHECKLIST_HELP = "Checklist YAML file, or the name of a built-in one (zh_call_center, en_call_center). Default: zh_call_center."


def load_checklist_or_exit(path: Path | None):
    """The compiled checklist; on a checklist error, print every diagnostic and exit 2."""
    from auditor.checklist import ChecklistError, default_checklist_path, load_compiled
    from auditor.checklist.default import builtin_checklist_names, resolve_checklist

    path = resolve_checklist(path) if path else default_checklist_path()
    if not path.exists() and len(path.parts) == 1 and not path.suffix:
        fail(f"no checklist file {path} and no built-in checklist of that name; built-in: {', '.join(builtin_checklist_names())}")
    try:
        compiled, _warnings = load_compiled(path)
    except ChecklistError as exc:
        for d in exc.diagnostics:
            typer.echo(str(d), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    return compiled


def fail(message: str, code: int = EXIT_USAGE) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def load_manifest_or_exit(path: Path | None):
    """The manifest, or ``None`` without one; a broken manifest is a usage error naming file and line."""
    if path is None:
        return None
    from auditor.transcripts import InputError
    from auditor.transcripts.manifest import Manifest

    try:
        return Manifest(path)
    except InputError as exc:
        fail(f"{path}{':' + str(exc.line) if exc.line else ''}: {exc.reason}")


def check_output(target: Path, force: bool, hint: str = "") -> None:
    """Refuse to overwrite an existing output without --force, or to write into a missing folder."""
    if target.exists() and not force:
        fail(f"{target} already exists; pass --force to overwrite it{hint}")
    if not target.parent.exists():
        fail(f"folder {target.parent} does not exist")
