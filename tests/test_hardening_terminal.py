"""Issue 22, classes 5 and 6: the terminal never decides how a command ends, and a cluster address
is checked before anything while every wait on the cluster is bounded.

These run the real CLI in a subprocess: the guarded streams are set up where the process starts.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from episode_renderer.cli import app

runner = CliRunner()
SHORT = FIXTURES / "short.md"

# Our own text, with characters an ASCII or Latin-1 stream cannot carry.
WIDE = """---
title: "Caf\u00e9 \u2026 \u65e5\u672c \U0001F642"
date: 2026-03-04
type: episode
episode_number: 3
---

{{< dialogue char="Kai" >}}
*hums a caf\u00e9 tune\u2026*

The caf\u00e9 opens at nine \u2014 or so the sign says\u2026
{{< /dialogue >}}

**[Human]:** *Is the \u65e5\u672c sign right? \U0001F642*
"""


def _episode(*args: str) -> list[str]:
    return [sys.executable, "-m", "episode_renderer.cli", *args]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120", **kwargs.pop("env", {})}
    return subprocess.run(_episode(*args), capture_output=kwargs.pop("capture_output", True), env=env, timeout=300,
                          **kwargs)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lines")


def _season(tmp_path: Path) -> Path:
    folder = tmp_path / "eps"
    folder.mkdir()
    (folder / "ep-1.md").write_text(SHORT.read_text().replace("episode_number: 12", "episode_number: 1"))
    return folder


def _published(out: Path) -> None:
    for name in ("ep-1.mp3", "ep-1.render.json", "season.json", "feed.xml", "index.html", "ep-1.html"):
        assert (out / name).is_file(), f"{name} missing: {sorted(p.name for p in out.iterdir())}"


def _broken_pipe() -> int:
    """The write end of a pipe whose reader has already gone, as `| true` leaves it."""
    read, write = os.pipe()
    os.close(read)
    return write


# --- class 5: the terminal ----------------------------------------------------------------------

@pytest.mark.parametrize("streams", ["stdout", "stdout and stderr"])
@pytest.mark.slow  # `episode` in a child process behind a pipe or a closed stream
def test_season_into_a_reader_that_left_still_publishes(tmp_path, cache, streams):
    """`episode season DIR -o OUT | true`: every episode rendered, the season published, exit 0."""
    folder, out = _season(tmp_path), tmp_path / "out"
    pipe = _broken_pipe()
    try:
        run = _run(["season", str(folder), "-o", str(out), "-j", "1", "--cache-dir", str(cache)],
                   capture_output=False, stdout=pipe,
                   stderr=pipe if streams == "stdout and stderr" else subprocess.PIPE,
                   env={"EPISODE_PROGRESS": "lines"})
    finally:
        os.close(pipe)
    assert run.returncode == 0, run.stderr
    assert not run.stderr or b"Traceback" not in run.stderr
    _published(out)


@pytest.mark.slow  # `episode` in a child process behind a pipe or a closed stream
def test_season_with_stdout_closed_still_publishes(tmp_path, cache):
    """`>&-` before a season: the files are its result, so it renders and publishes them, exit 0."""
    folder, out = _season(tmp_path), tmp_path / "out"
    run = _run(["season", str(folder), "-o", str(out), "-j", "1", "--cache-dir", str(cache)], text=True,
               preexec_fn=lambda: os.close(1))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    _published(out)
    assert not list(out.glob("*partial*"))


@pytest.mark.parametrize("args", [["script", "--json"], ["script"], ["check"], ["cues", "--json"]])
@pytest.mark.slow  # `episode` in a child process behind a pipe or a closed stream
def test_a_command_whose_result_is_printed_refuses_a_closed_stdout(tmp_path, args):
    """`episode script --json x.md >&-`: one clear error on stderr, exit 2, no traceback."""
    episode = tmp_path / "wide.md"
    episode.write_text(WIDE, "utf-8")
    run = _run([*args, str(episode)], text=True, preexec_fn=lambda: os.close(1))
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "standard output is closed" in run.stderr and f"episode {args[0]}" in run.stderr
    assert run.stderr.count("error:") == 1


@pytest.mark.slow  # `episode` in a child process behind a pipe or a closed stream
def test_a_file_written_after_stdout_was_closed_never_takes_its_place(tmp_path, cache):
    """With fd 1 closed, the first file a render opens would get fd 1 and catch whatever a child
    process prints; it is held by /dev/null instead, and the render's files are intact."""
    out = tmp_path / "out" / "ep.mp3"
    run = _run(["render", str(SHORT), "-o", str(out), "--cache-dir", str(cache)], text=True,
               preexec_fn=lambda: os.close(1))
    assert run.returncode == 0, run.stderr
    reference = tmp_path / "ref" / "ep.mp3"
    again = _run(["render", str(SHORT), "-o", str(reference), "--cache-dir", str(cache)], text=True)
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == reference.read_bytes()


NARROW = {
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "C locale": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                 "PYTHONIOENCODING": ""},
}


@pytest.mark.parametrize("encoding", sorted(NARROW))
@pytest.mark.parametrize("args", [["check"], ["script"], ["script", "--json"], ["cues", "--json"], ["cues"],
                                  ["check", "--json"]])
@pytest.mark.slow  # `episode` in a child process behind a pipe or a closed stream
def test_a_narrow_stdout_escapes_what_it_cannot_carry(tmp_path, encoding, args):
    """Characters an ASCII or Latin-1 stdout lacks are escaped, never a crash; JSON stays the same JSON."""
    # a table shows the file's name too; JSON compares paths, which the C locale reads as other characters
    episode = tmp_path / ("wide.md" if "--json" in args else "caf\u00e9-\u65e5\u672c.md")
    episode.write_text(WIDE, "utf-8")
    narrow = _run([*args, str(episode)], env=NARROW[encoding])
    assert narrow.returncode == 0, narrow.stderr.decode(errors="replace")
    assert b"Traceback" not in narrow.stderr and b"UnicodeEncodeError" not in narrow.stderr
    assert narrow.stdout.strip()
    if encoding != "latin-1":
        assert max(narrow.stdout) < 128
    if "--json" in args:
        wide = _run([*args, str(episode)], env={"PYTHONIOENCODING": "utf-8"})
        assert json.loads(narrow.stdout.decode("latin-1")) == json.loads(wide.stdout.decode("utf-8"))
    elif args == ["script"]:
        assert b"caf" in narrow.stdout and (b"\\xe9" in narrow.stdout or "é".encode("latin-1") in narrow.stdout)


@pytest.mark.slow  # `episode` in a child process behind a pipe or a closed stream
def test_a_reader_that_leaves_early_does_not_change_the_exit_code(tmp_path):
    """`episode check DIR | head -1`: the verdict is the work's, not the pipe's."""
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\n\nHello.\n", "utf-8")
    (tmp_path / "wide.md").write_text(WIDE, "utf-8")
    codes = []
    for stdout in ("pipe", "broken"):
        pipe = _broken_pipe() if stdout == "broken" else subprocess.PIPE
        try:
            run = _run(["check", str(tmp_path)], capture_output=False, stdout=pipe, stderr=subprocess.PIPE)
        finally:
            if stdout == "broken":
                os.close(pipe)
        assert b"Traceback" not in run.stderr and b"BrokenPipe" not in run.stderr, run.stderr
        codes.append(run.returncode)
    assert codes == [1, 1]  # the broken script, whoever reads


# --- class 6: the cluster address and its waits -------------------------------------------------

@pytest.mark.parametrize(("address", "why"), [
    ("", "it is empty"),
    ("   ", "it is empty"),
    ("http://", "http:// is not a protocol"),
    ("file:///tmp/scheduler", "file:// is not a protocol"),
    ("localhost", "it has no port"),
    ("tcp://127.0.0.1", "it has no port"),
    ("tcp://127.0.0.1:0", "is not a port number"),
    ("tcp://127.0.0.1:99999", "is not a port number"),
    ("tcp://:8786", "it names no host"),
    ("tcp://exa mple:8786", "is not a host name"),
    ("tcp://[nope]:8786", "it names no host"),
])
def test_a_malformed_scheduler_is_refused_before_anything(tmp_path, address, why):
    folder, out = _season(tmp_path), tmp_path / "out"
    result = runner.invoke(app, ["season", str(folder), "-o", str(out), "--scheduler", address])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.count("error:") == 1
    text = " ".join(result.output.split())
    assert why in text and "Scheduler at: tcp://HOST:8786" in text
    assert not out.exists()  # nothing planned, swept or rendered


@pytest.mark.slow  # `episode` in a child process behind a pipe or a closed stream
def test_a_malformed_scheduler_leaves_no_destructor_noise(tmp_path):
    """The real process: one error, exit 2, and nothing from Dask's client afterwards."""
    folder = _season(tmp_path)
    run = _run(["season", str(folder), "-o", str(tmp_path / "out"), "--scheduler", "http://"], text=True)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr
    assert run.stderr.count("error:") == 1


def test_well_formed_addresses_are_kept():
    from episode_renderer.season.cluster import scheduler_address

    assert scheduler_address("tcp://127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert scheduler_address(" sched.example.org:8786 ") == "tcp://sched.example.org:8786"
    assert scheduler_address("TLS://[::1]:8786") == "tls://[::1]:8786"


class SilentServer:
    """Accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.slow  # it waits out the 5 s bound by design
def test_a_scheduler_that_accepts_and_never_answers_fails_within_the_bound(tmp_path, silent_server):
    pytest.importorskip("distributed")
    folder, out = _season(tmp_path), tmp_path / "out"
    run = _run(["season", str(folder), "-o", str(out), "--scheduler", f"tcp://127.0.0.1:{silent_server.port}"],
               text=True)  # before the fix this hung until killed (here: the 300 s timeout)
    assert silent_server.accepted.is_set()
    assert run.returncode == 2, run.stdout + run.stderr
    text = " ".join(run.stderr.split())
    assert "cannot reach the Dask scheduler" in text and "never answered" in text and "within 5 s" in text
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr
    assert not out.exists() or not any(out.glob("*.mp3"))
