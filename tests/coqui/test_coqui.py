"""CoquiVoice against a tiny, randomly initialised multi-speaker VITS built in a temp folder.

Needs the [coqui] extra (torch): run through .ci/coqui.sh. The module skips where coqui-tts is absent,
unless EPISODE_REQUIRE_COQUI=1, where a missing install fails so CI cannot pass by skipping.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pytest

if os.environ.get("EPISODE_REQUIRE_COQUI") == "1":
    try:
        import TTS.api  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure must fail loudly here
        pytest.fail(f"EPISODE_REQUIRE_COQUI=1 but coqui-tts does not import: {exc!r}", pytrace=False)
else:
    pytest.importorskip("TTS.api", reason="needs the [coqui] extra (coqui-tts, torch)")

from episode_renderer.errors import VoiceError  # noqa: E402
from episode_renderer.tts.coqui import load_coqui  # noqa: E402
from episode_renderer.tts.engine import Voice  # noqa: E402

pytestmark = pytest.mark.coqui

SPEAKERS = ["a", "b", "c"]
LINE = "hello there, how are you today"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A ~5 MB untrained VITS with speakers a, b, c: (model.pth, config.json)."""
    import torch
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    args = VitsArgs(
        hidden_channels=16, hidden_channels_ffn_text_encoder=32, num_heads_text_encoder=2,
        num_layers_text_encoder=1, num_layers_flow=1, num_layers_posterior_encoder=1,
        # HiFi-GAN resblock "1" takes three dilations per block; 8*8*4 = hop length 256.
        resblock_type_decoder="1", resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3, 5]], upsample_rates_decoder=[8, 8, 4],
        upsample_initial_channel_decoder=16, upsample_kernel_sizes_decoder=[16, 16, 8],
        use_speaker_embedding=True, speaker_embedding_channels=8, init_discriminator=False,
        use_sdp=False,
    )
    # The speaker list lives inside config.json: no speakers file, whose relative path Coqui
    # would resolve against the current directory.
    config = VitsConfig(model_args=args, speakers=SPEAKERS, use_speaker_embedding=True,
                        use_phonemes=False, text_cleaner="basic_cleaners")
    assert config.audio.hop_length == 8 * 8 * 4
    # Coqui cuts each sentence where np.max (not of the magnitude) stays under -45 dB for 0.8 s;
    # an untrained decoder drifts negative and would be cut short, hiding every duration change.
    config.audio.do_trim_silence = False
    torch.manual_seed(1234)
    model = Vits(config)
    # An untrained duration predictor gives each symbol under one frame, so every length rounds
    # up to one frame and speed could not show. Make it say 3.5 frames (ceil: 4) per symbol.
    with torch.no_grad():
        model.duration_predictor.proj.weight.zero_()
        model.duration_predictor.proj.bias.fill_(math.log(3.5))
    folder = tmp_path_factory.mktemp("tiny_vits")
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    model.config.save_json(str(folder / "config.json"))  # the model's config, after construction
    return folder / "model.pth", folder / "config.json"


@pytest.fixture(scope="module")
def voice_a(tiny_model: tuple[Path, Path]):
    model_file, config_file = tiny_model
    return load_coqui(model_path=model_file, config_path=config_file, speaker="a")


def test_speaks_float32_mono_non_silent(voice_a) -> None:
    assert isinstance(voice_a, Voice)
    assert voice_a.sample_rate == 22050
    audio = voice_a.speak(LINE)
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert audio.size > voice_a.sample_rate // 10
    assert np.abs(audio).max() > 1e-3
    assert np.abs(audio).max() <= 1.0
    assert audio[-1] != 0.0  # Coqui's trailing silence pad is trimmed


def test_duration_grows_with_text_length(voice_a) -> None:
    short = voice_a.speak("hi")
    long = voice_a.speak("hello there, this line is a great deal longer than the first one")
    assert long.size > 2 * short.size


def test_same_seed_gives_identical_audio(tiny_model: tuple[Path, Path], voice_a) -> None:
    first = voice_a.speak(LINE)
    assert np.array_equal(first, voice_a.speak(LINE))
    model_file, config_file = tiny_model
    again = load_coqui(model_path=model_file, config_path=config_file, speaker="a")
    assert again.key == voice_a.key
    assert np.array_equal(first, again.speak(LINE))
    other_seed = load_coqui(model_path=model_file, config_path=config_file, speaker="a", seed=7)
    assert other_seed.key != voice_a.key


def test_other_speaker_sounds_different(tiny_model: tuple[Path, Path], voice_a) -> None:
    model_file, config_file = tiny_model
    voice_b = load_coqui(model_path=model_file, config_path=config_file, speaker="b")
    assert voice_b.key != voice_a.key
    a, b = voice_a.speak(LINE), voice_b.speak(LINE)
    assert a.shape != b.shape or not np.allclose(a, b, atol=1e-4)


def test_speed_changes_duration(voice_a) -> None:
    normal = voice_a.speak(LINE)
    fast = voice_a.speak(LINE, speed=2.0)
    slow = voice_a.speak(LINE, speed=0.5)
    assert fast.size < normal.size < slow.size
    assert np.array_equal(normal, voice_a.speak(LINE))  # the length scale is restored


def test_key_names_model_hash_speaker(voice_a) -> None:
    assert voice_a.key.startswith("coqui:model.pth@")
    assert ":a:" in voice_a.key


def test_unknown_speaker_lists_speakers(tiny_model: tuple[Path, Path]) -> None:
    model_file, config_file = tiny_model
    with pytest.raises(VoiceError, match="no speaker 'zed'") as err:
        load_coqui(model_path=model_file, config_path=config_file, speaker="zed")
    assert "Speakers: a, b, c" in str(err.value)


def test_missing_speaker_on_multi_speaker_model_lists_speakers(tiny_model: tuple[Path, Path]) -> None:
    model_file, config_file = tiny_model
    with pytest.raises(VoiceError, match="3 speakers") as err:
        load_coqui(model_path=model_file, config_path=config_file)
    assert "Speakers: a, b, c" in str(err.value)


def test_language_on_monolingual_model_is_refused(tiny_model: tuple[Path, Path]) -> None:
    model_file, config_file = tiny_model
    with pytest.raises(VoiceError, match="one language"):
        load_coqui(model_path=model_file, config_path=config_file, speaker="a", language="en")


def test_missing_local_files(tmp_path: Path, tiny_model: tuple[Path, Path]) -> None:
    model_file, config_file = tiny_model
    with pytest.raises(VoiceError, match="model file not found"):
        load_coqui(model_path=tmp_path / "nope.pth", config_path=config_file, speaker="a")
    with pytest.raises(VoiceError, match="config not found"):
        load_coqui(model_path=model_file, config_path=tmp_path / "nope.json", speaker="a")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point Coqui's model folder (trainer.io.get_user_data_dir reads TTS_HOME first) and the
    Hugging Face cache at tmp_path, and make any network connection fail."""
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "tts_home"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))

    def refuse(*args, **kwargs):
        raise AssertionError("load_coqui tried to use the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return tmp_path / "tts_home" / "tts"


def test_model_name_not_downloaded_says_how_to_fetch(offline: Path) -> None:
    start = time.monotonic()
    with pytest.raises(VoiceError) as err:
        load_coqui(model_name="tts_models/en/vctk/vits", speaker="p225")
    assert time.monotonic() - start < 5
    message = str(err.value)
    assert "tts_models/en/vctk/vits" in message
    assert "not downloaded" in message
    assert "tts --model_name tts_models/en/vctk/vits --list_speaker_idxs" in message
    assert str(offline / "tts_models--en--vctk--vits") in message


def test_interrupted_download_counts_as_not_downloaded(offline: Path) -> None:
    (offline / "tts_models--en--vctk--vits").mkdir(parents=True)  # what a broken download leaves
    with pytest.raises(VoiceError, match="not downloaded"):
        load_coqui(model_name="tts_models/en/vctk/vits", speaker="p225")


def test_model_name_loads_from_download_folder(offline: Path, tiny_model: tuple[Path, Path]) -> None:
    model_file, config_file = tiny_model
    folder = offline / "tts_models--en--vctk--vits"
    folder.mkdir(parents=True)
    shutil.copy(model_file, folder / "model_file.pth")
    shutil.copy(config_file, folder / "config.json")
    voice = load_coqui(model_name="tts_models/en/vctk/vits", speaker="b")
    assert voice.key.startswith("coqui:tts_models/en/vctk/vits@")
    assert voice.speak("hi").size > 0


def test_unknown_model_name(offline: Path) -> None:
    with pytest.raises(VoiceError, match="not in coqui-tts's model list"):
        load_coqui(model_name="tts_models/en/nowhere/vits")
    with pytest.raises(VoiceError, match="not a Coqui model name"):
        load_coqui(model_name="vits")


def test_xtts_needs_licence_consent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COQUI_TOS_AGREED", raising=False)
    (tmp_path / "model.pth").write_bytes(b"not read before the licence check")
    (tmp_path / "config.json").write_text('{"model": "xtts"}')
    with pytest.raises(VoiceError, match="COQUI_TOS_AGREED=1"):
        load_coqui(model_path=tmp_path / "model.pth", speaker_wav=tmp_path / "ref.wav",
                   language="en")


def test_speed_by_time_stretch_where_model_has_no_tempo_control(tiny_model: tuple[Path, Path]) -> None:
    model_file, config_file = tiny_model
    voice = load_coqui(model_path=model_file, config_path=config_file, speaker="a")
    voice.speed_mode = "stretch"  # as for a model without length_scale (e.g. Tacotron 2)
    normal = voice.speak(LINE)
    fast = voice.speak(LINE, speed=2.0)
    assert fast.dtype == np.float32
    assert abs(fast.size - normal.size / 2) < normal.size * 0.1


def test_cast_engine_coqui_through_preview(tiny_model: tuple[Path, Path], tmp_path: Path) -> None:
    """The user's path end to end: a cast entry with engine = "coqui", then `episode preview`."""
    from typer.testing import CliRunner

    from episode_renderer.cli import app

    model_file, config_file = tiny_model
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "cast.toml").write_text(
        f'[characters.Kai]\nengine = "coqui"\nmodel_path = "{model_file}"\nconfig_path = "{config_file}"\n'
        'speaker = "b"\n')
    script = tmp_path / "ep.md"
    script.write_text('---\ntitle: t\n---\n{{< dialogue char="Kai" >}}\nHello there.\n{{< /dialogue >}}\n')
    out = tmp_path / "kai.wav"
    result = CliRunner().invoke(app, ["preview", str(script), "-c", "Kai", "--cast", str(voices / "cast.toml"),
                                      "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    import soundfile as sf

    audio, rate = sf.read(out)
    assert rate == 44100 and audio.size > 0.2 * rate and float(abs(audio).max()) > 0.1
