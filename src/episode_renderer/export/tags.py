"""ID3v2.4 tags and chapters (CHAP/CTOC) with mutagen."""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import (CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TRCK, TXXX, APIC, CTOCFlags,
                         ID3NoHeaderError)

from ..mix.layout import Chapter
from ..script.numbering import Number, track_number
from .clean import id3_text


def write_tags(path: Path, *, title: str, track: Number | None, date: str | None, description: str | None,
               show: str | None, author: str | None, chapters: list[Chapter], cover: Path | None = None,
               genre: str = "Podcast") -> None:
    """Tag an MP3 in place; every text is one line without NUL (a NUL splits an ID3v2.4 value).

    CTOC lists chapters in time order and the CHAP frames are stored in that order too: some
    players (and ffprobe) follow the file order, and mutagen stores frames by size.
    """
    title, description, show, author = (id3_text(t) for t in (title, description, show, author))
    track = track_number(track)
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    tags.delall("CHAP")
    tags.delall("CTOC")
    tags.add(TIT2(encoding=3, text=title))
    if track is not None:
        tags.add(TRCK(encoding=3, text=str(track)))
    if date:
        tags.add(TDRC(encoding=3, text=date[:10]))
    if description:
        tags.add(COMM(encoding=3, lang="eng", desc="", text=description))
        tags.add(TXXX(encoding=3, desc="description", text=description))
    if show:
        tags.add(TALB(encoding=3, text=show))
    if author:
        tags.add(TPE1(encoding=3, text=author))
    tags.add(TCON(encoding=3, text=genre))
    if cover is not None and Path(cover).is_file():
        mime = "image/png" if Path(cover).suffix.lower() == ".png" else "image/jpeg"
        tags.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=Path(cover).read_bytes()))
    ids = []
    for number, chapter in enumerate(sorted(chapters, key=lambda c: c.start), 1):
        element = f"chp{number}"
        ids.append(element)
        tags.add(CHAP(element_id=element, start_time=int(chapter.start * 1000), end_time=int(chapter.end * 1000),
                      start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                      sub_frames=[TIT2(encoding=3, text=id3_text(chapter.title))]))
    if ids:
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                      sub_frames=[TIT2(encoding=3, text="Chapters")]))
    tags.save(path, v2_version=4)
    if ids:
        _chapters_in_time_order(Path(path))


def _chapters_in_time_order(path: Path) -> None:
    """Rewrite the tag's frame list in place with the CHAP frames sorted by start time (same bytes, reordered).

    Only a plain ID3v2.4 tag as mutagen writes it (no unsynchronisation, no extended header) is touched.
    """
    with open(path, "r+b") as handle:
        header = handle.read(10)
        if len(header) < 10 or header[:3] != b"ID3" or header[3] != 4 or header[5] & 0xC0:
            return
        size = _syncsafe(header[6:10])
        body = handle.read(size)
        frames: list[tuple[bytes, bytes]] = []  # (frame id, whole frame)
        at = 0
        while at + 10 <= len(body) and body[at:at + 4] != b"\0\0\0\0":
            length = 10 + _syncsafe(body[at + 4:at + 8])
            frames.append((body[at:at + 4], body[at:at + length]))
            at += length
        if at > len(body):
            return
        chapters = sorted((f for i, f in frames if i == b"CHAP"), key=_chap_start)
        ordered = iter(chapters)
        rebuilt = b"".join(next(ordered) if i == b"CHAP" else f for i, f in frames)
        if rebuilt != body[:at]:
            handle.seek(10)
            handle.write(rebuilt)


def _syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def _chap_start(frame: bytes) -> int:
    element_end = frame.index(b"\0", 10)
    return int.from_bytes(frame[element_end + 1:element_end + 5], "big")
