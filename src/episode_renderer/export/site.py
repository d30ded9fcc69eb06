"""The listen pages: a static site (index.html, one page per episode, one CSS, one JS) beside the feed.

Everything is built from what a season publishes (``season.json`` and each episode's transcript
and chapters sidecars), so ``episode site`` can rebuild the pages without rendering. Links are
relative and nothing is fetched from the network, so the folder works opened from disk and from
any static host under ``base_url``. Every text that comes from a script goes through ``html.escape``.

The contract themes and tests rely on: inside ``#transcript`` every segment is an element with
``data-start`` and ``data-end`` (seconds), every placed sound one with ``data-start`` only; every
chapter link in ``.chapters`` has ``data-start``; the segment being heard carries ``aria-current="true"``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..colors import DARK_BACKGROUNDS, LIGHT_BACKGROUNDS, fallback_color, readable
from ..errors import ConfigError
from .atomic import write_text
from .feed import url_for
from .paths import REVIEW_SUFFIX, page_name

if TYPE_CHECKING:
    from ..config import Project

ASSETS = ("site.css", "site.js")
GENERATOR = '<meta name="generator" content="episode-renderer">'  # marks the pages this module may replace
#: A segment that is a sound the speaker makes, not words (``[laughs]``), as captions write it.
_NONSPEECH = re.compile(r"^\[[^\[\]]+\]$")


# --- colours ------------------------------------------------------------------------------------

def project_colors(project: Project) -> dict[str, str]:
    """The show's speaker colours, also under every alias the cast gives a character."""
    colors = dict(project.show.colors)
    for alias, name in project.cast.aliases.items():
        if name.lower() in colors:
            colors.setdefault(alias.lower(), colors[name.lower()])
    return colors


# --- reading a season ---------------------------------------------------------------------------

@dataclass
class Entry:
    """One transcript item on the page: a spoken segment or a placed sound."""

    start: float
    end: float | None  # None for a sound: it is shown, never "being heard"
    speaker: str = ""
    body: str = ""
    flag: str = ""  # what `episode review` found to listen for in this line ("" for nothing)


@dataclass
class EpisodePage:
    """What one episode page shows, read back from season.json and the sidecars."""

    stem: str
    title: str
    number: int | float | None  # 35.5 for a bonus episode between 35 and 36
    date: str | None
    description: str | None
    duration: float
    files: dict[str, str]
    bytes: int = 0
    chapters: list[tuple[float, str]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    captions: str | None = None  # the VTT text, embedded so the track also loads from file://

    @property
    def page(self) -> str:
        return page_name(self.stem)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _file_name(value: Any) -> str | None:
    """A file name from season.json, kept to the season's folder (a manifest never points elsewhere)."""
    if not isinstance(value, str):
        return None
    name = Path(value.replace("\\", "/")).name
    return name if name not in ("", ".", "..") else None


def _sound_label(sound: Mapping[str, Any]) -> str:
    cue = str(sound.get("cue") or "").strip().strip("*_").strip()
    if cue in ("intro", "outro"):
        return f"{cue.capitalize()} music"
    return cue or str(sound.get("sound") or "sound")


def read_episode(out_dir: Path, item: Mapping[str, Any]) -> EpisodePage | None:
    """An episode of season.json with its transcript and chapters; None without an MP3 name."""
    mp3 = _file_name(item.get("file"))
    if not mp3:
        return None
    stem = mp3[:-4] if mp3.lower().endswith(".mp3") else mp3
    files = {"mp3": mp3}
    for key in ("transcript", "chapters"):
        name = _file_name(item.get(key))
        if name:
            files[key] = name
    for name in map(_file_name, item.get("captions") or []):
        if name:
            files[name.rsplit(".", 1)[-1].lower()] = name
    number = item.get("number")
    page = EpisodePage(stem=stem, title=str(item.get("title") or stem),
                       number=number if isinstance(number, (int, float)) and not isinstance(number, bool) else None,
                       date=str(item["date"]) if item.get("date") else None,
                       description=str(item["description"]) if item.get("description") else None,
                       duration=_number(item.get("duration")), files=files, bytes=int(_number(item.get("bytes"))))
    chapters = _read_json(out_dir / files["chapters"]) if "chapters" in files else None
    if isinstance(chapters, dict):
        page.chapters = [(_number(c.get("startTime")), str(c.get("title") or ""))
                         for c in chapters.get("chapters", []) if isinstance(c, dict)]
    transcript = _read_json(out_dir / files["transcript"]) if "transcript" in files else None
    if isinstance(transcript, dict):
        entries = [Entry(_number(s.get("startTime")), _number(s.get("endTime")), str(s.get("speaker") or ""),
                         str(s.get("body") or "")) for s in transcript.get("segments", []) if isinstance(s, dict)]
        seen: set[tuple[str, Any]] = set()
        for sound in transcript.get("sounds", []):
            key = (str(sound.get("cue")), sound.get("line")) if isinstance(sound, dict) else None
            if key is None or key in seen:  # a compound cue (WHIRR-CLICK) places its parts under one direction
                continue
            seen.add(key)
            entries.append(Entry(_number(sound.get("startTime")), None, body=_sound_label(sound)))
        page.entries = sorted(entries, key=lambda e: (e.start, e.end is not None))  # a sound before the line it opens
        _mark_flags(page.entries, _read_json(out_dir / f"{stem}{REVIEW_SUFFIX}"), out_dir / mp3)
    if "vtt" in files:
        try:
            page.captions = (out_dir / files["vtt"]).read_text("utf-8")
        except OSError:
            pass
    return page


def _mark_flags(entries: list[Entry], review: Any, mp3: Path) -> None:
    """Give each line `episode review` flagged its findings, matched by start time; a review of an
    earlier render of the episode (another MP3) marks nothing."""
    from ..hashing import file_sha256

    if not isinstance(review, dict) or not isinstance(review.get("lines"), list):
        return
    try:
        if review.get("mp3_sha256") != file_sha256(mp3):
            return
    except OSError:
        return
    flags = {round(_number(line.get("start"), -1.0), 3): "; ".join(str(p) for p in line["problems"])
             for line in review["lines"]
             if isinstance(line, dict) and isinstance(line.get("problems"), list) and line["problems"]}
    for entry in entries:
        if entry.end is not None and round(entry.start, 3) in flags:
            entry.flag = flags[round(entry.start, 3)]


def read_season(out_dir: Path) -> tuple[dict[str, Any], list[EpisodePage]]:
    """season.json's show and its episodes (in episode order), with their sidecars."""
    manifest = Path(out_dir) / "season.json"
    data = _read_json(manifest)
    if not isinstance(data, dict):
        raise ConfigError("is missing or not a season manifest.", file=manifest,
                          hint="Render the season first: episode season EPISODES_DIR -o " + str(out_dir))
    show = data.get("show") if isinstance(data.get("show"), dict) else {}
    pages = [read_episode(Path(out_dir), item) for item in data.get("episodes", []) if isinstance(item, dict)]
    return show, [p for p in pages if p is not None]


# --- HTML ---------------------------------------------------------------------------------------

def clock(seconds: float) -> str:
    """m:ss, or h:mm:ss past an hour: how players show time."""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _seconds(value: float) -> str:
    """Seconds for data-start/data-end and #t=: millisecond precision, as the timeline has."""
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _date(text: str | None) -> str:
    """A <time> element for a front matter date, written out in words when it parses."""
    if not text:
        return ""
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return f"<span>{escape(text)}</span>"
    return f'<time datetime="{escape(text.strip())}">{when.day} {when:%B %Y}</time>'


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{max(1, round(count / 1000))} kB"


def _href(name: str) -> str:
    """A relative link to a file of the season (spaces, # and ? in a name stay part of the name)."""
    return escape(quote(name))


def _head(title: str, show: Mapping[str, Any], canonical: str | None, extra: str = "") -> str:
    feed_title = escape(f"{show.get('name') or 'Podcast'} (RSS)")
    link = f'\n<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    return f"""<!doctype html>
<html lang="{escape(str(show.get('language') or 'en'))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{GENERATOR}
<title>{escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="site.css">
<link rel="alternate" type="application/rss+xml" title="{feed_title}" href="feed.xml">{link}{extra}
<script src="site.js" defer></script>
</head>"""


def _canonical(show: Mapping[str, Any], name: str) -> str | None:
    """The page's address under base_url; only an http(s) base makes one (never javascript: or a path)."""
    base = str(show.get("base_url") or "")
    return url_for(base, name) if base.startswith(("http://", "https://")) else None


def _banner(show: Mapping[str, Any], home: bool) -> str:
    name = escape(str(show.get("name") or "Podcast"))
    title = f"<p class=\"show\">{name}</p>" if home else f'<p class="show"><a href="index.html">{name}</a></p>'
    current = ' aria-current="page"' if home else ""
    return f"""<header class="banner">
<nav aria-label="Show">{title}
<ul><li><a href="index.html"{current}>All episodes</a></li><li><a href="feed.xml">Podcast feed (RSS)</a></li></ul>
</nav>
</header>"""


FOOTER = """<footer class="site-footer">
<p>Subscribe with the <a href="feed.xml">podcast feed</a>. Pages made by episode-renderer.</p>
</footer>"""


def _meta(page: EpisodePage) -> str:
    """Episode number, date and length, as one line."""
    number = page.number
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    label = f"Episode {number}" if number is not None else "Episode"
    length = f'<span class="visually-hidden">Length </span>{clock(page.duration)}'
    return " · ".join(part for part in (label, _date(page.date), length) if part)


def _speaker_styles(speakers: list[str], colors: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """A <style> block giving each speaker's class its colour, legible in both themes."""
    classes: dict[str, str] = {}
    rules = []
    for index, speaker in enumerate(speakers, 1):
        raw = colors.get(speaker.lower()) or fallback_color(speaker)
        classes[speaker] = f"s{index}"
        rules.append(f".s{index}{{--swatch:{raw};--name:{readable(raw, LIGHT_BACKGROUNDS)};"
                     f"--name-dark:{readable(raw, DARK_BACKGROUNDS)}}}")
    return ("\n<style>" + "".join(rules) + "</style>") if rules else "", classes


def _transcript(page: EpisodePage, classes: Mapping[str, str]) -> str:
    """The transcript list; a speaker's name is hidden from the eye (not from screen readers) on their next line."""
    if not page.entries:
        return "<p>No transcript was published for this episode.</p>"
    mp3 = _href(page.files["mp3"])
    items = []
    previous = None
    for number, entry in enumerate(page.entries, 1):
        at = clock(entry.start)
        start = _seconds(entry.start)
        if entry.end is None:
            items.append(f'<li class="cue" data-start="{start}"><span class="visually-hidden">Sound: </span>'
                         f"{escape(entry.body)}</li>")
            continue
        same = " same" if entry.speaker == previous else ""
        previous = entry.speaker
        vocal = " vocal" if _NONSPEECH.match(entry.body) else ""
        flag = (f' <a class="flag" href="#t={start}" title="{escape(entry.flag)}">Listen at {at}: '
                f'{escape(entry.flag)}</a>') if entry.flag else ""
        items.append(
            f'<li class="seg {classes.get(entry.speaker, "")}{same}{" flagged" if flag else ""}" id="t{number}" '
            f'data-start="{start}" '
            f'data-end="{_seconds(entry.end)}"><a class="at" href="{mp3}#t={start}" aria-label="Play from {at}" '
            f'aria-describedby="t{number}-said">{at}</a> <span class="who">{escape(entry.speaker)}</span> '
            f'<span class="said{vocal}" id="t{number}-said">{escape(entry.body)}</span>{flag}</li>')
    return _review_summary(page) + '<ol class="transcript-lines">\n' + "\n".join(items) + "\n</ol>"


def _review_summary(page: EpisodePage) -> str:
    """The lines `episode review` flagged, each a link to its moment, above the transcript."""
    flagged = [e for e in page.entries if e.flag]
    if not flagged:
        return ""
    items = "".join(f'<li><a href="#t={_seconds(e.start)}">{clock(e.start)}</a> {escape(e.speaker)}: '
                    f"{escape(e.flag)}</li>" for e in flagged)
    return (f'<details class="review" open><summary>{len(flagged)} line{"s" if len(flagged) > 1 else ""} to '
            f"listen to (episode review)</summary><ol>{items}</ol></details>\n")


def _chapters(page: EpisodePage) -> str:
    if not page.chapters:
        return ""
    mp3 = _href(page.files["mp3"])
    items = "\n".join(
        f'<li><a href="{mp3}#t={_seconds(start)}" data-start="{_seconds(start)}"><span class="time">'
        f"{clock(start)}</span> {escape(title)}</a></li>" for start, title in page.chapters)
    return f"""<nav class="chapters-box" aria-labelledby="chapters-title">
<h2 id="chapters-title">Chapters</h2>
<ol class="chapters">
{items}
</ol>
</nav>"""


def _downloads(page: EpisodePage) -> str:
    labels = (("mp3", "MP3 audio"), ("transcript", "Transcript (JSON)"), ("vtt", "Captions (WebVTT)"),
              ("srt", "Captions (SRT)"), ("chapters", "Chapters (JSON)"))
    items = []
    for key, label in labels:
        if key in page.files:
            size = f" <span class=\"size\">{_size(page.bytes)}</span>" if key == "mp3" and page.bytes else ""
            items.append(f'<li><a href="{_href(page.files[key])}" download>{label}</a>{size}</li>')
    return "<ul class=\"downloads\">\n" + "\n".join(items) + "\n</ul>"


def _track(page: EpisodePage, language: str) -> str:
    """The captions track, its VTT inline: Chromium refuses a track file next to a page opened from disk."""
    if page.captions is None:
        return ""
    src = "data:text/vtt;charset=utf-8;base64," + base64.b64encode(page.captions.encode("utf-8")).decode("ascii")
    return (f'\n<track kind="captions" src="{escape(src)}" srclang="{escape(language)}" '
            f'label="Captions ({escape(language)})" default>')


def episode_page(page: EpisodePage, show: Mapping[str, Any], colors: Mapping[str, str]) -> str:
    """One episode's listen page."""
    speakers = list(dict.fromkeys(e.speaker for e in page.entries if e.end is not None))
    style, classes = _speaker_styles(speakers, colors)
    show_name = str(show.get("name") or "Podcast")
    language = str(show.get("language") or "en")
    description = f'\n<p class="description">{escape(page.description)}</p>' if page.description else ""
    mp3 = _href(page.files["mp3"])
    label = escape(f"Listen to {page.title}")
    return f"""{_head(f"{page.title} · {show_name}", show, _canonical(show, page.page), style)}
<body>
<a class="skip" href="#transcript">Skip to the transcript</a>
{_banner(show, home=False)}
<main id="main">
<article class="episode">
<header class="episode-head">
<h1>{escape(page.title)}</h1>
<p class="meta">{_meta(page)}</p>{description}
</header>
<section class="player" aria-label="Player">
<audio id="player" controls preload="metadata" src="{mp3}" aria-label="{label}">{_track(page, language)}
<a href="{mp3}">Download the episode (MP3)</a>
</audio>
</section>
{_chapters(page)}
<section class="transcript" id="transcript" aria-labelledby="transcript-title" tabindex="-1">
<div class="transcript-head">
<h2 id="transcript-title">Transcript</h2>
<p class="follow" hidden><label><input type="checkbox" id="follow" checked> Follow the audio</label></p>
</div>
{_transcript(page, classes)}
</section>
<section class="files" aria-labelledby="files-title">
<h2 id="files-title">Downloads</h2>
{_downloads(page)}
</section>
</article>
</main>
{FOOTER}
</body>
</html>
"""


def _newest_first(page: EpisodePage) -> tuple[float, float, str]:
    """Sort key: latest date first, then highest number; undated episodes after the dated ones."""
    when = float("inf")
    if page.date:
        try:
            moment = dt.datetime.fromisoformat(page.date.strip())
            when = -(moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp()
        except ValueError:
            pass
    return (when, -(page.number if page.number is not None else -1.0), page.stem)


def index_page(show: Mapping[str, Any], pages: list[EpisodePage], cover: str | None = None) -> str:
    """The season's page: every episode, newest first."""
    name = str(show.get("name") or "Podcast")
    image = f'<img class="cover" src="{_href(cover)}" alt="" width="160" height="160">\n' if cover else ""
    description = f'<p class="description">{escape(str(show["description"]))}</p>' if show.get("description") else ""
    items = []
    for page in sorted(pages, key=_newest_first):
        about = f"\n<p>{escape(page.description)}</p>" if page.description else ""
        items.append(f"""<li class="card">
<h2><a href="{_href(page.page)}">{escape(page.title)}</a></h2>
<p class="meta">{_meta(page)}</p>{about}
</li>""")
    listing = "\n".join(items) if items else "<li>No episodes have been published yet.</li>"
    return f"""{_head(name, show, _canonical(show, "index.html"))}
<body>
<a class="skip" href="#main">Skip to the episodes</a>
{_banner(show, home=True)}
<main id="main">
<header class="season-head">
{image}<div>
<h1>{escape(name)}</h1>
{description}
</div>
</header>
<ol class="episodes" aria-label="Episodes, newest first">
{listing}
</ol>
</main>
{FOOTER}
</body>
</html>
"""


# --- writing ------------------------------------------------------------------------------------

def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("site", name).read_text("utf-8")


def _write(target: Path, text: str) -> Path:
    """Write ``target`` only when its text changes, so an upload by modification time sends only what changed."""
    try:
        if target.read_text("utf-8") == text:
            return target
    except (OSError, UnicodeDecodeError):
        pass
    write_text(target, text)
    return target


def _ours(path: Path) -> bool:
    """True for a page this module wrote (it may be replaced or removed); anything else is the user's."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return GENERATOR in handle.read(1024)
    except OSError:
        return False


def write_site(out_dir: Path, colors: Mapping[str, str] | None = None) -> list[Path]:
    """Write index.html, one page per episode in season.json, site.css and site.js; return their paths.

    A page this module wrote for an episode that is no longer published is removed, so the pages
    list exactly what the feed lists; other HTML files in the folder are left alone.
    """
    out_dir = Path(out_dir)
    show, pages = read_season(out_dir)
    colors = {k.lower(): v for k, v in (colors or {}).items()}
    written = [_write(out_dir / name, _asset(name)) for name in ASSETS]
    written += [_write(out_dir / page.page, episode_page(page, show, colors)) for page in pages]
    cover = _file_name(show.get("cover"))
    written.append(_write(out_dir / "index.html",
                          index_page(show, pages, cover if cover and (out_dir / cover).is_file() else None)))
    for stale in set(out_dir.glob("*.html")) - set(written):
        if _ours(stale):
            stale.unlink()
    return written


def build_site(out_dir: Path, project: Project) -> list[Path]:
    """The listen pages for a published season, speakers in the colours the project gives them."""
    return write_site(out_dir, project_colors(project))

