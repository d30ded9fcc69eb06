"""Temp files that a killed run left behind, found by the pid in their names and removed.

Every writer in the project (outputs, the line cache, the model cache) names its temp files
``.<stem>.<pid>-<random>.partial<ext>``, so the next run can tell its own and live runs' files from
those of a process that is gone.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

#: ``.<stem>.<pid>-<random>.partial<ext>``; without the pid, a name from before pids were added.
_TEMP = re.compile(r"^\..+\.(?:(\d+)-)?[^./]+\.partial(?:\.[^./]+)?$")


def temp_prefix(stem: str) -> str:
    """The ``prefix`` for tempfile.mkstemp that :func:`sweep` recognises (add ``.partial<ext>`` as suffix)."""
    return f".{stem}.{os.getpid()}-"


def sweep(folder: Path) -> list[Path]:
    """Remove temp files (and temp folders: a session's) left in ``folder`` by runs that no longer
    exist; return what was removed.

    A temp name without a pid was written by an older version, which no longer runs here.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _TEMP.match(path.name)
        if not match:
            continue
        folder_left = match.group(1) is not None and path.is_dir() and not path.is_symlink()  # never a pid-less one
        if not (path.is_file() or folder_left):
            continue
        pid = match.group(1)
        if pid is not None and (int(pid) == os.getpid() or _alive(int(pid))):
            continue
        try:
            shutil.rmtree(path) if folder_left else path.unlink()
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
