"""Write outputs so that a failed or interrupted run never leaves a half-written file.

Temp files are named ``.<stem>.<pid>-<random>.partial<ext>``: a run killed too hard to clean up
(SIGKILL, power loss) leaves one behind, and the next run in that folder removes it once its
process is gone (``sweep``), without touching the temp files of a run still going.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import EpisodeError
from ..tempfiles import sweep, temp_prefix  # noqa: F401  (sweep re-exported for the renderer)



@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside ``target`` (same extension); rename it over ``target`` on success.

    On any exception, Ctrl-C included, the temp file is removed and ``target`` is untouched; a
    read-only folder or a full disk is an OutputError naming ``target``, not a traceback.
    """
    target = Path(target)
    tmp_path = temp_beside(target)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644 & ~file_umask())
        os.replace(tmp_path, target)
    except Exception as exc:
        error = write_error(exc, target)
        if error is None or error is exc:
            raise
        raise error from None
    finally:
        tmp_path.unlink(missing_ok=True)


def temp_beside(target: Path) -> Path:
    """A new empty temp file in ``target``'s folder (made if missing), named so that ``sweep`` knows
    it; a read-only folder or a full disk is an OutputError naming ``target``."""
    from .paths import disk_error

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=temp_prefix(target.stem),
                                   suffix=f".partial{target.suffix}")
        os.close(fd)
    except OSError as exc:
        raise (disk_error(exc, target) or exc) from None
    return Path(tmp)


def write_error(exc: Exception, target: Path) -> EpisodeError | None:
    """What to tell the user when writing ``target`` raised ``exc``: the project's own error, a disk
    error naming ``target``, or None when it is neither (a bug, to be raised as it is)."""
    from .paths import disk_error

    if isinstance(exc, EpisodeError):
        return exc
    if isinstance(exc, OSError):
        return disk_error(exc, target)
    cause = exc.__cause__ or exc.__context__  # encoders and taggers hide a full disk's OSError in their own type
    cause = cause if isinstance(cause, OSError) else probe(Path(target).parent)
    return disk_error(cause, target) if cause is not None else None


def probe(folder: Path, size: int = 1 << 16) -> OSError | None:
    """After a writer failed without saying why (pedalboard: "Unable to write data"): can ``folder``
    still take ``size`` bytes? If not, the OSError to report instead of the writer's."""
    try:
        with tempfile.TemporaryFile(dir=folder) as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return exc
    return None


def file_umask() -> int:
    """The process's umask (set and put back): a published file gets the permissions the user's others get."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
