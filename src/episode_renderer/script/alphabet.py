"""Which letters the voices can say.

Every voice here reads English (Kokoro en-us/en-gb and Piper through espeak's English rules). A
word in another writing system comes out as letter names ("Chinese letter" four times for 你好世界,
"pe er i ve" for Привет) or as nothing, so it is left out of the speech and the parser names it.
A letter in a compatibility form (fullwidth Ｈ, mathematical 𝐇, the ligature ﬁ) is the plain
letter it stands for. A Greek letter on its own is kept: espeak says its name (π is "pi").
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["drop_foreign", "foreign_words", "plain", "script_name"]

_LATIN_SIGNS = frozenset("\u00b5")  # MICRO SIGN: a unit prefix (5 µs), read by the speech rules


@lru_cache(maxsize=4096)
def plain(c: str) -> str | None:
    """The ASCII letters a letter in a compatibility form stands for (NFKC), or None."""
    if not unicodedata.category(c).startswith("L") or unicodedata.category(c) == "Lm":
        return None
    folded = unicodedata.normalize("NFKC", c)
    return folded if folded != c and folded.isascii() and folded.isalpha() else None


@lru_cache(maxsize=4096)
def script_name(c: str) -> str | None:
    """The writing system of a letter the voices cannot say ("Cyrillic", "CJK", ...); None for a
    Latin letter, a compatibility form of one, or anything that is not a letter."""
    category = unicodedata.category(c)
    if c.isascii() or not category.startswith("L") or category == "Lm" or c in _LATIN_SIGNS:
        return None
    name = unicodedata.name(c, "")
    if name.startswith("LATIN") or plain(c) is not None:
        return None
    first = name.split(" ", 1)[0] or "unnamed"
    return first if first == "CJK" else first.title()


def _runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of letters the voices cannot say, with their combining marks."""
    runs: list[tuple[int, int, int]] = []  # start, end, letters
    start, letters = -1, 0
    for i, c in enumerate(text):
        foreign = not c.isascii() and script_name(c) is not None
        mark = start >= 0 and not c.isascii() and unicodedata.category(c).startswith("M")
        if foreign or mark:
            if start < 0:
                start, letters = i, 0
            letters += foreign
        elif start >= 0:
            runs.append((start, i, letters))
            start = -1
    if start >= 0:
        runs.append((start, len(text), letters))
    return [(a, b) for a, b, n in runs if not (n == 1 and script_name(text[a]) == "Greek")]


def foreign_words(text: str) -> list[str]:
    """The words of ``text`` in a writing system the voices cannot say, in order."""
    if text.isascii():
        return []
    return [text[a:b] for a, b in _runs(text)]


def drop_foreign(text: str) -> str:
    """``text`` without the words the voices cannot say (a space stands where each was)."""
    if text.isascii():
        return text
    out, pos = [], 0
    for a, b in _runs(text):
        out += [text[pos:a], " "]
        pos = b
    return "".join(out) + text[pos:] if out else text
