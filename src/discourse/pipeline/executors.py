"""Where per-file and per-passage work runs: in this process, in local worker processes,
or on a Dask cluster. Each executor offers `imap(fn, items)`, yielding results in input
order with a bounded number of tasks in flight; the single store writer stays in the
calling process, so results are the same whichever executor computed them.

Work sent to Dask must be importable by the workers (module-level functions of
`discourse`) and the input paths must be readable from them (a shared filesystem when the
cluster spans machines).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator

__all__ = ["DaskExecutor", "LocalExecutor", "make_executor"]

logger = logging.getLogger(__name__)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


class LocalExecutor:
    """`workers` = 1: run in this process. More: a pool of forked processes (started before
    the store or any thread exists, by `ingest`), used for parsing."""

    name = "local"
    distributed = False

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool = None

    def start_pool(self) -> None:
        if self.workers > 1 and self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.workers, initializer=_ignore_sigint)

    def imap(self, fn: Callable, items: Iterable) -> Iterator:
        return self._pool.imap(fn, items, chunksize=1) if self._pool else map(fn, items)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


class DaskExecutor:
    """Tasks on Dask distributed: the cluster at `scheduler`, or a `LocalCluster` of
    `workers` single-threaded processes when no address is given."""

    name = "dask"
    distributed = True

    def __init__(self, workers: int = 2, scheduler: str | None = None) -> None:
        from distributed import Client, LocalCluster

        self.workers = workers
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="20s")
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.WARNING)
            self.client = Client(self.cluster)
        self.in_flight = max(2, 2 * len(self.client.scheduler_info().get("workers", {})) or 2 * workers)

    def start_pool(self) -> None:
        pass

    def imap(self, fn: Callable, items: Iterable) -> Iterator:
        window: collections.deque = collections.deque()
        for item in items:
            window.append(self.client.submit(fn, item, pure=False))
            if len(window) >= self.in_flight:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextlib.contextmanager
def make_executor(section) -> Iterator[LocalExecutor | DaskExecutor]:
    """The executor a pipeline's `[pipeline]` section (executor, workers, scheduler) asks for."""
    executor = (DaskExecutor(section.workers, section.scheduler) if section.executor == "dask"
                else LocalExecutor(section.workers))
    try:
        yield executor
    finally:
        executor.close()
