"""The episode the project was born from, rendered for real (skipped where ../shared is absent)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from conftest import DEFAULT_CAST, ROOT, SHARED_EPISODES
from episode_renderer.export.mp3 import read_audio
from episode_renderer.mix.master import integrated_loudness, true_peak

EPISODE = SHARED_EPISODES / "episode-26-what-is-fine-tuning-ai-model.md"
KAI_SOUNDS = {"whirr", "chk", "soft-chime", "mechanical-purr", "alarm-buzz", "ding", "beep"}

pytestmark = pytest.mark.skipif(not EPISODE.is_file(), reason="../shared/episodes is not here")


@pytest.fixture(scope="module")
def render26(tmp_path_factory):
    from episode_renderer.config import load_project
    from episode_renderer.render import render_episode

    out = tmp_path_factory.mktemp("ep26") / "episode-26.mp3"
    result = render_episode(EPISODE, load_project(ROOT, cast=DEFAULT_CAST), out,
                            cache_dir=tmp_path_factory.mktemp("cache"))
    audio, rate = read_audio(out)
    return result, out, audio, rate


def test_podcast_ready(render26):
    _, out, audio, rate = render26
    assert MP3(out).info.sample_rate == 44100 == rate
    assert abs(integrated_loudness(audio) + 16) <= 1
    assert true_peak(audio) <= -1.0
    tags = ID3(out)
    assert "What Is Fine-Tuning an AI Model?" in str(tags["TIT2"])
    assert str(tags["TRCK"]) == "26"
    assert len(tags.getall("CHAP")) >= 1


def test_transcript_speakers(render26):
    _, out, _, _ = render26
    speakers = {s["speaker"] for s in json.loads(out.with_suffix(".json").read_text())["segments"]}
    assert {"Human", "Recurse", "Vector", "Kai"} <= speakers


def test_every_cue_is_audible_where_recorded(render26):
    """Each placed sound is really there: energy in its window, and its own waveform lines up."""
    from episode_renderer.config import load_project

    _, out, audio, rate = render26
    library = load_project(ROOT).sounds
    sounds = json.loads(out.with_suffix(".json").read_text())["sounds"]
    placed = [s for s in sounds if s["line"] > 0]
    assert {s["sound"] for s in placed} >= {"whirr", "soft-chime", "mechanical-purr"}

    def lag_of(sound: dict) -> int:
        begin = int(sound["startTime"] * rate)
        head = library.load(sound["sound"])[:int(0.3 * rate)]
        reach = int(0.06 * rate)
        search = audio[begin:begin + head.size + reach]
        return int(np.argmax(np.abs(np.correlate(search, head, mode="valid"))))

    codec_delay = lag_of(sounds[0])  # the intro sting at 0 s: MP3 encoder/decoder delay, ~25 ms
    assert sounds[0]["startTime"] == 0 and codec_delay < 0.06 * rate
    for sound in placed:
        begin = int(sound["startTime"] * rate) + codec_delay
        window = audio[begin:begin + min(library.load(sound["sound"]).size, int(0.5 * rate))]
        rms = 20 * np.log10(np.sqrt(np.mean(window ** 2)) + 1e-12)
        assert rms > -45, sound
        assert abs(lag_of(sound) - codec_delay) <= 0.005 * rate, (sound, (lag_of(sound) - codec_delay) / rate)


def test_kai_vocabulary_maps_to_sounds():
    """Every Kai sound cue in the shared episodes names a sound in `episode script --json`."""
    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode

    project = load_project(ROOT)
    seen = set()
    for path in sorted(SHARED_EPISODES.glob("*.md")):
        for event in load_episode(path, project).events:
            if event.kind == "cue":
                assert event.sound and project.sounds.has(event.sound), (path.name, event.line, event.text)
                seen.add(event.sound)
    assert KAI_SOUNDS - {"beep"} <= seen


def test_intelligible(render26):
    pytest.importorskip("faster_whisper")
    from episode_renderer.quality import score_render

    _, out, _, _ = render26
    overall, per_speaker, _ = score_render(out)
    assert overall.wer <= 0.06, (overall.wer, {k: round(v.wer, 3) for k, v in per_speaker.items()})
