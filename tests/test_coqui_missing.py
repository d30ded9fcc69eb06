"""The Coqui engine without coqui-tts: the main (torch-free) venv must get a clear install message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from episode_renderer.errors import VoiceError
from episode_renderer.tts.coqui import load_coqui


def test_missing_coqui_tts_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # None in sys.modules makes `import TTS` raise ModuleNotFoundError, installed or not.
    monkeypatch.setitem(sys.modules, "TTS", None)
    monkeypatch.setitem(sys.modules, "TTS.api", None)
    with pytest.raises(VoiceError) as err:
        load_coqui(model_path=tmp_path / "model.pth", config_path=tmp_path / "config.json")
    message = str(err.value)
    assert "coqui-tts is not installed" in message
    assert "pip install -e '.[coqui]'" in message
    assert "torchaudio==2.9.*" in message


def test_importing_the_engine_does_not_import_torch() -> None:
    code = ("import sys, episode_renderer.tts.coqui; "
            "assert 'torch' not in sys.modules and 'TTS' not in sys.modules, 'eager import'")
    subprocess.run([sys.executable, "-c", code], check=True)
