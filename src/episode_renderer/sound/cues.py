"""Sound cues: which sound a direction plays, how loud, and where it sits against speech."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..schema import load, parse_toml, validate
from ..script.directions import Rules, rules_from_data
from ..settings import CUES, SOUND_KINDS

PLACEMENTS = ("before", "under", "replace-pause")
BED_PLACEMENT = "bed"


KINDS = SOUND_KINDS


@dataclass(frozen=True)
class Level:
    """Where a kind of sound sits against the speech around it, in LU."""

    lu: float
    max: float


DEFAULT_LEVELS = {"foley": Level(-14.0, -8.0), "character": Level(-9.0, -5.0), "alarm": Level(-4.0, 0.0),
                  "sting": Level(-3.0, 0.0), "bed": Level(-18.0, -12.0)}


@dataclass(frozen=True)
class SoundSetting:
    """How one sound is played."""

    gain_db: float = 0.0  # dB added to its kind's level
    placement: str = "before"
    overlap: float = 0.25  # seconds the next line starts before an "under" sound ends


@dataclass(frozen=True)
class BlockSound:
    """Sound design of a block: a one-shot as it opens, and a bed under it."""

    before: str | None = None
    before_gain_db: float = 0.0  # dB added to the sound's level
    bed: str | None = None
    bed_gain_db: float = 0.0


@dataclass
class CueBook:
    """The cue rules (for the parser) and per-sound playback settings (for the mixer)."""

    rules: Rules
    settings: dict[str, SoundSetting]
    source: str
    blocks: dict[str, BlockSound] = field(default_factory=dict)
    duck_db: float = -10.0  # how far beds drop while someone speaks
    kinds: dict[str, str] = field(default_factory=dict)
    levels: dict[str, Level] = field(default_factory=lambda: dict(DEFAULT_LEVELS))

    def setting(self, sound: str) -> SoundSetting:
        return self.settings.get(sound, SoundSetting())

    def level(self, sound: str) -> Level:
        """The level a sound is placed at; a sound of no known kind counts as a character sound."""
        return self.levels[self.kinds.get(sound, "bed" if self.setting(sound).placement == BED_PLACEMENT
                                          else "character")]


def parse_cues(text: str, source: str = "<cues>") -> CueBook:
    """A cue file's rules and sound settings; every value is checked by settings.CUES."""
    return cues_from_data(validate(parse_toml(text, source), CUES, source), source)


def cues_from_data(data: dict, source: str) -> CueBook:
    rules = rules_from_data(data, source)
    settings: dict[str, SoundSetting] = {}
    for entry in data.get("cue", []):
        settings.setdefault(entry["sound"], SoundSetting(float(entry.get("gain_db", 0.0)),
                                                          entry.get("placement", "before"),
                                                          float(entry.get("overlap", 0.25))))
    blocks: dict[str, BlockSound] = {}
    for name, table in data.get("blocks", {}).items():
        blocks[name] = BlockSound(table.get("before"), float(table.get("before_gain_db", 0.0)),
                                  table.get("bed"), float(table.get("bed_gain_db", 0.0)))
    duck = data.get("mix", {}).get("duck_db", -10.0)
    kinds = {str(table.get("file", name)): table.get("kind", "character")
             for name, table in data.get("sounds", {}).items()}
    return CueBook(rules, settings, source, blocks, float(duck), kinds, _levels(data.get("levels", {}), source))


def _levels(table: object, source: str) -> dict[str, Level]:
    """[levels]: each kind's `lu` and `max` against the speech, checked so nothing rises above it."""
    if not isinstance(table, dict) or set(table) - set(KINDS):
        raise ConfigError(f"[levels] takes only {', '.join(KINDS)}.", file=source)
    levels = dict(DEFAULT_LEVELS)
    for kind, entry in table.items():
        where = f"[levels] `{kind}`"
        if not isinstance(entry, dict) or set(entry) - {"lu", "max"}:
            raise ConfigError(f"{where} must be {{ lu = -9.0, max = -5.0 }}.", file=source)
        values = []
        for key in ("lu", "max"):
            value = entry.get(key, getattr(levels[kind], key))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not -60 <= value <= 6:
                raise ConfigError(f"{where} `{key}` must be LU from -60 to 6 (relative to the speech).", file=source)
            values.append(float(value))
        if values[0] > values[1]:
            raise ConfigError(f"{where}: `lu` ({values[0]:g}) is above `max` ({values[1]:g}).", file=source)
        levels[kind] = Level(*values)
    return levels


def load_cues(path: Path) -> CueBook:
    data = load(path, CUES, missing="cue file not found.",
                hint="Pass --cues PATH, or run from the project folder that holds sfx/cues.toml.")
    return cues_from_data(data, str(path))
