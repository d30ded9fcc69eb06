"""A render started from the page: one at a time, in a background thread, cancellable.

Its state lives here, not in the page, so a reload finds it running (or finished) and the page
polls ``snapshot()``. Cancelling sets an event the render's progress callback checks at every
line (and each stage): the render stops there, and its own atomic writing leaves no half file.
The result is published as a season's output folder is (season.json, feed, listen pages), so the
page links the listen page of what was just rendered.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Project
from ..errors import EpisodeError
from ..export.atomic import write_text
from ..export.paths import page_name

#: Where the studio's renders go, inside the project: their own season folder with its listen pages.
OUTPUT = Path("output") / "studio"


class Cancelled(Exception):
    """The writer pressed Cancel: the render stops at its next line or stage."""


@dataclass
class JobState:
    kind: str  # episode | season
    target: str  # the episode or folder, as the page names it
    status: str = "running"  # running | done | failed | cancelled
    stage: str = "Starting"
    done: int = 0
    total: int = 0
    who: str = ""
    message: str = ""
    page: str = ""  # the listen page, as /files/ serves it
    started: float = field(default_factory=time.time)
    finished: float | None = None


class RenderJobs:
    """The studio's one render at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: JobState | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> dict[str, Any] | None:
        with self._lock:
            return None if self._state is None else dict(self._state.__dict__)

    def running(self) -> bool:
        with self._lock:
            return self._state is not None and self._state.status == "running"

    def cancel(self) -> bool:
        """Ask the running render to stop; False when nothing runs."""
        if not self.running():
            return False
        self._cancel.set()
        with self._lock:
            if self._state is not None:
                self._state.stage = "Cancelling"
        return True

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def start(self, kind: str, target: str, work: Callable[["Reporter"], str]) -> bool:
        """Run ``work`` (which returns the listen page's path) in a thread; False if one already runs."""
        with self._lock:
            if self._state is not None and self._state.status == "running":
                return False
            self._state = JobState(kind, target)
            self._cancel = threading.Event()
            reporter = Reporter(self._state, self._lock, self._cancel)
        self._thread = threading.Thread(target=self._run, args=(work, reporter), name="studio-render", daemon=True)
        self._thread.start()
        return True

    def _run(self, work: Callable[["Reporter"], str], reporter: "Reporter") -> None:
        try:
            page = work(reporter)
            reporter.finish("done", page=page, message="Rendered.")
        except Cancelled:
            reporter.finish("cancelled", message="Cancelled: nothing half-written was left.")
        except EpisodeError as error:
            reporter.finish("failed", message=error.render())
        except Exception as error:  # the page says what broke; the traceback goes to the terminal
            traceback.print_exc()
            reporter.finish("failed", message=f"the render failed: {type(error).__name__}: {error}")


class Reporter:
    """The render's side of the job: progress in, a cancel check at every call."""

    def __init__(self, state: JobState, lock: threading.Lock, cancel: threading.Event) -> None:
        self._state, self._lock, self._cancel = state, lock, cancel

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def lines(self, done: int, total: int, who: str) -> None:
        with self._lock:
            self._state.done, self._state.total, self._state.who = done, total, who
        self.check()

    def stage(self, name: str) -> None:
        with self._lock:
            self._state.stage = name
        self.check()

    def finish(self, status: str, *, page: str = "", message: str = "") -> None:
        with self._lock:
            self._state.status, self._state.page, self._state.message = status, page, message
            self._state.finished = time.time()


def render_one(script: Path, project: Project, cache_dir: Path | None, report: Reporter) -> str:
    """Render ``script`` into the studio's output folder as a season's worker does, publish the
    folder's listen pages, and return the episode's page (relative to the project)."""
    from ..season.freshness import fingerprint, outputs_for, state_path
    from ..season.jobs import render_job
    from ..season.publishing import publish

    out_dir = project.root / OUTPUT
    report.stage("Synthesizing lines")
    rendered = render_job(script, project, outputs_for(out_dir, script).mp3, cache_dir=cache_dir,
                          digest=fingerprint(script, project), progress=report.lines, stage=report.stage)
    write_text(state_path(out_dir, script.stem), rendered.state)  # last, as a season writes it
    report.stage("Publishing the listen page")
    publish(out_dir, project)
    return (OUTPUT / page_name(script.stem)).as_posix()


def render_folder(folder: Path, project: Project, cache_dir: Path | None, report: Reporter) -> str:
    """Render every stale episode of ``folder`` (a season, one process at a time) and publish it;
    returns the season's index page."""
    from ..season.publishing import publish
    from ..season.runner import render_season

    out_dir = project.root / OUTPUT
    count = {"finished": 0}

    def progress(event: Any) -> None:
        if event.kind == "lines":
            report.lines(event.done, event.total, f"{event.file.name}: {event.who}")
        elif event.kind == "finish":
            count["finished"] += 1
            report.stage(f"{count['finished']} episode(s) finished")
        else:
            report.stage(f"Rendering {event.file.name}")

    report.stage("Planning the season")
    results = render_season(folder, out_dir, project, jobs=1, cache_dir=cache_dir, on_progress=progress)
    report.stage("Publishing the listen pages")
    publish(out_dir, project, results)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise EpisodeError("; ".join(r.error or str(r.file) for r in failed))
    return (OUTPUT / "index.html").as_posix()
