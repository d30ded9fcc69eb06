"""Mastering: EBU R128 loudness to the podcast target with a true-peak ceiling.

pyloudnorm measures (ITU-R BS.1770); pedalboard provides the filter, compressor and limiter.
True peak is measured on a 4x oversampled signal, since sample peaks under-read what a
decoder will reconstruct.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 44100


@dataclass(frozen=True)
class Target:
    lufs: float = -16.0
    tolerance: float = 1.0
    true_peak: float = -1.0  # dBTP ceiling the delivered file must respect
    limiter_ceiling: float = -2.0  # aimed below the ceiling: MP3 encoding adds overshoot


@dataclass(frozen=True)
class Loudness:
    integrated: float
    true_peak: float
    loudness_range: float


def integrated_loudness(audio: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    import pyloudnorm

    if audio.size < rate // 2:
        return float("-inf")
    return float(pyloudnorm.Meter(rate).integrated_loudness(audio))


def true_peak(audio: np.ndarray) -> float:
    """dBTP via 4x polyphase oversampling (BS.1770 annex 2 style)."""
    from scipy.signal import resample_poly

    if audio.size == 0:
        return float("-inf")
    peak = 0.0
    step = SAMPLE_RATE * 30
    for begin in range(0, audio.size, step):
        chunk = audio[max(0, begin - 64):begin + step + 64].astype(np.float64)
        peak = max(peak, float(np.max(np.abs(resample_poly(chunk, 4, 1)))))
    return float(20 * np.log10(peak)) if peak > 0 else float("-inf")


def loudness_range(audio: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """EBU Tech 3342 LRA: spread (10th-95th percentile) of 3 s short-term loudness, gated."""

    import pyloudnorm

    meter = pyloudnorm.Meter(rate)
    x = audio.astype(np.float64)
    for flt in meter._filters.values():  # K-weighting, as pyloudnorm applies it
        x = flt.apply_filter(x)
    window, hop = 3 * rate, rate // 10
    if x.size < window:
        return 0.0
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    starts = np.arange(0, x.size - window + 1, hop)
    power = (energy[starts + window] - energy[starts]) / window
    levels = -0.691 + 10 * np.log10(np.maximum(power, 1e-12))
    levels = levels[levels > -70]
    if levels.size == 0:
        return 0.0
    relative = 10 * np.log10(np.mean(10 ** (levels / 10))) - 20
    levels = levels[levels > relative]
    if levels.size < 2:
        return 0.0
    return float(np.percentile(levels, 95) - np.percentile(levels, 10))


def measure(audio: np.ndarray, rate: int = SAMPLE_RATE) -> Loudness:
    """Integrated loudness, true peak and loudness range, one after another: each makes float64
    copies of the whole episode, and side by side they would triple the peak memory."""
    return Loudness(integrated_loudness(audio, rate), true_peak(audio), loudness_range(audio, rate))


def prepare(audio: np.ndarray) -> np.ndarray:
    """The part of mastering that does not depend on the target: clean-up and gentle compression.

    The 16 kHz low-pass costs nothing audible (a 128 kbps MP3 drops that band anyway) and keeps the
    limiter's clipped edges from turning into inter-sample peaks above the ceiling.
    """
    import pedalboard

    board = pedalboard.Pedalboard([
        pedalboard.HighpassFilter(cutoff_frequency_hz=70),
        pedalboard.Compressor(threshold_db=-24, ratio=2.0, attack_ms=10, release_ms=150),
        pedalboard.LowpassFilter(cutoff_frequency_hz=16000),
    ])
    return board(audio.astype(np.float32)[None, :], SAMPLE_RATE)[0]


def finish(prepared: np.ndarray, target: Target = Target(), *, trim_db: float = 0.0,
           loudness: float | None = None) -> np.ndarray:
    """Gain to the loudness target (plus ``trim_db``) under the limiter's ceiling.

    ``loudness``: the prepared signal's integrated loudness, when the caller already measured it.
    """
    current = integrated_loudness(prepared) if loudness is None else loudness
    if not np.isfinite(current):
        return prepared.astype(np.float32)
    goal = target.lufs + trim_db
    gain = goal - current
    x = prepared[None, :]
    result = _limit(x * np.float32(10 ** (gain / 20)), target.limiter_ceiling)[0]
    miss = goal - integrated_loudness(result)
    if abs(miss) > 0.1:  # limiting moved the loudness: one correction lands within about 0.1 LU
        result = _limit(x * np.float32(10 ** ((gain + miss) / 20)), target.limiter_ceiling)[0]
    return result.astype(np.float32)


def master(audio: np.ndarray, target: Target = Target(), *, trim_db: float = 0.0) -> np.ndarray:
    """Clean up, compress gently, then hit the loudness target under the ceiling."""
    return finish(prepare(audio), target, trim_db=trim_db)


def _limit(x: np.ndarray, ceiling_db: float) -> np.ndarray:
    """pedalboard's Limiter, with its make-up gain taken back out, then a hard safety clip."""
    import pedalboard

    limited = pedalboard.Limiter(threshold_db=ceiling_db, release_ms=80)(x, SAMPLE_RATE)
    ceiling = 10 ** (ceiling_db / 20)
    peak = float(np.max(np.abs(limited))) if limited.size else 0.0
    if peak > ceiling:
        limited = limited * np.float32(ceiling / peak)
    return limited.astype(np.float32)
