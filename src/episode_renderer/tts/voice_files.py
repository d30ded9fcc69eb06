"""Where a cast's voice files are found: the one place that knows the search folders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VoiceFiles:
    """The voice files of a cast whose own folder is ``folder`` (None: a cast without a file).

    The cast's folder is searched before the working directory's ``voices/``, so a project's own
    voices win over those of wherever the command runs.
    """

    folder: Path | None = None

    @property
    def search(self) -> list[Path]:
        """Folders that may hold a Piper voice by name, the cast's own first."""
        return [d for d in (self.folder, Path("voices")) if d is not None]

    @property
    def kokoro_dirs(self) -> list[Path]:
        """Folders that may hold Kokoro voice packs (before the bundled ones)."""
        return [d / "kokoro" for d in self.search]

    def local(self, value: str | None) -> str | None:
        """A relative path in the cast is looked up beside the cast first."""
        if value is None:
            return None
        path = Path(value)
        if not path.is_absolute() and self.folder is not None and (self.folder / path).exists():
            return str(self.folder / path)
        return value
