"""Stems and a DAW session of a render (``episode render --stems``): beside ``x.mp3``, a folder
``x.stems/`` holding one WAV per character, effects and music (summing to the unmastered mix), the
session as ``x.otio`` and ``x.rpp``, and ``clips/``, the audio of every item they place.

Written from the planned timeline, after the mix and before mastering; see ``model`` for which
stem a clip belongs to, ``audio`` for the samples, ``folder`` for how the folder is published.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OutputError
from ..export.paths import stem_of
from ..mix.timeline import Timeline
from ..script.model import Episode
from ..sound.cues import CueBook
from .audio import write_clips, write_stems
from .folder import SessionFolder
from .model import Session, build
from .otio_file import otio_text
from .reaper import rpp_text

__all__ = ["SessionFolder", "check_session_folder", "session_folder", "write_session"]


def session_folder(mp3: Path) -> Path:
    """``show/ep1.mp3`` -> ``show/ep1.stems``."""
    return Path(mp3).with_name(stem_of(Path(mp3)) + ".stems")


def check_session_folder(mp3: Path, inputs: list[Path]) -> None:
    """Before any work: the folder's place holds no file, and no input lives inside it (it is replaced whole)."""
    target = session_folder(mp3)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError("--stems writes a folder here, but a file is in the way.", file=target,
                          hint="Move or rename it, or choose another -o (nothing was written).")
    whole = target.resolve()
    for path in inputs:
        if whole in Path(path).resolve().parents:
            raise OutputError(f"--stems replaces this folder as a whole, and an input ({path}) is inside it.",
                              file=target, hint="Move the input out of it, or choose another -o (nothing was "
                                                "written).")


def write_session(timeline: Timeline, episode: Episode, cues: CueBook, frames: int, folder: SessionFolder,
                  name: str, duck_db: float) -> Session:
    """Write the stems, the clips and ``name``.otio / ``name``.rpp into ``folder``'s temp folder; the
    mix is ``frames`` long. A full disk is an OutputError naming the folder."""
    session = build(timeline, episode, cues, frames, episode.title or name)
    try:
        write_stems(timeline, session, cues, folder.temp, duck_db)
        write_clips(timeline, session, folder.temp, duck_db)
        (folder.temp / f"{name}.otio").write_text(otio_text(session), encoding="utf-8")
        (folder.temp / f"{name}.rpp").write_text(rpp_text(session), encoding="utf-8")
    except OSError as exc:
        raise folder.error(exc) from None
    return session
