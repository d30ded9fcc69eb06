"""Measuring a rendered scene from its decoded MP3 and transcript: where each line sits, what the
mono fold-down loses, how much of a line lies outside a band, how much tail a line leaves.

Plain numpy on the decoded file (pyloudnorm for loudness), independent of how the scene was made,
so the bench (bench/scene.py) and the tests (tests/test_scene.py) judge the output, not the intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Decoded:
    audio: np.ndarray  # (channels, samples)
    rate: int
    segments: list[dict]

    def span(self, segment: dict) -> np.ndarray:
        return self.audio[:, int(segment["startTime"] * self.rate):int(segment["endTime"] * self.rate)]


def decode(mp3: Path) -> Decoded:
    """The MP3's every channel and the transcript beside it."""
    import json

    from pedalboard.io import AudioFile

    with AudioFile(str(mp3)) as handle:
        audio = handle.read(handle.frames)
        rate = int(handle.samplerate)
    segments = json.loads(Path(mp3).with_suffix(".json").read_text("utf-8"))["segments"]
    return Decoded(audio.astype(np.float64), rate, segments)


def balance_db(piece: np.ndarray) -> float:
    """Left minus right energy, dB: positive is left of centre."""
    return float(10 * np.log10(np.sum(piece[0] ** 2) / max(np.sum(piece[1] ** 2), 1e-20)))


def correlation(piece: np.ndarray) -> float:
    """Pearson correlation of the two channels: 1 for one sound placed by level, near 0 for
    unrelated channels, negative where they would cancel in mono."""
    left, right = piece[0] - piece[0].mean(), piece[1] - piece[1].mean()
    return float(np.sum(left * right) / max(np.sqrt(np.sum(left ** 2) * np.sum(right ** 2)), 1e-20))


def loudness(audio: np.ndarray, rate: int) -> float:
    """BS.1770 integrated loudness of a (channels, samples) signal (pyloudnorm)."""
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(audio.T if audio.shape[0] > 1 else audio[0]))


def fold_down(audio: np.ndarray) -> np.ndarray:
    """What a mono speaker plays: (L + R) / 2 in both channels, as a stereo file heard in mono."""
    middle = audio.mean(axis=0)
    return np.stack([middle, middle])


def outside_band(piece: np.ndarray, rate: int, low: float = 300.0, high: float = 3400.0) -> float:
    """Share of a line's energy (both channels) outside ``low``-``high`` Hz."""
    spectrum = np.abs(np.fft.rfft(piece.mean(axis=0))) ** 2
    freqs = np.fft.rfftfreq(piece.shape[-1], 1.0 / rate)
    inside = (freqs >= low) & (freqs <= high)
    return float(spectrum[~inside].sum() / max(spectrum.sum(), 1e-20))


def tail_db(decoded: Decoded, segment: dict, begin: float = 0.05, end: float = 0.35) -> float:
    """Energy from ``begin`` to ``end`` s after a line's last word, against the line's own (dB)."""
    rate = decoded.rate
    stop = segment["endTime"]
    after = decoded.audio[:, int((stop + begin) * rate):int((stop + end) * rate)]
    line = decoded.span(segment)
    return float(10 * np.log10(max(np.mean(after ** 2), 1e-20) / max(np.mean(line ** 2), 1e-20)))
