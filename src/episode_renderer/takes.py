"""Recorded takes in place of synthesized lines: which line a file is for, and the take made ready.

A line is known by its identity, the character and the line's own words (``kai-only-when-nobody-
asks-twice``, with ``-2`` for a repeat), so editing any other line of the script keeps every take in
place. A take is found in ``takes/<episode stem>/<line id>.wav`` beside the script (``[takes] folder``
moves that folder) or named in show.toml's ``[takes.lines]``. Everything here runs before synthesis,
so a take that cannot be read stops the render before minutes of work.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE
from .config import Project
from .errors import TakeError
from .reading import not_regular
from .script.model import NARRATOR, Episode, Event

#: What a take may be recorded as (pedalboard reads all three).
TAKE_EXTENSIONS = (".wav", ".flac", ".mp3")
#: A take file larger than this is not one line (a 200 MB WAV is 20 minutes of CD audio).
MAX_TAKE_BYTES = 200_000_000
#: A take that plays longer than this is not one line either, however small its file (a compressed hour).
MAX_TAKE_SECONDS = 600
#: How long an identity's words may run; a longer line is known by its opening words.
ID_CHARS = 60
#: Trimming: 10 ms frames quieter than this under the take's loudest frame are silence at its ends.
TRIM_BELOW_DB = 45.0
TRIM_KEEP_SECONDS = 0.04
#: A take Whisper hears this far from its line (word error rate) is reported: another line, or a slip.
MISMATCH_WER = 0.4
_WORD = re.compile(r"[a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: what a file name can carry on any system."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(_WORD.findall(plain))


def line_ids(episode: Episode) -> dict[int, str]:
    """Each spoken event's identity, by event index: ``<character>-<its words>``, ``-2`` on a repeat.

    Only the line's own speaker and words go in, so an edit to any other line leaves it as it was.
    """
    ids: dict[int, str] = {}
    seen: Counter[str] = Counter()
    for index, event in enumerate(episode.events):
        if not (event.spoken and event.speech):
            continue
        words = slug(event.text)
        if len(words) > ID_CHARS:
            words = words[:ID_CHARS].rsplit("-", 1)[0]
        base = "-".join(p for p in (slug(event.speaker or NARRATOR), words) if p) or "line"
        seen[base] += 1
        ids[index] = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return ids


def takes_folder(script: Path, project: Project) -> Path:
    """Where the takes of ``script`` are looked for: ``takes/<stem>/`` beside it, or under [takes] folder."""
    script = Path(script)
    return (project.show.takes_folder or script.parent / "takes") / script.stem


@dataclass(frozen=True)
class Found:
    """The takes of one episode: by event index, and the files that match no line (with why)."""

    files: dict[int, Path]
    ids: dict[int, str]
    stray: list[str]


def find_takes(episode: Episode, script: Path, project: Project) -> Found:
    """Every line's take, from the episode's takes folder and show.toml's [takes.lines] (which wins)."""
    ids = line_ids(episode)
    by_id = {line_id: index for index, line_id in ids.items()}
    folder = takes_folder(script, project)
    named: dict[str, Path] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in TAKE_EXTENSIONS or path.name.startswith("."):
                continue
            if path.stem in named:
                raise TakeError(f"two takes for one line: {named[path.stem].name} and {path.name}.", file=folder,
                                hint="Keep one of them (move the other out of the folder).")
            named[path.stem] = path
    stem = Path(script).stem
    for key, path in project.show.takes_lines.items():
        episode_stem, _, line_id = key.partition("/")
        if episode_stem == stem:
            named[line_id] = path
    stray = [f"{path} is a take for \"{line_id}\", which is no line of {script} (the line was edited, or the "
             f"file is misnamed); `episode takes {script}` lists each line's id." for line_id, path in named.items()
             if line_id not in by_id]
    return Found({by_id[k]: p for k, p in named.items() if k in by_id}, ids, stray)


def take_files(script: Path, project: Project) -> list[Path]:
    """Every file that may be a take of ``script``, found without parsing it: what its freshness hashes."""
    folder = takes_folder(script, project)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in TAKE_EXTENSIONS) if folder.is_dir() else []
    stem = Path(script).stem
    return files + [p for key, p in sorted(project.show.takes_lines.items()) if key.partition("/")[0] == stem]


def read_take(path: Path) -> np.ndarray:
    """A take as 44.1 kHz mono float32, silence trimmed from both ends; a file that cannot be one is a
    TakeError naming it."""
    from .export.mp3 import decoded_seconds, read_audio
    from .tts.shaping import resample

    path = Path(path)
    kind = not_regular(path)
    if not path.is_file():
        raise TakeError(f"is {kind}, not a recording." if kind else "no such file.", file=path,
                        hint="Give a WAV, FLAC or MP3 file of the line.")
    if path.stat().st_size > MAX_TAKE_BYTES:
        raise TakeError(f"is larger than {MAX_TAKE_BYTES // 1_000_000} MB: not the recording of one line.",
                        file=path, hint="Cut the take to its line and export it again.")
    try:
        seconds = decoded_seconds(path)
        if seconds > MAX_TAKE_SECONDS:  # before decoding: a small file can decode to hours of samples
            raise TakeError(f"is {seconds / 60:.0f} minutes long: not the recording of one line (at most "
                            f"{MAX_TAKE_SECONDS // 60} minutes).", file=path,
                            hint="Cut the take to its line and export it again.")
        audio, rate = read_audio(path)
    except TakeError:
        raise
    except Exception as exc:  # noqa: BLE001 - pedalboard's decoders raise whatever their library does
        raise TakeError(f"cannot be read as audio ({exc}).", file=path,
                        hint="Export the take again as WAV, FLAC or MP3.") from None
    if audio.size == 0 or not np.isfinite(audio).all() or float(np.max(np.abs(audio))) < 1e-4:
        raise TakeError("is silent or damaged (no usable samples).", file=path,
                        hint="Record or export the take again.")
    return trimmed(resample(audio, rate, SAMPLE_RATE))


def trimmed(audio: np.ndarray) -> np.ndarray:
    """``audio`` without the silence before and after the words (a few ms kept, faded, so no click)."""
    hop = SAMPLE_RATE // 100
    frames = audio[:audio.size - audio.size % hop].reshape(-1, hop) if audio.size >= hop else audio[None, :]
    level = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-20)
    loud = np.nonzero(level > level.max() - TRIM_BELOW_DB)[0]
    keep = int(TRIM_KEEP_SECONDS * SAMPLE_RATE)
    start = max(0, int(loud[0]) * hop - keep)
    end = min(audio.size, (int(loud[-1]) + 1) * hop + keep)
    out = audio[start:end].astype(np.float32, copy=True)
    fade = min(keep, out.size // 2)
    if fade:
        out[:fade] *= np.linspace(0.0, 1.0, fade, dtype=np.float32)
        out[out.size - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out


def treated(audio: np.ndarray, event: Event, project: Project) -> np.ndarray:
    """The take with its character's effects for this line (cast, block and delivery), as a voice gets them."""
    from .tts.shaping import apply_effects

    profile = project.cast.profile(event.speakers[0] if event.speakers else None, event.delivery, event.block,
                                   event.scene, event.degree)
    return apply_effects(audio, SAMPLE_RATE, effects=profile.effects)


def mismatch(audio: np.ndarray, event: Event, path: Path, script: Path) -> str | None:
    """A warning when Whisper hears the take say something other than its line; None when it says it."""
    from .quality import WHISPER_RATE, has_words, heard_in, score_texts
    from .tts.shaping import resample

    if not has_words(event.text):
        return None
    heard = heard_in(resample(audio, SAMPLE_RATE, WHISPER_RATE))
    score = score_texts(event.text, heard)
    if score.wer < MISMATCH_WER:
        return None
    return (f"{path}: the take does not say its line ({script}:{event.line}, "
            f"{event.speaker or NARRATOR}: \"{_short(event.text)}\"); Whisper heard \"{_short(heard)}\" "
            f"({score.errors} word errors in {score.words} words). Record it again, or check it is this line's take.")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass
class Takes:
    """The episode's takes made ready before synthesis: audio by event index, and what to warn about."""

    audio: dict[int, np.ndarray]
    files: dict[int, Path]
    warnings: list[str]


def load_takes(episode: Episode, script: Path, project: Project, *, check: bool = True) -> Takes:
    """Read, trim, resample and (with [takes] treatment) treat every take of ``episode``; with
    ``check``, Whisper hears each one (when the [quality] extra is installed)."""
    found = find_takes(episode, script, project)
    raw = {index: read_take(path) for index, path in sorted(found.files.items())}
    audio = {index: treated(take, episode.events[index], project) if project.show.takes_treatment else take
             for index, take in raw.items()}
    warnings = list(found.stray)
    if check and raw:
        from importlib.util import find_spec

        if find_spec("faster_whisper") is not None:  # the take as recorded: a treatment is not its words
            warnings += [problem for index, take in raw.items()
                         if (problem := mismatch(take, episode.events[index], found.files[index], script))]
        else:
            warnings.append("the takes were not checked against their lines: Whisper needs the [quality] extra "
                            "(pip install -e '.[quality]').")
    return Takes(audio, found.files, warnings)


def levelled(takes: dict[int, np.ndarray], lines: dict[int, np.ndarray], episode: Episode) -> dict[int, np.ndarray]:
    """Each take at its character's speech loudness: the median of their synthesized lines (of every
    synthesized line when all of theirs are takes), so a take sits in the episode as a line would."""
    from .mix.levels import speech_loudness

    if not takes:
        return {}
    measured = {i: speech_loudness(a) for i, a in lines.items()
                if i not in takes and episode.events[i].kind == "line" and a.size}
    measured = {i: v for i, v in measured.items() if np.isfinite(v)}
    out = {}
    for index, take in takes.items():
        speaker = episode.events[index].speaker
        own = [v for i, v in measured.items() if episode.events[i].speaker == speaker]
        reference = own or list(measured.values())
        target = float(np.median(reference)) if reference else -20.0
        level = speech_loudness(take)
        gain = target - level if np.isfinite(level) else 0.0
        out[index] = (take * np.float32(10 ** (gain / 20))).astype(np.float32)
    return out
