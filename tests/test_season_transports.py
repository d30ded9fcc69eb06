"""Issue 23, one job and two transports: the local pool and a cluster worker render an episode of a
season with the same function, the project knows which file plays which part, and a render says
which sounds it needs without being replayed.

The cluster worker's side runs in this process (``render_task``, everything a worker does after
Dask hands it a task), so no scheduler is needed; tests/test_cluster.py runs the real one.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from episode_renderer.season.cluster import season_tasks
from episode_renderer.season.remote import Collector, project_bundle, render_task
from episode_renderer.config import load_project
from episode_renderer.render import Outputs, load_episode, sounds_needed
from episode_renderer.season import jobs
from episode_renderer.season.freshness import state_path
from episode_renderer.sound.library import SoundLibrary
from episode_renderer.tts.cache import default_cache_dir

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # enough for the cover check and the ID3 picture frame

SCRIPT = """---
title: "Two Roads"
date: 2026-04-07
episode_number: 4
---

{{< dialogue char="Kai" >}}
*soft chime*

Both roads go to the same house.
{{< /dialogue >}}
"""

SHOW = """[show]
name = "Transports"
cover = "art/cover.png"

[sound]
intro = "intro-sting"
outro = ""
"""

TIMING = {".render.json": {"rendered_at"},
          ".report.json": {"render_seconds", "lines_from_cache", "lines_synthesized"}}


@pytest.fixture
def show_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "art").mkdir(parents=True)
    (root / "art" / "cover.png").write_bytes(PNG)
    (root / "show.toml").write_text(SHOW, "utf-8")
    (root / "episodes").mkdir()
    (root / "episodes" / "ep-04-roads.md").write_text(SCRIPT, "utf-8")
    return root


def _without_timing(name: str, data: bytes) -> bytes:
    for suffix, fields in TIMING.items():
        if name.endswith(suffix):
            loaded = json.loads(data)
            return json.dumps({k: v for k, v in loaded.items() if k not in fields}, sort_keys=True).encode()
    return data


def test_local_pool_and_cluster_worker_run_the_same_render(show_project, tmp_path, monkeypatch):
    """Both transports go through season.jobs' one render, with the same workers and threads, and
    their files are the same bytes (the cover and the sounds laid out on the worker included)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("EPISODE_CLUSTER_DIR", str(tmp_path / "worker"))
    calls: list[dict] = []
    real = jobs.render_episode

    def spy(*args, **kwargs):
        calls.append({k: kwargs[k] for k in ("workers", "threads")})
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "render_episode", spy)
    project = load_project(show_project)
    script = show_project / "episodes" / "ep-04-roads.md"

    def job(folder: str) -> jobs.Job:
        return jobs.Job(script, tmp_path / folder / "ep-04-roads.mp3", project.root, {}, jobs.config_files(project),
                        default_cache_dir(), "the-digest")

    local = jobs.run_job(job("local"), time.perf_counter())
    assert local.status == "rendered", local.error
    [(_job, task)], store = season_tasks([job("remote")], project, "topic")
    remote = render_task(task, store.blobs, "w0", lambda done, total, who: None)
    assert remote.outcome.status == "rendered", remote.outcome.error

    assert calls == [{"workers": jobs.EPISODE_WORKERS, "threads": 1}] * 2
    outputs = Outputs.beside(tmp_path / "local" / "ep-04-roads.mp3")
    for role, data in remote.files.items():
        path = getattr(outputs, role)
        assert _without_timing(path.name, data) == _without_timing(path.name, path.read_bytes()), role
    state = state_path(tmp_path / "local", "ep-04-roads")
    assert _without_timing(state.name, remote.state) == _without_timing(state.name, state.read_bytes())
    assert PNG in outputs.mp3.read_bytes()  # the cover reached the worker's tags too


def test_project_records_each_files_role(show_project):
    project = load_project(show_project)
    cast = project.roles["cast"]  # the draft cast, with the lexicon beside it (tests/conftest.py)
    assert project.roles == {"cast": cast, "cues": Path(project.cues.source), "show": show_project / "show.toml",
                             "lexicon": cast.parent / "lexicon.toml",
                             "cover": (show_project / "art" / "cover.png").resolve()}
    assert project.files == [project.roles[r] for r in ("cast", "cues", "show", "lexicon")]
    bundle, where, _renames = project_bundle(project, Collector())
    assert where == {"cast": f"voices/{cast.name}", "cues": "sfx/cues.toml", "show": "show.toml",
                     "lexicon": "voices/lexicon.toml", "cover": "art/cover.png"}
    assert set(where.values()) <= dict(bundle.files).keys()


def test_sounds_needed_are_the_sounds_a_render_loads(show_project, tmp_path, monkeypatch):
    """What the cluster sends a worker is known from the script and settings: exactly what the render loads."""
    loaded: set[str] = set()
    real = SoundLibrary.load

    def noting(self, name):
        loaded.add(name)
        return real(self, name)

    monkeypatch.setattr(SoundLibrary, "load", noting)
    project = load_project(show_project)
    script = show_project / "episodes" / "ep-04-roads.md"
    needed = sounds_needed(load_episode(script, project), project)
    result = jobs.run_job(jobs.Job(script, tmp_path / "out" / "ep-04-roads.mp3", project.root, {},
                                   jobs.config_files(project), None, "d"), time.perf_counter())
    assert result.status == "rendered", result.error
    assert loaded == needed and {"intro-sting", "soft-chime"} <= needed
