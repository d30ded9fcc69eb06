"""Sound levels set against the speech around each sound, not in absolute dB.

A voice's loudness depends on the character and the delivery, so a fixed gain that sits a chime
under one voice puts it over another: each sound is measured (its loudest 400 ms, K-weighted, as a
listener hears a short hit) and placed so many LU under the lines either side of it.
"""

from __future__ import annotations

import numpy as np

from ..audio import SAMPLE_RATE
from ..script.model import SoundPart
from .compressor import prepare
from .loudness import hop_powers, integrated_loudness

_WINDOW_HOPS = 4  # 400 ms of 100 ms hops
COMPOUND_GAP = 0.05  # seconds between the parts of WHIRR-CLICK, and between repeats
_WOBBLE_HZ = 6.0


def loudest_window(audio: np.ndarray) -> float:
    """Loudness (LUFS) of the loudest 400 ms window; a sound shorter than that is heard in one."""
    hop = SAMPLE_RATE // 10
    size = max(audio.size, _WINDOW_HOPS * hop)
    padded = np.zeros(size + (-size) % hop, dtype=np.float32)
    padded[:audio.size] = audio
    hops = hop_powers(padded, SAMPLE_RATE)
    sums = np.concatenate([[0.0], np.cumsum(hops)])
    windows = (sums[_WINDOW_HOPS:] - sums[:-_WINDOW_HOPS]) / _WINDOW_HOPS
    top = float(np.max(windows)) if windows.size else 0.0
    return -0.691 + 10 * np.log10(max(top, 1e-20))


def speech_loudness(audio: np.ndarray) -> float:
    """Loudness of one spoken line (LUFS): gated integrated loudness, or the loudest window of a
    line too short to gate."""
    value = integrated_loudness(audio) if audio.size >= SAMPLE_RATE // 2 else float("-inf")
    return value if np.isfinite(value) else loudest_window(audio)


def shaped(audio: np.ndarray, part: SoundPart) -> np.ndarray:
    """A sound as its modifiers ask: pitch bent or wobbling (played faster or slower along the way),
    then repeated back to back."""
    out = audio
    if (part.bend or part.wobble) and audio.size > 1:
        t = np.arange(audio.size) / SAMPLE_RATE
        semitones = part.bend * t / t[-1] + part.wobble * np.sin(2 * np.pi * _WOBBLE_HZ * t)
        position = np.cumsum(2.0 ** (semitones / 12.0))
        position -= position[0]
        keep = position <= audio.size - 1
        out = np.interp(position[keep], np.arange(audio.size), audio).astype(np.float32)
    if part.repeat > 1:
        gap = np.zeros(int(COMPOUND_GAP * SAMPLE_RATE), dtype=np.float32)
        out = np.concatenate([piece for _ in range(part.repeat) for piece in (out, gap)][:-1])
    return out


def mastered_speech_loudness(audio: np.ndarray) -> float:
    """A line's loudness as the listener hears it, after the mastering compressor: what the sounds
    beside it are levelled against."""
    return speech_loudness(as_mastered(audio))


class Measure:
    """The two measurements levelling takes; a caller may remember them (see level_cache)."""

    def speech(self, audio: np.ndarray) -> float:
        return mastered_speech_loudness(audio)

    def placed(self, audio: np.ndarray, speech_lufs: float, level_lu: float, max_lu: float) -> tuple[float, float]:
        return placed_level(audio, speech_lufs, level_lu, max_lu)


def as_mastered(audio: np.ndarray) -> np.ndarray:
    """A clip through the mastering compressor: it holds loud speech down and leaves quiet sounds,
    so levels judged before it would put every sound a few LU too high."""
    return prepare(audio) if audio.size else audio


def placed_level(audio: np.ndarray, speech_lufs: float, level_lu: float, max_lu: float) -> tuple[float, float]:
    """(gain in dB, level in LU against the speech) that puts a sound at ``level_lu``, never above
    ``max_lu``, as heard after the compressor (one correction: it is gentle)."""
    target = min(level_lu, max_lu)
    heard = loudest_window(audio)
    if not np.isfinite(heard) or not np.isfinite(speech_lufs):
        return 0.0, target
    gain = speech_lufs + target - heard
    for _ in range(2):
        level = loudest_window(as_mastered(audio * np.float32(10 ** (gain / 20)))) - speech_lufs
        gain += target - level
    return gain, target
