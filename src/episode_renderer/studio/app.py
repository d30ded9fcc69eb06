"""The studio's server: a Starlette app on 127.0.0.1 only, on a socket bound before the app is made
(so the app knows its port for the Host and Origin checks), served by uvicorn."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from .safety import new_token
from .state import Studio

#: The one address the studio listens on: this machine, nobody else's.
HOST = "127.0.0.1"


def missing_dependencies() -> str | None:
    """The studio's packages that are not installed, as the error's words; None when all are."""
    missing = []
    for module in ("starlette", "uvicorn", "tomlkit"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return ", ".join(missing) or None


def bind(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(64)
    return sock


def make_app(studio: Studio, token: str, port: int):
    """The ASGI app: routes behind the guard, and the one error page for whatever is not found."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware

    from .routes import Guard, error_response, make_routes

    async def not_found(request, exc: HTTPException):
        what = "no such page in the studio." if exc.status_code == 404 else f"that request is not allowed ({exc.detail})."
        return error_response(request, exc.status_code, what)

    return Starlette(routes=make_routes(studio, token, port), middleware=[Middleware(Guard, token=token, port=port)],
                     exception_handlers={404: not_found, 405: not_found})


def serve(studio: Studio, port: int = 0, announce: Callable[[str], None] = print) -> None:
    """Serve ``studio`` until interrupted; ``announce`` is given the address with its token."""
    import uvicorn

    from ..errors import ConfigError

    try:
        sock = bind(port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {HOST}:{port} ({exc.strerror}).",
                          hint="Another program uses that port: pass another --port, or leave it out for any free one.") from None
    port = sock.getsockname()[1]
    token = new_token()
    app = make_app(studio, token, port)
    studio.hearing.warm_up(list(studio.project.cast.characters.values()))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    announce(f"http://{HOST}:{port}/?token={token}")
    try:
        server.run(sockets=[sock])
    finally:
        studio.close()
        sock.close()


def start(target: Path, port: int, cast: Path | None, cache_dir: Path | None, announce: Callable[[str], None]) -> None:
    """`episode studio`: check what it needs, open the project around ``target``, serve until Ctrl-C."""
    from ..config import find_root
    from ..errors import ConfigError

    missing = missing_dependencies()
    if missing:
        raise ConfigError(f"the studio needs {missing}, which are not installed.",
                          hint="Install them with: pip install 'episode-renderer[studio]' (or pip install -e '.[studio]').")
    where = Path(target).resolve()
    if not where.exists():
        raise ConfigError("no such file or folder.", file=target, hint="Pass the project folder or an episode.")
    folder = where if where.is_dir() else where.parent
    root = find_root(folder)
    root = root if folder.is_relative_to(root) else folder  # no project above it: the folder is the project
    serve(Studio(root, where, cast=cast, cache_dir=cache_dir), port, announce)
