"""Sounds sit under the voices in a real render: measured on the decoded MP3, 400 ms windows.

Foley and character sounds well under the dialogue, alarms at most level with it: the median placed
sound (stings aside) at least 4 LU under the median speech segment, none more than 1 LU above it.
"""

from __future__ import annotations

import json
import statistics

import numpy as np
import pytest

from conftest import FIXTURES, ROOT
from episode_renderer.export.mp3 import read_audio
from episode_renderer.mix.loudness import k_weighting, integrated_loudness
from episode_renderer.mix.timeline import SAMPLE_RATE

WINDOW = 0.4
STEP = 0.01
STINGS = {"intro", "outro", "transition"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from episode_renderer.config import load_project
    from episode_renderer.render import render_episode

    out = tmp_path_factory.mktemp("levels") / "levels.mp3"
    render_episode(FIXTURES / "levels.md", load_project(ROOT), out, cache_dir=tmp_path_factory.mktemp("cache"))
    from pedalboard.io import AudioFile

    with AudioFile(str(out)) as handle:  # every channel: BS.1770 sums their powers
        audio, rate = handle.read(handle.frames), int(handle.samplerate)
    return json.loads(out.with_suffix(".json").read_text()), audio, rate


def _momentary(audio: np.ndarray, rate: int) -> np.ndarray:
    """K-weighted loudness of the 400 ms window starting at every 10 ms (channels' powers summed)."""
    from scipy.signal import sosfilt

    sos, gain = k_weighting(rate)
    power = np.sum((sosfilt(sos, np.atleast_2d(audio).astype(np.float64), axis=-1) * gain) ** 2, axis=0)
    sums = np.concatenate([[0.0], np.cumsum(power)])
    size, step = int(WINDOW * rate), int(STEP * rate)
    starts = np.arange(0, power.size - size, step)
    return -0.691 + 10 * np.log10(np.maximum((sums[starts + size] - sums[starts]) / size, 1e-20))


def sound_levels(transcript: dict, audio: np.ndarray, rate: int, alone: bool = False) -> tuple[float, dict[str, float]]:
    """(median speech segment LUFS, each placed sound's loudest window clear of speech against it, LU);
    ``alone``: clear of the other sounds too (the parts of WHIRR-CLICK touch)."""
    speech = statistics.median(integrated_loudness(audio[..., int(s["startTime"] * rate):int(s["endTime"] * rate)])
                               for s in transcript["segments"])
    windows = _momentary(audio, rate)
    talk = [(s["startTime"] - 0.03, s["endTime"] + 0.03) for s in transcript["segments"]]
    levels = {}
    for n, sound in enumerate(transcript["sounds"]):
        if sound["cue"] in STINGS or sound["line"] == 0:
            continue
        first = max(sound["startTime"] - WINDOW + 0.1, 0.0)
        others = [(o["startTime"], o["endTime"]) for m, o in enumerate(transcript["sounds"]) if alone and m != n]
        candidates = [k for k in range(int(first / STEP), int(sound["endTime"] / STEP) + 1)
                      if k < windows.size and not any(a < k * STEP + WINDOW and k * STEP < b for a, b in talk + others)]
        if candidates:
            levels[f"{n}:{sound['sound']}"] = float(np.max(windows[candidates])) - speech
    return speech, levels


def test_sounds_sit_under_the_speech(rendered):
    transcript, audio, rate = rendered
    _, levels = sound_levels(transcript, audio, rate)
    assert len(levels) >= 6, levels
    assert statistics.median(levels.values()) <= -4.0, levels
    assert max(levels.values()) <= 1.0, levels
    foley = [v for k, v in levels.items() if k.split(":")[1] in ("page-flip", "typing", "soft-click")]
    assert foley and max(foley) <= -6.0, levels


def test_transcript_records_each_sounds_level(rendered):
    transcript, audio, rate = rendered
    _, levels = sound_levels(transcript, audio, rate, alone=True)
    assert len(levels) >= 4, levels
    for key, measured in levels.items():
        recorded = transcript["sounds"][int(key.split(":")[0])]["levelLU"]
        assert recorded is not None and abs(recorded - measured) <= 3.0, (key, recorded, measured)


def test_a_compound_plays_every_part_in_a_render(rendered):
    transcript, _, _ = rendered
    compound = [s["sound"] for s in transcript["sounds"] if s["cue"] == "WHIRR-CLICK"]
    assert compound == ["whirr", "soft-click"]


def test_levelling_figures_are_remembered_and_a_damaged_entry_measured_again(tmp_path):
    from episode_renderer.mix.level_cache import LevelCache
    from episode_renderer.mix.levels import Measure

    t = np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE
    line = (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.float32)
    chime = (0.5 * np.sin(2 * np.pi * 880 * t[:SAMPLE_RATE // 2])).astype(np.float32)
    truth, placed = Measure().speech(line), Measure().placed(chime, -20.0, -12.0, -6.0)
    cache = LevelCache(tmp_path / "levels")
    assert cache.speech(line) == truth and cache.placed(chime, -20.0, -12.0, -6.0) == placed and cache.hits == 0
    again = LevelCache(tmp_path / "levels")  # a new process reads the same figures
    assert again.speech(line) == truth and again.placed(chime, -20.0, -12.0, -6.0) == placed and again.hits == 2
    assert again.placed(chime, -20.0, -10.0, -6.0) != placed  # another target is another entry
    for entry in (tmp_path / "levels").rglob("*.json"):  # valid files whose figures were not measured
        data = json.loads(entry.read_text())
        entry.write_text(json.dumps({**data, "values": [v + 1.0 for v in data["values"]]}))
    damaged = LevelCache(tmp_path / "levels")
    assert damaged.speech(line) == truth and damaged.placed(chime, -20.0, -12.0, -6.0) == placed
    assert damaged.hits == 0
    assert LevelCache(None).speech(line) == truth
