"""The draft cast's five main characters, one Piper voice shaped five ways, sound different from each other
(the pitch and envelope measure of bench/voices.py; the Kokoro cast is measured there with a speaker model)."""

from __future__ import annotations

import itertools

import pytest

from conftest import ROOT
from episode_renderer.tts import measure
from episode_renderer.tts.shaping import SAMPLE_RATE

MAIN = ["Human", "Recurse", "Vector", "Kai", "Bounce"]
SENTENCE = "Why would anyone hide a password inside a picture of a cat, and then tell everyone?"


def _voices(cast, names):
    """name -> (audio, median F0, envelope) of SENTENCE in that character's voice, without the cache."""
    from episode_renderer.tts.cache import LineCache
    from episode_renderer.tts.lines import LineSpeaker
    from episode_renderer.tts.voices import Voices

    speaker = LineSpeaker(LineCache(None), Voices(cast.voices_dir))
    out = {}
    for name in names:
        audio = speaker.speak(cast.profile(name), SENTENCE)
        out[name] = (audio, measure.median_f0(audio, SAMPLE_RATE), measure.envelope(audio, SAMPLE_RATE))
    return out


@pytest.fixture(scope="module")
def cast():
    from episode_renderer.tts.cast import load_cast

    return load_cast(ROOT / "voices" / "draft.toml")


@pytest.fixture(scope="module")
def voices(cast):
    return _voices(cast, MAIN)


def test_every_pair_of_main_characters_is_distinct(voices):
    close = []
    for a, b in itertools.combinations(MAIN, 2):
        ok, step, distance = measure.distinct(voices[a][1], voices[b][1], voices[a][2], voices[b][2])
        if not ok:
            close.append(f"{a}/{b}: |dF0| {step:.2f} st, envelope {distance:.2f} dB")
    assert not close, "too alike: " + "; ".join(close)


def test_pitch_follows_the_character_sheets(voices):
    f0 = {name: voices[name][1] for name in MAIN}
    assert all(70 < hz < 200 for hz in f0.values()), f0
    assert f0["Bounce"] > f0["Vector"] > f0["Human"] > f0["Recurse"], f0  # bouncy, energetic, plain, dry


def test_vector_speaks_faster_than_recurse(voices):
    def seconds(name):
        return measure.speech_span(voices[name][0], SAMPLE_RATE)

    assert seconds("Vector") < 0.95 * seconds("Recurse")


def test_a_copied_voice_is_not_called_distinct(cast, voices):
    """A character copied from Human with small nudges (5% faster, 0.3 semitones up, 2 dB louder: a
    listener hears the same voice) must fail the measure, or the test above could not catch a cast
    that gives two characters the same voice. A different take, not the same samples again: an
    identical take measures 0 and 0, which even an over-sensitive measure calls alike."""
    from dataclasses import replace

    from episode_renderer.tts.cache import LineCache
    from episode_renderer.tts.lines import LineSpeaker
    from episode_renderer.tts.voices import Voices

    human = cast.profile("Human")
    nudged = replace(human, speed=human.speed * 1.05, pitch=human.pitch + 0.3, gain_db=human.gain_db + 2.0)
    audio = LineSpeaker(LineCache(None), Voices(cast.voices_dir)).speak(nudged, SENTENCE)
    assert audio.size != voices["Human"][0].size  # really another take
    f0, envelope = measure.median_f0(audio, SAMPLE_RATE), measure.envelope(audio, SAMPLE_RATE)
    ok, step, distance = measure.distinct(voices["Human"][1], f0, voices["Human"][2], envelope)
    assert not ok, (step, distance)
