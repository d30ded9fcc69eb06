"""Voices are objects: the owner loads them, the engines say who they are, one class finds their files."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT
from episode_renderer.tts.cast import EngineSpec
from episode_renderer.tts.piper_voice import bundled_model
from episode_renderer.tts.voice_files import VoiceFiles
from episode_renderer.tts.voices import Voices, engine_of

AGREE = [
    EngineSpec(engine="piper", model="joe"),
    EngineSpec(engine="piper", model="joe", noise_scale=0.5, noise_w_scale=0.7),
    EngineSpec(engine="kokoro", voice="am_michael"),
    EngineSpec(engine="kokoro", voice="0.6*bm_george + 0.4*am_fenrir", language="en-us"),
]


@pytest.mark.parametrize("spec", AGREE, ids=lambda s: f"{s.engine}-{s.voice or s.model}-{s.noise_scale}")
def test_a_voices_identity_before_loading_is_its_key_once_loaded(spec):
    with Voices(ROOT / "voices", threads=1) as voices:
        before = voices.identity(spec)  # a warm re-render never loads the model
        assert before == engine_of(spec).identity(spec, voices.files)
        assert voices.load(spec).key == before


def test_a_piper_voice_beside_the_cast_has_the_same_identity_before_and_after_loading(tmp_path):
    model, config = bundled_model()
    shutil.copy(model, tmp_path / "mine.onnx")
    shutil.copy(config, tmp_path / "mine.onnx.json")
    spec = EngineSpec(engine="piper", model="mine")
    with Voices(tmp_path) as voices:
        assert voices.load(spec).key == voices.identity(spec)
        assert voices.identity(spec) == voices.identity(EngineSpec(engine="piper", model="joe"))  # same file


def test_an_owner_loads_a_voice_once_and_forgets_it_when_closed():
    spec = EngineSpec(engine="piper", model="joe")
    with Voices() as voices:
        first = voices.load(spec)
        assert voices.load(spec) is first
        assert Voices().load(spec) is not first  # no registry shared between owners
    assert voices.load(spec) is not first  # closed: loaded again when asked


def test_voice_files_look_beside_the_cast_first(tmp_path):
    (tmp_path / "ref.wav").write_bytes(b"")
    files = VoiceFiles(tmp_path)
    assert files.search[0] == tmp_path and files.kokoro_dirs[0] == tmp_path / "kokoro"
    assert files.local("ref.wav") == str(tmp_path / "ref.wav")
    assert files.local("elsewhere.wav") == "elsewhere.wav"
    assert files.local(None) is None
    assert VoiceFiles().search == [p for p in files.search if p != tmp_path]
