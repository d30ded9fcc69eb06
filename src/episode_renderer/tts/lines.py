"""Speak one line in a character's voice: engine -> resample -> shaping, through the cache."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np

from .cache import LineCache, line_key
from .cast import Profile
from .shaping import SAMPLE_RATE, apply_effects, pitch_ratio, resample, shift_pitch
from .voices import load_voice, voice_key

#: Bump when a change to synthesis or shaping changes the sound of cached lines.
CACHE_VERSION = 4


class LineSpeaker:
    """Renders lines for a cast; each distinct (profile, text) is synthesized once."""

    def __init__(self, cache: LineCache, voices_dir: Path | None = None, threads: int = 0) -> None:
        self.cache = cache
        self.voices_dir = voices_dir
        self.threads = threads

    def key(self, profile: Profile, text: str) -> str:
        identity = voice_key(profile.engine, self.voices_dir)
        return line_key({"v": CACHE_VERSION, "voice": identity, "profile": asdict(profile), "text": text})

    def speak(self, profile: Profile, text: str) -> np.ndarray:
        """44.1 kHz mono float32 audio of ``text`` as ``profile`` says it."""
        key = self.key(profile, text) if self.cache.folder is not None else ""  # no cache: no model hash
        cached = self.cache.get(key)
        if cached is not None and cached[1] == SAMPLE_RATE:
            return cached[0]
        voice = load_voice(profile.engine, self.voices_dir, self.threads)
        if profile.preserve_formants:
            raw = voice.speak(text, speed=profile.speed)
            spoken = resample(shift_pitch(raw, voice.sample_rate, profile.pitch), voice.sample_rate)
        else:
            # Formants move with pitch (a bigger or smaller voice): speak slower by the pitch ratio and
            # play it back faster. Free inside the resampling we do anyway, and without vocoder artefacts.
            ratio = pitch_ratio(profile.pitch)
            raw = voice.speak(text, speed=profile.speed / ratio)
            spoken = resample(raw, voice.sample_rate * ratio)
        audio = apply_effects(spoken, SAMPLE_RATE, gain_db=profile.gain_db, effects=profile.effects)
        audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
        self.cache.put(key, audio, SAMPLE_RATE)
        return audio
