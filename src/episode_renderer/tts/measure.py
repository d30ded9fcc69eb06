"""Measure how a voice sounds: median pitch, long-term spectral envelope and pace.

Pure numpy/scipy, used by bench/voices.py and tests/test_voices.py to check that the cast's
characters are told apart: a pair is distinct when their median pitches differ by at least
``F0_DISTINCT_SEMITONES`` or their envelopes by more than ``ENVELOPE_DISTINCT_DB``.
"""

from __future__ import annotations

from math import gcd

import numpy as np

#: Median pitches this far apart (semitones) are heard as different voices.
F0_DISTINCT_SEMITONES = 1.5
#: Envelope distance (RMS dB over mel bands) above which two voices differ in timbre. One voice measured
#: against itself stays well below: two takes of the same sentence 0.2-0.6 dB, different sentences
#: (bench/voices.py, "self-env") 1.3-1.8 dB; voices are compared on the same text, so this is ~1.4x the
#: worst different-text case and ~4x the same-text one.
ENVELOPE_DISTINCT_DB = 2.5

_RATE = 16000
_FMIN, _FMAX = 55.0, 500.0


def _to_rate(audio: np.ndarray, sample_rate: int, rate: int = _RATE) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float64)
    if sample_rate == rate or x.size == 0:
        return x
    from scipy.signal import resample_poly

    g = gcd(int(sample_rate), rate)
    return resample_poly(x, rate // g, int(sample_rate) // g)


def _frames(x: np.ndarray, length: int, hop: int) -> np.ndarray:
    if x.size < length:
        x = np.pad(x, (0, length - x.size))
    count = 1 + (x.size - length) // hop
    return np.lib.stride_tricks.sliding_window_view(x, length)[::hop][:count]


def _speech_mask(frames: np.ndarray, floor_db: float = -35.0) -> np.ndarray:
    """Frames within ``floor_db`` of the loudest (speech, not pauses)."""
    level = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    return level > level.max() + floor_db


def pitch_track(audio: np.ndarray, sample_rate: int, *, fmin: float = _FMIN, fmax: float = _FMAX,
                threshold: float = 0.15) -> np.ndarray:
    """F0 in Hz of each voiced 10 ms frame (YIN: cumulative mean normalised difference)."""
    x = _to_rate(audio, sample_rate)
    window, max_lag, min_lag = int(0.030 * _RATE), int(_RATE / fmin), int(_RATE / fmax)
    frames = _frames(x, window + max_lag, int(0.010 * _RATE))
    if frames.size == 0:
        return np.zeros(0)
    speech = _speech_mask(frames[:, :window])
    frames = frames[speech]
    if frames.shape[0] == 0:
        return np.zeros(0)
    n = 1 << int(np.ceil(np.log2(window + max_lag + window)))
    spectrum = np.fft.rfft(frames, n)
    head = np.fft.rfft(frames[:, :window], n)
    r = np.fft.irfft(spectrum * np.conj(head), n)[:, : max_lag + 1]  # sum_j x[j] x[j+tau], j < window
    energy = np.cumsum(np.pad(frames ** 2, ((0, 0), (1, 0))), axis=1)
    e_tau = energy[:, window: window + max_lag + 1] - energy[:, : max_lag + 1]
    diff = np.maximum(e_tau[:, :1] + e_tau - 2 * r, 0.0)
    diff[:, 0] = 0.0
    cumulative = np.cumsum(diff[:, 1:], axis=1) / np.arange(1, max_lag + 1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] / np.maximum(cumulative, 1e-12)
    out = []
    for row in cmnd:
        below = np.nonzero(row[min_lag:] < threshold)[0]
        if below.size == 0:
            continue
        tau = min_lag + int(below[0])
        while tau + 1 < row.size and row[tau + 1] < row[tau]:
            tau += 1
        if tau + 1 >= row.size:
            continue
        a, b, c = row[tau - 1], row[tau], row[tau + 1]
        denominator = a - 2 * b + c
        shift = 0.5 * (a - c) / denominator if denominator > 1e-12 else 0.0
        out.append(_RATE / (tau + float(np.clip(shift, -1, 1))))
    return np.asarray(out)


def median_f0(audio: np.ndarray, sample_rate: int) -> float:
    """Median pitch (Hz) over voiced frames; 0.0 when nothing is voiced."""
    track = pitch_track(audio, sample_rate)
    return float(np.median(track)) if track.size else 0.0


def semitones(f1: float, f2: float) -> float:
    """|f1 - f2| in semitones."""
    return float(abs(12 * np.log2(max(f1, 1e-6) / max(f2, 1e-6))))


def _mel_filters(bands: int, n_fft: int, rate: int, fmin: float, fmax: float) -> np.ndarray:
    def mel(f):
        return 2595 * np.log10(1 + np.asarray(f) / 700)

    edges = 700 * (10 ** (np.linspace(mel(fmin), mel(fmax), bands + 2) / 2595) - 1)
    freqs = np.fft.rfftfreq(n_fft, 1 / rate)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs - lower) / (centre - lower)
    falling = (upper - freqs) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def envelope(audio: np.ndarray, sample_rate: int, bands: int = 40) -> np.ndarray:
    """Long-term spectral envelope: mean log-mel power (dB, 80 Hz-7.6 kHz) over speech frames,
    with its own mean removed so loudness does not count, only the shape (timbre, EQ)."""
    x = _to_rate(audio, sample_rate)
    n_fft = 512
    frames = _frames(x, n_fft, 160)
    frames = frames[_speech_mask(frames)] * np.hanning(n_fft)
    power = np.abs(np.fft.rfft(frames, n_fft)) ** 2
    mel = power @ _mel_filters(bands, n_fft, _RATE, 80.0, 7600.0).T
    curve = np.mean(10 * np.log10(mel + 1e-10), axis=0)
    return curve - curve.mean()


def envelope_distance(a: np.ndarray, b: np.ndarray) -> float:
    """RMS difference (dB) between two envelopes from :func:`envelope`."""
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def speech_span(audio: np.ndarray, sample_rate: int, floor_db: float = -40.0) -> float:
    """Seconds from the first to the last sample within ``floor_db`` of the peak (pace without edges)."""
    level = np.abs(np.asarray(audio))
    if level.size == 0 or level.max() <= 0:
        return 0.0
    loud = np.nonzero(level > level.max() * 10 ** (floor_db / 20))[0]
    return float(loud[-1] - loud[0] + 1) / sample_rate


def distinct(f0_a: float, f0_b: float, env_a: np.ndarray, env_b: np.ndarray) -> tuple[bool, float, float]:
    """(distinct?, |ΔF0| in semitones, envelope distance in dB) for two voices."""
    step, distance = semitones(f0_a, f0_b), envelope_distance(env_a, env_b)
    return step >= F0_DISTINCT_SEMITONES or distance > ENVELOPE_DISTINCT_DB, step, distance
