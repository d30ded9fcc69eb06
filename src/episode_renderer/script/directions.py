"""Stage-direction rules: data (TOML) in, a classification out.

Directions are classified by rules the user can extend, not by code, because every show
has its own vocabulary of asides and sounds.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..errors import ConfigError

CATEGORIES = ("cue", "pause", "interrupt", "delivery", "action")
_PARTS = re.compile(r"\s*(?:,|;|—|–|\s-\s)\s*")


@dataclass(frozen=True)
class Rule:
    category: str
    pattern: re.Pattern[str]
    sound: str | None = None
    seconds: float | None = None
    delivery: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Direction:
    """What one stage direction means for the render."""

    category: str | None  # None: no rule matched (listed by `episode script --unmapped`)
    sound: str | None = None
    seconds: float | None = None
    delivery: str | None = None


@dataclass
class Rules:
    """All rules, in the order they are tried."""

    rules: list[Rule] = field(default_factory=list)

    def classify(self, direction: str) -> Direction:
        """Classify a direction (without its asterisks)."""
        text = _clean(direction)
        parts = [text] + [p.strip() for p in _PARTS.split(text) if p.strip()] if _PARTS.search(text) else [text]
        for category in CATEGORIES:
            for rule in self.rules:
                if rule.category != category:
                    continue
                if any(rule.pattern.fullmatch(part) for part in parts):
                    return Direction(category, rule.sound, rule.seconds, rule.delivery)
        return Direction(None)

    def is_cue(self, direction: str) -> bool:
        return self.classify(direction).category == "cue"

    def extend(self, other: "Rules") -> "Rules":
        """Rules of ``other`` are tried before ours within each category."""
        return Rules(other.rules + self.rules)


def _clean(text: str) -> str:
    text = text.strip().strip("*_").strip()
    text = re.sub(r"\s+", " ", text)
    return text.rstrip(":;").strip()


def parse_rules(text: str, source: str = "<rules>") -> Rules:
    """Parse direction or cue rules from TOML text.

    Direction files have tables ``[[pause]]``, ``[[interrupt]]``, ``[[delivery]]``, ``[[action]]``;
    cue files (sfx/cues.toml) have ``[[cue]]`` with ``match`` and ``sound``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc}).", file=source,
                          hint="Fix the syntax; see the comments in the default file for the format.") from exc
    rules: list[Rule] = []
    for category in CATEGORIES:
        entries = data.get(category, [])
        if not isinstance(entries, list):
            raise ConfigError(f"'{category}' must be an array of tables ([[{category}]]).", file=source)
        for index, entry in enumerate(entries, 1):
            where = f"[[{category}]] number {index}"
            if not isinstance(entry, dict) or not isinstance(entry.get("match"), str):
                raise ConfigError(f"{where} needs a `match` regular expression.", file=source)
            try:
                pattern = re.compile(entry["match"], re.IGNORECASE)
            except re.error as exc:
                raise ConfigError(f"{where}: `match` is not a valid regular expression ({exc}).",
                                  file=source) from exc
            seconds = entry.get("seconds")
            if seconds is not None and not isinstance(seconds, (int, float)):
                raise ConfigError(f"{where}: `seconds` must be a number.", file=source)
            if category == "cue" and not entry.get("sound"):
                raise ConfigError(f"{where} needs a `sound` (a file stem in sfx/).", file=source)
            rules.append(Rule(category, pattern, entry.get("sound"),
                              float(seconds) if seconds is not None else None,
                              entry.get("delivery"), source))
    return Rules(rules)


def default_rules() -> Rules:
    """The direction rules that ship with the renderer (cover the show's own vocabulary)."""
    text = resources.files("episode_renderer.script").joinpath("directions.toml").read_text("utf-8")
    return parse_rules(text, "directions.toml (built in)")


def load_rules(*paths: Path) -> Rules:
    """Default rules, extended by each existing file in ``paths`` (later files win)."""
    rules = default_rules()
    for path in paths:
        if path is not None and Path(path).is_file():
            rules = rules.extend(parse_rules(Path(path).read_text("utf-8"), str(path)))
    return rules
