"""Transcript (Podcasting 2.0 JSON), captions (WebVTT with speaker spans, SRT) and the cue list."""

from __future__ import annotations

import json

from ..mix.layout import Layout
from .clean import caption


def _clock(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def transcript_json(layout: Layout) -> str:
    """Podcasting 2.0 JSON transcript; the sounds placed are listed beside the segments."""
    data = {
        "version": "1.0.0",
        "segments": [{"speaker": s.speaker, "startTime": s.start, "endTime": s.end, "body": s.body}
                     for s in layout.segments],
        "sounds": [{"sound": p.sound, "startTime": p.start, "endTime": p.end, "cue": p.cue, "line": p.line,
                    "levelLU": p.level_lu}
                   for p in layout.sounds],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _escape_vtt(text: str) -> str:
    return caption(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(layout: Layout) -> str:
    """WebVTT with ``<v Speaker>`` spans; names and text are one line each, so no cue can be forged."""
    lines = ["WEBVTT", ""]
    for number, s in enumerate(layout.segments, 1):
        lines += [str(number), f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}",
                  f"<v {_escape_vtt(s.speaker)}>{_escape_vtt(s.body)}", ""]
    return "\n".join(lines)


def srt(layout: Layout) -> str:
    """SubRip; a blank line or an arrow in a name or line would start a forged cue, so neither passes."""
    lines = []
    for number, s in enumerate(layout.segments, 1):
        lines += [str(number), f"{_clock(s.start, ',')} --> {_clock(s.end, ',')}",
                  f"{caption(s.speaker)}: {caption(s.body)}", ""]
    return "\n".join(lines)


def chapters_json(layout: Layout, title: str) -> str:
    """Podcasting 2.0 JSON chapters (for the feed's podcast:chapters)."""
    data = {"version": "1.2.0", "title": title,
            "chapters": [{"startTime": c.start, "endTime": c.end, "title": c.title} for c in layout.chapters]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
