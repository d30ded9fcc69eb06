"""A studio server for the tests: a real `episode studio` process on a free port of 127.0.0.1,
over a small project of our own (the draft cast copied in as the project's cast, comments and all)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import DRAFT_CAST

EPISODE = """---
title: "Lamps & Lanterns"
episode_number: 1
date: 2026-02-03
---

<!-- a comment the studio must keep -->
**[Human]:** *Who left the lamp on?*

{{< dialogue char="Kai" >}}
*soft chime*

It was me.   Risk   at 3 percent.
{{< /dialogue >}}

{{< dialogue char="Vector" >}}
*excitedly* That was me! I love lanterns.
{{< /dialogue >}}

{{< dialogue char="Ghost" >}}
Boo to you all.
{{< /dialogue >}}
"""
SECOND = """---
title: "Maps"
episode_number: 2
---

**[Human]:** *Can you draw a map?*
"""


def make_project(base: Path) -> Path:
    """A project folder: voices/cast.toml (the draft cast), show.toml and two episodes."""
    root = base / "project"
    (root / "voices").mkdir(parents=True)
    (root / "episodes").mkdir()
    shutil.copy(DRAFT_CAST, root / "voices" / "cast.toml")
    (root / "show.toml").write_text('[show]\nname = "Bots"\n\n[colors]\nKai = "#10b981"\n', "utf-8")
    (root / "episodes" / "ep-01-lamps.md").write_bytes(EPISODE.replace("\n", "\r\n").encode())  # CRLF kept
    (root / "episodes" / "ep-02-maps.md").write_text(SECOND, "utf-8")
    return root


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    token: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/?token={self.token}"

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                token: bool = True) -> tuple[int, dict[str, str], bytes]:
        """One plain HTTP request; ``token`` puts the right token in the header."""
        sent = {"Host": f"127.0.0.1:{self.port}", **({"X-Studio-Token": self.token} if token else {}),
                **(headers or {})}
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def api(self, method: str, path: str, body: Any = None) -> Any:
        status, _headers, data = self.request(method, path, body)
        assert status == 200, (status, data[:500])
        return json.loads(data)


@contextlib.contextmanager
def studio(root: Path, *args: str, cache: Path | None = None) -> Iterator[Server]:
    """``episode studio`` on ``root``'s episodes, until the block ends."""
    env = {k: v for k, v in os.environ.items() if k != "EPISODE_CAST"}  # the project's own cast
    command = [sys.executable, "-m", "episode_renderer.cli", "studio", str(root / "episodes"), *args]
    if cache is not None:
        command += ["--cache-dir", str(cache)]
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    errors: list[str] = []  # drained, so a chatty server never blocks on a full pipe
    threading.Thread(target=lambda: [errors.append(line) for line in process.stderr], daemon=True).start()
    try:
        try:
            line = lines.get(timeout=90)
        except queue.Empty:
            raise AssertionError("the studio printed no address: " + "".join(errors))
        found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
        assert found, line
        yield Server(process, int(found.group(1)), found.group(2))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
