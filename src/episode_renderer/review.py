"""A line-by-line check of a finished render: the lines a producer should listen to, and why.

Each transcript segment (one line) is cut from the decoded MP3 and checked on its own: Whisper
(tiny.en, offline) hears its words and they are compared with the script's, word by word; the line's
own audio is searched for a long silence inside it and for samples at full scale; and its loudness is
compared with the same character's other lines. Nothing here judges acting or pronunciation beyond
what changes the words heard.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import EpisodeError
from .export.paths import REVIEW_SUFFIX, stem_of
from .hashing import file_sha256
from .reading import not_regular, read_bounded

#: How a line's word differences are weighed (``word_weight``): a run of differences that reads almost
#: like the script when its letters are joined ("7:23" / "723", "backup" / "back of", "moved" / "move")
#: is the recogniser's spelling, not the voice's fault; a short function word swapped for another is
#: (or heard as another word) is what tiny.en does to clear speech; a word of four letters or more missing or replaced is what a
#: skipped or mangled line looks like.
ALIKE = 0.65
CONTENT_LETTERS = 4
#: A line is flagged for its words at this weight, or as soon as a content word is missing or replaced.
FLAG_WEIGHT = 2.0
#: Quiet inside a line (not before or after its words) for this long is a gap a listener hears.
GAP_SECONDS = 1.0
GAP_BELOW_DB = 35.0
#: Consecutive samples at full scale that are clipping, not a peak.
CLIP_LEVEL = 0.999
CLIP_RUN = 3
#: A line this far from the median of its character's lines (LU) is much louder or quieter.
LOUDNESS_LU = 6.0


@dataclass
class LineReview:
    """One line as the check found it; ``problems`` is empty when there is nothing to listen for."""

    number: int  # 1-based segment of the transcript (the listen page's #tN)
    speaker: str
    start: float
    end: float
    text: str
    heard: str | None = None  # None for a vocal sound ([laughs]): it has no words to hear
    words: int = 0
    missed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[list[str]] = field(default_factory=list)  # [written, heard]
    gap_seconds: float = 0.0
    clipped: int = 0  # runs of samples at full scale
    loudness_lufs: float | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Review:
    mp3: Path
    lines: list[LineReview]
    sha256: str = ""  # of the MP3 reviewed: the listen page ignores a review of an earlier render

    @property
    def flagged(self) -> list[LineReview]:
        return [line for line in self.lines if line.problems]

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "mp3": self.mp3.name, "mp3_sha256": self.sha256, "checked": len(self.lines), "flagged": len(self.flagged),
                "limits": {"flag_weight": FLAG_WEIGHT, "gap_seconds": GAP_SECONDS,
                           "loudness_lu": LOUDNESS_LU},
                "lines": [{k: v for k, v in asdict(line).items()} for line in self.lines]}


#: A 4-hour episode's transcript is about 2 MB; a file many times that is not one.
MAX_TRANSCRIPT_BYTES = 50_000_000


def review_path(mp3: Path) -> Path:
    """``<stem>.review.json`` beside the MP3, named as its other sidecars are."""
    return Path(mp3).with_name(stem_of(Path(mp3)) + REVIEW_SUFFIX)


def _transcript(mp3: Path) -> list[dict]:
    """The transcript segments beside ``mp3``; a missing or foreign file is one error saying what to do."""
    path = Path(mp3).with_name(stem_of(Path(mp3)) + ".json")
    try:
        data = json.loads(read_bounded(path, MAX_TRANSCRIPT_BYTES, EpisodeError, what="a transcript",
                                       limit_text=f"{MAX_TRANSCRIPT_BYTES // 1_000_000} MB",
                                       hint="Review an MP3 that `episode render` wrote, with its .json sidecar."))
        segments = data["segments"]
        return [s for s in segments if float(s["endTime"]) >= float(s["startTime"]) and isinstance(s["body"], str)]
    except FileNotFoundError:
        raise EpisodeError(f"has no transcript beside it ({path.name}), so its lines cannot be found.", file=mp3,
                           hint="Review an MP3 that `episode render` wrote, with its .json sidecar.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EpisodeError(f"is not a transcript `episode render` wrote ({exc.__class__.__name__}).", file=path,
                           hint="Render the episode again to rewrite it.") from None


def _check_mp3(mp3: Path) -> None:
    kind = not_regular(Path(mp3))
    if not Path(mp3).is_file():
        raise EpisodeError(f"is {kind}, not an MP3." if kind else "file not found.", file=mp3,
                           hint="Pass the MP3 `episode render` wrote.")


def _windows(mp3: Path, spans: list[tuple[float, float]]) -> Iterator[tuple[np.ndarray, int]]:
    """Each line's window of the decoded MP3, one at a time: memory is a line, not the episode."""
    from .export.mp3 import read_windows

    try:
        yield from read_windows(Path(mp3), spans)
    except Exception as exc:  # noqa: BLE001 - the decoder raises whatever its library does
        raise EpisodeError(f"cannot be decoded ({exc}).", file=mp3, hint="Render the episode again.") from None


def longest_gap(audio: np.ndarray, rate: int) -> float:
    """The longest quiet stretch (seconds) between the first and last words of a line."""
    hop = max(1, rate // 100)
    count = audio.size // hop
    if count < 3:
        return 0.0
    level = 10 * np.log10(np.mean(audio[:count * hop].astype(np.float64).reshape(count, hop) ** 2, axis=1) + 1e-20)
    loud = level > np.percentile(level, 95) - GAP_BELOW_DB
    inside = np.nonzero(loud)[0]
    if inside.size < 2:
        return 0.0
    quiet = ~loud[inside[0]:inside[-1] + 1]
    run = best = 0
    for q in quiet:
        run = run + 1 if q else 0
        best = max(best, run)
    return best * hop / rate


def clipped_runs(audio: np.ndarray) -> int:
    """How many runs of at least CLIP_RUN consecutive samples sit at full scale."""
    hot = np.abs(audio) >= CLIP_LEVEL
    if not hot.any():
        return 0
    edges = np.diff(np.concatenate([[0], hot.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return int(np.sum(ends - starts >= CLIP_RUN))


def _words(line: LineReview, audio: np.ndarray, rate: int) -> None:
    from .quality import WHISPER_RATE, heard_in, word_changes
    from .tts.shaping import resample

    line.heard = heard_in(resample(audio, rate, WHISPER_RATE)) if audio.size >= rate // 10 else ""
    changes = word_changes(line.text, line.heard)
    line.words, line.missed, line.added = changes.words, changes.missed, changes.added
    line.changed = [list(pair) for pair in changes.changed]
    weight, content = word_weight(changes.regions)
    if weight >= FLAG_WEIGHT or content:
        said = [f"missed {_quoted(changes.missed)}" if changes.missed else "",
                f"added {_quoted(changes.added)}" if changes.added else "",
                "changed " + ", ".join(f"\"{a}\" -> \"{b}\"" for a, b in changes.changed) if changes.changed else ""]
        line.problems.append("words: " + "; ".join(s for s in said if s))


def word_weight(regions: list[tuple[list[str], list[str]]]) -> tuple[float, bool]:
    """(weight of the differences, whether a content word was lost) for a line's runs of differences."""
    from difflib import SequenceMatcher

    weight, content = 0.0, False
    for written, heard in regions:
        if SequenceMatcher(None, "".join(written), "".join(heard)).ratio() >= ALIKE:
            weight += 0.5 if written != heard else 0.0
            continue
        for index in range(max(len(written), len(heard))):
            word = written[index] if index < len(written) else ""
            other = heard[index] if index < len(heard) else ""
            weight += 0.5 if word and other and len(word) < CONTENT_LETTERS else 1.0
            content = content or len(word) >= CONTENT_LETTERS
    return weight, content


def _quoted(words: list[str]) -> str:
    return " ".join(f"\"{w}\"" for w in words)


def review(mp3: Path, progress: Callable[[int, int], None] | None = None) -> Review:
    """Check every line of a render; ``progress(done, total)`` after each."""
    from .mix.levels import speech_loudness
    from .quality import has_words, segment_windows
    from .tts.shaping import resample
    from .audio import SAMPLE_RATE

    _check_mp3(mp3)
    digest = file_sha256(Path(mp3))  # first: the flags belong to the file as it was when read
    segments = _transcript(mp3)
    windows = segment_windows(segments)
    lines = []
    for number, (seg, (lo, _hi), (window, rate)) in enumerate(zip(segments, windows, _windows(mp3, windows)), 1):
        line = LineReview(number, str(seg.get("speaker") or ""), float(seg["startTime"]), float(seg["endTime"]),
                          seg["body"])
        first = int(lo * rate)
        span = window[int(line.start * rate) - first:int(line.end * rate) - first]
        if has_words(line.text):
            _words(line, window, rate)
            line.gap_seconds = round(longest_gap(span, rate), 2)
            if line.gap_seconds >= GAP_SECONDS:
                line.problems.append(f"silence: {line.gap_seconds:.1f} s inside the line")
            loudness = speech_loudness(resample(span, rate, SAMPLE_RATE)) if span.size else float("-inf")
            line.loudness_lufs = round(float(loudness), 1) if np.isfinite(loudness) else None
        line.clipped = clipped_runs(span)
        if line.clipped:
            line.problems.append(f"clipping: {line.clipped} run(s) of samples at full scale")
        lines.append(line)
        if progress:
            progress(number, len(segments))
    loudness_outliers(lines)
    return Review(Path(mp3), lines, digest)


def loudness_outliers(lines: list[LineReview]) -> None:
    """Flag a line far louder or quieter than the median of its character's other lines."""
    by_speaker: dict[str, list[LineReview]] = {}
    for line in lines:
        if line.loudness_lufs is not None:
            by_speaker.setdefault(line.speaker, []).append(line)
    for own in by_speaker.values():
        for line in own:
            others = [o.loudness_lufs for o in own if o is not line]
            if len(others) < 2:
                continue
            off = line.loudness_lufs - float(np.median(others))  # type: ignore[operator]
            if abs(off) >= LOUDNESS_LU:
                line.problems.append(f"loudness: {abs(off):.1f} LU {'louder' if off > 0 else 'quieter'} than "
                                     f"{line.speaker}'s other lines")


def write_review(result: Review) -> Path:
    """The review as JSON beside the MP3 (atomically): what the listen page marks."""
    from .export.atomic import write_text

    target = review_path(result.mp3)
    write_text(target, json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    return target
