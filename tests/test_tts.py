"""Voices, the cast file and the line cache."""

from __future__ import annotations

import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from episode_renderer.errors import ConfigError, VoiceError
from episode_renderer.tts.cache import LineCache
from episode_renderer.tts.cast import load_cast, parse_cast
from episode_renderer.tts.lines import LineSpeaker
from episode_renderer.tts.piper_voice import bundled_model
from episode_renderer.tts.voices import Voices

CAST = load_cast(ROOT / "voices" / "cast.toml")


def test_every_character_of_the_show_has_a_voice():
    for name in ("Human", "Recurse", "Vector", "Kai", "Bounce", "Narrator", "Optimax"):
        assert CAST.has_voice(name)
    assert CAST.resolve("Human Blogger")[0] == "Human"
    assert CAST.resolve("Somebody New")[0] == "fallback"


def test_delivery_and_blocks_shape_the_profile():
    plain = CAST.profile("Vector")
    assert CAST.profile("Vector", "excited").speed > plain.speed
    assert CAST.profile("Vector", "thoughtful").speed < plain.speed
    assert CAST.profile("Vector", "whisper").gain_db < plain.gain_db
    thought = CAST.profile("Recurse", block="thought")
    assert len(thought.effects) > len(CAST.profile("Recurse").effects)
    nested = CAST.profile("Kai", block="dialogue", scene="private-channel")
    assert any(name == "Reverb" for name, _ in nested.effects)


@pytest.mark.parametrize("text, words", [
    ("[characters.X]\nspeed = 'fast'\n", "must be a number"),
    ("[characters.X]\nspeed = 9\n", "out of range"),
    ("[characters.X]\neffects = [{ name = 'Wobble' }]\n", "not an effect the renderer allows"),
    ("[characters.X]\neffects = [{ name = 'Chorus', wobble = 1 }]\n", "Chorus has an unknown setting wobble"),
    ("[characters.X]\nengine = 'espeak'\n", 'engine = "espeak" is not one of'),
    ("[characters.X]\nvolume = 3\n", "unknown setting"),
    ("[characters.X\n", "not valid TOML"),
])
def test_cast_errors_name_the_entry(text, words):
    with pytest.raises(ConfigError) as info:
        parse_cast(text, "my-cast.toml")
    assert words in info.value.render() and "my-cast.toml" in info.value.render()


def test_any_piper_voice_from_the_voices_folder(tmp_path):
    model, config = bundled_model()
    shutil.copy(model, tmp_path / "mine.onnx")
    shutil.copy(config, tmp_path / "mine.onnx.json")
    (tmp_path / "cast.toml").write_text('[characters.Zed]\nmodel = "mine"\n[characters.Yan]\nmodel = "nope"\n'
                                        '[characters.Multi]\nmodel = "mine"\nspeaker_id = 3\n')
    cast = load_cast(tmp_path / "cast.toml")
    speaker = LineSpeaker(LineCache(None), Voices(cast.voices_dir))
    audio = speaker.speak(cast.profile("Zed"), "Hello from my own voice.")
    assert audio.dtype == np.float32 and audio.size > 44100 * 0.5
    with pytest.raises(VoiceError) as missing:
        speaker.speak(cast.profile("Yan"), "Hi.")
    assert "nope" in missing.value.render() and "download_voices" in missing.value.render()
    with pytest.raises(VoiceError) as bad_speaker:
        speaker.speak(cast.profile("Multi"), "Hi.")
    assert "speaker 3" in bad_speaker.value.render()


def test_cache_hits_and_detects_corruption(tmp_path):
    cache = LineCache(tmp_path)
    speaker = LineSpeaker(cache)
    profile = CAST.profile("Kai")
    first = speaker.speak(profile, "Cache me if you can.")
    assert (cache.hits, cache.misses) == (0, 1)
    again = speaker.speak(profile, "Cache me if you can.")
    assert cache.hits == 1 and np.array_equal(first, again)
    entry = next(tmp_path.rglob("*.line"))
    data = bytearray(entry.read_bytes())
    data[-100] ^= 0xFF
    entry.write_bytes(bytes(data))
    redone = speaker.speak(profile, "Cache me if you can.")
    assert cache.misses == 2 and redone.size > 0
    entry.write_bytes(entry.read_bytes()[:50])
    assert speaker.speak(profile, "Cache me if you can.").size > 0 and cache.misses == 3


def test_cache_key_follows_settings_and_text():
    speaker = LineSpeaker(LineCache(None))
    kai = CAST.profile("Kai")
    assert speaker.key(kai, "a") != speaker.key(kai, "b")
    assert speaker.key(kai, "a") != speaker.key(CAST.profile("Kai", "excited"), "a")
    assert speaker.key(kai, "a") == speaker.key(CAST.profile("Kai"), "a")


def _write_same_entry(folder: str) -> int:
    cache = LineCache(Path(folder))
    for _ in range(200):
        cache.put("ab" + "0" * 62, np.full(5000, 0.25, dtype=np.float32), 44100)
        got = cache.get("ab" + "0" * 62)
        assert got is not None and got[0].size == 5000
    return cache.hits


def test_cache_is_safe_with_several_processes(tmp_path):
    with ProcessPoolExecutor(2) as pool:
        hits = list(pool.map(_write_same_entry, [str(tmp_path)] * 2))
    assert hits == [200, 200]
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["ab" + "0" * 62 + ".line"]


def _envelope(x: np.ndarray, frame: int = 220) -> np.ndarray:
    usable = x[:x.size // frame * frame]
    return np.sqrt(np.mean(usable.reshape(-1, frame) ** 2, axis=1))


def test_lines_shifted_together_come_back_as_they_would_alone():
    """One Rubber Band pass for several lines: each keeps its length, level and timing."""
    from episode_renderer.tts.lines import shift_together

    voice = Voices().load(CAST.profile("Kai").engine)
    takes = [voice.speak(text) for text in ("Scanning now.", "Forty two files found in the archive.", "Done.")]
    together = shift_together(takes, voice.sample_rate, -2.0)
    for take, batched in zip(takes, together):
        alone = shift_together([take], voice.sample_rate, -2.0)[0]
        assert batched.size == take.size == alone.size
        a, b = _envelope(alone), _envelope(batched)
        assert np.corrcoef(a, b)[0, 1] > 0.9  # same syllables at the same 10 ms
        assert np.sqrt(np.mean(batched ** 2) / np.mean(alone ** 2)) == pytest.approx(1.0, abs=0.05)


def test_speak_many_equals_speak_for_lines_that_need_no_shift(tmp_path):
    speaker = LineSpeaker(LineCache(tmp_path))
    plain = CAST.profile("Narrator")  # formants move with pitch: no Rubber Band pass at all
    texts = ["One.", "Two and three."]
    many = speaker.speak_many([(plain, t) for t in texts])
    fresh = LineSpeaker(LineCache(None))
    for text, audio in zip(texts, many):
        assert np.array_equal(audio, fresh.speak(plain, text))


def test_long_lines_reach_the_engine_in_bounded_pieces_and_lose_no_word():
    from episode_renderer.tts.lines import PIECE_CHARS, split_text

    words = " ".join(["alpha", "beta,", "[[kˈaɪ ɪz]]", "gamma.", "delta"] * 600)
    pieces = split_text(words)
    assert max(len(p) for p, _ in pieces) <= PIECE_CHARS
    assert " ".join(p for p, _ in pieces) == words
    assert all(p.count("[[") == p.count("]]") for p, _ in pieces)
    assert {pause for _, pause in pieces[:-1]} == {0.25}  # cut after full stops, where there are some
    unpunctuated = " ".join(["word"] * 2000)
    assert max(len(p) for p, _ in split_text(unpunctuated)) <= PIECE_CHARS
    assert split_text("x" * 1000) == [("x" * 400, 0.0), ("x" * 400, 0.0), ("x" * 200, 0.0)]
    assert split_text("Short line.") == [("Short line.", 0.0)]


def test_temp_entries_of_a_killed_run_are_swept_from_the_line_cache(tmp_path):
    import os
    import subprocess

    import numpy as np

    from episode_renderer.tts.cache import LineCache

    cache = LineCache(tmp_path)
    cache.put("ab" + "0" * 62, np.zeros(10, dtype=np.float32), 44100)
    dead = subprocess.Popen(["true"])
    dead.wait()
    folder = tmp_path / "ab"
    leftover = folder / f".abcdef.{dead.pid}-x1.partial.line"
    leftover.write_bytes(b"half")
    live = folder / f".abcdef.{os.getpid()}-x2.partial.line"
    live.write_bytes(b"mine")
    LineCache(tmp_path).put("ab" + "1" * 62, np.zeros(10, dtype=np.float32), 44100)
    assert not leftover.exists() and live.exists()
    assert LineCache(tmp_path).get("ab" + "1" * 62) is not None


def test_doubling_the_rate_without_scipy_matches_resample_poly():
    import numpy as np
    from scipy.signal import resample_poly

    from episode_renderer.tts.shaping import resample

    rng = np.random.default_rng(7)
    for size in (1, 2, 41, 22050):
        x = rng.standard_normal(size).astype(np.float32)
        ours = resample(x, 22050, 44100)
        assert ours.dtype == np.float32 and ours.size == 2 * size
        assert np.abs(ours - resample_poly(x, 2, 1)).max() < 1e-5
