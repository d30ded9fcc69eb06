"""The episode the project was born from, rendered for real (skipped where ../shared is absent)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from conftest import DEFAULT_CAST, ROOT, SHARED_EPISODES
from episode_renderer.export.mp3 import read_audio
from episode_renderer.mix.loudness import integrated_loudness, true_peak

EPISODE = SHARED_EPISODES / "episode-26-what-is-fine-tuning-ai-model.md"
KAI_SOUNDS = {"whirr", "chk", "soft-chime", "mechanical-purr", "alarm-buzz", "ding", "beep"}

pytestmark = [pytest.mark.skipif(not EPISODE.is_file(), reason="../shared/episodes is not here"), pytest.mark.slow]


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
    from pedalboard.io import AudioFile

    _, out, _, rate = render26
    with AudioFile(str(out)) as handle:
        audio = handle.read(handle.frames)  # every channel: loudness sums them, the true peak is the highest
    assert MP3(out).info.sample_rate == 44100 == rate
    assert abs(integrated_loudness(audio) + 16) <= 1
    assert true_peak(audio) <= -1.0
    tags = ID3(out)
    assert "What Is Fine-Tuning an AI Model?" in str(tags["TIT2"])
    assert str(tags["TRCK"]) == "26"



def test_chapters_are_the_hosts_questions(render26):
    """The title opens the episode, then one chapter per host question, starting as it is spoken."""
    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode

    _, out, _, _ = render26
    episode = load_episode(EPISODE, load_project(ROOT))
    questions = [e.text for e in episode.events if e.kind == "line" and e.topic]
    assert len(questions) >= 2
    spoken = {s["body"]: s["startTime"] for s in json.loads(out.with_suffix(".json").read_text())["segments"]}
    chapters = sorted(ID3(out).getall("CHAP"), key=lambda c: c.start_time)
    titles = [str(c.sub_frames["TIT2"]) for c in chapters]
    assert len(titles) == len(questions) + 1
    for title, text in zip(titles, [episode.title, *questions]):  # whole, or cut at a word and marked
        text = " ".join(text.split())
        assert title == text or (title.endswith("…") and len(title) <= 61 and text.startswith(title[:-1])
                                 and text[len(title) - 1] in " ,;:—-")
    assert [c.start_time for c in chapters][1:] == [int(spoken[q] * 1000) for q in questions]
    assert chapters[0].start_time == 0


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


#: Words that make an italic direction a sound, whatever the cue rules say (the test must not trust
#: the classification it checks): Kai's vocabulary and the sounds the scripts describe.
_SOUND_WORDS = re.compile(r"\b(whirr\w*|chimes?|purrs?|clicks?|dings?|beeps?|buzz\w*|chk|whistles?|tick\w*|"
                          r"pulses?|alerts?|hums?|sounds?|tones?)\b", re.IGNORECASE)
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")  # uppercase onomatopoeia: WHIRR, CHK-CHK, DING!
_ITALIC = re.compile(r"(?<!\*)\*([^*]+)\*(?!\*)")
_OPEN = re.compile(r'\{\{<\s*dialogue\s+char="([^"]*)"')
_CLOSE = re.compile(r"\{\{<\s*/dialogue")


def kai_sound_directions(text: str) -> list[tuple[int, str]]:
    """(line, words) of every italic direction in a Kai dialogue block that looks like a sound,
    read from the raw Markdown."""
    found, inside = [], False
    for number, line in enumerate(text.splitlines(), 1):
        opened = _OPEN.search(line)
        if opened:
            inside = "Kai" in opened.group(1)
        elif _CLOSE.search(line):
            inside = False
        elif inside:
            found += [(number, words.strip()) for words in _ITALIC.findall(line)
                      if _SHOUTED.search(words) or _SOUND_WORDS.search(words)]
    return found


def test_every_kai_sound_direction_plays_a_sound():
    """Every sound-like direction in a Kai block of the shared episodes (WHIRR, WHIRR-WHIRR, soft
    WHIRR, rhythmic ticking...) is a cue or direction at that line that plays a sound we have."""
    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode

    project = load_project(ROOT)
    silent, seen, checked = [], set(), 0
    for path in sorted(SHARED_EPISODES.glob("*.md")):
        events = load_episode(path, project).events
        for line, words in kai_sound_directions(path.read_text("utf-8")):
            checked += 1
            sounds = [e.sound for e in events if e.line == line and e.kind in ("cue", "direction")
                      and e.text.strip() == words and e.sound]
            if not sounds or not all(project.sounds.has(s) for s in sounds):
                silent.append(f"{path.name}:{line}: *{words}*")
            seen.update(sounds)
    assert checked >= 50  # the scan itself found the vocabulary
    assert not silent, "no sound for: " + "; ".join(silent)
    assert KAI_SOUNDS - {"beep"} <= seen


def test_intelligible(render26):
    pytest.importorskip("faster_whisper")
    from episode_renderer.quality import score_render

    _, out, _, _ = render26
    overall, per_speaker, _ = score_render(out)
    assert overall.wer <= 0.06, (overall.wer, {k: round(v.wer, 3) for k, v in per_speaker.items()})
