"""The ``auditor`` command line.

Only typer is imported at start-up; each command imports the pipeline it
needs when it runs, so ``auditor --help`` stays fast and never loads spaCy.
"""

from __future__ import annotations

import typer

from auditor import __version__
from auditor.cli import audit_cmd, eval_cmd, explain_cmd
from auditor.cli import rules_cmd

app = typer.Typer(
    name="auditor",
    help="Audit customer-service call transcripts against a checklist and write an Excel scorecard.\n\n"
    "Example: auditor audit samples/ --manifest samples/calls.csv",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"auditor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Call-transcript compliance auditor."""


app.command("audit", no_args_is_help=True)(audit_cmd.audit)
app.command("explain", no_args_is_help=True)(explain_cmd.explain)
app.add_typer(rules_cmd.app, name="rules")
app.command("eval", no_args_is_help=True)(eval_cmd.evaluate)


def main() -> None:
    app()
