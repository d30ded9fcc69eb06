"""One episode rendered by a worker: what a worker is given (a picklable Job) and what it does with it.

The project is loaded once per worker process and checked to be the files the season loaded; the
state file is written last, so it marks a complete render. Local processes (``pool``) and cluster
workers (``cluster``) both run ``run_job``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Project
from ..errors import ConfigError, EpisodeError
from ..export.atomic import write_text
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


def config_files(project: Project) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) for p in project.files)


#: Synthesis workers per episode, as `episode render` has: with -j 2 on two cores the two renders
#: share the cores while both run, and the one still running at the end gets both.
EPISODE_WORKERS = 2


def run_job(job: Job, started: float) -> EpisodeResult:
    """Render ``job``'s episode in this process and write its state file; failures are results."""
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
        if config_files(project) != job.files:
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


_PROJECTS: dict[tuple, Project] = {}
