"""``auditor eval``: how far the checklist agrees with a human reviewer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from auditor.cli.common import CHECKLIST_HELP, fail, load_checklist_or_exit


def evaluate(
    paths: List[Path] = typer.Argument(..., help="Transcript files or folders holding the labelled calls."),
    gold: Path = typer.Option(..., "--gold", help='JSON Lines: {"call_id": ..., "items": {ITEM: "pass"|"fail"|"na"|"skip"}} per line.'),
    checklist: Optional[Path] = typer.Option(None, "--checklist", "-c", help=CHECKLIST_HELP),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the figures and disagreements as JSON (for CI)."),
) -> None:
    """Audit labelled calls and print per-item agreement with the gold labels.

    Prints accuracy, precision/recall/F1 of "fail", Cohen's kappa and every disagreement.

    \b
    Example:
      auditor eval tests/eval/dev_calls.jsonl --gold tests/eval/gold.jsonl
    """
    from auditor.evaluation import Evaluator, load_gold, render_table
    from auditor.pipeline import AuditState, iter_results
    from auditor.reports.terminal import format_problem
    from auditor.transcripts import InputError, LoadLimits, Problem, iter_input_files

    compiled = load_checklist_or_exit(checklist)
    try:
        labels = load_gold(gold)
    except InputError as exc:
        fail(f"{gold}{':' + str(exc.line) if exc.line else ''}: {exc.reason}")
    files = []
    for entry in iter_input_files(paths, exclude={gold}):
        if isinstance(entry, Problem):
            typer.echo(format_problem(entry), err=True)
        else:
            files.append(entry)
    evaluator = Evaluator(labels, compiled.item_ids)
    for item in iter_results(files, AuditState(compiled, LoadLimits())):
        if isinstance(item, Problem):
            typer.echo(format_problem(item), err=True)
        else:
            evaluator.add(item)
    result = evaluator.finish()
    typer.echo(render_table(result))
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
