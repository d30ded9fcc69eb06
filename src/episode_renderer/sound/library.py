"""Sound files from sfx/ (and a show's own folder), loaded once, at the mix rate."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import ConfigError
from ..reading import not_regular
from ..settings import SOUND_NAME
from ..audio import SAMPLE_RATE
from ..tts.shaping import resample

EXTENSIONS = (".wav", ".flac", ".ogg")
#: A sound is a file's stem: no folder parts, so a name can never reach outside the sound folders.
NAME = re.compile(SOUND_NAME)
#: Cues and beds are seconds to minutes long; a longer file is a mistake that would fill memory.
MAX_SOUND_SECONDS = 600.0


class SoundLibrary:
    """Sounds by name from a fixed list of folders (the project's sfx/ and those show.toml names)."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [Path(f) for f in folders]
        self._loaded: dict[str, np.ndarray] = {}

    def path(self, name: str) -> Path | None:
        if not NAME.fullmatch(name or ""):
            return None
        for folder in self.folders:
            for ext in EXTENSIONS:
                candidate = folder / f"{name}{ext}"
                if candidate.is_file() and candidate.resolve().is_relative_to(folder.resolve()):
                    return candidate
        return None

    def unusable(self, name: str) -> str | None:
        """Why a sound that has no usable file is missing, when a file of its name is there but is not
        a regular file (a FIFO, a device, a link loop or to nothing): then the warning says so."""
        if not NAME.fullmatch(name or "") or self.path(name) is not None:
            return None
        for folder in self.folders:
            for ext in EXTENSIONS:
                why = not_regular(folder / f"{name}{ext}")
                if why is not None:
                    return f"has no usable file: {folder / f'{name}{ext}'} is {why}, not a regular file"
        return None

    def available(self) -> list[str]:
        names = {p.stem for folder in self.folders if folder.is_dir() for p in folder.iterdir()
                 if p.suffix.lower() in EXTENSIONS}
        return sorted(names)

    def has(self, name: str) -> bool:
        return self.path(name) is not None

    def problem(self, name: str) -> str | None:
        """Why a sound that has a file cannot be played (not audio, too long), from its header alone."""
        path = self.path(name)
        if path is None:
            return None
        try:
            seconds = sf.info(str(path)).duration
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            return f"cannot read this sound file ({exc})."
        if seconds > MAX_SOUND_SECONDS:
            return f"is {seconds / 60:.0f} minutes long; a sound is at most {MAX_SOUND_SECONDS / 60:.0f} minutes."
        return None

    def load(self, name: str) -> np.ndarray:
        """Mono float32 at 44.1 kHz."""
        if name in self._loaded:
            return self._loaded[name]
        path = self.path(name)
        if path is None:
            where = ", ".join(str(f) for f in self.folders)
            raise ConfigError(f"sound '{name}' " + (self.unusable(name) or f"has no file (looked for {name}.wav in "
                                                                          f"{where})") + ".",
                              hint="Add the file, or run `python tools/sfx_synth.py` in the renderer's checkout "
                                   "to make its own sounds.")
        why = self.problem(name)
        if why:
            raise ConfigError(why, file=path, hint="Use a WAV, FLAC or OGG file of at most "
                                                   f"{MAX_SOUND_SECONDS / 60:.0f} minutes (beds loop).")
        try:
            data, rate = sf.read(path, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise ConfigError(f"cannot read this sound file ({exc}).", file=path,
                              hint="Use a WAV, FLAC or OGG file.") from exc
        audio = resample(data.mean(axis=1), rate, SAMPLE_RATE)
        self._loaded[name] = audio
        return audio
