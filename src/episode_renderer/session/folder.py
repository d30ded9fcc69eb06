"""The session folder published as a unit with the MP3: all new, or all as it was.

It is written into a temp folder beside its place, named as ``sweep`` knows temp files
(``.<stem>.<pid>-<random>.partial``), so a killed run's is removed by the next. ``swap_in`` (the last
step of the render's file set) moves an earlier folder aside and the new one in; if anything fails
after that, before the render's files are all in place, the earlier folder comes back.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from types import TracebackType

from ..errors import OutputError
from ..export.paths import disk_error
from ..tempfiles import temp_prefix


class SessionFolder:
    """``with SessionFolder(target) as folder:`` write into ``folder.temp``, then ``folder.swap_in()``."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.temp = self._fresh()
        self.kept: Path | None = None
        self.swapped = False

    def _fresh(self) -> Path:
        for _attempt in range(100):
            path = self.target.with_name(f"{temp_prefix(self.target.name)}{secrets.token_hex(4)}.partial")
            if not os.path.lexists(path):
                return path
        raise FileExistsError(f"no free temp name beside {self.target}")

    def __enter__(self) -> "SessionFolder":
        try:
            self.temp.mkdir(parents=True)
        except OSError as exc:
            raise self.error(exc) from None
        return self

    def error(self, exc: OSError) -> Exception:
        """A write error in the temp folder as the user sees it: about the folder they asked for."""
        return disk_error(exc, self.target) or exc

    def swap_in(self) -> None:
        if os.path.lexists(self.target):
            if not self.target.is_dir() or self.target.is_symlink():
                raise OutputError("is in the way of the session folder, and is not one.", file=self.target,
                                  hint="Move or rename it, or choose another -o (nothing was written).")
            kept = self._fresh()
            os.replace(self.target, kept)
            self.kept = kept
        try:
            os.replace(self.temp, self.target)
        except BaseException:
            if self.kept is not None:
                os.replace(self.kept, self.target)
                self.kept = None
            raise
        self.swapped = True

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is not None and self.swapped:  # the rest of the render's files failed: undo
            shutil.rmtree(self.target, ignore_errors=True)
            if self.kept is not None:
                os.replace(self.kept, self.target)
                self.kept = None
        for leftover in (self.temp, self.kept):
            if leftover is not None and leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
