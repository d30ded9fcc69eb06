"""An episode's files (the MP3 and its sidecars) published as one unit: all new, or all as they were.

Renaming one temp file over its target is atomic, but six renames are not: a disk that fills between
two writes would leave a transcript of the new episode beside the MP3 of the old. So every file is
first written to a temp beside its target, and only when all are written are they renamed into place.
The files they replace are kept (as hard links, else copies) until the last rename has succeeded, so
a rename failing midway, or Ctrl-C between two, puts the earlier set back.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import EpisodeError, OutputError
from ..tempfiles import temp_prefix
from .atomic import file_umask, temp_beside, write_error

KEPT = "Nothing half-written was left; the files this render would have replaced are as they were."


@contextlib.contextmanager
def file_set(targets: Sequence[Path]) -> Iterator[dict[Path, Path]]:
    """Yield target -> temp path for every target; when the block ends, publish them all at once.

    On any exception, in the block or while publishing, every target is as it was before (present
    or absent) and the temps are gone; a full disk or read-only folder is an OutputError that says so.
    """
    targets = [Path(t) for t in targets]
    temps: dict[Path, Path] = {}
    try:
        for target in targets:
            temps[target] = temp_beside(target)
        yield temps
        for tmp in temps.values():
            os.chmod(tmp, 0o644 & ~file_umask())
        _publish(temps)
    except Exception as exc:
        error = write_error(exc, _written(exc, temps, targets))
        if error is None or error is exc:
            raise
        raise OutputError(error.message, file=error.file, hint=f"{_fix(error)} {KEPT}") from None
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def _written(exc: Exception, temps: dict[Path, Path], targets: Sequence[Path]) -> Path:
    """The target whose write failed, from the failing path; else their folder."""
    failing = getattr(exc, "filename", None) or getattr(exc.__cause__ or exc.__context__, "filename", None)
    for target, tmp in temps.items():
        if failing is not None and str(failing) in (str(tmp), str(target)):
            return target
    return targets[0].parent if targets else Path(".")


def _fix(error: EpisodeError) -> str:
    """The disk error's advice without its own claim about what was left (KEPT says more)."""
    return (error.hint or "").split(";")[0].rstrip(".") + "."


def _publish(temps: dict[Path, Path]) -> None:
    """Rename every temp over its target; if one fails, put back what the earlier renames replaced."""
    kept: dict[Path, Path] = {}
    try:
        for target in temps:
            if os.path.lexists(target):
                kept[target] = _keep(target)
        done: list[Path] = []
        try:
            for target, tmp in temps.items():
                os.replace(tmp, target)
                done.append(target)
        except BaseException:
            lost = _restore(done, kept)
            if lost:
                kept = {t: b for t, b in kept.items() if t not in lost}  # never remove the only copy left
                raise OutputError(
                    "could not put the new files in place, nor undo it for "
                    + ", ".join(f"{t.name} (the earlier one is {b.name})" if b else f"{t.name} (new)"
                                for t, b in lost.items()) + ".",
                    file=next(iter(temps)).parent,
                    hint="Rename the earlier files back by hand, or render again.") from None
            raise
    finally:
        for backup in kept.values():
            backup.unlink(missing_ok=True)


def _keep(target: Path) -> Path:
    """A second name for ``target``'s current file, as ``sweep`` names temps (a hard link, else a copy)."""
    for _attempt in range(100):
        backup = target.with_name(f"{temp_prefix(target.stem)}{secrets.token_hex(4)}.partial{target.suffix}")
        try:
            os.link(target, backup, follow_symlinks=False)
            return backup
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            shutil.copy2(target, backup, follow_symlinks=False)
            return backup
    raise FileExistsError(f"no free temp name beside {target}")


def _restore(done: list[Path], kept: dict[Path, Path]) -> dict[Path, Path | None]:
    """Undo the renames in ``done``; return the targets that could not be undone, with their backup."""
    lost: dict[Path, Path | None] = {}
    for target in reversed(done):
        try:
            if target in kept:
                os.replace(kept[target], target)
            else:
                target.unlink(missing_ok=True)
        except OSError:
            lost[target] = kept.get(target)
    return lost
