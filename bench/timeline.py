"""Where a parallel run's time goes: ``python -m bench.timeline CORPUS [--jobs 2]``.

The ``--jobs 2`` figure says how much faster two processes are, not why they
are not twice as fast. This runs the real ``auditor audit`` in this process
with the pipeline's batch functions wrapped, so that every batch records when
it started and ended, in the worker processes and here, and every wait of
this process for a worker's result is timed. It prints when the first batch
started (start-up), how long each worker was busy and idle, how much this
process audited itself and how long it waited, and how long the run went on
after the last batch (finishing the workbook), and how often the collector
ran in this process and for how long. The outputs go to a temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()


def _record(folder: Path) -> None:
    """Wrap the batch functions so that each batch and each wait leaves a line in ``folder``."""
    import auditor.executors as executors
    import auditor.pipeline as pipeline

    main_pid = os.getpid()
    worker_batch, audit_batch, windowed = executors._worker_batch, pipeline.audit_batch, executors._windowed

    def log(kind: str, start: float, end: float, calls: int) -> None:
        with (folder / f"{kind}.{os.getpid()}").open("a") as fh:
            fh.write(f"{start - T0:.4f} {end - T0:.4f} {calls}\n")

    def timed_worker_batch(paths):
        start = time.perf_counter()
        out = worker_batch(paths)
        log("worker", start, time.perf_counter(), len(out))
        return out

    # The pool sends the batch function to its workers by name: under its own
    # name in its own module, the wrapper is what the (forked) workers find there.
    timed_worker_batch.__module__, timed_worker_batch.__qualname__ = worker_batch.__module__, worker_batch.__qualname__

    def timed_audit_batch(paths, state):
        start = time.perf_counter()
        out = audit_batch(paths, state)
        if os.getpid() == main_pid:
            log("here", start, time.perf_counter(), len(out))
        return out

    def timed_windowed(work, submit, result, workers, **options):
        def timed_result(handle):
            start = time.perf_counter()
            out = result(handle)
            log("wait", start, time.perf_counter(), len(out))
            return out

        return windowed(work, submit, timed_result, workers, **options)

    executors._worker_batch, pipeline.audit_batch, executors._windowed = timed_worker_batch, timed_audit_batch, timed_windowed


class CollectorClock:
    """The collector's passes in this process once the audit is set up, and their time (workers are not counted).

    Counting starts when the audit settles the collector (``auditor.launch.settle_collector``).
    """

    def __init__(self) -> None:
        import auditor.launch as launch

        self.passes = self.full = 0
        self.seconds = self.full_seconds = 0.0
        self._start = 0.0
        settle = launch.settle_collector

        def settle_and_count() -> None:
            settle()
            if self._tick not in gc.callbacks:  # the audit settles it again once the workbook's writer is made
                gc.callbacks.append(self._tick)

        launch.settle_collector = settle_and_count

    def _tick(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        spent = time.perf_counter() - self._start
        self.passes += 1
        self.seconds += spent
        if info["generation"] == 2:
            self.full += 1
            self.full_seconds += spent

    def line(self) -> str:
        return (f"collector in this process during the audit: {self.passes} passes, {self.seconds:.3f} s "
                f"({self.full} full, {self.full_seconds:.3f} s)")


def _rows(folder: Path, kind: str) -> dict[str, list[tuple[float, float, int]]]:
    found = {}
    for path in sorted(folder.glob(f"{kind}.*")):
        found[path.suffix.lstrip(".")] = [(float(a), float(b), int(n)) for a, b, n in (line.split() for line in path.read_text().splitlines())]
    return found


def summary(folder: Path, end: float) -> list[str]:
    """The timeline's figures, one line each."""
    here = [row for rows in _rows(folder, "here").values() for row in rows]
    waits = [row for rows in _rows(folder, "wait").values() for row in rows]
    workers = _rows(folder, "worker")
    batches = here + [row for rows in workers.values() for row in rows]
    if not batches:
        return ["no batch was audited"]
    first, last = min(r[0] for r in batches), max(r[1] for r in batches)
    lines = [f"start-up: first batch at {first:.3f} s; last batch ended at {last:.3f} s; the run ended at {end:.3f} s ({end - last:.3f} s after)"]
    for pid, rows in workers.items():
        busy = sum(b - a for a, b, _ in rows)
        span = rows[-1][1] - rows[0][0]
        lines.append(f"worker {pid}: {len(rows)} batches, {sum(n for *_, n in rows)} calls, busy {busy:.2f} s, idle {span - busy:.2f} s "
                     f"between {rows[0][0]:.3f} and {rows[-1][1]:.3f} s")
    lines.append(f"this process: audited {len(here)} batches, {sum(n for *_, n in here)} calls in {sum(b - a for a, b, _ in here):.2f} s; "
                 f"waited for {len(waits)} results {sum(b - a for a, b, _ in waits):.3f} s in all")
    return lines


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.timeline", description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="auditor-timeline-"))
    (out / "log").mkdir()
    _record(out / "log")
    collector = CollectorClock()
    from auditor.launch import main as cli  # the command's own entry point: the collector set for start-up as it sets it

    sys.argv = ["auditor", "audit", str(args.corpus), "-q", "--force", "--jobs", str(args.jobs),
                "-o", str(out / "scorecard.xlsx"), "--results", str(out / "results.jsonl")]
    try:
        cli()
    except SystemExit as exc:
        if exc.code not in (0, 1, None):
            raise
    for line in summary(out / "log", time.perf_counter() - T0):
        print(line)
    print(collector.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
