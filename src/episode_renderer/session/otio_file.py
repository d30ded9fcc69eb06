"""The session as an OpenTimelineIO timeline (.otio, the ASWF interchange format): one audio track
per stem, each clip named by its script line and pointing at its WAV, chapters as markers.

Times are counted in samples (rate 44100), so every clip sits on the sample the mix put it on."""

from __future__ import annotations

from typing import Any

from .model import Item, Session, Track


def otio_text(session: Session) -> str:
    """The .otio file's JSON text (the same text for the same session)."""
    import opentimelineio as otio

    timeline = otio.schema.Timeline(name=session.title, global_start_time=_time(0, session.rate))
    for track in session.tracks:
        timeline.tracks.append(_track(track, session))
    for number, chapter in enumerate(session.chapters, 1):
        start = int(round(chapter.start * session.rate))
        length = int(round(chapter.end * session.rate)) - start
        timeline.tracks.markers.append(otio.schema.Marker(
            name=chapter.title, marked_range=_range(start, max(0, length), session.rate),
            color=otio.schema.MarkerColor.GREEN,
            metadata={"episode_renderer": {"chapter": number}}))
    return otio.adapters.write_to_string(timeline, "otio_json") + "\n"


def _track(track: Track, session: Session) -> Any:
    import opentimelineio as otio

    out = otio.schema.Track(name=track.name, kind=otio.schema.TrackKind.Audio,
                            metadata={"episode_renderer": {"stem": track.source}})
    cursor = 0
    for item in track.items:
        if item.start > cursor:
            out.append(otio.schema.Gap(source_range=_range(0, item.start - cursor, session.rate)))
        out.append(_clip(item, session.rate))
        cursor = item.start + item.length
    if session.frames > cursor:
        out.append(otio.schema.Gap(source_range=_range(0, session.frames - cursor, session.rate)))
    return out


def _clip(item: Item, rate: int) -> Any:
    import opentimelineio as otio

    reference = otio.schema.ExternalReference(target_url=item.file, available_range=_range(0, item.length, rate))
    return otio.schema.Clip(name=item.name, media_reference=reference, source_range=_range(0, item.length, rate),
                            metadata={"episode_renderer": {"kind": item.kind, "line": item.line, "text": item.text,
                                                           "stem": item.source}})


def _time(frames: int, rate: int) -> Any:
    import opentimelineio as otio

    return otio.opentime.RationalTime(frames, rate)


def _range(start: int, length: int, rate: int) -> Any:
    import opentimelineio as otio

    return otio.opentime.TimeRange(_time(start, rate), _time(length, rate))
