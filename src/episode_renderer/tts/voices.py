"""Load engines' voices from cast profiles, once per process."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from ..errors import VoiceError
from .cast import Acting, EngineSpec
from .engine import Voice

_VOICES: dict[tuple, Voice] = {}
_LOCK = threading.Lock()


def load_voice(spec: EngineSpec, voices_dir: Path | None = None, threads: int = 0) -> Voice:
    """The Voice for an engine spec; the same spec returns the same loaded voice.

    ``threads``: 1 when lines are synthesized in parallel, 0 to let one line use every core.
    """
    key = (spec, str(voices_dir), threads)
    with _LOCK:
        if key in _VOICES:
            return _VOICES[key]
    voice = _create(spec, voices_dir, threads)
    with _LOCK:
        return _VOICES.setdefault(key, voice)


def acting_voice(spec: EngineSpec, acting: Acting, voices_dir: Path | None = None, threads: int = 0) -> Voice:
    """The voice of ``spec`` performing ``acting``'s prosody and rows (Kokoro; other engines have no
    style vector and speak as they are). Loaded once per recipe, sharing the voice's session."""
    voice = load_voice(spec, voices_dir, threads)
    if not acting.changes_style or not hasattr(voice, "acted"):
        return voice
    key = (spec, str(voices_dir), threads, acting.prosody, acting.amount, acting.rows)
    with _LOCK:
        if key in _VOICES:
            return _VOICES[key]
    acted = voice.acted(acting.prosody, acting.amount, acting.rows)
    with _LOCK:
        return _VOICES.setdefault(key, acted)


def release_voices() -> None:
    """Forget every loaded voice and its onnxruntime session (a Kokoro session holds ~0.6-1 GB), so a
    render's mastering does not count them in its peak; the next line loads them again."""
    import sys

    with _LOCK:
        _VOICES.clear()
    for name in ("kokoro", "piper_voice"):
        module = sys.modules.get(f"{__package__}.{name}")
        if module is not None:
            module.release()


def voice_key(spec: EngineSpec, voices_dir: Path | None = None) -> str:
    """The cache identity of a voice; for Piper it is known without loading the model (a warm
    re-render then never loads one)."""
    if spec.engine == "piper":
        from .piper_voice import piper_key, resolve_model

        model, _config = resolve_model(spec.model, _search(voices_dir))
        return piper_key(model, spec.speaker_id, spec.noise_scale, spec.noise_w_scale)
    if spec.engine == "kokoro":
        return _kokoro_identity(spec, voices_dir)
    return load_voice(spec, voices_dir).key


@lru_cache(maxsize=256)
def _kokoro_identity(spec: EngineSpec, voices_dir: Path | None) -> str:
    """Read and hash the voice packs once per voice and process, not once per line (1.7 ms a call)."""
    from .kokoro import kokoro_key, resolve

    _model, model_id, style, language = resolve(spec.voice or "", _local(spec.model_path, voices_dir),
                                                spec.language, _kokoro_dirs(voices_dir))
    return kokoro_key(model_id, style, language)


def _search(voices_dir: Path | None) -> list[Path]:
    return [d for d in (voices_dir, Path("voices")) if d is not None]


def _kokoro_dirs(voices_dir: Path | None) -> list[Path]:
    return [d / "kokoro" for d in _search(voices_dir)]


def _local(value: str | None, voices_dir: Path | None) -> str | None:
    """A relative path in the cast is looked up beside the cast first."""
    if value is None:
        return None
    path = Path(value)
    if not path.is_absolute() and voices_dir is not None and (voices_dir / path).exists():
        return str(voices_dir / path)
    return value


def _create(spec: EngineSpec, voices_dir: Path | None, threads: int) -> Voice:
    search = _search(voices_dir)
    if spec.engine == "piper":
        from .piper_voice import PiperVoiceAdapter, resolve_model

        model, config = resolve_model(spec.model, search)
        return PiperVoiceAdapter(model, config, speaker_id=spec.speaker_id, noise_scale=spec.noise_scale,
                                 noise_w_scale=spec.noise_w_scale, threads=threads)
    if spec.engine == "kokoro":
        from .kokoro import load_kokoro

        return load_kokoro(spec.voice or "", _local(spec.model_path, voices_dir), spec.language,
                           _kokoro_dirs(voices_dir))
    if spec.engine == "coqui":
        from .coqui import load_coqui

        def local(value: str | None) -> Path | None:
            found = _local(value, voices_dir)
            return Path(found) if found is not None else None

        return load_coqui(model_name=spec.model_name, model_path=local(spec.model_path),
                          config_path=local(spec.config_path), speaker=spec.speaker,
                          speaker_wav=local(spec.speaker_wav), language=spec.language)
    raise VoiceError(f"unknown engine {spec.engine!r}.", hint='Use engine = "kokoro", "piper" or "coqui".')
