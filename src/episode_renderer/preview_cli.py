"""`episode preview` and `episode audition`: hear a character before a render. cli.py registers them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .console import chosen_cache_dir, console, no_bar, options_project, out, user_errors, warn
from .options import CacheDirOpt, CastOpt, DraftOpt, NoCacheOpt


def preview(
    episode: Path = typer.Argument(..., help="The episode the character appears in."),
    character: str = typer.Option(..., "--character", "-c", help="Who speaks (as named in the script or cast)."),
    line: Optional[int] = typer.Option(None, "--line", "-l", help="Source line number of the line to hear."),
    text: Optional[str] = typer.Option(None, "--text", "-t", help="Any text instead of a script line; its "
                                       "directions act, e.g. \"*laughs* No way. *whispering* Tell me.\""),
    delivery: Optional[str] = typer.Option(None, "--delivery", "-d", help="Speak it in this delivery (excited, "
                                           "whisper, sad, ...: the cast's [delivery.NAME] tables)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="WAV or MP3 to write "
                                          "(default: output/preview-<character>.wav)."),
    cast: Optional[Path] = CastOpt,
    no_cache: bool = NoCacheOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    draft: bool = DraftOpt,
) -> None:
    """Hear one line in a character's voice, in seconds, without rendering the episode.

    Without --line or --text, the character's first line in the script is used. Directions in the
    line or the text act as in a render: *laughs* laughs in the character's voice, *whispering*
    whispers. --delivery tries any delivery on it; `episode audition` hears them all.
    """
    from .export.paths import check_outputs, safe_name
    from .preview import preview_line
    from .render import input_files

    target = output or Path("output") / f"preview-{safe_name(character)}.wav"
    with user_errors():
        project = options_project(cast, None, None, None, draft)
        check_outputs([target], input_files(episode, project))
        started = time.perf_counter()
        result = preview_line(episode, project, character, line=line, text=text, out=target,
                              cache_dir=chosen_cache_dir(no_cache, cache_dir), delivery=delivery)
    out.print(f"[green]wrote[/] {escape(str(target))}  {result.duration:.1f} s  "
              f"in {time.perf_counter() - started:.1f} s  "
              f"[dim]{escape(_shortened(result.speech))}[/]", highlight=False)
    for warning in result.warnings:
        warn(warning)


def audition(
    character: str = typer.Argument(..., help="Who to hear (as the script or the cast names them)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Folder for the page and its clips "
                                          "(default: output/audition-<character>/)."),
    text: Optional[str] = typer.Option(None, "--text", "-t", help="What every delivery says (default: a statement "
                                       "and a question)."),
    cast: Optional[Path] = CastOpt,
    no_cache: bool = NoCacheOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    draft: bool = DraftOpt,
) -> None:
    """Hear every delivery and vocal sound of one character on one page, before a render.

    Writes index.html and one MP3 per take: the words said plainly and in each delivery of the
    cast (excited, whisper, sad, ...), then each vocal sound (laughs, sighs, gasps, ...) twice.
    All takes share one level, so loudness differences are heard as they will be in a render.
    Open the page in a browser: `episode audition Kai` then output/audition-kai/index.html.
    """
    from .audition import audition as run
    from .export.paths import check_folder, check_writable, safe_name

    folder = output or Path("output") / f"audition-{safe_name(character)}"
    with user_errors():
        check_folder(folder, "the audition")
        project = options_project(cast, None, None, None, draft)
        folder.mkdir(parents=True, exist_ok=True)
        unwritable = check_writable(folder)
        if unwritable is not None:
            raise unwritable
        with Progress(TextColumn("[bold]Auditioning"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[what]}"), TimeElapsedColumn(), console=console,
                      disable=no_bar()) as bar:
            task = bar.add_task("audition", total=None, what="")
            takes = run(project, character, folder, cache_dir=chosen_cache_dir(no_cache, cache_dir), text=text,
                        progress=lambda done, total, what: bar.update(task, completed=done, total=total,
                                                                      what=escape(what)))
    out.print(f"[green]wrote[/] {escape(str(folder / 'index.html'))}  {len(takes)} takes", highlight=False)


def _shortened(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."
