"""The cast: who speaks with which voice, read from a TOML file the user edits.

A profile is everything that shapes one line's sound: the engine and model, pace, pitch,
level and an effect chain. Deliveries (excited, whisper, ...) and blocks (thought,
optimax-alert, ...) adjust a character's profile, so the same character sounds the same
across the episode but still reacts to the script.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..schema import load, parse_toml, show_value, validate, where
from ..script.model import NARRATOR
from ..settings import CAST, ENGINE_KEYS, SPEED_LIMITS
from .engine import EngineSpec

FALLBACK = "fallback"
_ENGINE_KEYS = {"engine"} | set().union(*ENGINE_KEYS.values())
OTHER_ENGINE_KEYS = _ENGINE_KEYS - {"engine"}


@dataclass(frozen=True)
class Acting:
    """What a delivery changes inside the voice itself, before any effect.

    Kokoro's style vector is two halves: the second feeds the prosody predictor (durations, pitch,
    energy), the first the decoder (the timbre). A delivery takes the prosody half partly or wholly
    from donor voices and keeps the timbre half the character's own, so the same person acts.
    """

    prosody: str | None = None  # a Kokoro voice or blend whose prosody half is mixed in
    amount: float = 1.0  # 0: the character's own prosody; 1: the donor's; between: a mix
    rows: int = 0  # the pack's rows are read this many further on (+: slower, -: faster)
    whisper: bool = False  # the line without voicing: its own spectral envelope over breath

    @property
    def changes_style(self) -> bool:
        return bool(self.prosody and self.amount) or bool(self.rows)


@dataclass(frozen=True)
class Profile:
    """How one line is voiced."""

    engine: EngineSpec
    speed: float = 1.0
    pitch: float = 0.0  # semitones
    preserve_formants: bool = True
    gain_db: float = 0.0
    effects: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    acting: Acting = Acting()
    spread: float = 1.0  # the line's pitch movements scaled around its median (0.7: flatter, 1.3: livelier)

    def describe(self) -> dict[str, Any]:
        return {
            "engine": self.engine.engine,
            "model": self.engine.model_name or self.engine.model_path or (
                "kokoro-v1.0" if self.engine.engine == "kokoro" else self.engine.model),
            "speaker": self.engine.voice if self.engine.engine == "kokoro" else (
                self.engine.speaker if self.engine.speaker is not None else self.engine.speaker_id),
            "speed": round(self.speed, 3),
            "pitch": round(self.pitch, 2),
            "gain_db": round(self.gain_db, 2),
            "effects": [name for name, _ in self.effects],
        }


def in_unison(profiles: list[Profile]) -> list[Profile]:
    """Voices speaking together (a unity-box) share one pace and the same pitch path: the engine
    then times every phoneme alike and the layered words stay aligned instead of smearing."""
    if len(profiles) < 2:
        return profiles
    pace = sum(p.speed for p in profiles) / len(profiles)
    return [replace(p, speed=pace, preserve_formants=True) for p in profiles]


@dataclass(frozen=True)
class Adjustment:
    """A delivery or block treatment: multiplies speed, adds pitch and gain, appends effects, and
    may act inside the voice (donor prosody, rows, whisper)."""

    speed: float = 1.0
    pitch: float = 0.0
    gain_db: float = 0.0
    effects: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    voice: str | None = None  # a block may hand the line to another character's voice
    acting: Acting = Acting()
    spread: float = 1.0

    def describe(self) -> str:
        """What the recipe does, in a few words: donor prosody, rows, pace, pitch, range, level, whisper."""
        acting = self.acting
        parts = []
        if acting.prosody and acting.amount:
            parts.append(f"prosody {acting.amount:.0%} of {acting.prosody}")
        if acting.rows:
            parts.append(f"rows {acting.rows:+d}")
        if acting.whisper:
            parts.append("whispered")
        if self.speed != 1.0:
            parts.append(f"pace x{self.speed:g}")
        if self.pitch:
            parts.append(f"pitch {self.pitch:+g} st")
        if self.spread != 1.0:
            parts.append(f"pitch range x{self.spread:g}")
        if self.gain_db:
            parts.append(f"level {self.gain_db:+g} dB")
        if self.effects:
            parts.append("effects: " + ", ".join(name for name, _ in self.effects))
        return "; ".join(parts) or "as the character speaks"

    def scaled(self, degree: float) -> "Adjustment":
        """The same recipe, more or less of it (*slightly* 0.5, *very* 1.5): every change from the
        plain reading is scaled; speed geometrically (x1.1 at 0.5 is x1.049)."""
        if degree == 1.0:
            return self
        acting = replace(self.acting, amount=min(self.acting.amount * degree, MAX_AMOUNT),
                         rows=int(round(self.acting.rows * degree)))
        return replace(self, speed=self.speed ** degree, pitch=self.pitch * degree, gain_db=self.gain_db * degree,
                       acting=acting, spread=self.spread ** degree)


#: Past the donor (an amount above 1) the prosody is extrapolated: a little more of the same, up to here.
MAX_AMOUNT = 1.5


@dataclass
class Cast:
    """Characters (with aliases), deliveries (every character's, and each one's own) and block treatments."""

    characters: dict[str, Profile]
    aliases: dict[str, str] = field(default_factory=dict)
    deliveries: dict[str, Adjustment] = field(default_factory=dict)
    blocks: dict[str, Adjustment] = field(default_factory=dict)
    source: str = "<cast>"
    voices_dir: Path | None = None
    own_deliveries: dict[str, dict[str, Adjustment]] = field(default_factory=dict)  # by character
    #: Every character the file lists, with the ``pan`` and ``distance`` it sets (None: the scene's default).
    positions: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def resolve(self, speaker: str | None) -> tuple[str, Profile]:
        """The character name the cast uses for ``speaker`` and its base profile."""
        name = speaker or NARRATOR
        name = self.aliases.get(name.lower(), name)
        for known in self.characters:
            if known.lower() == name.lower():
                return known, self.characters[known]
        return FALLBACK, self.characters[FALLBACK]

    def delivery(self, character: str, name: str | None) -> Adjustment | None:
        """A delivery as ``character`` performs it: their own recipe where the cast gives one."""
        if not name:
            return None
        return self.own_deliveries.get(character, {}).get(name) or self.deliveries.get(name)

    def knows_delivery(self, name: str) -> bool:
        return name in self.deliveries or any(name in own for own in self.own_deliveries.values())

    def profile(self, speaker: str | None, delivery: str | None = None, block: str | None = None,
                scene: str | None = None, degree: float | None = None) -> Profile:
        """The profile for one line: character, then scene and block treatment, then delivery
        (scaled by ``degree``: *slightly* 0.5, *very* 1.5)."""
        name, base = self.resolve(speaker)
        scene_adjustment = self.blocks.get(scene or "") if scene != block else None
        for adjustment in (scene_adjustment, self.blocks.get(block or "")):
            if adjustment is None:
                continue
            if adjustment.voice:
                name, base = self.resolve(adjustment.voice)
            base = _adjusted(base, adjustment)
        acted = self.delivery(name, delivery)
        if acted is not None:
            base = _adjusted(base, acted.scaled(degree if degree is not None else 1.0))
        return base

    def has_voice(self, speaker: str) -> bool:
        return self.resolve(speaker)[0] != FALLBACK


def _adjusted(base: Profile, adjustment: Adjustment) -> Profile:
    acting = base.acting
    if adjustment.acting != Acting():
        own = adjustment.acting
        acting = Acting(own.prosody if own.prosody else acting.prosody,
                        own.amount if own.prosody else acting.amount,
                        acting.rows + own.rows, acting.whisper or own.whisper)
    return replace(base, speed=base.speed * adjustment.speed, pitch=base.pitch + adjustment.pitch,
                   gain_db=base.gain_db + adjustment.gain_db, effects=base.effects + adjustment.effects,
                   acting=acting, spread=base.spread * adjustment.spread)


def _effects(value: Any, where: str, source: str) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    """An effect chain the schema has checked, as hashable (name, sorted settings) pairs."""
    from .shaping import check_effect

    out = []
    for index, entry in enumerate(value or [], 1):
        params = {k: v for k, v in entry.items() if k != "name"}
        check_effect(entry["name"], params, f"{where} effects[{index}]", source)
        out.append((entry["name"], tuple(sorted(params.items()))))
    return tuple(out)


def _check_kokoro_voice(voice: Any, where: str, source: str, voices_dir: Path | None) -> None:
    """A Kokoro voice must name packs that exist, so a typo fails before any synthesis."""
    from .kokoro import parse_blend, voice_files

    if voice is None:
        raise ConfigError(f"{where}: a Kokoro voice needs `voice`, e.g. voice = \"af_heart\" or "
                          f"voice = \"0.6*bm_george + 0.4*am_fenrir\".", file=source,
                          hint="`episode voices` lists the 28 voices.")
    try:
        blend = parse_blend(voice)
    except ValueError as exc:
        raise ConfigError(f"{where}: voice {show_value(voice)}: {exc}.", file=source) from None
    known = voice_files([voices_dir / "kokoro"] if voices_dir else [])
    missing = [name for _, name in blend if name not in known]
    if missing:
        raise ConfigError(f"{where}: no Kokoro voice named {', '.join(missing)}.", file=source,
                          hint="Known: " + ", ".join(sorted(known)) + ".")


def _check_engine(table: dict, engine: EngineSpec, speed: float, where: str, source: str) -> None:
    """Settings that the character's engine would ignore, and a pace it cannot do, fail here."""
    for key in table:
        if key in OTHER_ENGINE_KEYS and key not in ENGINE_KEYS[engine.engine]:
            owners = " or ".join(e for e, keys in ENGINE_KEYS.items() if key in keys)
            raise ConfigError(f"{where} {key} is a {owners} setting, but this character speaks with "
                              f"{engine.engine}, which would ignore it.", file=source,
                              hint=f"Remove it, or set engine = \"{owners.split(' or ')[0]}\".")
    low, high = SPEED_LIMITS[engine.engine]
    if not low <= speed <= high:
        raise ConfigError(f"{where} speed = {speed:g} is out of range for {engine.engine} ({low:g} to {high:g}; "
                          f"1.0 is normal).", file=source)


def _profile(table: dict, base: Profile, where: str, source: str, voices_dir: Path | None = None) -> Profile:
    engine = replace(base.engine, **{k: table[k] for k in _ENGINE_KEYS if k in table})
    speed = float(table.get("speed", base.speed))
    _check_engine(table, engine, speed, where, source)
    if engine.engine == "kokoro":
        _check_kokoro_voice(engine.voice, where, source, voices_dir)
    return Profile(
        engine=engine,
        speed=speed,
        pitch=float(table.get("pitch", base.pitch)),
        preserve_formants=table.get("preserve_formants", base.preserve_formants),
        gain_db=float(table.get("gain_db", base.gain_db)),
        effects=_effects(table["effects"], where, source) if "effects" in table else base.effects,
    )


def _adjustment(table: dict, where: str, source: str, voices_dir: Path | None = None) -> Adjustment:
    prosody = table.get("prosody")
    if prosody is not None:
        _check_kokoro_voice(prosody, f"{where} prosody", source, voices_dir)
    return Adjustment(
        speed=float(table.get("speed", 1.0)),
        pitch=float(table.get("pitch", 0.0)),
        gain_db=float(table.get("gain_db", 0.0)),
        effects=_effects(table.get("effects"), where, source),
        voice=table.get("voice"),
        acting=Acting(prosody, float(table.get("amount", 1.0)), int(table.get("rows", 0)),
                      bool(table.get("whisper", False))),
        spread=float(table.get("range", 1.0)),
    )


def parse_cast(text: str, source: str = "<cast>", voices_dir: Path | None = None) -> Cast:
    """Parse a cast file (see voices/cast.toml for the format); every value is checked by settings.CAST."""
    return cast_from_data(validate(parse_toml(text, source), CAST, source), source, voices_dir)


def cast_from_data(data: dict, source: str, voices_dir: Path | None = None) -> Cast:
    defaults = _profile(data.get("defaults", {}), Profile(EngineSpec()), "[defaults]", source, voices_dir)
    characters: dict[str, Profile] = {}
    aliases: dict[str, str] = {}
    for name, table in data.get("characters", {}).items():
        characters[name] = _profile(table, defaults, where(("characters", name)), source, voices_dir)
        for alias in table.get("aliases", []):
            aliases[alias.lower()] = name
    characters.setdefault(FALLBACK, defaults)
    characters.setdefault(NARRATOR, defaults)
    shared = data.get("delivery", {})
    deliveries = {k: _adjustment(v, where(("delivery", k)), source, voices_dir) for k, v in shared.items()}
    blocks = {k: _adjustment(v, where(("blocks", k)), source, voices_dir) for k, v in data.get("blocks", {}).items()}
    own: dict[str, dict[str, Adjustment]] = {}
    for name, table in data.get("characters", {}).items():
        for key, recipe in table.get("delivery", {}).items():  # the character's own keys over the shared table's
            own.setdefault(name, {})[key] = _adjustment({**shared.get(key, {}), **recipe},
                                                        where(("characters", name, "delivery", key)), source,
                                                        voices_dir)
    positions = {name: (_optional(table.get("pan")), _optional(table.get("distance")))
                 for name, table in data.get("characters", {}).items() if name != FALLBACK}
    cast = Cast(characters, aliases, deliveries, blocks, source, voices_dir, own, positions)
    for kind, table in (("delivery", deliveries), ("blocks", blocks)):
        for name, adjustment in table.items():
            if adjustment.voice and not cast.has_voice(adjustment.voice):
                raise ConfigError(f"{where((kind, name))} voice = {show_value(adjustment.voice)} names no character "
                                  f"of this cast.", file=source,
                                  hint="Characters: " + ", ".join(sorted(characters)) + ".")
    return cast


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def load_cast(path: Path) -> Cast:
    """Read a cast file; voices named in it are looked up beside it."""
    data = load(path, CAST, missing="cast file not found.",
                hint="Pass --cast PATH, or run from the project folder that holds voices/cast.toml.")
    return cast_from_data(data, str(path), voices_dir=Path(path).parent)
