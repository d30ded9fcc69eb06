"""MP3 encoding and decoding with pedalboard's bundled LAME: no system ffmpeg needed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..audio import SAMPLE_RATE
from ..mix.loudness import Loudness, Meter


def write_mp3(path: Path, audio: np.ndarray | Iterable[np.ndarray], *, bitrate: str = "128k",
              rate: int = SAMPLE_RATE) -> None:
    """Encode float32 audio (an array, or its blocks in order), mono or ``(2, samples)`` stereo, as
    CBR MP3 that decodes at the level it was mastered to (LAME writes two channels as joint
    stereo). The encoder keeps its state from block to block: same bytes either way."""
    from itertools import chain

    from pedalboard.io import AudioFile

    if isinstance(audio, np.ndarray):
        whole = np.asarray(audio, dtype=np.float32)
        step = rate * 30  # 30 s at a time: memory keeps no scaled copy
        audio = (whole[..., begin:begin + step] for begin in range(0, whole.shape[-1], step))
    blocks = iter(audio)
    first = next(blocks, None)
    channels = 2 if first is not None and np.ndim(first) == 2 else 1
    gain = np.float32(codec_gain(rate, bitrate, channels))
    with AudioFile(str(path), "w", samplerate=rate, num_channels=channels, quality=bitrate) as handle:
        if first is None:
            handle.write(np.zeros((1, 0), dtype=np.float32))
        for block in chain([first] if first is not None else [], blocks):
            block = np.asarray(block, dtype=np.float32) / gain
            handle.write(block if block.ndim == 2 else block[None, :])


@lru_cache(maxsize=8)
def codec_gain(rate: int = SAMPLE_RATE, bitrate: str = "128k", channels: int = 1) -> float:
    """The level the encoder's output decodes at, relative to its input (measured once per process).

    pedalboard's LAME writes at 95% (-0.45 dB: a 1 kHz tone decodes 0.45 dB down in pedalboard and in
    libsndfile alike); write_mp3 divides it back out, so mastering's loudness is the file's loudness.
    """
    import io

    from pedalboard.io import AudioFile

    tone = (0.25 * np.sin(2 * np.pi * 1000 * np.arange(rate) / rate)).astype(np.float32)
    buffer = io.BytesIO()
    with AudioFile(buffer, "w", samplerate=rate, num_channels=channels, quality=bitrate, format="mp3") as handle:
        handle.write(np.repeat(tone[None, :], channels, axis=0))
    with AudioFile(io.BytesIO(buffer.getvalue())) as handle:
        decoded = handle.read(handle.frames)[0]
    middle = slice(rate // 4, rate * 3 // 4)  # clear of the codec's delay and padding
    gain = float(np.sqrt(np.mean(decoded[middle] ** 2)) / np.sqrt(np.mean(tone[middle] ** 2)))
    return gain if 0.5 < gain < 1.5 else 1.0


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Decode any file pedalboard reads (MP3 included) to mono float32."""
    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as handle:
        data = handle.read(handle.frames)
        rate = int(handle.samplerate)
    mono = data[0] if data.shape[0] == 1 else data.mean(axis=0)
    return mono.astype(np.float32, copy=False), rate


def decoded_seconds(path: Path) -> float:
    """How long ``path`` plays, from its header, without decoding it."""
    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as handle:
        return handle.frames / handle.samplerate


def read_windows(path: Path, spans: Iterable[tuple[float, float]],
                 block: int = 10 * SAMPLE_RATE) -> Iterator[tuple[np.ndarray, int]]:
    """Each (start, end) in seconds of ``spans`` decoded to mono float32, with the file's rate.

    The file is decoded once, front to back, keeping only from the current span's start on; spans
    come with non-decreasing starts (they may overlap). Memory is one span and a block, whatever the
    file's length, and the samples are those a whole-file decode gives."""
    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as handle:
        rate = int(handle.samplerate)
        kept = np.zeros(0, dtype=np.float32)
        offset = 0  # the file's frame at kept[0]
        for start, end in spans:
            lo, hi = int(start * rate), int(end * rate)
            while offset + kept.size < hi:
                data = handle.read(block)
                if data.shape[-1] == 0:
                    break
                mono = data[0] if data.shape[0] == 1 else data.mean(axis=0)
                kept = np.concatenate([kept, mono.astype(np.float32, copy=False)])
            drop = max(0, min(lo - offset, kept.size))
            kept, offset = kept[drop:], offset + drop
            yield kept[max(0, lo - offset):max(0, hi - offset)].copy(), rate


def measure_file(path: Path, block: int = 10 * SAMPLE_RATE) -> tuple[Loudness, int]:
    """Loudness and true peak of an encoded file, and its length in samples, measured as it
    decodes, ``block`` samples at a time: the release gate's figures without the decoded episode
    in memory. One block is measured on a second thread while the next is decoded. Every channel
    counts (BS.1770 sums their powers; the true peak is the highest channel's)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as handle, ThreadPoolExecutor(max_workers=1) as pool:
        meter = Meter(int(handle.samplerate))
        pending: Future | None = None
        while True:
            data = handle.read(block)
            if data.shape[-1] == 0:
                break
            if pending is not None:
                pending.result()
            pending = pool.submit(meter.add, data[0] if data.shape[0] == 1 else data)
        if pending is not None:
            pending.result()
    return meter.result(), meter.frames
