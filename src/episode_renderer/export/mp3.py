"""MP3 encoding and decoding with pedalboard's bundled LAME: no system ffmpeg needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SAMPLE_RATE = 44100


def write_mp3(path: Path, audio: np.ndarray, *, bitrate: str = "128k", rate: int = SAMPLE_RATE) -> None:
    """Encode mono float32 audio as CBR MP3."""
    from pedalboard.io import AudioFile

    with AudioFile(str(path), "w", samplerate=rate, num_channels=1, quality=bitrate) as handle:
        handle.write(np.asarray(audio, dtype=np.float32)[None, :])


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Decode any file pedalboard reads (MP3 included) to mono float32."""
    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as handle:
        data = handle.read(handle.frames)
        rate = int(handle.samplerate)
    return data.mean(axis=0).astype(np.float32), rate
