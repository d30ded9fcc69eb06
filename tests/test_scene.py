"""The stereo scene (issue #24), judged on real renders of tests/fixtures/scene.md: three characters,
a phone line, a line from across the room, an echo, an entrance and an exit, a unity line and a cue
in a turn; once in stereo (the default) and once with show.toml's [mix] channels = "mono"."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3

from conftest import FIXTURES, ROOT
from episode_renderer.mix.loudness import true_peak
from episode_renderer.mix.placement import Place
from episode_renderer.mix.timeline import Clip, Layout, Timeline, mixdown
from episode_renderer.scene_figures import (
    balance_db,
    correlation,
    decode,
    fold_down,
    loudness,
    outside_band,
    tail_db,
)
from episode_renderer.script.directions import load_rules

SCENE = FIXTURES / "scene.md"
TREATED = {"Harbour office": "phone", "The ladder is over": "across", "Up here the whole": "echo",
           "I brought the toolbox": "enter", "Then I will go": "leave", "Good luck out there": "unity"}


def _render(folder: Path, show: Path | None = None) -> Path:
    from episode_renderer.config import load_project
    from episode_renderer.render import render_episode

    out = folder / "scene.mp3"
    render_episode(SCENE, load_project(ROOT, show=show), out, cache_dir=folder / "cache")
    return out


@pytest.fixture(scope="module")
def stereo(tmp_path_factory):
    return _render(tmp_path_factory.mktemp("stereo"))


@pytest.fixture(scope="module")
def mono(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mono")
    show = folder / "show.toml"
    show.write_text((ROOT / "show.toml").read_text("utf-8") + '\n[mix]\nchannels = "mono"\n', "utf-8")
    return _render(folder, show)


def _segment(decoded, start: str) -> dict:
    return next(s for s in decoded.segments if s["body"].startswith(start))


def _plain(decoded) -> list[dict]:
    return [s for s in decoded.segments if not any(s["body"].startswith(k) for k in TREATED)]


def _gates(mp3: Path, channels: int) -> None:
    assert MP3(mp3).info.channels == channels
    decoded = decode(mp3)
    assert decoded.audio.shape[0] == channels and decoded.rate == 44100
    assert abs(loudness(decoded.audio, decoded.rate) - (-16.0)) <= 0.5
    for channel in decoded.audio:
        assert true_peak(channel.astype(np.float32)) <= -1.0


def test_stereo_mp3_meets_the_loudness_gates_per_channel(stereo):
    from mutagen.mp3 import JOINTSTEREO

    _gates(stereo, 2)
    assert MP3(stereo).info.mode == JOINTSTEREO  # the frames' channel mode


def test_each_character_keeps_a_place_and_the_cast_spans_the_field(stereo):
    decoded = decode(stereo)
    by_speaker: dict[str, list[float]] = {}
    for segment in _plain(decoded):
        by_speaker.setdefault(segment["speaker"], []).append(balance_db(decoded.span(segment)))
    for speaker, balances in by_speaker.items():
        assert max(balances) - min(balances) <= 1.0, (speaker, balances)
    middles = {s: float(np.mean(b)) for s, b in by_speaker.items()}
    assert {"Kai", "Vector", "Recurse"} <= set(middles)
    assert max(middles.values()) - min(middles.values()) >= 6.0
    assert abs(middles["Human"]) < 1.0  # the host in the middle
    unity = balance_db(decoded.span(_segment(decoded, "Good luck out there")))
    assert abs(unity - (middles["Vector"] + middles["Recurse"]) / 2) < 2.0  # together, between the two


def test_mono_fold_down_keeps_level_and_channels_stay_correlated(stereo):
    decoded = decode(stereo)
    assert abs(loudness(fold_down(decoded.audio), decoded.rate) - loudness(decoded.audio, decoded.rate)) <= 1.5
    correlations = [correlation(decoded.span(s)) for s in decoded.segments]
    assert min(correlations) > 0.2
    assert np.median(correlations) > 0.9


def test_phone_line_is_band_limited(stereo):
    decoded = decode(stereo)
    phone = outside_band(decoded.span(_segment(decoded, "Harbour office")), decoded.rate)
    plain = outside_band(decoded.span(_segment(decoded, "I counted four spare")), decoded.rate)
    assert phone < 0.03
    assert plain > 4 * phone


def test_a_line_from_across_the_room_leaves_a_tail(stereo):
    decoded = decode(stereo)
    far = tail_db(decoded, _segment(decoded, "The ladder is over"))
    plain = tail_db(decoded, _segment(decoded, "Then somebody should call"))
    assert far >= plain + 6.0


def test_a_cue_in_a_turn_comes_from_its_character(stereo):
    decoded = decode(stereo)
    kai = balance_db(decoded.span(_segment(decoded, "My sensors say")))
    transcript = __import__("json").loads(stereo.with_suffix(".json").read_text("utf-8"))
    whirr = next(s for s in transcript["sounds"] if s["sound"] == "whirr")
    rate = decoded.rate
    piece = decoded.audio[:, int(whirr["startTime"] * rate):int(whirr["endTime"] * rate)]
    assert abs(balance_db(piece) - kai) < 1.5


@pytest.mark.slow  # Whisper
def test_treated_lines_stay_intelligible(stereo):
    pytest.importorskip("faster_whisper")
    from pedalboard.io import AudioFile

    from episode_renderer.quality import score_texts, transcribe

    decoded = decode(stereo)
    errors = words = 0
    with tempfile.TemporaryDirectory() as folder:
        for start in TREATED:
            segment = _segment(decoded, start)
            rate = decoded.rate
            piece = decoded.audio[:, int((segment["startTime"] - 0.2) * rate):int((segment["endTime"] + 0.2) * rate)]
            wav = Path(folder) / "line.wav"
            with AudioFile(str(wav), "w", samplerate=rate, num_channels=2) as handle:
                handle.write(piece.astype(np.float32))
            score = score_texts(segment["body"], transcribe(wav))
            errors, words = errors + score.errors, words + score.words
    assert errors / words <= 0.15, (errors, words)


def test_mono_setting_gives_mono_with_the_treatments_kept(mono):
    _gates(mono, 1)
    decoded = decode(mono)
    assert outside_band(decoded.span(_segment(decoded, "Harbour office")), decoded.rate) < 0.03
    far = tail_db(decoded, _segment(decoded, "The ladder is over"))
    assert far >= tail_db(decoded, _segment(decoded, "Then somebody should call")) + 6.0


def test_an_untreated_mono_mix_is_the_mix_of_before():
    """[mix] mono with no treatments: a clip that is only panned is summed exactly as it always was."""
    rng = np.random.default_rng(5)
    clips = [Clip(0.1 * i, rng.standard_normal(4410).astype(np.float32), kind="speech") for i in range(4)]
    before = mixdown(Timeline(clips, Layout(1.0)))
    for clip, pan in zip(clips, (-0.5, 0.5, 0.0, -0.3), strict=True):
        clip.place = Place(pan=pan)
    assert mixdown(Timeline(clips, Layout(1.0))).tobytes() == before.tobytes()


def test_scene_words_live_in_a_rules_file_the_user_extends(tmp_path):
    rules = tmp_path / "directions.toml"
    rules.write_text('[words.scene]\nphone = ["via the tin can"]\n[words.room]\nhall = ["in the vault"]\n', "utf-8")
    extended = load_rules(rules)
    assert extended.scene("talking via the tin can") == ("phone",)
    assert extended.scene("on the phone") == ("phone",)  # the built-in words stay
    assert extended.room("In the vault") == "hall"
    bad = tmp_path / "bad.toml"
    bad.write_text('[words.scene]\ntelegraph = ["by wire"]\n', "utf-8")
    with pytest.raises(Exception, match="telegraph"):
        load_rules(bad)


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "episode_renderer.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_check_lists_who_stands_where():
    done = _cli("check", str(SCENE))
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "Who stands where" in text and "Recurse 50% left" in text and "Vector 50% right" in text


def test_bad_scene_settings_are_one_clear_error(tmp_path):
    episode = tmp_path / "ep.md"
    episode.write_text(SCENE.read_text("utf-8").replace("episode_number: 90", "episode_number: 90\nroom: ballroom"),
                       "utf-8")
    done = _cli("render", str(episode), "-o", str(tmp_path / "ep.mp3"))
    assert done.returncode == 2 and "ballroom" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.mp3"))
    show = tmp_path / "show.toml"
    show.write_text('[mix]\nchannels = "surround"\n', "utf-8")
    done = _cli("render", str(SCENE), "-o", str(tmp_path / "ep.mp3"), "--show", str(show))
    assert done.returncode == 2 and "channels" in done.stderr and "Traceback" not in done.stderr
    cast = tmp_path / "cast.toml"
    cast.write_text('[defaults]\nengine = "piper"\nmodel = "joe"\n[characters.Kai]\npan = 1.5\n', "utf-8")
    done = _cli("check", str(SCENE), "--cast", str(cast))
    assert done.returncode == 2 and "pan" in done.stderr and "Traceback" not in done.stderr
