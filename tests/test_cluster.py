"""A season on a real Dask cluster (a scheduler and two workers on 127.0.0.1): the same bytes as a local render.

Each worker gets its own line cache and project folder, as separate machines would. Files that
legitimately differ between two renders are compared without their timing fields:
``<stem>.render.json`` without ``rendered_at`` (the wall clock at the end of the render) and
``<stem>.report.json`` without ``render_seconds``, ``lines_from_cache`` and ``lines_synthesized``
(how long it took and what that machine's line cache already held). Everything else, the MP3s,
transcripts, captions, chapters, ``season.json`` and ``feed.xml`` included, must match byte for byte.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

TIMING_FIELDS = {".render.json": {"rendered_at"},
                 ".report.json": {"render_seconds", "lines_from_cache", "lines_synthesized"}}

EPISODES = {
    "ep-01-lamps.md": """---
title: "Lamps"
date: 2026-02-03T09:00:00-05:00
type: "episode"
episode_number: 1
description: "Why is the lamp on?"
---

**[Human]:** *Who left the lamp on?*

{{< dialogue char="Kai" >}}
*soft chime*

It was me. I like the glow.
{{< /dialogue >}}
""",
    "ep-02-maps.md": """---
title: "Maps"
date: 2026-02-10
episode_number: 2
---

**[Human]:** *Can you draw a map?*

{{< dialogue char="Vector" >}}
*Gets excited*

Only of the kitchen!
{{< /dialogue >}}
""",
    "ep-03-clocks.md": """---
title: "Clocks"
date: 2026-02-17T09:00:00Z
type: episode
episode_number: 3
---

{{< dialogue char="Recurse" >}}
The clock in the hall is four minutes fast, and the one in the kitchen is two minutes slow.
{{< /dialogue >}}

**[Human]:** *So which one do we believe?*

{{< dialogue char="Kai" >}}
*WHIRR*

Neither. I keep my own time, and I am never late for anything that matters.
{{< /dialogue >}}

{{< dialogue char="Recurse" >}}
*Pauses*

Then the question is what matters, and who decided it.
{{< /dialogue >}}
""",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dask() -> str:
    beside = Path(sys.executable).with_name("dask")
    return str(beside) if beside.is_file() else "dask"


def _episode(*args: str) -> list[str]:
    return [sys.executable, "-m", "episode_renderer.cli", *args]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", **extra}


class Cluster:
    """A scheduler and workers started as processes of their own; only these are ever stopped."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.processes: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        logs = folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        port = self.address.rsplit(":", 1)[1]
        self._start([_dask(), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                    logs / "scheduler.log", _env())
        for index in range(workers):
            name = f"w{index}"
            home = folder / name  # a machine of its own: its line cache and rebuilt projects
            home.mkdir(exist_ok=True)
            self.workers[name] = self._start(
                [_dask(), "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--memory-limit", "0", "--name", name],
                logs / f"{name}.log", _env(XDG_CACHE_HOME=str(home / "cache"), EPISODE_CLUSTER_DIR=str(home / "files")),
                cwd=home)
        with distributed.Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)

    def _start(self, command: list[str], log: Path, env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen:
        with open(log, "wb") as handle:
            process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                       start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture
def cluster(tmp_path):
    running = Cluster(tmp_path / "cluster")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster-season") / "episodes"
    folder.mkdir()
    for name, text in EPISODES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def local_render(season, tmp_path_factory):
    """The reference: the same season in the local process pool, with a line cache of its own."""
    out = tmp_path_factory.mktemp("local") / "out"
    run = subprocess.run(_episode("season", str(season), "-o", str(out), "-j", "2", "--cache-dir",
                                  str(out.parent / "cache")), capture_output=True, text=True, env=_env(), timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def _comparable(path: Path) -> bytes:
    for suffix, fields in TIMING_FIELDS.items():
        if path.name.endswith(suffix):
            data = json.loads(path.read_text("utf-8"))
            assert fields <= set(data), f"{path.name} no longer has {fields - set(data)}"
            return json.dumps({k: v for k, v in data.items() if k not in fields}, sort_keys=True).encode()
    return path.read_bytes()


def assert_same_files(local: Path, remote: Path) -> None:
    names = sorted(p.name for p in local.iterdir())
    assert names == sorted(p.name for p in remote.iterdir())
    assert len([n for n in names if n.endswith(".mp3")]) == len(EPISODES)
    different = [n for n in names if _comparable(local / n) != _comparable(remote / n)]
    assert not different, f"differ from the local render: {different}"


def test_cluster_render_is_byte_identical_and_resumes(cluster, season, local_render, tmp_path):
    out = tmp_path / "out"
    run = subprocess.run(_episode("season", str(season), "-o", str(out), "--scheduler", cluster.address),
                         capture_output=True, text=True, env=_env(), timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert_same_files(local_render, out)
    assert "worker" in run.stdout and ("w0" in run.stdout or "w1" in run.stdout), run.stdout
    assert "3 rendered" in run.stdout

    again = subprocess.run(_episode("season", str(season), "-o", str(out), "--scheduler", cluster.address),
                           capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 rendered, 3 skipped" in again.stdout


def test_worker_killed_mid_episode_is_retried_elsewhere(cluster, season, local_render, tmp_path):
    out = tmp_path / "out"
    render = subprocess.Popen(_episode("season", str(season), "-o", str(out), "--scheduler", cluster.address),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=_env(EPISODE_PROGRESS="lines"))
    victim = None
    try:
        with distributed.Client(cluster.address, timeout=30, set_as_default=False) as client:
            pids = client.run(os.getpid)
            executing = lambda dask_worker: [str(task.key) for task in dask_worker.state.executing]  # noqa: E731
            # (a lambda travels by value; a function of this test module would need it on the workers)
            for line in render.stderr:  # into the episode: a line synthesized and more to come, as reported
                done = re.search(r"ep-03-clocks\.md: synthesized (\d+)/(\d+) lines", line)
                if done and int(done[1]) < int(done[2]):
                    break
            busy = [w for w, keys in client.run(executing).items() if any("ep-03-clocks" in k for k in keys)]
            if busy:
                ours = {p.pid: name for name, p in cluster.workers.items()}
                victim = ours[pids[busy[0]]]
                os.kill(pids[busy[0]], signal.SIGKILL)
        stdout, stderr = render.communicate(timeout=600)
    finally:
        if render.poll() is None:
            render.kill()
            render.wait()
    assert victim is not None, "the long episode never started on a worker"
    assert render.returncode == 0, stdout + stderr
    survivor = next(name for name in cluster.workers if name != victim)
    row = next(line for line in stdout.splitlines() if "ep-03-clocks" in line)
    assert survivor in row and "rendered" in row, stdout
    assert_same_files(local_render, out)


def test_closed_port_is_one_clear_error(season, tmp_path):
    started = time.monotonic()
    run = subprocess.run(_episode("season", str(season), "-o", str(tmp_path / "out"), "--scheduler",
                                  f"tcp://127.0.0.1:{_free_port()}"), capture_output=True, text=True, env=_env(),
                         timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "cannot reach the Dask scheduler" in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - started < 60
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.mp3"))


def test_scheduler_without_distributed_names_the_extra(season, tmp_path):
    hide = ("import sys; sys.modules['distributed'] = None; from episode_renderer.cli import app; "
            "sys.argv[0] = 'episode'; app()")
    run = subprocess.run([sys.executable, "-c", hide, "season", str(season), "-o", str(tmp_path / "out"),
                          "--scheduler", "tcp://127.0.0.1:8786"], capture_output=True, text=True, env=_env(),
                         timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "pip install 'episode-renderer[cluster]'" in run.stderr.replace("\n", " ")


def test_bundle_carries_config_voices_and_moves_absolute_paths(tmp_path):
    """What a worker gets: every configuration file, the voice files the cast names, none of the package's own."""
    from episode_renderer.season.remote import Collector, project_bundle
    from episode_renderer.config import load_project

    elsewhere = tmp_path / "elsewhere" / "myvoice.onnx"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"not really a model")
    elsewhere.with_name("myvoice.onnx.json").write_text("{}")
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "local.onnx").write_bytes(b"nor this")
    (voices / "local.onnx.json").write_text("{}")
    (voices / "lexicon.toml").write_text('[words]\nRAG = "rag"\n')
    cast = voices / "cast.toml"
    cast.write_text(f'[defaults]\nengine = "piper"\nmodel = "joe"\n\n[characters.Kai]\nmodel = "{elsewhere}"\n\n'
                    '[characters.Vector]\nmodel = "local"\n\n'
                    '[characters.Recurse]\nengine = "kokoro"\nvoice = "0.5*bm_george + 0.5*am_adam"\n', "utf-8")
    project = load_project(tmp_path, cast=cast)
    store = Collector()
    bundle, roles, renames = project_bundle(project, store)
    files = dict(bundle.files)

    assert {"voices/cast.toml", "voices/lexicon.toml", "sfx/cues.toml", "voices/local.onnx",
            "voices/local.onnx.json", "voices/kokoro/bm_george.bin", "voices/kokoro/am_adam.bin"} <= set(files)
    moved = [rel for rel in files if rel.startswith("voices/_files/") and rel.endswith("/myvoice.onnx")]
    assert len(moved) == 1 and moved[0].replace(".onnx", ".onnx.json") in files
    sent_cast = store.blobs[files["voices/cast.toml"]].decode()
    assert str(elsewhere) not in sent_cast and moved[0].removeprefix("voices/") in sent_cast
    assert not any("joe" in rel for rel in files)  # the bundled voice comes from pip on the worker
    assert roles["cast"] == "voices/cast.toml" and renames["voices/cast.toml"] == str(cast)


def test_error_on_a_worker_reads_as_it_does_locally(cluster, season, tmp_path):
    """An EpisodeError raised on a worker names the client's files, as the same render here would."""
    project = tmp_path / "project"
    (project / "voices").mkdir(parents=True)
    (project / "sfx").mkdir()
    (project / "voices" / "cast.toml").write_text("[defaults]\n", "utf-8")  # marks the project root
    (project / "show.toml").write_text('[show]\nname = "Broken"\n\n[sound]\nintro = "broken"\n', "utf-8")
    (project / "sfx" / "broken.wav").write_bytes(b"RIFF, but not a sound")
    failures = []
    for where in (["-j", "1"], ["--scheduler", cluster.address]):
        run = subprocess.run(_episode("season", str(season), "-o", str(tmp_path / where[0].strip("-")), "--only", "1",
                                      *where), capture_output=True, text=True, env=_env(), cwd=project, timeout=300)
        assert run.returncode == 1, run.stdout + run.stderr
        failures.append(" ".join(line for line in run.stderr.replace("\n", " ").split("failed:")[1:]).strip())
    local, remote = failures
    assert "cannot read this sound file" in remote and str(project / "sfx" / "broken.wav") in remote
    assert remote == local


def test_ctrl_c_cancels_the_cluster_work_and_leaves_out_resumable(cluster, season, local_render, tmp_path):
    out = tmp_path / "out"
    command = _episode("season", str(season), "-o", str(out), "--scheduler", cluster.address)
    render = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        with distributed.Client(cluster.address, timeout=30, set_as_default=False) as client:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and render.poll() is None:
                if any(any("ep-03-clocks" in str(k) for k in keys) for keys in client.processing().values()):
                    break
                time.sleep(0.1)
            render.send_signal(signal.SIGINT)
            stdout, stderr = render.communicate(timeout=60)
            assert render.returncode == 130, stdout + stderr
            running = lambda dask_worker: len(dask_worker.active_threads)  # noqa: E731 (travels by value)
            idle = time.monotonic() + 30  # the cancelled render stops at its next line
            while time.monotonic() < idle and (any(client.processing().values()) or any(client.run(running).values())):
                time.sleep(0.2)
            assert not any(client.processing().values()) and not any(client.run(running).values())
    finally:
        if render.poll() is None:
            render.kill()
            render.wait()
    assert not out.exists() or not list(out.glob(".*partial*"))
    again = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert_same_files(local_render, out)


KOKORO_EPISODES = {
    "ep-10-garden.md": """---
title: "The Garden Robot"
date: 2026-03-03
episode_number: 10
---

{{< dialogue char="Recurse" >}}
Somebody watered the tomatoes at three in the morning, and the hose was put back exactly where it was.
Nothing else in the shed was moved, not even the bucket with the broken handle.
{{< /dialogue >}}

**[Human]:** *Did you check the sprinkler timer?*

{{< dialogue char="Kai" >}}
*laughs*

The timer has been off since April. I switched it off myself, because it kept soaking the path.
{{< /dialogue >}}

{{< dialogue char="Vector" >}}
*Gets excited*

Then it was a night gardener! A tiny one, with very careful hands and a great love of tomatoes!
{{< /dialogue >}}

{{< dialogue char="Recurse" >}}
*sighs*

Or the neighbour's robot mower, which has learned to open gates, follows the wall by the roses,
and stops at every tap it passes because its maker thought that would be charming.
{{< /dialogue >}}

{{< dialogue char="Bounce" >}}
*whispering*

I saw it once. It hummed a little song while it worked, and it bowed to the moon before it left.
{{< /dialogue >}}

{{< dialogue char="Kai" >}}
*sadly*

And nobody thought to thank it. Tomorrow I will leave a note on the gate, in large friendly letters.
{{< /dialogue >}}

{{< dialogue char="Narrator" >}}
The note was written that evening, folded twice, and tied to the gate with green garden string.
By morning it was gone, and in its place stood one small, perfectly ripe tomato.
{{< /dialogue >}}
""",
    "ep-11-kettle.md": """---
title: "The Kettle"
date: 2026-03-10
episode_number: 11
---

**[Human]:** *Is the kettle broken again?*

{{< dialogue char="Kai" >}}
*shouting*

It is not broken! It is thinking about tea!
{{< /dialogue >}}
""",
}


def test_kokoro_season_on_two_workers_is_the_local_season_byte_for_byte(tmp_path):
    """The default cast, acting included, on a real scheduler with two workers: the same bytes as a
    local season, though the workers master on one core and the local render on two (an episode
    longer than a mastering piece)."""
    folder = tmp_path / "episodes"
    folder.mkdir()
    for name, text in KOKORO_EPISODES.items():
        (folder / name).write_text(text, encoding="utf-8")
    cast = str(Path(__file__).resolve().parents[1] / "voices" / "cast.toml")
    local = tmp_path / "local"
    run = subprocess.run(_episode("season", str(folder), "-o", str(local), "--cast", cast, "--cache-dir",
                                  str(tmp_path / "cache")), capture_output=True, text=True, env=_env(), timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((local / "ep-10-garden.report.json").read_text("utf-8"))
    assert report["duration_seconds"] > 60, report["duration_seconds"]
    running = Cluster(tmp_path / "cluster")
    try:
        remote = tmp_path / "remote"
        run = subprocess.run(_episode("season", str(folder), "-o", str(remote), "--cast", cast, "--scheduler",
                                      running.address), capture_output=True, text=True, env=_env(), timeout=900)
        assert run.returncode == 0, run.stdout + run.stderr
    finally:
        running.stop()
    names = sorted(p.name for p in local.iterdir())
    assert names == sorted(p.name for p in remote.iterdir())
    assert len([n for n in names if n.endswith(".mp3")]) == len(KOKORO_EPISODES)
    different = [n for n in names if _comparable(local / n) != _comparable(remote / n)]
    assert not different, f"differ from the local render: {different}"
