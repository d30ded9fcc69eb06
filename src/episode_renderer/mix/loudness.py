"""Loudness as ITU-R BS.1770 measures it, and true peak.

Loudness follows BS.1770 with pyloudnorm's K-weighting filters (tests hold it to pyloudnorm's own
measurement), run on 10 s chunks so a long episode needs megabytes; true peak is measured on a 4x
oversampled signal, since sample peaks under-read what a decoder will reconstruct.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..audio import SAMPLE_RATE
from .parts import each, pieces

#: True peak is measured in pieces of this length, on as many cores as the caller gives.
_PIECE = 60 * SAMPLE_RATE

@dataclass(frozen=True)
class Loudness:
    integrated: float
    true_peak: float
    loudness_range: float


def hop_powers(audio: np.ndarray, rate: int, parts: int = 1) -> np.ndarray:
    """Mean square of the K-weighted signal in each 100 ms hop, summed over the channels of a
    ``(channels, samples)`` signal (BS.1770 weighs left and right 1.0 each).

    pyloudnorm's own K-weighting filters (ITU-R BS.1770), run as second-order sections on 10 s
    chunks: gating then works on hops, so a 20-minute episode needs megabytes, not the gigabytes
    of float64 copies a whole-signal measurement makes. It runs in 60 s pieces, ``parts`` at once,
    each with 2 s of lead-in for the filters to settle (they forget in milliseconds).
    """
    from scipy.signal import sosfilt

    if audio.ndim == 2:
        return np.sum([hop_powers(channel, rate, parts) for channel in audio], axis=0)
    sos, gain = k_weighting(rate)
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
def k_weighting(rate: int) -> tuple[np.ndarray, float]:
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
    if audio.shape[-1] < rate // 2:
        return float("-inf")
    return _integrated(hop_powers(audio, rate, parts))


def _integrated(hops: np.ndarray) -> float:
    kept = _gated_mean(_windows(hops, 4), -10.0)
    return float(-0.691 + 10 * np.log10(np.mean(kept))) if kept.size else float("-inf")


def true_peak(audio: np.ndarray, parts: int = 1) -> float:
    """dBTP via 4x oversampling with a 48-tap interpolator (12 taps per phase, the order BS.1770-4
    annex 2 uses); the highest channel's for a ``(channels, samples)`` signal."""
    if audio.ndim == 2:
        return max(true_peak(channel, parts) for channel in audio)
    if audio.size == 0:
        return float("-inf")

    def piece(span: tuple[int, int]) -> float:
        return max(float(np.max(up)) for _start, up in oversampled(audio, span))

    peak = max(each(piece, pieces(audio.size, _PIECE), workers=parts))
    return float(20 * np.log10(peak)) if peak > 0 else float("-inf")


def oversampled(audio: np.ndarray, span: tuple[int, int]) -> Iterator[tuple[float, np.ndarray]]:
    """|4x oversampled signal| over ``span``, 10 s at a time, each with the input sample position
    (fractional, the interpolator's delay removed) of its first value. A margin wider than the
    filter around each chunk makes the chunks see exactly what the whole signal would."""
    from scipy.signal import upfirdn

    taps = interpolator()
    delay = (taps.size - 1) / 2 / 4
    step = SAMPLE_RATE * 10
    for begin in range(span[0], span[1], step):
        lead = min(64, begin)
        chunk = audio[begin - lead:min(begin + step, span[1]) + 64].astype(np.float64)
        yield begin - lead - delay, np.abs(upfirdn(taps, chunk, 4))


@lru_cache(maxsize=1)
def interpolator() -> np.ndarray:
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
    if audio.shape[-1] < rate // 2:
        return Loudness(float("-inf"), true_peak(audio), 0.0)
    hops = hop_powers(audio, rate, parts)
    return Loudness(_integrated(hops), true_peak(audio, parts), _range(hops))


class Meter:
    """``measure`` for a signal that arrives in blocks (a file being decoded): the K-weighting
    filters and the true-peak interpolator carry their state across blocks, so a long episode is
    measured without ever being held whole, and gives the figures ``measure`` gives the whole.
    A ``(channels, samples)`` block is measured channel by channel: powers summed, peaks the highest."""

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate, self.frames = rate, 0
        self._channels: list[_ChannelMeter] = []

    def add(self, block: np.ndarray) -> None:
        channels = [block] if np.ndim(block) == 1 else list(block)
        if not self._channels:
            self._channels = [_ChannelMeter(self.rate) for _ in channels]
        if len(channels) != len(self._channels):
            raise ValueError(f"a block of {len(channels)} channels after {len(self._channels)}")
        for meter, channel in zip(self._channels, channels, strict=True):
            meter.add(channel)
        self.frames = self._channels[0].frames

    def result(self) -> Loudness:
        peak = max((meter.peak() for meter in self._channels), default=0.0)
        true = float(20 * np.log10(peak)) if peak > 0 else float("-inf")
        if self.frames < self.rate // 2:
            return Loudness(float("-inf"), true, 0.0)
        hops = np.sum([meter.hops() for meter in self._channels], axis=0)  # one channel: its own hops
        return Loudness(_integrated(hops), true, _range(hops))


class _ChannelMeter:
    """One channel of ``Meter``."""

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate, self.frames = rate, 0
        self._sos, self._gain = k_weighting(rate)
        self._state = np.zeros((len(self._sos), 2))
        self._hop = rate // 10
        self._rest = np.zeros(0)
        self._powers: list[np.ndarray] = []
        self._taps = interpolator()
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

    def peak(self) -> float:
        from scipy.signal import upfirdn

        end = np.concatenate([self._tail, np.zeros(self._taps.size // 4)])
        return max(self._peak, self._true_peak(end, upfirdn))

    def hops(self) -> np.ndarray:
        return np.concatenate(self._powers) if self._powers else np.zeros(0)
