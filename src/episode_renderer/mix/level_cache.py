"""Lines' loudness as mastered, kept by the hash of their samples.

Levelling the sounds measures the lines either side of each through the mastering compressor:
about a second of a re-render in which one word changed and every other line came from the cache.
The same samples give the same figure, so it is kept beside the line cache; a damaged entry is
measured again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..errors import OutputError
from ..export.atomic import write_text
from .levels import mastered_speech_loudness

#: Changes whenever the compressor or the loudness measure does, so old figures are not reused.
LEVELS_VERSION = 1


def _check(key: str, value: float) -> str:
    """Ties a stored figure to its entry, so an entry changed on disk is not believed."""
    return hashlib.sha256(f"{key}:{value!r}".encode()).hexdigest()[:16]


class LevelCache:
    """A ``loudness`` function for ``timeline.plan`` that remembers what it measured."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder else None
        self.hits = 0

    def __call__(self, audio: np.ndarray) -> float:
        if self.folder is None:
            return mastered_speech_loudness(audio)
        digest = hashlib.sha256(f"levels-{LEVELS_VERSION}".encode())
        digest.update(np.ascontiguousarray(audio, dtype=np.float32).tobytes())
        key = digest.hexdigest()
        path = self.folder / key[:2] / f"{key}.json"
        try:
            data = json.loads(path.read_text("utf-8"))
            if isinstance(data["lufs"], float) and data["check"] == _check(key, data["lufs"]):
                self.hits += 1
                return data["lufs"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        value = mastered_speech_loudness(audio)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text(path, json.dumps({"lufs": value, "check": _check(key, value)}))
        except (OSError, OutputError):  # a cache that cannot be written only costs the next render time
            pass
        return value
