"""ID3v2.4 tags and chapters (CHAP/CTOC) with mutagen."""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import (CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TRCK, TXXX, APIC, CTOCFlags,
                         ID3NoHeaderError)

from ..mix.layout import Chapter


def write_tags(path: Path, *, title: str, track: int | None, date: str | None, description: str | None,
               show: str | None, author: str | None, chapters: list[Chapter], cover: Path | None = None,
               genre: str = "Podcast") -> None:
    """Tag an MP3 in place. CTOC lists chapters in time order (players follow it, not file order)."""
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
                      sub_frames=[TIT2(encoding=3, text=chapter.title)]))
    if ids:
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                      sub_frames=[TIT2(encoding=3, text="Chapters")]))
    tags.save(path, v2_version=4)
