"""Content-addressed cache of synthesized lines.

Safe with several processes: entries are written to a temp file and renamed into place,
and each carries a checksum so a torn or corrupt entry is detected and synthesized again.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

from ..cache_files import touch, unwritable
from ..tempfiles import sweep, temp_prefix

_MAGIC = b"EPRL1"
_HEADER = struct.Struct("<5sI32s")  # magic, sample rate, sha256 of payload


def default_cache_dir() -> Path:
    """The user's cache folder (XDG_CACHE_HOME honoured)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "episode-renderer" / "lines"


def line_key(parts: dict) -> str:
    """Hash of everything that changes a line's sound."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class LineCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder else None
        self.hits = 0
        self.misses = 0
        self.unwritable: str | None = None  # set by the first write that failed: nothing more is stored
        self._swept: set[Path] = set()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.line"

    def get(self, key: str) -> tuple[np.ndarray, int] | None:
        if self.folder is None:
            self.misses += 1
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        if len(data) >= _HEADER.size:
            magic, rate, digest = _HEADER.unpack_from(data)
            payload = data[_HEADER.size:]
            if magic == _MAGIC and hashlib.sha256(payload).digest() == digest and len(payload) % 4 == 0:
                self.hits += 1
                touch(path)
                return np.frombuffer(payload, dtype=np.float32).copy(), rate
        path.unlink(missing_ok=True)  # corrupt: drop it, the caller synthesizes again
        self.misses += 1
        return None

    def put(self, key: str, audio: np.ndarray, rate: int) -> None:
        """Store a line; a cache that cannot take it (a full disk) is noted once and left alone."""
        if self.folder is None or self.unwritable is not None:
            return
        try:
            self._write(key, audio, rate)
        except OSError as error:
            self.unwritable = unwritable(self.folder, error)

    def _write(self, key: str, audio: np.ndarray, rate: int) -> None:
        path = self._path(key)
        fresh = not path.parent.is_dir()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not fresh and path.parent not in self._swept:
            sweep(path.parent)  # temp entries of a run that was killed mid-write
            self._swept.add(path.parent)
        payload = np.ascontiguousarray(audio, dtype=np.float32).tobytes()
        header = _HEADER.pack(_MAGIC, rate, hashlib.sha256(payload).digest())
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(key[:16]), suffix=".partial.line")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(header + payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
