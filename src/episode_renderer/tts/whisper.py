"""A real whisper: the line without voicing, its own spectral envelope over breath noise.

Whispered speech is speech with the vocal folds apart: the mouth still shapes the sound (the
formants, so the words and the person stay), but the source is turbulent air instead of a buzz.
Each short frame of the spoken line gives its smoothed spectrum (cepstral liftering keeps the
formants and drops the harmonics of the voice's pitch) and its level; noise shaped by that
envelope replaces it. Whisper (the recogniser) reads the result as well as the voiced line.
"""

from __future__ import annotations

import zlib

import numpy as np

#: Quefrencies kept when smoothing a frame's spectrum: below one period of a 830 Hz voice, so no
#: voice's harmonics survive, while the formants (the shape of the mouth) do.
LIFTER_SECONDS = 0.0012
#: Whispers carry almost nothing below this (no voicing, a small noise source at the glottis).
FLOOR_HZ = 350.0
FRAME_SECONDS = 0.043
_BLOCK_FRAMES = 256  # frames transformed at once: memory stays small whatever the line's length


def whispered(audio: np.ndarray, sample_rate: int, seed: str = "") -> np.ndarray:
    """``audio`` as a whisper of the same words, level contour and length; ``seed`` makes the
    breath noise repeatable (the same line whispers the same way every render)."""
    if audio.size == 0:
        return audio.astype(np.float32)
    n_fft = 1 << int(round(np.log2(FRAME_SECONDS * sample_rate)))
    hop = n_fft // 4
    window = np.hanning(n_fft + 1)[:-1]
    x = np.concatenate([np.zeros(n_fft), audio.astype(np.float64), np.zeros(n_fft)])
    frames = 1 + (x.size - n_fft) // hop
    out = np.zeros(x.size)
    norm = np.zeros(x.size)
    rng = np.random.default_rng(zlib.crc32(seed.encode("utf-8")))
    keep = max(2, int(LIFTER_SECONDS * sample_rate))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    floor = np.minimum(1.0, freqs / FLOOR_HZ) ** 2
    for first in range(0, frames, _BLOCK_FRAMES):
        count = min(_BLOCK_FRAMES, frames - first)
        index = (first + np.arange(count))[:, None] * hop + np.arange(n_fft)[None, :]
        spectrum = np.fft.rfft(x[index] * window, axis=1)
        power = np.abs(spectrum) ** 2
        cepstrum = np.fft.irfft(np.log(power + 1e-12) / 2, n=n_fft, axis=1)
        cepstrum[:, keep:n_fft - keep + 1] = 0.0
        envelope = np.exp(np.fft.rfft(cepstrum, axis=1).real)
        envelope *= np.sqrt(power.sum(axis=1, keepdims=True) / ((envelope ** 2).sum(axis=1, keepdims=True) + 1e-20))
        noise = rng.standard_normal((count, freqs.size)) + 1j * rng.standard_normal((count, freqs.size))
        frames_out = np.fft.irfft(envelope * floor * noise / np.sqrt(2), n=n_fft, axis=1) * window
        np.add.at(out, index, frames_out)
        np.add.at(norm, index, np.broadcast_to(window ** 2, frames_out.shape))
    y = (out / np.maximum(norm, 1e-3))[n_fft:n_fft + audio.size]
    y *= np.sqrt(np.mean(audio.astype(np.float64) ** 2) / (np.mean(y ** 2) + 1e-20))
    return y.astype(np.float32)
