"""Mastering: EBU R128 loudness to the podcast target under a true-peak ceiling.

The chain: ``compressor.prepare`` (clean-up and gentle compression), then gain to the target and
pedalboard's limiter, solved so the limited signal lands on the target, then peaks between samples
dipped under the ceiling less the encoder's headroom. Measurement is ``loudness``; this module
re-exports its names for callers of the whole chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..audio import SAMPLE_RATE
from .compressor import PIECE, PREROLL, linked
from .loudness import integrated_loudness, oversampled
from .parts import each, streamed


@dataclass(frozen=True)
class Target:
    lufs: float = -16.0
    tolerance: float = 1.0
    true_peak: float = -1.0  # dBTP ceiling the delivered file must respect
    limiter_ceiling: float = -3.0  # sample peaks: aimed well below the ceiling, inter-sample peaks come on top
    codec_headroom: float = 0.7  # the finished signal's true peak stays this far under the ceiling for the MP3


def finished(prepared: np.ndarray, target: Target = Target(), *, trim_db: float = 0.0,
             loudness: float | None = None, parts: int = 1, out: np.ndarray | None = None,
             block: int = 10 * SAMPLE_RATE) -> Iterator[np.ndarray]:
    """``finish``, handed out ``block`` samples at a time for the encoder: the limited signal is
    written into ``out`` (reusable from one attempt to the next) and the true-peak dips are applied
    to each block as it leaves, so the whole of mastering holds one signal besides ``prepared``."""
    current = integrated_loudness(prepared, parts=parts) if loudness is None else loudness
    if not np.isfinite(current):
        result = prepared
    else:
        goal = target.lufs + trim_db
        gain, slope = _gain_for(prepared, current, goal, target.limiter_ceiling, parts)
        result = limit(prepared, target.limiter_ceiling, parts, gain_db=gain, out=out)
        miss = goal - integrated_loudness(result, parts=parts)
        if abs(miss) > 0.1:  # the sample misjudged this programme: one correction on the whole signal
            gain += miss / slope
            result = limit(prepared, target.limiter_ceiling, parts, gain_db=gain, out=result)
    ceiling = 10 ** ((target.true_peak - target.codec_headroom) / 20)
    for begin in range(0, result.shape[-1], block):
        end = min(begin + block, result.shape[-1])
        yield _tamed(result, begin, end, ceiling)[0] if np.isfinite(current) else result[..., begin:end].copy()


def tame_true_peaks(x: np.ndarray, ceiling_db: float, block: int = 10 * SAMPLE_RATE) -> np.ndarray:
    """Dip the gain, over a few milliseconds, wherever the 4x oversampled signal passes ``ceiling_db``.

    The limiter works on samples, and its fast gain changes splatter high frequencies that peak
    between them (one episode measured 2.6 dB above its -3 dBFS sample ceiling). Only those spots
    are touched: loudness is unchanged, and the rest of the signal is passed through as it was.
    """
    ceiling = 10 ** (ceiling_db / 20)
    length = x.shape[-1]
    tamed = [_tamed(x, begin, min(begin + block, length), ceiling) for begin in range(0, length, block)]
    return np.concatenate([piece for piece, _ in tamed], axis=-1) if any(dipped for _, dipped in tamed) else x


def _tamed(x: np.ndarray, begin: int, end: int, ceiling: float) -> tuple[np.ndarray, bool]:
    """``x[begin:end]`` (a copy) with ``tame_true_peaks``'s dips, and whether there were any.

    Peaks are looked for a little beyond the block, as far as a dip reaches (its widest filter
    plus the ramp), so a block gets the same gain whether it is cut here or elsewhere, and the
    blocks can go to the encoder one by one. The channels of a ``(channels, samples)`` signal are
    dipped together, so a placed voice keeps its place."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ramp = int(0.002 * SAMPLE_RATE)
    low, high = max(0, begin - 8 * ramp), min(x.shape[-1], end + 8 * ramp)
    piece = x[..., begin:end].astype(np.float32, copy=True)
    hot, level = _peaks_over(x, ceiling, (low, high))
    if hot.size == 0:
        return piece, False
    need = np.ones(high - low)
    np.minimum.at(need, hot - low, ceiling / level)
    gain = uniform_filter1d(minimum_filter1d(need, 4 * ramp + 1, mode="nearest"), 2 * ramp + 1, mode="nearest")
    piece *= gain[begin - low:end - low].astype(np.float32)
    return piece, True


def _peaks_over(audio: np.ndarray, ceiling: float, span: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The samples in ``span`` next to which the 4x oversampled signal passes ``ceiling``, and how high
    (in any channel of a ``(channels, samples)`` signal)."""
    if audio.ndim == 2:
        each_channel = [_peaks_over(channel, ceiling, span) for channel in audio]
        return (np.concatenate([f for f, _ in each_channel]), np.concatenate([v for _, v in each_channel]))
    found, levels = [], []
    for start, up in oversampled(audio, span):
        where = np.flatnonzero(up > ceiling)
        samples = np.round(start + where / 4).astype(np.int64)
        keep = (samples >= span[0]) & (samples < span[1])
        found.append(samples[keep])
        levels.append(up[where][keep])
    return np.concatenate(found), np.concatenate(levels)


def _gain_for(prepared: np.ndarray, current: float, goal: float, ceiling_db: float,
              parts: int) -> tuple[float, float]:
    """The gain (dB) that lands the limited signal on ``goal``, and loudness gained per dB there.

    Limiting takes away loudness, more the harder it is driven, and how much depends on the
    programme. So it is solved by secant steps on a sample, 10 s in every 40 s (each with its
    pre-roll), and the full-length limiter runs once.
    """
    window, every = 10 * SAMPLE_RATE, 40 * SAMPLE_RATE
    length = prepared.shape[-1]
    if length < 2 * every:
        spans_ = [(0, length)]
    else:
        spans_ = [(b, b + window) for b in range(0, length - window, every)]
    samples = [(min(PREROLL, b), prepared[..., b - min(PREROLL, b):e]) for b, e in spans_]
    unlimited = integrated_loudness(np.concatenate([piece[..., lead:] for lead, piece in samples], axis=-1))

    def landed(gain: float) -> float:
        """The whole signal's loudness after gain and limiting, as the sample predicts it."""
        limited = each(lambda lp: limit(lp[1], ceiling_db, gain_db=gain)[..., lp[0]:], samples, workers=parts)
        return current - unlimited + integrated_loudness(np.concatenate(limited, axis=-1))

    if not np.isfinite(unlimited):
        return goal - current, 1.0
    g0 = goal - current
    l0 = landed(g0)
    g1 = g0 + (goal - l0)
    l1 = landed(g1)
    slope = 1.0
    for _ in range(4):
        if abs(l1 - l0) < 1e-6:
            break
        slope = float(np.clip((l1 - l0) / (g1 - g0), 0.1, 1.0))
        if abs(goal - l1) < 0.05:
            break
        g0, l0, g1 = g1, l1, g1 + (goal - l1) / slope
        l1 = landed(g1)
    return g1, slope


def limit(x: np.ndarray, ceiling_db: float, parts: int = 1, gain_db: float = 0.0,
           out: np.ndarray | None = None) -> np.ndarray:
    """``gain_db`` then pedalboard's Limiter, its make-up gain taken back out by a safety scale to
    the ceiling. Fed in blocks and written into ``out``: no gained or limited copy of a whole
    episode besides the result. The channels of a ``(channels, samples)`` signal share one gain."""
    import pedalboard

    scale = np.float32(10 ** (gain_db / 20))

    def make() -> Callable[[np.ndarray], np.ndarray]:
        limiter = pedalboard.Limiter(threshold_db=ceiling_db, release_ms=80)
        if x.ndim == 2:
            both = linked(limiter)
            return lambda piece: both(piece * scale)
        return lambda piece: limiter((piece * scale)[None, :], SAMPLE_RATE, reset=False)[0]

    limited = streamed(make, x.astype(np.float32, copy=False), parts=parts, preroll=PREROLL, piece=PIECE, out=out)
    ceiling = 10 ** (ceiling_db / 20)
    peak = max(float(np.max(limited)), -float(np.min(limited))) if limited.size else 0.0
    if peak > ceiling:
        limited *= np.float32(ceiling / peak)
    return limited
