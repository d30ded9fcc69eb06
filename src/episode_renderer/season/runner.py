"""A season run: which episodes are stale, then their renders on local processes or a Dask cluster.

A script that cannot be parsed fails here, at once, without a worker; the rest are sent longest
first, so no long episode is left alone at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..config import Project
from ..errors import EpisodeError, ScriptError
from ..export.atomic import sweep
from ..export.paths import check_folder, check_writable, season_names
from ..script.numbering import parse_number
from .discovery import Only, find_episodes
from .freshness import fingerprint, is_current, outputs_for, project_fingerprint, read_state, state_path
from .jobs import Job, config_files
from .pool import run_pool
from .results import EpisodeResult, SeasonEvent, SeasonProgress


def _size(path: Path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _skipped(path: Path, out_dir: Path) -> EpisodeResult:
    state = read_state(state_path(out_dir, path.stem)) or {}
    return EpisodeResult(path, "skipped", parse_number(state.get("episode_number"))[0], str(state.get("title") or ""),
                         state.get("duration_seconds"), 0.0, state.get("integrated_lufs"))


def plan_season(episodes: Iterable[Path], out_dir: Path, project: Project, stems: bool = False
                ) -> tuple[list[tuple[Path, str]], list[EpisodeResult]]:
    """Split episodes into (to render, with fingerprint) and already-current (skipped) results."""
    base = project_fingerprint(project)
    todo: list[tuple[Path, str]] = []
    skipped: list[EpisodeResult] = []
    for path in episodes:
        digest = fingerprint(path, project, project_digest=base)
        if is_current(path, out_dir, digest, stems):
            skipped.append(_skipped(path, out_dir))
        else:
            todo.append((path, digest))
    return todo, skipped


def render_season(folder: Path, out_dir: Path, project: Project, *, jobs: int | None = None,
                  include_drafts: bool = False, only: Only | None = None, cache_dir: Path | None = None,
                  on_progress: SeasonProgress | None = None,
                  config: dict[str, Path | None] | None = None,
                  scheduler: str | None = None, stems: bool = False) -> list[EpisodeResult]:
    """Render every stale episode of ``folder`` into ``out_dir``, ``jobs`` processes at a time.

    ``config`` names the --cast/--cues/--rules/--show files ``project`` was loaded with, so each
    worker loads the same project; ``scheduler`` (a Dask address) renders on that cluster instead
    of local processes; ``stems`` writes each episode's session folder too (not on a cluster). A
    failing episode is recorded and the others go on. Ctrl-C cancels what has not started and
    re-raises; finished episodes stay (their files are atomic).
    Results come back in episode order.
    """
    from ..render import load_episode

    if stems and scheduler:
        from .cluster import refuse_stems

        refuse_stems()
    out_dir = Path(out_dir)
    episodes = find_episodes(folder, include_drafts=include_drafts, only=only)
    if not episodes:
        raise ScriptError("holds no episode files to render.", file=folder,
                          hint="Episodes are .md files whose front matter has `type: episode` or an "
                               "`episode_number` (drafts need --include-drafts; check --only).")
    check_folder(out_dir, "a season")
    season_names({path: path.stem for path in episodes},
                 extra=[Path(project.show.cover).name] if project.show.cover else [])
    sweep(out_dir)
    todo, skipped = plan_season(episodes, out_dir, project, stems)
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
    files = config_files(project)
    for path, digest in todo:
        try:  # a script that cannot be parsed fails here, at once, without a worker
            parsed = load_episode(path, project)
        except Exception as exc:  # one episode's script never stops the others
            why = exc.render() if isinstance(exc, EpisodeError) else f"{path}: {type(exc).__name__}: {exc}"
            results[path] = EpisodeResult(path, "failed", error=why)
            report(SeasonEvent("finish", path, result=results[path]))
            continue
        jobs_to_run.append(Job(path, outputs_for(out_dir, path).mp3, project.root, config, files, cache_dir,
                                digest, number=parsed.episode_number, title=parsed.title, stems=stems))
    if jobs_to_run:
        jobs_to_run.sort(key=lambda job: -_size(job.episode))  # longest first: no long episode left alone at the end
        if scheduler:  # submitted in this order, which Dask keeps as the tasks' priority
            from .cluster import run_on_cluster
            finished = run_on_cluster(jobs_to_run, project, scheduler, on_progress)
        else:
            finished = run_pool(jobs_to_run, jobs or os.cpu_count() or 1, on_progress)
        for result in finished:
            results[result.file] = result
    return [results[path] for path in episodes if path in results]


