"""The small interfaces every voice engine sits behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from .sessions import Sessions
    from .voice_files import VoiceFiles


@dataclass(frozen=True)
class EngineSpec:
    """Which engine and model speak, and the engine's own settings (they change the cache key)."""

    engine: str = "piper"
    model: str = "joe"
    voice: str | None = None  # Kokoro: a voice name or a blend such as "0.6*bm_george + 0.4*am_fenrir"
    speaker_id: int | None = None
    noise_scale: float | None = None
    noise_w_scale: float | None = None
    model_name: str | None = None
    model_path: str | None = None
    config_path: str | None = None
    speaker: str | None = None
    speaker_wav: str | None = None
    language: str | None = None


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


class Engine(Protocol):
    """An engine's voice class: what a cast entry's voice is called, and how it is loaded.

    ``identity`` is the loaded voice's ``key`` worked out from the cast entry alone, so a warm
    re-render finds its lines without loading a model; the loaded voice takes its ``key`` from the
    same method, so the two cannot disagree. None: the engine knows it only once loaded.
    """

    @classmethod
    def identity(cls, spec: EngineSpec, files: VoiceFiles) -> str | None: ...

    @classmethod
    def load(cls, spec: EngineSpec, files: VoiceFiles, sessions: Sessions, threads: int) -> Voice: ...
