"""The studio: saving edits byte for byte, and the whole loop in Debian's Chromium against a real
`episode studio` (draft cast): hear a line, edit its words and hear the new ones, save, change a
character's voice, render with progress, open the listen page; axe-core finds nothing serious.

Browser tests need ``chromium`` and Playwright's Python package and skip without them (they fail
instead with EPISODE_REQUIRE_BROWSER=1, as in .ci/run).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import AXE, DRAFT_CAST
from studio_helpers import Server, make_project, studio

from episode_renderer.errors import ConfigError, ScriptError
from episode_renderer.studio.edits import BACKUPS, ChangedOnDisk, Edit, digest, edited_cast, edited_text, save
from episode_renderer.studio.hearing import sentences
from episode_renderer.studio.safety import Refused, inside

pytest.importorskip("starlette")
pytest.importorskip("tomlkit")
pytestmark = pytest.mark.slow  # a real `episode studio` process, and Chromium



# --- saving, without a server ------------------------------------------------------------------

def test_an_edit_changes_its_line_and_nothing_else():
    text = "\ufeff---\r\ntitle: x\r\n---\r\n\r\nIt was me.   Risk.\r\n<!-- keep -->\r\nlast line without ending"
    edited = edited_text(text, [Edit(5, "It was me.", "It was the cat.")], "ep.md")
    assert edited == text.replace("It was me.", "It was the cat.")
    assert edited_text(text, [Edit(7, "ending", "end")], "ep.md").endswith("without end")
    for bad in (Edit(5, "It was you.", "x"), Edit(99, "x", "y"), Edit(5, "It was me.", "two\nlines"),
                Edit(1, "-", "x")):  # not there, no such line, a line break, not once on its line
        with pytest.raises(ScriptError):
            edited_text(text, [bad], "ep.md")


def test_a_save_keeps_a_backup_and_refuses_a_file_changed_on_disk(tmp_path):
    script = tmp_path / "episodes" / "ep.md"
    script.parent.mkdir()
    script.write_bytes(b"line one\nline two\n")
    loaded = digest(script.read_bytes())
    new = save(tmp_path, script, loaded, b"line one\nline 2\n")
    assert script.read_bytes() == b"line one\nline 2\n" and new == digest(b"line one\nline 2\n")
    backups = list((tmp_path / BACKUPS / "episodes").iterdir())
    assert [b.read_bytes() for b in backups] == [b"line one\nline two\n"] and backups[0].name.startswith("ep.md.")
    script.write_bytes(b"changed by another editor\n")
    with pytest.raises(ChangedOnDisk, match="changed on disk"):
        save(tmp_path, script, new, b"mine\n")
    assert script.read_bytes() == b"changed by another editor\n"
    assert not [p for p in script.parent.iterdir() if p.name.startswith(".")]  # no temp file left


def _changes(before: str, after: str) -> list[str]:
    """The lines removed (-) and added (+) between two texts."""
    import difflib

    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_cast_edits_keep_every_other_byte():
    text = DRAFT_CAST.read_text("utf-8")
    changed = edited_cast(text, "Human", {"engine": "kokoro", "voice": "am_adam", "speed": 1.1}, None, "cast.toml",
                          DRAFT_CAST.parent)
    assert _changes(text, changed) == ["-speed = 0.98", "+speed = 1.1", '+engine = "kokoro"', '+voice = "am_adam"']
    at = changed.splitlines().index('voice = "am_adam"')
    assert changed.splitlines()[at + 2].startswith("# Deeper")  # above the next table's comment, not below it
    recipe = edited_cast(text, "Vector", {"prosody": "af_heart", "amount": 0.5}, "excited", "cast.toml",
                         DRAFT_CAST.parent)
    assert "\n\n[characters.Vector.delivery.excited]\nprosody = \"af_heart\"\namount = 0.5\n" in recipe
    assert recipe.replace("\n[characters.Vector.delivery.excited]\nprosody = \"af_heart\"\namount = 0.5\n", "") == text
    with pytest.raises(ConfigError, match="no Kokoro voice named am_nobody"):
        edited_cast(text, "Human", {"engine": "kokoro", "voice": "am_nobody"}, None, "cast.toml", DRAFT_CAST.parent)
    with pytest.raises(ConfigError, match="effects"):
        edited_cast(text, "Human", {"effects": []}, None, "cast.toml", DRAFT_CAST.parent)


def test_a_new_line_is_heard_a_sentence_at_a_time():
    assert sentences("It was me. I thought the room looked lonely.") == ["It was me.", "I thought the room looked lonely."]
    assert sentences("When the lamp went out at midnight, we all looked at the purple giraffe.") == \
        ["When the lamp went out at midnight,", "we all looked at the purple giraffe."]
    assert sentences("Hi. Yes. Fine then.") == ["Hi. Yes. Fine then."]  # pieces under three words join the next


def test_paths_stay_in_the_project(tmp_path):
    (tmp_path / "episodes").mkdir()
    (tmp_path / "episodes" / "a.md").write_text("x")
    assert inside(tmp_path, "episodes/a.md") == (tmp_path / "episodes" / "a.md").resolve()
    for bad in ("../a.md", "/etc/passwd", "episodes/../../a.md", "", "a\x00b"):
        with pytest.raises(Refused):
            inside(tmp_path, bad)


# --- the server and the browser -----------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("studio"))


@pytest.fixture(scope="module")
def server(project, tmp_path_factory) -> Iterator[Server]:
    with studio(project, cache=tmp_path_factory.mktemp("studio-cache")) as running:
        yield running


def _open(browser: Any, server: Server, **options: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(**options)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: r.url.startswith(server.base) or problems.append(f"network: {r.url}"))
    page.on("response", lambda r: r.status < 400 or problems.append(f"{r.status}: {r.url}"))
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]")
    assert "token" not in page.url  # the address bar (and history) lose the token
    return context, page, problems


def _heard(page: Any, count: int) -> bytes:
    """Wait until the ``count``-th line heard has started sounding; its first clip, as WAV bytes."""
    page.wait_for_function(f"() => window.studioTimings.length >= {count}")  # its first clip is playing
    page.wait_for_function("() => { const a = document.getElementById('player'); return a.currentTime > 0; }")
    url = page.evaluate(f"window.studioTimings[{count - 1}].src")  # that first clip, whatever plays now
    assert "/api/clip/" in url
    samples = page.evaluate("""async (url) => {
        const data = await (await fetch(url)).arrayBuffer();
        const audio = await new AudioContext().decodeAudioData(data);
        const x = audio.getChannelData(0);
        let sum = 0; for (const v of x) sum += v * v;
        return {rms: Math.sqrt(sum / x.length), seconds: audio.duration}; }""", url)
    assert samples["rms"] > 0.01 and samples["seconds"] > 0.2, samples  # real speech, not silence
    return page.evaluate("""async (url) => {
        const data = new Uint8Array(await (await fetch(url)).arrayBuffer());
        return Array.from(data); }""", url)


def _words_heard(wav: bytes, tmp: Path) -> str:
    """What Whisper hears in a clip; without the [quality] extra, skip."""
    pytest.importorskip("faster_whisper")
    from episode_renderer.quality import transcribe

    path = tmp / "clip.wav"
    path.write_bytes(bytes(wav))
    return transcribe(path).lower()


def _item(page: Any, speaker: str) -> Any:
    return page.locator(".ev", has=page.locator(".who", has_text=speaker)).filter(has=page.locator("button.say")).first


def test_a_season_renders_and_publishes_its_listen_pages(server, project):
    server.api("POST", "/api/render", {"season": True})
    state = server.api("GET", "/api/render")["render"]
    while state["status"] == "running":
        time.sleep(0.1)
        state = server.api("GET", "/api/render")["render"]
    assert state["status"] == "done" and state["kind"] == "season", state
    assert state["page"] == "output/studio/index.html"
    status, _headers, index = server.request("GET", "/files/" + state["page"])
    assert status == 200 and b"Lamps &amp; Lanterns" in index and b"Maps" in index
    assert json.loads((project / "output" / "studio" / "season.json").read_text("utf-8"))["episodes"]


def test_hear_edit_save_and_change_a_voice(browser, server, project, tmp_path):
    script = project / "episodes" / "ep-01-lamps.md"
    original = script.read_bytes()
    context, page, problems = _open(browser, server)
    try:
        kai = _item(page, "Kai")
        assert "Risk at 3 percent" in kai.inner_text()
        assert page.locator(".ev.kind-cue").first.inner_text().count("sound: soft-chime") == 1  # what the cue became
        assert "delivery: excited" in _item(page, "Vector").inner_text()
        assert "has no voice in the cast" in _item(page, "Ghost").inner_text()  # episode check's warning, inline
        assert kai.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(16, 185, 129)"  # show.toml's colour

        kai.locator("button.say").focus()
        page.keyboard.press("Enter")  # keyboard first: Enter hears the focused line
        _heard(page, 1)

        kai.locator("button.edit").click()
        words = page.locator("input.words")
        assert words.input_value() == "It was me.   Risk   at 3 percent."  # as written, spaces and all
        words.fill("The purple giraffe sings at midnight.   Risk   at 3 percent.")
        words.press("Enter")  # hear the edit before keeping it
        heard = _words_heard(_heard(page, 2), tmp_path)
        assert "giraffe" in heard and "midnight" in heard, heard
        page.locator("button.keep").click()
        page.keyboard.press("Control+s")
        page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Saved')")
        saved = script.read_bytes()
        assert saved == original.replace(b"It was me.", b"The purple giraffe sings at midnight.")
        backups = list((project / ".studio-backups" / "episodes").glob("ep-01-lamps.md.*"))
        assert [b.read_bytes() for b in backups] == [original]

        script.write_bytes(saved + b"\r\nAdded in another editor.\r\n")  # changed behind the page's back
        _item(page, "Vector").locator("button.edit").click()
        page.locator("input.words").fill("That was us!")
        page.locator("button.keep").click()
        page.locator("#save").click()
        page.wait_for_function("() => document.getElementById('error').textContent.includes('changed on disk')")
        assert script.read_bytes() == saved + b"\r\nAdded in another editor.\r\n"  # refused, untouched
        refused = [f"409: {server.base}/api/save", "console: Failed to load resource: the server responded with a "
                   "status of 409 (Conflict)"]
        assert [p for p in problems if p in refused] == refused
        problems[:] = [p for p in problems if p not in refused]

        page.reload()  # takes the file as it is now: the same edit is then saved over the other editor's
        page.wait_for_selector("body[data-ready=true]")
        _item(page, "Vector").locator("button.edit").click()
        page.locator("input.words").fill("That was us!")
        page.locator("button.keep").click()
        page.locator("#save").click()
        page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Saved')")
        assert script.read_bytes() == saved.replace(b"That was me! I love lanterns.", b"That was us!") + \
            b"\r\nAdded in another editor.\r\n"
        cast_file = project / "voices" / "cast.toml"
        before = cast_file.read_text("utf-8")
        page.select_option("#character", "Human")
        assert page.locator("#voice-list li").count() == 28  # every Kokoro voice, each to hear in place
        page.select_option("#voice", "am_adam")
        page.locator("#audition").click()  # the voice heard in place before it is chosen
        _heard(page, 1)
        page.locator("#save-cast").click()
        page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Saved Human')")
        after = cast_file.read_text("utf-8")
        assert _changes(before, after) == ['+engine = "kokoro"', '+voice = "am_adam"']
        _item(page, "Human").locator("button.say").click()  # the change heard on the character's own line
        _heard(page, 2)
        assert server.api("GET", "/api/cast")["characters"][0]["name"] == "Human"
        assert problems == [], "\n".join(problems)
    finally:
        context.close()


def test_render_with_progress_survives_a_reload_and_opens_the_listen_page(browser, server, project):
    context, page, problems = _open(browser, server)
    try:
        page.select_option("#episode", "episodes/ep-02-maps.md")
        page.wait_for_function("() => document.getElementById('title').textContent === 'Maps'")
        page.locator("#render").click()
        page.reload()  # the render goes on: its state lives in the server
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_selector("#result:not([hidden])", timeout=120_000)
        assert page.evaluate("document.getElementById('progress').value") == 1
        assert "Rendered" in page.locator("#render-state").inner_text()
        with context.expect_page() as opened:
            page.locator("#result").click()
        listen = opened.value
        listen.wait_for_load_state("load")
        assert listen.url.endswith("/files/output/studio/ep-02-maps.html")
        listen.wait_for_function("() => document.getElementById('player').readyState >= 1")
        assert "Can you draw a map?" in listen.locator("#transcript").inner_text()
        assert (project / "output" / "studio" / "ep-02-maps.mp3").stat().st_size > 10_000
        assert problems == []
    finally:
        context.close()


def test_a_render_can_be_cancelled(server, project):
    long = "---\ntitle: Long\nepisode_number: 3\n---\n\n" + "".join(
        f"{{{{< dialogue char=\"Kai\" >}}}}\nAnswer number {n}: the lamp is still on in room {n}.\n{{{{< /dialogue >}}}}\n\n"
        for n in range(1, 25))  # Kai keeps the draft cast's Piper voice (Human was moved to Kokoro above)
    (project / "episodes" / "ep-03-long.md").write_text(long, "utf-8")
    server.api("POST", "/api/open", {"path": "episodes/ep-03-long.md"})
    server.api("POST", "/api/render", {"season": False})
    state = server.api("GET", "/api/render")["render"]
    while state["status"] == "running" and state["done"] < 1:  # a state, not a time: the first lines are made
        time.sleep(0.05)
        state = server.api("GET", "/api/render")["render"]
    server.api("POST", "/api/render/cancel", {})
    while state["status"] == "running":
        time.sleep(0.05)
        state = server.api("GET", "/api/render")["render"]
    assert state["status"] == "cancelled", state
    assert not list((project / "output" / "studio").glob("ep-03-long*"))  # nothing half-written


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, server, scheme):
    server.api("POST", "/api/open", {"path": "episodes/ep-01-lamps.md"})
    context, page, problems = _open(browser, server, color_scheme=scheme)
    try:
        page.locator("#voices summary").click()  # the voice list open
        _item(page, "Kai").locator("button.edit").click()  # an open editor too
        page.evaluate(AXE.read_text("utf-8"))  # as a script tag it would be refused: the page allows no inline script
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        assert problems == []
    finally:
        context.close()


def test_a_delivery_is_heard_on_a_line(server):
    sheet = server.api("POST", "/api/open", {"path": "episodes/ep-01-lamps.md"})
    line = next(e for e in sheet["events"] if e["voiced"] and e["speaker"] == "Kai")  # Piper: quick
    plain = server.api("POST", "/api/hear", {"index": line["index"]})["parts"]
    whispered = server.api("POST", "/api/hear", {"index": line["index"], "delivery": "whisper"})["parts"]
    clips = [server.request("GET", f"/api/clip/{parts[0]['id']}")[2] for parts in (plain, whispered)]
    assert all(clip.startswith(b"RIFF") and len(clip) > 20_000 for clip in clips) and clips[0] != clips[1]


def test_without_its_packages_the_studio_says_how_to_install_them(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from episode_renderer.cli import app
    from episode_renderer.studio import app as studio_app

    monkeypatch.setattr(studio_app, "missing_dependencies", lambda: "starlette, uvicorn")
    result = CliRunner().invoke(app, ["studio", str(tmp_path)])
    assert result.exit_code == 2 and "pip install" in result.output and "[studio]" in result.output
    assert "Traceback" not in result.output


def test_a_script_that_cannot_be_read_is_one_error_and_the_studio_stays(server, project):
    before = server.api("POST", "/api/open", {"path": "episodes/ep-01-lamps.md"})
    (project / "episodes" / "ep-09-wide.md").write_bytes("---\ntitle: Wide\n---\n\nHello.\n".encode("utf-16"))
    status, _headers, body = server.request("POST", "/api/open", {"path": "episodes/ep-09-wide.md"})
    assert status == 400 and "UTF-16" in json.loads(body)["error"] and b"Traceback" not in body
    assert server.api("GET", "/api/episode")["file"] == before["file"]


def test_a_script_removed_on_disk_leaves_the_studio_usable(server, project):
    """Another program deletes the open script: the sheet still loads (as last read), a save says the
    file is gone (one plain error), and another episode opens."""
    copy = project / "episodes" / "ep-08-gone.md"
    copy.write_bytes((project / "episodes" / "ep-01-lamps.md").read_bytes())
    opened = server.api("POST", "/api/open", {"path": "episodes/ep-08-gone.md"})
    copy.unlink()
    assert server.api("GET", "/api/episode")["file"] == opened["file"]
    line = next(e for e in opened["events"] if e.get("kind") == "line")
    status, _headers, body = server.request("POST", "/api/save", {"digest": opened["digest"], "edits": [
        {"line": line["line"], "old": line["text"], "new": "Gone already."}]})
    assert 400 <= status < 500 and b"Traceback" not in body and "not found" in json.loads(body)["error"]
    assert server.api("POST", "/api/open", {"path": "episodes/ep-01-lamps.md"})["file"] != opened["file"]
