"""Whether an episode's files are current: its fingerprint and the state file kept beside its MP3.

The fingerprint covers everything that changes the rendered bytes (script, configuration, sounds,
voice models, renderer version); ``<stem>.render.json`` records it, written after the MP3 and its
sidecars, so an episode is skipped only when a render of exactly these inputs finished.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Project
from ..errors import EpisodeError
from ..export.paths import STATE_SUFFIX
from ..hashing import renderer_identity
from ..reading import open_regular
from ..tts.kokoro import KokoroVoice
from ..tts.piper_voice import resolve_model
from ..tts.voice_files import VoiceFiles

if TYPE_CHECKING:
    from ..render import RenderResult


def _hash_file(digest: Any, path: Path) -> None:
    digest.update(f"\0{path.name}\0".encode())
    try:
        with open_regular(path) as (handle, size):  # a FIFO never blocks, a growing file never runs on
            while size > 0 and (block := handle.read(min(size, 1 << 20))):
                digest.update(block)
                size -= len(block)
    except OSError:
        digest.update(b"<missing>")


def voice_identity(project: Project) -> list[str]:
    """Which models speak: for Piper the model file's path and size (hashing 60 MB per run is waste)."""
    ids: set[str] = set()
    files = VoiceFiles(project.cast.voices_dir)
    for profile in project.cast.characters.values():
        spec = profile.engine
        ident = repr(spec)
        if spec.engine == "piper":
            try:
                model, _config = resolve_model(spec.model, files.search)
                ident += f"|{model}|{model.stat().st_size}"
            except (EpisodeError, OSError):
                ident += "|unresolved"
        elif spec.engine == "kokoro" and not spec.model_path:
            try:
                ident += "|" + KokoroVoice.identity(spec, files)  # the pinned model and the voice packs
            except EpisodeError:
                ident += "|unresolved"
        else:
            for value in (spec.model_path, spec.config_path, spec.speaker_wav):
                found = files.local(value)
                path = Path(found) if found else None
                if path is not None and path.is_file():
                    ident += f"|{path}|{path.stat().st_size}"
        ids.add(ident)
    return sorted(ids)


def project_fingerprint(project: Project) -> str:
    """Everything besides the script that changes the rendered files."""
    from ..sound.library import EXTENSIONS
    from ..tts.lines import CACHE_VERSION

    digest = hashlib.sha256(f"renderer={renderer_identity()};cache={CACHE_VERSION}".encode())
    for path in project.files:
        _hash_file(digest, Path(path))
    for folder in project.sounds.folders:
        if Path(folder).is_dir():
            for path in sorted(Path(folder).iterdir()):
                if path.suffix.lower() in EXTENSIONS and path.is_file():
                    _hash_file(digest, path)
    if project.show.cover:
        _hash_file(digest, Path(project.show.cover))
    for ident in voice_identity(project):
        digest.update(f"\0voice\0{ident}".encode())
    return digest.hexdigest()


def fingerprint(episode_path: Path, project: Project, *, project_digest: str | None = None) -> str:
    """sha256 of the script, its takes, and everything it is rendered with (pass ``project_digest`` to reuse it)."""
    from ..takes import take_files

    digest = hashlib.sha256((project_digest or project_fingerprint(project)).encode())
    _hash_file(digest, Path(episode_path))
    for take in take_files(Path(episode_path), project):  # a new or re-recorded take re-renders this episode only
        _hash_file(digest, take)
    return digest.hexdigest()


def outputs_for(out_dir: Path, episode_path: Path):
    from ..render import Outputs

    return Outputs.beside(Path(out_dir) / f"{Path(episode_path).stem}.mp3")


def state_path(out_dir: Path, stem: str) -> Path:
    return Path(out_dir) / f"{stem}{STATE_SUFFIX}"


def read_state(path: Path) -> dict[str, Any] | None:
    """A state file, or None if missing or unreadable (then the episode simply renders again)."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_current(episode_path: Path, out_dir: Path, digest: str, stems: bool = False) -> bool:
    """True when the MP3 and every sidecar exist and were rendered from exactly these inputs (with
    ``stems``: and that render wrote the session folder, which is still there)."""
    from ..session import session_folder

    outputs = outputs_for(out_dir, episode_path)
    if not all(Path(p).is_file() for p in asdict(outputs).values()):
        return False
    state = read_state(state_path(out_dir, Path(episode_path).stem))
    if stems and not (state and state.get("stems") is True and session_folder(outputs.mp3).is_dir()):
        return False
    return bool(state) and state.get("fingerprint") == digest


def state_record(result: RenderResult, digest: str) -> dict[str, Any]:
    """What ``<stem>.render.json`` holds: the fingerprint, and what a skip and publishing show without the script."""
    episode = result.episode
    return {
        "fingerprint": digest,
        "renderer": renderer_identity(),
        "source": Path(episode.source or "").name,
        "title": episode.title,
        "episode_number": episode.episode_number,
        "date": episode.date,
        "description": episode.description,
        "duration_seconds": round(result.duration, 3),
        "integrated_lufs": round(result.loudness.integrated, 2),
        "rendered_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **({"stems": True} if result.stems is not None else {}),
    }
