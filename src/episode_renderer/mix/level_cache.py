"""Levelling's measurements kept by the hash of the samples they were taken on.

Levelling judges the lines either side of each sound, and each sound, through the mastering
compressor: about a second of a re-render in which every line came from the cache, most of it
importing scipy.signal. The same samples give the same figures, so they are kept beside the line
cache; an entry that does not check out is measured again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..cache_files import touch, unwritable
from ..errors import OutputError
from ..export.atomic import write_text
from ..tempfiles import sweep
from .levels import Measure

#: Changes whenever the compressor or a measure does, so old figures are not reused; the libraries
#: that compute them are part of every key too.
LEVELS_VERSION = 1


def _salt() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("pedalboard", "scipy", "numpy"):
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=?")
    return f"levels-{LEVELS_VERSION}-" + ",".join(found)


def _check(key: str, values: list[float]) -> str:
    """Ties stored figures to their entry, so an entry changed on disk is not believed."""
    return hashlib.sha256(f"{key}:{values!r}".encode()).hexdigest()[:16]


class LevelCache(Measure):
    """A Measure that remembers its figures in ``folder`` (none: it only measures)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder else None
        self.hits = 0
        self.unwritable: str | None = None  # the first write that failed: nothing more is stored
        self._salt = _salt() if self.folder is not None else ""
        self._swept: set[Path] = set()

    def speech(self, audio: np.ndarray) -> float:
        return self._remembered("speech", audio, (), lambda: [Measure.speech(self, audio)])[0]

    def placed(self, audio: np.ndarray, speech_lufs: float, level_lu: float, max_lu: float) -> tuple[float, float]:
        gain, level = self._remembered("placed", audio, (speech_lufs, level_lu, max_lu),
                                       lambda: list(Measure.placed(self, audio, speech_lufs, level_lu, max_lu)))
        return gain, level

    def _remembered(self, kind: str, audio: np.ndarray, args: tuple,
                    measure: Callable[[], list[float]]) -> list[float]:
        if self.folder is None:
            return measure()
        digest = hashlib.sha256(f"{kind}-{self._salt}-{args!r}".encode())
        digest.update(np.ascontiguousarray(audio, dtype=np.float32).tobytes())
        key = digest.hexdigest()
        path = self.folder / key[:2] / f"{key}.json"
        try:
            data = json.loads(path.read_text("utf-8"))
            values = data["values"]
            if all(isinstance(v, float) for v in values) and data["check"] == _check(key, values):
                self.hits += 1
                touch(path)
                return values
        except (OSError, ValueError, KeyError, TypeError):
            pass
        values = [float(v) for v in measure()]
        if self.unwritable is not None:
            return values
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.parent not in self._swept:
                sweep(path.parent)  # temp files of a render that was killed mid-write
                self._swept.add(path.parent)
            write_text(path, json.dumps({"values": values, "check": _check(key, values)}))
        except (OSError, OutputError) as error:  # a cache that cannot be written only costs the next render time
            self.unwritable = unwritable(self.folder, error)
        return values
