"""What the render caches hold on disk, and pruning them by last use.

Every render adds to the caches (a season with the Kokoro cast: hundreds of MB of lines), so a render
that stored something trims them back under the show's ``[cache] max_gb``, least recently used
first; `episode cache` shows their size and removes entries not used for some days. An entry's
modification time is its last use (a cache hit touches it). Only files named as the caches name
them are ever removed, so a --cache-dir pointed at the wrong folder loses nothing else.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

_KEY = r"[0-9a-f]{64}"
#: Each kind of entry: a path relative to the cache folder, as the caches write it.
KINDS = {
    "lines": re.compile(rf"[0-9a-f]{{2}}/{_KEY}\.line"),
    "encoded MP3s": re.compile(rf"encoded/{_KEY}\.(?:mp3|json)"),
    "levels": re.compile(rf"levels/[0-9a-f]{{2}}/{_KEY}\.json"),
}


def unwritable(folder: Path, error: OSError | OutputError) -> str:
    """The one warning of a run whose cache stopped taking entries: the render itself goes on, since
    an optional cache must never cost it (a cache folder that cannot take anything at all is refused
    before any work, by the CLI). ``error`` may be atomic_path's OutputError; its OSError is read."""
    from .export.paths import write_reason

    cause = error if isinstance(error, OSError) else error.__cause__ or error.__context__
    reason = write_reason(cause) if isinstance(cause, OSError) else str(error.message).rstrip(".")
    return (f"the cache {folder} could not be written ({reason}), so this run kept nothing new there "
            "and the next one synthesizes those lines again; free some space or pass another --cache-dir.")


def touch(path: Path) -> None:
    """Mark a cache entry as used now (a read-only cache stays usable, only unpruned)."""
    try:
        os.utime(path)
    except OSError:
        pass


@dataclass
class Usage:
    files: int = 0
    bytes: int = 0

    def add(self, size: int) -> None:
        self.files += 1
        self.bytes += size


def entries(folder: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """(kind, path, stat) of every cache entry under ``folder``; symlinks are never followed.

    A folder that cannot be read is an OutputError naming it: a count that skipped it would lie.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return

    def unreadable(error: OSError) -> None:
        raise OutputError(f"cannot be read ({error.strerror}).", file=error.filename or folder,
                          hint="Check the folder's permissions, or pass another --cache-dir.")

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=False):
        depth = Path(root).relative_to(folder).parts
        if len(depth) >= 2 and depth[0] != "levels" or len(depth) >= 3:
            dirs[:] = []
        for name in files:
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            for kind, pattern in KINDS.items():
                if pattern.fullmatch(relative):
                    try:
                        info = path.lstat()
                    except FileNotFoundError:  # a render dropped it, or another prune did
                        break
                    if not path.is_symlink():
                        yield kind, path, info
                    break


def usage(folder: Path) -> dict[str, Usage]:
    """Files and bytes of each kind of entry."""
    found = {kind: Usage() for kind in KINDS}
    for kind, _path, info in entries(folder):
        found[kind].add(info.st_size)
    return found


def _remove(path: Path, removed: dict[str, Usage]) -> bool:
    """Unlink one entry (an entry another render is reading is only unlinked, never cut short)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        done = sum(u.files for u in removed.values())
        raise OutputError(f"cannot be removed ({error.strerror}); {done} entries were removed before it.",
                          file=path, hint="Check the cache folder's permissions.") from None
    return True


def bound(folder: Path, max_bytes: int, keep_since: float) -> dict[str, Usage]:
    """Remove the least recently used entries until the caches hold at most ``max_bytes``; returns
    what was removed. Entries used since ``keep_since`` (the run that just ended) are kept, so a
    limit smaller than one episode never costs that episode its own cache."""
    found = sorted(entries(folder), key=lambda entry: entry[2].st_mtime)
    total = sum(info.st_size for _kind, _path, info in found)
    removed = {kind: Usage() for kind in KINDS}
    for kind, path, info in found:
        if total <= max_bytes or info.st_mtime >= keep_since:
            break
        if _remove(path, removed):
            removed[kind].add(info.st_size)
        total -= info.st_size
    return removed


def prune(folder: Path, older_than_days: float, now: float | None = None) -> dict[str, Usage]:
    """Remove the entries last used more than ``older_than_days`` ago (0: every entry); returns
    what was removed. An entry another render is reading is only unlinked, never cut short. An
    entry that cannot be removed is an OutputError that says how much was removed before it."""
    limit = (time.time() if now is None else now) - older_than_days * 86400
    removed = {kind: Usage() for kind in KINDS}
    for kind, path, info in list(entries(folder)):
        if (older_than_days == 0 or info.st_mtime < limit) and _remove(path, removed):
            removed[kind].add(info.st_size)
    return removed
