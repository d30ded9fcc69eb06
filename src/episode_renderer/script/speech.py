"""Rewrite one line of script text into exactly what Piper (espeak-ng English) should read.

espeak reads raw script text badly: it reads pronounceable acronyms as words ("SEO" as
"see-oh"), gives no pause at ellipses or dashes, and says symbols, URLs and many number
forms literally or not at all. ``to_speech`` turns numbers, money, times, symbols,
abbreviations and acronyms into plain words and leaves only commas and periods as pauses.

Each kind of text has its own rules, applied in this order: characters outside ASCII
(:mod:`.characters`), symbols and abbreviations (:mod:`.symbol_rules`), numbers
(:mod:`.number_rules`, naming them with :mod:`.spoken_numbers`), capitalised and sound words
(:mod:`.spelling`, which says why acronyms come out dotted), then pauses (:mod:`.pause_rules`).
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable

from .alphabet import drop_foreign, plain
from .characters import map_characters
from .number_rules import has_numbers, say_numbers, say_stray_digits
from .pause_rules import say_pauses, tidy_pauses
from .speech_rules import rx
from .spelling import ACRONYMS, SPOKEN_AS_WORDS, say_words
from .spoken_numbers import say_value
from .symbol_rules import say_slashes, say_symbols

__all__ = ["ACRONYMS", "SPOKEN_AS_WORDS", "to_speech"]

_ENTITY = rx(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,5});")
_CONTROL = rx(r"[\x00-\x1f\x7f]")
_LEADING_PUNCT = rx(r"^[\s,.;:!?-]+")
_HAS_ALNUM = rx(r"[^\W_]")
_SPACED_PUNCT = (" ,", " .", " ;", " :", " !", " ?")


def _fallback(text: str) -> str:
    """Last resort for input whose every letter or digit got lost: read just those."""
    out = []
    for c in text:
        if c.isalpha():
            out.append(plain(c) or c)
        elif c.isnumeric():
            value = unicodedata.numeric(c, None)
            if value is not None:
                out.append(f" {say_value(value)} ")
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def to_speech(text: str, acronyms: Iterable[str] | None = None) -> str:
    """Return ``text`` as words a TTS engine reads the way a person would say it.

    ``acronyms`` replaces :data:`ACRONYMS`, the all-caps tokens that are always spelled.
    The result has no digits and no symbols espeak would read oddly, and no word in a writing
    system the voices cannot say (see :mod:`.alphabet`); it is empty only when ``text`` has no
    letter or digit they can say.
    """
    known = ACRONYMS if acronyms is None else frozenset(a.upper() for a in acronyms)
    s = text
    if "&" in s and ";" in s:
        s = _ENTITY.sub(lambda m: html.unescape(m.group(0)), s)
    if not s.isascii():
        s = map_characters(drop_foreign(s))
    if "*" in s:
        s = s.replace("*", "")
    s = say_symbols(s)
    numeric = has_numbers(s)
    if numeric:
        s = say_numbers(s)
    s = say_slashes(s)
    s = say_words(s, known)
    s = say_pauses(s)
    if numeric:
        s = say_stray_digits(s)
    if not s.isprintable():
        s = _CONTROL.sub(" ", s)
    s = " ".join(s.split())
    if s.endswith("-") and len(s) > 1 and s[-2].isalnum():
        s = s.rstrip("-") + ","
    for pair in _SPACED_PUNCT:
        if pair in s:
            s = s.replace(pair + " ", pair[1] + " ")
            if s.endswith(pair):
                s = s[:-2] + pair[1]
    s = tidy_pauses(s)
    s = _LEADING_PUNCT.sub("", s).strip()
    if not _HAS_ALNUM.search(s):
        sayable = drop_foreign(text)
        if any(c.isalnum() for c in sayable):
            s = _fallback(sayable)
    return s
