"""Where batches of files are audited: this process, a local process pool, or a Dask cluster.

Every executor runs the same pure ``audit_batch`` over the same batches and
hands the outputs back in batch order, so the results, the workbook and the
scores are identical whichever one ran. Each keeps only a bounded window of
batches in flight: when the writers are slower than the workers, finished
batches wait as unstarted work, not as results piling up in memory.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from auditor.pipeline import AuditState

#: Batches in flight per worker: enough to keep every worker busy while the
#: client writes, few enough that memory does not depend on the corpus size.
WINDOW_PER_WORKER = 3


class Executor(Protocol):
    """Audits batches of file paths and yields each batch's outputs, in batch order."""

    workers: int
    in_process: bool  # audits here, one file at a time (no pickling, so no reason to batch)

    def map(self, work: list[list[str]], state: "AuditState") -> Iterator[list[Any]]: ...


def default_jobs() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """``jobs`` processes on this machine auditing, this one included; one job audits here, with no pickling at all.

    This process writes every output, and with ``jobs`` worker processes
    besides it a machine with ``jobs`` cores had one busy process too many.
    It starts ``jobs - 1`` workers instead and audits a batch itself whenever
    the next result is not back yet (``_windowed``): on 2 cores ``--jobs 2``
    went from 1.58x to ~1.75x one worker (bench/run --scaling).
    """

    def __init__(self, jobs: int) -> None:
        self.workers = max(1, jobs)
        self.in_process = self.workers <= 1

    def map(self, work: list[list[str]], state: "AuditState") -> Iterator[list[Any]]:
        from auditor.pipeline import audit_batch

        if self.workers <= 1 or len(work) <= 1:
            for batch in work:
                yield audit_batch(batch, state)
            return
        import multiprocessing as mp

        # fork shares the compiled checklist with the workers without pickling it;
        # elsewhere the initializer sends it once per worker, never once per batch.
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        helpers = min(self.workers - 1, len(work))
        with ctx.Pool(helpers, initializer=_init_worker, initargs=(state,)) as pool:
            _widen_result_pipe(pool)
            yield from _windowed(work, lambda batch: pool.apply_async(_worker_batch, (batch,)), lambda r: r.get(), helpers,
                                 here=lambda batch: audit_batch(batch, state), ready=lambda r: r.ready(),
                                 weight=getattr(work, "weight", None))


#: Bytes the pipe carrying results back may buffer (Linux; 1 MiB is the default ceiling for any user).
RESULT_PIPE_BYTES = 1 << 20


def _widen_result_pipe(pool: Any) -> None:
    """Let a worker hand over a batch's results without waiting for this process to read them.

    A pipe buffers 64 KiB; a batch's results are ~120 KiB, and a one-file
    batch of 1,000 calls ~1 MiB. The pool's result thread reads the pipe
    only when it gets the interpreter lock from this (busy) process, so a
    worker sat blocked in its send for tens of milliseconds a batch: on 2
    cores it idled a fifth of the run. Where the pipe cannot be widened
    (another OS, a lower limit), nothing changes but the speed.
    """
    try:
        import fcntl

        fcntl.fcntl(pool._outqueue._writer.fileno(), fcntl.F_SETPIPE_SZ, RESULT_PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


_WORKER_STATE: "AuditState | None" = None


def _init_worker(state: "AuditState") -> None:
    global _WORKER_STATE
    _WORKER_STATE = state


def _worker_batch(paths: list[str]) -> list[Any]:
    from auditor.pipeline import shipped

    assert _WORKER_STATE is not None
    return shipped(paths, _WORKER_STATE)


#: Batches (by weight) audited here and waiting for the workers' batches in front of them: bounds memory if the workers stall.
MAX_HELD_HERE = 16

#: Batches (by weight) waiting to be taken, per worker, finished or not: bounds memory when this process writes slower than they audit.
MAX_PENDING_PER_WORKER = 8


def _windowed(work: Sequence[list[str]], submit: Any, result: Any, workers: int, here: Any = None, ready: Any = None,
              weight: Callable[[int], float] | None = None) -> Iterator[list[Any]]:
    """Submit ahead up to a window, yield results in order, submitting the next batch as each is taken.

    With ``here`` (and ``ready``), this process is one more worker: when the
    next result is not ready, it audits the next batch not yet submitted
    itself. That batch comes after every batch in flight and is yielded in
    its turn, so the order, and the output, is the same as one process's.
    This process only audits while it would otherwise wait: it writes first
    and audits with the time left, holding at most ``MAX_HELD_HERE`` batches.

    The window then counts what the workers have not finished, weighed by
    ``weight(batch number)`` (1 for a typical batch), not batches not yet taken; and before
    this process audits a batch, the workers get at least as much again. A
    worker whose results waited while this process audited, or that found a
    one-file batch of 1,000 calls ahead of its small ones, had idled a
    quarter of a 2-core run.
    """
    weight = weight or (lambda i: 1)
    pending: deque[tuple[bool, Any, float]] = deque()  # (audited here, outputs or a handle, weight), in batch order
    todo = iter(enumerate(work))
    window = workers * WINDOW_PER_WORKER
    most = workers * MAX_PENDING_PER_WORKER
    in_flight = held = 0.0  # weight of the batches submitted and not yet taken / audited here and not yet taken

    def shares() -> tuple[float, float]:
        """(weight the workers have not started, weight they are running): the first unfinished batch of each is taken to run."""
        if ready is None:
            return in_flight, 0.0
        free, waiting, running = workers, 0.0, 0.0
        for local, handle, w in pending:
            if not local and not ready(handle):
                if free:
                    free -= 1
                    running += w
                else:
                    waiting += w
        return waiting, running

    def top_up(need: float = 0) -> None:
        """Submit until the workers have ``need`` (at least a window) waiting, with at most ``most`` of theirs pending besides what runs."""
        nonlocal in_flight
        while True:
            waiting, running = shares()
            if waiting >= max(window, need) or in_flight - running >= most + need:
                return
            i, batch = next(todo, (0, None))
            if batch is None:
                return
            w = weight(i)
            pending.append((False, submit(batch), w))
            in_flight += w

    top_up()
    while pending:
        local, handle, w = pending[0]
        if here is not None and not local and not ready(handle) and held < MAX_HELD_HERE:
            i, batch = next(todo, (0, None))
            if batch is not None:
                w = weight(i)
                box: list[Any] = []
                pending.append((True, box, w))
                top_up(w)  # work queued for the workers while this process is busy
                box.append(here(batch))
                held += w
                continue
        pending.popleft()
        if local:
            held -= w
            out = handle[0]
        else:
            in_flight -= w
            out = result(handle)
        top_up()
        yield out


class DaskUnavailable(RuntimeError):
    """Dask is an optional extra; this says how to get it."""


class DaskExecutor:
    """Batches go to the workers of a Dask distributed cluster; results stream back in order.

    ``scheduler`` is a scheduler address (``tcp://host:8786``) or ``local`` for a
    ``LocalCluster`` on this machine with ``workers`` processes. The workers
    must be able to read the transcript paths the client passes them (a shared
    filesystem, or the same files at the same paths on every node).
    """

    def __init__(self, scheduler: str, workers: int | None = None) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise DaskUnavailable("--executor dask needs Dask: pip install 'auditor[dask]' (dask[distributed])") from None
        self.scheduler = scheduler
        self.local_workers = workers or default_jobs()
        self.workers = self.local_workers
        self.in_process = False

    def _client(self) -> tuple[Any, Any]:
        from distributed import Client, LocalCluster

        if self.scheduler == "local":
            cluster = LocalCluster(n_workers=self.local_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, host="127.0.0.1")
            return Client(cluster), cluster
        return Client(self.scheduler), None

    def map(self, work: list[list[str]], state: "AuditState") -> Iterator[list[Any]]:
        from auditor.pipeline import shipped

        client, cluster = self._client()
        try:
            self.workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
            # One copy of the compiled checklist per worker, deserialised once there.
            shared = client.scatter(state, broadcast=True)
            submit = lambda batch: client.submit(shipped, batch, shared, pure=False)  # noqa: E731
            yield from _windowed(work, submit, lambda f: f.result(), self.workers)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def make_executor(kind: str, jobs: int, scheduler: str | None = None) -> Executor:
    """The executor a command line asked for; raises ``ValueError`` with a message for the user."""
    if kind == "local":
        return LocalExecutor(jobs)
    if kind == "dask":
        if not scheduler:
            raise ValueError("--executor dask needs --scheduler tcp://HOST:8786 (or 'local' for a cluster on this machine)")
        return DaskExecutor(scheduler, jobs)
    raise ValueError(f"--executor takes 'local' or 'dask', not {kind!r}")
