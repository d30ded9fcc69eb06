"""Events + rendered audio -> one timeline (numpy, 44.1 kHz mono) and its layout.

Placement is decided first (pure arithmetic on durations), then every clip is summed into
one preallocated buffer: pydub's segment joins grow with the square of the clip count and
place audio only to the millisecond, which long episodes cannot afford.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from ..script.model import Episode, Event, SoundPart
from ..sound.cues import DEFAULT_LEVELS, CueBook, Level
from .layout import Chapter, Layout, PlacedSound, Segment
from .levels import COMPOUND_GAP, Measure, shaped

SAMPLE_RATE = 44100
_HOP = SAMPLE_RATE // 100  # ducking resolution: 10 ms


@dataclass(frozen=True)
class Timing:
    """Gaps in seconds. Defaults come from listening to the show's own rhythm; show.toml overrides."""

    lead_in: float = 0.5
    in_turn: float = 0.35  # between lines of one speaker
    vocal: float = 0.12  # between a vocal sound (a laugh, a sigh) and the speaker's words beside it
    new_turn: float = 0.7  # at a change of speaker
    list_item: float = 0.45
    interrupt_overlap: float = 0.3
    heading_before: float = 1.0
    heading_after: float = 0.7
    scene_break: float = 1.0
    sound_gap: float = 0.2
    tail: float = 1.5
    min_pause: float = 0.25
    chapter_min: float = 8.0  # chapters shorter than this merge into the next


@dataclass
class Clip:
    start: float
    audio: np.ndarray
    gain_db: float = 0.0
    cut_at: float | None = None  # seconds into the clip where an interruption cuts it off
    kind: str = "sound"  # "speech", "sound" or "bed"
    end: float | None = None  # beds: loop until here
    target: Level | None = None  # where a sound sits against the speech around it
    placed: int | None = None  # its entry in layout.sounds


class _Beds:
    """Beds that are running, keyed by what started them (a block, or a cue until the scene ends)."""

    def __init__(self, timeline: "Timeline") -> None:
        self.timeline = timeline
        self.open: dict[str, tuple[Clip, str, str, int]] = {}

    def start(self, key: str, name: str, audio: np.ndarray, at: float, gain_db: float, cue: str, line: int,
              target: Level | None = None) -> None:
        if key in self.open:
            return
        clip = Clip(at, audio, gain_db, kind="bed", target=target)
        self.timeline.clips.append(clip)
        self.open[key] = (clip, name, cue, line)

    def stop(self, key: str, at: float) -> None:
        if key not in self.open:
            return
        clip, name, cue, line = self.open.pop(key)
        clip.end = max(at, clip.start + 1.0)
        clip.placed = len(self.timeline.layout.sounds)
        self.timeline.layout.sounds.append(PlacedSound(name, round(clip.start, 3), round(clip.end, 3), cue, line))

    def stop_all(self, at: float, prefix: str = "") -> None:
        for key in [k for k in self.open if k.startswith(prefix)]:
            self.stop(key, at)


@dataclass
class Timeline:
    clips: list[Clip] = field(default_factory=list)
    layout: Layout = field(default_factory=lambda: Layout(0.0))


def _title(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—-") + "…"


def plan(episode: Episode, lines: dict[int, np.ndarray], sounds: dict[str, np.ndarray], cues: CueBook,
         timing: Timing = Timing(), intro: np.ndarray | None = None, outro: np.ndarray | None = None,
         intro_name: str = "intro", outro_name: str = "outro",
         measure: Measure | None = None) -> Timeline:
    """Decide where every line and sound goes.

    ``lines`` maps event index -> audio for "line" and "heading" events; ``sounds`` maps sound
    name -> audio for every sound the events name (missing ones are left out silently: the
    caller reports them). ``measure`` judges lines and sounds as mastered (a caller may remember
    its figures, since a re-render's lines and sounds are mostly the same samples).
    """
    rate = float(SAMPLE_RATE)
    tl = Timeline()
    layout = tl.layout
    cursor = 0.0
    sting = cues.levels.get("sting", DEFAULT_LEVELS["sting"])
    if intro is not None and intro.size:
        tl.clips.append(Clip(0.0, intro, target=sting, placed=len(layout.sounds)))
        layout.sounds.append(PlacedSound(intro_name, 0.0, intro.size / rate, "intro", 0))
        cursor = max(0.0, intro.size / rate - 0.6)
    cursor += timing.lead_in
    prev: Event | None = None
    prev_clip: Clip | None = None
    pause = 0.0
    chapter_marks: list[tuple[float, str]] = []
    pending_chapter: str | None = episode.title or "Opening"
    pending_sound_gap: float | None = None

    beds = _Beds(tl)
    current_blocks: set[str] = set()

    def gap_before_block() -> float:
        return timing.new_turn if prev is not None else 0.0

    for index, event in enumerate(episode.events):
        blocks_here = {b for b in (event.block, event.scene) if b}
        for name in sorted(current_blocks - blocks_here):
            beds.stop(f"block:{name}", cursor + 0.3)
        for name in sorted(blocks_here - current_blocks):
            design = cues.blocks.get(name)
            if design is None:
                continue
            if design.bed and design.bed in sounds:
                beds.start(f"block:{name}", design.bed, sounds[design.bed], cursor, design.bed_gain_db,
                           f"{{{{< {name} >}}}}", event.line, cues.level(design.bed))
            if design.before and design.before in sounds:
                start = cursor + gap_before_block()
                one_shot = sounds[design.before]
                tl.clips.append(Clip(start, one_shot, design.before_gain_db, target=cues.level(design.before),
                                     placed=len(layout.sounds)))
                layout.sounds.append(PlacedSound(design.before, round(start, 3),
                                                 round(start + one_shot.size / rate, 3), f"{{{{< {name} >}}}}",
                                                 event.line))
                cursor = start + one_shot.size / rate
                pending_sound_gap = timing.sound_gap
        current_blocks = blocks_here
        if event.kind == "pause":
            pause += event.seconds or 0.8
            continue
        if event.voiced:
            audio = lines.get(index)
            if audio is None or audio.size == 0:
                continue
            if prev is None:
                gap = 0.0
            elif event.kind == "heading" or prev.kind == "heading":
                gap = timing.heading_before if event.kind == "heading" else timing.heading_after
            elif pending_sound_gap is not None:
                gap = pending_sound_gap
            elif event.category == "list":
                gap = timing.list_item
            elif event.turn != prev.turn:
                gap = timing.new_turn
            elif "vocal" in (event.kind, prev.kind):
                gap = timing.vocal
            else:
                gap = timing.in_turn
            if pause:
                gap = max(pause, timing.min_pause)
            start = cursor + gap
            if event.interrupts and prev_clip is not None and not pause:
                start = max(prev_clip.start + 0.5 * prev_clip.audio.size / rate,
                            prev_clip.start + prev_clip.audio.size / rate - timing.interrupt_overlap)
                prev_clip.cut_at = start - prev_clip.start + timing.interrupt_overlap
            if event.kind == "heading":
                beds.stop_all(start, "cue:")
            clip = Clip(start, audio, kind="speech")
            tl.clips.append(clip)
            end = start + audio.size / rate
            layout.segments.append(Segment(event.speaker or "Narrator", round(start, 3), round(end, 3), event.heard))
            if event.kind == "heading":
                chapter_marks.append((start, event.text))
                pending_chapter = None
            elif event.topic:
                chapter_marks.append((start, event.text))
            elif pending_chapter is not None:
                chapter_marks.append((start, pending_chapter))
                pending_chapter = None
            cursor = max(cursor, end) if clip.cut_at is None else end
            prev, prev_clip, pause, pending_sound_gap = event, clip, 0.0, None
            continue
        if event.kind == "break":
            beds.stop_all(cursor + 0.3, "cue:")
            start = cursor + timing.scene_break / 2
            sound = sounds.get(event.sound or "")
            if sound is not None:
                setting = cues.setting(event.sound or "")
                tl.clips.append(Clip(start, sound, setting.gain_db, target=cues.level(event.sound or ""),
                                     placed=len(layout.sounds)))
                layout.sounds.append(PlacedSound(event.sound or "", round(start, 3),
                                                 round(start + sound.size / rate, 3), event.text, event.line))
                cursor = start + sound.size / rate
            else:
                cursor = start
            pending_chapter = f"Scene {len(chapter_marks) + 1}"
            pending_sound_gap = timing.scene_break / 2
            prev = event if prev is not None else None
            continue
        if event.sound and event.kind in ("cue", "direction"):
            parts = [(p, shaped(sounds[p.sound], p)) for p in event.parts or (SoundPart(event.sound),)
                     if p.sound in sounds]
            if not parts:
                continue
            setting = cues.setting(parts[0][0].sound)
            duration = sum(audio.size / rate for _, audio in parts) + COMPOUND_GAP * (len(parts) - 1)
            if setting.placement == "bed":
                beds.start(f"cue:{event.sound}", event.sound, sounds[event.sound], cursor, setting.gain_db,
                           event.text, event.line, cues.level(event.sound))
                continue
            if event.kind == "cue":
                gap = max(pause, timing.min_pause) if pause else (
                    timing.sound_gap if prev is not None and prev.turn == event.turn else timing.new_turn)
                if prev is None:
                    gap = 0.0
                start = cursor + gap
                if setting.placement == "under":
                    cursor = start + max(0.0, duration - setting.overlap)
                    pending_sound_gap = 0.0
                elif setting.placement == "replace-pause":
                    cursor = start + duration
                    pending_sound_gap = 0.05
                else:
                    cursor = start + duration
                    pending_sound_gap = timing.sound_gap
                pause = 0.0
                prev = event
            else:  # an action's sound plays quietly under the next words
                start = cursor + timing.sound_gap
                cursor = max(cursor, start + min(duration, 0.35))
                pending_sound_gap = 0.05
            for part, audio in parts:
                offset = cues.setting(part.sound).gain_db + part.gain_db
                tl.clips.append(Clip(start, audio, offset, target=cues.level(part.sound), placed=len(layout.sounds)))
                layout.sounds.append(PlacedSound(part.sound, round(start, 3), round(start + audio.size / rate, 3),
                                                 event.text, event.line))
                start += audio.size / rate + COMPOUND_GAP
    cursor += pause
    beds.stop_all(cursor + 0.5)
    if outro is not None and outro.size:
        start = cursor + timing.heading_before
        tl.clips.append(Clip(start, outro, target=sting, placed=len(layout.sounds)))
        layout.sounds.append(PlacedSound(outro_name, round(start, 3), round(start + outro.size / rate, 3), "outro", 0))
        cursor = start + outro.size / rate
    layout.duration = round(cursor + timing.tail, 3)
    layout.chapters = _chapters(chapter_marks, layout.duration, timing.chapter_min)
    _set_levels(tl, measure or Measure())
    return tl


def _set_levels(tl: Timeline, measure: Measure) -> None:
    """Give every sound its gain from the speech around it: the lines just before and after it.

    A clip's ``gain_db`` comes in as an offset (modifiers, the cue file) from its kind's level and
    leaves as the gain that puts it there, never above the kind's ``max``. Levels are judged after
    the mastering compressor (which holds the voices down and leaves quiet sounds alone), as heard.
    """
    speech = sorted((c for c in tl.clips if c.kind == "speech"), key=lambda c: c.start)
    starts = [c.start for c in speech]
    sounds = [c for c in tl.clips if c.target is not None]
    near = {id(c): [int(i) - 1, int(i)] for c in sounds for i in [np.searchsorted(starts, c.start)]}
    needed = sorted({i for pair in near.values() for i in pair if 0 <= i < len(speech)})
    with ThreadPoolExecutor(max_workers=2) as pool:  # the compressor and filters release the GIL
        measured = dict(zip(needed, pool.map(lambda i: measure.speech(speech[i].audio), needed), strict=True))
    for clip in sounds:
        around = [measured[i] for i in near[id(clip)] if i in measured and np.isfinite(measured[i])]
        reference = 10 * np.log10(np.mean([10 ** (v / 10) for v in around])) if around else float("-inf")
        clip.gain_db, level = measure.placed(clip.audio, reference, clip.target.lu + clip.gain_db, clip.target.max)
        if clip.placed is not None and clip.placed < len(tl.layout.sounds):
            tl.layout.sounds[clip.placed] = replace(tl.layout.sounds[clip.placed], level_lu=round(level, 1))


def _chapters(marks: list[tuple[float, str]], duration: float, minimum: float) -> list[Chapter]:
    """Chapter marks -> chapters; the first starts at 0 and tiny ones merge into the next."""
    marks = sorted(marks)
    kept: list[tuple[float, str]] = []
    for start, title in marks:
        if kept and start - kept[-1][0] < minimum:
            kept[-1] = (kept[-1][0], title if len(kept) > 1 else kept[-1][1])
            continue
        kept.append((start, title))
    if not kept:
        kept = [(0.0, "Episode")]
    kept[0] = (0.0, kept[0][1])
    chapters = []
    for i, (start, title) in enumerate(kept):
        end = kept[i + 1][0] if i + 1 < len(kept) else duration
        chapters.append(Chapter(_title(title), round(start, 3), round(end, 3)))
    return chapters


def mixdown(timeline: Timeline, duck_db: float = -10.0) -> np.ndarray:
    """Sum every clip into one float32 buffer; beds loop to their end and duck under speech."""
    total = int(round(timeline.layout.duration * SAMPLE_RATE))
    for clip in timeline.clips:
        length = clip.audio.size if clip.end is None else int((clip.end - clip.start) * SAMPLE_RATE)
        total = max(total, int(round(clip.start * SAMPLE_RATE)) + length)
    out = np.zeros(total, dtype=np.float32)
    speaking = np.zeros(total // _HOP + 1, dtype=bool)
    fade = int(0.06 * SAMPLE_RATE)
    for clip in timeline.clips:
        if clip.kind == "bed":
            continue
        audio = clip.audio
        if clip.cut_at is not None:
            keep = min(audio.size, int(clip.cut_at * SAMPLE_RATE))
            audio = audio[:keep].copy()
            n = min(fade, audio.size)
            audio[audio.size - n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
        if clip.gain_db:
            audio = audio * np.float32(10 ** (clip.gain_db / 20))
        begin = int(round(clip.start * SAMPLE_RATE))
        out[begin:begin + audio.size] += audio
        if clip.kind == "speech":
            speaking[begin // _HOP:(begin + audio.size) // _HOP + 1] = True
    beds = [c for c in timeline.clips if c.kind == "bed" and c.end is not None and c.audio.size]
    if beds:
        duck = _duck_gain(speaking, duck_db)
        for clip in beds:
            begin = int(round(clip.start * SAMPLE_RATE))
            length = min(total - begin, int((clip.end - clip.start) * SAMPLE_RATE))  # type: ignore[operator]
            if length <= 0:
                continue
            loop = np.resize(clip.audio, length)
            edge = min(int(0.5 * SAMPLE_RATE), length // 2)
            ramp = np.interp(np.arange(begin, begin + length, dtype=np.float32), _HOP * np.arange(duck.size), duck)
            ramp[:edge] *= np.linspace(0, 1, edge)
            ramp[length - edge:] *= np.linspace(1, 0, edge)
            out[begin:begin + length] += loop * ramp.astype(np.float32) * np.float32(10 ** (clip.gain_db / 20))
    return out


def _duck_gain(speaking: np.ndarray, duck_db: float) -> np.ndarray:
    """Gain curve for beds, one value per 10 ms hop: down by ``duck_db`` while anyone speaks,
    with smooth 0.25 s ramps. Hops keep a 20-minute episode's curve small."""
    target = np.where(speaking, 10 ** (duck_db / 20), 1.0)
    window = max(1, int(0.25 * SAMPLE_RATE) // _HOP)
    sums = np.concatenate([[0.0], np.cumsum(target)])
    index = np.arange(target.size)
    lo = np.clip(index - window // 2, 0, target.size)
    hi = np.clip(index + window // 2, 1, target.size)
    return (sums[hi] - sums[lo]) / np.maximum(hi - lo, 1)
