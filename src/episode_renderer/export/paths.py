"""Where outputs go, checked before any work: never over an input, never a folder, never each other."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputError
from ..reading import not_regular

#: Sidecar suffixes after an MP3's full stem; ``.render.json`` is the season's state file.
SIDECARS = (".json", ".vtt", ".srt", ".chapters.json", ".report.json")
SEASON_FILES = ("season.json", "feed.xml", "index.html", "site.css", "site.js")
STATE_SUFFIX = ".render.json"
#: `episode review`'s findings beside an MP3: what the listen page marks.
REVIEW_SUFFIX = ".review.json"

#: Write errors a user can fix (permissions, a full disk, a file where a folder should be).
DISK_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG,
               errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EEXIST}


def stem_of(mp3: Path) -> str:
    """The MP3's name without ``.mp3`` only: ``show.ep1.mp3`` keeps ``show.ep1``, so sidecars never collide."""
    name = Path(mp3).name
    return name[:-4] if name.lower().endswith(".mp3") and len(name) > 4 else name


def page_name(stem: str) -> str:
    """The episode's listen page; never index.html, which is the season's page."""
    return f"{stem}-episode.html" if stem.lower() == "index" else f"{stem}.html"


def safe_name(text: str, default: str = "voice") -> str:
    """``text`` as one file-name component: no separators, no ``..``, no leading dot or dash."""
    cleaned = re.sub(r"[^\w-]+", "-", text.strip().lower(), flags=re.UNICODE).strip("-_")
    return cleaned[:80] or default


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def check_outputs(outputs: Iterable[Path], inputs: Iterable[Path | None], *, flag: str = "-o") -> None:
    """Refuse outputs that are existing folders, devices, FIFOs or sockets (``-o /dev/null`` as root
    would replace the device), or would replace one of ``inputs``."""
    sources = [Path(p) for p in inputs if p is not None]
    for path in (Path(p) for p in outputs):
        if path.is_dir():
            raise OutputError(f"{flag} names an existing folder, not a file to write.", file=path,
                              hint="Give a file name instead (nothing was written).")
        special = not_regular(path)
        if special is not None and "link" not in special:  # a link to nothing is replaced, never followed
            raise OutputError(f"{flag} would write over {special}; an output is a regular file or a new name.",
                              file=path, hint="Choose another output name (nothing was written).")
        for source in sources:
            if _same(path, source):
                raise OutputError(f"{flag} would overwrite an input file ({source}).", file=path,
                                  hint="Choose another output name (nothing was written).")
        if path.parent.exists() and not path.parent.is_dir():
            raise OutputError(f"{flag}: {path.parent} is a file, not a folder.", file=path,
                              hint="Choose an output in an existing or new folder (nothing was written).")


def check_folder(folder: Path, what: str) -> None:
    """Refuse an output folder (``-o`` of season and audition) that exists as anything but a folder."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        special = not_regular(folder)
        thing = "a file" if special is None else special
        raise OutputError(f"-o names {thing}; {what} writes into a folder.", file=folder,
                          hint="Give a folder (it is made if missing); nothing was written.")


def season_names(stems: dict[Path, str], extra: Iterable[str] = ()) -> dict[str, Path | None]:
    """Every file a season writes, by case-folded name -> the episode that writes it.

    Raises OutputError when two episodes (or an episode and the season's own files) would write
    the same name: ``a.md`` and ``a.chapters.md`` both want ``a.chapters.json``; ``season.md``
    wants ``season.json``; ``index.md`` and ``index-episode.md`` both want the listen page
    ``index-episode.html``.
    """
    owners: dict[str, Path | None] = {name.casefold(): None for name in (*SEASON_FILES, *extra)}
    for episode, stem in stems.items():
        for name in (f"{stem}.mp3", *(stem + s for s in SIDECARS), stem + STATE_SUFFIX, stem + REVIEW_SUFFIX,
                     page_name(stem)):
            key = name.casefold()
            if key in owners:
                other = owners[key]
                what = f"{other.name} also writes it" if other is not None else "the season writes it"
                raise OutputError(f"would write {name}, but {what}.", file=episode,
                                  hint="Rename one of the files (nothing was rendered).")
            owners[key] = episode
    return owners


def write_reason(exc: OSError) -> str:
    """Why a write failed, in words: "the disk is full", "permission denied", ..."""
    return {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the folder is on a read-only file system",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied"}.get(
        exc.errno or 0, exc.strerror or str(exc))


def disk_error(exc: OSError, target: Path) -> OutputError | None:
    """A write failure a user can fix as one clear line, or None for anything else."""
    if exc.errno not in DISK_ERRORS:
        return None
    reason = write_reason(exc)
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    fix = "Free some space, or choose another folder with -o" if full else "Choose a writable folder with -o"
    return OutputError(f"cannot be written: {reason}.", file=target, hint=f"{fix}; nothing half-written was left.")


def check_writable(folder: Path) -> OutputError | None:
    """None if a file can be created in ``folder`` (made if missing), else the error to show."""
    import tempfile

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".write-test.{os.getpid()}-", suffix=".partial"):
            pass
    except OSError as exc:
        return disk_error(exc, folder) or OutputError(f"cannot be written ({exc.strerror or exc}).", file=folder)
    return None
