"""Events + rendered audio -> one timeline (numpy, 44.1 kHz mono) and its layout.

Placement is decided first (pure arithmetic on durations), then every clip is summed into
one preallocated buffer: pydub's segment joins grow with the square of the clip count and
place audio only to the millisecond, which long episodes cannot afford.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from ..audio import SAMPLE_RATE
from ..script.model import NARRATOR, Episode, Event, SoundPart
from ..sound.cues import DEFAULT_LEVELS, CueBook, Level
from .layout import Chapter, Layout, PlacedSound, Segment, shortened
from .levels import COMPOUND_GAP, Measure, shaped
from .placement import Place, staged, tail_frames

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
    speakers: tuple[str, ...] = ()  # whose line it is, or whose turn a sound stands in (stems, placement)
    event: int | None = None  # the episode event it renders (lines and cues), for per-line exports
    place: Place | None = None  # where it is heard from (mix/scene.py); None: the middle, as it is


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
    channels: int = 1  # 2: mixdown gives (2, samples), every clip at its place


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
    placing = _Placing(sounds, cues, timing, episode.title or "Opening")
    placing.intro(intro, intro_name)
    for index, event in enumerate(episode.events):
        placing.enter_blocks(event)
        if event.kind == "pause":
            placing.pause += event.seconds or 0.8
        elif event.voiced:
            audio = lines.get(index)
            if audio is not None and audio.size:
                placing.speech(event, audio, index)
        elif event.kind == "break":
            placing.scene_break(event)
        elif event.sound and event.kind in ("cue", "direction"):
            placing.sound(event, index)
    tl = placing.finish(outro, outro_name)
    _set_levels(tl, measure or Measure())
    return tl


class _Placing:
    """The state of ``plan`` walking an episode: where the cursor is, what came before, what waits."""

    def __init__(self, sounds: dict[str, np.ndarray], cues: CueBook, timing: Timing, opening: str) -> None:
        self.sounds, self.cues, self.timing = sounds, cues, timing
        self.tl = Timeline()
        self.layout = self.tl.layout
        self.cursor = 0.0
        self.prev: Event | None = None
        self.prev_clip: Clip | None = None
        self.pause = 0.0
        self.chapter_marks: list[tuple[float, str]] = []
        self.pending_chapter: str | None = opening
        self.pending_sound_gap: float | None = None
        self.beds = _Beds(self.tl)
        self.current_blocks: set[str] = set()
        self.sting = cues.levels.get("sting", DEFAULT_LEVELS["sting"])

    def intro(self, intro: np.ndarray | None, name: str) -> None:
        rate = float(SAMPLE_RATE)
        if intro is not None and intro.size:
            self.tl.clips.append(Clip(0.0, intro, target=self.sting, placed=len(self.layout.sounds)))
            self.layout.sounds.append(PlacedSound(name, 0.0, intro.size / rate, "intro", 0))
            self.cursor = max(0.0, intro.size / rate - 0.6)
        self.cursor += self.timing.lead_in

    def enter_blocks(self, event: Event) -> None:
        """Beds and opening sounds of the shortcode blocks this event enters; beds of those it leaves stop."""
        rate = float(SAMPLE_RATE)
        blocks_here = {b for b in (event.block, event.scene) if b}
        for name in sorted(self.current_blocks - blocks_here):
            self.beds.stop(f"block:{name}", self.cursor + 0.3)
        for name in sorted(blocks_here - self.current_blocks):
            design = self.cues.blocks.get(name)
            if design is None:
                continue
            if design.bed and design.bed in self.sounds:
                self.beds.start(f"block:{name}", design.bed, self.sounds[design.bed], self.cursor, design.bed_gain_db,
                                f"{{{{< {name} >}}}}", event.line, self.cues.level(design.bed))
            if design.before and design.before in self.sounds:
                start = self.cursor + (self.timing.new_turn if self.prev is not None else 0.0)
                one_shot = self.sounds[design.before]
                self.tl.clips.append(Clip(start, one_shot, design.before_gain_db, target=self.cues.level(design.before),
                                          placed=len(self.layout.sounds)))
                self.layout.sounds.append(PlacedSound(design.before, round(start, 3),
                                                      round(start + one_shot.size / rate, 3), f"{{{{< {name} >}}}}",
                                                      event.line))
                self.cursor = start + one_shot.size / rate
                self.pending_sound_gap = self.timing.sound_gap
        self.current_blocks = blocks_here

    def _gap(self, event: Event) -> float:
        """Silence before a spoken event: by what came before it, or the pause the script asked for."""
        timing, prev = self.timing, self.prev
        if prev is None:
            gap = 0.0
        elif event.kind == "heading" or prev.kind == "heading":
            gap = timing.heading_before if event.kind == "heading" else timing.heading_after
        elif self.pending_sound_gap is not None:
            gap = self.pending_sound_gap
        elif event.category == "list":
            gap = timing.list_item
        elif event.turn != prev.turn:
            gap = timing.new_turn
        elif "vocal" in (event.kind, prev.kind):
            gap = timing.vocal
        else:
            gap = timing.in_turn
        return max(self.pause, timing.min_pause) if self.pause else gap

    def speech(self, event: Event, audio: np.ndarray, index: int) -> None:
        rate = float(SAMPLE_RATE)
        timing = self.timing
        start = self.cursor + self._gap(event)
        if event.interrupts and self.prev_clip is not None and not self.pause:
            prev_clip = self.prev_clip
            start = max(prev_clip.start + 0.5 * prev_clip.audio.size / rate,
                        prev_clip.start + prev_clip.audio.size / rate - timing.interrupt_overlap)
            prev_clip.cut_at = start - prev_clip.start + timing.interrupt_overlap
        if event.kind == "heading":
            self.beds.stop_all(start, "cue:")
        clip = Clip(start, audio, kind="speech", speakers=event.speakers or (NARRATOR,), event=index)
        self.tl.clips.append(clip)
        end = start + audio.size / rate
        self.layout.segments.append(Segment(event.speaker or NARRATOR, round(start, 3), round(end, 3), event.heard))
        if event.kind == "heading":
            self.chapter_marks.append((start, event.text))
            self.pending_chapter = None
        elif event.topic:
            self.chapter_marks.append((start, event.text))
        elif self.pending_chapter is not None:
            self.chapter_marks.append((start, self.pending_chapter))
            self.pending_chapter = None
        self.cursor = max(self.cursor, end) if clip.cut_at is None else end
        self.prev, self.prev_clip, self.pause, self.pending_sound_gap = event, clip, 0.0, None

    def scene_break(self, event: Event) -> None:
        rate = float(SAMPLE_RATE)
        self.beds.stop_all(self.cursor + 0.3, "cue:")
        start = self.cursor + self.timing.scene_break / 2
        sound = self.sounds.get(event.sound or "")
        if sound is not None:
            setting = self.cues.setting(event.sound or "")
            self.tl.clips.append(Clip(start, sound, setting.gain_db, target=self.cues.level(event.sound or ""),
                                      placed=len(self.layout.sounds)))
            self.layout.sounds.append(PlacedSound(event.sound or "", round(start, 3),
                                                  round(start + sound.size / rate, 3), event.text, event.line))
            self.cursor = start + sound.size / rate
        else:
            self.cursor = start
        self.pending_chapter = f"Scene {len(self.chapter_marks) + 1}"
        self.pending_sound_gap = self.timing.scene_break / 2
        self.prev = event if self.prev is not None else None

    def sound(self, event: Event, index: int) -> None:
        """A cue's sounds in their own place, an action's quietly under the next words, a bed from here on."""
        rate = float(SAMPLE_RATE)
        timing, cues, sounds = self.timing, self.cues, self.sounds
        parts = [(p, shaped(sounds[p.sound], p)) for p in event.parts or (SoundPart(event.sound or ""),)
                 if p.sound in sounds]
        if not parts:
            return
        setting = cues.setting(parts[0][0].sound)
        duration = sum(audio.size / rate for _, audio in parts) + COMPOUND_GAP * (len(parts) - 1)
        if setting.placement == "bed":
            self.beds.start(f"cue:{event.sound}", event.sound or "", sounds[event.sound or ""], self.cursor,
                            setting.gain_db, event.text, event.line, cues.level(event.sound or ""))
            return
        if event.kind == "cue":
            gap = max(self.pause, timing.min_pause) if self.pause else (
                timing.sound_gap if self.prev is not None and self.prev.turn == event.turn else timing.new_turn)
            if self.prev is None:
                gap = 0.0
            start = self.cursor + gap
            if setting.placement == "under":
                self.cursor = start + max(0.0, duration - setting.overlap)
                self.pending_sound_gap = 0.0
            elif setting.placement == "replace-pause":
                self.cursor = start + duration
                self.pending_sound_gap = 0.05
            else:
                self.cursor = start + duration
                self.pending_sound_gap = timing.sound_gap
            self.pause = 0.0
            self.prev = event
        else:  # an action's sound plays quietly under the next words
            start = self.cursor + timing.sound_gap
            self.cursor = max(self.cursor, start + min(duration, 0.35))
            self.pending_sound_gap = 0.05
        for part, audio in parts:
            offset = cues.setting(part.sound).gain_db + part.gain_db
            self.tl.clips.append(Clip(start, audio, offset, target=cues.level(part.sound),
                                      placed=len(self.layout.sounds), speakers=event.speakers, event=index))
            self.layout.sounds.append(PlacedSound(part.sound, round(start, 3), round(start + audio.size / rate, 3),
                                                  event.text, event.line))
            start += audio.size / rate + COMPOUND_GAP

    def finish(self, outro: np.ndarray | None, name: str) -> Timeline:
        rate = float(SAMPLE_RATE)
        cursor = self.cursor + self.pause
        self.beds.stop_all(cursor + 0.5)
        if outro is not None and outro.size:
            start = cursor + self.timing.heading_before
            self.tl.clips.append(Clip(start, outro, target=self.sting, placed=len(self.layout.sounds)))
            self.layout.sounds.append(PlacedSound(name, round(start, 3), round(start + outro.size / rate, 3),
                                                  "outro", 0))
            cursor = start + outro.size / rate
        self.layout.duration = round(cursor + self.timing.tail, 3)
        self.layout.chapters = _chapters(self.chapter_marks, self.layout.duration, self.timing.chapter_min)
        return self.tl


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
        chapters.append(Chapter(shortened(title), round(start, 3), round(end, 3)))
    return chapters


def mixdown(timeline: Timeline, duck_db: float = -10.0, only: Callable[[Clip], bool] | None = None) -> np.ndarray:
    """Sum every clip into one float32 buffer, ``(2, samples)`` for a stereo timeline, each clip
    from its place; beds loop to their end and duck under speech.

    ``only`` sums just the clips it selects (a stem), into a buffer as long as the whole mix, with
    beds still ducked under every line: so the stems of one timeline add up to its mix."""
    total = int(round(timeline.layout.duration * SAMPLE_RATE))
    channels = timeline.channels
    for clip in timeline.clips:
        length = clip.audio.size if clip.end is None else int((clip.end - clip.start) * SAMPLE_RATE)
        total = max(total, int(round(clip.start * SAMPLE_RATE)) + length + tail_frames(clip.place, channels))
    out = np.zeros(total if channels == 1 else (channels, total), dtype=np.float32)
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
        if only is None or only(clip):
            _add_at(out, _heard(audio, clip.place, channels), begin)
        if clip.kind == "speech":
            speaking[begin // _HOP:(begin + audio.size) // _HOP + 1] = True
    beds = [c for c in timeline.clips if c.kind == "bed" and c.end is not None and c.audio.size
            and (only is None or only(c))]
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
            bed = loop * ramp.astype(np.float32) * np.float32(10 ** (clip.gain_db / 20))
            _add_at(out, _heard(bed, clip.place, channels), begin)
    return out


def _heard(audio: np.ndarray, place: Place | None, channels: int) -> np.ndarray:
    """A clip's audio as it reaches the mix: a mono mix takes an untreated clip as it is."""
    if channels == 1 and (place is None or not place.treated):
        return audio
    return staged(audio, place or Place(), channels)


def _add_at(out: np.ndarray, signal: np.ndarray, begin: int) -> None:
    """Add ``signal`` into ``out`` from sample ``begin``; a reverb tail past the end is cut."""
    end = min(out.shape[-1], begin + signal.shape[-1])
    if end > begin:
        out[..., begin:end] += signal[..., :end - begin]


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
