"""A season's stale episodes rendered as Dask tasks on a cluster, with no shared filesystem.

The client plans as a local season does (discovery, fingerprints, resume) and parses each script
itself, so a script error never costs a worker. What a worker needs crosses the network as bytes:
the script's text, the project's configuration files, and the sound and voice files they use,
each sent to the scheduler once as a small task keyed by its sha256 (Dask then moves it to a
worker at most once, and can recompute it if the worker holding it dies). The worker rebuilds the
project in a local folder keyed by those hashes, renders with the local season's own function
(``season.jobs.render_job``) and its own line cache, and returns the finished files, which the
client writes atomically into the output folder, the state file last, exactly as a local render
would have left them. Which files a worker needs is known without rendering: the project records
each file's role, and ``render.sounds_needed`` names the sounds an episode's render loads.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import queue as queue_module
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import Project, load_project
from .errors import ClusterError, EpisodeError, OutputError
from .export.atomic import atomic_path
from .export.fileset import file_set
from .export.paths import disk_error
from .render import Outputs, Progress, load_episode, sounds_needed
from .script.model import Episode
from .season.freshness import state_path
from .season.jobs import Job, render_job
from .season.results import EpisodeResult, SeasonEvent, SeasonProgress
from .sound.library import SoundLibrary
from .tts.cache import default_cache_dir

INSTALL = "pip install 'episode-renderer[cluster]'"
#: Seconds to reach the scheduler: long enough for a slow network, short enough for a typo.
CONNECT_TIMEOUT = 5.0
#: Seconds to wait for a scheduler without workers to get one, and for its workers to say their version.
WORKER_TIMEOUT = 60.0
#: Protocols a Dask scheduler listens on for clients on other machines.
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
#: Re-runs of an episode whose task raised something unexpected (a worker that dies is rescheduled
#: by the scheduler itself, up to its ``allowed-failures``).
RETRIES = 2


@dataclass
class Transfer:
    """Bytes that crossed the network in the last cluster run: sent to the cluster and returned from it."""

    sent: int = 0
    received: int = 0
    episodes: int = 0

    @property
    def per_episode(self) -> float:
        return (self.sent + self.received) / self.episodes if self.episodes else 0.0


LAST_TRANSFER = Transfer()


def require_distributed() -> None:
    """Fail before any planning when ``distributed`` is missing: the install command is the fix."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ClusterError("--scheduler renders on a Dask cluster, which needs the `distributed` package; "
                           "it is not installed.",
                           hint=f"Run `{INSTALL}` here and on every worker machine, or leave out --scheduler "
                                "to render on this machine.") from None


def scheduler_address(text: str) -> str:
    """``text`` as a Dask address (``tcp://`` when it names no protocol), checked before anything is done.

    Dask itself fails on a malformed address only once it tries to connect, and then prints a
    traceback from its client's destructor seconds later; an empty one would mean no cluster at all.
    """
    given = text.strip()
    scheme, sep, rest = given.partition("://")
    if not sep:
        scheme, rest = "tcp", given
    scheme = scheme.lower()
    why = None
    if not given:
        why = "it is empty"
    elif scheme not in SCHEMES:
        why = f"{scheme}:// is not a protocol a Dask scheduler listens on ({', '.join(SCHEMES)})"
    else:
        host, colon, port = rest.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            try:
                ipaddress.IPv6Address(host[1:-1])
            except ValueError:
                host = ""
        if not colon or not port:
            why = "it has no port (the scheduler's default is 8786)"
        elif not port.isdigit() or not 0 < int(port) < 65536:
            why = f"{port!r} is not a port number (1 to 65535)"
        elif not host:
            why = "it names no host"
        elif not (host.startswith("[") or _HOST.fullmatch(host)):
            why = f"{host!r} is not a host name or IP address"
        else:
            return f"{scheme}://{host}:{int(port)}"
    raise ClusterError(f"--scheduler {text!r} is not a Dask scheduler's address: {why}.",
                       hint="Give the address the scheduler prints (`Scheduler at: tcp://HOST:8786`), or leave "
                            "out --scheduler to render on this machine.")


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
    """A worker's answer: the finished files as bytes (by output role), or the error."""

    status: str
    worker: str
    files: dict[str, bytes] = field(default_factory=dict)
    state: bytes = b""
    number: int | None = None
    title: str = ""
    duration: float | None = None
    seconds: float = 0.0
    lufs: float | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


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


def _voice_files(project: Project) -> tuple[list[tuple[str, Path]], str]:
    """Voice files the cast uses that are not part of the installed package, and the cast's text.

    A relative path in the cast keeps its place beside the cast; an absolute one is moved under
    ``_files/`` and the cast's text is pointed there.
    """
    from .tts.kokoro import parse_blend, voice_files
    from .tts.piper_voice import BUNDLED, resolve_model
    from .tts.voice_files import VoiceFiles

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
    voice_files, cast_text = _voice_files(project)
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
    """The sounds this episode's render loads, laid out under ``sfx/``, with their client paths."""
    files: dict[str, str] = {}
    renames: dict[str, str] = {}
    for name in sorted(sounds_needed(episode, project)):
        path = project.sounds.path(name)
        if path is not None:
            files[f"sfx/{path.name}"] = store.add(path)
            renames[f"sfx/{path.name}"] = str(path)
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
            raise _Cancelled()
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
            out = here / "out" / task.mp3_name
            rendered = render_job(script, project, out, cache_dir=default_cache_dir() if task.use_cache else None,
                                  digest=task.digest, progress=progress)
            result = rendered.result
            files = {role: Path(path).read_bytes() for role, path in asdict(Outputs.beside(out)).items()}
            report = json.loads(files["report"])
            report["episode"] = task.source  # where the client's render would have read it from
            files["report"] = (json.dumps(report, indent=2) + "\n").encode("utf-8")
            return Remote("rendered", who, files, rendered.state.encode("utf-8"), result.episode.episode_number,
                          result.episode.title, result.duration, time.perf_counter() - started,
                          result.loudness.integrated,
                          warnings=[w.replace(str(script), task.source) for w in result.episode.warnings])
        except EpisodeError as exc:
            text = exc.render().replace(str(script), task.source)
            for rel, client in sorted(task.renames, key=lambda item: -len(item[0])):
                for folder in (root, here):
                    if folder is not None:
                        text = text.replace(str(folder / rel), client)
            return Remote("failed", who, seconds=time.perf_counter() - started, error=text)


def _file(data: bytes) -> bytes:
    """A file as a task rather than scattered data: if the one worker holding it dies, the
    scheduler still has it and hands it to another, instead of failing every episode that needs it."""
    return data


class _Cancelled(Exception):
    """Raised inside a render whose task the client cancelled; nobody receives it."""


def _worker_version() -> str:
    from .hashing import renderer_identity

    return renderer_identity()


# --- the client side ----------------------------------------------------------------------------

def _discard(client: Any) -> None:
    """Close a client now, whatever state it is in: left to its destructor, a client that never
    connected waits 10 s at exit and prints a traceback."""
    try:
        client.close(timeout=CONNECT_TIMEOUT)
    except Exception:
        pass
    client.status = "closed"


def _handshake(address: str) -> None:
    """Reach the scheduler and greet it, both within CONNECT_TIMEOUT, or raise OSError saying which failed.

    Dask bounds the TCP connection but not the answer to its greeting, so a server that accepts and
    never answers would hang its Client for ever.
    """
    import asyncio
    import socket

    from distributed.comm import connect as dask_connect

    scheme, _, rest = address.partition("://")
    host, _, port = rest.rpartition(":")

    async def greet() -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONNECT_TIMEOUT
        if scheme != "ucx":  # the others run over TCP: first see whether anything listens there at all
            try:
                _reader, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)),
                                                         CONNECT_TIMEOUT)
            except socket.gaierror:
                raise OSError(f"no host is known by the name {host}") from None
            except TimeoutError:
                raise OSError("nothing answered") from None
            except OSError as exc:
                raise OSError(os.strerror(exc.errno).lower() if exc.errno else str(exc)) from None
            writer.close()
        try:
            comm = await asyncio.wait_for(dask_connect(address, timeout=CONNECT_TIMEOUT),
                                          max(deadline - loop.time(), 0.5))
        except TimeoutError:
            raise OSError("something accepted the connection but never answered as a Dask scheduler does") from None
        except OSError:
            raise
        except Exception:  # bytes that are not Dask's protocol: a web server, a proxy
            raise OSError("something answered, but not as a Dask scheduler does") from None
        await comm.close()

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(greet())
    finally:
        loop.close()  # without waiting for a name lookup that outlived its bound


def connect(address: str) -> Any:
    """A Client for ``address`` with workers that run this version of episode-renderer; every wait is bounded."""
    require_distributed()
    from distributed import Client

    address = scheduler_address(address)
    try:
        _handshake(address)
        client = Client.__new__(Client)  # built in two steps, so a failed start can still be closed at once
        try:
            client.__init__(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except BaseException:
            _discard(client)
            raise
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "timed out" in reason.lower():
            reason = "nothing answered"
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT:.0f} s "
                           f"({reason[:200]}).",
                           hint="Check the address and port (the scheduler prints it as `Scheduler at: "
                                "tcp://HOST:8786`), that `dask scheduler` is running there and that no "
                                "firewall blocks the port.") from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except Exception:
            raise ClusterError(f"the Dask scheduler at {address} has no workers (waited {WORKER_TIMEOUT:.0f} s).",
                               hint=f"Start some: `dask worker {address} --nthreads 1 --nworkers N` on each "
                                    f"machine, with `{INSTALL}` installed there.") from None
        try:
            versions = client.run(_worker_version, callback_timeout=WORKER_TIMEOUT)  # taken by Client.sync
        except Exception as exc:
            raise ClusterError(f"a worker of {address} cannot run episode-renderer ({type(exc).__name__}: "
                               f"{str(exc)[:200]}).",
                               hint=f"Install the same version ({__version__}) on every worker: {INSTALL}."
                               ) from None
        here = _worker_version()
        wrong = {w: v for w, v in versions.items() if v != here}
        if wrong:
            listed = ", ".join(f"{w} has {v}" for w, v in sorted(wrong.items()))
            raise ClusterError(f"workers run another version of episode-renderer than this one ({here}): "
                               f"{listed}.", hint="Install the same version everywhere, or the outputs would "
                                                  "differ from a local render.")
    except BaseException:
        _discard(client)
        raise
    return client


def run_on_cluster(jobs: list[Job], project: Project, scheduler: str, on_progress: SeasonProgress | None
                   ) -> list[EpisodeResult]:
    """Render ``jobs`` on the cluster at ``scheduler``; the outputs land in each job's folder.

    Ctrl-C cancels every task of this season on the cluster and re-raises; episodes already
    written stay (atomic files, state last), so the same command resumes.
    """
    global LAST_TRANSFER
    topic = f"episode-season-{uuid.uuid4().hex[:12]}"
    tasks, store = season_tasks(jobs, project, topic)
    transfer = Transfer(episodes=len(jobs))
    LAST_TRANSFER = transfer
    report = on_progress or (lambda _event: None)
    client = connect(scheduler)
    events: queue_module.Queue = queue_module.Queue()
    pending: dict[Any, Job] = {}
    finished: list[EpisodeResult] = []
    try:
        client.subscribe_topic(topic, events.put)
        files = {sha: client.submit(_file, data, key=f"episode-file-{sha}", pure=False, retries=RETRIES)
                 for sha, data in store.blobs.items()}
        transfer.sent += sum(len(d) for d in store.blobs.values())
        for job, task in tasks:
            needed = {sha for _rel, sha in task.project.files + task.sounds.files}
            transfer.sent += len(task.script.encode("utf-8"))
            future = client.submit(render_remote, task, {sha: files[sha] for sha in needed},
                                   key=f"episode-{Path(task.name).stem}-{topic}", retries=RETRIES, pure=False)
            pending[future] = job
        by_source = {str(job.episode): job for job in jobs}
        while pending:
            _drain(events, by_source, report)
            done = [f for f in pending if f.done()]
            if not done:
                time.sleep(0.1)
                continue
            for future in done:
                job = pending.pop(future)
                result = _collect(future, job, transfer)
                finished.append(result)
                _drain(events, by_source, report)
                report(SeasonEvent("finish", job.episode, result=result))
    except BaseException:
        if pending:
            try:
                client.cancel(list(pending), force=True)
            except Exception:
                pass
        raise
    finally:
        try:
            client.unsubscribe_topic(topic)
        except Exception:
            pass
        client.close(timeout=5)
    return finished


def season_tasks(jobs: list[Job], project: Project, topic: str) -> tuple[list[tuple[Job, Task]], Collector]:
    """Each job as a Task, with the files the tasks need read once into the returned Collector."""
    store = Collector()
    bundle, roles, renames = project_bundle(project, store)
    tasks: list[tuple[Job, Task]] = []
    for job in jobs:
        episode = load_episode(job.episode, project)
        text = Path(job.episode).read_bytes().decode("utf-8-sig")
        sounds, sound_renames = sound_bundle(episode, project, store)
        tasks.append((job, Task(job.episode.name, str(job.episode), text, bundle, sounds,
                                tuple(sorted(roles.items())), Path(job.out).name, job.digest,
                                job.cache_dir is not None, topic, tuple(sorted({**renames, **sound_renames}.items())))))
    return tasks, store


def _drain(events: queue_module.Queue, by_source: dict[str, Job], report: SeasonProgress) -> None:
    while True:
        try:
            _when, message = events.get_nowait()
        except queue_module.Empty:
            return
        job = by_source.get(str(message.get("source")))
        if job is None:
            continue
        if message.get("kind") == "start":
            report(SeasonEvent("start", job.episode, who=str(message.get("who", ""))))
        elif message.get("kind") == "lines":
            report(SeasonEvent("lines", job.episode, done=int(message.get("done", 0)),
                               total=int(message.get("total", 0)), who=str(message.get("speaker", ""))))


def _collect(future: Any, job: Job, transfer: Transfer) -> EpisodeResult:
    """Write a finished episode's files (the state file last), or turn its failure into a result."""
    try:
        remote: Remote = future.result()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        name = type(exc).__name__
        why = ("its worker died every time it was tried" if name == "KilledWorker"
               else f"{name}: {str(exc)[:300]}")
        return EpisodeResult(job.episode, "failed", job.number, job.title,
                             error=f"{job.episode}: the render failed on the cluster ({why}).")
    if remote.status != "rendered":
        return EpisodeResult(job.episode, "failed", job.number, job.title, seconds=remote.seconds,
                             error=remote.error, worker=remote.worker)
    outputs = asdict(Outputs.beside(Path(job.out)))
    folder = Path(job.out).parent
    try:
        with file_set([Path(outputs[role]) for role in remote.files]) as temps:  # all new, or all as they were
            for role, data in remote.files.items():
                temps[Path(outputs[role])].write_bytes(data)
                transfer.received += len(data)
        _write_bytes(state_path(folder, Path(job.episode).stem), remote.state)
        transfer.received += len(remote.state)
    except (OSError, OutputError) as exc:  # a full or vanished output folder: this episode fails, no state file
        error = exc if isinstance(exc, OutputError) else (
            disk_error(exc, folder) or OutputError(f"cannot be written ({exc.strerror or exc}).", file=folder))
        return EpisodeResult(job.episode, "failed", job.number, job.title, seconds=remote.seconds,
                             error=error.render(), worker=remote.worker)
    return EpisodeResult(job.episode, "rendered", remote.number, remote.title, remote.duration, remote.seconds,
                         remote.lufs, warnings=remote.warnings, worker=remote.worker)


def _write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
