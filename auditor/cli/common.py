"""Pieces every command shares: loading the checklist and reporting its errors."""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2

CHECKLIST_HELP = "Checklist YAML file. Default: the built-in zh_call_center checklist."


def load_checklist_or_exit(path: Path | None):
    """The compiled checklist; on a checklist error, print every diagnostic and exit 2."""
    from auditor.checklist import ChecklistError, default_checklist_path, load_compiled

    path = path or default_checklist_path()
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
