"""Coqui TTS (the maintained ``coqui-tts`` fork) as a voice engine.

torch and coqui-tts come with the optional ``[coqui]`` extra, so they are imported only inside
:func:`load_coqui`: this module imports, and the main venv stays torch-free. Models are loaded from
local files only. A model *name* is resolved to Coqui's download folder by hand first, because Coqui
itself would start a download, which offline fails late or, on a stalling network, hangs for good.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import VoiceError

if TYPE_CHECKING:
    from .engine import EngineSpec
    from .sessions import Sessions
    from .voice_files import VoiceFiles

#: Torch threads for synthesis: two cores keep one line fast without starving the rest of the
#: render (mixing, encoding) or other processes on a small machine.
TORCH_THREADS = 2

INSTALL_HINT = (
    "Install it in a separate venv (it pulls in torch): pip install -e '.[coqui]'. "
    "Install torch and torchaudio as a matching pair first, e.g. "
    "pip install 'torch==2.9.1' 'torchaudio==2.9.*' torchcodec six "
    "(or the CPU builds from https://download.pytorch.org/whl/cpu); see .ci/coqui.sh."
)

# The names Coqui's ModelManager._find_files looks for before falling back to a lone *.pt* file.
_MODEL_FILE_NAMES = ("model_file.pth", "model_file.pth.tar", "model.pth", "checkpoint.pth")


@dataclass(eq=False)
class CoquiVoice:
    """A loaded Coqui model bound to one speaker and language; implements ``Voice``.

    Build it with :func:`load_coqui`, which checks every file and setting up front so a bad cast
    entry fails before the first line is rendered rather than in the middle of an episode.
    """

    tts: Any = field(repr=False)
    key: str
    sample_rate: int
    speaker: str | None
    speaker_wav: Path | None
    language: str | None
    seed: int
    # "xtts": the model takes a speed argument; "length_scale": VITS-style duration scale;
    # "stretch": the model has no tempo control, so the audio is time-stretched afterwards.
    speed_mode: str
    speakers: list[str]
    languages: list[str]

    @classmethod
    def identity(cls, spec: EngineSpec, files: VoiceFiles) -> None:
        """Unknown until loaded: the key hashes the checkpoint Coqui finds for a model name."""
        return None

    @classmethod
    def load(cls, spec: EngineSpec, files: VoiceFiles, sessions: Sessions, threads: int) -> "CoquiVoice":
        """The cast entry's voice (torch keeps its own threads, see TORCH_THREADS; no session to share)."""

        def local(value: str | None) -> Path | None:
            found = files.local(value)
            return Path(found) if found is not None else None

        return load_coqui(model_name=spec.model_name, model_path=local(spec.model_path),
                          config_path=local(spec.config_path), speaker=spec.speaker,
                          speaker_wav=local(spec.speaker_wav), language=spec.language)

    def speak(self, text: str, *, speed: float = 1.0) -> np.ndarray:
        """Synthesize ``text`` as float32 mono in [-1, 1]; ``speed`` > 1 talks faster.

        Torch is reseeded on every call: VITS and XTTS sample noise, and the line cache relies on
        the same text and key always giving the same audio.
        """
        import torch

        if not speed > 0:
            raise VoiceError(f"Speed must be above 0, got {speed}.")
        if "[[" in text:
            raise VoiceError(f"Coqui cannot speak phonemes, and this line has some from the lexicon: {text[:80]!r}.",
                             hint="Give the word a respelling under [words] in voices/lexicon.toml instead of "
                                  "[phonemes].")
        if not text.strip():
            # Coqui treats empty text as a voice-conversion request; nothing to say is silence.
            return np.zeros(0, dtype=np.float32)

        kwargs: dict[str, Any] = {"speaker": self.speaker, "language": self.language}
        if self.speaker_wav is not None:
            kwargs["speaker_wav"] = str(self.speaker_wav)
        if self.speed_mode == "xtts":
            kwargs["speed"] = speed

        model = self.tts.synthesizer.tts_model
        base_scale = getattr(model, "length_scale", None)
        if self.speed_mode == "length_scale" and speed != 1.0:
            # Coqui's generic synthesize() drops a `speed` kwarg for VITS; its durations are
            # scaled by model.length_scale, so a longer scale means slower speech.
            model.length_scale = base_scale / speed
        torch.manual_seed(self.seed)
        try:
            wav = self.tts.tts(text, **kwargs)
        except KeyError as e:
            raise VoiceError(f"Coqui model has no speaker '{self.speaker}'.",
                             hint=_speaker_list_hint(self.speakers)) from e
        except ValueError as e:
            raise VoiceError(f"Coqui could not speak this line: {e}",
                             hint=_speaker_list_hint(self.speakers)) from e
        except (RuntimeError, OSError, ImportError) as e:
            if self.speaker_wav is None:
                raise
            raise VoiceError(
                f"Coqui could not clone the voice from {self.speaker_wav}: {type(e).__name__}: {e}",
                hint="Reference audio is read through torchaudio/torchcodec, which need FFmpeg's "
                     "shared libraries (libavcodec, libavformat) installed.") from e
        finally:
            if self.speed_mode == "length_scale":
                model.length_scale = base_scale

        audio = np.asarray(wav, dtype=np.float32).reshape(-1)
        # Coqui pads every sentence with silence; the trailing pad would add a pause the renderer
        # does not know about, so drop it (the pauses between sentences stay).
        voiced = np.flatnonzero(audio)
        if voiced.size:
            audio = audio[: voiced[-1] + 1]
        if self.speed_mode == "stretch" and speed != 1.0 and audio.size:
            from pedalboard import time_stretch

            audio = time_stretch(audio[np.newaxis, :], float(self.sample_rate),
                                 stretch_factor=float(speed))[0].astype(np.float32)
        return np.clip(audio, -1.0, 1.0)


def load_coqui(*, model_name: str | None = None, model_path: Path | None = None,
               config_path: Path | None = None, speaker: str | None = None,
               speaker_wav: Path | None = None, language: str | None = None,
               seed: int = 0) -> CoquiVoice:
    """Load a Coqui model from local files and check speaker and language before any rendering.

    Give either ``model_name`` (a Coqui catalogue name such as ``tts_models/en/vctk/vits``, which
    must already be downloaded) or ``model_path`` (a checkpoint file, with ``config_path`` or a
    ``config.json`` beside it). ``speaker_wav`` clones a voice on models that can (XTTS, YourTTS).
    """
    if (model_name is None) == (model_path is None):
        raise VoiceError("Give a Coqui voice either a model name or a model path, not both or neither.")
    tts_class = _import_tts()

    vocoder_file: Path | None = None
    vocoder_config: Path | None = None
    by_name = False
    if model_name is not None:
        model_file, config_file, vocoder_file, vocoder_config, by_name = _resolve_named_model(model_name)
        label = model_name
    else:
        model_file, config_file = _resolve_model_path(Path(model_path), config_path)
        label = model_file.name

    config = _read_config(config_file)
    is_xtts = config.get("model") == "xtts"
    if is_xtts and os.environ.get("COQUI_TOS_AGREED") != "1":
        raise VoiceError(
            f"Coqui model {label} is XTTS, which is under the Coqui Public Model License (CPML).",
            hint="Read https://coqui.ai/cpml and, if you agree (or hold a commercial licence), set "
                 "COQUI_TOS_AGREED=1 in the environment before rendering.")
    if speaker_wav is not None:
        speaker_wav = Path(speaker_wav)
        if not speaker_wav.is_file():
            raise VoiceError(f"Reference audio for voice cloning not found: {speaker_wav}")

    import torch

    torch.set_num_threads(min(TORCH_THREADS, os.cpu_count() or 1))
    try:
        if by_name:
            # Present on disk (checked above), so Coqui does not download; loading by name lets it
            # rewrite the absolute paths in config.json (speaker list) for a folder copied here.
            tts = tts_class(model_name=model_name, progress_bar=False)
        else:
            tts = tts_class(model_path=str(model_file), config_path=str(config_file),
                            vocoder_path=str(vocoder_file) if vocoder_file else None,
                            vocoder_config_path=str(vocoder_config) if vocoder_config else None,
                            progress_bar=False)
    except Exception as e:  # a broken or mismatched checkpoint: say which file, not a traceback
        raise VoiceError(f"Coqui could not load {model_file}: {type(e).__name__}: {e}",
                         hint=f"Check that it matches its config {config_file}.") from e

    speakers = list(tts.speakers or [])
    languages = list(tts.languages or [])
    _check_speaker(label, speaker, speaker_wav, speakers)
    _check_language(label, language, languages)

    model = tts.synthesizer.tts_model
    if is_xtts:
        speed_mode = "xtts"
    elif isinstance(getattr(model, "length_scale", None), (int, float)):
        speed_mode = "length_scale"
    else:
        speed_mode = "stretch"

    # A catalogue model's config.json only changes when Coqui rewrites its paths, so only the
    # weights name the sound; a user's own config (noise and length scales) is part of it.
    digest = (_sha256(model_file, *(p for p in (vocoder_file,) if p)) if model_name is not None
              else _sha256(model_file, config_file))
    key = f"coqui:{label}@{digest}:{speaker or ''}:{language or ''}"
    if speaker_wav is not None:
        key += f":wav={_sha256(speaker_wav)}"
    key += f":seed={seed}"
    return CoquiVoice(tts, key=key, sample_rate=int(tts.synthesizer.output_sample_rate),
                      speaker=speaker, speaker_wav=speaker_wav, language=language, seed=seed,
                      speed_mode=speed_mode, speakers=speakers, languages=languages)


def _import_tts() -> Any:
    """Import Coqui's API class, turning a missing or broken install into an actionable error."""
    try:
        from TTS.api import TTS
    except ModuleNotFoundError as e:
        if e.name is None or e.name == "TTS" or e.name.startswith("TTS."):
            raise VoiceError("coqui-tts is not installed.", hint=INSTALL_HINT) from e
        raise VoiceError(f"coqui-tts is installed but cannot import '{e.name}': {e}",
                         hint=INSTALL_HINT) from e
    except (ImportError, OSError) as e:  # e.g. a torchaudio build that does not match torch
        raise VoiceError(f"coqui-tts is installed but does not import: {type(e).__name__}: {e}",
                         hint=INSTALL_HINT) from e
    return TTS


def _resolve_named_model(name: str) -> tuple[Path, Path, Path | None, Path | None, bool]:
    """Find a catalogue model (and its default vocoder) on disk without touching the network.

    The last item says whether Coqui may load it by name: not for models hosted on Hugging Face,
    whose loading by name always asks the Hub for updates; those are loaded by path.
    """
    from TTS.utils.manage import ModelManager

    manager = ModelManager(progress_bar=False)
    item = _catalogue_item(manager, name)
    if not name.startswith("tts_models/"):
        raise VoiceError(f"Coqui model '{name}' is not a text-to-speech model.",
                         hint="Use a name that starts with tts_models/; `tts --list_models` lists them.")
    model_file, config_file = _downloaded_files(manager, name, item)
    vocoder_file = vocoder_config = None
    on_hub = "repo_id" in (item or {})
    vocoder_name = (item or {}).get("default_vocoder")
    if vocoder_name:
        vocoder_item = _catalogue_item(manager, vocoder_name)
        on_hub = on_hub or "repo_id" in (vocoder_item or {})
        vocoder_file, vocoder_config = _downloaded_files(manager, vocoder_name, vocoder_item,
                                                         needed_by=name)
    return model_file, config_file, vocoder_file, vocoder_config, not on_hub


def _catalogue_item(manager: Any, name: str) -> dict[str, Any] | None:
    """Look ``name`` up in Coqui's bundled model list (fairseq models are not listed there)."""
    parts = name.split("/")
    if len(parts) != 4 or not all(parts):
        raise VoiceError(f"'{name}' is not a Coqui model name.",
                         hint="Names look like tts_models/<language>/<dataset>/<model>, e.g. "
                              "tts_models/en/vctk/vits; `tts --list_models` lists them.")
    node: Any = manager.models_dict
    for part in parts:
        node = node.get(part) if isinstance(node, dict) else None
    if node is None and parts[2] != "fairseq":
        raise VoiceError(f"'{name}' is not in coqui-tts's model list.",
                         hint="`tts --list_models` lists the models this coqui-tts version knows.")
    return node


def _downloaded_files(manager: Any, name: str, item: dict[str, Any] | None, *,
                      needed_by: str | None = None) -> tuple[Path, Path]:
    """Return the model and config files of a downloaded model, or say how to download it.

    Most models live in ``<TTS_HOME or XDG_DATA_HOME or ~/.local/share>/tts/<name with -->``;
    models hosted on Hugging Face (XTTS among them) live in the Hugging Face cache instead.
    """
    item = item or {}
    if "repo_id" in item:
        folder = _hf_snapshot(item)
        where = f"the Hugging Face cache (repo {item['repo_id']})"
    else:
        folder = Path(manager.output_prefix) / name.replace("/", "--")
        where = str(folder)
    found = _model_files_in(folder) if folder is not None else None
    if found is not None:
        return found
    what = f"vocoder '{name}' (needed by '{needed_by}')" if needed_by else f"model '{name}'"
    fetch = needed_by or name
    hint = (f"Download it once on a machine with network access: tts --model_name {fetch} "
            f"--list_speaker_idxs  (or: python -c \"from TTS.api import TTS; TTS('{fetch}')\"), "
            f"which fetches its vocoder too; then copy what it downloaded to this machine if it is "
            f"offline. Rendering never downloads models.")
    if item.get("tos_required"):
        hint += (" The download asks you to accept the model's licence; COQUI_TOS_AGREED=1 "
                 "answers yes for you, if you agree.")
    raise VoiceError(f"Coqui {what} is not downloaded: no .pth and config.json in {where}.",
                     hint=hint)


def _hf_snapshot(item: dict[str, Any]) -> Path | None:
    """The cached Hugging Face snapshot of a model, looked up offline; None if absent."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(item["repo_id"], allow_patterns=item.get("allow"),
                                      ignore_patterns=item.get("ignore"), local_files_only=True))
    except Exception:  # not cached (LocalEntryNotFoundError) or an unreadable cache: not there
        return None


def _model_files_in(folder: Path) -> tuple[Path, Path] | None:
    """The checkpoint and config.json in ``folder``, chosen as Coqui chooses them; None if absent.

    An interrupted download leaves the folder without a checkpoint, which Coqui then rejects on
    every call, so an empty folder counts as not downloaded.
    """
    config_file = folder / "config.json"
    if not folder.is_dir() or not config_file.is_file():
        return None
    for file_name in _MODEL_FILE_NAMES:
        if (folder / file_name).is_file():
            return folder / file_name, config_file
    checkpoints = [p for p in folder.rglob("*.pt*") if p.is_file()]
    return (checkpoints[0], config_file) if len(checkpoints) == 1 else None


def _resolve_model_path(model_path: Path, config_path: Path | None) -> tuple[Path, Path]:
    """Check a user's own model files; a folder may hold the checkpoint and config.json."""
    if model_path.is_dir():
        found = _model_files_in(model_path)
        if found is None:
            raise VoiceError(f"No Coqui checkpoint (.pth) with a config.json in {model_path}.",
                             hint="Point model_path at the .pth file and config_path at its config.json.")
        model_file, default_config = found
    elif model_path.is_file():
        model_file, default_config = model_path, model_path.with_name("config.json")
    else:
        raise VoiceError(f"Coqui model file not found: {model_path}")
    config_file = Path(config_path) if config_path is not None else default_config
    if not config_file.is_file():
        raise VoiceError(f"Coqui model config not found: {config_file}",
                         hint="A Coqui model needs the config.json it was trained with; give it as "
                              "config_path.")
    return model_file, config_file


def _read_config(config_file: Path) -> dict[str, Any]:
    """Read config.json early, to tell XTTS apart and to fail clearly on a corrupt file."""
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise VoiceError(f"Cannot read Coqui model config {config_file}: {e}") from e
    if not isinstance(config, dict):
        raise VoiceError(f"Coqui model config {config_file} is not a JSON object.")
    return config


def _check_speaker(label: str, speaker: str | None, speaker_wav: Path | None,
                   speakers: list[str]) -> None:
    """Fail at load, with the speaker list, where Coqui would fail on the first line."""
    if speaker_wav is not None:
        return  # cloning: `speaker` (if any) names the cached voice, so any name is fine
    if speakers and speaker is None:
        raise VoiceError(f"Coqui model {label} has {len(speakers)} speakers; choose one.",
                         hint=_speaker_list_hint(speakers))
    if speaker is not None and not speakers:
        raise VoiceError(f"Coqui model {label} has a single speaker, so speaker '{speaker}' "
                         "cannot be chosen.", hint="Remove the speaker setting.")
    if speaker is not None and speaker not in speakers:
        raise VoiceError(f"Coqui model {label} has no speaker '{speaker}'.",
                         hint=_speaker_list_hint(speakers))


def _check_language(label: str, language: str | None, languages: list[str]) -> None:
    """Multilingual models need a language from their own list; others take none."""
    if languages and language is None:
        raise VoiceError(f"Coqui model {label} is multilingual; choose a language.",
                         hint=f"Languages: {', '.join(languages)}.")
    if language is not None and not languages:
        raise VoiceError(f"Coqui model {label} speaks one language, so language '{language}' "
                         "cannot be chosen.", hint="Remove the language setting.")
    if language is not None and language not in languages:
        raise VoiceError(f"Coqui model {label} has no language '{language}'.",
                         hint=f"Languages: {', '.join(languages)}.")


def _speaker_list_hint(speakers: list[str]) -> str:
    if not speakers:
        return "This model has a single speaker; leave the speaker unset."
    return f"Speakers: {', '.join(speakers)}."


def _sha256(*files: Path) -> str:
    """First 16 hex digits of the SHA-256 of the files' contents, read in chunks (XTTS is ~2 GB)."""
    digest = hashlib.sha256()
    for file in files:
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]
