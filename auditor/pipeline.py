"""The audit run: files → calls → engine → writers, one call at a time.

Work is cut into batches of files. A batch is audited by ``audit_batch``, a
pure function of the files and the compiled checklist, in this process or in
worker processes (``jobs``); results come back in batch order, so the output
is identical whatever the number of workers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.checklist.compiled import CompiledChecklist
from auditor.engine import CallResult, audit_call
from auditor.scoring import Scoreboard
from auditor.transcripts import LoadLimits, Problem, load_file
from auditor.transcripts.manifest import Manifest

BATCH_FILES = 64


@dataclass
class AuditState:
    """What a worker needs to audit files; sent to each worker once."""

    checklist: CompiledChecklist
    limits: LoadLimits
    manifest: Manifest | None = None


def audit_batch(paths: list[str], state: AuditState) -> list[CallResult | Problem]:
    out: list[CallResult | Problem] = []
    for path in paths:
        for item in load_file(Path(path), state.limits):
            if isinstance(item, Problem):
                out.append(item)
                continue
            call = state.manifest.apply(item) if state.manifest else item
            out.append(audit_call(state.checklist, call))
    return out


_WORKER_STATE: AuditState | None = None


def _init_worker(state: AuditState) -> None:
    global _WORKER_STATE
    _WORKER_STATE = state


def _worker_batch(paths: list[str]) -> list[CallResult | Problem]:
    assert _WORKER_STATE is not None
    return audit_batch(paths, _WORKER_STATE)


def batches(paths: list[Path], size: int = BATCH_FILES) -> list[list[str]]:
    names = [str(p) for p in paths]
    return [names[i : i + size] for i in range(0, len(names), size)]


def iter_results(paths: list[Path], state: AuditState, jobs: int = 1, on_batch: Callable[[int], None] | None = None) -> Iterator[CallResult | Problem]:
    """Results and problems in file order, from ``jobs`` processes."""
    work = batches(paths, BATCH_FILES if jobs > 1 else 1)
    if jobs <= 1 or len(work) <= 1:
        for batch in work:
            yield from audit_batch(batch, state)
            if on_batch:
                on_batch(len(batch))
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(state,)) as pool:
        for batch, out in zip(work, pool.imap(_worker_batch, work)):
            yield from out
            if on_batch:
                on_batch(len(batch))


class DuplicateIds:
    """Flags a call id seen before in the batch, remembering 8-byte digests, not the ids."""

    def __init__(self) -> None:
        self.seen: dict[bytes, str] = {}

    def check(self, r: CallResult) -> Problem | None:
        key = hashlib.blake2b(r.call_id.encode(), digest_size=8).digest()
        where = r.source_path + (f":{r.source_line}" if r.source_line else "")
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = where
            return None
        return Problem(r.source_path, f"duplicate call id {r.call_id!r} (also in {first}); both are kept", r.source_line, kind="warning")


@dataclass
class RunReport:
    board: Scoreboard
    problems: list[Problem] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)


def run_audit(
    files: list[Path],
    state: AuditState,
    sinks: list[Any],
    inputs: list[str],
    jobs: int = 1,
    problems: list[Problem] | None = None,
    on_problem: Callable[[Problem], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> RunReport:
    """Audit ``files`` into every sink (``add_call`` / ``close`` / ``abort``); abort all of them on any error."""
    report = RunReport(Scoreboard(state.checklist.spec.pass_threshold), list(problems or []))
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    dupes = DuplicateIds()
    try:
        for item in iter_results(files, state, jobs, on_batch):
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
