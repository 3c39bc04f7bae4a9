"""``auditor audit``: the main job."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from auditor.cli.common import CHECKLIST_HELP, EXIT_BELOW, fail, load_checklist_or_exit


def executor_or_exit(kind: str, jobs: int | None, scheduler: str | None):
    """The local pool or Dask executor the options ask for; a usage error (exit 2) when they do not fit."""
    from auditor.executors import DaskUnavailable, default_jobs, make_executor

    try:
        return make_executor(kind, jobs or default_jobs(), scheduler)
    except (ValueError, DaskUnavailable) as exc:
        fail(str(exc))


def audit(
    paths: List[Path] = typer.Argument(..., help="Transcript files or folders (searched recursively; hidden files skipped)."),
    checklist: Optional[Path] = typer.Option(None, "--checklist", "-c", help=CHECKLIST_HELP),
    out: Path = typer.Option(Path("scorecard.xlsx"), "--out", "-o", help="Excel scorecard to write."),
    results: Path = typer.Option(Path("results.jsonl"), "--results", help="Machine-readable results (JSON Lines) to write."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV with call_id or file, plus agent_id, agent_name, team, started_at."),
    fail_under: Optional[float] = typer.Option(None, "--fail-under", help="Exit 1 when the mean call score is below this."),
    force: bool = typer.Option(False, "--force", "-f", help="Overwrite existing outputs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no closing summary."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes auditing, this one included (default: the number of CPUs; with --scheduler local, Dask workers)."),
    executor: str = typer.Option("local", "--executor", help="'local' (processes on this machine) or 'dask' (a Dask cluster: pip install 'auditor[dask]')."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --executor dask: tcp://HOST:8786, or 'local' to start a cluster on this machine."),
    evidence: str = typer.Option("failures", "--evidence", help="Evidence rows in the workbook: 'failures' or 'all' (results.jsonl always has all)."),
    max_file_mb: float = typer.Option(64.0, "--max-file-mb", min=0.001, help="Largest transcript file (or JSONL line) read, in MB."),
    max_turns: int = typer.Option(20_000, "--max-turns", min=1, help="Most turns in one call."),
    max_turn_chars: int = typer.Option(20_000, "--max-turn-chars", min=1, help="Longest turn, in characters."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 if any input had a problem (error or warning), after the whole batch is audited and written."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run: reuse unchanged calls already in --results or its .partial progress file; audit the rest."),
    redact: bool = typer.Option(False, "--redact", help="Mask phone, ID and bank card numbers and e-mail addresses in every output (the last four digits stay)."),
) -> None:
    """Audit transcripts and write the Excel scorecard and results.jsonl.

    \b
    Examples:
      auditor audit samples/ --manifest samples/calls.csv
      auditor audit exports/2026-10-05/ -c checklists/my_team.yaml -o oct05.xlsx --results oct05.jsonl
      auditor audit calls.jsonl --fail-under 80 --quiet --force
    """
    from auditor.pipeline import AuditState, MadeOnFirstCall, run_audit
    from auditor.redaction import redactor
    from auditor.resume import ProgressJournal, build_index, fingerprint, journal_path
    from auditor.reports.results import ResultsWriter
    from auditor.reports.terminal import format_problem, render_summary
    from auditor.transcripts import InputError, LoadLimits, Problem, iter_input_files
    from auditor.transcripts.manifest import Manifest

    if evidence not in ("failures", "all"):
        fail("--evidence takes 'failures' or 'all'")
    if out.resolve() == results.resolve():
        fail("--out and --results must be different files")
    for target in (out, results):
        if target.exists() and not (force or resume):
            fail(f"{target} already exists; pass --force to overwrite it (or --resume to continue it)")
        if not target.parent.exists():
            fail(f"folder {target.parent} does not exist")
    runner = executor_or_exit(executor, jobs, scheduler)
    compiled = load_checklist_or_exit(checklist)
    redact_fn = redactor(redact)
    say = (lambda text: typer.echo(redact_fn(text), err=True)) if redact_fn else (lambda text: typer.echo(text, err=True))
    run_fingerprint = fingerprint(compiled, redact)
    journal = journal_path(results)
    index = build_index(results, run_fingerprint, redact_fn) if resume else None
    if index is not None:
        for stale in index.skipped_sources:
            say(f"resume: {stale} was written with another checklist, tool version or --redact setting; its calls are audited again")
        say(f"resume: {len(index)} call(s) already audited will be reused unless their transcript changed")
    elif journal.exists():
        say(f"note: {journal} holds the progress of an interrupted run; it is replaced (pass --resume to continue that run instead)")
    manifest_obj = None
    if manifest is not None:
        try:
            manifest_obj = Manifest(manifest)
        except InputError as exc:
            fail(f"{manifest}{':' + str(exc.line) if exc.line else ''}: {exc.reason}")
    from auditor.filelist import FileList

    files = FileList()  # ~20 bytes a file, not a str (~130) or a Path (~500): a day's export can be 100,000 files
    problems: list[Problem] = []
    outputs = {out.resolve(), results.resolve()} | ({manifest.resolve()} if manifest else set())
    for entry in iter_input_files(paths, exclude=outputs):
        if isinstance(entry, Problem):
            problems.append(entry)
            say(format_problem(entry))
        else:
            files.append(str(entry))
    if not files:
        fail("no transcript files found (looked for .json, .jsonl, .txt, .csv, .tsv) in: " + ", ".join(map(str, paths)))

    show_progress = not quiet and sys.stderr.isatty() and len(files) > 1
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="auditing", file=sys.stderr)

    def on_problem(p: Problem) -> None:
        text = redact_fn(format_problem(p)) if redact_fn else format_problem(p)
        bar.write(text) if bar else typer.echo(text, err=True)

    state = AuditState(compiled, LoadLimits(max_file_mb, max_turns, max_turn_chars), manifest_obj, resume=index, ship_evidence=evidence)
    from auditor.launch import settle_collector

    settle_collector()

    def scorecard():
        from auditor.reports import import_openpyxl_without_numpy

        import_openpyxl_without_numpy()  # before anything imports openpyxl
        from auditor.reports.excel import Scorecard

        made = Scorecard(out, compiled, evidence=evidence, redact=redact_fn)
        settle_collector()  # openpyxl's modules live as long as the run: out of the collector's passes too
        return made

    # The workbook's writer (openpyxl, ~0.08 s to import) is made when the first call
    # is ready for it: with workers, they have been auditing in the meantime.
    sinks = [ResultsWriter(results, redact=redact_fn), MadeOnFirstCall(scorecard), ProgressJournal(journal, run_fingerprint, redact_fn, index)]
    try:
        report = run_audit(files, state, sinks, [str(p) for p in paths], jobs=runner.workers, executor=runner, problems=problems, on_problem=on_problem,
                           on_batch=bar.update if bar else None, run_info={"resume_fingerprint": run_fingerprint})
    except KeyboardInterrupt:
        kept = f"; the calls audited so far are kept in {journal}: run the same command with --resume to continue" if journal.exists() else ""
        typer.echo(f"interrupted: no output was written or changed{kept}", err=True)
        raise typer.Exit(130) from None
    finally:
        if bar:
            bar.close()
    if not report.board.total.calls:
        fail("no call could be audited; nothing was written (see the problems above)")
    if not quiet:
        say(render_summary(report.run, report.problems, [str(out), str(results)]))
    mean = report.board.total.mean or 0.0
    if fail_under is not None and mean < fail_under:
        typer.echo(f"mean call score {mean:.1f} is below --fail-under {fail_under:g}", err=True)
        raise typer.Exit(EXIT_BELOW)
    if strict and report.problems:
        typer.echo(f"--strict: {len(report.problems)} input problem(s) (see above and the Problems sheet); exit 1", err=True)
        raise typer.Exit(EXIT_BELOW)
