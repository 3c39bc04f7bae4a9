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
from collections.abc import Iterator
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
    """``jobs`` processes on this machine; one job audits in this process, with no pickling at all."""

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
        with ctx.Pool(min(self.workers, len(work)), initializer=_init_worker, initargs=(state,)) as pool:
            yield from _windowed(work, lambda batch: pool.apply_async(_worker_batch, (batch,)), lambda r: r.get(), self.workers)


_WORKER_STATE: "AuditState | None" = None


def _init_worker(state: "AuditState") -> None:
    global _WORKER_STATE
    _WORKER_STATE = state


def _worker_batch(paths: list[str]) -> list[Any]:
    from auditor.pipeline import audit_batch

    assert _WORKER_STATE is not None
    return audit_batch(paths, _WORKER_STATE)


def _windowed(work: list[list[str]], submit: Any, result: Any, workers: int) -> Iterator[list[Any]]:
    """Submit ahead up to a window, yield results in order, submitting the next batch as each is taken."""
    pending: deque[Any] = deque()
    todo = iter(work)
    for batch in todo:
        pending.append(submit(batch))
        if len(pending) >= workers * WINDOW_PER_WORKER:
            break
    while pending:
        out = result(pending.popleft())
        nxt = next(todo, None)
        if nxt is not None:
            pending.append(submit(nxt))
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
        from auditor.pipeline import audit_batch

        client, cluster = self._client()
        try:
            self.workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
            # One copy of the compiled checklist per worker, deserialised once there.
            shared = client.scatter(state, broadcast=True)
            submit = lambda batch: client.submit(audit_batch, batch, shared, pure=False)  # noqa: E731
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
