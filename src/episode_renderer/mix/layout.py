"""Where things landed on the finished timeline: what exporters need, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    """One spoken stretch: a transcript segment and a caption cue."""

    speaker: str
    start: float  # seconds from the start of the episode
    end: float
    body: str  # the words as written (markup removed), not the engine's spelling


@dataclass(frozen=True)
class Chapter:
    """A chapter mark: a host question, a heading or a scene break opens one."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class PlacedSound:
    """A sound effect or bed as placed: recorded in the cue list beside the transcript."""

    sound: str
    start: float
    end: float
    cue: str  # the direction text that asked for it
    line: int  # source line of the direction
    level_lu: float | None = None  # its loudest 400 ms against the speech around it (LU)


@dataclass
class Layout:
    """Everything the exporters write besides the audio."""

    duration: float
    segments: list[Segment] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    sounds: list[PlacedSound] = field(default_factory=list)


def shortened(text: str, limit: int = 60) -> str:
    """A title that fits a chapter list or a DAW's clip name: whole, or cut at a word and marked."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
