"""The terminal side of every command: the two consoles, one plain paragraph per error (exit 2),
progress bars or plain progress lines, a season's table, and the project and cache the options name."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from . import terminal
from .errors import EpisodeError
from .signals import TERMINATED_EXIT, Terminated

if TYPE_CHECKING:
    from .season import SeasonEvent

console = Console(stderr=True)
out = Console()



def warn(text: str) -> None:
    """One warning on stderr, in the same words whatever command met it."""
    console.print(f"[yellow]warning:[/] {escape(text)}", highlight=False, soft_wrap=True)


def fail(error: EpisodeError) -> None:
    console.print(f"[bold red]error:[/] {escape(error.render())}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Show the project's errors as one plain paragraph, exit non-zero; Ctrl-C exits 130."""
    try:
        yield
    except EpisodeError as error:
        fail(error)
    except OSError as exc:  # a cache or output folder that is full or read-only, reached outside export/
        from .export.paths import disk_error

        error = disk_error(exc, Path(exc.filename or "."))
        if error is None:
            raise
        fail(error)
    except Terminated as stop:
        console.print(f"[yellow]terminated ({stop}):[/] nothing half-written was left behind.")
        raise typer.Exit(code=TERMINATED_EXIT)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted:[/] nothing half-written was left behind.")
        raise typer.Exit(code=130)


def plain_progress() -> bool:
    """EPISODE_PROGRESS=lines: progress as one plain line per step on stderr, for a log or a program
    watching the run, where a bar cannot redraw."""
    return os.environ.get("EPISODE_PROGRESS") == "lines"


def no_bar() -> bool:
    """No bar where it cannot redraw (not a terminal), unless EPISODE_PROGRESS asks for one anyway."""
    return plain_progress() or (not console.is_terminal and not os.environ.get("EPISODE_PROGRESS"))


def progress_line(text: str) -> None:
    if plain_progress():
        console.print(text, markup=False, highlight=False, soft_wrap=True)


def print_json(data: object) -> None:
    """JSON on stdout, escaped where the stream's encoding lacks a character, so it stays valid JSON."""
    out.print_json(data=data, ensure_ascii=terminal.ascii_only(out.file))


def stop_on_warnings(warnings: list[str]) -> None:
    """--strict: every warning is printed, then the command stops before any synthesis."""
    from .errors import ScriptError

    for warning in warnings:
        warn(warning)
    if warnings:
        raise ScriptError(f"{len(warnings)} warning(s) with --strict; nothing was rendered.",
                          hint="Fix them, or render without --strict.")


def options_project(cast: Optional[Path], cues: Optional[Path], rules: Optional[Path], show: Optional[Path],
             draft: bool = False):
    from .config import load_project

    return load_project(cast=cast_option(cast, draft), cues=cues, rules=rules, show=show)


def cast_option(cast: Optional[Path], draft: bool) -> Optional[Path]:
    """--cast wins; --draft picks the Piper draft cast."""
    from .config import draft_cast

    return cast if cast or not draft else draft_cast()


def chosen_cache_dir(no_cache: bool, cache_dir: Optional[Path], *, writing: bool = True) -> Optional[Path]:
    """The cache folder to use, refused before any work when it is a file or (``writing``) one the
    render could not store a line in."""
    from .errors import ConfigError
    from .export.paths import check_writable
    from .tts.cache import default_cache_dir

    if no_cache:
        return None
    folder = cache_dir or default_cache_dir()
    if folder.exists() and not folder.is_dir():
        raise ConfigError("is a file, not a cache folder.", file=folder,
                          hint="Give --cache-dir a folder (it is made if missing), or --no-cache.")
    unwritable = check_writable(folder) if writing else None
    if unwritable is not None:
        raise ConfigError(f"{unwritable.message.rstrip('.')}: synthesized lines cannot be kept there.", file=folder,
                          hint="Give --cache-dir a folder you can write to, or --no-cache.")
    return folder


def trim_cache(folder: Optional[Path], limit_gb: float, since: float) -> None:
    """Keep the caches under the show's [cache] max_gb once a run has stored something in them."""
    from .cache_files import bound

    if folder is None:
        return
    try:
        removed = bound(folder, int(limit_gb * 1e9), keep_since=since)
    except EpisodeError as error:  # the render itself succeeded: say so, and why the cache is still large
        console.print(f"[yellow]warning:[/] the cache was not trimmed: {escape(str(error))}", highlight=False,
                      soft_wrap=True)
        return
    files = sum(u.files for u in removed.values())
    if files:
        console.print(f"[dim]cache: removed {files} entries no render had used for the longest "
                      f"({sum(u.bytes for u in removed.values()) / 1e6:.0f} MB) to stay under {limit_gb:g} GB "
                      f"(\\[cache] max_gb in show.toml)[/]", highlight=False, soft_wrap=True)


def season_progress(bar: Progress, total: int) -> Callable[[SeasonEvent], None]:
    """A season's bars: one overall, and one per episode while it renders (on which worker)."""
    overall = bar.add_task("Season", total=total or None, who="")
    running: dict[Path, int] = {}

    def progress(event: SeasonEvent) -> None:
        name = escape(event.file.name)
        if event.kind == "start" and event.file not in running:
            running[event.file] = bar.add_task(f"  {name}" + (f" on {event.who}" if event.who else ""),
                                               total=None, who="")
        elif event.kind == "lines" and event.file in running:
            bar.update(running[event.file], completed=event.done, total=event.total, who=escape(event.who))
            progress_line(f"{event.file.name}: synthesized {event.done}/{event.total} lines")
        elif event.kind == "finish":
            if event.file in running:
                bar.remove_task(running.pop(event.file))
            status = event.result.status if event.result else ""
            bar.update(overall, advance=1, who=f"{name}: {status}")

    return progress


def season_table(folder: Path, results: list, *, on_workers: bool) -> Table:
    """One row per episode: its status, length, loudness, time, worker and error (the file is its row)."""
    from .export.feed import clock

    table = Table("episode", "status", "duration", "LUFS", "time", *(["worker"] if on_workers else []), "error",
                  title=f"Season: {escape(str(folder))}")
    colours = {"rendered": "green", "skipped": "dim", "failed": "red"}
    for r in results:
        error = r.error or ""
        if error.startswith(f"{r.file}:"):  # the file is in the first column; keep the line number
            rest = error[len(str(r.file)) + 1:]
            number, sep, message = rest.partition(": ")
            error = f"line {number}: {message}" if sep and number.isdigit() else rest.strip()
        table.add_row(escape(r.file.name), f"[{colours.get(r.status, 'white')}]{r.status}[/]",
                      clock(r.duration) if r.duration else "",
                      f"{r.lufs:.1f}" if r.lufs is not None else "", f"{r.seconds:.1f} s" if r.seconds else "",
                      *([escape(r.worker)] if on_workers else []), escape(error))
    return table
