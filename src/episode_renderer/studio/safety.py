"""What a request may do: the token, the origin, and which files it may reach.

Pure functions over strings and paths, so every rule is tested without a server. The studio binds
127.0.0.1 only; these rules keep other pages in the same browser (cross-site requests, DNS
rebinding) and other users of the machine (no token) out, and every path inside the project folder.
"""

from __future__ import annotations

import secrets
from pathlib import Path, PurePosixPath

TOKEN_HEADER = "x-studio-token"
TOKEN_COOKIE = "studio_token"
#: Methods that change nothing: the token may come from the cookie (the page's assets, its audio).
SAFE_METHODS = frozenset({"GET", "HEAD"})


class Refused(Exception):
    """A request the studio will not serve; ``status`` is its HTTP status, ``message`` says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def new_token() -> str:
    return secrets.token_urlsafe(24)


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host headers a browser sends to this server (anything else is DNS rebinding or a proxy)."""
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


def check_request(method: str, headers: dict[str, str], query_token: str | None, cookie_token: str | None,
                  token: str, port: int) -> None:
    """Refuse a request without the right token, from another host name, or a change from another origin.

    ``headers`` are lower-case names. A GET may carry the token in the query (the printed address)
    or the cookie set from it; a state-changing request must carry it in ``X-Studio-Token``, which
    a cross-site form cannot set and a cross-site script cannot send without a preflight we refuse.
    """
    host = headers.get("host", "")
    if host not in allowed_hosts(port):
        raise Refused(403, f"this studio answers only at 127.0.0.1:{port}, not at {host or 'no host'}.")
    if method in SAFE_METHODS:
        given = query_token or cookie_token or headers.get(TOKEN_HEADER)
    else:
        origin = headers.get("origin")
        if origin is not None and origin not in {f"http://{h}" for h in allowed_hosts(port)}:
            raise Refused(403, f"a request from {origin} may not change anything here.")
        if headers.get("sec-fetch-site") == "cross-site":
            raise Refused(403, "a request from another site may not change anything here.")
        given = headers.get(TOKEN_HEADER)
    if not given:
        raise Refused(401, "this address needs the studio's token: open the full address "
                           "`episode studio` printed (it ends in ?token=...).")
    if not secrets.compare_digest(given.encode(), token.encode()):
        raise Refused(403, "the token is wrong: open the address `episode studio` printed this time "
                           "(each start makes a new one).")


def inside(root: Path, relative: str) -> Path:
    """``relative`` (a path the page names, with / separators) resolved inside ``root``.

    Refused: an absolute path, a ``..`` part, a drive or backslash trick, and a path whose resolved
    target (a symbolic link followed) lies outside ``root``.
    """
    text = relative.strip()
    if not text or "\x00" in text or "\\" in text:
        raise Refused(400, f"not a usable path: {relative!r}.")
    pure = PurePosixPath(text)
    if pure.is_absolute() or text.startswith("~") or ":" in pure.parts[0]:
        raise Refused(403, f"{relative} is not inside the project folder: name files from the project folder.")
    if ".." in pure.parts:
        raise Refused(403, f"{relative} reaches out of the project folder with '..'.")
    base = Path(root).resolve()
    target = (base / pure).resolve()
    if not target.is_relative_to(base):
        raise Refused(403, f"{relative} leads outside the project folder (a link pointing out).")
    return target


def relative_name(root: Path, path: Path) -> str:
    """How the page names ``path``: from the project folder, with / separators."""
    return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
