"""A season: a folder of short episodes rendered in parallel, published as a feed, resumed on rerun."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, shared_episodes
from episode_renderer.cli import app
from episode_renderer.errors import ConfigError
from episode_renderer.export.feed import clock, rfc822
from episode_renderer.season import find_episodes, fingerprint, is_current, parse_only, read_front_matter

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"

EPISODES = {
    "ep-07-lamps.md": """---
title: "Lamps"
date: 2026-02-03T09:00:00-05:00
type: "episode"
episode_number: 7
description: "Why is the lamp on?"
---

**[Human]:** *Who left the lamp on?*

{{< dialogue char="Kai" >}}
*soft chime*

It was me. I like the glow.
{{< /dialogue >}}
""",
    "ep-08-maps.md": """---
title: "Maps"
date: 2026-02-10
episode_number: 8
description: "A map of the kitchen."
---

**[Human]:** *Can you draw a map?*

{{< dialogue char="Vector" >}}
Only of the kitchen!
{{< /dialogue >}}
""",
    "ep-09-clocks.md": """---
title: "Clocks"
date: 2026-02-17T09:00:00Z
type: episode
episode_number: 9
---

{{< dialogue char="Recurse" >}}
The clock is four minutes fast.
{{< /dialogue >}}

**[Human]:** *Good to know.*
""",
}
BROKEN = """---
title: "Broken"
type: "episode"
episode_number: 10
---

**[Human]:** *Hello?*

{{< dialogue char="Kai" >}}
Nobody closes this block.
"""
DRAFT = """---
title: "Not yet"
type: "episode"
episode_number: 11
draft: true
---

**[Human]:** *Not ready.*
"""
NOTES = """---
title: "Production notes"
---

Not an episode.
"""

runner = CliRunner()


@pytest.fixture
def folder(tmp_path):
    season = tmp_path / "season"
    season.mkdir()
    for name, text in EPISODES.items():
        (season / name).write_text(text)
    (season / "ep-10-broken.md").write_text(BROKEN)
    (season / "ep-11-draft.md").write_text(DRAFT)
    (season / "notes.md").write_text(NOTES)
    return season


def test_find_episodes_skips_notes_and_drafts(folder):
    names = [p.name for p in find_episodes(folder)]
    assert names == ["ep-07-lamps.md", "ep-08-maps.md", "ep-09-clocks.md", "ep-10-broken.md"]
    assert "ep-11-draft.md" in [p.name for p in find_episodes(folder, include_drafts=True)]
    assert [p.name for p in find_episodes(folder, only={8, 10})] == ["ep-08-maps.md", "ep-10-broken.md"]


def test_broken_front_matter_is_still_found(folder):
    (folder / "ep-12-bad.md").write_text('---\ntitle: "unclosed\nepisode_number: 12\n---\nHi\n')
    assert read_front_matter((folder / "ep-12-bad.md").read_text()).broken
    assert "ep-12-bad.md" in [p.name for p in find_episodes(folder)]


@pytest.mark.parametrize("text, numbers", [
    ("26", {26}), ("26,30-34", {26, 30, 31, 32, 33, 34}), (" 1 , 3 - 4 ", {1, 3, 4}), ("5-5", {5}),
])
def test_parse_only(text, numbers):
    assert {n for n in range(100) if n in parse_only(text)} == numbers


@pytest.mark.parametrize("text", ["", "a", "3-", "1,,2", "9-3", "-2", "1-2-3"])
def test_parse_only_rejects_bad_syntax(text):
    with pytest.raises(ConfigError, match="--only"):
        parse_only(text)


def test_feed_formats():
    assert clock(3725.4) == "01:02:05"
    assert rfc822("2026-02-03T09:00:00-05:00") == "Tue, 03 Feb 2026 09:00:00 -0500"
    assert rfc822("2026-02-10") == "Tue, 10 Feb 2026 00:00:00 +0000"
    assert rfc822("someday") is None


def test_feed_xml_from_data():
    from episode_renderer.config import Show
    from episode_renderer.export.feed import feed_xml, manifest_json
    from episode_renderer.season import Published

    show = Show(name="Bots & Bolts", base_url="https://cdn.example.org/show", explicit=True)
    files = {"mp3": "a b.mp3", "chapters": "a b.chapters.json"}
    episodes = [Published("a b", 2, "Two <&> two", "2026-01-02", None, 1234, 3725.0, -16.0, files),
                Published("c", 1, "One", None, "first", 99, 5.0, -16.0, {"mp3": "c.mp3"})]
    channel = ET.fromstring(feed_xml(show, episodes)).find("channel")
    assert channel.findtext("title") == "Bots & Bolts" and channel.findtext(f"{ITUNES}explicit") == "true"
    first, second = channel.findall("item")
    assert first.findtext("title") == "Two <&> two" and first.findtext(f"{ITUNES}duration") == "01:02:05"
    assert first.find("enclosure").get("url") == "https://cdn.example.org/show/a%20b.mp3"
    assert first.findtext("link") == "https://cdn.example.org/show/a%20b.html"  # its listen page
    assert first.find("enclosure").get("length") == "1234" and second.find("pubDate") is None
    assert second.find(f"{PODCAST}chapters") is None
    assert [e["number"] for e in json.loads(manifest_json(show, episodes))["episodes"]] == [1, 2]


def test_changed_cast_makes_an_episode_stale(tmp_path, folder):
    from episode_renderer.config import load_project

    cast = tmp_path / "cast.toml"
    shutil.copyfile(ROOT / "voices" / "cast.toml", cast)
    episode = folder / "ep-07-lamps.md"
    before = fingerprint(episode, load_project(ROOT, cast=cast))
    assert before == fingerprint(episode, load_project(ROOT, cast=cast))
    cast.write_text(cast.read_text() + "\n# a producer's note\n")
    assert fingerprint(episode, load_project(ROOT, cast=cast)) != before


def _feed_items(out: Path) -> list[ET.Element]:
    return ET.parse(out / "feed.xml").getroot().find("channel").findall("item")


def test_season_renders_publishes_and_resumes(folder, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["season", str(folder), "-o", str(out), "--jobs", "2", "--cache-dir", str(cache),
            "--cast", "voices/draft.toml"]  # relative: the worker processes must load the same file
    stale = cache / "ab" / ("ab" * 32 + ".line")  # an 11 GB entry no render used for years (sparse: no disk)
    stale.parent.mkdir(parents=True)
    with open(stale, "wb") as handle:
        handle.truncate(11_000_000_000)
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    first = runner.invoke(app, args)
    assert first.exit_code == 1, first.output
    assert not stale.exists() and "to stay under 10 GB" in first.output  # show.toml's [cache] max_gb
    assert len(list(cache.glob("??/*.line"))) > 0  # what the season stored stays
    mp3s = sorted(p.name for p in out.glob("*.mp3"))
    assert mp3s == ["ep-07-lamps.mp3", "ep-08-maps.mp3", "ep-09-clocks.mp3"]
    assert "ep-10-broken.md:9" in first.output  # the unclosed block's line
    assert "ep-11-draft" not in first.output and "notes.md" not in first.output

    items = _feed_items(out)
    assert [i.findtext(f"{ITUNES}episode") for i in items] == ["9", "8", "7"]
    for item in items:
        enclosure = item.find("enclosure")
        name = enclosure.get("url").rsplit("/", 1)[1]
        assert enclosure.get("url").startswith("https://example.com/podcast/")
        assert int(enclosure.get("length")) == os.path.getsize(out / name)
        assert enclosure.get("type") == "audio/mpeg"
        assert item.findtext(f"{ITUNES}duration").count(":") == 2
        types = {t.get("type") for t in item.findall(f"{PODCAST}transcript")}
        assert types == {"application/json", "text/vtt", "application/x-subrip"}
        assert item.find(f"{PODCAST}chapters").get("url").endswith(".chapters.json")
        assert item.findtext("guid") and item.findtext("pubDate")
    assert items[2].findtext("pubDate") == "Tue, 03 Feb 2026 09:00:00 -0500"
    manifest = json.loads((out / "season.json").read_text())
    assert [e["number"] for e in manifest["episodes"]] == [7, 8, 9]
    assert all(e["bytes"] == os.path.getsize(out / e["file"]) for e in manifest["episodes"])
    assert manifest["show"]["base_url"] == "https://example.com/podcast/"

    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp3")}
    again = runner.invoke(app, args)
    assert again.exit_code == 1, again.output
    assert again.output.count("skipped") >= 3 and "3 skipped" in again.output and "0 rendered" in again.output
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp3")} == mtimes
    assert len(_feed_items(out)) == 3

    (folder / "ep-10-broken.md").unlink()
    (folder / "ep-08-maps.md").write_text(EPISODES["ep-08-maps.md"].replace("kitchen!", "garden!"))
    from episode_renderer.config import load_project

    project = load_project(ROOT)
    assert not is_current(folder / "ep-08-maps.md", out, fingerprint(folder / "ep-08-maps.md", project))
    assert is_current(folder / "ep-07-lamps.md", out, fingerprint(folder / "ep-07-lamps.md", project))


@pytest.mark.skipif(not shared_episodes(), reason="the show's scripts (../shared/episodes) are not here")
def test_the_shows_folder_is_found():
    folder = shared_episodes()[0].parent
    found = find_episodes(folder, include_drafts=True)
    assert len(found) == len(shared_episodes())
    assert len(find_episodes(folder)) < len(found)  # the show keeps drafts
