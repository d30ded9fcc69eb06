"""The season's manifest (``season.json``) and podcast feed (``feed.xml``: RSS 2.0 + iTunes + Podcasting 2.0).

Pure functions build the text from data; ``write_feed`` writes both files atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .atomic import atomic_path, write_text

if TYPE_CHECKING:
    from ..config import Show
    from ..season import Published

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)

#: (key in Published.files, MIME type) of the sidecars published as podcast:transcript.
TRANSCRIPTS = (("transcript", "application/json"), ("vtt", "text/vtt"), ("srt", "application/x-subrip"))


def url_for(base_url: str, name: str) -> str:
    """``name`` published under ``base_url`` (relative when the show has no base_url yet)."""
    if not base_url:
        return quote(name)
    return base_url.rstrip("/") + "/" + quote(name)


def clock(seconds: float) -> str:
    """itunes:duration as HH:MM:SS."""
    total = int(round(max(0.0, seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def rfc822(date: str | None) -> str | None:
    """A front matter date (ISO date or datetime) as an RSS pubDate; naive times are taken as UTC."""
    if not date:
        return None
    try:
        when = dt.datetime.fromisoformat(str(date).strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return format_datetime(when)


def guid(show: "Show", stem: str) -> str:
    """Stable across re-renders and a change of base_url, so apps never download an episode twice."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"episode-renderer:{show.name}:{stem}"))


def _order(episodes: Sequence["Published"], newest_first: bool) -> list["Published"]:
    def key(e: "Published") -> tuple[int, str]:
        return (e.number if e.number is not None else -1, e.stem)

    return sorted(episodes, key=key, reverse=newest_first)


def manifest_json(show: "Show", episodes: Sequence["Published"]) -> str:
    """season.json: the show and, in episode order, every published episode and its files."""
    data: dict[str, Any] = {
        "show": {
            "name": show.name, "author": show.author, "description": show.description, "base_url": show.base_url,
            "cover": Path(show.cover).name if show.cover else None, "language": show.language,
            "explicit": show.explicit, "category": show.category,
        },
        "episodes": [{
            "number": e.number,
            "title": e.title,
            "date": e.date,
            "description": e.description,
            "file": e.files.get("mp3"),
            "url": url_for(show.base_url, e.files.get("mp3", f"{e.stem}.mp3")),
            "bytes": e.bytes,
            "duration": round(e.duration, 3),
            "lufs": e.lufs,
            "chapters": e.files.get("chapters"),
            "transcript": e.files.get("transcript"),
            "captions": [e.files[k] for k in ("vtt", "srt") if k in e.files],
        } for e in _order(episodes, newest_first=False)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _sub(parent: ET.Element, tag: str, body: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if body is not None:
        element.text = body
    return element


def feed_xml(show: "Show", episodes: Sequence["Published"]) -> str:
    """RSS 2.0 with the iTunes and Podcasting 2.0 namespaces, newest episode first."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", show.name)
    _sub(channel, "link", show.base_url or "")
    _sub(channel, "description", show.description or show.name)
    _sub(channel, "language", show.language)
    _sub(channel, f"{{{ITUNES}}}author", show.author or show.name)
    _sub(channel, f"{{{ITUNES}}}summary", show.description or show.name)
    if show.cover:
        _sub(channel, f"{{{ITUNES}}}image", href=url_for(show.base_url, Path(show.cover).name))
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": show.category})
    _sub(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    for e in _order(episodes, newest_first=True):
        item = _sub(channel, "item")
        _sub(item, "title", e.title)
        _sub(item, f"{{{ITUNES}}}title", e.title)
        if e.number is not None:
            _sub(item, f"{{{ITUNES}}}episode", str(e.number))
        _sub(item, "description", e.description or e.title)
        mp3 = e.files.get("mp3", f"{e.stem}.mp3")
        _sub(item, "enclosure", url=url_for(show.base_url, mp3), length=str(e.bytes), type="audio/mpeg")
        _sub(item, "guid", guid(show, e.stem), isPermaLink="false")
        published = rfc822(e.date)
        if published:
            _sub(item, "pubDate", published)
        _sub(item, f"{{{ITUNES}}}duration", clock(e.duration))
        _sub(item, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
        for key, mime in TRANSCRIPTS:
            if key in e.files:
                attrs = {"url": url_for(show.base_url, e.files[key]), "type": mime}
                if key != "transcript":
                    attrs["language"] = show.language
                _sub(item, f"{{{PODCAST}}}transcript", **attrs)
        if "chapters" in e.files:
            _sub(item, f"{{{PODCAST}}}chapters", url=url_for(show.base_url, e.files["chapters"]),
                 type="application/json+chapters")
    ET.indent(rss, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def write_feed(out_dir: Path, show: "Show", episodes: Sequence["Published"]) -> tuple[Path, Path]:
    """Write season.json and feed.xml (and copy the cover beside them, as the feed points there)."""
    out_dir = Path(out_dir)
    if show.cover and Path(show.cover).is_file():
        target = out_dir / Path(show.cover).name
        if not target.exists() or target.read_bytes() != Path(show.cover).read_bytes():
            with atomic_path(target) as tmp:
                shutil.copyfile(show.cover, tmp)
    manifest, feed = out_dir / "season.json", out_dir / "feed.xml"
    write_text(manifest, manifest_json(show, episodes))
    write_text(feed, feed_xml(show, episodes))
    return manifest, feed
