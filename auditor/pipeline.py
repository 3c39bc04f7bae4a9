"""The audit run: files → calls → engine → writers, one call at a time.

Work is cut into batches of files. A batch is audited by ``audit_batch``, a
pure function of the files and the compiled checklist, in this process or in
worker processes (``jobs``); results come back in batch order, so the output
is identical whatever the number of workers.
"""

from __future__ import annotations

import datetime as dt
import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.checklist.compiled import CompiledChecklist
from auditor.engine import CallResult, audit_call
from auditor.scoring import Scoreboard
from auditor.seen import SeenIds
from auditor.transcripts import LoadLimits, Problem, load_file
from auditor.transcripts.manifest import Manifest

BATCH_FILES = 64
BATCH_BYTES = 1 << 18  # ~100 calls of ~2.5 KB: fine-grained enough for this process to audit between writes


@dataclass
class AuditState:
    """What a worker needs to audit files; sent to each worker once."""

    checklist: CompiledChecklist
    limits: LoadLimits
    manifest: Manifest | None = None
    resume: Callable[[Any], CallResult | None] | None = None  # --resume: a stored result for an already-audited call
    #: The evidence results bring back from a worker besides their results line: "all", or
    #: "failures" when the workbook shows no other (``shipped``).
    ship_evidence: str = "all"


def audit_batch(paths: list[str], state: AuditState) -> list[CallResult | Problem]:
    out: list[CallResult | Problem] = []
    for path in paths:
        for item in load_file(path, state.limits):  # a str: pathlib would intern every path component it parses
            if isinstance(item, Problem):
                out.append(item)
                continue
            call = state.manifest.apply(item) if state.manifest else item
            done = state.resume(call) if state.resume else None
            out.append(done or audit_call(state.checklist, call))
    return out


def shipped(paths: list[str], state: AuditState) -> list[CallResult | Problem]:
    """``audit_batch`` for a worker: each result carries its results line, and no evidence the client will not write.

    The client process writes every output, so on 2 cores it is the busier
    one; a worker writing the line (~20 µs a call) takes that work off it.
    Evidence of items that did not fail is then only needed in the workbook
    with ``--evidence all``; without it, that evidence no longer crosses the
    process boundary (pickling and unpickling it cost ~20 µs a call). The
    client's outputs are unchanged: ``call_line`` uses the line as written.

    What is left of most items is a bare status. Those are one shared
    ``ItemResult`` per status for the whole batch, which pickle then sends
    once: rebuilding eight result objects a call was most of the cost of
    moving a call (pickling 12.6 → 4.9 µs, unpickling 14.6 → 5.3). The
    results of a batch are read-only from here on.
    """
    from auditor.engine import ItemResult
    from auditor.reports.results import call_line

    out = audit_batch(paths, state)
    slim = state.ship_evidence == "failures"
    bare: dict[str, ItemResult] = {}
    for r in out:
        if not isinstance(r, CallResult):
            continue
        r.line = call_line(r)
        items = r.items
        for item_id, res in items.items():
            if slim and res.evidence and res.status != "fail":
                res.evidence = []
            if not res.evidence and not res.metrics:
                shared = bare.get(res.status)
                if shared is None:
                    shared = bare[res.status] = ItemResult(res.status)
                items[item_id] = shared
    return out


class Batches(Sequence[list[str]]):
    """Consecutive files, at most ``size`` of them and, past the first, at most ``max_bytes`` together.

    The byte bound keeps a batch of many-call files (JSONL, CSV) as small as
    a batch of one-call files, so workers get even shares. Batches are made
    from the file list when asked for, never held as lists of strings: a run
    of 100,000 files would otherwise keep every name a second time.
    """

    def __init__(self, paths: Sequence[Path | str], size: int = BATCH_FILES, max_bytes: int = BATCH_BYTES) -> None:
        self.paths = paths
        self.max_bytes = max_bytes
        self.starts: array[int] | None = array("Q")
        self.sizes = array("Q")  # each batch's bytes, the weight a local executor balances its workers by
        if size <= 1:  # a file a batch: the batch number is the file number, no table needed (8 bytes a file)
            self.starts = None
            return
        held = count = 0
        for i, path in enumerate(paths):
            try:
                n = os.stat(path).st_size
            except OSError:
                n = 0  # the loader reports the file; here it only needs a place
            if count and (count >= size or held + n > max_bytes):
                self.starts.append(i - count)
                self.sizes.append(held)
                held = count = 0
            held += n
            count += 1
        if count:
            self.starts.append(len(paths) - count)
            self.sizes.append(held)

    def weight(self, i: int) -> float:
        """Batch ``i``'s bytes against a full batch's: one file of 1,000 calls weighs ~10 (1 a batch when each is one file)."""
        return max(self.sizes[i], 1) / self.max_bytes if self.starts is not None else 1.0

    def __len__(self) -> int:
        return len(self.paths) if self.starts is None else len(self.starts)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if self.starts is None:
            return [str(self.paths[i])]  # IndexError past the end, as a sequence should
        start = self.starts[i]  # IndexError past the end, as a sequence should
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.paths)
        return [str(self.paths[j]) for j in range(start, end)]


def batches(paths: Sequence[Path | str], size: int = BATCH_FILES, max_bytes: int = BATCH_BYTES) -> Batches:
    return Batches(paths, size, max_bytes)


def iter_results(paths: Sequence[Path | str], state: AuditState, jobs: int = 1, on_batch: Callable[[int], None] | None = None,
                 executor: Any = None) -> Iterator[CallResult | Problem]:
    """Results and problems in file order, from ``jobs`` local processes or the given executor (auditor.executors)."""
    from auditor.executors import LocalExecutor

    executor = executor or LocalExecutor(jobs)
    # One file per batch in-process keeps the progress bar live; workers get
    # many files per task so that pickling and messaging stay cheap.
    work = batches(paths, 1 if executor.in_process else BATCH_FILES)
    for batch, out in zip(work, executor.map(work, state)):
        yield from out
        if on_batch:
            on_batch(len(batch))


class DuplicateIds:
    """Flags a call id seen before in the batch, remembering 16 bytes a call (see auditor.seen), not the ids."""

    def __init__(self, files: Sequence[Path | str] = ()) -> None:
        self.seen = SeenIds(files)

    def check(self, r: CallResult) -> Problem | None:
        first = self.seen.first_seen(r.call_id, r.source_path, r.source_line)
        if first is None:
            return None
        return Problem(r.source_path, f"duplicate call id {r.call_id!r} (also in {first}); both are kept", r.source_line, kind="warning")


class MadeOnFirstCall:
    """A sink made by ``make()`` when the first call reaches it, then passed every call directly.

    Worker processes fork when the audit starts; what this process sets up
    before then, they wait for. A sink only needed once calls come (the
    workbook's writer: openpyxl alone is ~0.08 s to import) is set up while
    they audit instead. A run in which no call reached it never makes it.
    """

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make
        self.sink: Any = None

    def add_call(self, result: CallResult) -> None:
        self.sink = self.make()
        self.add_call = self.sink.add_call  # type: ignore[method-assign]  # every later call goes straight to the sink
        self.sink.add_call(result)

    def close(self, board: Scoreboard, problems: list[Problem], run: dict[str, Any]) -> None:
        if self.sink is None:  # no call reached it (``run_audit`` aborts instead; kept for any caller)
            self.sink = self.make()
        self.sink.close(board, problems, run)

    def abort(self) -> None:
        if self.sink is not None:
            self.sink.abort()


@dataclass
class RunReport:
    board: Scoreboard
    problems: list[Problem] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)


def run_audit(
    files: Sequence[Path | str],
    state: AuditState,
    sinks: list[Any],
    inputs: list[str],
    jobs: int = 1,
    problems: list[Problem] | None = None,
    on_problem: Callable[[Problem], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    run_info: dict[str, Any] | None = None,
    executor: Any = None,
) -> RunReport:
    """Audit ``files`` into every sink (``add_call`` / ``close`` / ``abort``); abort all of them on any error."""
    report = RunReport(Scoreboard(state.checklist.spec.pass_threshold), list(problems or []))
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    dupes = DuplicateIds(files)
    try:
        for item in iter_results(files, state, jobs, on_batch, executor):
            if isinstance(item, Problem):
                report.problems.append(item)
                if on_problem:
                    on_problem(item)
                continue
            dup = dupes.check(item)
            if dup:
                report.problems.append(dup)
                if on_problem:
                    on_problem(dup)
            report.board.add(item)
            for sink in sinks:
                sink.add_call(item)
        spec = state.checklist.spec
        report.run = {
            "tool_version": __version__,
            "checklist": {"id": spec.id, "name": spec.name, "version": spec.version, "path": state.checklist.path},
            "inputs": inputs,
            "started_at": started,
            "finished_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            **(run_info or {}),
            "summary": {**report.board.summary(), "inputs_skipped": sum(1 for p in report.problems if p.kind == "error"),
                        "warnings": sum(1 for p in report.problems if p.kind == "warning")},
        }
        if report.board.total.calls:
            for sink in sinks:
                sink.close(report.board, report.problems, report.run)
        else:
            for sink in sinks:
                sink.abort()
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    return report
