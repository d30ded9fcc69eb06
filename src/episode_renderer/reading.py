"""Reading an input file: a regular file only, and never more than a bound, whatever stat() says.

A device (``/dev/zero``) stats as 0 bytes and never ends, a FIFO with no writer blocks ``open``
forever, and a file may grow while it is read. So every input is opened without blocking, checked
to be a regular file on the open descriptor, and read to at most ``limit + 1`` bytes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import EpisodeError

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words: "a named pipe (FIFO)", "a character device", ..."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def not_regular(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (a FIFO, a device, a link loop, a link to nothing), or None.

    Never opens the path, so a FIFO cannot block; a missing path is None (the caller says "not found").
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            return "a link that loops back on itself" if exc.errno == errno.ELOOP \
                else "a link to nothing (its target is missing)"
        return None
    if stat.S_ISREG(mode):
        return None
    return kind_of(mode)


class NotRegularFile(OSError):
    """An input that is there but is not a regular file; ``kind`` says what it is."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"is {kind}, not a regular file")
        self.filename = str(path)
        self.kind = kind


@contextlib.contextmanager
def open_regular(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """The open regular file at ``path`` and its size; NotRegularFile for anything else, before a
    FIFO could block (it is opened non-blocking) and after a swap between the check and the open."""
    path = Path(path)
    why = not_regular(path)
    if why == "a folder":
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if why is not None:
        raise NotRegularFile(path, why)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, kind_of(info.st_mode))
        yield handle, info.st_size


def read_bounded(path: Path, limit: int, error: type[EpisodeError], *, what: str, limit_text: str,
                 hint: str | None = None) -> bytes:
    """At most ``limit`` bytes of the regular file ``path``.

    Raises ``error`` naming the path when it is not a regular file or holds more than ``limit``
    bytes (``what`` is the kind of input, "an episode script"; ``limit_text`` the bound in words,
    "2 MB"). A missing file, a folder or a read failure is the OSError, for the caller to word.
    """
    try:
        with open_regular(path) as (handle, size):
            if size > limit:
                raise error(f"is {size / 1e6:.1f} MB; {what} is at most {limit_text}.", file=path, hint=hint)
            data = handle.read(limit + 1)
    except NotRegularFile as exc:
        raise error(f"is {exc.kind}, not a regular file; {what} is only read from a regular file.", file=path,
                    hint="Pass the file itself, not a pipe, a device or a broken link (nothing was read).") from None
    if len(data) > limit:
        raise error(f"is more than {limit_text} (more than its size said); {what} is at most {limit_text}.",
                    file=path, hint=hint)
    return data


def encoding_hint(data: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when ``data`` is text saved in one of them (by its byte-order mark, or
    by the NUL byte every other (or three in four) byte of ASCII text has there), else None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = data[:4096]
    if len(sample) < 8:
        return None
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        for offset in range(width):
            chars = sample[offset::width]
            rest = bytes(b for i, b in enumerate(sample) if i % width != offset)
            if chars and rest.count(0) >= 0.9 * len(rest) and chars.count(0) <= 0.1 * len(chars):
                return name
    return None


def present(path: Path) -> bool:
    """Whether anything is at ``path`` (a file, a folder, a FIFO, a link even to nothing): an input
    that is there but unreadable is then named as such, never taken for an absent one."""
    return os.path.lexists(path)
