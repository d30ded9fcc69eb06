"""Numbers as the words a voice says: digit by digit, cardinal, ordinal, year, decimal.

num2words does the naming; this wraps it the way speech wants it (no British "and", no commas,
which espeak would pause on) and caches it, since the speech rules name the same few numbers
again and again and num2words costs tens of microseconds a call.
"""

from __future__ import annotations

from functools import lru_cache

from num2words import CONVERTER_CLASSES

__all__ = [
    "DIGIT_WORDS", "is_one", "pluralize", "say_cardinal", "say_digits", "say_number", "say_ordinal",
    "say_value", "say_year",
]

_EN = CONVERTER_CLASSES["en"]
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_MAX_CARDINAL = 10**24


def _clean(words: str) -> str:
    """num2words writes British "and" and commas; commas would make espeak pause mid-number."""
    return words.replace(",", "").replace(" and ", " ")


_DIGIT_WORD = {str(i): w for i, w in enumerate(DIGIT_WORDS)}


def say_digits(digits: str) -> str:
    """"0", "4", "2" one by one: "zero four two" (a phone number, a leading zero, a long run)."""
    return " ".join(map(_DIGIT_WORD.__getitem__, digits))


@lru_cache(maxsize=4096)
def say_cardinal(n: int) -> str:
    """Cached: num2words costs tens of microseconds a call."""
    if n < 0:
        return "minus " + say_cardinal(-n)
    if n >= _MAX_CARDINAL:
        return say_digits(str(n))
    return _clean(_EN.to_cardinal(n))


@lru_cache(maxsize=1024)
def say_ordinal(n: int) -> str:
    """"twenty-first"; beyond the named numbers, digit by digit."""
    if n >= _MAX_CARDINAL:
        return say_digits(str(n))
    return _clean(_EN.to_ordinal(n))


@lru_cache(maxsize=1024)
def say_year(n: int) -> str:
    """"twenty twenty-five", "nineteen oh-five", but "two thousand five" for 2000-2009."""
    if 2000 <= n <= 2009:
        return say_cardinal(n)
    return _clean(_EN.to_year(n))


@lru_cache(maxsize=4096)
def say_number(int_part: str, frac: str | None = None) -> str:
    """Digits (ASCII, optional "," grouping) -> words; a leading zero is read digit by digit."""
    digits = int_part.replace(",", "")
    if len(digits) > 1 and digits[0] == "0":
        words = say_digits(digits)
    else:
        words = say_cardinal(int(digits)) if digits else "zero"
    if frac:
        words += " point " + say_digits(frac)
    return words


def is_one(int_part: str, frac: str | None) -> bool:
    """Whether an amount takes the singular ("1 GB", "1.0 GB"), as digits and fraction digits."""
    return int(int_part.replace(",", "")) == 1 and not (frac and int(frac))


def pluralize(words: str) -> str:
    """The plural of a number word: "twenty" -> "twenties", "six" -> "sixes"."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith("x"):
        return words + "es"
    return words + "s"


def say_value(value: float) -> str:
    """A character's numeric value (Unicode's, a float) in words: 3.0 -> "three", 0.5 -> "zero point five"."""
    if value == int(value):
        return say_cardinal(int(value))
    whole, _, frac = f"{value:.4f}".rstrip("0").partition(".")
    return say_number(whole, frac)
