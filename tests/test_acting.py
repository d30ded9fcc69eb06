"""Directions performed by the voice: delivery recipes, degrees, whispers, vocal sounds, punctuation."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import DEFAULT_CAST, FIXTURES, ROOT
from episode_renderer.cli import app
from episode_renderer.errors import ConfigError
from episode_renderer.script.parser import parse_episode
from episode_renderer.tts.cast import Acting, parse_cast
from episode_renderer.tts.intonation import pitch_track, intoned, marks
from episode_renderer.tts.kokoro import PROSODY, STYLE_SHAPE, acted_style
from episode_renderer.tts.vocal import Vocal, design
from episode_renderer.tts.whisper import whispered

runner = CliRunner()
ACTING = FIXTURES / "acting.md"
RATE = 24000


# --- recipes: only the prosody half moves ------------------------------------------------------------

def test_a_recipe_changes_only_the_prosody_half():
    rng = np.random.default_rng(1)
    own, donor = (rng.standard_normal(STYLE_SHAPE).astype(np.float32) for _ in range(2))
    acted = acted_style(own, donor, 0.4, 0)
    assert np.array_equal(acted[:, :, :PROSODY], own[:, :, :PROSODY])  # the timbre: the same person
    assert np.allclose(acted[:, :, PROSODY:], own[:, :, PROSODY:] + 0.4 * (donor[:, :, PROSODY:] - own[:, :, PROSODY:]))
    moved = acted_style(own, None, 0.0, 20)
    assert np.array_equal(moved[:, :, :PROSODY], own[:, :, :PROSODY])
    assert np.array_equal(moved[10, :, PROSODY:], own[30, :, PROSODY:])
    assert np.array_equal(moved[-1, :, PROSODY:], own[-1, :, PROSODY:])  # held at the last row
    assert np.array_equal(acted_style(own, donor, 0.0, 0), own)


def test_a_kokoro_voice_acting_keeps_its_timbre_and_its_identity_changes():
    from episode_renderer.tts.cast import EngineSpec
    from episode_renderer.tts.voices import Voices

    spec = EngineSpec(engine="kokoro", voice="am_michael")
    voices = Voices(ROOT / "voices", 1)
    plain = voices.load(spec)
    acted = voices.acting(spec, Acting("am_fenrir", 0.7, -10))
    assert np.array_equal(acted.style[:, :, :PROSODY], plain.style[:, :, :PROSODY])
    assert not np.array_equal(acted.style, plain.style) and acted.key != plain.key
    assert voices.acting(spec, Acting()) is plain


CAST = """
[defaults]
engine = "kokoro"
voice = "am_michael"

[characters.Kai]
voice = "af_river"
speed = 1.05

[characters.Kai.delivery.excited]
prosody = "af_kore"
amount = 0.6

[characters.Recurse]
voice = "bm_daniel"

[delivery.excited]
prosody = "am_fenrir"
amount = 0.8
rows = -10
speed = 1.04
gain_db = 2.0
"""


def test_a_character_may_perform_a_delivery_its_own_way():
    cast = parse_cast(CAST, "cast.toml", ROOT / "voices")
    kai = cast.profile("Kai", "excited")
    assert kai.acting == Acting("af_kore", 0.6, -10)  # its own donor and amount, the shared rows
    assert kai.speed == pytest.approx(1.05 * 1.04) and kai.gain_db == pytest.approx(2.0)
    assert cast.profile("Recurse", "excited").acting == Acting("am_fenrir", 0.8, -10)
    assert cast.profile("Recurse").acting == Acting()


def test_degree_scales_every_change_of_a_recipe():
    cast = parse_cast(CAST, "cast.toml", ROOT / "voices")
    half = cast.profile("Recurse", "excited", degree=0.5)
    assert half.acting == Acting("am_fenrir", 0.4, -5)
    assert half.speed == pytest.approx(1.04 ** 0.5) and half.gain_db == pytest.approx(1.0)
    more = cast.profile("Recurse", "excited", degree=1.5)
    assert more.acting.amount == pytest.approx(1.2) and more.gain_db == pytest.approx(3.0)
    assert cast.profile("Recurse", "excited", degree=4.0).acting.amount == pytest.approx(1.5)  # held at the cap


@pytest.mark.parametrize("bad, fragment", [
    ('[delivery.excited]\nprosody = "am_nobody"\n', "am_nobody"),
    ('[delivery.excited]\namount = 3\n', "amount"),
    ('[characters.Kai.delivery.excited]\nvoice = "Human"\n', "voice"),
    ('[delivery.whisper]\nwhisper = "yes"\n', "whisper"),
])
def test_a_wrong_recipe_is_refused_at_load_naming_it(bad, fragment):
    text = '[defaults]\nengine = "kokoro"\nvoice = "am_michael"\n[characters.Kai]\nvoice = "af_river"\n' + bad
    with pytest.raises(ConfigError) as error:
        parse_cast(text, "cast.toml", ROOT / "voices")
    assert fragment in error.value.render() and "cast.toml" in error.value.render()


def test_the_default_cast_gives_every_direction_a_delivery(default_project):
    """Every delivery the rules can name is one the default and the draft cast perform."""
    from episode_renderer.config import load_project
    from episode_renderer.script.directions import default_rules

    named = set(default_rules().words.delivery.entries.values())
    draft = load_project(ROOT)
    for project in (default_project, draft):
        assert {d for d in named if not project.cast.knows_delivery(d)} == set()
    whisper = default_project.cast.profile("Kai", "whisper")
    assert whisper.acting.whisper


# --- degrees, vocal sounds and their place in the script ---------------------------------------------

def test_degree_words_reach_the_lines(project):
    episode = parse_episode(ACTING.read_text(), source="acting.md", rules=project.rules)
    defensive = [e for e in episode.events if e.kind == "line" and e.delivery == "defensive"]
    assert defensive and all(e.degree == 0.5 for e in defensive)
    assert project.rules.classify("very excited").degree == 1.5
    assert project.rules.classify("Less defensive now, more explanatory").delivery == "calm"
    assert project.rules.classify("sighs heavily").vocals == (("sigh", 1.5),)


def test_vocal_sounds_stand_where_the_direction_stands(project):
    episode = parse_episode(ACTING.read_text(), source="acting.md", rules=project.rules)
    said = [(e.kind, e.speaker, e.vocal or e.text) for e in episode.events if e.kind in ("line", "vocal")]
    assert said[:4] == [("vocal", "Kai", "laugh"), ("line", "Kai", "The backup finished an hour early."),
                        ("line", "Recurse", "Good."), ("vocal", "Recurse", "sigh")]
    assert said[4] == ("line", "Recurse", "Then we start on the audit logs.")
    assert said[-2:] == [("line", "Kai", "It is a perfectly normal fan."), ("vocal", "Kai", "gasp")]
    assert all(e.turn == n.turn for e, n in zip(episode.events, episode.events[1:])
               if e.kind == "vocal" and n.kind == "line" and n.speaker == e.speaker)


@pytest.mark.parametrize("direction, kinds", [
    ("laughs nervously", ("laugh",)), ("clears throat", ("throat",)), ("chuckles", ("chuckle",)),
    ("giggles", ("giggle",)), ("groans", ("groan",)), ("hmm", ("hum",)), ("scoffs", ("scoff",)),
    ("sniffs", ("sniff",)), ("yawns", ("yawn",)), ("gasps", ("gasp",)), ("takes a deep breath", ("breath",)),
    ("stifles a laugh", ()), ("trying not to laugh", ()), ("a low hum", ()),
])
def test_vocal_words(project, direction, kinds):
    assert tuple(kind for kind, _ in project.rules.classify(direction).vocals) == kinds


def test_a_laughs_nervously_line_is_nervous(project):
    assert project.rules.classify("laughs nervously").delivery == "nervous"


def test_vocal_takes_vary_by_moment_and_repeat_exactly():
    takes = {design(Vocal("laugh", 1.0, f"Kai|{n}")) for n in range(8)}
    assert len(takes) >= 4
    assert design(Vocal("laugh", 1.0, "same")) == design(Vocal("laugh", 1.0, "same"))
    longer = design(Vocal("laugh", 2.0, "x"))[0].phonemes.count("h")
    assert longer > design(Vocal("laugh", 0.5, "x"))[0].phonemes.count("h")


# --- whispers ----------------------------------------------------------------------------------------

def _voiced_vowel(seconds: float = 1.2, f0: float = 120.0) -> np.ndarray:
    """A buzz through two formants, in syllables: a stand-in for a voiced line."""
    from scipy.signal import lfilter

    t = np.arange(int(seconds * RATE)) / RATE
    pulses = (np.diff(np.floor(t * f0), prepend=0) > 0).astype(np.float64)
    audio = pulses
    for centre, width in ((700, 130), (1200, 150)):
        r = np.exp(-np.pi * width / RATE)
        audio = lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * centre / RATE), r * r], audio)
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t) ** 2
    return (audio * envelope / np.abs(audio).max() * 0.5).astype(np.float32)


def _periodicity(audio: np.ndarray) -> float:
    """Median normalised autocorrelation peak over 40 ms frames, lags of 60-500 Hz: ~1 voiced, low unvoiced."""
    width, peaks = int(0.04 * RATE), []
    for start in range(0, audio.size - width, width):
        x = audio[start:start + width].astype(np.float64) - audio[start:start + width].mean()
        corr = np.correlate(x, x, "full")[width - 1:]
        peaks.append(corr[RATE // 500:RATE // 60].max() / max(corr[0], 1e-12))
    return float(np.median(peaks))


def test_a_whisper_has_no_voicing_but_keeps_the_mouth_and_the_level():
    voiced = _voiced_vowel()
    whisper = whispered(voiced, RATE, seed="line")
    assert _periodicity(voiced) > 0.7 and _periodicity(whisper) < 0.35
    assert whisper.size == voiced.size
    spectrum = [20 * np.log10(np.abs(np.fft.rfft(a)) + 1e-9) for a in (voiced, whisper)]
    freqs = np.fft.rfftfreq(voiced.size, 1 / RATE)

    def band(s, lo, hi):
        return float(np.mean(s[(freqs >= lo) & (freqs < hi)]))

    # the formant region stays the loudest, as in the voiced line
    for s in spectrum:
        assert band(s, 500, 1400) > band(s, 2500, 5000) + 10
    frames = [np.sqrt(np.mean(a[:a.size // 1200 * 1200].reshape(-1, 1200) ** 2, axis=1)) for a in (voiced, whisper)]
    assert np.corrcoef(*frames)[0, 1] > 0.85  # the level contour is kept
    assert np.array_equal(whisper, whispered(voiced, RATE, seed="line"))  # the same line whispers alike
    assert not np.array_equal(whisper, whispered(voiced, RATE, seed="other"))


def test_a_whisper_of_nothing_is_nothing():
    assert whispered(np.zeros(0, dtype=np.float32), RATE).size == 0


# --- punctuation ---------------------------------------------------------------------------------------

def test_marks_read_questions_and_exclamations():
    assert [m for m, _ in marks("It is done. Did you see the numbers? They are great!")] == ["", "?", "!"]
    assert [m for m, _ in marks("What did the logs say about it?")] == [""]  # a wh-question falls
    assert [m for m, _ in marks("What? No way!")] == ["?", "!"]


def _falling_tone(seconds: float = 1.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 180 * 2 ** (-6 * t / seconds / 12)  # falls half an octave
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    return (0.3 * sum(np.sin(k * phase) / k for k in range(1, 12))).astype(np.float32)


def test_a_question_ends_rising_and_a_statement_is_untouched():
    tone = _falling_tone()
    assert np.array_equal(intoned(tone, RATE, "It fell."), tone)
    before, after = pitch_track(tone, RATE), pitch_track(intoned(tone, RATE, "Did it fall?"), RATE)

    def end_rise(f0):
        voiced = f0[~np.isnan(f0)]
        return float(np.median(voiced[-10:]) - np.median(voiced[-50:-15]))

    assert end_rise(before) < -1.0 and end_rise(after) > 1.5


def test_an_exclamation_is_raised_and_louder():
    tone = _falling_tone()
    lifted = intoned(tone, RATE, "It fell!")
    assert np.nanmedian(pitch_track(lifted, RATE)) - np.nanmedian(pitch_track(tone, RATE)) > 1.0
    assert 20 * np.log10(np.sqrt(np.mean(lifted ** 2)) / np.sqrt(np.mean(tone ** 2))) > 1.0


# --- in a render: audio, transcript, captions, page -----------------------------------------------------

@pytest.fixture(scope="module")
def acted_render(tmp_path_factory):
    from episode_renderer.config import load_project
    from episode_renderer.render import render_episode

    out = tmp_path_factory.mktemp("acting") / "acting.mp3"
    result = render_episode(ACTING, load_project(ROOT), out, cache_dir=None)
    return result, out


def test_vocal_sounds_are_heard_and_shown_as_non_speech(acted_render):
    from pedalboard.io import AudioFile

    result, out = acted_render
    segments = json.loads(out.with_suffix(".json").read_text())["segments"]
    vocal = [s for s in segments if s["body"].startswith("[")]
    assert [(s["speaker"], s["body"]) for s in vocal] == [("Kai", "[laughs]"), ("Recurse", "[sighs]"),
                                                          ("Kai", "[gasps]")]
    with AudioFile(str(out)) as handle:
        audio = handle.read(handle.frames)[0]
    for s in vocal:
        clip = audio[int(s["startTime"] * 44100):int(s["endTime"] * 44100)]
        assert s["endTime"] - s["startTime"] >= 0.25
        assert 20 * np.log10(np.sqrt(np.mean(clip ** 2))) > -40  # a sound, not silence
    vtt = out.with_suffix(".vtt").read_text()
    assert "<v Kai>[laughs]" in vtt and "<v Recurse>[sighs]" in vtt
    assert "Recurse: [sighs]" in out.with_suffix(".srt").read_text()
    laugh, first_line = segments[0], segments[1]
    assert laugh["endTime"] <= first_line["startTime"] < laugh["endTime"] + 0.3  # right before the words


def test_a_whispered_line_in_a_render_has_no_voicing(acted_render):
    from pedalboard.io import AudioFile

    _, out = acted_render
    segments = json.loads(out.with_suffix(".json").read_text())["segments"]
    with AudioFile(str(out)) as handle:
        audio = handle.read(handle.frames)[0]
    from scipy.signal import resample_poly

    def clip(body):
        s = next(s for s in segments if s["body"].startswith(body))
        return resample_poly(audio[int(s["startTime"] * 44100):int(s["endTime"] * 44100)], 160, 294)

    assert _periodicity(clip("Keep it down")) < 0.4 < _periodicity(clip("The backup finished"))


def test_the_listen_page_shows_vocal_sounds_as_non_speech(acted_render):
    from episode_renderer.export.site import episode_page, read_episode

    _, out = acted_render
    page = read_episode(out.parent, {"file": out.name, "transcript": out.with_suffix(".json").name, "title": "x"})
    html = episode_page(page, {"name": "Show"}, {})
    import re

    assert re.search(r'<span class="who">Kai</span> <span class="said vocal" id="t\d+-said">\[laughs\]</span>', html)
    assert html.count('class="said vocal"') == 3
    assert re.search(r'<span class="said" id="t\d+-said">The backup finished', html)


def test_the_meter_does_not_score_vocal_sounds_as_words(acted_render):
    pytest.importorskip("faster_whisper")
    from episode_renderer.quality import score_render

    _, out = acted_render
    overall, per, _heard = score_render(out)
    words = sum(len(s["body"].split()) for s in json.loads(out.with_suffix(".json").read_text())["segments"]
                if not s["body"].startswith("["))
    assert overall.words == words


def test_an_acted_render_is_the_same_twice(acted_render, tmp_path):
    from episode_renderer.config import load_project
    from episode_renderer.render import render_episode

    _, out = acted_render
    again = tmp_path / "again.mp3"
    render_episode(ACTING, load_project(ROOT), again, cache_dir=None)
    assert again.read_bytes() == out.read_bytes()


# --- audition and preview --------------------------------------------------------------------------------

def test_preview_performs_the_directions_of_a_text(tmp_path):
    plain, acted = tmp_path / "plain.wav", tmp_path / "acted.wav"
    for out, text in ((plain, "No way."), (acted, "*laughs* No way.")):
        result = runner.invoke(app, ["preview", str(ACTING), "-c", "Kai", "--text", text, "-o", str(out),
                                     "--no-cache"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    import soundfile

    assert soundfile.info(str(acted)).duration > soundfile.info(str(plain)).duration + 0.3
    assert "[laughs] No way." in result.output


def test_preview_in_a_delivery_and_an_unknown_one(tmp_path):
    out = tmp_path / "w.wav"
    ok = runner.invoke(app, ["preview", str(ACTING), "-c", "Kai", "--delivery", "whisper", "-o", str(out),
                             "--no-cache"], catch_exceptions=False)
    assert ok.exit_code == 0 and out.is_file()
    bad = runner.invoke(app, ["preview", str(ACTING), "-c", "Kai", "--delivery", "grumpy", "-o", str(out)])
    assert bad.exit_code == 2 and "grumpy" in bad.output and "whisper" in bad.output


def test_audition_writes_every_delivery_and_vocal_sound(tmp_path, project):
    from episode_renderer.settings import VOCAL_KINDS

    folder = tmp_path / "kai"
    result = runner.invoke(app, ["audition", "Kai", "-o", str(folder), "--no-cache", "--text", "We did it."],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = (folder / "index.html").read_text()
    for name in project.cast.deliveries:
        assert f"<th scope=\"row\">{name}</th>" in page
    assert page.count("<audio") == 1 + len(project.cast.deliveries) + 2 * len(VOCAL_KINDS)
    clips = sorted(folder.glob("*.mp3"))
    assert len(clips) == page.count("<audio") and all(c.stat().st_size > 1000 for c in clips)


def test_audition_into_a_file_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("mine")
    result = runner.invoke(app, ["audition", "Kai", "-o", str(target)])
    assert result.exit_code == 2 and target.read_text() == "mine"


# --- the line cache knows the recipe ------------------------------------------------------------------

def test_the_recipe_is_part_of_a_lines_cache_key(tmp_path):
    from episode_renderer.tts.cache import LineCache
    from episode_renderer.tts.lines import LineSpeaker
    from episode_renderer.tts.voices import Voices

    cast = parse_cast(CAST, "cast.toml", ROOT / "voices")
    speaker = LineSpeaker(LineCache(tmp_path), Voices(ROOT / "voices"))
    plain = cast.profile("Recurse")
    keys = {speaker.key(p, "Hello.") for p in (plain, cast.profile("Recurse", "excited"),
                                              cast.profile("Recurse", "excited", degree=0.5),
                                              replace(plain, acting=Acting(whisper=True)))}
    assert len(keys) == 4
    assert speaker.key(plain, "Hello.") != speaker.key(plain, Vocal("laugh", 1.0, "a"))
    assert speaker.key(plain, Vocal("laugh", 1.0, "a")) != speaker.key(plain, Vocal("laugh", 1.0, "b"))


def test_a_cluster_worker_gets_every_donor_voice_pack(default_project):
    from episode_renderer.season.remote import cast_voice_files

    shipped = {rel for rel, _path in cast_voice_files(default_project)[0]}
    donors = {a.acting.prosody for own in default_project.cast.own_deliveries.values() for a in own.values()}
    assert "kokoro/am_fenrir.bin" in shipped  # a donor only, nobody's own voice
    assert {f"kokoro/{name}.bin" for name in donors} <= shipped


def test_voices_lists_each_characters_recipes():
    result = runner.invoke(app, ["voices", "--json", "--cast", str(DEFAULT_CAST)], catch_exceptions=False)
    cast = json.loads(result.stdout)["cast"]
    assert "prosody" in cast["Kai"]["deliveries"]["excited"] and "whispered" in cast["Kai"]["deliveries"]["whisper"]
