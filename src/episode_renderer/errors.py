"""Errors a user can act on: each names the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path


class EpisodeError(Exception):
    """Base of every error the CLI shows as one plain paragraph, without a traceback."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" {self.hint}"
        return text


class ScriptError(EpisodeError):
    """The episode script cannot be read as an episode."""


class ConfigError(EpisodeError):
    """A cast, cue, rules or show file is wrong."""


class VoiceError(EpisodeError):
    """A voice engine or model cannot be loaded or cannot speak."""


class RenderError(EpisodeError):
    """Rendering ran but the result misses a target (loudness, peak) or could not be written."""


class OutputError(EpisodeError):
    """An output path would replace an input or a folder, or the output folder cannot be written."""


class ClusterError(EpisodeError):
    """A season cannot run on the Dask cluster it was pointed at (not installed, unreachable, mismatched)."""


class TakeError(EpisodeError):
    """A recorded take cannot be used: unreadable, silent, or two files for one line."""
