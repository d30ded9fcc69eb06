"""Every character outside ASCII as what espeak should read for it.

The speech rules match ASCII text and the few signs they read themselves (dashes, arrows,
currency signs, vulgar fractions), which are kept as they are. Every other character becomes
what it stands for: curly quotes straight ones, a fullwidth or styled letter the plain letter,
a digit of another script an ASCII digit, a superscript digit nothing (a footnote mark), another
numeric character its value in words, a few symbols (plus-minus, not-equal, the section sign)
their words. A character no table names is classified by its Unicode category once, then
remembered.
"""

from __future__ import annotations

import re
import unicodedata

from .alphabet import plain
from .spoken_numbers import say_value

__all__ = ["map_characters"]

_FIXED_CHARS: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2013": "\u2013", "\u2014": "\u2014", "\u2015": "\u2014", "\u2e3a": "\u2014",
    "\u2e3b": "\u2014", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\ufe63": "-",
    "\u2026": "...", "\u00d7": "\u00d7", "\u2192": "\u2192", "\u21d2": "\u2192", "\u27f6": "\u2192",
    "\u2794": "\u2192", "\u279c": "\u2192", "\u27f9": "\u2192", "\u21e8": "\u2192", "\u2799": "\u2192",
    "\u27a1": "\u2192", "\u2248": "~", "\u223c": "~", "\u301c": "~",
    "\u00b1": " plus or minus ", "\u00f7": " divided by ", "\u221e": " infinity ",
    "\u2260": " not equal to ", "\u2264": " at most ", "\u2265": " at least ",
    "\u00b0": "\u00b0", "\u00b2": " squared", "\u00b3": " cubed", "\u2022": "\u2022", "\u00b7": " ",
    "\u00a7": " section ", "\u00a2": " cents", "\u20ac": "\u20ac", "\u00a3": "\u00a3",
    "\u00a5": "\u00a5", "\u20b9": "\u20b9",
    "\u00bd": "\u00bd", "\u00bc": "\u00bc", "\u00be": "\u00be", "\u2153": "\u2153", "\u2154": "\u2154",
    "\u215b": "\u215b", "\u215c": "\u215c", "\u215d": "\u215d", "\u215e": "\u215e", "\u2155": "\u2155",
}


def _numeric_char(c: str) -> str:
    if 0x2070 <= ord(c) <= 0x2079 or c == "\u00b9":
        return ""
    nfkc = unicodedata.normalize("NFKC", c)
    if nfkc != c and nfkc.isascii() and nfkc.isalnum():
        return f" {nfkc} "
    value = unicodedata.numeric(c, None)
    return " " if value is None else f" {say_value(value)} "


class _CharMap(dict[int, str]):
    """str.translate table built lazily: each non-ASCII character is classified once."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        fixed = _FIXED_CHARS.get(c)
        if cp < 128:
            out = c
        elif fixed is not None:
            out = fixed
        elif 0xFF01 <= cp <= 0xFF5E:
            out = chr(cp - 0xFEE0)
        else:
            cat = unicodedata.category(c)
            if cat == "Me":
                out = ""
            elif cat == "Nd":
                out = str(unicodedata.decimal(c))
            elif cat[0] in "LM":
                out = plain(c) or c
            elif cat in ("No", "Nl"):
                out = _numeric_char(c)
            elif cat[0] == "Z":
                out = " "
            elif cat == "Pd":
                out = "-"
            elif cat[0] == "P":
                out = c
            elif cat == "Sc":
                out = " "
            else:
                out = ""
        self[cp] = out
        return out


_CHARS = _CharMap()
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _map_chars(m: re.Match[str]) -> str:
    return m.group(0).translate(_CHARS)


def map_characters(text: str) -> str:
    """``text`` with each non-ASCII character replaced by what the rules and espeak expect."""
    return _NON_ASCII.sub(_map_chars, text)
