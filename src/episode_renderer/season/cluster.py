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

import ipaddress
import os
import queue as queue_module
import re
import time
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Project
from ..errors import ClusterError, OutputError
from ..export.atomic import atomic_path
from ..export.fileset import file_set
from ..export.paths import disk_error
from ..render import Outputs, load_episode
from .freshness import state_path
from .jobs import Job
from .remote import Collector, Remote, Task, project_bundle, render_remote, sound_bundle, task_data, worker_version
from .results import EpisodeResult, SeasonEvent, SeasonProgress

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


def refuse_stems() -> None:
    """--stems is for local renders: a worker would send the session folder back as one message, and
    it is float WAVs about 90 times the MP3's size (1.9 GB for a 21-minute episode), held in memory on
    the worker, the scheduler's path and the client at once."""
    raise ClusterError("--stems cannot be used with --scheduler: the stems and the session's clips of an episode "
                       "are float WAVs about 90 times the MP3's size, too big to come back from a worker as "
                       "one message.",
                       hint="Leave out --scheduler to render the season here with --stems, or render the "
                            "episodes you need stems of with `episode render EPISODE.md --stems`; nothing was "
                            "rendered.")


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
            versions = client.run(worker_version, callback_timeout=WORKER_TIMEOUT)  # taken by Client.sync
        except Exception as exc:
            raise ClusterError(f"a worker of {address} cannot run episode-renderer ({type(exc).__name__}: "
                               f"{str(exc)[:200]}).",
                               hint=f"Install the same version ({__version__}) on every worker: {INSTALL}."
                               ) from None
        here = worker_version()
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
        files = {sha: client.submit(task_data, data, key=f"episode-file-{sha}", pure=False, retries=RETRIES)
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
    if remote.outcome.status != "rendered":
        return replace(remote.outcome, file=job.episode, number=job.number, title=job.title)
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
        return EpisodeResult(job.episode, "failed", job.number, job.title, seconds=remote.outcome.seconds,
                             error=error.render(), worker=remote.outcome.worker)
    return replace(remote.outcome, file=job.episode)


def _write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
