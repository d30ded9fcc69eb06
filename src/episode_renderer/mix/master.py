"""Mastering: EBU R128 loudness to the podcast target with a true-peak ceiling.

Loudness follows ITU-R BS.1770 with pyloudnorm's K-weighting filters (tests hold it to pyloudnorm's
own measurement); pedalboard provides the filter, compressor and limiter.
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


def _hop_power(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal in each 100 ms hop.

    pyloudnorm's own K-weighting filters (ITU-R BS.1770), run as second-order sections on 10 s
    chunks: gating then works on hops, so a 20-minute episode needs megabytes, not the gigabytes
    of float64 copies a whole-signal measurement makes.
    """
    import pyloudnorm
    from scipy.signal import sosfilt

    filters = list(pyloudnorm.Meter(rate)._filters.values())
    sos = np.array([np.concatenate([f.b / f.a[0], f.a / f.a[0]]) for f in filters])
    gain = float(np.prod([f.passband_gain for f in filters]))
    hop = rate // 10
    usable = audio.size - audio.size % hop
    state = np.zeros((len(filters), 2))
    powers = []
    step = hop * 100
    for begin in range(0, usable, step):
        chunk = audio[begin:min(begin + step, usable)].astype(np.float64)
        weighted, state = sosfilt(sos, chunk, zi=state)
        powers.append(np.mean((weighted * gain).reshape(-1, hop) ** 2, axis=1))
    return np.concatenate(powers) if powers else np.zeros(0)


def _gated_mean(powers: np.ndarray, relative_db: float) -> np.ndarray:
    """Blocks above -70 LUFS and above the relative gate (BS.1770 / EBU Tech 3342)."""
    levels = -0.691 + 10 * np.log10(np.maximum(powers, 1e-20))
    kept = powers[levels > -70]
    if kept.size == 0:
        return kept
    relative = -0.691 + 10 * np.log10(np.mean(kept)) + relative_db
    return kept[-0.691 + 10 * np.log10(np.maximum(kept, 1e-20)) > relative]


def _windows(hops: np.ndarray, length: int) -> np.ndarray:
    """Mean power of every window of ``length`` hops, advancing one hop at a time."""
    if hops.size < length:
        return np.zeros(0)
    sums = np.concatenate([[0.0], np.cumsum(hops)])
    return (sums[length:] - sums[:-length]) / length


def integrated_loudness(audio: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness (LUFS): 400 ms blocks every 100 ms, absolute and relative gates."""
    if audio.size < rate // 2:
        return float("-inf")
    return _integrated(_hop_power(audio, rate))


def _integrated(hops: np.ndarray) -> float:
    kept = _gated_mean(_windows(hops, 4), -10.0)
    return float(-0.691 + 10 * np.log10(np.mean(kept))) if kept.size else float("-inf")


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
    return _range(_hop_power(audio, rate))


def _range(hops: np.ndarray) -> float:
    kept = _gated_mean(_windows(hops, 30), -20.0)
    if kept.size < 2:
        return 0.0
    levels = -0.691 + 10 * np.log10(kept)
    return float(np.percentile(levels, 95) - np.percentile(levels, 10))


def measure(audio: np.ndarray, rate: int = SAMPLE_RATE) -> Loudness:
    """Integrated loudness, true peak and loudness range; the K-weighted hops are computed once
    for both loudness figures."""
    if audio.size < rate // 2:
        return Loudness(float("-inf"), true_peak(audio), 0.0)
    hops = _hop_power(audio, rate)
    return Loudness(_integrated(hops), true_peak(audio), _range(hops))


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
