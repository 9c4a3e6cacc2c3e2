"""Query worker processes: each holds the graph open and answers one job at a time.

pyoxigraph cannot interrupt a running query from another thread, so a query that runs past the
time limit is stopped by ending its process; a new worker takes its place while the others go on
answering. Jobs and answers cross a pipe (pickled); the workers render the answer's bytes, so the
server's event loop only passes them on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from kg_build.errors import KgError
from kg_build.serve.answer import Answer, error
from kg_build.serve.config import ServeConfig

log = logging.getLogger("kg_build.serve")
START_SECONDS = 300.0
"""How long a worker may take to open the graph before the server gives up on it."""


class WorkerFailed(KgError):
    """A worker could not open the graph (the message says why)."""


def _serve(conn: Connection, config: ServeConfig) -> None:
    """The body of a worker process: open the graph, then answer jobs until told to stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    from kg_build.serve import handlers

    try:
        backend = handlers.Backend(config)
    except KgError as exc:
        conn.send(("failed", str(exc)))
        return
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(handlers.handle(backend, job))


class Worker:
    """One worker process and its end of the pipe."""

    def __init__(self, config: ServeConfig) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, config), daemon=True, name="ntrk-kg-query")
        self.process.start()
        child.close()

    def wait_ready(self) -> None:
        """Block until the worker has opened the graph; ``WorkerFailed`` if it could not."""
        if not self.conn.poll(START_SECONDS):
            self.kill()
            raise WorkerFailed(f"a query worker did not open the graph within {START_SECONDS:.0f} s")
        try:
            status, message = self.conn.recv()
        except (EOFError, OSError):
            status, message = "failed", f"the query worker stopped (exit status {self.process.exitcode})"
        if status != "ready":
            self.kill()
            raise WorkerFailed(message)

    def call(self, job: tuple[Any, ...], timeout: float) -> Answer | None:
        """The worker's answer to ``job``, or ``None`` if it took longer than ``timeout`` (the worker is then ended)."""
        self.conn.send(job)
        if self.conn.poll(timeout):
            return self.conn.recv()
        self.kill()
        return None

    async def ask(self, job: tuple[Any, ...], timeout: float) -> Answer | None:
        """``call`` without a thread: the event loop waits for the worker's pipe to have the answer."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = self.conn.fileno()
        self.conn.send(job)

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, readable)
        try:
            await asyncio.wait_for(ready, timeout)
        except asyncio.TimeoutError:
            loop.remove_reader(fd)
            self.kill()
            return None
        except BaseException:
            loop.remove_reader(fd)
            raise
        loop.remove_reader(fd)
        return self.conn.recv()

    def kill(self) -> None:
        """End the process at once and reap it."""
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask the worker to finish, then end it if it does not."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.kill()


class WorkerPool:
    """``size`` workers; ``run`` hands a job to an idle one and waits at most ``config.timeout``."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.size = max(1, config.workers)
        self.executor = ThreadPoolExecutor(max_workers=self.size + 2, thread_name_prefix="ntrk-kg-query")
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.stopped = 0
        """How many workers were ended for running past the time limit (or dying)."""

    def _start_one(self) -> Worker:
        worker = Worker(self.config)
        worker.wait_ready()
        return worker

    async def start(self) -> None:
        """Start every worker; ``WorkerFailed`` if one cannot open the graph."""
        loop = asyncio.get_running_loop()
        started = await asyncio.gather(*(loop.run_in_executor(self.executor, self._start_one) for _ in range(self.size)),
                                       return_exceptions=True)
        failures = [s for s in started if isinstance(s, BaseException)]
        for s in started:
            if isinstance(s, Worker):
                self.workers.add(s)
                self.idle.put_nowait(s)
        if failures:
            await self.stop()
            raise failures[0]

    async def _replace(self, worker: Worker) -> None:
        self.workers.discard(worker)
        self.stopped += 1
        loop = asyncio.get_running_loop()
        try:
            fresh = await loop.run_in_executor(self.executor, self._start_one)
        except WorkerFailed as exc:
            log.error("a query worker could not be restarted: %s", exc)
            return
        self.workers.add(fresh)
        self.idle.put_nowait(fresh)

    async def run(self, job: tuple[Any, ...]) -> Answer:
        """The answer to ``job``; a 503 answer when it ran past the time limit, or found no worker free
        within it (waiting and running are timed apart, so a queue never shortens a query's time)."""
        timeout = self.config.timeout
        try:
            worker = await asyncio.wait_for(self.idle.get(), timeout)
        except asyncio.TimeoutError:
            return error(503, f"every query worker stayed busy for {timeout:g} s; try again later",
                         (("Retry-After", "5"),))
        try:
            answer = await worker.ask(job, timeout)
        except asyncio.CancelledError:
            # the request was abandoned mid-query: the worker's answer would be read by the next
            # job, so the worker is ended and replaced
            worker.kill()
            asyncio.ensure_future(self._replace(worker))
            raise
        except (EOFError, OSError, BrokenPipeError):
            worker.kill()
            asyncio.ensure_future(self._replace(worker))
            return error(500, "the query worker stopped while answering (out of memory?); the server started another")
        if answer is None:
            asyncio.ensure_future(self._replace(worker))
            return error(503, f"the query ran longer than this server's limit of {timeout:g} s and was stopped")
        self.idle.put_nowait(worker)
        return answer

    async def stop(self) -> None:
        """Stop every worker."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self.executor, w.stop) for w in list(self.workers)))
        self.workers.clear()
        self.executor.shutdown(wait=False)
