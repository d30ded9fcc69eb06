"""How much of an episode's stage directions the rules understand: for `episode check`, the
held-out test and bench/directions.py, so all three count the same way."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .directions import Rules
from .model import Episode


@dataclass
class Coverage:
    """Directions counted once each (one direction may be a pause and a sound: still one)."""

    total: int = 0
    understood: int = 0
    unmatched: Counter[str] = field(default_factory=Counter)  # only a catch-all would take these
    silent: list[str] = field(default_factory=list)  # name a sound word yet place no sound

    @property
    def share(self) -> float:
        return self.understood / self.total if self.total else 1.0

    def add(self, other: "Coverage") -> "Coverage":
        return Coverage(self.total + other.total, self.understood + other.understood,
                        self.unmatched + other.unmatched, self.silent + other.silent)


def coverage(episode: Episode, rules: Rules) -> Coverage:
    """Count the directions of one parsed episode; a direction is understood when a specific rule
    (sound, pause, interruption, delivery or a recognised action) matches it."""
    result = Coverage()
    seen: dict[tuple[int, str], bool] = {}
    for event in episode.events:
        if event.kind not in ("cue", "pause", "direction"):
            continue
        key = (event.line, event.text)
        seen[key] = seen.get(key, False) or bool(event.sound)
    for (_, text), sounded in seen.items():
        result.total += 1
        if rules.classify(text).category is None:
            result.unmatched[text.lower()] += 1
        else:
            result.understood += 1
        if rules.names_sound(text) and not sounded:
            result.silent.append(text)
    return result
