"""The session as a REAPER project (.rpp, plain text): the same tracks and items as the .otio,
chapters as markers. Items point at their WAVs by paths relative to the project, which REAPER
resolves from the project's folder, so the folder moves as a unit."""

from __future__ import annotations

from .model import Item, Session


def _seconds(frames: int, rate: int) -> str:
    return f"{frames / rate:.10f}".rstrip("0").rstrip(".") or "0"


def _name(text: str) -> str:
    """One line, as REAPER quotes it (rpp picks the quote mark; it has no escape)."""
    return " ".join(text.split()) or "-"


def rpp_text(session: Session) -> str:
    """The .rpp file's text (the same text for the same session)."""
    from rpp import Element, dumps

    rate = session.rate
    children: list = [["SAMPLERATE", str(rate), "0", "0"]]
    for number, chapter in enumerate(session.chapters, 1):
        children.append(["MARKER", str(number), _seconds(int(round(chapter.start * rate)), rate),
                         _name(chapter.title), "0"])
    for track in session.tracks:
        children.append(Element("TRACK", [], [["NAME", _name(track.name)],
                                              *(_item(item, rate) for item in track.items)]))
    return dumps(Element("REAPER_PROJECT", ["0.1", "6.0", "0"], children))


def _item(item: Item, rate: int):
    from rpp import Element

    return Element("ITEM", [], [
        ["POSITION", _seconds(item.start, rate)],
        ["LENGTH", _seconds(item.length, rate)],
        ["LOOP", "0"],
        ["NAME", _name(item.name)],
        Element("SOURCE", ["WAVE"], [["FILE", item.file]]),
    ])
