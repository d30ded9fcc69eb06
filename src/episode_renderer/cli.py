"""The `episode` command: wires parsing, voices, mixing and export to files and a terminal."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__, terminal
from .console import (
    cast_option,
    chosen_cache_dir,
    console,
    fail,
    no_bar,
    options_project,
    out,
    print_json,
    progress_line,
    season_progress,
    season_table,
    stop_on_warnings,
    trim_cache,
    user_errors,
    warn,
)
from .errors import EpisodeError
from .options import CacheDirOpt, CastOpt, CuesOpt, DraftOpt, NoCacheOpt, RulesOpt, ShowOpt, StemsOpt
from .preview_cli import audition, preview
from .producer_cli import review_command, run_review, takes_command
from .signals import install_termination_handler

app = typer.Typer(
    help="Render Hugo Markdown episode scripts into finished, podcast-ready audio.\n\n"
         "Typical use: `episode script EPISODE.md` to check how a script reads, "
         "`episode preview EPISODE.md --character Kai --line 52` to hear one line, "
         "`episode render EPISODE.md` for the finished MP3 in output/.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)

#: Commands whose result is what they print: with stdout closed they have nothing to do.
PRINTS_ITS_RESULT = ("script", "check", "cues", "voices", "takes")


@app.callback(invoke_without_command=True)
def _main(ctx: typer.Context,
          version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    if version:
        out.print(f"episode-renderer {__version__}")
        raise typer.Exit()
    if "stdout" in terminal.CLOSED and ctx.invoked_subcommand in PRINTS_ITS_RESULT:
        from .errors import OutputError

        fail(OutputError(f"standard output is closed, so `episode {ctx.invoked_subcommand}` has nowhere to "
                          "print its result; nothing was done.",
                          hint="Send it to a file or a pipe (`> out.txt`, `| less`), or to /dev/null, instead "
                               "of closing it (`>&-`)."))


@app.command()
def render(
    episode: Path = typer.Argument(..., help="The episode's Markdown file (Hugo front matter + dialogue)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="MP3 to write (default: output/<stem>.mp3)."),
    cast: Optional[Path] = CastOpt, cues: Optional[Path] = CuesOpt, rules: Optional[Path] = RulesOpt,
    show: Optional[Path] = ShowOpt,
    no_cache: bool = NoCacheOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    jobs: int = typer.Option(2, "--jobs", "-j", min=1, help="Lines synthesized at once."),
    draft: bool = DraftOpt,
    strict: bool = typer.Option(False, "--strict", help="Stop before synthesis if there is any warning (a character "
                                                        "without a voice, a sound without a file, ...)."),
    stems: bool = StemsOpt,
    review: bool = typer.Option(False, "--review", help="Then check it line by line (`episode review`)."),
) -> None:
    """Render one episode to MP3, with transcript (.json), captions (.vtt, .srt), chapters and a report.

    The MP3 is mastered to -16 LUFS with true peak under -1 dBTP, measured on the encoded
    file; a miss fails the render and writes nothing.
    """
    from .render import load_episode, render_episode

    target = output or Path("output") / f"{episode.stem}.mp3"
    with user_errors():
        project = options_project(cast, cues, rules, show, draft)
        folder = chosen_cache_dir(no_cache, cache_dir)
        if strict:
            stop_on_warnings(load_episode(episode, project).warnings)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[who]}"), TimeElapsedColumn(), console=console,
                      disable=no_bar()) as bar:
            task = bar.add_task("Synthesizing", total=None, who="")

            def progress(done: int, total: int, who: str) -> None:
                bar.update(task, completed=done, total=total, who=escape(who))
                progress_line(f"synthesized {done}/{total} lines{f' ({who})' if who else ''}")

            def stage(name: str) -> None:
                bar.update(task, description=escape(name))
                progress_line(name)

            started = time.time()
            result = render_episode(episode, project, target, cache_dir=folder,
                                    progress=progress, stage=stage, workers=jobs, cores=jobs, stems=stems)
        if result.cache_misses:
            trim_cache(folder, project.show.cache_max_gb, started)
    loud = result.loudness
    out.print(f"[green]wrote[/] {escape(str(result.outputs.mp3))}  "
              f"{result.duration:.1f} s audio in {result.seconds:.1f} s  "
              f"{loud.integrated:.1f} LUFS  {loud.true_peak:.1f} dBTP  "
              f"{len(result.layout.chapters)} chapters  ({result.cache_hits} lines from cache)", highlight=False,
              soft_wrap=True)
    if result.stems is not None:
        out.print(f"[green]wrote[/] {escape(str(result.stems))}{os.sep}  stems, a session (.otio, .rpp) and its clips",
                  highlight=False, soft_wrap=True)
    for warning in result.episode.warnings:
        warn(warning)
    if review:
        with user_errors():
            run_review(result.outputs.mp3)


@app.command()
def script(
    episode: Path = typer.Argument(..., help="An episode file, or a folder of them with --unmapped."),
    as_json: bool = typer.Option(False, "--json", help="Print the cue sheet as JSON (a stable contract)."),
    unmapped: bool = typer.Option(False, "--unmapped", help="List directions no rule matched, with counts."),
    cast: Optional[Path] = CastOpt, cues: Optional[Path] = CuesOpt, rules: Optional[Path] = RulesOpt,
) -> None:
    """Show how a script will be performed: every line, cue, pause and direction, with source lines.

    The JSON has {"title", "episode_number", "events": [{"kind", "speaker", "text", "speech",
    "sound", "line", ...}], "skipped": [...]}: "speech" is exactly what the voice engine is given.
    """
    from .render import load_episode

    with user_errors():
        project = options_project(cast, cues, rules, None)
        if unmapped:
            files = _episode_files(episode)
            counts: Counter[str] = Counter()
            for path in files:
                for event in load_episode(path, project).events:
                    if event.kind == "direction" and event.category == "action" and not event.sound and \
                            project.rules.classify(event.text).category is None:
                        counts[event.text.lower()] += 1
            if as_json:
                print_json([{"direction": k, "count": v} for k, v in counts.most_common()])
                return
            table = Table("count", "direction", title=f"Unmapped directions in {len(files)} file(s)")
            for text, count in counts.most_common():
                table.add_row(str(count), escape(text))
            out.print(table)
            return
        parsed = load_episode(episode, project)
    if as_json:
        sys.stdout.write(json.dumps(parsed.to_json(), indent=2, ensure_ascii=terminal.ascii_only(sys.stdout)) + "\n")
        return
    table = Table("line", "kind", "speaker", "text", "sound / detail", title=escape(parsed.title), show_lines=False)
    for event in parsed.events:
        delivery = f"{event.delivery} x{event.degree:g}" if event.delivery and event.degree else event.delivery
        detail = " + ".join(p.sound for p in event.parts) or event.sound or \
            (f"{event.seconds:.1f} s" if event.seconds else "") or (event.heard if event.kind == "vocal" else "") or \
            delivery or event.category or ""
        table.add_row(str(event.line), event.kind, escape(event.speaker or ""), escape(event.text), escape(detail))
    out.print(table)


app.command()(preview)
app.command()(audition)


def _episode_files(path: Path) -> list[Path]:
    from .errors import ScriptError

    if path.is_dir():
        files = sorted(p for p in path.glob("*.md") if not p.name.startswith("_"))
        if not files:
            raise ScriptError("holds no .md episode files.", file=path)
        return files
    if not path.exists():
        raise ScriptError("file not found.", file=path, hint="Check the path.")
    return [path]


@app.command()
def season(
    folder: Path = typer.Argument(..., help="Folder of episode .md files (front matter `type: episode` "
                                            "or an `episode_number`)."),
    output: Path = typer.Option(Path("output") / "season", "-o", "--output",
                                help="Folder for the MP3s, their sidecars, season.json and feed.xml."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Episodes rendered at once, one process each (default: CPU count)."),
    include_drafts: bool = typer.Option(False, "--include-drafts", help="Render episodes marked `draft: true` too."),
    only: Optional[str] = typer.Option(None, "--only", help="Just these episode numbers, e.g. 26,30-34."),
    cast: Optional[Path] = CastOpt, cues: Optional[Path] = CuesOpt, rules: Optional[Path] = RulesOpt,
    show: Optional[Path] = ShowOpt,
    no_cache: bool = NoCacheOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    draft: bool = DraftOpt,
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Render on a Dask cluster, e.g. "
                                            "tcp://HOST:8786 (needs the \\[cluster] extra; -j is ignored: the "
                                            "cluster's workers decide)."),
    stems: bool = StemsOpt,
) -> None:
    """Render a whole season in parallel and publish it: MP3s, sidecars, season.json and a podcast feed.xml.

    Episodes whose script, cast, cues, rules, show settings, sounds and voice are unchanged since
    their last render are skipped, so a rerun (after Ctrl-C or an edit) only renders what is stale.
    A failing episode does not stop the others; the command exits 1 and names each one.
    """
    from .season import find_episodes, parse_only, publish, publish_warnings, render_season

    overrides = {"cast": cast_option(cast, draft), "cues": cues, "rules": rules, "show": show}
    with user_errors():
        if scheduler is not None:  # '' too: an empty address is a mistake, not a local render
            from .season.cluster import refuse_stems, require_distributed, scheduler_address
            if stems:
                refuse_stems()
            scheduler = scheduler_address(scheduler)
            require_distributed()
        numbers = parse_only(only) if only else None
        project = options_project(cast, cues, rules, show, draft)
        cache_folder = chosen_cache_dir(no_cache, cache_dir)
        total = len(find_episodes(folder, include_drafts=include_drafts, only=numbers))
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[who]}"), TimeElapsedColumn(), console=console,
                      disable=no_bar()) as bar:
            started = time.time()
            results = render_season(folder, output, project, jobs=jobs or os.cpu_count() or 1,
                                    include_drafts=include_drafts, only=numbers,
                                    cache_dir=cache_folder, on_progress=season_progress(bar, total),
                                    config={k: v.resolve() for k, v in overrides.items() if v is not None},
                                    scheduler=scheduler, stems=stems)
        if any(r.status == "rendered" for r in results):
            trim_cache(cache_folder, project.show.cache_max_gb, started)
    with user_errors():  # Ctrl-C while publishing is the same plain message as during the renders
        try:  # published before anything is printed: a terminal that went away must not cost the season its feed
            manifest, feed = publish(output, project, results)
            unpublished: Optional[EpisodeError] = None
        except EpisodeError as error:  # a read-only or full folder: the table still says what happened
            unpublished = error
    out.print(season_table(folder, results, on_workers=bool(scheduler)))
    counts = Counter(r.status for r in results)
    summary = f"{counts['rendered']} rendered, {counts['skipped']} skipped, {counts['failed']} failed"
    if unpublished is not None:
        out.print(summary, highlight=False)
        fail(unpublished)
    out.print(f"{summary}; wrote {escape(str(feed))}, {escape(str(manifest))} and the listen pages "
              f"({escape(str(output / 'index.html'))})", highlight=False)
    for warning in publish_warnings(output, results):
        warn(warning)
    for warning in dict.fromkeys(w for r in results for w in r.warnings):  # a full cache warns once, not per episode
        warn(warning)
    if not project.show.base_url:
        console.print("[yellow]warning:[/] show.toml has no base_url, so the feed's links are relative; "
                      "set \\[show] base_url to where the MP3s will be published.", highlight=False)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        for r in failed:
            why = r.error or "unknown error"
            console.print(f"[bold red]failed:[/] {escape(why if str(r.file) in why else f'{r.file}: {why}')}",
                          highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)


@app.command()
def site(
    folder: Path = typer.Argument(..., help="A season's output folder (the one holding season.json)."),
    cast: Optional[Path] = CastOpt, show: Optional[Path] = ShowOpt,
) -> None:
    """Rebuild the listen pages (index.html, one page per episode) from season.json and the sidecars.

    Nothing is rendered: use it after changing speaker colours (show.toml's colors table, or its
    site.characters folder of character sheets) or after upgrading, to refresh a published season.
    """
    from .export.site import build_site

    with user_errors():
        written = build_site(folder, options_project(cast, None, None, show))
    pages = [p for p in written if p.suffix == ".html"]
    out.print(f"[green]wrote[/] {len(pages)} pages in {folder}: open {folder / 'index.html'}", highlight=False)


@app.command()
def check(
    path: Path = typer.Argument(..., help="An episode file or a folder of episodes."),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero on any finding, not just broken scripts."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
    cast: Optional[Path] = CastOpt, cues: Optional[Path] = CuesOpt, rules: Optional[Path] = RulesOpt,
    show: Optional[Path] = ShowOpt,
) -> None:
    """Dry run before rendering: characters without a voice, cues without a sound, directions
    no rule maps, and an estimated duration per episode. Nothing is synthesized."""
    from .errors import ConfigError, ScriptError, TakeError
    from .findings import check_length
    from .mix.scene import mix_channels, who_stands_where
    from .render import load_episode
    from .takes import find_takes

    with user_errors():
        project = options_project(cast, cues, rules, show)
        files = _episode_files(path)
    from .script.coverage import coverage

    table = Table("episode", "est. length", "no voice", "no sound", "directions understood",
                  "unmapped directions", "takes", "status")
    broken = findings = 0
    report = []
    warnings: list[str] = []
    scenes: list[str] = []
    for file in files:
        try:
            episode = load_episode(file, project)
            estimate = check_length(episode, project)
            takes = find_takes(episode, file, project)  # `episode takes FILE` lists each line's id
        except ConfigError as error:  # a setting that fails on this script fails on every script
            fail(error)
        except (ScriptError, TakeError) as error:
            broken += 1
            report.append({"episode": str(file), "error": error.render()})
            table.add_row(escape(file.name), "", "", "", "", "", "", f"[red]{escape(error.render())}[/]")
            continue
        unvoiced = sorted({n for e in episode.events if e.spoken for n in e.speakers if not project.cast.has_voice(n)})
        silent = sorted({e.sound or e.text for e in episode.events
                         if (e.kind == "cue" and (not e.sound or not project.sounds.has(e.sound)))
                         or (e.kind == "direction" and e.sound and not project.sounds.has(e.sound))} |
                        {p.sound for e in episode.events for p in e.parts if not project.sounds.has(p.sound)})
        episode.warnings.extend(takes.stray)
        understood = coverage(episode, project.rules)
        unmapped = understood.unmatched
        stands = who_stands_where(episode, project.cast)
        channels = "stereo" if mix_channels(project.show.channels, project.cast) == 2 else "mono"
        findings += len(unvoiced) + len(silent) + len(unmapped) + len(episode.warnings)
        report.append({"episode": str(file), "estimated_seconds": round(estimate, 1), "no_voice": unvoiced,
                       "no_sound": silent, "directions": understood.total, "understood": understood.understood,
                       "unmapped": dict(unmapped.most_common()), "warnings": episode.warnings,
                       "takes": {takes.ids[i]: str(p) for i, p in sorted(takes.files.items())},
                       "lines_without_take": len(takes.ids) - len(takes.files),
                       "positions": {n: {"pan": p.pan, "distance": p.distance} for n, p in stands.items()}})
        warnings += episode.warnings
        scenes.append(f"{escape(file.name)} ({channels}): " + "; ".join(f"{escape(n)} {p.describe()}"
                                                                      for n, p in stands.items()))
        minutes, secs = divmod(int(estimate), 60)
        table.add_row(escape(file.name), f"{minutes}:{secs:02d}", escape(", ".join(unvoiced)) or "-",
                      escape(", ".join(silent)) or "-",
                      f"{understood.share:.0%} ({understood.understood}/{understood.total})",
                      escape("; ".join(f"{k} ({v})" if v > 1 else k for k, v in unmapped.most_common())) or "-",
                      f"{len(takes.files)} of {len(takes.ids)} lines",
                      "[green]ok[/]" if not (unvoiced or silent or episode.warnings) else "[yellow]check[/]")
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        out.print(table)
        out.print("Who stands where:", highlight=False)
        for line in scenes:
            out.print("  " + line, highlight=False)
        for warning in warnings:
            warn(warning)
    if broken or (strict and findings):
        raise typer.Exit(code=1)


@app.command("cues")
def cues_command(
    path: Path = typer.Argument(..., help="An episode file or a folder of episodes."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    cues: Optional[Path] = CuesOpt, rules: Optional[Path] = RulesOpt,
) -> None:
    """Which stage directions became which sound, and which matched nothing."""
    from .render import load_episode

    with user_errors():
        project = options_project(None, cues, rules, None)
        files = _episode_files(path)
        rows: Counter[tuple[str, str, str]] = Counter()
        for file in files:
            for event in load_episode(file, project).events:
                if event.kind in ("cue", "direction", "pause", "break"):
                    names = [p.sound for p in event.parts] or ([event.sound] if event.sound else [])
                    sound = " + ".join(names)
                    status = ("missing file" if any(not project.sounds.has(n) for n in names) else
                              "sound" if sound else
                              ("pause" if event.kind == "pause" else event.category or "") if
                              project.rules.classify(event.text).category or event.kind != "direction"
                              else "no rule")
                    rows[(event.text.lower(), sound, status)] += 1
    if as_json:
        print_json([{"direction": d, "sound": s or None, "status": st, "count": n}
                     for (d, s, st), n in rows.most_common()])
        return
    table = Table("count", "direction", "sound", "status", title=f"Cues in {len(files)} file(s)")
    for (direction, sound, status), count in sorted(rows.items(), key=lambda kv: (kv[0][2] != "no rule", -kv[1])):
        table.add_row(str(count), escape(direction), escape(sound) or "-", status)
    out.print(table)


@app.command()
def voices(
    cast: Optional[Path] = CastOpt,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the engines, the voices available offline (Kokoro's by name, accent and gender), and each
    character's settings. Nothing is synthesized or played."""
    from .tts.kokoro import describe, voice_files
    from .tts.piper_voice import bundled_model

    with user_errors():
        project = options_project(cast, None, None, None)
        folder = project.cast.voices_dir or project.root / "voices"
        piper_voices = ["joe (bundled en_US-joe-medium)"] + sorted(
            p.stem for p in folder.glob("*.onnx") if p.with_name(p.name + ".json").is_file())
        kokoro = [describe(name) for name in voice_files([folder / "kokoro"])]
        try:
            import TTS  # noqa: F401
            coqui = "installed"
        except ImportError:
            coqui = "not installed (pip install -e '.[coqui]')"
        rows = {name: profile.describe() for name, profile in project.cast.characters.items()}
        for name, row in rows.items():
            row["deliveries"] = {d: project.cast.delivery(name, d).describe()  # type: ignore[union-attr]
                                 for d in sorted(set(project.cast.deliveries) |
                                                 set(project.cast.own_deliveries.get(name, {})))}
    if as_json:
        print_json({"engines": {"kokoro": "installed", "piper": "installed", "coqui": coqui},
                     "kokoro_voices": [v.__dict__ for v in kokoro], "piper_voices": piper_voices,
                     "bundled_model": str(bundled_model()[0]), "cast": rows})
        return
    out.print(f"[bold]Engines[/]: kokoro (installed, the default cast), piper (installed, --draft), "
              f"coqui ({escape(coqui)})")
    table = Table("voice", "accent", "gender", "language", title="Kokoro voices (blend them: \"0.6*bm_george + "
                  "0.4*am_fenrir\")")
    for v in kokoro:
        table.add_row(v.name, v.accent, v.gender, v.language)
    out.print(table)
    out.print(f"[bold]Piper voices[/] ({escape(str(folder))}): " + escape(", ".join(piper_voices)))
    table = Table("character", "engine", "model", "voice", "speed", "pitch", "gain dB", "effects", "deliveries",
                  title=escape(f"Cast ({project.cast.source})"))
    for name, row in rows.items():
        own = len(project.cast.own_deliveries.get(name, {}))
        table.add_row(escape(name), row["engine"], escape(str(row["model"])),
                      escape(str(row["speaker"] if row["speaker"] is not None else "")),
                      f"{row['speed']:.2f}", f"{row['pitch']:+.1f}", f"{row['gain_db']:+.1f}",
                      escape(", ".join(row["effects"])), f"{own} own" if own else "shared")
    out.print(table)
    out.print("`episode voices --json` gives each recipe; `episode audition CHARACTER` plays them.")


@app.command()
def cache(
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="The cache folder (default: "
                                             "~/.cache/episode-renderer/lines, as render uses)."),
    older_than: Optional[float] = typer.Option(None, "--older-than", metavar="DAYS", min=0, max=36500,
                                               help="Remove entries no render has used for DAYS days."),
    clear: bool = typer.Option(False, "--clear", help="Remove every entry (the next render synthesizes "
                                                      "everything again)."),
) -> None:
    """Show what the render caches hold (synthesized lines, encoded MP3s, levelling figures) and
    prune them. A render touches each entry it uses, so `--older-than 30` keeps what your current
    episodes need. A render or season that stored something also trims the caches, least recently
    used first, to show.toml's [cache] max_gb (default 10). Only cache entries are ever removed;
    the Kokoro model is not."""
    from .cache_files import KINDS, prune, usage
    from .errors import ConfigError

    with user_errors():
        if clear and older_than is not None:
            raise ConfigError("--clear and --older-than ask for different things.", hint="Pass one of them.")
        folder = chosen_cache_dir(False, cache_dir, writing=False)
        assert folder is not None
        if cache_dir is not None and not folder.is_dir():
            raise ConfigError("is not a folder.", file=folder, hint="Pass the folder given to --cache-dir.")
        removed = prune(folder, 0 if clear else older_than) if clear or older_than is not None else None
        left = usage(folder)
    table = Table("entries", "files", "size", title=escape(f"Cache {folder}"))
    for kind in KINDS:
        gone = f" ({removed[kind].files} removed, {removed[kind].bytes / 1e6:.1f} MB)" if removed else ""
        table.add_row(kind, f"{left[kind].files}{gone}", f"{left[kind].bytes / 1e6:.1f} MB")
    out.print(table)


@app.command()
def studio(
    target: Optional[Path] = typer.Argument(None, help="The project, a folder of episodes or one episode (default: .)."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port on 127.0.0.1 (default: any free one)."),
    cast: Optional[Path] = CastOpt, draft: bool = DraftOpt,
    no_cache: bool = NoCacheOpt, cache_dir: Optional[Path] = CacheDirOpt,
) -> None:
    """The episode in a browser: hear any line, edit words and voices, save, render. Serves 127.0.0.1
    only and prints the address with its token (needed on every request); Ctrl-C stops it."""
    from .studio.app import start

    with user_errors():
        start(target or Path.cwd(), port, cast_option(cast, draft), chosen_cache_dir(no_cache, cache_dir),
              lambda url: (out.print(f"Studio: open {escape(url)}", highlight=False, soft_wrap=True), out.file.flush()))


app.command("review")(review_command)
app.command("takes")(takes_command)


cast_app = typer.Typer(help="Create and inspect cast files.", no_args_is_help=True)
app.add_typer(cast_app, name="cast")


@cast_app.command("init")
def cast_init(
    source: Path = typer.Option(..., "--from", help="A Hugo site's data/characters/ folder of YAML sheets."),
    output: Path = typer.Option(Path("voices/cast.toml"), "-o", "--output", help="Cast file to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing cast file."),
) -> None:
    """Write a starting cast file from character sheets: each sheet's voice_style picks pace and pitch."""
    from .errors import ConfigError
    from .export.atomic import write_text
    from .tts.cast import parse_cast
    from .tts.cast_init import cast_from_characters, read_sheets

    with user_errors():
        if output.exists() and not force:
            raise ConfigError("already exists.", file=output, hint="Pass --force to overwrite it, or -o another file.")
        sheets = read_sheets(source)
        text = cast_from_characters(sheets)
        parse_cast(text, str(output))
        write_text(output, text)
    out.print(f"[green]wrote[/] {escape(str(output))} with {len(sheets)} characters: "
              + escape(", ".join(str(s["name"]) for s in sheets)), highlight=False, soft_wrap=True)


def main() -> None:  # pragma: no cover
    terminal.setup()  # before any output: no terminal, encoding or closed pipe decides how a command ends
    install_termination_handler()  # here, not in the app: a test runner keeps its own SIGTERM
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
