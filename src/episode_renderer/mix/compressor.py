"""The first stage of mastering, the same for every target: a high-pass, gentle compression and a
16 kHz low-pass. Levelling judges sounds through it too (a clip is heard after it), so it stands
apart from the loudness target and the limiter.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..audio import SAMPLE_RATE
from .parts import streamed

#: Lead-in for each piece when mastering runs on several cores: the compressor and limiter forget
#: within a few hundred milliseconds, so 2 s puts the join beyond any trace of the split.
PREROLL = 2 * SAMPLE_RATE


#: Mastering works on pieces of this length whatever the number of cores, each after its pre-roll.
PIECE = 60 * SAMPLE_RATE


def prepare(audio: np.ndarray, parts: int = 1, *, out: np.ndarray | None = None) -> np.ndarray:
    """The part of mastering that does not depend on the target: clean-up and gentle compression.

    The 16 kHz low-pass costs nothing audible (a 128 kbps MP3 drops that band anyway) and keeps the
    limiter's clipped edges from turning into inter-sample peaks above the ceiling. ``out=audio``
    works in place: a long episode's mastering then holds no second copy of the mix. A
    ``(channels, samples)`` mix is compressed with one gain for all channels (``linked``), so a
    voice placed left stays as far left however hard it is compressed.
    """
    import pedalboard

    stereo = audio.ndim == 2

    def make() -> Callable[[np.ndarray], np.ndarray]:
        high = pedalboard.HighpassFilter(cutoff_frequency_hz=70)
        squeeze = pedalboard.Compressor(threshold_db=-24, ratio=2.0, attack_ms=10, release_ms=150)
        low = pedalboard.LowpassFilter(cutoff_frequency_hz=16000)
        if stereo:  # the same chain, its compressor given one gain for every channel
            together = linked(squeeze)
            return lambda x: low(together(high(x, SAMPLE_RATE, reset=False)), SAMPLE_RATE, reset=False)
        board = pedalboard.Pedalboard([high, squeeze, low])
        return lambda x: board(x[None, :], SAMPLE_RATE, reset=False)[0]

    return streamed(make, audio.astype(np.float32, copy=False), parts=parts, preroll=PREROLL, piece=PIECE, out=out)


def linked(dynamics: Callable[..., np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """A pedalboard compressor or limiter applied to ``(channels, samples)`` blocks with one gain
    for every channel, keeping its state from call to call.

    JUCE's dynamics process each channel alone, which would pull a voice placed left towards the
    middle. They compute a gain from the envelope of |x| and multiply, so a rectified detector
    signal is run through them and the gain it was given (output over input: exact, the gain being
    a plain factor) applied to every channel. The detector is the root of the channels' summed
    squares: a voice panned at constant power is seen at its mono level wherever it stands, so
    it is compressed and limited as it would be in mono (and no channel passes the detector)."""

    def run(block: np.ndarray) -> np.ndarray:
        loudest = np.sqrt(np.sum(np.square(block, dtype=np.float32), axis=0))
        shaped = dynamics(loudest[None, :], SAMPLE_RATE, reset=False)[0]
        gain = np.divide(shaped, loudest, out=np.ones_like(loudest), where=loudest > 0)
        return (block * gain[None, :]).astype(np.float32, copy=False)

    return run
