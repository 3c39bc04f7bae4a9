"""``auditor audit``: the main job."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from auditor.cli.common import CHECKLIST_HELP, EXIT_BELOW, EXIT_USAGE, fail, load_checklist_or_exit


def audit(
    paths: List[Path] = typer.Argument(..., help="Transcript files or folders (searched recursively; hidden files skipped)."),
    checklist: Optional[Path] = typer.Option(None, "--checklist", "-c", help=CHECKLIST_HELP),
    out: Path = typer.Option(Path("scorecard.xlsx"), "--out", "-o", help="Excel scorecard to write."),
    results: Path = typer.Option(Path("results.jsonl"), "--results", help="Machine-readable results (JSON Lines) to write."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV with call_id or file, plus agent_id, agent_name, team, started_at."),
    fail_under: Optional[float] = typer.Option(None, "--fail-under", help="Exit 1 when the mean call score is below this."),
    force: bool = typer.Option(False, "--force", "-f", help="Overwrite existing outputs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no closing summary."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
    evidence: str = typer.Option("failures", "--evidence", help="Evidence rows in the workbook: 'failures' or 'all' (results.jsonl always has all)."),
    max_file_mb: float = typer.Option(64.0, "--max-file-mb", min=0.001, help="Largest transcript file (or JSONL line) read, in MB."),
    max_turns: int = typer.Option(20_000, "--max-turns", min=1, help="Most turns in one call."),
    max_turn_chars: int = typer.Option(20_000, "--max-turn-chars", min=1, help="Longest turn, in characters."),
) -> None:
    """Audit transcripts and write the Excel scorecard and results.jsonl.

    \b
    Examples:
      auditor audit samples/ --manifest samples/calls.csv
      auditor audit exports/2026-10-05/ -c checklists/my_team.yaml -o oct05.xlsx --results oct05.jsonl
      auditor audit calls.jsonl --fail-under 80 --quiet --force
    """
    from auditor.pipeline import AuditState, run_audit
    from auditor.reports.excel import Scorecard
    from auditor.reports.results import ResultsWriter
    from auditor.reports.terminal import format_problem, render_summary
    from auditor.transcripts import InputError, LoadLimits, Problem, iter_input_files
    from auditor.transcripts.manifest import Manifest

    if evidence not in ("failures", "all"):
        fail("--evidence takes 'failures' or 'all'")
    if out.resolve() == results.resolve():
        fail("--out and --results must be different files")
    for target in (out, results):
        if target.exists() and not force:
            fail(f"{target} already exists; pass --force to overwrite it")
        if not target.parent.exists():
            fail(f"folder {target.parent} does not exist")
    compiled = load_checklist_or_exit(checklist)
    manifest_obj = None
    if manifest is not None:
        try:
            manifest_obj = Manifest(manifest)
        except InputError as exc:
            fail(f"{manifest}{':' + str(exc.line) if exc.line else ''}: {exc.reason}")
    files: list[Path] = []
    problems: list[Problem] = []
    outputs = {out.resolve(), results.resolve()} | ({manifest.resolve()} if manifest else set())
    for entry in iter_input_files(paths, exclude=outputs):
        if isinstance(entry, Problem):
            problems.append(entry)
            typer.echo(format_problem(entry), err=True)
        else:
            files.append(entry)
    if not files:
        fail("no transcript files found (looked for .json, .jsonl, .txt, .csv, .tsv) in: " + ", ".join(map(str, paths)))

    show_progress = not quiet and sys.stderr.isatty() and len(files) > 1
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="auditing", file=sys.stderr)

    def on_problem(p: Problem) -> None:
        (bar.write if bar else lambda s: typer.echo(s, err=True))(format_problem(p)) if bar else typer.echo(format_problem(p), err=True)

    state = AuditState(compiled, LoadLimits(max_file_mb, max_turns, max_turn_chars), manifest_obj)
    sinks = [ResultsWriter(results), Scorecard(out, compiled, evidence=evidence)]
    try:
        report = run_audit(files, state, sinks, [str(p) for p in paths], jobs=jobs, problems=problems, on_problem=on_problem,
                           on_batch=bar.update if bar else None)
    except KeyboardInterrupt:
        typer.echo("interrupted: no output was written or changed", err=True)
        raise typer.Exit(130) from None
    finally:
        if bar:
            bar.close()
    if not report.board.total.calls:
        fail("no call could be audited; nothing was written (see the problems above)")
    if not quiet:
        typer.echo(render_summary(report.run, report.problems, [str(out), str(results)]), err=True)
    mean = report.board.total.mean or 0.0
    if fail_under is not None and mean < fail_under:
        typer.echo(f"mean call score {mean:.1f} is below --fail-under {fail_under:g}", err=True)
        raise typer.Exit(EXIT_BELOW)
