"""Standard output and error that never decide how a command ends.

A reader that goes away (`episode season ... | head`), a stream closed before the command began
(`>&-`) or one whose encoding lacks a character must not stop a render or a season half-way, nor
change its exit code: what could not be printed is dropped or escaped, and the work goes on.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, TextIO

#: Errors of a write whose reader is gone (EPIPE) or whose stream is not open for writing (EBADF).
_GONE = (errno.EPIPE, errno.EBADF, errno.EINVAL)


class GuardedStream:
    """A text stream whose writes never raise because the reader left; they go to /dev/null from then on."""

    def __init__(self, stream: TextIO, fd: int) -> None:
        self._stream = stream
        self._fd = fd
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except OSError as exc:
                self._leave(exc)
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except OSError as exc:
                self._leave(exc)

    def _leave(self, exc: OSError) -> None:
        if exc.errno not in _GONE:
            raise exc
        self.gone = True
        _occupy(self._fd)  # the final flush at exit, and child processes, write into /dev/null

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _occupy(fd: int) -> None:
    """Point ``fd`` at /dev/null, so no file the command opens later gets it (a closed fd 1 would)."""
    null = os.open(os.devnull, os.O_RDWR)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


#: The standard streams that were closed when the process began (filled by ``setup``).
CLOSED: set[str] = set()


def setup() -> None:
    """Guard sys.stdout and sys.stderr for the rest of the process, noting in CLOSED those that were closed.

    Characters a stream's encoding lacks are written as backslash escapes instead of raising.
    """
    closed = CLOSED
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if not _is_open(fd):
            closed.add(name)
            _occupy(fd)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = getattr(sys, name)
        if stream is None or name in closed:
            stream = open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        elif hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (OSError, ValueError):
                pass
        if not isinstance(stream, GuardedStream):
            setattr(sys, name, GuardedStream(stream, fd))


def ascii_only(stream: Any) -> bool:
    """Whether ``stream`` cannot carry every character, so JSON for it must be escaped to stay JSON."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return not encoding.startswith("utf")
