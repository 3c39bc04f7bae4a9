"""The ``auditor`` command's entry point: the collector is set for start-up before anything is imported."""

from __future__ import annotations

import gc

#: The collector's thresholds as Python set them, and the first one while a command starts up.
USUAL_GC_THRESHOLDS = gc.get_threshold()
STARTUP_GC_THRESHOLD = 200_000


def main() -> None:
    """Run the command line with the collector running rarely until the command is set up.

    Start-up (typer, the pipeline's imports, the checklist) makes ~50,000
    objects that live as long as the process, and the collector's passes
    over them while they are made free nothing: ~30 ms of every run (a
    single call's included, and the part of ``--jobs 2`` no second process
    shares). It still runs, every 200,000 new objects, so no command can
    grow without bound; the audit restores the usual thresholds once it is
    set up (``settle_collector``).
    """
    gc.set_threshold(STARTUP_GC_THRESHOLD, *USUAL_GC_THRESHOLDS[1:])
    from auditor.cli import main as cli_main

    cli_main()


def settle_collector() -> None:
    """Start-up is over: freeze what exists and collect as usual from here on.

    What exists now (modules, the compiled checklist, the file list) lives
    for the whole run: kept out of the collector's full passes, those cost
    half as much, and forked workers do not copy these pages by touching them.
    """
    gc.freeze()
    gc.set_threshold(*USUAL_GC_THRESHOLDS)
