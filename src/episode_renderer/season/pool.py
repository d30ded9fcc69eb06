"""Rendering a season's stale episodes: one process per episode, longest first, or on a Dask cluster.

Each episode renders in its own process (Piper and the mastering loop are CPU-bound), sharing the
line cache. A failing episode is recorded and the others go on; Ctrl-C and SIGTERM reach every
worker, whose atomic writes remove their temp files, so the same command resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import queue as queue_module
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import Project
from ..errors import ConfigError, EpisodeError, OutputError, ScriptError
from ..export.atomic import sweep, write_text
from ..export.paths import check_writable, season_names
from ..script.numbering import Number, parse_number
from ..signals import TERMINATED_EXIT, Terminated, die_with_parent
from .discovery import Only, find_episodes
from .freshness import fingerprint, is_current, outputs_for, project_fingerprint, read_state, state_path, state_record
from .results import EpisodeResult, SeasonEvent, SeasonProgress


@dataclass(frozen=True)
class Job:
    """What a worker process needs: picklable paths and strings only."""

    episode: Path
    out: Path
    root: Path
    config: dict[str, Path | None]
    files: tuple[str, ...]  # the configuration files the parent loaded, to check the worker loads the same
    cache_dir: Path | None
    digest: str
    events: Any = None  # a Manager queue proxy, or None
    number: Number | None = None
    title: str = ""


def _config_files(project: Project) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) for p in project.files)


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
        return _render_job(job, started)
    except Terminated:  # the temp files are gone (atomic writes unwound); nothing is left to report to
        os._exit(TERMINATED_EXIT)
    finally:
        _RENDERING = False
        signal.signal(signal.SIGINT, previous)


#: Synthesis workers per episode, as `episode render` has: with -j 2 on two cores the two renders
#: share the cores while both run, and the one still running at the end gets both.
EPISODE_WORKERS = 2


def _size(path: Path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _render_job(job: Job, started: float) -> EpisodeResult:
    from ..config import load_project
    from ..render import render_episode

    def send(kind: str, **fields: Any) -> None:
        if job.events is not None:
            try:
                job.events.put(SeasonEvent(kind, job.episode, **fields))
            except Exception:  # a progress line is never worth failing a render for
                pass

    send("start")
    try:
        key = (str(job.root), tuple(sorted((k, str(v)) for k, v in job.config.items())))
        if key not in _PROJECTS:  # once per process: the sound library keeps what it loaded
            _PROJECTS[key] = load_project(job.root, **job.config)
        project = _PROJECTS[key]
        if _config_files(project) != job.files:
            raise ConfigError("a worker process loaded different configuration files than the season.",
                              hint=f"Expected {', '.join(job.files)}; pass them with --cast/--cues/--rules/--show.")
        result = render_episode(job.episode, project, job.out, cache_dir=job.cache_dir, workers=EPISODE_WORKERS,
                                threads=1,
                                progress=lambda done, total, who: send("lines", done=done, total=total, who=who))
        state = json.dumps(state_record(result, job.digest), indent=2) + "\n"
        write_text(state_path(job.out.parent, job.episode.stem), state)  # last: it marks the render complete
        return EpisodeResult(job.episode, "rendered", result.episode.episode_number, result.episode.title,
                             result.duration, time.perf_counter() - started, result.loudness.integrated,
                             warnings=result.episode.warnings)
    except EpisodeError as exc:
        return EpisodeResult(job.episode, "failed", job.number, job.title, seconds=time.perf_counter() - started,
                             error=exc.render())
    except Exception as exc:  # keep the season going; the message names what broke
        return EpisodeResult(job.episode, "failed", job.number, job.title, seconds=time.perf_counter() - started,
                             error=f"{job.episode}: {type(exc).__name__}: {exc}")


def _skipped(path: Path, out_dir: Path) -> EpisodeResult:
    state = read_state(state_path(out_dir, path.stem)) or {}
    return EpisodeResult(path, "skipped", parse_number(state.get("episode_number"))[0], str(state.get("title") or ""),
                         state.get("duration_seconds"), 0.0, state.get("integrated_lufs"))


def plan_season(episodes: Iterable[Path], out_dir: Path, project: Project
                ) -> tuple[list[tuple[Path, str]], list[EpisodeResult]]:
    """Split episodes into (to render, with fingerprint) and already-current (skipped) results."""
    base = project_fingerprint(project)
    todo: list[tuple[Path, str]] = []
    skipped: list[EpisodeResult] = []
    for path in episodes:
        digest = fingerprint(path, project, project_digest=base)
        if is_current(path, out_dir, digest):
            skipped.append(_skipped(path, out_dir))
        else:
            todo.append((path, digest))
    return todo, skipped


def render_season(folder: Path, out_dir: Path, project: Project, *, jobs: int | None = None,
                  include_drafts: bool = False, only: Only | None = None, cache_dir: Path | None = None,
                  on_progress: SeasonProgress | None = None,
                  config: dict[str, Path | None] | None = None,
                  scheduler: str | None = None) -> list[EpisodeResult]:
    """Render every stale episode of ``folder`` into ``out_dir``, ``jobs`` processes at a time.

    ``config`` names the --cast/--cues/--rules/--show files ``project`` was loaded with, so each
    worker loads the same project; ``scheduler`` (a Dask address) renders on that cluster instead
    of local processes. A failing episode is recorded and the others go on. Ctrl-C
    cancels what has not started and re-raises; finished episodes stay (their files are atomic).
    Results come back in episode order.
    """
    from ..render import load_episode

    out_dir = Path(out_dir)
    episodes = find_episodes(folder, include_drafts=include_drafts, only=only)
    if not episodes:
        raise ScriptError("holds no episode files to render.", file=folder,
                          hint="Episodes are .md files whose front matter has `type: episode` or an "
                               "`episode_number` (drafts need --include-drafts; check --only).")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("-o names a file; a season writes into a folder.", file=out_dir,
                          hint="Give a folder (it is created if missing); nothing was rendered.")
    season_names({path: path.stem for path in episodes},
                 extra=[Path(project.show.cover).name] if project.show.cover else [])
    sweep(out_dir)
    todo, skipped = plan_season(episodes, out_dir, project)
    unwritable = check_writable(out_dir) if todo else None
    if unwritable is not None:  # every stale episode fails at once; the caller still shows the table
        why = f"not rendered: {unwritable.file} {unwritable.message}"
        todo, skipped = [], skipped + [EpisodeResult(path, "failed", error=why) for path, _ in todo]
    results: dict[Path, EpisodeResult] = {r.file: r for r in skipped}
    report = on_progress or (lambda _event: None)
    for result in skipped:
        report(SeasonEvent("finish", result.file, result=result))

    jobs_to_run: list[Job] = []
    config = dict(config or {})
    files = _config_files(project)
    for path, digest in todo:
        try:  # a script that cannot be parsed fails here, at once, without a worker
            parsed = load_episode(path, project)
        except EpisodeError as exc:
            results[path] = EpisodeResult(path, "failed", error=exc.render())
            report(SeasonEvent("finish", path, result=results[path]))
            continue
        jobs_to_run.append(Job(path, outputs_for(out_dir, path).mp3, project.root, config, files, cache_dir,
                                digest, number=parsed.episode_number, title=parsed.title))
    if jobs_to_run:
        jobs_to_run.sort(key=lambda job: -_size(job.episode))  # longest first: no long episode left alone at the end
        if scheduler:  # submitted in this order, which Dask keeps as the tasks' priority
            from ..cluster import run_on_cluster
            finished = run_on_cluster(jobs_to_run, project, scheduler, on_progress, config)
        else:
            finished = _run_pool(jobs_to_run, jobs or os.cpu_count() or 1, on_progress)
        for result in finished:
            results[result.file] = result
    return [results[path] for path in episodes if path in results]


def _run_pool(jobs: list[Job], workers: int, on_progress: SeasonProgress | None) -> list[EpisodeResult]:
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
_PROJECTS: dict[tuple, Project] = {}


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
