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
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..script.numbering import Number, tag_number
from .atomic import atomic_path, write_text
from .clean import xml_text
from .paths import page_name

if TYPE_CHECKING:
    from ..config import Show


@dataclass
class Published:
    """One episode as the feed and manifest see it, read back from ``out_dir``."""

    stem: str
    number: Number | None
    title: str
    date: str | None
    description: str | None
    bytes: int
    duration: float
    lufs: float | None
    files: dict[str, str] = field(default_factory=dict)  # mp3, transcript, vtt, srt, chapters: file names



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


def _order(episodes: Sequence["Published"]) -> list["Published"]:
    """Episode order for the manifest: by number (unnumbered first, as before), then file name."""
    return sorted(episodes, key=lambda e: (e.number if e.number is not None else -1, e.stem))


def _when(date: str | None) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(date).strip()) if date else None
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when


def newest_first(episodes: Sequence["Published"]) -> list["Published"]:
    """Feed order: by date, newest first, numbered or not; undated ones last (highest number first)."""
    oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)

    def key(e: "Published") -> tuple[bool, dt.datetime, float, str]:
        when = _when(e.date)
        return (when is not None, when or oldest, float(e.number) if e.number is not None else -1.0, e.stem)

    return sorted(episodes, key=key, reverse=True)


def duplicate_numbers(episodes: Sequence["Published"]) -> dict[Any, list[str]]:
    """Episode numbers carried by more than one episode -> their file stems."""
    seen: dict[Any, list[str]] = {}
    for e in episodes:
        if e.number is not None:
            seen.setdefault(e.number, []).append(e.stem)
    return {number: sorted(stems) for number, stems in seen.items() if len(stems) > 1}


def feed_warnings(episodes: Sequence["Published"]) -> list[str]:
    """What the feed did about numbers two episodes share: both stay, neither carries the number."""
    return [f"episode number {number} is used by {', '.join(stems)}: the feed lists each of them by date "
            "without an episode number (itunes:episode, podcast:episode); give each its own number."
            for number, stems in sorted(duplicate_numbers(episodes).items(), key=lambda kv: float(kv[0]))]


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
        } for e in _order(episodes)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _sub(parent: ET.Element, tag: str, body: str | None = None, **attrs: str) -> ET.Element:
    """A child element; text and attributes lose the control characters XML 1.0 cannot hold."""
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if body is not None:
        element.text = xml_text(body)
    return element


def feed_xml(show: "Show", episodes: Sequence["Published"]) -> str:
    """RSS 2.0 with the iTunes and Podcasting 2.0 namespaces, newest episode first (by date).

    A fractional number (35.5) is a podcast:episode only (itunes:episode is whole); a number two
    episodes share is left off both, so no app mistakes one for the other.
    """
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
    _sub(channel, f"{{{ITUNES}}}category", text=show.category)
    _sub(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    shared = duplicate_numbers(episodes)
    for e in newest_first(episodes):
        item = _sub(channel, "item")
        _sub(item, "title", e.title)
        _sub(item, f"{{{ITUNES}}}title", e.title)
        _sub(item, "link", url_for(show.base_url, page_name(e.stem)))
        number = tag_number(e.number) if e.number not in shared else None
        if isinstance(number, int):
            _sub(item, f"{{{ITUNES}}}episode", str(number))
        if number is not None:
            _sub(item, f"{{{PODCAST}}}episode", str(number))
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
