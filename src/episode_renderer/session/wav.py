"""32-bit float WAV, written by hand: libsndfile stamps the time into a float WAV's PEAK chunk, so
its files would differ on every render; these are the same bytes for the same samples.

Float, not 16 or 24-bit: the unmastered mix peaks at full scale and a stem may go past it, which
integer samples would clip, and the stems must add up to the mix.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from ..audio import SAMPLE_RATE

_FLOAT = 3  # WAVE_FORMAT_IEEE_FLOAT
_BLOCK = 10 * SAMPLE_RATE


def write_float_wav(path: Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """``audio`` as (frames,) or (channels, frames) float32 samples (the mixer's layout), channels taken
    from its shape, interleaved as WAV wants them a block at a time."""
    samples = np.asarray(audio, dtype="<f4")
    channels = 1 if samples.ndim == 1 else samples.shape[0]
    frames = samples.shape[-1]
    data = frames * channels * 4
    header = b"".join((
        b"RIFF", struct.pack("<I", 4 + (8 + 18) + (8 + 4) + (8 + data)), b"WAVE",
        b"fmt ", struct.pack("<IHHIIHHH", 18, _FLOAT, channels, rate, rate * channels * 4, channels * 4, 32, 0),
        b"fact", struct.pack("<II", 4, frames),
        b"data", struct.pack("<I", data),
    ))
    with open(path, "wb") as handle:
        handle.write(header)
        for begin in range(0, frames, _BLOCK):  # no second copy of a long stem in memory
            block = samples[..., begin:begin + _BLOCK]
            handle.write(np.ascontiguousarray(block.T if channels > 1 else block).tobytes())
