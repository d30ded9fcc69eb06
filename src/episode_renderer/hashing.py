"""Content hashes of files, read a megabyte at a time (models and MP3s are too big to read whole)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def renderer_identity() -> str:
    """The version and a hash of the renderer's own code and packaged data (rules, cues, page assets):
    what was rendered by other code is not current, even when ``__version__`` was not bumped."""
    from . import __version__

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml", ".css", ".js") and path.is_file() and "__pycache__" not in path.parts:
            digest.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
