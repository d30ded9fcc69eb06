"""What a session holds, decided from the timeline alone: which stem each clip belongs to, and
every clip as an item (track, name, place, file). Pure: the audio is written elsewhere
(``audio``), the session files from this (``otio_file``, ``reaper``).

Sources: a line goes to its character's stem; a line several characters say together (a
unity-box) is one take, so it has one stem named for them all ("Vector & Kai"); sounds go to
effects; beds, stings (sounds of kind "sting" in the cue file) and the show's intro and outro go to
music. A character called Effects or Music gets the stem "Effects (voice)" or "Music (voice)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..audio import SAMPLE_RATE
from ..mix.layout import Chapter, shortened
from ..mix.placement import tail_frames
from ..mix.timeline import Clip, Timeline
from ..script.model import NARRATOR, Episode
from ..sound.cues import CueBook

EFFECTS = "Effects"
MUSIC = "Music"
CLIPS_FOLDER = "clips"


@dataclass(frozen=True)
class Item:
    """One clip of the timeline as a DAW item: placed at ``start`` frames, ``length`` frames long."""

    clip: int  # its index in the timeline's clips
    name: str
    start: int
    length: int
    file: str  # relative to the session folder
    kind: str  # "line", "cue", "bed" or "sting"
    line: int | None  # the script's line it comes from (None: the show's intro and outro)
    text: str  # the script line's words, or the direction that asked for the sound
    source: str  # the stem it belongs to


@dataclass(frozen=True)
class Track:
    name: str
    source: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Session:
    title: str
    rate: int
    frames: int
    stems: tuple[tuple[str, str], ...]  # (source, file name) in track order
    tracks: tuple[Track, ...]
    chapters: tuple[Chapter, ...]


def source_of(clip: Clip, timeline: Timeline, cues: CueBook) -> str:
    """The stem a clip belongs to (see the module's docstring)."""
    if clip.kind == "speech":
        voice = " & ".join(clip.speakers or (NARRATOR,))
        return f"{voice} (voice)" if voice in (EFFECTS, MUSIC) else voice  # a character called Music
    if clip.kind == "bed":
        return MUSIC
    placed = timeline.layout.sounds[clip.placed] if clip.placed is not None else None
    if placed is not None and (cues.kinds.get(placed.sound) == "sting"
                               or (clip.event is None and placed.cue in ("intro", "outro"))):
        return MUSIC
    return EFFECTS


def sources(timeline: Timeline, cues: CueBook) -> list[str]:
    """Every stem of the timeline: the voices in the order they are first heard, then effects, music."""
    found = dict.fromkeys(source_of(c, timeline, cues) for c in sorted(timeline.clips, key=lambda c: c.start))
    voices = [s for s in found if s not in (EFFECTS, MUSIC)]
    return voices + [s for s in (EFFECTS, MUSIC) if s in found]


def file_names(names: list[str], suffix: str, taken: set[str] | None = None) -> dict[str, str]:
    """A file name for each name, safe on any file system and unique ignoring case."""
    used = {t.casefold() for t in taken or ()}
    out: dict[str, str] = {}
    for name in names:
        base = "-".join(re.findall(r"\w+", name)) or "track"
        candidate, n = base + suffix, 1
        while candidate.casefold() in used:
            n += 1
            candidate = f"{base}-{n}{suffix}"
        used.add(candidate.casefold())
        out[name] = candidate
    return out


def placed_length(clip: Clip, frames: int, channels: int = 1) -> int:
    """Frames the clip occupies in the mix: cut short by an interruption, a bed until it stops, a
    treated voice with its room's tail, never past the mix's end."""
    if clip.kind == "bed" and clip.end is not None:
        length = int((clip.end - clip.start) * SAMPLE_RATE)
    elif clip.cut_at is not None:
        length = min(clip.audio.shape[0], int(clip.cut_at * SAMPLE_RATE))
    else:
        length = clip.audio.shape[0]
    return max(0, min(frames - start_frame(clip), length + tail_frames(clip.place, channels)))


def start_frame(clip: Clip) -> int:
    return int(round(clip.start * SAMPLE_RATE))


def describe(clip: Clip, timeline: Timeline, episode: Episode, source: str) -> tuple[str, str, int | None, str]:
    """(kind, name, script line, text) of a clip: a line is named by its line number, who says it and
    its words; a sound by its line, its sound and the direction that asked for it."""
    if clip.kind == "speech" and clip.event is not None:
        event = episode.events[clip.event]
        return "line", f"L{event.line} {source}: {shortened(event.text)}", event.line, event.text
    placed = timeline.layout.sounds[clip.placed] if clip.placed is not None else None
    if placed is None:
        return "cue", "sound", None, ""
    kind = "bed" if clip.kind == "bed" else "sting" if source == MUSIC else "cue"
    line = placed.line or None
    where = f"L{line} " if line else ""
    return kind, f"{where}{placed.sound}: {shortened(placed.cue)}", line, placed.cue


def build(timeline: Timeline, episode: Episode, cues: CueBook, frames: int, title: str) -> Session:
    """The session of a planned timeline whose mix is ``frames`` long."""
    order = sources(timeline, cues)
    stems = file_names(order, ".wav")
    clip_files = _clip_names(timeline, episode, cues)
    by_source: dict[str, list[Item]] = {s: [] for s in order}
    for index, clip in enumerate(timeline.clips):
        length = placed_length(clip, frames, timeline.channels)
        if length <= 0:
            continue
        source = source_of(clip, timeline, cues)
        kind, name, line, text = describe(clip, timeline, episode, source)
        by_source[source].append(Item(index, name, start_frame(clip), length, clip_files[index], kind, line,
                                      text, source))
    tracks = [track for source in order for track in _lanes(source, by_source[source])]
    return Session(title, SAMPLE_RATE, frames, tuple((s, stems[s]) for s in order), tuple(tracks),
                   tuple(timeline.layout.chapters))


def _clip_names(timeline: Timeline, episode: Episode, cues: CueBook) -> dict[int, str]:
    """``clips/0007-L12-Kai.wav``: numbered in timeline order, so the folder lists as the episode plays."""
    out: dict[int, str] = {}
    played = sorted(range(len(timeline.clips)), key=lambda i: (timeline.clips[i].start, i))
    for number, index in enumerate(played, 1):
        clip = timeline.clips[index]
        source = source_of(clip, timeline, cues)
        _kind, _name, line, _text = describe(clip, timeline, episode, source)
        placed = timeline.layout.sounds[clip.placed] if clip.placed is not None else None
        what = source if clip.kind == "speech" or placed is None else placed.sound
        label = "-".join(re.findall(r"\w+", f"L{line} {what}" if line else what))
        out[index] = f"{CLIPS_FOLDER}/{number:04d}-{label}.wav"
    return out


def _lanes(source: str, items: list[Item]) -> list[Track]:
    """One track per stem; items that would overlap on it (two beds at once) go to a second lane."""
    lanes: list[list[Item]] = []
    for item in sorted(items, key=lambda i: (i.start, i.name)):
        for lane in lanes:
            if lane[-1].start + lane[-1].length <= item.start:
                lane.append(item)
                break
        else:
            lanes.append([item])
    names = [source] + [f"{source} ({n})" for n in range(2, len(lanes) + 1)]
    return [Track(name, source, tuple(lane)) for name, lane in zip(names, lanes, strict=True)]
