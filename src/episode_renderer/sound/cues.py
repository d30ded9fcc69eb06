"""Sound cues: which sound a direction plays, how loud, and where it sits against speech."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..errors import ConfigError
from ..script.directions import Rules, parse_rules

PLACEMENTS = ("before", "under", "replace-pause")
BED_PLACEMENT = "bed"


@dataclass(frozen=True)
class SoundSetting:
    """How one sound is played."""

    gain_db: float = -6.0
    placement: str = "before"
    overlap: float = 0.25  # seconds the next line starts before an "under" sound ends


@dataclass(frozen=True)
class BlockSound:
    """Sound design of a block: a one-shot as it opens, and a bed under it."""

    before: str | None = None
    before_gain_db: float = -6.0
    bed: str | None = None
    bed_gain_db: float = -22.0


@dataclass
class CueBook:
    """The cue rules (for the parser) and per-sound playback settings (for the mixer)."""

    rules: Rules
    settings: dict[str, SoundSetting]
    source: str
    blocks: dict[str, BlockSound] = field(default_factory=dict)
    duck_db: float = -10.0  # how far beds drop while someone speaks

    def setting(self, sound: str) -> SoundSetting:
        return self.settings.get(sound, SoundSetting())


def parse_cues(text: str, source: str = "<cues>") -> CueBook:
    rules = parse_rules(text, source)
    data = tomllib.loads(text)
    settings: dict[str, SoundSetting] = {}
    for index, entry in enumerate(data.get("cue", []), 1):
        placement = entry.get("placement", "before")
        if placement not in PLACEMENTS + (BED_PLACEMENT,):
            raise ConfigError(f"[[cue]] number {index}: placement must be one of "
                              f"{', '.join(PLACEMENTS + (BED_PLACEMENT,))}, not {placement!r}.", file=source)
        gain = entry.get("gain_db", -6.0)
        if isinstance(gain, bool) or not isinstance(gain, (int, float)):
            raise ConfigError(f"[[cue]] number {index}: gain_db must be a number.", file=source)
        settings.setdefault(entry["sound"], SoundSetting(float(gain), placement,
                                                          float(entry.get("overlap", 0.25))))
    blocks: dict[str, BlockSound] = {}
    for name, table in data.get("blocks", {}).items():
        if not isinstance(table, dict) or set(table) - {"before", "before_gain_db", "bed", "bed_gain_db"}:
            raise ConfigError(f"[blocks.{name}] takes before, before_gain_db, bed and bed_gain_db.", file=source)
        blocks[name] = BlockSound(table.get("before"), float(table.get("before_gain_db", -6.0)),
                                  table.get("bed"), float(table.get("bed_gain_db", -22.0)))
    duck = data.get("mix", {}).get("duck_db", -10.0)
    return CueBook(rules, settings, source, blocks, float(duck))


def load_cues(path: Path) -> CueBook:
    path = Path(path)
    if not path.is_file():
        raise ConfigError("cue file not found.", file=path,
                          hint="Pass --cues PATH, or run from the project folder that holds sfx/cues.toml.")
    return parse_cues(path.read_text("utf-8"), str(path))
