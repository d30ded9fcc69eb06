"""What a season run reports: each episode's outcome, and progress while it renders.

Kept apart from the pool so publishing and the cluster can read results without the pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..script.numbering import Number


@dataclass
class EpisodeResult:
    """One episode's outcome in a season run."""

    file: Path
    status: str  # rendered | skipped | failed
    number: Number | None = None
    title: str = ""
    duration: float | None = None
    seconds: float = 0.0
    lufs: float | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # what the render worked around (no voice, no sound)
    worker: str = ""  # the cluster worker that rendered it; empty for a local render


@dataclass(frozen=True)
class SeasonEvent:
    """Progress from the season to the caller: kind is start, lines or finish."""

    kind: str
    file: Path
    done: int = 0
    total: int = 0
    who: str = ""
    result: EpisodeResult | None = None


SeasonProgress = Callable[[SeasonEvent], None]
