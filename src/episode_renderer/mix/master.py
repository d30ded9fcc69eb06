"""Mastering: EBU R128 loudness to the podcast target with a true-peak ceiling.

Loudness follows ITU-R BS.1770 with pyloudnorm's K-weighting filters (tests hold it to pyloudnorm's
own measurement); pedalboard provides the filter, compressor and limiter.
True peak is measured on a 4x oversampled signal, since sample peaks under-read what a
decoder will reconstruct.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..audio import SAMPLE_RATE
from .parts import each, pieces, streamed

#: Lead-in for each piece when mastering runs on several cores: the compressor and limiter forget
#: within a few hundred milliseconds, so 2 s puts the join beyond any trace of the split.
PREROLL = 2 * SAMPLE_RATE
#: Mastering works on pieces of this length whatever the number of cores, each after its pre-roll.
PIECE = 60 * SAMPLE_RATE


@dataclass(frozen=True)
class Target:
    lufs: float = -16.0
    tolerance: float = 1.0
    true_peak: float = -1.0  # dBTP ceiling the delivered file must respect
    limiter_ceiling: float = -3.0  # sample peaks: aimed well below the ceiling, inter-sample peaks come on top
    codec_headroom: float = 0.7  # the finished signal's true peak stays this far under the ceiling for the MP3


@dataclass(frozen=True)
class Loudness:
    integrated: float
    true_peak: float
    loudness_range: float


def hop_powers(audio: np.ndarray, rate: int, parts: int = 1) -> np.ndarray:
    """Mean square of the K-weighted signal in each 100 ms hop.

    pyloudnorm's own K-weighting filters (ITU-R BS.1770), run as second-order sections on 10 s
    chunks: gating then works on hops, so a 20-minute episode needs megabytes, not the gigabytes
    of float64 copies a whole-signal measurement makes. It runs in 60 s pieces, ``parts`` at once,
    each with 2 s of lead-in for the filters to settle (they forget in milliseconds).
    """
    from scipy.signal import sosfilt

    sos, gain = _k_weighting(rate)
    hop = rate // 10
    usable = audio.size - audio.size % hop

    def piece(span: tuple[int, int]) -> np.ndarray:
        begin, end = span
        lead = min(20 * hop, begin)
        state = np.zeros((len(sos), 2))
        powers = []
        for start in range(begin - lead, end, hop * 100):
            chunk = audio[start:min(start + hop * 100, end)].astype(np.float64)
            weighted, state = sosfilt(sos, chunk, zi=state)
            powers.append(np.mean((weighted * gain).reshape(-1, hop) ** 2, axis=1))
        return np.concatenate(powers)[lead // hop:]

    return np.concatenate(each(piece, pieces(usable, 600 * hop), workers=parts)) if usable else np.zeros(0)


@lru_cache(maxsize=4)
def _k_weighting(rate: int) -> tuple[np.ndarray, float]:
    import pyloudnorm

    filters = list(pyloudnorm.Meter(rate)._filters.values())
    sos = np.array([np.concatenate([f.b / f.a[0], f.a / f.a[0]]) for f in filters])
    return sos, float(np.prod([f.passband_gain for f in filters]))


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


def integrated_loudness(audio: np.ndarray, rate: int = SAMPLE_RATE, parts: int = 1) -> float:
    """Integrated loudness (LUFS): 400 ms blocks every 100 ms, absolute and relative gates."""
    if audio.size < rate // 2:
        return float("-inf")
    return _integrated(hop_powers(audio, rate, parts))


def _integrated(hops: np.ndarray) -> float:
    kept = _gated_mean(_windows(hops, 4), -10.0)
    return float(-0.691 + 10 * np.log10(np.mean(kept))) if kept.size else float("-inf")


def true_peak(audio: np.ndarray, parts: int = 1) -> float:
    """dBTP via 4x oversampling with a 48-tap interpolator (12 taps per phase, the order BS.1770-4
    annex 2 uses)."""
    if audio.size == 0:
        return float("-inf")

    def piece(span: tuple[int, int]) -> float:
        return max(float(np.max(up)) for _start, up in _oversampled(audio, span))

    peak = max(each(piece, pieces(audio.size, PIECE), workers=parts))
    return float(20 * np.log10(peak)) if peak > 0 else float("-inf")


def _oversampled(audio: np.ndarray, span: tuple[int, int]) -> Iterator[tuple[float, np.ndarray]]:
    """|4x oversampled signal| over ``span``, 10 s at a time, each with the input sample position
    (fractional, the interpolator's delay removed) of its first value. A margin wider than the
    filter around each chunk makes the chunks see exactly what the whole signal would."""
    from scipy.signal import upfirdn

    taps = _interpolator()
    delay = (taps.size - 1) / 2 / 4
    step = SAMPLE_RATE * 10
    for begin in range(span[0], span[1], step):
        lead = min(64, begin)
        chunk = audio[begin - lead:min(begin + step, span[1]) + 64].astype(np.float64)
        yield begin - lead - delay, np.abs(upfirdn(taps, chunk, 4))


@lru_cache(maxsize=1)
def _interpolator() -> np.ndarray:
    from scipy.signal import firwin

    return firwin(48, 0.25, window=("kaiser", 5.0)) * 4


def loudness_range(audio: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """EBU Tech 3342 LRA: spread (10th-95th percentile) of 3 s short-term loudness, gated."""
    return _range(hop_powers(audio, rate))


def _range(hops: np.ndarray) -> float:
    kept = _gated_mean(_windows(hops, 30), -20.0)
    if kept.size < 2:
        return 0.0
    levels = -0.691 + 10 * np.log10(kept)
    return float(np.percentile(levels, 95) - np.percentile(levels, 10))


def measure(audio: np.ndarray, rate: int = SAMPLE_RATE, parts: int = 1) -> Loudness:
    """Integrated loudness, true peak and loudness range; the K-weighted hops are computed once
    for both loudness figures."""
    if audio.size < rate // 2:
        return Loudness(float("-inf"), true_peak(audio), 0.0)
    hops = hop_powers(audio, rate, parts)
    return Loudness(_integrated(hops), true_peak(audio, parts), _range(hops))


class Meter:
    """``measure`` for a signal that arrives in blocks (a file being decoded): the K-weighting
    filters and the true-peak interpolator carry their state across blocks, so a long episode is
    measured without ever being held whole, and gives the figures ``measure`` gives the whole."""

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate, self.frames = rate, 0
        self._sos, self._gain = _k_weighting(rate)
        self._state = np.zeros((len(self._sos), 2))
        self._hop = rate // 10
        self._rest = np.zeros(0)
        self._powers: list[np.ndarray] = []
        self._taps = _interpolator()
        self._tail = np.zeros(self._taps.size // 4)  # the signal starts after silence, as upfirdn sees it
        self._peak = 0.0

    def add(self, block: np.ndarray) -> None:
        from scipy.signal import sosfilt, upfirdn

        block = np.asarray(block, dtype=np.float64)
        self.frames += block.size
        weighted, self._state = sosfilt(self._sos, block, zi=self._state)
        weighted = np.concatenate([self._rest, weighted * self._gain])
        whole = weighted.size - weighted.size % self._hop
        self._powers.append(np.mean(weighted[:whole].reshape(-1, self._hop) ** 2, axis=1))
        self._rest = weighted[whole:]
        self._peak = max(self._peak, self._true_peak(np.concatenate([self._tail, block]), upfirdn))
        self._tail = np.concatenate([self._tail, block])[-self._taps.size // 4:]

    def _true_peak(self, x: np.ndarray, upfirdn: Callable[..., np.ndarray]) -> float:
        """Only the oversampled values whose whole filter lies inside ``x``: the others are seen
        complete in the next block (or at the end, against the silence ``result`` adds)."""
        up = upfirdn(self._taps, x, 4)[self._taps.size - 1:x.size * 4]
        return float(np.max(np.abs(up))) if up.size else 0.0

    def result(self) -> Loudness:
        from scipy.signal import upfirdn

        end = np.concatenate([self._tail, np.zeros(self._taps.size // 4)])
        peak = max(self._peak, self._true_peak(end, upfirdn))
        hops = np.concatenate(self._powers) if self._powers else np.zeros(0)
        true = float(20 * np.log10(peak)) if peak > 0 else float("-inf")
        if self.frames < self.rate // 2:
            return Loudness(float("-inf"), true, 0.0)
        return Loudness(_integrated(hops), true, _range(hops))


def prepare(audio: np.ndarray, parts: int = 1, *, out: np.ndarray | None = None) -> np.ndarray:
    """The part of mastering that does not depend on the target: clean-up and gentle compression.

    The 16 kHz low-pass costs nothing audible (a 128 kbps MP3 drops that band anyway) and keeps the
    limiter's clipped edges from turning into inter-sample peaks above the ceiling. ``out=audio``
    works in place: a long episode's mastering then holds no second copy of the mix.
    """
    import pedalboard

    def make() -> Callable[[np.ndarray], np.ndarray]:
        board = pedalboard.Pedalboard([
            pedalboard.HighpassFilter(cutoff_frequency_hz=70),
            pedalboard.Compressor(threshold_db=-24, ratio=2.0, attack_ms=10, release_ms=150),
            pedalboard.LowpassFilter(cutoff_frequency_hz=16000),
        ])
        return lambda x: board(x[None, :], SAMPLE_RATE, reset=False)[0]

    return streamed(make, audio.astype(np.float32, copy=False), parts=parts, preroll=PREROLL, piece=PIECE, out=out)


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
        result = _limit(prepared, target.limiter_ceiling, parts, gain_db=gain, out=out)
        miss = goal - integrated_loudness(result, parts=parts)
        if abs(miss) > 0.1:  # the sample misjudged this programme: one correction on the whole signal
            gain += miss / slope
            result = _limit(prepared, target.limiter_ceiling, parts, gain_db=gain, out=result)
    ceiling = 10 ** ((target.true_peak - target.codec_headroom) / 20)
    for begin in range(0, result.size, block):
        end = min(begin + block, result.size)
        yield _tamed(result, begin, end, ceiling)[0] if np.isfinite(current) else result[begin:end].copy()


def _tame_true_peaks(x: np.ndarray, ceiling_db: float, block: int = 10 * SAMPLE_RATE) -> np.ndarray:
    """Dip the gain, over a few milliseconds, wherever the 4x oversampled signal passes ``ceiling_db``.

    The limiter works on samples, and its fast gain changes splatter high frequencies that peak
    between them (one episode measured 2.6 dB above its -3 dBFS sample ceiling). Only those spots
    are touched: loudness is unchanged, and the rest of the signal is passed through as it was.
    """
    ceiling = 10 ** (ceiling_db / 20)
    tamed = [_tamed(x, begin, min(begin + block, x.size), ceiling) for begin in range(0, x.size, block)]
    return np.concatenate([piece for piece, _ in tamed]) if any(dipped for _, dipped in tamed) else x


def _tamed(x: np.ndarray, begin: int, end: int, ceiling: float) -> tuple[np.ndarray, bool]:
    """``x[begin:end]`` (a copy) with ``_tame_true_peaks``'s dips, and whether there were any.

    Peaks are looked for a little beyond the block, as far as a dip reaches (its widest filter
    plus the ramp), so a block gets the same gain whether it is cut here or elsewhere, and the
    blocks can go to the encoder one by one."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ramp = int(0.002 * SAMPLE_RATE)
    low, high = max(0, begin - 8 * ramp), min(x.size, end + 8 * ramp)
    piece = x[begin:end].astype(np.float32, copy=True)
    hot, level = _peaks_over(x, ceiling, (low, high))
    if hot.size == 0:
        return piece, False
    need = np.ones(high - low)
    np.minimum.at(need, hot - low, ceiling / level)
    gain = uniform_filter1d(minimum_filter1d(need, 4 * ramp + 1, mode="nearest"), 2 * ramp + 1, mode="nearest")
    piece *= gain[begin - low:end - low].astype(np.float32)
    return piece, True


def _peaks_over(audio: np.ndarray, ceiling: float, span: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The samples in ``span`` next to which the 4x oversampled signal passes ``ceiling``, and how high."""
    found, levels = [], []
    for start, up in _oversampled(audio, span):
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
    if prepared.size < 2 * every:
        spans_ = [(0, prepared.size)]
    else:
        spans_ = [(b, b + window) for b in range(0, prepared.size - window, every)]
    samples = [(min(PREROLL, b), prepared[b - min(PREROLL, b):e]) for b, e in spans_]
    unlimited = integrated_loudness(np.concatenate([piece[lead:] for lead, piece in samples]))

    def landed(gain: float) -> float:
        """The whole signal's loudness after gain and limiting, as the sample predicts it."""
        limited = each(lambda lp: _limit(lp[1], ceiling_db, gain_db=gain)[lp[0]:], samples, workers=parts)
        return current - unlimited + integrated_loudness(np.concatenate(limited))

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


def _limit(x: np.ndarray, ceiling_db: float, parts: int = 1, gain_db: float = 0.0,
           out: np.ndarray | None = None) -> np.ndarray:
    """``gain_db`` then pedalboard's Limiter, its make-up gain taken back out by a safety scale to
    the ceiling. Fed in blocks and written into ``out``: no gained or limited copy of a whole
    episode besides the result."""
    import pedalboard

    scale = np.float32(10 ** (gain_db / 20))

    def make() -> Callable[[np.ndarray], np.ndarray]:
        limiter = pedalboard.Limiter(threshold_db=ceiling_db, release_ms=80)
        return lambda piece: limiter((piece * scale)[None, :], SAMPLE_RATE, reset=False)[0]

    limited = streamed(make, x.astype(np.float32, copy=False), parts=parts, preroll=PREROLL, piece=PIECE, out=out)
    ceiling = 10 ** (ceiling_db / 20)
    peak = max(float(np.max(limited)), -float(np.min(limited))) if limited.size else 0.0
    if peak > ceiling:
        limited *= np.float32(ceiling / peak)
    return limited
