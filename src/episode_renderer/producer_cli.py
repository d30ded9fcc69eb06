"""The producer's commands, `episode review` and `episode takes`: cli.py registers them on the app."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import terminal
from .console import console, no_bar, options_project, out, progress_line, user_errors, warn
from .options import CastOpt, ShowOpt


def run_review(mp3: Path) -> int:
    """Review ``mp3``, write ``<stem>.review.json`` beside it, print the lines to listen to; their count."""
    from .review import review, write_review

    with Progress(TextColumn("[bold]Reviewing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=no_bar()) as bar:
        task = bar.add_task("review", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            progress_line(f"reviewed {done}/{total} lines")

        result = review(mp3, progress)
    written = write_review(result)
    flagged = result.flagged
    if flagged:
        table = Table("at", "speaker", "listen for", "line", title=f"Lines to listen to in {escape(mp3.name)}")
        for line in flagged:
            minutes, seconds = divmod(line.start, 60)
            table.add_row(f"{int(minutes)}:{seconds:04.1f}", escape(line.speaker), escape("\n".join(line.problems)),
                          escape(line.text if len(line.text) <= 70 else line.text[:69] + "…"))
        out.print(table)
    out.print(f"[green]reviewed[/] {len(result.lines)} lines: {len(flagged)} to listen to; wrote "
              f"{escape(str(written))}", highlight=False, soft_wrap=True)
    return len(flagged)


def review_command(
    mp3: Path = typer.Argument(..., help="An MP3 `episode render` wrote (its transcript .json beside it)."),
) -> None:
    """Check a render line by line and list the lines to listen to: words missed, added or changed
    (Whisper tiny.en, offline), silence or clipping inside a line, a line far louder or quieter than
    the character's others. Writes <stem>.review.json beside the MP3; `episode site` marks the lines.
    Needs the quality extra (installed by the README's install command)."""
    with user_errors():
        run_review(mp3)


def takes_command(
    episode: Path = typer.Argument(..., help="The episode's Markdown file."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    cast: Optional[Path] = CastOpt,
    show: Optional[Path] = ShowOpt,
) -> None:
    """Each line's identity and its take: record a line as takes/<episode>/<id>.wav (or .flac, .mp3)
    beside the script and the next render uses it instead of the voice."""
    from .render import load_episode
    from .takes import find_takes, takes_folder

    with user_errors():
        project = options_project(cast, None, None, show)
        parsed = load_episode(episode, project)
        found = find_takes(parsed, episode, project)
    rows = [{"line": parsed.events[i].line, "speaker": parsed.events[i].speaker, "id": line_id,
             "take": str(found.files[i]) if i in found.files else None, "text": parsed.events[i].text}
            for i, line_id in found.ids.items()]
    if as_json:
        sys.stdout.write(json.dumps({"folder": str(takes_folder(episode, project)), "lines": rows, "stray": found.stray},
                                    indent=2, ensure_ascii=terminal.ascii_only(sys.stdout)) + "\n")
        return
    table = Table("line", "speaker", "id", "take", title=escape(f"Takes for {episode} "
                                                                 f"(folder: {takes_folder(episode, project)})"))
    for row in rows:
        table.add_row(str(row["line"]), escape(row["speaker"] or ""), escape(row["id"]),
                      escape(Path(row["take"]).name) if row["take"] else "-")
    out.print(table)
    out.print(f"{len(found.files)} of {len(rows)} lines have a take.", highlight=False)
    for stray in found.stray:
        warn(stray)
