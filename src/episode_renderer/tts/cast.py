"""The cast: who speaks with which voice, read from a TOML file the user edits.

A profile is everything that shapes one line's sound: the engine and model, pace, pitch,
level and an effect chain. Deliveries (excited, whisper, ...) and blocks (thought,
optimax-alert, ...) adjust a character's profile, so the same character sounds the same
across the episode but still reacts to the script.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..errors import ConfigError

FALLBACK = "fallback"
NARRATOR = "Narrator"
ENGINES = ("kokoro", "piper", "coqui")
_ENGINE_KEYS = {"engine", "voice", "model", "speaker_id", "noise_scale", "noise_w_scale", "model_name", "model_path",
                "config_path", "speaker", "speaker_wav", "language"}
_SHAPE_KEYS = {"speed", "pitch", "preserve_formants", "gain_db", "effects"}
_OTHER_KEYS = {"aliases", "description"}


@dataclass(frozen=True)
class EngineSpec:
    """Which engine and model speak, and the engine's own settings (they change the cache key)."""

    engine: str = "piper"
    model: str = "joe"
    voice: str | None = None  # Kokoro: a voice name or a blend such as "0.6*bm_george + 0.4*am_fenrir"
    speaker_id: int | None = None
    noise_scale: float | None = None
    noise_w_scale: float | None = None
    model_name: str | None = None
    model_path: str | None = None
    config_path: str | None = None
    speaker: str | None = None
    speaker_wav: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Profile:
    """How one line is voiced."""

    engine: EngineSpec
    speed: float = 1.0
    pitch: float = 0.0  # semitones
    preserve_formants: bool = True
    gain_db: float = 0.0
    effects: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()

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
    """A delivery or block treatment: multiplies speed, adds pitch and gain, appends effects."""

    speed: float = 1.0
    pitch: float = 0.0
    gain_db: float = 0.0
    effects: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    voice: str | None = None  # a block may hand the line to another character's voice


@dataclass
class Cast:
    """Characters (with aliases), deliveries and block treatments."""

    characters: dict[str, Profile]
    aliases: dict[str, str] = field(default_factory=dict)
    deliveries: dict[str, Adjustment] = field(default_factory=dict)
    blocks: dict[str, Adjustment] = field(default_factory=dict)
    source: str = "<cast>"
    voices_dir: Path | None = None

    def resolve(self, speaker: str | None) -> tuple[str, Profile]:
        """The character name the cast uses for ``speaker`` and its base profile."""
        name = speaker or NARRATOR
        name = self.aliases.get(name.lower(), name)
        for known in self.characters:
            if known.lower() == name.lower():
                return known, self.characters[known]
        return FALLBACK, self.characters[FALLBACK]

    def profile(self, speaker: str | None, delivery: str | None = None, block: str | None = None,
                scene: str | None = None) -> Profile:
        """The profile for one line: character, then scene and block treatment, then delivery."""
        _, base = self.resolve(speaker)
        scene_adjustment = self.blocks.get(scene or "") if scene != block else None
        for adjustment in (scene_adjustment, self.blocks.get(block or ""), self.deliveries.get(delivery or "")):
            if adjustment is None:
                continue
            if adjustment.voice:
                _, base = self.resolve(adjustment.voice)
            base = replace(base, speed=base.speed * adjustment.speed, pitch=base.pitch + adjustment.pitch,
                           gain_db=base.gain_db + adjustment.gain_db, effects=base.effects + adjustment.effects)
        return base

    def has_voice(self, speaker: str) -> bool:
        return self.resolve(speaker)[0] != FALLBACK


def _effects(value: Any, where: str, source: str) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    from .shaping import check_effect

    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{where}: `effects` must be a list of tables like {{ name = \"Chorus\" }}.", file=source)
    out = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"{where}: each effect needs a `name` (a pedalboard effect, e.g. \"HighpassFilter\").",
                              file=source)
        params = {k: v for k, v in entry.items() if k != "name"}
        check_effect(entry["name"], params, where, source)
        out.append((entry["name"], tuple(sorted(params.items()))))
    return tuple(out)


def _number(table: dict, key: str, default: float, where: str, source: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: `{key}` must be a number.", file=source)
    return float(value)


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
        raise ConfigError(f"{where}: voice {voice!r}: {exc}.", file=source) from None
    known = voice_files([voices_dir / "kokoro"] if voices_dir else [])
    missing = [name for _, name in blend if name not in known]
    if missing:
        raise ConfigError(f"{where}: no Kokoro voice named {', '.join(missing)}.", file=source,
                          hint="Known: " + ", ".join(sorted(known)) + ".")


def _profile(table: dict, base: Profile, where: str, source: str, voices_dir: Path | None = None) -> Profile:
    unknown = set(table) - _ENGINE_KEYS - _SHAPE_KEYS - _OTHER_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}.", file=source,
                          hint="Known: " + ", ".join(sorted(_ENGINE_KEYS | _SHAPE_KEYS | _OTHER_KEYS)) + ".")
    engine_fields = {k: table[k] for k in _ENGINE_KEYS if k in table}
    if "engine" in engine_fields and engine_fields["engine"] not in ENGINES:
        raise ConfigError(f"{where}: engine must be one of {', '.join(ENGINES)}, not {engine_fields['engine']!r}.",
                          file=source)
    engine = replace(base.engine, **engine_fields)
    if engine.engine == "kokoro":
        _check_kokoro_voice(engine.voice, where, source, voices_dir)
    speed = _number(table, "speed", base.speed, where, source)
    if not 0.3 <= speed <= 3.0:
        raise ConfigError(f"{where}: speed {speed} is out of range (0.3 to 3.0; 1.0 is normal).", file=source)
    return Profile(
        engine=engine,
        speed=speed,
        pitch=_number(table, "pitch", base.pitch, where, source),
        preserve_formants=bool(table.get("preserve_formants", base.preserve_formants)),
        gain_db=_number(table, "gain_db", base.gain_db, where, source),
        effects=_effects(table["effects"], where, source) if "effects" in table else base.effects,
    )


def _adjustment(table: dict, where: str, source: str) -> Adjustment:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table.", file=source)
    unknown = set(table) - {"speed", "pitch", "gain_db", "effects", "voice"}
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}.", file=source,
                          hint="Known: speed (multiplier), pitch (semitones), gain_db, effects, voice.")
    return Adjustment(
        speed=_number(table, "speed", 1.0, where, source),
        pitch=_number(table, "pitch", 0.0, where, source),
        gain_db=_number(table, "gain_db", 0.0, where, source),
        effects=_effects(table.get("effects"), where, source),
        voice=table.get("voice"),
    )


def parse_cast(text: str, source: str = "<cast>", voices_dir: Path | None = None) -> Cast:
    """Parse a cast file. See voices/cast.toml for the format."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc}).", file=source) from exc
    defaults = _profile(data.get("defaults", {}), Profile(EngineSpec()), "[defaults]", source, voices_dir)
    characters: dict[str, Profile] = {}
    aliases: dict[str, str] = {}
    tables = data.get("characters", {})
    if not isinstance(tables, dict):
        raise ConfigError("[characters] must hold one table per character, e.g. [characters.Kai].", file=source)
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"[characters.{name}] must be a table.", file=source)
        characters[name] = _profile(table, defaults, f"[characters.{name}]", source, voices_dir)
        for alias in table.get("aliases", []):
            aliases[str(alias).lower()] = name
    characters.setdefault(FALLBACK, defaults)
    characters.setdefault(NARRATOR, defaults)
    deliveries = {k: _adjustment(v, f"[delivery.{k}]", source) for k, v in data.get("delivery", {}).items()}
    blocks = {k: _adjustment(v, f"[blocks.{k}]", source) for k, v in data.get("blocks", {}).items()}
    return Cast(characters, aliases, deliveries, blocks, source, voices_dir)


def load_cast(path: Path) -> Cast:
    """Read a cast file; voices named in it are looked up beside it."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("cast file not found.", file=path,
                          hint="Pass --cast PATH, or run from the project folder that holds voices/cast.toml.")
    return parse_cast(path.read_text("utf-8"), str(path), voices_dir=path.parent)
