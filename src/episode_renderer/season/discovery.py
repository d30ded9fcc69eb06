"""Which files of a folder are episodes, and which of them --only selects.

Only the front matter is read, never the body, so a folder of long scripts scans in milliseconds;
a script whose front matter is broken is still listed, so the season reports it instead of
publishing less than the folder holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ScriptError
from ..script.frontmatter import front_matter
from ..script.numbering import Number, episode_number

_RANGE = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,3})?)\s*(?:-\s*(\d{1,9}(?:\.\d{1,3})?)\s*)?$")


@dataclass(frozen=True)
class FrontMatter:
    """What the folder scan needs from a script, read without parsing the body."""

    fields: dict[str, Any]
    broken: bool = False  # unreadable or invalid: kept so the render reports it, never dropped
    stem: str = ""  # the file name without .md: its number when the front matter has none

    @property
    def is_episode(self) -> bool:
        return self.broken or str(self.fields.get("type", "")).strip().lower() == "episode" \
            or "episode_number" in self.fields

    @property
    def draft(self) -> bool:
        return self.fields.get("draft") is True or str(self.fields.get("draft", "")).lower() == "true"

    @property
    def number(self) -> Number | None:
        return episode_number(self.fields.get("episode_number"), self.stem, self.stem)[0]


def read_front_matter(text: str, stem: str = "") -> FrontMatter:
    """The front matter of a script (YAML ``---`` or TOML ``+++``); ``broken`` if it cannot be read."""
    try:
        meta, _body = front_matter(text.splitlines(), "<scan>")
    except ScriptError:
        # A broken front matter still yields its episode number, so --only can select it.
        found = re.search(r"^\s*episode_number\s*[:=]\s*['\"]?(\d+)", text, re.MULTILINE)
        return FrontMatter({"episode_number": int(found.group(1))} if found else {}, broken=True, stem=stem)
    return FrontMatter(meta, stem=stem)


def _scan(path: Path) -> FrontMatter:
    from ..render import read_script

    try:
        text = read_script(path)  # bounded, regular files only: a FIFO or /dev/zero is broken, not a hang
    except ScriptError:
        return FrontMatter({}, broken=True, stem=path.stem)
    return read_front_matter(text, path.stem)


def find_episodes(folder: Path, include_drafts: bool = False, only: Only | None = None) -> list[Path]:
    """The episode scripts in ``folder``, by episode number then name.

    An episode is a .md file whose front matter says ``type: episode`` or has an
    ``episode_number``; drafts are left out unless asked for. A file whose front matter cannot be
    read is kept, so the season reports it as failed instead of silently publishing less; so is a
    .md that is not a regular file (a FIFO, a link to a device, a link loop), which says what it is.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ScriptError("is not a folder.", file=folder, hint="Pass the folder that holds the episode .md files.")
    found: list[tuple[int, str, Path]] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith(("_", ".")) or path.is_dir():
            continue
        meta = _scan(path)
        if not meta.is_episode or (meta.draft and not include_drafts):
            continue
        if only is not None and meta.number not in only:
            continue
        found.append((meta.number if meta.number is not None else 1 << 30, path.name, path))
    return [path for _, _, path in sorted(found)]


#: --only takes at most this many parts; a range costs nothing however wide (it is kept as its ends).
MAX_ONLY_PARTS = 1000


@dataclass(frozen=True)
class Only:
    """Episode numbers as inclusive ranges: ``30-34`` is two numbers, never a set of five (or of 10^8)."""

    ranges: tuple[tuple[float, float], ...]

    def __contains__(self, number: object) -> bool:
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return False
        return any(low <= number <= high for low, high in self.ranges)


def parse_only(text: str) -> Only:
    """Episode numbers from ``"26,30-34,35.5"`` (numbers and inclusive ranges, comma separated)."""
    hint = "Use episode numbers and ranges separated by commas, for example --only 26,30-34."
    parts = text.split(",")
    if len(parts) > MAX_ONLY_PARTS:
        raise ConfigError(f"--only has {len(parts)} parts; the limit is {MAX_ONLY_PARTS}.", hint="Use ranges: 1-50.")
    ranges: list[tuple[float, float]] = []
    for part in parts:
        match = _RANGE.match(part)
        if not match or len(part) > 40:
            raise ConfigError(f"--only: '{part.strip()[:40]}' is not an episode number or a range.", hint=hint)
        low = float(match.group(1))
        high = float(match.group(2)) if match.group(2) else low
        if high < low:
            raise ConfigError(f"--only: the range '{part.strip()}' runs backwards.",
                              hint=f"Write it low to high: {high:g}-{low:g}.")
        ranges.append((low, high))
    return Only(tuple(ranges))
