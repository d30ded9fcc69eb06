"""Episode numbers: from the front matter, else from the file name; checked before they become tags.

The show numbers some episodes 35.5, so a fractional number is valid. A number that is negative
or absurdly large is kept as written (season.json) but never becomes an ID3 track or an
``itunes:episode``, which players read as whole, small, non-negative numbers.
"""

from __future__ import annotations

import math
import re
from typing import Any, Union

Number = Union[int, float]

#: ``episode-07-...``, ``ep_12``, ``episode 35.5 ...``: the number a file name starts its story with.
_FROM_NAME = re.compile(r"(?:^|[-_ .])(?:episode|ep)[-_ ]?(\d{1,6}(?:\.\d{1,3})?)(?=$|[-_ .])", re.IGNORECASE)
LARGEST = 999_999


def parse_number(value: Any) -> tuple[Number | None, bool]:
    """(number, was it readable): ints stay ints, 35.0 becomes 35, 35.5 stays, text is parsed."""
    if value is None or isinstance(value, bool):
        return None, value is None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None, True
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                return None, False
    if isinstance(value, int):
        return value, True
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, False
        return (int(value) if value.is_integer() else value), True
    return None, False


def from_file_name(stem: str) -> Number | None:
    """The number in ``episode-07-title`` or ``ep-7``; None when the name carries none."""
    match = _FROM_NAME.search(stem)
    if not match:
        return None
    number, _ok = parse_number(match.group(1))
    return number


def episode_number(value: Any, stem: str, source: str) -> tuple[Number | None, list[str]]:
    """The episode's number and any warnings about it (naming the file and what was done)."""
    number, readable = parse_number(value)
    warnings: list[str] = []
    if not readable:
        warnings.append(f"{source}: episode_number {value!r} is not a number; it is ignored.")
    if number is None:
        number = from_file_name(stem)
    if number is not None and tag_number(number) is None:
        warnings.append(f"{source}: episode_number {number} is not a valid track number (0 to {LARGEST}); "
                        "the MP3 gets no track tag and the feed no itunes:episode.")
    return number, warnings


def tag_number(number: Number | None) -> Number | None:
    """``number`` if players can take it as an episode number (0 to LARGEST), else None."""
    if number is None or isinstance(number, bool) or not 0 <= number <= LARGEST:
        return None
    return number


def track_number(number: Number | None) -> int | None:
    """The ID3 track: a whole episode number in range; a fractional one (35.5) has no track."""
    number = tag_number(number)
    return number if isinstance(number, int) else None
