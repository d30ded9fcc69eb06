"""The listen pages: built from a rendered fixture season, checked as HTML and in a real headless Chromium.

One season (two tiny episodes) is rendered per test session. Browser tests need Debian's
``chromium`` and Playwright's Python package (never ``playwright install``: the system browser is
used); they skip when either is missing, and ``.ci/run`` installs both.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import AXE, FIXTURES, ROOT
from typer.testing import CliRunner

from episode_renderer.cli import app
from episode_renderer.config import parse_show
from episode_renderer.errors import ConfigError
from episode_renderer.export.paths import page_name
from episode_renderer.colors import DARK_BACKGROUNDS, LIGHT_BACKGROUNDS, contrast, readable
from episode_renderer.export.site import Entry, EpisodePage, episode_page, index_page


EPISODES = {
    "ep-01-lamps.md": """---
title: "Lamps & <Lanterns>"
date: 2026-02-03T09:00:00-05:00
type: "episode"
episode_number: 1
description: "Who left the <b>lamp</b> on?"
---

**[Human]:** *Who left the lamp on?*

{{< dialogue char="Kai" >}}
*soft chime*

It was me. Risk at 3 < 4 percent.
{{< /dialogue >}}

**[Human]:** *And the lantern?*

{{< dialogue char="Vector" >}}
That was me! I love lanterns.
{{< /dialogue >}}
""",
    "ep-02-maps.md": """---
title: "Maps"
date: 2026-02-10
episode_number: 2
description: "A map of the kitchen."
---

**[Human]:** *Can you draw a map?*

{{< dialogue char="Vector" >}}
Only of the kitchen!
{{< /dialogue >}}
""",
}
SHOW = """[show]
name = "Bots & Bolts"
description = "Tiny episodes for testing the listen pages."
base_url = "https://example.com/listen/"

[sound]
intro = "intro-sting"
outro = ""

[timing]
chapter_min = 1.0

[colors]
Vector = "#f59e0b"

[site]
characters = "{characters}"
"""

runner = CliRunner()


# --- the season ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def season(tmp_path_factory) -> Path:
    """A rendered two-episode season with its listen pages; rendered once per session."""
    base = tmp_path_factory.mktemp("listen")
    folder, out = base / "episodes", base / "out"
    folder.mkdir()
    for name, text in EPISODES.items():
        (folder / name).write_text(text, "utf-8")
    show = base / "show.toml"
    show.write_text(SHOW.format(characters=(FIXTURES / "characters").as_posix()), "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        result = runner.invoke(app, ["season", str(folder), "-o", str(out), "--jobs", "2", "--show", str(show),
                                     "--cache-dir", str(base / "cache")])
    assert result.exit_code == 0, result.output
    return out


def _transcript(out: Path, stem: str) -> dict[str, Any]:
    return json.loads((out / f"{stem}.json").read_text("utf-8"))


def _attrs(html: str, cls: str) -> list[dict[str, str]]:
    found = []
    for tag in re.findall(rf'<li class="{cls}[^"]*"[^>]*>', html):
        found.append(dict(re.findall(r'([\w-]+)="([^"]*)"', tag)))
    return found


def test_season_writes_the_pages(season):
    for name in ("index.html", "ep-01-lamps.html", "ep-02-maps.html", "site.css", "site.js"):
        assert (season / name).is_file(), name
    index = (season / "index.html").read_text("utf-8")
    assert index.index("ep-02-maps.html") < index.index("ep-01-lamps.html")  # newest first
    assert "Lamps &amp; &lt;Lanterns&gt;" in index and "<Lanterns>" not in index
    assert '<a href="feed.xml">' in index
    links = [item.findtext("link") for item in ET.parse(season / "feed.xml").getroot().iter("item")]
    assert sorted(link.rsplit("/", 1)[-1] for link in links) == ["ep-01-lamps.html", "ep-02-maps.html"]


def test_segments_follow_the_data_contract(season):
    html = (season / "ep-01-lamps.html").read_text("utf-8")
    data = _transcript(season, "ep-01-lamps")
    segments = _attrs(html, "seg")
    assert [(float(s["data-start"]), float(s["data-end"])) for s in segments] == \
        [(s["startTime"], s["endTime"]) for s in data["segments"]]
    cues = _attrs(html, "cue")
    assert [float(c["data-start"]) for c in cues] == sorted(s["startTime"] for s in data["sounds"])
    assert all("data-end" not in c for c in cues)
    assert "soft chime" in html and "Intro music" in html
    chapters = json.loads((season / "ep-01-lamps.chapters.json").read_text("utf-8"))["chapters"]
    starts = [float(v) for v in re.findall(r'<a href="[^"]*" data-start="([\d.]+)"', html)]
    assert starts == [c["startTime"] for c in chapters] and len(starts) >= 2


def test_script_text_is_escaped(season):
    html = (season / "ep-01-lamps.html").read_text("utf-8")
    assert "<b>lamp</b>" not in html and "Who left the &lt;b&gt;lamp&lt;/b&gt; on?" in html
    assert "Risk at 3 &lt; 4 percent." in html and "<Lanterns>" not in html


def test_speakers_take_the_character_colours(season):
    html = (season / "ep-01-lamps.html").read_text("utf-8")
    style = re.search(r"<style>(.*?)</style>", html).group(1)
    classes = {who: cls for cls, who in re.findall(r'class="seg (s\d+)[^"]*".*?class="who">([^<]+)<', html)}
    rules = dict(re.findall(r"\.(s\d+)\{--swatch:(#[0-9a-f]{6})", style))
    assert rules[classes["Kai"]] == "#10b981"  # the character sheet
    assert rules[classes["Human"]] == "#64748b"  # "Human Blogger"'s sheet, by its first word
    assert rules[classes["Vector"]] == "#f59e0b"  # show.toml's [colors] wins over the sheet


def test_site_command_rebuilds_the_pages(season, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(season, copy)
    for page in copy.glob("*.html"):
        page.unlink()
    stale = copy / "ep-00-gone.html"
    stale.write_text((season / "ep-02-maps.html").read_text("utf-8"), "utf-8")
    (copy / "about.html").write_text("<!doctype html><title>Ours, not the renderer's</title>", "utf-8")
    show = tmp_path / "show.toml"
    show.write_text(SHOW.format(characters=(FIXTURES / "characters").as_posix()), "utf-8")
    result = runner.invoke(app, ["site", str(copy), "--show", str(show)])
    assert result.exit_code == 0, result.output
    for name in ("index.html", "ep-01-lamps.html", "ep-02-maps.html"):
        assert (copy / name).read_text("utf-8") == (season / name).read_text("utf-8")
    assert not stale.exists() and (copy / "about.html").exists()  # only pages it wrote are removed


def test_site_command_without_a_season(tmp_path):
    result = runner.invoke(app, ["site", str(tmp_path)])
    assert result.exit_code == 2 and "season.json" in result.output and "episode season" in result.output


def test_a_compound_cue_is_shown_once(tmp_path):
    from episode_renderer.export.site import read_episode

    sounds = [{"sound": "whirr", "startTime": 1.0, "endTime": 1.5, "cue": "*WHIRR-CLICK*", "line": 12},
              {"sound": "click", "startTime": 1.6, "endTime": 1.7, "cue": "*WHIRR-CLICK*", "line": 12},
              {"sound": "click", "startTime": 5.0, "endTime": 5.1, "cue": "_CLICK_", "line": 20}]
    (tmp_path / "e.json").write_text(json.dumps({"segments": [], "sounds": sounds}), "utf-8")
    page = read_episode(tmp_path, {"file": "e.mp3", "transcript": "e.json"})
    assert [(e.start, e.body) for e in page.entries] == [(1.0, "WHIRR-CLICK"), (5.0, "CLICK")]


def test_missing_sidecars_still_make_a_page(season, tmp_path):
    from episode_renderer.export.site import write_site

    copy = tmp_path / "out"
    shutil.copytree(season, copy)
    (copy / "ep-02-maps.json").unlink()
    (copy / "ep-02-maps.chapters.json").write_text("{not json", "utf-8")
    write_site(copy)
    html = (copy / "ep-02-maps.html").read_text("utf-8")
    assert "No transcript was published" in html and 'class="chapters"' not in html
    assert 'src="ep-02-maps.mp3"' in html and "<track" in html


# --- pieces -------------------------------------------------------------------------------------

def test_colours_are_validated(tmp_path):
    show = parse_show('[colors]\nKai = "#10B981"\n"Human Blogger" = "#abc"\n', "show.toml", tmp_path)
    assert show.colors == {"kai": "#10b981", "human blogger": "#aabbcc"}
    for bad in ('"green"', '"#12345"', '"#1234567"', "12", '"#10b981; background: red"'):
        with pytest.raises(ConfigError, match=r"\[colors\]"):
            parse_show(f"[colors]\nKai = {bad}\n", "show.toml", tmp_path)
    with pytest.raises(ConfigError, match=r"\[site\]"):
        parse_show('[site]\ncharacter = "x"\n', "show.toml", tmp_path)


def test_sheet_colours_are_read_when_the_project_loads(tmp_path):
    sheets = tmp_path / "characters"
    shutil.copytree(FIXTURES / "characters", sheets)
    show = parse_show('[site]\ncharacters = "characters"\n[colors]\nKai = "#000000"\n', "show.toml", tmp_path)
    assert show.colors["kai"] == show.colors["k-4101"] == "#000000"  # [colors] wins, under every name
    assert show.colors["human"] == show.colors["human blogger"] == "#64748b"
    (sheets / "kai.yaml").write_text('name: "Kai"\ncolor: "rgb(16, 185, 129)"\n')
    with pytest.raises(ConfigError, match="the sheet of Kai"):
        parse_show('[site]\ncharacters = "characters"\n', "show.toml", tmp_path)


@pytest.mark.parametrize("color", ["#f59e0b", "#10b981", "#ffffff", "#000000", "#3b82f6", "#ffff00"])
def test_names_are_legible_in_both_themes(color):
    for backgrounds in (LIGHT_BACKGROUNDS, DARK_BACKGROUNDS):
        text = readable(color, backgrounds)
        assert all(contrast(text, bg) >= 4.5 for bg in backgrounds), (color, text)
    assert readable("#1c1c21", LIGHT_BACKGROUNDS) == "#1c1c21"  # already legible: untouched


def test_pages_from_data_escape_everything():
    page = EpisodePage(stem="a b#c", title='<script>alert("t")</script>', number=3, date="not a date",
                       description="x & y", duration=75.0,
                       files={"mp3": "a b#c.mp3", "transcript": "a b#c.json"},
                       chapters=[(0.0, "<i>one</i>")],
                       entries=[Entry(0.5, 2.0, '<img src=x onerror="1">', "</li><li id=evil>"),
                                Entry(1.0, None, body="<s>")])
    html = episode_page(page, {"name": "<Show>", "base_url": "javascript:alert(1)"}, {})
    assert "<script>alert" not in html and "<img" not in html and "<li id=evil>" not in html and "<s>" not in html
    assert "<i>" not in html and "&lt;Show&gt;" in html
    assert 'src="a%20b%23c.mp3"' in html and "javascript:" not in html  # no canonical link to a non-http base
    assert "<Show>" not in index_page({"name": "<Show>"}, [page]) and "a%20b%23c.html" in index_page({}, [page])
    assert page_name("index") != "index.html"


def test_the_index_is_newest_first_by_date_then_number():
    def episode(stem: str, number: float | None, date: str | None) -> EpisodePage:
        return EpisodePage(stem, stem, number, date, None, 60.0, {"mp3": f"{stem}.mp3"})

    pages = [episode("a", 1, "2026-01-01"), episode("b", 35.5, "2026-03-01T10:00:00-05:00"), episode("c", 2, None),
             episode("d", 3, "2026-02-01"), episode("e", None, None), episode("f", 36.0, None)]
    html = index_page({}, pages)
    assert re.findall(r'<h2><a href="(\w)\.html"', html) == ["b", "d", "a", "f", "c", "e"]
    assert "Episode 35.5 ·" in html and "Episode 36 ·" in html


# --- in the browser -----------------------------------------------------------------------------

class Watched:
    """A page with everything that went wrong while it loaded: console errors, failed or remote requests.

    With ``preload="metadata"`` Chromium reads the MP3 until it has the metadata and then cancels
    the rest of the read (net::ERR_ABORTED on a media request): a suspend by design, not a failure.
    Such a cancellation counts only if the player then has no metadata or reports an error.
    """

    def __init__(self, browser: Any, local: tuple[str, ...] = ("file:", "data:"), **options: Any) -> None:
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.suspended: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("request", lambda r: r.url.startswith(local)
                     or self.problems.append(f"network: {r.url}"))

    def _failed(self, request: Any) -> None:
        if request.resource_type == "media" and request.failure == "net::ERR_ABORTED":
            self.suspended.append(request.url)
        else:
            self.problems.append(f"failed: {request.url} {request.failure}")

    def open(self, path: Path | str) -> Any:
        self.page.goto(path if isinstance(path, str) else path.as_uri())
        if self.page.locator("#player").count():
            self.page.wait_for_function("document.getElementById('player').readyState >= 1")
            state = self.page.evaluate("(a => [a.currentSrc, a.error && a.error.message, a.duration])"
                                       "(document.getElementById('player'))")
            assert state[1] is None and state[2] > 0, f"the player could not load {state[0]}: {state[1]}"
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    session = Watched(browser)
    yield session
    session.close()


def _segments(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("""[...document.querySelectorAll('#transcript [data-start][data-end]')].map(el =>
        ({id: el.id, start: +el.dataset.start, end: +el.dataset.end}))""")


def _current(page: Any) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('[aria-current=\"true\"]')].map(el => el.id)")


def _time(page: Any) -> float:
    return page.evaluate("(() => { const a = document.getElementById('player'); a.pause(); return a.currentTime; })()")


def test_pages_load_from_disk_without_errors(watched, season):
    for name in ("index.html", "ep-01-lamps.html", "ep-02-maps.html"):
        page = watched.open(season / name)
        page.wait_for_load_state("load")
        assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", "site.css did not apply"
        if name != "index.html":
            cues = page.evaluate("document.getElementById('player').textTracks[0].cues.length")
            assert cues == len(_transcript(season, name[:-5])["segments"])  # the captions track loaded
            assert page.locator(".follow").is_visible()  # site.js ran
        else:
            page.click("text=Lamps & <Lanterns>")
            page.wait_for_url("**/ep-01-lamps.html")
    assert watched.problems == []


def test_the_segment_being_heard_is_current(watched, season):
    page = watched.open(season / "ep-01-lamps.html")
    segments = _segments(page)
    assert len(segments) == 4
    for i, segment in enumerate(segments):
        low = max([segment["start"]] + [s["end"] for s in segments[:i]])  # clear of an overlapping neighbour
        t = (low + segment["end"]) / 2
        page.evaluate(f"document.getElementById('player').currentTime = {t}")
        page.wait_for_function(f"document.querySelector('[aria-current=\"true\"]')?.id === '{segment['id']}'")
        assert _current(page) == [segment["id"]]
    gap = (segments[0]["end"] + segments[1]["start"]) / 2
    page.evaluate(f"document.getElementById('player').currentTime = {gap}")
    page.wait_for_function("!document.querySelector('[aria-current=\"true\"]')")
    assert watched.problems == []


def test_a_time_in_the_address_starts_there(watched, season):
    third = _transcript(season, "ep-01-lamps")["segments"][2]
    at = third["startTime"] + 0.2
    page = watched.open(f"{(season / 'ep-01-lamps.html').as_uri()}#t={at:.3f}")  # a fresh load
    page.wait_for_function(f"document.querySelector('[aria-current=\"true\"]')?.dataset.start == {third['startTime']}")
    assert abs(_time(page) - at) < 0.01
    first = _transcript(season, "ep-01-lamps")["segments"][0]
    page.evaluate(f"location.hash = '#t={first['startTime'] + 0.2:.3f}'")  # a link within the page
    page.wait_for_function(f"document.querySelector('[aria-current=\"true\"]')?.dataset.start == {first['startTime']}")
    assert watched.problems == []


def test_clicking_a_chapter_or_a_line_seeks_there(watched, season):
    page = watched.open(season / "ep-01-lamps.html")
    chapters = page.locator(".chapters [data-start]")
    last = chapters.nth(chapters.count() - 1)
    start = float(last.get_attribute("data-start"))
    last.click()
    assert start <= _time(page) < start + 0.5
    assert last.get_attribute("aria-current") == "step"

    segment = _segments(page)[1]
    page.locator(f"#{segment['id']} .said").click()
    assert segment["start"] <= _time(page) < segment["start"] + 0.5
    assert _current(page) == [segment["id"]]

    first = _segments(page)[0]
    page.locator(f"#{first['id']} .at").focus()
    page.keyboard.press("Enter")  # the time link works from the keyboard
    assert first["start"] <= _time(page) < first["start"] + 0.5
    assert watched.problems == []


def test_keyboard_reaches_the_transcript(watched, season):
    page = watched.open(season / "ep-01-lamps.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")  # shown when focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "follow"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "at"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    assert watched.problems == []


def test_the_current_segment_is_kept_in_view(browser, season):
    session = Watched(browser, viewport={"width": 420, "height": 420}, reduced_motion="reduce")
    try:
        page = session.open(season / "ep-01-lamps.html")
        last = _segments(page)[-1]
        in_view = f"""(() => {{ const box = document.getElementById('{last["id"]}').getBoundingClientRect();
            return box.top >= 0 && box.bottom <= innerHeight; }})()"""
        assert not page.evaluate(in_view)
        page.evaluate(f"document.getElementById('player').currentTime = {(last['start'] + last['end']) / 2}")
        page.wait_for_function(in_view)
        assert session.problems == []
    finally:
        session.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, season, scheme):
    session = Watched(browser, color_scheme=scheme)
    try:
        for name in ("index.html", "ep-01-lamps.html"):
            page = session.open(season / name)
            if name != "index.html":  # check the highlighted line's colours too
                segment = _segments(page)[1]
                page.evaluate(f"document.getElementById('player').currentTime = {segment['start'] + 0.1}")
                page.wait_for_function("document.querySelector('[aria-current=\"true\"]')")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations'], preload: false})")
            serious = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
                       for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{name} ({scheme}): {serious}"
        assert session.problems == []
    finally:
        session.close()



class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_pages_work_under_a_base_url(browser, season, tmp_path):
    """Uploaded under a sub-path of a static host (as base_url says), every link still resolves."""
    shutil.copytree(season, tmp_path / "www" / "listen")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path / "www")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/listen/"
    session = Watched(browser, local=(root, "data:"))
    try:
        page = session.open(root + "index.html")
        page.click("text=Maps")
        page.wait_for_url(root + "ep-02-maps.html")
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        cues = page.evaluate("document.getElementById('player').textTracks[0].cues.length")
        assert cues == len(_transcript(season, "ep-02-maps")["segments"])
        for link in page.locator("a[href]").all():
            href = link.evaluate("a => a.href")
            assert href.startswith(root), href
            if "#" not in href:
                assert page.request.get(href).ok, href
        assert session.problems == []
    finally:
        session.close()
        server.shutdown()
        server.server_close()
