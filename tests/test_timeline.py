"""Placement rules of the mixer, on synthetic audio: gaps, pauses, interruptions, cues, beds."""

from __future__ import annotations

import numpy as np
import pytest

from episode_renderer.audio import SAMPLE_RATE
from episode_renderer.mix.layout import Layout
from episode_renderer.mix.timeline import Clip, Timeline, Timing, mixdown, plan
from episode_renderer.script import parse_episode

SCRIPT = """---
title: Timeline
---
{{< dialogue char="Kai" >}}
*WHIRR*

First line.

*Pauses*

Second line.
{{< /dialogue >}}

{{< dialogue char="Vector" >}}
*Interrupts*

Cutting in!
{{< /dialogue >}}

{{< dialogue char="Recurse" >}}
*Rain starts*

A calm line in the rain.

Another calm line.
{{< /dialogue >}}
"""


def tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@pytest.fixture
def placed(project):
    episode = parse_episode(SCRIPT, source="t.md", rules=project.rules)
    lines = {i: tone(2.0) for i, e in enumerate(episode.events) if e.kind == "line"}
    sounds = {"whirr": tone(0.8, 0.2), "rain": tone(3.0, 0.5)}
    return episode, plan(episode, lines, sounds, project.cues, Timing())


def test_cue_then_line_then_pause(placed):
    episode, timeline = placed
    segments = timeline.layout.segments
    whirr = [s for s in timeline.layout.sounds if s.sound == "whirr"][0]
    timing = Timing()
    assert whirr.start == pytest.approx(timing.lead_in)
    assert segments[0].start == pytest.approx(whirr.end + timing.sound_gap, abs=1e-3)
    pause = next(e for e in episode.events if e.kind == "pause")
    assert segments[1].start - segments[0].end == pytest.approx(pause.seconds, abs=1e-3)


def test_interruption_overlaps_previous_line(placed):
    _, timeline = placed
    second, cut_in = timeline.layout.segments[1:3]
    assert cut_in.speaker == "Vector"
    assert cut_in.start == pytest.approx(second.end - Timing().interrupt_overlap, abs=1e-3)
    cut = [c for c in timeline.clips if c.cut_at is not None]
    assert len(cut) == 1 and cut[0].cut_at == pytest.approx(2.0, abs=1e-3)


def test_change_of_speaker_gets_a_longer_gap(project):
    """Kai, Kai, then Vector with no direction between: the gap at the change is ``new_turn``,
    inside Kai's turn ``in_turn``, and the two differ (so the test tells them apart)."""
    script = ("---\ntitle: Turns\n---\n{{< dialogue char=\"Kai\" >}}\nOne.\n\nTwo.\n{{< /dialogue >}}\n\n"
              "{{< dialogue char=\"Vector\" >}}\nThree.\n{{< /dialogue >}}\n")
    episode = parse_episode(script, source="t.md", rules=project.rules)
    lines = {i: tone(1.0) for i, e in enumerate(episode.events) if e.kind == "line"}
    timing = Timing(in_turn=0.35, new_turn=0.9)
    first, second, third = plan(episode, lines, {}, project.cues, timing).layout.segments
    assert (first.speaker, second.speaker, third.speaker) == ("Kai", "Kai", "Vector")
    assert second.start - first.end == pytest.approx(timing.in_turn, abs=1e-3)
    assert third.start - second.end == pytest.approx(timing.new_turn, abs=1e-3)


def test_bed_loops_under_speech_and_ducks(placed, project):
    from dataclasses import replace

    _, timeline = placed
    rain = [s for s in timeline.layout.sounds if s.sound == "rain"][0]
    last = timeline.layout.segments[-1]
    assert rain.end >= last.end and rain.end - rain.start > 3.0  # looped past the 3 s file
    with_bed = mixdown(timeline, duck_db=-10.0)
    without = mixdown(replace(timeline, clips=[c for c in timeline.clips if c.kind != "bed"]), duck_db=-10.0)
    bed = (with_bed - without)[:without.size]
    gain = [c for c in timeline.clips if c.kind == "bed"][0].gain_db  # set against the speech around it
    nominal = 0.5 / np.sqrt(2) * 10 ** (gain / 20)
    mid = bed[int((last.start + 0.5) * SAMPLE_RATE):int((last.end - 0.5) * SAMPLE_RATE)]
    assert np.sqrt(np.mean(mid ** 2)) / nominal == pytest.approx(10 ** (-10 / 20), rel=0.05)


def test_a_bed_ducks_smoothly_under_speech():
    """Down by duck_db while anyone speaks, back up after, with no step a listener would hear as a click."""
    rate = SAMPLE_RATE
    bed = Clip(0.0, np.full(rate, 0.5, dtype=np.float32), kind="bed", end=4.0)
    words = Clip(1.0, np.zeros(2 * rate, dtype=np.float32), kind="speech")  # silent: only the bed is heard
    out = mixdown(Timeline(clips=[bed, words], layout=Layout(4.0)), duck_db=-12.0)
    assert out[int(0.7 * rate)] == pytest.approx(0.5, rel=1e-3)
    assert out[2 * rate] == pytest.approx(0.5 * 10 ** (-12 / 20), rel=1e-3)
    assert out[int(3.4 * rate)] == pytest.approx(0.5, rel=1e-3)
    assert np.max(np.abs(np.diff(out))) < 0.5 * 0.05 / (0.01 * rate)  # under 5% of the level per 10 ms


def test_chapters_start_at_zero_and_cover_the_episode(placed):
    _, timeline = placed
    chapters = timeline.layout.chapters
    assert chapters[0].start == 0 and chapters[-1].end == timeline.layout.duration
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:]))


def test_headings_reach_transcript_and_chapters_as_words(project):
    """A listener's transcript and chapter list show the heading's words, not its Markdown."""
    script = "---\ntitle: Headings\n---\n**[Earlier, in the workshop...]**\n\n## The *second* part\n\nA line.\n"
    episode = parse_episode(script, source="h.md", rules=project.rules)
    lines = {i: tone(1.0) for i, e in enumerate(episode.events) if e.kind in ("line", "heading")}
    layout = plan(episode, lines, {}, project.cues, Timing()).layout
    assert [s.body for s in layout.segments] == ["Earlier, in the workshop...", "The second part", "A line."]
    assert layout.chapters[0].title == "Earlier, in the workshop..."


def test_a_room_rings_on_past_the_last_clip_instead_of_being_cut():
    """A last line spoken in a hall keeps its whole tail: the mix grows by what the room adds."""
    from episode_renderer.mix.placement import Place, tail_frames

    rate = SAMPLE_RATE
    voice = (0.3 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate)).astype(np.float32)
    clip = Clip(0.5, voice, kind="speech")
    clip.place = Place(space="hall")
    timeline = Timeline(clips=[clip], layout=Layout(1.6))  # the layout ends 0.1 s after the words
    timeline.channels = 2
    mix = mixdown(timeline)
    tail = tail_frames(clip.place, 2)
    assert tail > rate and mix.shape == (2, int(0.5 * rate) + rate + tail)
    ringing = mix[:, int(1.6 * rate):]
    assert np.sqrt(np.mean(ringing ** 2)) > 1e-4  # the hall is still heard after the layout's end
