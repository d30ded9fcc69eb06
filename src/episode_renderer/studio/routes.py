"""The studio's HTTP side: the page, its assets, the JSON API, clips and the rendered listen pages.

Every request passes ``Guard`` first (token, host, origin: safety.py); every error, whatever raised
it, is one plain page (or one JSON ``{"error"}`` for the API), never a traceback.
"""

from __future__ import annotations

import logging
from html import escape
from importlib import resources
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import EpisodeError
from .edits import ChangedOnDisk, Edit
from .jobs import OUTPUT
from .safety import Refused, check_request, inside
from .state import Studio

ASSETS = {"studio.css": "text/css", "studio.js": "text/javascript"}
_PAGE_POLICY = "default-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; base-uri 'none'"
#: The listen pages carry their speakers' colours in a <style> and their captions inline.
_FILES_POLICY = ("default-src 'self'; script-src 'self'; img-src 'self' data:; media-src 'self' data:; "
                 "style-src 'self' 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'")
log = logging.getLogger("episode_renderer.studio")


def cookie_name(port: int) -> str:
    """One cookie per studio: two studios on two ports of 127.0.0.1 would otherwise share it."""
    return f"studio_token_{port}"


def error_response(request: Request, status: int, message: str) -> Response:
    """The one error page (or the API's JSON error): what went wrong and what to do, nothing more."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=_plain_headers())
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Studio: error</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>The studio could not do that</h1><p>{escape(message)}</p></main></body></html>
"""
    return HTMLResponse(body, status_code=status, headers=_plain_headers())


def _plain_headers() -> dict[str, str]:
    return {"Content-Security-Policy": _PAGE_POLICY, "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class Guard(BaseHTTPMiddleware):
    """Token, host and origin on every request; every error turned into the one error response."""

    def __init__(self, app: Any, token: str, port: int) -> None:
        super().__init__(app)
        self.token, self.port = token, port

    async def dispatch(self, request: Request, call_next: Any) -> Response:
        try:
            check_request(request.method, {k.lower(): v for k, v in request.headers.items()},
                          request.query_params.get("token"), request.cookies.get(cookie_name(self.port)),
                          self.token, self.port)
            return await call_next(request)
        except Refused as refused:
            return error_response(request, refused.status, refused.message)
        except ChangedOnDisk as error:
            return error_response(request, 409, error.render())
        except EpisodeError as error:
            return error_response(request, 400, error.render())
        except Exception as error:  # noqa: BLE001 - the browser gets a sentence, the terminal the traceback
            log.exception("studio: %s %s failed", request.method, request.url.path)
            return error_response(request, 500, f"the studio met an unexpected error ({type(error).__name__}); "
                                                "the terminal running `episode studio` has the details.")


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise Refused(400, "the request's body is not JSON.") from None
    if not isinstance(data, dict):
        raise Refused(400, "the request's body is not a JSON object.")
    return data


def _field(data: dict[str, Any], name: str, kind: type, required: bool = True) -> Any:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Refused(400, f"the request needs {name} as {kind.__name__}.")
    return value


def _parts(parts: list) -> JSONResponse:
    return JSONResponse({"parts": [{"id": p.id, "text": p.text, "cached": p.cached} for p in parts]})


def make_routes(studio: Studio, token: str, port: int) -> list[Route]:
    """The studio's routes, bound to ``studio``."""
    return [*_page_routes(token, port), *_hearing_routes(studio), *_saving_routes(studio), *_render_routes(studio)]


def _page_routes(token: str, port: int) -> list[Route]:
    async def page(request: Request) -> Response:
        html = resources.files(__package__).joinpath("static", "studio.html").read_text("utf-8")
        response = HTMLResponse(html.replace("{{TOKEN}}", escape(token)), headers=_plain_headers())
        if request.query_params.get("token"):
            response.set_cookie(cookie_name(port), token, httponly=True, samesite="strict", path="/")
        return response

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            raise Refused(404, f"no studio asset named {name}.")
        text = resources.files(__package__).joinpath("static", name).read_text("utf-8")
        return Response(text, media_type=ASSETS[name], headers=_plain_headers())

    return [Route("/", page), Route("/static/{name}", asset)]


def _hearing_routes(studio: Studio) -> list[Route]:
    async def sheet(request: Request) -> Response:
        await run_in_threadpool(studio.refresh)
        return JSONResponse(await run_in_threadpool(studio.sheet))

    async def open_episode(request: Request) -> Response:
        path = _field(await _json(request), "path", str)
        await run_in_threadpool(studio.open, path)
        return JSONResponse(await run_in_threadpool(studio.sheet))

    async def hear(request: Request) -> Response:
        data = await _json(request)
        parts = await run_in_threadpool(studio.hear, _field(data, "index", int), _field(data, "text", str, False),
                                        _field(data, "delivery", str, False))
        return _parts(parts)

    async def audition(request: Request) -> Response:
        data = await _json(request)
        parts = await run_in_threadpool(studio.audition, _field(data, "character", str), _field(data, "voice", str),
                                        _field(data, "text", str, False))
        return _parts(parts)

    async def clip(request: Request) -> Response:
        wav = await run_in_threadpool(studio.hearing.clip, request.path_params["clip"])
        if wav is None:
            raise Refused(404, "that clip is gone (another line was asked for since): click the line again.")
        return Response(wav, media_type="audio/wav", headers={"Cache-Control": "no-store"})

    return [Route("/api/episode", sheet), Route("/api/open", open_episode, methods=["POST"]),
            Route("/api/hear", hear, methods=["POST"]), Route("/api/audition", audition, methods=["POST"]),
            Route("/api/clip/{clip}", clip)]


def _saving_routes(studio: Studio) -> list[Route]:
    async def save_script(request: Request) -> Response:
        data = await _json(request)
        edits = [Edit(_field(e, "line", int), _field(e, "old", str), _field(e, "new", str))
                 for e in _field(data, "edits", list) if isinstance(e, dict)]
        await run_in_threadpool(studio.save_script, edits, _field(data, "digest", str))
        return JSONResponse(await run_in_threadpool(studio.sheet))

    async def cast(request: Request) -> Response:
        await run_in_threadpool(studio.refresh)
        return JSONResponse(await run_in_threadpool(studio.cast))

    async def save_cast(request: Request) -> Response:
        data = await _json(request)
        await run_in_threadpool(studio.save_cast, _field(data, "character", str), _field(data, "settings", dict),
                                _field(data, "delivery", str, False), _field(data, "digest", str))
        return JSONResponse(await run_in_threadpool(studio.cast))

    return [Route("/api/save", save_script, methods=["POST"]), Route("/api/cast", cast),
            Route("/api/cast", save_cast, methods=["POST"])]


def _render_routes(studio: Studio) -> list[Route]:
    async def render(request: Request) -> Response:
        data = await _json(request)
        if not await run_in_threadpool(studio.render, bool(data.get("season"))):
            raise Refused(409, "a render is already running: wait for it, or cancel it.")
        return JSONResponse({"render": studio.jobs.snapshot()})

    async def render_state(request: Request) -> Response:
        return JSONResponse({"render": studio.jobs.snapshot(), "warm": studio.hearing.warm.is_set()})

    async def cancel(request: Request) -> Response:
        studio.jobs.cancel()
        return JSONResponse({"render": studio.jobs.snapshot()})

    async def files(request: Request) -> Response:
        path = inside(studio.root, request.path_params["path"])
        if not path.is_relative_to((studio.root / OUTPUT).resolve()):
            raise Refused(403, f"the studio serves only its renders ({OUTPUT.as_posix()}/), not other files.")
        if not path.is_file():
            raise Refused(404, f"{request.path_params['path']} has not been rendered yet.")
        return FileResponse(path, headers={"Content-Security-Policy": _FILES_POLICY, "Referrer-Policy": "no-referrer",
                                           "X-Content-Type-Options": "nosniff"})

    return [Route("/api/render", render_state), Route("/api/render", render, methods=["POST"]),
            Route("/api/render/cancel", cancel, methods=["POST"]), Route("/files/{path:path}", files)]

