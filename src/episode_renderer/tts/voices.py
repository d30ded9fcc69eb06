"""The voices of one render, preview or audition: loaded on first use, freed together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from types import TracebackType

from ..errors import VoiceError
from .cast import Acting
from .coqui import CoquiVoice
from .engine import Engine, EngineSpec, Voice
from .kokoro import KokoroVoice
from .piper_voice import PiperVoiceAdapter
from .sessions import Sessions
from .voice_files import VoiceFiles

ENGINES: dict[str, type[Engine]] = {"piper": PiperVoiceAdapter, "kokoro": KokoroVoice, "coqui": CoquiVoice}


def engine_of(spec: EngineSpec) -> type[Engine]:
    """The voice class of a cast entry's engine."""
    engine = ENGINES.get(spec.engine)
    if engine is None:
        raise VoiceError(f"unknown engine {spec.engine!r}.", hint='Use engine = "kokoro", "piper" or "coqui".')
    return engine


class Voices:
    """A cast's voices and their model sessions, held until closed.

    Use it as a context manager: a render closes it before mastering, so the sessions' memory (a
    Kokoro session holds ~0.6-1 GB) is the mastering's. ``threads``: 1 when lines are synthesized
    in parallel, 0 to let one line use every core.
    """

    def __init__(self, voices_dir: Path | None = None, threads: int = 0) -> None:
        self.files = VoiceFiles(voices_dir)
        self.threads = threads
        self._sessions = Sessions()
        self._loaded: dict[Hashable, Voice] = {}
        self._identities: dict[EngineSpec, str] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> "Voices":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Forget every loaded voice and session; a voice asked for later is loaded again."""
        with self._lock:
            self._loaded.clear()
        self._sessions.clear()

    def load(self, spec: EngineSpec) -> Voice:
        """The voice of a cast entry; the same entry gives the same loaded voice."""
        return self._once((spec,), lambda: engine_of(spec).load(spec, self.files, self._sessions, self.threads))

    def acting(self, spec: EngineSpec, acting: Acting) -> Voice:
        """The voice of ``spec`` performing ``acting``'s prosody and rows (Kokoro; other engines have no
        style vector and speak as they are). Made once per recipe, sharing the voice's session."""
        voice = self.load(spec)
        if not acting.changes_style or not hasattr(voice, "acted"):
            return voice
        return self._once((spec, acting.prosody, acting.amount, acting.rows),
                          lambda: voice.acted(acting.prosody, acting.amount, acting.rows))

    def identity(self, spec: EngineSpec) -> str:
        """The loaded voice's ``key``; for Piper and Kokoro known without loading the model (a warm
        re-render then never loads one). Worked out once per entry (reading Kokoro's packs costs 1.7 ms)."""
        with self._lock:
            if spec in self._identities:
                return self._identities[spec]
        known = engine_of(spec).identity(spec, self.files)
        if known is None:
            known = self.load(spec).key
        with self._lock:
            return self._identities.setdefault(spec, known)

    def _once(self, key: Hashable, make: Callable[[], Voice]) -> Voice:
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
        made = make()
        with self._lock:
            return self._loaded.setdefault(key, made)
