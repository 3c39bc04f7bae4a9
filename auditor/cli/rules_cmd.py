"""``auditor rules``: checklists as code — test, validate, check, diff, list, show.

Every command imports what it needs when it runs, so ``auditor --help``
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from auditor.cli.common import CHECKLIST_HELP, EXIT_USAGE, check_output, fail, load_checklist_or_exit, load_manifest_or_exit

EXIT_FAILED = 1

app = typer.Typer(
    help="Checklists as code: run rule examples, validate checklists, measure a change.\n\n"
    "Example: auditor rules check checklists/",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

PATHS_HELP = "Checklist files or folders (a folder means every *.yaml in it). Default: the built-in checklist."


def _default_paths(paths: Optional[List[Path]]) -> list[Path]:
    from auditor.checklist import default_checklist_path

    return list(paths) if paths else [default_checklist_path()]


def _run_tests(paths: list[Path], patterns: list[str], junit: Optional[Path], verbose: bool) -> int:
    """Run every selected case; print failures and the summary line; return the exit code."""
    from auditor.checklist import ChecklistError
    from auditor.rules.examples import checklist_files
    from auditor.rules.junit import write_junit
    from auditor.rules.runner import BAD, PASSED, XFAIL, format_result, load_suite, run_suite, summary_line

    results = []
    broken = 0
    files = checklist_files(paths)
    if not files:
        typer.echo(f"error: no checklist (*.yaml) in {', '.join(map(str, paths))}", err=True)
        return EXIT_USAGE
    for file in files:
        try:
            suite = load_suite(file)
        except ChecklistError as exc:
            for d in exc.diagnostics:
                typer.echo(str(d), err=True)
            broken += 1
            continue
        problems = [d for d in suite.diagnostics if d.severity == "error"]
        for d in problems:
            typer.echo(str(d), err=True)
        broken += len(problems)
        selected = run_suite(suite, patterns)
        results += selected
        typer.echo(f"{suite.compiled.spec.id} ({file}): {len(selected)} case(s)")
        for r in selected:
            if r.outcome in BAD:
                typer.echo(format_result(r) + "\n")
            elif verbose:
                typer.echo(("ok    " if r.outcome == PASSED else "xfail ") + r.case.full_id + (f"  ({r.message})" if r.message else ""))
    gaps = [r for r in results if r.outcome == XFAIL]
    if gaps:
        typer.echo(f"{len(gaps)} expected failure(s) (known gaps): " + ", ".join(r.case.id for r in gaps))
    if junit is not None:
        write_junit(results, junit)
    if patterns and not results and not broken:
        typer.echo(f"error: no case matches -k {' / '.join(patterns)}", err=True)
        typer.echo(summary_line([]))
        return EXIT_USAGE
    typer.echo(summary_line(results, broken))
    if broken and not any(r.outcome in BAD for r in results):
        return EXIT_USAGE
    return EXIT_FAILED if broken or any(r.outcome in BAD for r in results) else 0


@app.command("test")
def test(
    paths: Optional[List[Path]] = typer.Argument(None, help=PATHS_HELP),
    keyword: Optional[List[str]] = typer.Option(None, "-k", help="Only cases whose id or item id contains this (globs allowed; repeat for 'or')."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Also write the results as JUnit XML for CI."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every case, not only failures."),
) -> None:
    """Run every item example and fixture through the engine; exit 1 on any failure.

    \b
    Examples:
      auditor rules test
      auditor rules test checklists/ -k greeting
      auditor rules test checklists/my_team.yaml --junit rules-junit.xml
    """
    raise typer.Exit(_run_tests(_default_paths(paths), list(keyword or []), junit, verbose))


def _report(diags: list, fmt: str) -> int:
    for d in diags:
        typer.echo(d.github() if fmt == "github" else str(d))
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    if fmt != "github":
        typer.echo(f"{errors} error(s), {warnings} warning(s)")
    return EXIT_USAGE if errors else 0


@app.command("validate", no_args_is_help=True)
def validate(
    paths: List[Path] = typer.Argument(..., help="Checklist files or folders (a folder means every *.yaml in it)."),
    fmt: str = typer.Option("text", "--format", help="'text' (file:line:col: key: message) or 'github' (Actions annotations)."),
) -> None:
    """Check checklists without running them: schema, detector kinds and parameters, regexes, ids,
    weights, signals, examples and fixtures. Exit 2 on errors, 0 otherwise (warnings included).

    \b
    Examples:
      auditor rules validate checklists/
      auditor rules validate checklists/ --format github
    """
    from auditor.rules.validate import validate_paths

    if fmt not in ("text", "github"):
        fail("--format takes 'text' or 'github'")
    raise typer.Exit(_report(validate_paths(list(paths)), fmt))


@app.command("check")
def check(
    paths: Optional[List[Path]] = typer.Argument(None, help=PATHS_HELP),
    fmt: str = typer.Option("text", "--format", help="'text' or 'github' for the validation messages."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Also write the test results as JUnit XML."),
) -> None:
    """Validate, then test: what CI and the pre-commit hook run. Exit 2 on invalid checklists, 1 on failing cases.

    \b
    Example:
      auditor rules check checklists/
    """
    from auditor.rules.validate import validate_paths

    if fmt not in ("text", "github"):
        fail("--format takes 'text' or 'github'")
    targets = _default_paths(paths)
    code = _report(validate_paths(targets), fmt)
    if code:
        raise typer.Exit(code)
    raise typer.Exit(_run_tests(targets, [], junit, False))


@app.command("diff", no_args_is_help=True)
def diff(
    old: Path = typer.Argument(..., help="The checklist as it is now."),
    new: Path = typer.Argument(..., help="The changed checklist."),
    on: List[Path] = typer.Option(..., "--on", help="Transcript files or folders to audit with both (repeatable)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the comparison workbook here (.xlsx)."),
    max_changed: Optional[int] = typer.Option(None, "--max-changed", min=0, help="Exit 1 when more than this many call verdicts change."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV of call metadata (agent ids), as for 'audit'."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
    force: bool = typer.Option(False, "--force", "-f", help="Overwrite --out if it exists."),
) -> None:
    """Audit a folder with two versions of a checklist and show what the change does.

    Verdicts are pass, below (score under pass_threshold) and critical.

    \b
    Examples:
      auditor rules diff checklists/zh_call_center.yaml new.yaml --on samples/ --manifest samples/calls.csv
      auditor rules diff old.yaml new.yaml --on calls/ --out diff.xlsx --max-changed 5
    """
    from auditor.reports import import_openpyxl_without_numpy

    import_openpyxl_without_numpy()  # first: the diff's workbook writer imports openpyxl
    from auditor.rules.diff import run_diff, summary_text
    from auditor.rules.diff_workbook import write_diff_workbook

    if out is not None:
        check_output(out, force)
    old_c = load_checklist_or_exit(old)
    new_c = load_checklist_or_exit(new)
    manifest_obj = load_manifest_or_exit(manifest)
    report = run_diff(old_c, new_c, list(on), manifest_obj, jobs, {manifest} if manifest else None)
    for p in report.problems:
        typer.echo(f"{p.location()}: {p.kind}: {p.reason}", err=True)
    if not report.calls:
        fail("no call could be audited in " + ", ".join(map(str, on)))
    typer.echo(summary_text(report, max_changed))
    if out is not None:
        write_diff_workbook(report, out)
        typer.echo(f"wrote {out}")
    if max_changed is not None and len(report.verdict_changes) > max_changed:
        typer.echo(f"more than {max_changed} call verdict(s) changed", err=True)
        raise typer.Exit(EXIT_FAILED)


def _example_counts(item) -> str:
    ex = item.examples
    return f"{len(ex.pass_)} pass / {len(ex.fail)} fail / {len(ex.na)} na"


@app.command("list")
def list_items(checklist: Optional[Path] = typer.Option(None, "--checklist", "-c", help=CHECKLIST_HELP)) -> None:
    """Print the items of a checklist: id, detector, weight, examples, title and description."""
    compiled = load_checklist_or_exit(checklist)
    spec = compiled.spec
    typer.echo(f"{spec.name} ({spec.id} v{spec.version}), {len(spec.items)} item(s), pass threshold {spec.pass_threshold:g}")
    for item in spec.items:
        crit = ", critical" if item.critical else ""
        typer.echo(f"\n{item.id}  [{item.detector.kind}, weight {item.weight:g}{crit}; examples {_example_counts(item)}]")
        typer.echo(f"  {item.title}")
        if item.description:
            typer.echo(f"  {item.description}")


@app.command("show", no_args_is_help=True)
def show(
    item_id: str = typer.Argument(..., metavar="ITEM", help="Item id, as in 'auditor rules list'."),
    checklist: Optional[Path] = typer.Option(None, "--checklist", "-c", help=CHECKLIST_HELP),
) -> None:
    """Print one item: its settings, detector parameters and every example dialogue."""
    compiled = load_checklist_or_exit(checklist)
    spec = compiled.spec
    item = next((i for i in spec.items if i.id == item_id), None)
    if item is None:
        fail(f"no item {item_id!r} in {compiled.path}; items: {', '.join(compiled.item_ids)}")
    typer.echo(f"{item.id}: {item.title}")
    if item.description:
        typer.echo(f"  {item.description}")
    typer.echo(f"  category {item.category}, weight {item.weight:g}{', critical' if item.critical else ''}, "
               f"speaker {item.speaker}, scope {item.scope.describe()}")
    if item.applies_when is not None:
        typer.echo(f"  applies when: {_condition(item.applies_when)}")
    typer.echo(f"  detector: {item.detector.kind}")
    for key, value in item.detector.model_dump(exclude={"kind"}).items():
        text = ", ".join(map(str, value)) if isinstance(value, list) and all(isinstance(v, str) for v in value) else str(value)
        typer.echo(f"    {key}: {text}")
    typer.echo(f"  examples: {_example_counts(item)}")
    for status, name, dialogue in item.examples.cases():
        typer.echo(f"\n  [{status}]" + (f" {name}" if name else ""))
        for line in dialogue.strip("\n").split("\n"):
            typer.echo(f"    {line}")


def _condition(cond) -> str:
    from auditor.checklist.schema import AllOf, AnyOf

    if isinstance(cond, str):
        return cond
    if isinstance(cond, AllOf):
        return "(" + " and ".join(_condition(c) for c in cond.all) + ")"
    if isinstance(cond, AnyOf):
        return "(" + " or ".join(_condition(c) for c in cond.any) + ")"
    return "not " + _condition(cond.not_)
