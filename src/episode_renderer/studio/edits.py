"""Saving what the page changed: one script line's words, one character's cast settings.

Everything else in the file stays byte for byte (line endings, a byte-order mark, comments and the
cast's formatting, through tomlkit); a file changed on disk since the page loaded it is refused;
the previous version is kept in the project's ``.studio-backups/`` folder; the new one is written
atomically (export/atomic.py), so an interrupted save leaves the old file whole.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, EpisodeError, ScriptError
from ..export.atomic import atomic_path
from ..reading import read_bounded
from ..render import MAX_SCRIPT_BYTES
from ..tts.cast import parse_cast

BACKUPS = ".studio-backups"
#: Settings of a character the page may change, and those of one of their deliveries.
CHARACTER_KEYS = frozenset({"engine", "voice", "speed", "pitch", "gain_db"})
DELIVERY_KEYS = frozenset({"prosody", "amount", "rows", "speed", "pitch", "gain_db", "range", "whisper"})
#: Keys only another engine reads: dropped from a character's table when the page moves it to Kokoro.
NOT_KOKORO = ("model", "speaker_id", "noise_scale", "noise_w_scale", "length_scale", "model_name",
              "config_path", "speaker", "speaker_wav")


class ChangedOnDisk(EpisodeError):
    """The file is not what the page loaded: another editor saved it since. Nothing was written."""


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` with ``new`` in source line ``line`` (1-based), where ``old`` stands exactly once."""

    line: int
    old: str
    new: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path) -> bytes:
    """The bytes of a script or cast file (a regular file, bounded), as the page last saw them."""
    return read_bounded(path, MAX_SCRIPT_BYTES, ScriptError, what="a file the studio edits",
                        limit_text=f"{MAX_SCRIPT_BYTES / 1e6:g} MB")


def source_lines(text: str) -> list[str]:
    """The lines as the parser numbers them (str.splitlines), each with its own line ending."""
    return text.splitlines(keepends=True)


def edited_text(text: str, edits: list[Edit], source: str) -> str:
    """``text`` with each edit applied to its line and nothing else changed; a ScriptError when an
    edit's line is gone or no longer holds its words once, or would add a line break."""
    lines = source_lines(text)
    for edit in edits:
        if not 1 <= edit.line <= len(lines):
            raise ScriptError(f"has no line {edit.line} now.", file=source, line=edit.line,
                              hint="Reload the studio to see the file as it is.")
        if any(c in edit.new for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
            raise ScriptError("an edit must stay on its one line.", file=source, line=edit.line,
                              hint="Write the new words without a line break.")
        line = lines[edit.line - 1]
        body = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        ending = line[len(body):]
        if not edit.old or body.count(edit.old) != 1:
            raise ScriptError(f"line {edit.line} no longer reads {edit.old!r} once.", file=source, line=edit.line,
                              hint="Reload the studio to see the file as it is.")
        lines[edit.line - 1] = body.replace(edit.old, edit.new, 1) + ending
    return "".join(lines)


def backup_path(root: Path, path: Path, stamp: float | None = None) -> Path:
    """Where the version of ``path`` a save replaces is kept: ``.studio-backups/<its path>.<time>``."""
    relative = Path(path).resolve().relative_to(Path(root).resolve())
    when = time.strftime("%Y%m%d-%H%M%S", time.localtime(stamp if stamp is not None else time.time()))
    folder = Path(root) / BACKUPS / relative.parent
    candidate = folder / f"{relative.name}.{when}"
    count = 1
    while candidate.exists():
        count += 1
        candidate = folder / f"{relative.name}.{when}-{count}"
    return candidate


def save(root: Path, path: Path, expected: str, data: bytes) -> str:
    """Write ``data`` over ``path`` if it still has the digest ``expected``; keep the old bytes as a
    backup first. Returns the new digest."""
    current = read_file(path)
    if digest(current) != expected:
        raise ChangedOnDisk("changed on disk since the studio opened it; nothing was saved.", file=path,
                   hint="Reload the page to load the file as it is now, then make your change again.")
    if current == data:
        return expected
    backup = backup_path(root, path)
    with atomic_path(backup) as tmp:
        tmp.write_bytes(current)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return digest(data)


def edited_cast(text: str, character: str, settings: dict[str, Any], delivery: str | None,
                source: str, voices_dir: Path | None) -> str:
    """The cast's text with ``character``'s settings (or their ``delivery`` recipe) changed, every
    other byte kept; checked by the cast's own schema before it is returned. A value None removes
    the key (the character then takes it from [defaults])."""
    import tomlkit

    allowed = DELIVERY_KEYS if delivery else CHARACTER_KEYS
    unknown = sorted(set(settings) - allowed)
    if unknown:
        raise ConfigError(f"the studio does not change {', '.join(unknown)} here.", file=source,
                          hint="Allowed: " + ", ".join(sorted(allowed)) + ".")
    doc = tomlkit.parse(text)
    characters = doc.setdefault("characters", tomlkit.table(is_super_table=True))
    table = characters.setdefault(character, tomlkit.table())
    if delivery:
        recipes = table.get("delivery")
        if recipes is None:
            recipes = _place(table, "delivery", tomlkit.table(is_super_table=True))
        table = recipes.get(delivery)
        if table is None:
            recipe = tomlkit.table()
            recipe.trivia.indent = "\n"  # a blank line before its header, as the file's tables have
            table = _place(recipes, delivery, recipe)
    if settings.get("engine") == "kokoro":
        for key in NOT_KOKORO:
            table.pop(key, None)
    for key, value in settings.items():
        if value is None:
            table.pop(key, None)
        elif key in table:
            table[key] = value
        else:
            _place(table, key, value)
    out = tomlkit.dumps(doc)
    parse_cast(out, source, voices_dir)
    return out


def _place(table: Any, key: str, value: Any) -> Any:
    """Add ``key`` to ``table`` right after its last setting (a sub-table after everything), so it
    lands above the comments that introduce the next table, not below them as tomlkit's append does."""
    from tomlkit.items import AoT, Table

    is_table = isinstance(value, (Table, AoT))
    body = table.value.body
    places = [i for i, (k, item) in enumerate(body) if k is not None and (is_table or not isinstance(item, (Table, AoT)))]
    insert_at = getattr(table.value, "_insert_at", None)  # tomlkit has no public insert: without it, append
    if not places or places[-1] + 1 >= len(body) or insert_at is None:
        table[key] = value
    else:
        insert_at(places[-1] + 1, key, value)
    return table[key]
