"""Encoded MP3s kept by the hash of the mix they came from.

A re-render whose lines, sounds, placement and mastering settings are unchanged produces the same
mix sample for sample, so mastering and encoding it again would only rebuild the same file: this
cache hands back that file (tags and sidecars are still written fresh from the script).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from ..cache_files import touch, unwritable
from ..errors import OutputError
from ..hashing import file_sha256 as _sha256
from ..mix.loudness import Loudness
from .atomic import atomic_path, write_text


def mix_key(mix: np.ndarray, *parts: object) -> str:
    """The mix's samples, its channel count (a stereo mix's bytes could be a mono one twice as long)
    and ``parts`` (the settings that shape the encode)."""
    digest = hashlib.sha256(np.ascontiguousarray(mix, dtype=np.float32).tobytes())
    channels = mix.shape[0] if mix.ndim == 2 else 1
    digest.update(json.dumps([str(p) for p in parts] + [f"channels={channels}"]).encode())
    return digest.hexdigest()


class EncodedCache:
    """MP3s by mix key; each entry's sha256 is recorded at put and checked at get, so a damaged
    file (same size, zeroed middle) is dropped and re-encoded instead of served."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder else None
        self.unwritable: str | None = None  # the first write that failed, for the run's one warning

    def get(self, key: str, into: Path) -> Loudness | None:
        """Copy the cached MP3 to ``into`` and return its measured loudness, or None (and drop a bad entry)."""
        if self.folder is None:
            return None
        mp3, meta = self.folder / f"{key}.mp3", self.folder / f"{key}.json"
        try:
            data = json.loads(meta.read_text("utf-8"))
            expected = str(data["sha256"])
            loudness = Loudness(float(data["integrated"]), float(data["true_peak"]), float(data["loudness_range"]))
            shutil.copyfile(mp3, into)
        except (OSError, ValueError, KeyError, TypeError):
            self._drop(key)
            return None
        if _sha256(into) != expected:
            self._drop(key)
            return None
        touch(mp3)
        touch(meta)
        return loudness

    def put(self, key: str, mp3: Path, loudness: Loudness) -> None:
        if self.folder is None:
            return
        target = self.folder / f"{key}.mp3"
        try:
            with atomic_path(target) as tmp:
                shutil.copyfile(mp3, tmp)
            meta = {"bytes": target.stat().st_size, "sha256": _sha256(target), "integrated": loudness.integrated,
                    "true_peak": loudness.true_peak, "loudness_range": loudness.loudness_range}
            write_text(self.folder / f"{key}.json", json.dumps(meta))
        except (OSError, OutputError) as error:  # a cache that cannot be written only costs the next render time
            self._drop(key)
            self.unwritable = self.unwritable or unwritable(self.folder, error)

    def _drop(self, key: str) -> None:
        assert self.folder is not None
        for suffix in (".json", ".mp3"):
            try:
                (self.folder / f"{key}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass
