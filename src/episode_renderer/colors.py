"""Speaker colours: read from show.toml and the show's character sheets, and made readable on the page.

Read when the project loads, so a wrong colour stops a season before it renders; the listen page
only uses them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: Page backgrounds a speaker's name is read on: (plain, highlighted) for the light and the dark theme.
LIGHT_BACKGROUNDS = ("#ffffff", "#fff4cc")
DARK_BACKGROUNDS = ("#16161a", "#3a3416")
MIN_CONTRAST = 4.6  # WCAG AA asks 4.5:1 for body text; a little margin for rounding


def _rgb(color: str) -> tuple[float, float, float]:
    value = color.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in rgb)


def luminance(color: str) -> float:
    """WCAG relative luminance."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(color: str, backgrounds: Iterable[str]) -> str:
    """``color`` mixed toward black or white just enough to be legible text on every background.

    Character colours are chosen for swatches and borders (amber, green); as text on white most
    fail WCAG AA, so the name keeps the hue and gets the lightness it needs.
    """
    backgrounds = list(backgrounds)
    if all(contrast(color, bg) >= MIN_CONTRAST for bg in backgrounds):
        return color
    light = sum(luminance(bg) for bg in backgrounds) / len(backgrounds) > 0.18
    target = (0.0, 0.0, 0.0) if light else (1.0, 1.0, 1.0)
    base = _rgb(color)
    for step in range(1, 41):
        share = step / 40
        mixed = _hex(c + (t - c) * share for c, t in zip(base, target, strict=True))
        if all(contrast(mixed, bg) >= MIN_CONTRAST for bg in backgrounds):
            return mixed
    return _hex(target)


def fallback_color(name: str) -> str:
    """A stable colour for a speaker nobody gave one: the hue comes from the name."""
    import colorsys

    hue = int(hashlib.sha256(name.strip().lower().encode()).hexdigest()[:8], 16) % 360
    return _hex(colorsys.hls_to_rgb(hue / 360, 0.45, 0.6))


_COLOR = re.compile(r"^#([0-9a-f]{3}|[0-9a-f]{6})$")


def parse_color(value: Any) -> str | None:
    """"#rrggbb" (or "#rgb", expanded) in lower case, or None: only such values ever reach the CSS."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _COLOR.match(text):
        return None
    return "#" + "".join(c * 2 for c in text[1:]) if len(text) == 4 else text


def sheet_colors(folder: Path) -> list[tuple[list[str], str]]:
    """Colours of Hugo character sheets: (lower-case names a script may use, colour) per sheet.

    The names are the sheet's name, its first word and its designation: scripts often use a short
    name ("Human" for the sheet "Human Blogger"), as ``episode cast init`` does.
    """
    from .tts.cast_init import read_sheets

    found: list[tuple[list[str], str]] = []
    for sheet in read_sheets(folder):
        name = str(sheet["name"]).strip()
        if sheet.get("color") is None:
            continue
        color = parse_color(sheet["color"])
        if color is None:
            raise ConfigError(f"the sheet of {name} has color {sheet['color']!r}, which is not a colour.",
                              file=folder, hint='Write it as "#rrggbb", or set the colour in show.toml\'s [colors].')
        keys = [name, name.split()[0], str(sheet.get("designation") or "")]
        found.append(([k.lower() for k in dict.fromkeys(keys) if k], color))
    return found


def show_colors(data: Mapping[str, Any], source: str, root: Path) -> dict[str, str]:
    """Speaker colours from show.toml, by lower-case name: ``[site] characters`` sheets, then ``[colors]``.

    Read when the project loads, so a wrong colour stops a season before it renders, not after.
    A ``[colors]`` entry for any of a sheet's names recolours all of them.
    """
    site, table = data.get("site", {}), data.get("colors", {})
    if not isinstance(site, dict) or set(site) - {"characters"}:
        raise ConfigError("[site] takes one setting: characters (a folder of Hugo character sheets).", file=source)
    if not isinstance(table, dict):
        raise ConfigError('[colors] must map character names to colours, e.g. Kai = "#10b981".', file=source)
    chosen: dict[str, str] = {}
    for name, value in table.items():
        color = parse_color(value)
        if color is None:
            raise ConfigError(f"[colors] {name} = {value!r} is not a colour.", file=source,
                              hint='Write it as "#rrggbb", e.g. "#10b981".')
        chosen[str(name).lower()] = color
    colors: dict[str, str] = {}
    for keys, color in sheet_colors(root / str(site["characters"])) if site.get("characters") else []:
        color = next((chosen[k] for k in keys if k in chosen), color)
        for key in keys:
            colors.setdefault(key, color)
    colors.update(chosen)
    return colors
