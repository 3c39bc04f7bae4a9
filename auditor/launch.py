"""The ``auditor`` command's entry point: the collector is set for start-up before anything is imported."""

from __future__ import annotations

import gc

#: The collector's thresholds as Python set them, the first one while a command starts up,
#: and the first one while an audit runs.
USUAL_GC_THRESHOLDS = gc.get_threshold()
STARTUP_GC_THRESHOLD = 200_000
AUDIT_GC_THRESHOLD = 50_000


def main() -> None:
    """Run the command line with the collector running rarely until the command is set up.

    Start-up (typer, the pipeline's imports, the checklist) makes ~50,000
    objects that live as long as the process, and the collector's passes
    over them while they are made free nothing: ~30 ms of every run (a
    single call's included, and the part of ``--jobs 2`` no second process
    shares). It still runs, every 200,000 new objects, so no command can
    grow without bound; the audit sets its own thresholds once it is set up
    (``settle_collector``).
    """
    gc.set_threshold(STARTUP_GC_THRESHOLD, *USUAL_GC_THRESHOLDS[1:])
    from auditor.cli import main as cli_main

    cli_main()


def settle_collector() -> None:
    """Start-up is over: freeze what exists, and collect every 50,000 new objects rather than 700.

    What exists now (modules, the compiled checklist, the file list) lives
    for the whole run: kept out of the collector's full passes, those cost
    half as much, and forked workers do not copy these pages by touching them.

    An audit's objects (turns, evidence, results, rows) die by reference
    counting as soon as their call is written. At Python's thresholds the
    collector made 599 passes over a 20,000-call run, freed nothing and took
    0.13 s of it (``python -m bench.timeline CORPUS --jobs 1`` prints this);
    at 50,000 it makes a handful. It still runs, so reference cycles a library
    or an odd input may make are still freed, a few MB at most later; peak
    memory is unchanged. Forked workers inherit the setting.
    """
    gc.freeze()
    gc.set_threshold(AUDIT_GC_THRESHOLD, *USUAL_GC_THRESHOLDS[1:])
