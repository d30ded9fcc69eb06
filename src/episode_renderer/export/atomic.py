"""Write outputs so that a failed or interrupted run never leaves a half-written file.

Temp files are named ``.<stem>.<pid>-<random>.partial<ext>``: a run killed too hard to clean up
(SIGKILL, power loss) leaves one behind, and the next run in that folder removes it once its
process is gone (``sweep``), without touching the temp files of a run still going.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import EpisodeError

#: ``.<stem>.<pid>-<random>.partial<ext>``; without the pid, a name from before pids were added.
_TEMP = re.compile(r"^\..+\.(?:(\d+)-)?[^./]+\.partial(?:\.[^./]+)?$")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside ``target`` (same extension); rename it over ``target`` on success.

    On any exception, Ctrl-C included, the temp file is removed and ``target`` is untouched; a
    read-only folder or a full disk is an OutputError naming ``target``, not a traceback.
    """
    from .paths import disk_error

    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.{os.getpid()}-",
                                   suffix=f".partial{target.suffix}")
        os.close(fd)
    except OSError as exc:
        raise (disk_error(exc, target) or exc) from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644 & ~_umask())
        os.replace(tmp_path, target)
    except OSError as exc:
        error = disk_error(exc, target)
        if error is None:
            raise
        raise error from None
    except EpisodeError:
        raise
    except Exception as exc:  # encoders and taggers hide the OSError of a full disk in their own type
        cause = exc.__cause__ or exc.__context__
        cause = cause if isinstance(cause, OSError) else probe(target.parent)
        error = disk_error(cause, target) if cause is not None else None
        if error is None:
            raise
        raise error from None
    finally:
        tmp_path.unlink(missing_ok=True)


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


def sweep(folder: Path) -> list[Path]:
    """Remove temp files left in ``folder`` by runs that no longer exist; return what was removed.

    A temp name without a pid was written by an older version, which no longer runs here.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _TEMP.match(path.name)
        if not match or not path.is_file():
            continue
        pid = match.group(1)
        if pid is not None and (int(pid) == os.getpid() or _alive(int(pid))):
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
