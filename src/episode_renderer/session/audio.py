"""The session's audio: one WAV per stem and one per clip, every sample as the mix has it.

Both come from ``mixdown`` itself (a stem is the mix of its clips; a clip is the mix of that clip
alone, or for a bed, its stretch of a mix of that bed ducked under every line), so the stems add up
to the mix and the clips, placed where the session puts them, add up to the stems. One stem is in
memory at a time, written and dropped before the next.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..audio import SAMPLE_RATE
from ..mix.timeline import Clip, Timeline, mixdown
from ..sound.cues import CueBook
from .model import Item, Session, source_of
from .wav import write_float_wav


def write_stems(timeline: Timeline, session: Session, cues: CueBook, folder: Path, duck_db: float) -> None:
    source = {id(c): source_of(c, timeline, cues) for c in timeline.clips}
    for name, file in session.stems:
        stem = mixdown(timeline, duck_db, only=lambda c, name=name: source[id(c)] == name)  # type: ignore[misc]
        write_float_wav(folder / file, stem)
        del stem


def write_clips(timeline: Timeline, session: Session, folder: Path, duck_db: float) -> None:
    for track in session.tracks:
        for item in track.items:
            path = folder / item.file
            path.parent.mkdir(parents=True, exist_ok=True)
            write_float_wav(path, clip_audio(timeline, timeline.clips[item.clip], item, duck_db))


def clip_audio(timeline: Timeline, clip: Clip, item: Item, duck_db: float) -> np.ndarray:
    """The samples ``clip`` adds to the mix from ``item.start`` on."""
    if clip.kind == "bed":
        alone = mixdown(timeline, duck_db, only=lambda c: c is clip)
        return alone[..., item.start:item.start + item.length].copy()
    alone = replace(timeline, clips=[replace(clip, start=0.0)],
                    layout=replace(timeline.layout, duration=item.length / SAMPLE_RATE))
    return mixdown(alone, duck_db)[..., :item.length]  # whatever else the timeline carries, as the mix had it
