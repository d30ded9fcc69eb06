"""What a Dask worker needs for one episode and what it does with it: the project's files and an
episode's sounds as bundles keyed by their sha256, rebuilt in a folder of the worker's own, then the
same render a local season runs (``jobs.render_job``); the finished files go back as bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..config import Project, load_project
from ..errors import ClusterError, EpisodeError
from ..render import Outputs, Progress, sounds_needed
from ..script.model import Episode
from ..sound.library import SoundLibrary
from ..takes import find_takes
from ..tts.cache import default_cache_dir
from .jobs import outcome, render_job
from .results import EpisodeResult

# --- what a worker needs ------------------------------------------------------------------------

@dataclass(frozen=True)
class Bundle:
    """Files laid out by relative path with their sha256; the project's, or one episode's sounds."""

    files: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.files).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Task:
    """One episode for a worker: text and hashes; the files travel as tasks of their own, once per worker."""

    name: str  # the script's file name, kept so the render's sidecars name it as a local render does
    source: str  # the script's path on the client, written where the render records its source
    script: str
    project: Bundle
    sounds: Bundle
    roles: tuple[tuple[str, str], ...]  # cast, cues, rules, show, lexicon, cover -> relative path in the project
    mp3_name: str
    digest: str
    use_cache: bool
    topic: str
    renames: tuple[tuple[str, str], ...] = ()  # relative path on the worker -> client path, for errors


@dataclass
class Remote:
    """A worker's answer: the episode's outcome as the season reports it, and the finished files as
    bytes (by output role) with the state file's, when it rendered."""

    outcome: EpisodeResult
    files: dict[str, bytes] = field(default_factory=dict)
    state: bytes = b""


class Collector:
    """Files read once on the client and named by their sha256."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self._read: dict[Path, str] = {}

    def add(self, path: Path) -> str:
        path = Path(path).resolve()
        if path not in self._read:
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            self.blobs.setdefault(sha, data)
            self._read[path] = sha
        return self._read[path]


def cast_voice_files(project: Project) -> tuple[list[tuple[str, Path]], str]:
    """Voice files the cast uses that are not part of the installed package, and the cast's text.

    A relative path in the cast keeps its place beside the cast; an absolute one is moved under
    ``_files/`` and the cast's text is pointed there.
    """
    from ..tts.kokoro import parse_blend, voice_files
    from ..tts.piper_voice import BUNDLED, resolve_model
    from ..tts.voice_files import VoiceFiles

    voices_dir = project.cast.voices_dir
    files = VoiceFiles(voices_dir)
    cast_text = Path(project.cast.source).read_text("utf-8")
    placed: dict[str, Path] = {}

    def place(value: str, found: Path, companions: Iterable[Path] = ()) -> None:
        nonlocal cast_text
        given = Path(value)
        if not given.is_absolute() and ".." not in given.parts and given.name in (found.name, found.stem):
            folder = given.parent
        else:
            digest = hashlib.sha256(str(found.resolve()).encode()).hexdigest()[:12]
            folder = Path("_files") / digest
            new = (folder / found.name).as_posix()
            replaced = False
            for quote in ('"', "'"):
                if f"{quote}{value}{quote}" in cast_text:
                    cast_text = cast_text.replace(f"{quote}{value}{quote}", f"{quote}{new}{quote}")
                    replaced = True
            if not replaced:
                raise ClusterError(f"the cast names the voice file {value!r} in a way that cannot be moved "
                                   "to a worker.", file=project.cast.source,
                                   hint="Write the path as a plain quoted string, or put the file beside the cast "
                                        "and give its relative path.")
        for path in (found, *companions):
            placed[(folder / path.name).as_posix()] = path

    donors = [a.acting.prosody for a in (*project.cast.deliveries.values(), *project.cast.blocks.values(),
                                          *(a for own in project.cast.own_deliveries.values() for a in own.values()))
              if a.acting.prosody]
    for profile in project.cast.characters.values():
        spec = profile.engine
        if spec.engine == "kokoro":
            packs = voice_files(files.kokoro_dirs)
            names = []
            for blend in (spec.voice or "", *donors):  # the voice and every delivery's donors
                try:
                    names += [name for _weight, name in parse_blend(blend)]
                except ValueError:
                    continue
            for name in names:
                if name in packs:
                    placed[f"kokoro/{name}.bin"] = packs[name]
        if spec.engine == "piper" and spec.model not in (BUNDLED, "en_US-joe-medium"):
            model, config = resolve_model(spec.model, files.search)
            place(spec.model, model, [config])
        for value in (spec.model_path, spec.config_path, spec.speaker_wav):
            if value:
                found = Path(files.local(value) or value)
                if found.is_file():
                    place(value, found)
    return sorted(placed.items()), cast_text


def project_bundle(project: Project, store: Collector) -> tuple[Bundle, dict[str, str], dict[str, str]]:
    """The project's layout for a worker: (bundle, role -> relative path, relative path -> client path)."""
    roles = project.roles
    voice_files, cast_text = cast_voice_files(project)
    places = {"cast": f"voices/{roles['cast'].name}", "lexicon": "voices/lexicon.toml", "cues": "sfx/cues.toml",
              "rules": "directions.toml", "show": "show.toml"}
    if "cover" in roles:  # where show.toml names it: inside the project folder, as config.check_cover makes sure
        places["cover"] = roles["cover"].relative_to(Path(project.root).resolve()).as_posix()
    files: dict[str, str] = {}
    renames: dict[str, str] = {}
    for role, path in roles.items():
        if role == "cast":
            data = cast_text.encode("utf-8")
            sha = hashlib.sha256(data).hexdigest()
            store.blobs.setdefault(sha, data)
        else:
            sha = store.add(path)
        files[places[role]] = sha
        renames[places[role]] = str(path)
    for rel, path in voice_files:
        files[f"voices/{rel}"] = store.add(path)
        renames[f"voices/{rel}"] = str(path)
    return Bundle(tuple(sorted(files.items()))), {role: places[role] for role in roles}, renames


def sound_bundle(episode: Episode, project: Project, store: Collector) -> tuple[Bundle, dict[str, str]]:
    """The sounds this episode's render loads, laid out under ``sfx/``, and its takes under ``takes/``, with
    their client paths."""
    files: dict[str, str] = {}
    renames: dict[str, str] = {}
    for name in sorted(sounds_needed(episode, project)):
        path = project.sounds.path(name)
        if path is not None:
            files[f"sfx/{path.name}"] = store.add(path)
            renames[f"sfx/{path.name}"] = str(path)
    script = Path(episode.source or "")
    found = find_takes(episode, script, project)
    for index, path in found.files.items():  # beside the script on the worker, where its render looks for them
        rel = f"takes/{script.stem}/{found.ids[index]}{Path(path).suffix.lower()}"
        files[rel] = store.add(path)
        renames[rel] = str(path)
    return Bundle(tuple(sorted(files.items()))), renames


# --- the worker side ----------------------------------------------------------------------------

def _worker_root() -> Path:
    """Where a worker keeps the projects it has rebuilt (one folder per set of file hashes)."""
    base = os.environ.get("EPISODE_CLUSTER_DIR") or Path(tempfile.gettempdir()) / f"episode-renderer-{os.getuid()}"
    return Path(base) / "projects"


def _lay_out(bundle: Bundle, blobs: dict[str, bytes], folder: Path) -> None:
    for rel, sha in bundle.files:
        data = blobs[sha]
        if hashlib.sha256(data).hexdigest() != sha:
            raise ClusterError(f"{rel} arrived damaged on this worker (hash mismatch).",
                               hint="Run the season again; if it repeats, check the network to this worker.")
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _project_folder(bundle: Bundle, blobs: dict[str, bytes]) -> Path:
    """The rebuilt project, made once per worker machine and shared by its worker processes."""
    folder = _worker_root() / bundle.key
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{bundle.key}."))
    try:
        _lay_out(bundle, blobs, building)
        os.rename(building, folder)
    except OSError:
        if not folder.is_dir():
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


def _worker_name() -> str:
    from distributed import get_worker

    worker = get_worker()
    address = str(worker.address).removeprefix("tcp://")
    name = worker.name
    return str(name) if isinstance(name, str) and name and not name.startswith("tcp://") else address


def render_remote(task: Task, blobs: dict[str, bytes]) -> Remote:
    """Runs on a worker: render one episode (``render_task``), reporting its progress to the client.

    An EpisodeError is an answer (the same error would come back on any worker), so it is
    returned; anything else is raised for the scheduler to retry.
    """
    from distributed import get_worker
    from distributed.worker import thread_state

    who = _worker_name()
    worker = get_worker()
    key = getattr(thread_state, "key", None)
    last = [0.0]

    def wanted() -> bool:
        state = worker.state.tasks.get(key) if key is not None else None
        return state is None or state.state not in ("cancelled", "released", "forgotten")

    def send(kind: str, **fields: Any) -> None:
        try:
            worker.log_event(task.topic, {"kind": kind, "source": task.source, "who": who, **fields})
        except Exception:  # progress is never worth failing a render for
            pass

    def lines(done: int, total: int, speaker: str) -> None:
        if not wanted():  # the client cancelled the season: free this worker instead of finishing
            raise Cancelled()
        now = time.monotonic()
        if done == total or now - last[0] > 0.25:
            last[0] = now
            send("lines", done=done, total=total, speaker=speaker)

    send("start")
    return render_task(task, blobs, who, lines)


def render_task(task: Task, blobs: dict[str, bytes], who: str, progress: Progress) -> Remote:
    """Rebuild the project and the episode's sounds in local folders, render the episode with
    ``render_job`` as the local pool does, and return its files as bytes; an EpisodeError is returned."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="episode-") as tmp:
        here = Path(tmp)
        script = here / task.name
        script.write_text(task.script, encoding="utf-8")
        root: Path | None = None
        try:
            root = _project_folder(task.project, blobs)
            _lay_out(task.sounds, blobs, here)
            roles = dict(task.roles)
            project = load_project(root, **{role: root / roles[role] if role in roles else None
                                            for role in ("cast", "cues", "rules", "show")})
            project.sounds = SoundLibrary([here / "sfx"])
            project.show.takes_folder, project.show.takes_lines = None, {}  # its takes came with its sounds
            out = here / "out" / task.mp3_name
            rendered = render_job(script, project, out, cache_dir=default_cache_dir() if task.use_cache else None,
                                  digest=task.digest, progress=progress)
            result = rendered.result
            files = {role: Path(path).read_bytes() for role, path in asdict(Outputs.beside(out)).items()}
            report = json.loads(files["report"])
            report["episode"] = task.source  # where the client's render would have read it from
            files["report"] = (json.dumps(report, indent=2) + "\n").encode("utf-8")
            warnings = [_as_on_client(w, task, script, (root, here)) for w in result.episode.warnings]
            return Remote(outcome(Path(task.source), result, time.perf_counter() - started, warnings=warnings,
                                  worker=who), files, rendered.state.encode("utf-8"))
        except EpisodeError as exc:
            return Remote(EpisodeResult(Path(task.source), "failed", seconds=time.perf_counter() - started,
                                        error=_as_on_client(exc.render(), task, script, (root, here)), worker=who))


def _as_on_client(text: str, task: Task, script: Path, folders: tuple[Path | None, ...]) -> str:
    """A worker's message with the client's paths: the script's, and every file's it was sent (a take, a sound)."""
    text = text.replace(str(script), task.source)
    for rel, client in sorted(task.renames, key=lambda item: -len(item[0])):
        for folder in folders:
            if folder is not None:
                text = text.replace(str(folder / rel), client)
    return text


def task_data(data: bytes) -> bytes:
    """A file as a task rather than scattered data: if the one worker holding it dies, the
    scheduler still has it and hands it to another, instead of failing every episode that needs it."""
    return data


class Cancelled(Exception):
    """Raised inside a render whose task the client cancelled; nobody receives it."""


def worker_version() -> str:
    from ..hashing import renderer_identity

    return renderer_identity()


