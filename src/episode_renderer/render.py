"""One episode, end to end: script -> Episode -> spoken lines -> timeline -> master -> files.

Each stage takes the previous stage's data and nothing reaches back up; the CLI only wires
this to files and a progress bar.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from . import __version__
from .audio import SAMPLE_RATE
from .config import Project
from .errors import RenderError, ScriptError, VoiceError
from .export.atomic import sweep
from .export.encoded_cache import EncodedCache, mix_key
from .export.fileset import file_set
from .export.mp3 import measure_file, write_mp3
from .export.paths import SIDECARS, check_outputs, check_writable, stem_of
from .export.tags import write_tags
from .export.transcript import chapters_json, srt, transcript_json, webvtt
from .findings import check_length, project_warnings
from .mix.layout import Layout
from .mix.level_cache import LevelCache
from .mix.compressor import prepare
from .mix.loudness import Loudness, integrated_loudness
from .mix.master import finished
from .mix.parts import ahead
from .mix.scene import episode_room, event_places, mix_channels, place_clips
from .mix.timeline import mixdown, plan
from .reading import encoding_hint, read_bounded
from .script.model import Episode, Event
from .script.parser import parse_episode
from .session import SessionFolder, check_session_folder, session_folder, write_session
from .takes import levelled, load_takes, take_files
from .tts.cache import LineCache
from .tts.cast import Profile, in_unison
from .tts.lines import InvalidTake, LineSpeaker, Said
from .tts.vocal import Vocal
from .tts.voices import Voices

Progress = Callable[[int, int, str], None]


#: The show's longest script is 27 kB; 2 MB is a pasted book or a wrong file, refused before reading it.
MAX_SCRIPT_BYTES = 2_000_000


def read_script(path: Path) -> str:
    """The script's text; a binary, undecodable, oversized or non-regular file is a ScriptError naming it."""
    return script_text(read_script_bytes(path), path)


def read_script_bytes(path: Path) -> bytes:
    """The script's bytes, as they are on disk; a missing, oversized or non-regular file is a ScriptError."""
    path = Path(path)
    try:
        data = read_bounded(path, MAX_SCRIPT_BYTES, ScriptError, what="an episode script",
                            limit_text=f"{MAX_SCRIPT_BYTES / 1e6:g} MB",
                            hint="Split it into several episodes, or check that this is the script.")
    except FileNotFoundError:
        raise ScriptError("file not found.", file=path, hint="Check the path to the episode's .md file.") from None
    except IsADirectoryError:
        raise ScriptError("is a folder, not an episode file.", file=path,
                          hint="Pass one .md file (use `episode season` for a folder).") from None
    except OSError as exc:
        raise ScriptError(f"cannot be read ({exc.strerror}).", file=path) from None
    return data


def script_text(data: bytes, path: Path) -> str:
    """A script's bytes as text; UTF-16, binary or undecodable bytes are a ScriptError naming ``path``."""
    wide = encoding_hint(data)
    if wide:
        raise ScriptError(f"is saved as {wide}, not UTF-8.", file=path,
                          hint="Save it as UTF-8 (in most editors: Save As, Encoding: UTF-8) and try again.")
    if b"\x00" in data[:8192]:
        raise ScriptError("looks like a binary file, not an episode script.", file=path, line=1,
                          hint="Pass the episode's Markdown (.md) file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ScriptError("is not UTF-8 text.", file=path, line=line,
                          hint="Save the script as UTF-8 and try again.") from None


def load_episode(path: Path, project: Project) -> Episode:
    """The parsed episode, with warnings about what the project cannot do for it (no voice, no sound)."""
    return episode_from_text(read_script(path), path, project)


def episode_from_text(text: str, path: Path, project: Project) -> Episode:
    """``load_episode`` for a script already read (the studio parses the very bytes it will edit)."""
    episode = parse_episode(text, source=str(path), rules=project.rules,
                            aliases=project.cast.aliases, speech=project.speech)
    episode.warnings.extend(project_warnings(episode, project))
    return episode


def input_files(script: Path | None, project: Project) -> list[Path]:
    """Every file a render reads, so no output may replace one: script, config, cover, sounds."""
    from .sound.library import EXTENSIONS

    files = [p for p in (script, *project.files, project.show.cover) if p is not None]
    files += take_files(script, project) if script is not None else []
    for folder in project.sounds.folders:
        try:
            files += [p for p in Path(folder).iterdir() if p.suffix.lower() in EXTENSIONS]
        except OSError:
            continue
    return [Path(p) for p in files]


@dataclass
class Outputs:
    mp3: Path
    transcript: Path
    vtt: Path
    srt: Path
    chapters: Path
    report: Path

    @classmethod
    def beside(cls, mp3: Path) -> "Outputs":
        """Sidecars named from the MP3's full stem: ``show.ep1.mp3`` -> ``show.ep1.json``, never ``show.json``."""
        mp3 = Path(mp3)
        stem = stem_of(mp3)
        return cls(mp3, *(mp3.with_name(stem + suffix) for suffix in SIDECARS))

    def all(self) -> list[Path]:
        return [self.mp3, self.transcript, self.vtt, self.srt, self.chapters, self.report]


@dataclass
class RenderResult:
    episode: Episode
    outputs: Outputs
    loudness: Loudness
    duration: float
    seconds: float
    cache_hits: int
    cache_misses: int
    layout: Layout
    bitrate: str
    stems: Path | None = None  # the session folder, when asked for

    def report(self) -> dict:
        return {
            "episode": self.episode.source,
            "title": self.episode.title,
            "episode_number": self.episode.episode_number,
            "renderer": __version__,
            "duration_seconds": round(self.duration, 3),
            "integrated_lufs": round(self.loudness.integrated, 2),
            "true_peak_dbtp": round(self.loudness.true_peak, 2),
            "loudness_range_lu": round(self.loudness.loudness_range, 2),
            "bitrate": self.bitrate,
            "sample_rate": SAMPLE_RATE,
            "render_seconds": round(self.seconds, 2),
            "lines_from_cache": self.cache_hits,
            "lines_synthesized": self.cache_misses,
            "chapters": len(self.layout.chapters),
            "sounds": len(self.layout.sounds),
        }


#: Characters of script per synthesis job: about 25 s of speech, enough to pay Rubber Band's set-up
#: once for several lines, small enough that both cores stay busy to the end.
BATCH_CHARS = 400


class _ImportMixing:
    """Import what levelling and mastering use (scipy.signal: 0.7 s here) in the background once a
    voice has loaded to synthesize a line: synthesis runs outside the GIL, so the wait disappears.
    A re-render whose lines all come from the cache needs none of it and does not pay for it."""

    def __init__(self) -> None:
        self._started = threading.Lock()

    def __call__(self) -> None:
        if self._started.acquire(blocking=False):
            threading.Thread(target=_import_scipy_signal, name="import-mixing", daemon=True).start()


def _import_scipy_signal() -> None:
    try:
        import scipy.signal  # noqa: F401
    except ImportError:  # mastering will say so itself, on the main thread
        pass


def speak_lines(episode: Episode, project: Project, speaker: LineSpeaker, progress: Progress | None = None,
                workers: int = 2, skip: frozenset[int] = frozenset()) -> dict[int, np.ndarray]:
    """Synthesize every line and heading, ``workers`` jobs at a time (onnxruntime releases the GIL).

    A job is a few lines of one voice and pitch (see ``synthesis_jobs``); the longest jobs go first, so
    the last one is short and neither core waits long for the other. Events in ``skip`` (a take
    replaces them) are not synthesized.
    """
    said = {i: s for i, s in what_is_said(episode).items() if i not in skip}
    jobs = synthesis_jobs(episode, project, said)
    total = sum(len(job) for job in jobs)
    done = 0
    out: dict[int, np.ndarray] = {}

    def one(job: list[tuple[int, list[Profile]]]) -> list[tuple[int, np.ndarray]]:
        try:
            takes = iter(speaker.speak_many([(p, said[i]) for i, profiles in job for p in profiles]))
        except InvalidTake as bad:
            index, name = [(i, n) for i, profiles in job for n in _names(episode.events[i], len(profiles))][bad.request]
            raise VoiceError(f"{name}'s voice ({bad.voice}) gave {bad.problem} for this line, so it would be "
                             "missing from the episode.", file=episode.source, line=episode.events[index].line,
                             hint=f"Its voice pack or model is damaged: restore it, or give {name} another voice "
                                  "in the cast.") from None
        return [(i, _layer([next(takes) for _ in profiles])) for i, profiles in job]

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        for future in as_completed([pool.submit(one, job) for job in jobs]):
            for index, audio in future.result():
                out[index] = audio
                done += 1
                if progress:
                    progress(done, total, episode.events[index].speaker or "")
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: stop now, not after every queued line
        raise
    pool.shutdown()
    return out


def _names(event: Event, count: int) -> list[str]:
    """The characters of a voiced event, one per profile (the narrator when it names none)."""
    names = list(event.speakers)
    return names if len(names) == count else [event.speaker or "Narrator"] * count


def synthesis_jobs(episode: Episode, project: Project, said: dict[int, Said],
                   limit: int = BATCH_CHARS) -> list[list[tuple[int, list[Profile]]]]:
    """Every spoken event with its profiles, grouped into jobs of one voice and pitch, longest first.

    Voices speaking together (a unity-box) are a job of their own.
    """
    groups: dict[tuple, list[tuple[int, list[Profile]]]] = {}
    for index, event in enumerate(episode.events):
        if index not in said:
            continue
        names: list[str | None] = [*event.speakers] or [None]
        profiles = in_unison([project.cast.profile(n, event.delivery, event.block, event.scene, event.degree)
                              for n in names])
        first = profiles[0]
        key = (first.engine, first.pitch, first.preserve_formants) if len(profiles) == 1 else ("together", index)
        groups.setdefault(key, []).append((index, profiles))

    def size(member: tuple[int, list[Profile]]) -> int:
        what = said[member[0]]
        return len(what) if isinstance(what, str) else 20  # a vocal sound is about a short sentence's work

    jobs: list[tuple[int, list[tuple[int, list[Profile]]]]] = []  # (characters, members)
    for members in groups.values():
        members.sort(key=size, reverse=True)
        filled, batch = 0, []
        for member in members:
            if batch and filled + size(member) > limit:
                jobs.append((filled, batch))
                filled, batch = 0, []
            batch.append(member)
            filled += size(member)
        jobs.append((filled, batch))
    return [batch for _, batch in sorted(jobs, key=lambda job: -job[0])]


def what_is_said(episode: Episode) -> dict[int, Said]:
    """What each voiced event says, by its index: a line's or heading's speech, or a vocal sound.

    A vocal sound is varied by the words of the speaker's line it sits beside (the next one in the
    turn, else the one before), so the laughs of an episode differ, and an edit elsewhere in the
    script leaves each one as it was.
    """
    out: dict[int, Said] = {}
    seen: dict[str, int] = {}
    events = episode.events
    for index, event in enumerate(events):
        if event.spoken and event.speech:
            out[index] = event.speech
        elif event.kind == "vocal" and event.vocal and event.speaker:
            near = _line_of_turn(events, range(index + 1, len(events)), event.turn) or \
                _line_of_turn(events, range(index - 1, -1, -1), event.turn)
            context = f"{event.speaker}|{event.vocal}|{event.text}|{near}"
            seen[context] = seen.get(context, 0) + 1
            out[index] = Vocal(event.vocal, event.degree or 1.0, f"{context}|{seen[context]}")
    return out


def _line_of_turn(events: list[Event], order: range, turn: int) -> str:
    """The text of the first line of ``turn`` met going through ``order``; "" when there is none."""
    for i in order:
        if events[i].turn != turn:
            break
        if events[i].kind == "line":
            return events[i].text
    return ""


def _layer(takes: list[np.ndarray]) -> np.ndarray:
    """Several characters at once (unity-box): staggered by 25 ms so the voices stay distinct."""
    if len(takes) == 1:
        return takes[0]
    offset = int(0.025 * SAMPLE_RATE)
    length = max(t.size + i * offset for i, t in enumerate(takes))
    out = np.zeros(length, dtype=np.float32)
    for i, take in enumerate(takes):
        out[i * offset:i * offset + take.size] += take
    return out / np.float32(np.sqrt(len(takes)))


def render_episode(path: Path, project: Project, out: Path, *, cache_dir: Path | None,
                   progress: Progress | None = None, stage: Callable[[str], None] | None = None,
                   workers: int = 2, threads: int | None = None, cores: int = 2,
                   stems: bool = False) -> RenderResult:
    """Render one episode to ``out`` (MP3) plus transcript, captions, chapters and report beside it;
    with ``stems``, its stems and a DAW session too (see ``session``), published with them as a unit.

    ``workers`` lines are synthesized at once; ``threads`` is each synthesis's thread count (default:
    1 when lines run in parallel, else every core); ``cores`` is how many the mastering may use
    (the master is the same bytes whatever the number).
    """
    started = time.perf_counter()
    say = stage or (lambda _msg: None)
    outputs = Outputs.beside(Path(out))
    inputs = input_files(path, project)
    check_outputs(outputs.all(), inputs)
    if stems:
        check_session_folder(outputs.mp3, inputs)
    sweep(outputs.mp3.parent)  # temp files of a killed run
    episode = load_episode(path, project)
    check_length(episode, project)
    room = episode_room(episode, project.show.room)
    # now: a broken sound file fails before minutes of synthesis
    sounds = {n: project.sounds.load(n) for n in sorted(sounds_needed(episode, project))}
    takes = load_takes(episode, path, project)  # an unreadable take fails here too, before synthesis
    episode.warnings.extend(takes.warnings)
    unwritable = check_writable(outputs.mp3.parent)
    if unwritable is not None:
        raise unwritable
    cache = LineCache(cache_dir)
    if threads is None:
        threads = 1 if workers > 1 else 0
    with Voices(project.cast.voices_dir, threads) as voices:  # closed: the sessions' memory is the mastering's
        speaker = LineSpeaker(cache, voices, before_synthesis=_ImportMixing())
        say("Synthesizing lines")
        lines = speak_lines(episode, project, speaker, progress, workers, skip=frozenset(takes.audio))
    lines.update(levelled(takes.audio, lines, episode))
    say("Mixing")
    levels = LevelCache(Path(cache_dir) / "levels" if cache_dir else None)
    timeline = plan(episode, lines, sounds, project.cues, project.show.timing,
                    intro=sounds.get(project.show.intro or ""), outro=sounds.get(project.show.outro or ""),
                    intro_name=project.show.intro or "intro", outro_name=project.show.outro or "outro",
                    measure=levels)
    place_clips(timeline, event_places(episode, project.cast, project.rules, room),
                mix_channels(project.show.channels, project.cast))
    with SessionFolder(session_folder(outputs.mp3)) if stems else nullcontext() as folder:
        mix = mixdown(timeline, project.cues.duck_db)
        if folder is not None:  # before the clips are freed; a stem at a time
            say("Writing stems")
            write_session(timeline, episode, project.cues, mix.shape[-1], folder, stem_of(outputs.mp3),
                          project.cues.duck_db)
        lines.clear()  # the mix holds every sample now: free the lines before mastering copies it
        timeline.clips.clear()
        _release_freed_memory()
        say("Mastering")
        encoded = EncodedCache(Path(cache_dir) / "encoded" if cache_dir else None)
        if encoded.folder is not None:
            sweep(encoded.folder)
        with file_set(outputs.all()) as temps:  # the MP3 and its sidecars: all new, or all as they were
            bitrate = bitrate_for(project, timeline.channels)
            loudness = _master_and_write(mix, project, episode, timeline.layout, outputs, temps, encoded, bitrate,
                                         parts=cores)
            episode.warnings.extend(next(([c.unwritable] for c in (cache, levels, encoded) if c.unwritable), []))
            result = RenderResult(episode, outputs, loudness, timeline.layout.duration, time.perf_counter() - started,
                                  cache.hits, cache.misses, timeline.layout, bitrate,
                                  folder.target if folder is not None else None)
            temps[outputs.report].write_text(json.dumps(result.report(), indent=2) + "\n", encoding="utf-8")
            if folder is not None:
                folder.swap_in()  # last: a failure publishing the files above puts the earlier folder back
    return result


def bitrate_for(project: Project, channels: int) -> str:
    """show.toml's [audio] bitrate, else 160k for joint stereo and 128k for mono: 160k is the lowest
    rate whose coding error is within 1 dB of mono at 128k (README, "The stereo scene")."""
    return project.show.bitrate or ("160k" if channels == 2 else "128k")


def sounds_needed(episode: Episode, project: Project) -> set[str]:
    """The sounds a render of ``episode`` loads: those the episode, its blocks and the show play that
    have a file (the rest are warnings). Known from the script and settings alone, so the cluster
    sends a worker these files without rendering anything."""
    names = episode.sounds
    for design in project.cues.blocks.values():
        names |= {n for n in (design.before, design.bed) if n}
    names |= {n for n in (project.show.intro, project.show.outro) if n}
    return {n for n in names if project.sounds.has(n)}


def _release_freed_memory() -> None:
    """Hand the freed lines' memory back to the system before mastering needs its own.

    The lines were allocated on the synthesis threads' malloc arenas, which keep freed memory for
    reuse: without this a 21-minute episode would master with every line still counted in its
    peak. glibc only; elsewhere a no-op."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _master_and_write(mix: np.ndarray, project: Project, episode: Episode, layout: Layout,
                      outputs: Outputs, temps: dict[Path, Path], encoded: EncodedCache, bitrate: str,
                      parts: int = 1) -> Loudness:
    """The MP3 (mastered and gated, or the same mix's earlier encode), tagged, with its sidecars, each
    written to its temp in ``temps``.

    ``mix`` is mastered in place: it is not needed afterwards, and a second copy would cost memory."""
    key = mix_key(mix, __version__, project.show.target, bitrate) if encoded.folder else ""
    tmp = temps[outputs.mp3]
    loudness = encoded.get(key, tmp)
    if loudness is None:
        loudness = _encode_within_target(mix, project, episode, tmp, bitrate, parts)
        encoded.put(key, tmp, loudness)
    write_tags(tmp, title=episode.title or Path(outputs.mp3).stem, track=episode.episode_number,
               date=episode.date, description=episode.description, show=project.show.name,
               author=project.show.author, chapters=layout.chapters, cover=project.show.cover)
    for path, text in ((outputs.transcript, transcript_json(layout)), (outputs.vtt, webvtt(layout)),
                       (outputs.srt, srt(layout)), (outputs.chapters, chapters_json(layout, episode.title))):
        temps[path].write_text(text, encoding="utf-8")
    return loudness


def _encode_within_target(mix: np.ndarray, project: Project, episode: Episode, tmp: Path, bitrate: str,
                          parts: int = 1) -> Loudness:
    """Master, encode, and gate on the *encoded* file; correct and retry, else fail.

    ``parts``: cores the mastering may use (the MP3 encoder itself runs on one). ``mix`` is
    mastered in place, and the encoder and the gate take the signal a block at a time, so the peak
    memory is the mix and one limited copy of it, however long the episode.
    """
    target = project.show.target
    length = mix.shape[-1]
    prepared = prepare(mix, parts, out=mix)
    prepared_loudness = integrated_loudness(prepared, parts=parts)
    limited = np.empty_like(prepared)
    trim = 0.0
    for attempt in range(3):
        write_mp3(tmp, ahead(finished(prepared, target, trim_db=trim, loudness=prepared_loudness, parts=parts,
                                      out=limited)), bitrate=bitrate)
        loudness, frames = measure_file(tmp)
        if frames < length:
            raise RenderError(
                f"the encoded MP3 is shorter than the mix: {frames / SAMPLE_RATE:.2f} s "
                f"of {length / SAMPLE_RATE:.2f} s.",
                file=episode.source, hint="Nothing was written. Check the disk has room, and try again.")
        lufs_ok = abs(loudness.integrated - target.lufs) <= target.tolerance * (0.5 if attempt < 2 else 1.0)
        peak_ok = loudness.true_peak <= target.true_peak
        if lufs_ok and peak_ok:
            return loudness
        trim += target.lufs - loudness.integrated
        if not peak_ok:  # the encoder overshot more than expected: leave it more room
            target = replace(target, codec_headroom=target.codec_headroom
                             + (loudness.true_peak - target.true_peak) + 0.3)
    raise RenderError(
        f"the encoded MP3 misses the loudness target: {loudness.integrated:.2f} LUFS "
        f"(target {target.lufs} ±{target.tolerance}), true peak {loudness.true_peak:.2f} dBTP "
        f"(ceiling {target.true_peak}).", file=episode.source,
        hint="Nothing was written. Check for very loud or silent sounds in sfx/ and the cast's gain_db.")
