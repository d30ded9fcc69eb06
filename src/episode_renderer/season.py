"""A whole season: find the episodes in a folder, render the stale ones in parallel, publish.

Each episode renders in its own process (Piper and the mastering loop are CPU-bound), sharing
the line cache. An episode whose inputs have not changed since its last render is skipped: its
fingerprint (script, configuration, sounds, voice, renderer version) is kept beside its MP3 in
``<stem>.render.json``, written atomically after the MP3 and its sidecars, so an interrupted
season resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue as queue_module
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Project
from .errors import ConfigError, EpisodeError, OutputError, ScriptError
from .export.atomic import sweep, write_text
from .export.paths import STATE_SUFFIX, check_writable, season_names
from .script.numbering import Number, episode_number, parse_number
from .script.parser import front_matter
from .signals import TERMINATED_EXIT, Terminated, die_with_parent

if TYPE_CHECKING:
    from .render import RenderResult

_RANGE = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,3})?)\s*(?:-\s*(\d{1,9}(?:\.\d{1,3})?)\s*)?$")


# --- finding episodes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FrontMatter:
    """What the folder scan needs from a script, read without parsing the body."""

    fields: dict[str, Any]
    broken: bool = False  # unreadable or invalid: kept so the render reports it, never dropped
    stem: str = ""  # the file name without .md: its number when the front matter has none

    @property
    def is_episode(self) -> bool:
        return self.broken or str(self.fields.get("type", "")).strip().lower() == "episode" \
            or "episode_number" in self.fields

    @property
    def draft(self) -> bool:
        return self.fields.get("draft") is True or str(self.fields.get("draft", "")).lower() == "true"

    @property
    def number(self) -> Number | None:
        return episode_number(self.fields.get("episode_number"), self.stem, self.stem)[0]


def _as_number(value: Any) -> Number | None:
    return parse_number(value)[0]


def read_front_matter(text: str, stem: str = "") -> FrontMatter:
    """The front matter of a script (YAML ``---`` or TOML ``+++``); ``broken`` if it cannot be read."""
    try:
        meta, _body = front_matter(text.splitlines(), "<scan>")
    except ScriptError:
        # A broken front matter still yields its episode number, so --only can select it.
        found = re.search(r"^\s*episode_number\s*[:=]\s*['\"]?(\d+)", text, re.MULTILINE)
        return FrontMatter({"episode_number": int(found.group(1))} if found else {}, broken=True, stem=stem)
    return FrontMatter(meta, stem=stem)


def _scan(path: Path) -> FrontMatter:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return FrontMatter({}, broken=True, stem=path.stem)
    return read_front_matter(text, path.stem)


def find_episodes(folder: Path, include_drafts: bool = False, only: Only | None = None) -> list[Path]:
    """The episode scripts in ``folder``, by episode number then name.

    An episode is a .md file whose front matter says ``type: episode`` or has an
    ``episode_number``; drafts are left out unless asked for. A file whose front matter cannot be
    read is kept, so the season reports it as failed instead of silently publishing less.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ScriptError("is not a folder.", file=folder, hint="Pass the folder that holds the episode .md files.")
    found: list[tuple[int, str, Path]] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith(("_", ".")) or not path.is_file():
            continue
        meta = _scan(path)
        if not meta.is_episode or (meta.draft and not include_drafts):
            continue
        if only is not None and meta.number not in only:
            continue
        found.append((meta.number if meta.number is not None else 1 << 30, path.name, path))
    return [path for _, _, path in sorted(found)]


#: --only takes at most this many parts; a range costs nothing however wide (it is kept as its ends).
MAX_ONLY_PARTS = 1000


@dataclass(frozen=True)
class Only:
    """Episode numbers as inclusive ranges: ``30-34`` is two numbers, never a set of five (or of 10^8)."""

    ranges: tuple[tuple[float, float], ...]

    def __contains__(self, number: object) -> bool:
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return False
        return any(low <= number <= high for low, high in self.ranges)


def parse_only(text: str) -> Only:
    """Episode numbers from ``"26,30-34,35.5"`` (numbers and inclusive ranges, comma separated)."""
    hint = "Use episode numbers and ranges separated by commas, for example --only 26,30-34."
    parts = text.split(",")
    if len(parts) > MAX_ONLY_PARTS:
        raise ConfigError(f"--only has {len(parts)} parts; the limit is {MAX_ONLY_PARTS}.", hint="Use ranges: 1-50.")
    ranges: list[tuple[float, float]] = []
    for part in parts:
        match = _RANGE.match(part)
        if not match or len(part) > 40:
            raise ConfigError(f"--only: '{part.strip()[:40]}' is not an episode number or a range.", hint=hint)
        low = float(match.group(1))
        high = float(match.group(2)) if match.group(2) else low
        if high < low:
            raise ConfigError(f"--only: the range '{part.strip()}' runs backwards.",
                              hint=f"Write it low to high: {high:g}-{low:g}.")
        ranges.append((low, high))
    return Only(tuple(ranges))


# --- freshness ----------------------------------------------------------------------------------

def _hash_file(digest: Any, path: Path) -> None:
    digest.update(f"\0{path.name}\0".encode())
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        digest.update(b"<missing>")


def voice_identity(project: Project) -> list[str]:
    """Which models speak: for Piper the model file's path and size (hashing 60 MB per run is waste)."""
    from .tts.piper_voice import resolve_model
    from .tts.voices import voice_key

    ids: set[str] = set()
    search = [d for d in (project.cast.voices_dir, Path("voices")) if d is not None]
    for profile in project.cast.characters.values():
        spec = profile.engine
        ident = repr(spec)
        if spec.engine == "piper":
            try:
                model, _config = resolve_model(spec.model, search)
                ident += f"|{model}|{model.stat().st_size}"
            except (EpisodeError, OSError):
                ident += "|unresolved"
        elif spec.engine == "kokoro" and not spec.model_path:
            try:
                ident += "|" + voice_key(spec, project.cast.voices_dir)  # the pinned model and the voice packs
            except EpisodeError:
                ident += "|unresolved"
        else:
            for value in (spec.model_path, spec.config_path, spec.speaker_wav):
                path = Path(value) if value else None
                if path is not None and not path.is_absolute() and project.cast.voices_dir:
                    path = project.cast.voices_dir / path
                if path is not None and path.is_file():
                    ident += f"|{path}|{path.stat().st_size}"
        ids.add(ident)
    return sorted(ids)


def project_fingerprint(project: Project) -> str:
    """Everything besides the script that changes the rendered files."""
    from .sound.library import EXTENSIONS
    from .tts.lines import CACHE_VERSION

    digest = hashlib.sha256(f"renderer={__version__};cache={CACHE_VERSION}".encode())
    for path in project.files:
        _hash_file(digest, Path(path))
    for folder in project.sounds.folders:
        if Path(folder).is_dir():
            for path in sorted(Path(folder).iterdir()):
                if path.suffix.lower() in EXTENSIONS and path.is_file():
                    _hash_file(digest, path)
    if project.show.cover:
        _hash_file(digest, Path(project.show.cover))
    for ident in voice_identity(project):
        digest.update(f"\0voice\0{ident}".encode())
    return digest.hexdigest()


def fingerprint(episode_path: Path, project: Project, *, project_digest: str | None = None) -> str:
    """sha256 of the script and everything it is rendered with (pass ``project_digest`` to reuse it)."""
    digest = hashlib.sha256((project_digest or project_fingerprint(project)).encode())
    _hash_file(digest, Path(episode_path))
    return digest.hexdigest()


def outputs_for(out_dir: Path, episode_path: Path):
    from .render import Outputs

    return Outputs.beside(Path(out_dir) / f"{Path(episode_path).stem}.mp3")


def state_path(out_dir: Path, stem: str) -> Path:
    return Path(out_dir) / f"{stem}{STATE_SUFFIX}"


def read_state(path: Path) -> dict[str, Any] | None:
    """A state file, or None if missing or unreadable (then the episode simply renders again)."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_current(episode_path: Path, out_dir: Path, digest: str) -> bool:
    """True when the MP3 and every sidecar exist and were rendered from exactly these inputs."""
    outputs = outputs_for(out_dir, episode_path)
    if not all(Path(p).is_file() for p in asdict(outputs).values()):
        return False
    state = read_state(state_path(out_dir, Path(episode_path).stem))
    return bool(state) and state.get("fingerprint") == digest


# --- results ------------------------------------------------------------------------------------

@dataclass
class EpisodeResult:
    """One episode's outcome in a season run."""

    file: Path
    status: str  # rendered | skipped | failed
    number: Number | None = None
    title: str = ""
    duration: float | None = None
    seconds: float = 0.0
    lufs: float | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # what the render worked around (no voice, no sound)
    worker: str = ""  # the cluster worker that rendered it; empty for a local render


@dataclass(frozen=True)
class SeasonEvent:
    """Progress from the season to the caller: kind is start, lines or finish."""

    kind: str
    file: Path
    done: int = 0
    total: int = 0
    who: str = ""
    result: EpisodeResult | None = None


SeasonProgress = Callable[[SeasonEvent], None]


@dataclass(frozen=True)
class _Job:
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


def _state(result: RenderResult, digest: str) -> dict[str, Any]:
    episode = result.episode
    return {
        "fingerprint": digest,
        "renderer": __version__,
        "source": Path(episode.source or "").name,
        "title": episode.title,
        "episode_number": episode.episode_number,
        "date": episode.date,
        "description": episode.description,
        "duration_seconds": round(result.duration, 3),
        "integrated_lufs": round(result.loudness.integrated, 2),
        "rendered_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _config_files(project: Project) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) for p in project.files)


def _render_one(job: _Job) -> EpisodeResult:
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


def _render_job(job: _Job, started: float) -> EpisodeResult:
    from .config import load_project
    from .render import render_episode

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
        state = json.dumps(_state(result, job.digest), indent=2) + "\n"
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


# --- the season ---------------------------------------------------------------------------------

def _skipped(path: Path, out_dir: Path) -> EpisodeResult:
    state = read_state(state_path(out_dir, path.stem)) or {}
    return EpisodeResult(path, "skipped", _as_number(state.get("episode_number")), str(state.get("title") or ""),
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
    from .render import load_episode

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

    jobs_to_run: list[_Job] = []
    config = dict(config or {})
    files = _config_files(project)
    for path, digest in todo:
        try:  # a script that cannot be parsed fails here, at once, without a worker
            parsed = load_episode(path, project)
        except EpisodeError as exc:
            results[path] = EpisodeResult(path, "failed", error=exc.render())
            report(SeasonEvent("finish", path, result=results[path]))
            continue
        jobs_to_run.append(_Job(path, outputs_for(out_dir, path).mp3, project.root, config, files, cache_dir,
                                digest, number=parsed.episode_number, title=parsed.title))
    if jobs_to_run:
        jobs_to_run.sort(key=lambda job: -_size(job.episode))  # longest first: no long episode left alone at the end
        if scheduler:  # submitted in this order, which Dask keeps as the tasks' priority
            from .cluster import run_on_cluster
            finished = run_on_cluster(jobs_to_run, project, scheduler, on_progress, config)
        else:
            finished = _run_pool(jobs_to_run, jobs or os.cpu_count() or 1, on_progress)
        for result in finished:
            results[result.file] = result
    return [results[path] for path in episodes if path in results]


def _run_pool(jobs: list[_Job], workers: int, on_progress: SeasonProgress | None) -> list[EpisodeResult]:
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
    pending: dict[Future, _Job] = {}
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


def _outcome(future: Future, job: _Job) -> EpisodeResult:
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


# --- publishing ---------------------------------------------------------------------------------

@dataclass
class Published:
    """One episode as the feed and manifest see it, read back from ``out_dir``."""

    stem: str
    number: Number | None
    title: str
    date: str | None
    description: str | None
    bytes: int
    duration: float
    lufs: float | None
    files: dict[str, str] = field(default_factory=dict)  # mp3, transcript, vtt, srt, chapters: file names


def published_episodes(out_dir: Path, exclude: Iterable[str] = ()) -> list[Published]:
    """Every episode with an MP3 and a state file in ``out_dir``, minus ``exclude`` (stems that failed)."""
    from .render import Outputs

    out_dir = Path(out_dir)
    skip = set(exclude)
    found: list[Published] = []
    for state_file in sorted(out_dir.glob(f"*{STATE_SUFFIX}")):
        stem = state_file.name[: -len(STATE_SUFFIX)]
        outputs = Outputs.beside(out_dir / f"{stem}.mp3")
        state = read_state(state_file)
        if stem in skip or state is None or not outputs.mp3.is_file():
            continue
        found.append(Published(
            stem=stem, number=_as_number(state.get("episode_number")), title=str(state.get("title") or stem),
            date=state.get("date"), description=state.get("description"), bytes=outputs.mp3.stat().st_size,
            duration=float(state.get("duration_seconds") or 0.0), lufs=state.get("integrated_lufs"),
            files={name: Path(path).name for name, path in asdict(outputs).items()
                   if name != "report" and Path(path).is_file()},
        ))
    return found


def publish(out_dir: Path, project: Project, results: Iterable[EpisodeResult] = ()) -> tuple[Path, Path]:
    """Write ``season.json``, ``feed.xml`` and the listen pages for ``out_dir``; failed episodes are left out."""
    from .export.feed import write_feed
    from .export.site import build_site

    failed = {Path(r.file).stem for r in results if r.status == "failed"}
    written = write_feed(Path(out_dir), project.show, published_episodes(out_dir, exclude=failed))
    build_site(Path(out_dir), project)
    return written


def publish_warnings(out_dir: Path, results: Iterable[EpisodeResult] = ()) -> list[str]:
    """What the feed had to decide for the user (episode numbers two episodes share)."""
    from .export.feed import feed_warnings

    failed = {Path(r.file).stem for r in results if r.status == "failed"}
    return feed_warnings(published_episodes(out_dir, exclude=failed))
