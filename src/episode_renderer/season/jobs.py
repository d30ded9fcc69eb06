"""One episode of a season rendered: what a local worker process is given (a picklable Job), and
``render_job``, the render both transports run.

The local pool (``pool``) calls ``run_job``, which loads the project once per process, checks it
is the files the season loaded, and writes the state file last, so it marks a complete render. A
cluster worker (``remote``) lays the project out in a folder of its own and calls the same
``render_job``, with the same synthesis workers and threads: only the files move differently.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Project, load_project
from ..errors import ConfigError, EpisodeError
from ..export.atomic import write_text
from ..render import Progress, RenderResult, render_episode
from ..script.numbering import Number
from .freshness import state_path, state_record
from .results import EpisodeResult, SeasonEvent


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
    stems: bool = False  # --stems: the session folder beside the MP3 too


def config_files(project: Project) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) for p in project.files)


#: Synthesis workers per episode, as `episode render` has: with -j 2 on two cores the two renders
#: share the cores while both run, and the one still running at the end gets both.
EPISODE_WORKERS = 2


@dataclass(frozen=True)
class Rendered:
    """One episode rendered, and the text of its state file, to be written after every other file."""

    result: RenderResult
    state: str


def render_job(script: Path, project: Project, out: Path, *, cache_dir: Path | None, digest: str,
               progress: Progress | None = None, stems: bool = False,
               stage: Callable[[str], None] | None = None) -> Rendered:
    """Render one episode of a season: the one render the local pool, a cluster's workers and the
    studio all run, so a season's files are the same bytes wherever it ran."""
    result = render_episode(script, project, out, cache_dir=cache_dir, workers=EPISODE_WORKERS, threads=1,
                            cores=EPISODE_WORKERS, progress=progress, stage=stage, stems=stems)
    return Rendered(result, json.dumps(state_record(result, digest), indent=2) + "\n")


def outcome(episode: Path, result: RenderResult, seconds: float, *, warnings: list[str] | None = None,
            worker: str = "") -> EpisodeResult:
    """A rendered episode as the season reports it, wherever it was rendered."""
    return EpisodeResult(episode, "rendered", result.episode.episode_number, result.episode.title, result.duration,
                         seconds, result.loudness.integrated,
                         warnings=result.episode.warnings if warnings is None else warnings, worker=worker)


def run_job(job: Job, started: float) -> EpisodeResult:
    """Render ``job``'s episode in this process and write its state file; failures are results."""

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
        if config_files(project) != job.files:
            raise ConfigError("a worker process loaded different configuration files than the season.",
                              hint=f"Expected {', '.join(job.files)}; pass them with --cast/--cues/--rules/--show.")
        rendered = render_job(job.episode, project, job.out, cache_dir=job.cache_dir, digest=job.digest,
                              progress=lambda done, total, who: send("lines", done=done, total=total, who=who),
                              stems=job.stems)
        result = rendered.result
        write_text(state_path(job.out.parent, job.episode.stem), rendered.state)  # last: it marks the render complete
        return outcome(job.episode, result, time.perf_counter() - started)
    except EpisodeError as exc:
        return EpisodeResult(job.episode, "failed", job.number, job.title, seconds=time.perf_counter() - started,
                             error=exc.render())
    except Exception as exc:  # keep the season going; the message names what broke
        return EpisodeResult(job.episode, "failed", job.number, job.title, seconds=time.perf_counter() - started,
                             error=f"{job.episode}: {type(exc).__name__}: {exc}")


_PROJECTS: dict[tuple, Project] = {}
