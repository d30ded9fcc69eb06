"""The one small interface every voice engine sits behind."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Voice(Protocol):
    """A loaded TTS voice: text in, mono float32 audio out.

    Like Piper's own ``PiperVoice``: load once, speak many times. ``key`` identifies
    everything that changes the sound (engine, model file hash, speaker, engine settings)
    so the line cache can tell two voices apart.
    """

    sample_rate: int
    key: str

    def speak(self, text: str, *, speed: float = 1.0) -> np.ndarray:
        """Synthesize ``text``; ``speed`` > 1 talks faster. Returns float32 in [-1, 1]."""
        ...
