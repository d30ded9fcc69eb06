"""The local process pool a season renders on: one spawned process per episode at a time.

Ctrl-C and SIGTERM reach every worker, whose atomic writes remove their temp files, so the same
command resumes where it stopped; workers end with their parent, whatever killed it. Progress
from the workers arrives through a Manager queue.
"""

from __future__ import annotations

import os
import queue as queue_module
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from typing import Any

from ..signals import TERMINATED_EXIT, Terminated, die_with_parent
from .jobs import Job, run_job
from .results import EpisodeResult, SeasonEvent, SeasonProgress


def _render_one(job: Job) -> EpisodeResult:
    """Worker: load the project in this process, render one episode, record its fingerprint."""
    import signal

    global _RENDERING
    started = time.perf_counter()
    if _STOP is not None and _STOP.is_set():
        return EpisodeResult(job.episode, "failed", job.number, job.title, error=f"{job.episode}: cancelled.")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    _RENDERING = True
    try:
        return run_job(job, started)
    except Terminated:  # the temp files are gone (atomic writes unwound); nothing is left to report to
        os._exit(TERMINATED_EXIT)
    finally:
        _RENDERING = False
        signal.signal(signal.SIGINT, previous)


def run_pool(jobs: list[Job], workers: int, on_progress: SeasonProgress | None) -> list[EpisodeResult]:
    """Run jobs in a process pool; progress from the workers arrives through a Manager queue.

    On Ctrl-C (or any error here) the jobs not started are cancelled, running renders are
    interrupted (their atomic writes clean up) and the exception is re-raised.
    """
    import multiprocessing
    from multiprocessing.managers import SyncManager

    context = multiprocessing.get_context("spawn")  # fork would copy the parent's threads and locks
    manager: SyncManager | None = None
    if on_progress:
        manager = SyncManager(ctx=context)
        manager.start(_init_manager, (os.getpid(),))  # it must outlive a Ctrl-C to carry the last messages
    events = manager.Queue() if manager else None
    stop = context.Event()
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=context,
                               initializer=_init_worker, initargs=(stop, os.getpid()))
    pending: dict[Future, Job] = {}
    finished: list[EpisodeResult] = []
    try:
        pending = {pool.submit(_render_one, replace(job, events=events)): job for job in jobs}
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(events, on_progress)
            for future in done:
                job = pending.pop(future)
                result = _outcome(future, job)
                finished.append(result)
                if on_progress:
                    on_progress(SeasonEvent("finish", job.episode, result=result))
        pool.shutdown(wait=True)
    except Terminated:
        _terminate(pool, stop, [f for f in pending if not f.done()])
        raise
    except BaseException:
        _stop(pool, stop, [f for f in pending if not f.done()])
        raise
    finally:
        if manager is not None:
            manager.shutdown()
    return finished


def _stop(pool: ProcessPoolExecutor, stop: Any, pending: list[Future]) -> None:
    """Cancel queued jobs and let running renders end (Ctrl-C reached them too); interrupt stragglers."""
    import signal

    stop.set()  # a job a worker already fetched returns at once
    for future in pending:
        future.cancel()
    _, still = wait(pending, timeout=3.0)
    if still:  # the Ctrl-C reached only this process (kill -INT): pass it on
        _signal_workers(pool, signal.SIGINT)
        wait(still, timeout=30.0)
    pool.shutdown(wait=False, cancel_futures=True)


def _signal_workers(pool: ProcessPoolExecutor, signum: int) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.kill(process.pid, signum)
        except (OSError, AttributeError):
            pass


def _terminate(pool: ProcessPoolExecutor, stop: Any, pending: list[Future]) -> None:
    """SIGTERM reached the season: pass it to every worker now (each removes its temp files and exits)."""
    import signal

    stop.set()
    for future in pending:
        future.cancel()
    _signal_workers(pool, signal.SIGTERM)
    wait(pending, timeout=10.0)
    pool.shutdown(wait=False, cancel_futures=True)


_STOP: Any = None
_RENDERING = False


def _ignore_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _init_manager(parent: int) -> None:
    _ignore_sigint()
    die_with_parent(parent)


def _worker_sigterm(signum: int, frame: Any) -> None:
    """Mid-render, unwind (atomic writes remove their temp files); idle, just exit."""
    if _RENDERING:
        raise Terminated("SIGTERM")
    os._exit(TERMINATED_EXIT)


def _init_worker(stop: Any, parent: int) -> None:
    """Workers ignore Ctrl-C while idle (no tracebacks); _render_one lets it interrupt a render.

    They end with their parent, whatever killed it (SIGTERM, SIGKILL, a crash), instead of
    rendering the rest of the season as orphans.
    """
    import signal

    global _STOP
    _STOP = stop
    _ignore_sigint()
    signal.signal(signal.SIGTERM, _worker_sigterm)
    die_with_parent(parent)


def _outcome(future: Future, job: Job) -> EpisodeResult:
    """The worker's result; a crashed worker (killed, out of memory) is this episode's failure."""
    try:
        return future.result()
    except Exception as exc:
        return EpisodeResult(job.episode, "failed", job.number, job.title,
                             error=f"{job.episode}: the render process died ({type(exc).__name__}: {exc}).")


def _drain(events: Any, on_progress: SeasonProgress | None) -> None:
    if events is None or on_progress is None:
        return
    while True:
        try:
            event = events.get_nowait()
        except (queue_module.Empty, EOFError, OSError):
            return
        on_progress(event)
