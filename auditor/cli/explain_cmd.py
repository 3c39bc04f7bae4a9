"""``auditor explain``: one call, turn by turn, with why each item passed or failed."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from auditor.cli.common import CHECKLIST_HELP, fail, load_checklist_or_exit


def explain(
    file: Path = typer.Argument(..., help="A transcript file (every call in it is explained)."),
    checklist: Optional[Path] = typer.Option(None, "--checklist", "-c", help=CHECKLIST_HELP),
    call_id: Optional[str] = typer.Option(None, "--call", help="Only this call id (for files with many calls)."),
    redact: bool = typer.Option(False, "--redact", help="Mask phone, ID and bank card numbers and e-mail addresses (the last four digits stay)."),
) -> None:
    """Print a call turn by turn with each item's status and the evidence highlighted.

    \b
    Examples:
      auditor explain samples/json/C1002.json
      auditor explain samples/jsonl/batch_2026-10-06.jsonl --call C2004 | less -R
    """
    from auditor.engine import audit_call
    from auditor.reports.terminal import format_problem, render_explanation
    from auditor.redaction import redact_call, redact_result, redactor
    from auditor.transcripts import LoadLimits, Problem, load_file

    if not file.is_file():
        fail(f"{file}: not a file")
    compiled = load_checklist_or_exit(checklist)
    redact_fn = redactor(redact)
    shown = 0
    for item in load_file(file, LoadLimits()):
        if isinstance(item, Problem):
            typer.echo(redact_fn(format_problem(item)) if redact_fn else format_problem(item), err=True)
            continue
        if call_id is not None and item.call_id != call_id:
            continue
        if shown:
            typer.echo("\n" + "─" * 60 + "\n")
        result = audit_call(compiled, item)
        if redact_fn:  # audit the real text, show the masked one (masks keep lengths, so highlights still line up)
            item, result = redact_call(item, redact_fn), redact_result(result, redact_fn)
        typer.echo(render_explanation(item, result, compiled))
        shown += 1
    if not shown:
        fail(f"no call to explain in {file}" + (f" with id {call_id!r}" if call_id else ""))
