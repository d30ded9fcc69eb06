"""Sound files from sfx/ (and a show's own folder), loaded once, at the mix rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import ConfigError
from ..tts.shaping import SAMPLE_RATE, resample

EXTENSIONS = (".wav", ".flac", ".ogg")


class SoundLibrary:
    def __init__(self, folders: list[Path]) -> None:
        self.folders = [Path(f) for f in folders]
        self._loaded: dict[str, np.ndarray] = {}

    def path(self, name: str) -> Path | None:
        for folder in self.folders:
            for ext in EXTENSIONS:
                candidate = folder / f"{name}{ext}"
                if candidate.is_file():
                    return candidate
        return None

    def available(self) -> list[str]:
        names = {p.stem for folder in self.folders if folder.is_dir() for p in folder.iterdir()
                 if p.suffix.lower() in EXTENSIONS}
        return sorted(names)

    def has(self, name: str) -> bool:
        return self.path(name) is not None

    def load(self, name: str) -> np.ndarray:
        """Mono float32 at 44.1 kHz."""
        if name in self._loaded:
            return self._loaded[name]
        path = self.path(name)
        if path is None:
            where = ", ".join(str(f) for f in self.folders)
            raise ConfigError(f"sound '{name}' has no file (looked for {name}.wav in {where}).",
                              hint="Add the file, or run `episode sfx build` to make the project's own sounds.")
        try:
            data, rate = sf.read(path, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise ConfigError(f"cannot read this sound file ({exc}).", file=path,
                              hint="Use a WAV, FLAC or OGG file.") from exc
        audio = resample(data.mean(axis=1), rate, SAMPLE_RATE)
        self._loaded[name] = audio
        return audio
