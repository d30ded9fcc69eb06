"""A starting cast file from a Hugo site's character sheets (data/characters/*.yaml).

The sheets describe a voice in words ("rapid-fire", "methodical", "clipped"); each style word
nudges the bundled voice, so every character starts out different and the producer tunes from there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ..errors import ConfigError

#: style word (regex) -> settings it implies. Later matches add to earlier ones.
STYLE_WORDS: list[tuple[str, dict]] = [
    (r"rapid|fast|energetic|enthusias|excit|self-interrupting", {"speed": 0.14, "pitch": 3.0}),
    (r"methodical|measured|dry|skeptic|question|deliberate|calm", {"speed": -0.1, "pitch": -2.5}),
    (r"clipped|precise|robot|machine|mechanical|warning", {"speed": 0.04, "pitch": 1.5, "machine": True}),
    (r"musical|bounc|glitter|playful|bright|soft excitement", {"speed": 0.1, "pitch": 5.0, "small": True}),
    (r"warm|casual|resigned|sarcastic|plain|friendly", {"speed": -0.02, "pitch": 1.0, "warm": True}),
    (r"cold|menacing|synthetic|hostile", {"speed": -0.12, "pitch": -4.0, "small": True}),
]


def _settings(style: str) -> dict:
    result = {"speed": 1.0, "pitch": 0.0}
    for pattern, change in STYLE_WORDS:
        if re.search(pattern, style, re.IGNORECASE):
            for key, value in change.items():
                if isinstance(value, bool):
                    result[key] = value
                else:
                    result[key] = result.get(key, 0.0) + value
    result["speed"] = round(min(1.35, max(0.75, result["speed"])), 2)
    result["pitch"] = round(max(-6.0, min(6.0, result["pitch"])), 1)
    return result


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def cast_from_characters(sheets: list[dict]) -> str:
    """TOML text of a cast with one table per character sheet, plus narrator and fallback."""
    lines = ["# Written by `episode cast init` from character sheets. Tune freely: see voices/cast.toml",
             "# in the episode-renderer project for every setting.", "", "[defaults]", 'engine = "piper"',
             'model = "joe"', "noise_scale = 0.5", "noise_w_scale = 0.6", ""]
    used: set[tuple[float, float]] = set()
    for sheet in sheets:
        name = str(sheet.get("name", "")).strip()
        if not name:
            continue
        style = " ".join(str(sheet.get(k, "")) for k in ("voice_style", "archetype"))
        settings = _settings(style)
        while (settings["speed"], settings["pitch"]) in used:
            settings["pitch"] = round(settings["pitch"] + 1.5, 1)
        used.add((settings["speed"], settings["pitch"]))
        key = name.split()[0] if name.lower().startswith("human") else name
        lines.append(f"[characters.{json.dumps(key)}]")
        lines.append(f"description = {_toml_value(sheet.get('voice_style', ''))}")
        if key != name:
            lines.append(f"aliases = {_toml_value([name])}")
        lines.append(f"speed = {_toml_value(settings['speed'])}")
        lines.append(f"pitch = {_toml_value(settings['pitch'])}")
        if settings.get("small"):
            lines.append("preserve_formants = false")
        if settings.get("machine"):
            lines += ["noise_scale = 0.0", "noise_w_scale = 0.0",
                      'effects = [{ name = "HighpassFilter", cutoff_frequency_hz = 250.0 }, '
                      '{ name = "Chorus", rate_hz = 60.0, depth = 0.15, centre_delay_ms = 2.0, feedback = 0.3, '
                      'mix = 0.35 }]']
        elif settings.get("warm"):
            lines.append('effects = [{ name = "LowShelfFilter", cutoff_frequency_hz = 250.0, gain_db = 3.0 }]')
        lines.append("")
    lines += ["[characters.Narrator]", 'description = "Headings and narration"', "speed = 0.95", "pitch = -1.0", "",
              "[characters.fallback]", 'description = "Anyone the cast does not list"', "pitch = -3.0", "",
              "[delivery.excited]", "speed = 1.1", "pitch = 1.0", "gain_db = 1.5", "",
              "[delivery.whisper]", "speed = 0.95", "gain_db = -4.0", "",
              "[delivery.thoughtful]", "speed = 0.9", "pitch = -0.5", ""]
    return "\n".join(lines)


def read_sheets(folder: Path) -> list[dict]:
    """The YAML character sheets in ``folder`` that have a name, in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError("character folder not found.", file=folder,
                          hint="Point --from at your Hugo site's data/characters/ folder.")
    sheets = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"is not valid YAML ({getattr(exc, 'problem', exc)}).", file=path,
                              line=mark.line + 1 if mark else None) from exc
        if isinstance(data, dict) and data.get("name"):
            sheets.append(data)
    if not sheets:
        raise ConfigError("holds no character sheets (YAML files with a `name`).", file=folder)
    return sheets
