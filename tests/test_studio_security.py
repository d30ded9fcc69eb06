"""The studio's safety, over plain HTTP against a real `episode studio`: the token on every request,
state changes only with the token in a header and from the studio's own origin, every path inside
the project folder, one plain error page, and nothing listening but on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from studio_helpers import Server, make_project, studio

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytestmark = pytest.mark.slow  # each starts a real `episode studio` process


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("studio-security")
    root = make_project(base)
    secret = base / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("---\ntitle: Secret\n---\n\n**[Human]:** *The launch code is 4242.*\n", "utf-8")
    (root / "episodes" / "link-out.md").symlink_to(secret)
    (root / "output" / "studio").mkdir(parents=True)
    (root / "output" / "studio" / "leak.txt").symlink_to(secret)
    (root / "output" / "studio" / "mine.txt").write_text("rendered here", "utf-8")
    return root


@pytest.fixture(scope="module")
def server(project, tmp_path_factory) -> Iterator[Server]:
    with studio(project, cache=tmp_path_factory.mktemp("studio-cache")) as running:
        yield running


GETS = ["/", "/static/studio.js", "/api/episode", "/api/cast", "/api/render", "/api/clip/c1",
        "/files/output/studio/mine.txt"]


@pytest.mark.parametrize("path", GETS)
def test_every_request_needs_the_token(server, path):
    status, _headers, body = server.request("GET", path, token=False)
    assert status == 401 and b"token" in body
    status, _headers, body = server.request("GET", path, token=False, headers={"X-Studio-Token": "wrong"})
    assert status == 403 and b"wrong" in body
    status, _headers, _body = server.request("GET", f"{path}?token=not-{server.token}", token=False)
    assert status == 403


def test_the_printed_address_sets_a_cookie_for_the_page(server):
    status, headers, body = server.request("GET", f"/?token={server.token}", token=False)
    assert status == 200 and b"studio.js" in body
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert headers["referrer-policy"] == "no-referrer" and "frame-ancestors 'none'" in headers["content-security-policy"]
    pair = cookie.split(";")[0]
    status, _headers, _body = server.request("GET", "/api/episode", token=False, headers={"Cookie": pair})
    assert status == 200
    # a cookie is enough to read, never to change: a state-changing request needs the header
    status, _headers, body = server.request("POST", "/api/hear", {"index": 0}, token=False, headers={"Cookie": pair})
    assert status == 401
    status, _headers, _body = server.request("POST", f"/api/hear?token={server.token}", {"index": 0}, token=False)
    assert status == 401


def test_a_cross_origin_post_is_refused(server, project):
    script = project / "episodes" / "ep-01-lamps.md"
    before = script.read_bytes()
    digest = server.api("GET", "/api/episode")["digest"]
    edit = {"edits": [{"line": 8, "old": "Who left the lamp on?", "new": "Pwned?"}], "digest": digest}
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": f"http://127.0.0.1:{server.port + 1}"}):
        status, _headers, body = server.request("POST", "/api/save", edit, headers=headers)
        assert status == 403, (headers, body)
    assert script.read_bytes() == before
    status, _headers, body = server.request("POST", "/api/save", b"<form>not json</form>",
                                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"JSON" in body and script.read_bytes() == before


def test_another_host_name_is_refused(server):
    """DNS rebinding: a page at evil.example whose name now points to 127.0.0.1."""
    status, _headers, _body = server.request("GET", f"/?token={server.token}", headers={"Host": "evil.example"})
    assert status == 403
    status, _headers, _body = server.request("GET", "/api/episode", headers={"Host": f"evil.example:{server.port}"})
    assert status == 403


@pytest.mark.parametrize("path", ["../outside/secret.md", "episodes/../../outside/secret.md", "/etc/passwd",
                                  "~/secret.md", "episodes/link-out.md", "C:/secret.md", "episodes\\..\\x.md"])
def test_opening_a_path_outside_the_project_is_refused(server, path):
    status, _headers, body = server.request("POST", "/api/open", {"path": path})
    assert status in (400, 403), body
    assert b"4242" not in body and b"Traceback" not in body
    assert json.loads(body)["error"]


@pytest.mark.parametrize("path", ["/files/output/studio/leak.txt", "/files/../outside/secret.md",
                                  "/files/output/studio/..%2f..%2f..%2foutside%2fsecret.md", "/files//etc/passwd",
                                  "/files/episodes/ep-01-lamps.md", "/files/voices/cast.toml"])
def test_files_outside_the_renders_are_not_served(server, path):
    status, _headers, body = server.request("GET", path)
    assert status in (400, 403, 404), (path, status)
    assert b"4242" not in body and b"root:" not in body and b"[defaults]" not in body
    assert b"<h1>The studio could not do that</h1>" in body  # the one plain error page
    status, _headers, body = server.request("GET", "/files/output/studio/mine.txt")
    assert status == 200 and body == b"rendered here"


def test_errors_are_one_plain_page_never_a_traceback(server):
    for method, path, body in (("GET", "/no/such/page", None), ("POST", "/api/hear", {"index": 9999}),
                               ("POST", "/api/hear", {"index": "x"}), ("GET", "/api/clip/c999999", None),
                               ("POST", "/api/open", {"path": "episodes/none.md"}), ("DELETE", "/api/episode", None)):
        status, _headers, data = server.request(method, path, body)
        assert 400 <= status < 500, (path, status)
        assert b"Traceback" not in data and b"File \"" not in data


def _listening(port: int) -> list[str]:
    """The local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.append(address)
    return found


def _own_addresses() -> list[str]:
    """This machine's IPv4 addresses that are not loopback."""
    found = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only the route is looked up
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    try:
        found |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


def test_it_listens_on_loopback_only(server):
    if Path("/proc/net/tcp").exists():
        assert _listening(server.port) == ["0100007F"]  # 127.0.0.1, and nothing else (no 0.0.0.0, no ::)
    for address in _own_addresses() + ["127.0.0.2"]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.settimeout(3)
            assert client.connect_ex((address, server.port)) != 0, f"reachable on {address}"


def test_bad_arguments_are_one_error_before_any_work(project, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "EPISODE_CAST"}
    for args in (["studio", str(tmp_path / "none.md")], ["studio", str(tmp_path)]):
        done = subprocess.run([sys.executable, "-m", "episode_renderer.cli", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done
        assert "Traceback" not in done.stderr and "error:" in done.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        done = subprocess.run([sys.executable, "-m", "episode_renderer.cli", "studio", str(project / "episodes"),
                               "--port", str(taken.getsockname()[1])], cwd=project, env=env, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2 and "--port" in done.stderr and "Traceback" not in done.stderr
