"""Numbers in every form a script writes them, as words: money, dates, times, phone numbers,
ranges, units, percentages, fractions, versions, years and plain numbers.

espeak reads digits but not what they stand for ("$5M", "9:30", "2024-03-01", "3x"). The rules
run in order, the most specific first, each on the text the one before left, so a date is read as
a date before its parts could be read as a range or plain numbers.
"""

from __future__ import annotations

import re

from .speech_rules import Step, after_word, run_steps, rx, sentence_end
from .spoken_numbers import (
    DIGIT_WORDS,
    is_one,
    pluralize,
    say_cardinal,
    say_digits,
    say_number,
    say_ordinal,
    say_year,
)

__all__ = ["has_numbers", "say_numbers", "say_stray_digits"]

_NUM = r"(\d(?:\d{0,2}(?:,\d{3})+(?!\d)|\d*))(?:\.(\d+))?"
_NUM_NC = r"\d(?:\d{0,2}(?:,\d{3})+(?!\d)|\d*)(?:\.\d+)?"
_HAS_NUMERIC = rx(r"[\d\u00bd\u00bc\u00be\u2153\u2154\u215b-\u215e\u2155]")
_POSTFIX_CUR = rx(r"(?<![\w.,])(" + _NUM_NC + r")\s?([$\u20ac\u00a3])")
_PHONE = rx(r"(?<![\w-])(?:(1)[-. ])?\(?(\d{3})\)?[-. ](\d{3})[-.](\d{4})(?![\w-])")
_ISO_DATE = rx(r"(?<![\w-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])")
_US_DATE = rx(r"(?<![\w/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/])")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
_AMPM = r"(?:\s?([AaPp])\.?\s?[Mm]\.?(?!\w))"
_HMS = rx(r"(?<![\d:.])(\d{1,2}):(\d{2}):(\d{2})(?![\d:])")
_CLOCK = rx(r"(?<![\d:.])(\d{1,2}):(\d{2})" + _AMPM + r"?(?![\d:])")
_HOUR_AMPM = rx(r"(\d{1,2})" + _AMPM)
_RATIO = rx(r"(?<![\d:.])(\d+):(\d+)(?![\d:])")
_CUR = r"[$\u20ac\u00a3\u00a5\u20b9]"
_SCALE = r"(?:\s(thousand|million|billion|trillion)\b|(MM|bn|BN|tn|[KkMmBbT])(?!\w))?"
_MONEY = rx(
    rf"({_CUR})\s?{_NUM}{_SCALE}"
    rf"(?:(?:\s?[-\u2013]\s?{_CUR}?|\s+to\s+{_CUR})\s?{_NUM}{_SCALE})?"
)
_CURRENCY = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "\u20ac": ("euro", "euros", "cent", "cents"),
    "\u00a3": ("pound", "pounds", "penny", "pence"),
    "\u00a5": ("yen", "yen", "", ""),
    "\u20b9": ("rupee", "rupees", "paisa", "paise"),
}
_SCALE_WORDS = {
    "k": "thousand", "m": "million", "mm": "million", "b": "billion", "bn": "billion",
    "t": "trillion", "tn": "trillion",
}
_NEG_MONEY = rx(r"-(?=[$\u20ac\u00a3\u00a5\u20b9]\s?\d)")
_B2B = rx(r"\b([A-Z])2([A-Z])\b")
_LETTER_DIGIT = rx(r"\d(?<=[^\W\d_]\d)|-(?<=[^\W\d_]-)(?=\d)")
_RANGE_DOTS = rx(r"(?<=\d)\.\.\.?(?=\d)")
_RANGE_HYPHEN = rx(r"-(?<=[\d%]-)(?=[\d.])")
_RANGE_EN = rx(r"(?<=[\d%])\s?\u2013\s?(?=[\d.])")
_RANGE_NOW = rx(r"(?<=\d)\s?[-\u2013]\s?(?=(?:present|today|now)\b)")
_PLURAL_NUM = rx(r"(?<![\w.,'])'?(\d[\d,]*)s\b")
_PLURAL_NUM_HINT = rx(r"\ds\b")
_ORDINAL = rx(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th|ST|ND|RD|TH)\b")
_ORDINAL_HINT = rx(r"\d(?:st|nd|rd|th|ST|ND|RD|TH)\b")
_UNITS = {
    "GB": "gigabyte", "MB": "megabyte", "TB": "terabyte", "KB": "kilobyte", "kB": "kilobyte",
    "PB": "petabyte", "GHz": "gigahertz", "MHz": "megahertz", "kHz": "kilohertz", "Hz": "hertz",
    "ms": "millisecond", "\u00b5s": "microsecond", "ns": "nanosecond", "km/h": "kilometer per hour",
    "kph": "kilometer per hour", "km": "kilometer", "kg": "kilogram", "mg": "milligram",
    "mph": "mile per hour", "fps": "frame per second", "mm": "millimeter", "cm": "centimeter",
    "lbs": "pound", "lb": "pound", "oz": "ounce", "ft": "foot", "mins": "minute", "min": "minute",
    "hrs": "hour", "hr": "hour", "secs": "second", "sec": "second", "yrs": "year", "kW": "kilowatt",
    "kWh": "kilowatt hour", "MW": "megawatt", "GW": "gigawatt", "dB": "decibel",
    "Mbps": "megabit per second", "Gbps": "gigabit per second", "bps": "bit per second",
    "s": "second",
}
_UNIT_PLURALS = {"foot": "feet", "kilowatt hour": "kilowatt hours"}
_UNCOUNTED_UNITS = ("hertz",)
_UNIT_NAMES = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_UNIT = rx(r"(?<![\w.])" + _NUM + r"\s?(" + _UNIT_NAMES + r")(?![\w/])")
_UNIT_HINT = rx(r"\d\s?(?:" + _UNIT_NAMES + r")(?![\w/])")
_DEGREES = rx(r"\s?\u00b0\s?([CF](?![a-zA-Z]))?")
_TIMES_BETWEEN = rx(r"(\d)\s?\u00d7\s?(?=[\d.])")
_BY = rx(r"(\d)\s?[xX]\s?(?=\d)")
_MULTIPLIER = rx(r"(\d)\s?[xX\u00d7](?![\w])")
_NUM_SCALE = rx(r"(?<![\w.])" + _NUM + r"(M|MM|B|T|bn|mn)(?![\w])")
_NUM_SCALE_HINT = rx(r"\d(?:M|MM|B|T|bn|mn)(?![\w])")
_NUM_SCALE_WORDS = {"M": "million", "MM": "million", "mn": "million", "B": "billion",
                    "bn": "billion", "T": "trillion"}
_PERCENT = rx(_NUM + r"\s?%")
_FRACTION = rx(r"(\d+)/(\d+)(?![\w/]|\.\d)")
_FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}
_VULGAR = rx(r"(?<![\w.])(?:(\d+)\s?)?([\u00bd\u00bc\u00be\u2153\u2154\u215b-\u215e\u2155])")
_VULGAR_WORDS = {
    "\u00bd": ("one half", "a half"), "\u00bc": ("one quarter", "a quarter"),
    "\u00be": ("three quarters", "three quarters"), "\u2153": ("one third", "a third"),
    "\u2154": ("two thirds", "two thirds"), "\u215b": ("one eighth", "an eighth"),
    "\u215c": ("three eighths", "three eighths"), "\u215d": ("five eighths", "five eighths"),
    "\u215e": ("seven eighths", "seven eighths"), "\u2155": ("one fifth", "a fifth"),
}
_VERSION = rx(r"(?<![\d.])(\d+(?:\.\d+){2,})(?![\d])")
_YEAR = rx(r"([12]\d{3})(?![\w]|[.,]\d)")
_NEGATIVE = rx(r"-(?=\.?\d)")
_DIGIT_LETTER = rx(r"\d(?=[^\W\d_])")
_BARE_DECIMAL = rx(r"\.(\d+)")
_PLAIN_NUMBER = rx(_NUM)
_STRAY_DIGITS = rx(r"\d+")
#: More digits than any number has a name for (10**24): read digit by digit before the number rules,
#: which would otherwise turn thousands of digits into one integer.
_LONG_DIGITS = rx(r"\d(?:,?\d){24,}")


def _phone(m: re.Match[str]) -> str:
    groups = [g for g in m.groups() if g]
    return ", ".join(say_digits(g) for g in groups)


def _valid_date(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _say_date(year: str, month: str, day: str) -> str | None:
    mo, d = int(month), int(day)
    if not _valid_date(mo, d):
        return None
    y = int(year)
    year_words = say_year(y) if len(year) == 4 and 1100 <= y <= 2099 else say_number(year)
    return f"{_MONTHS[mo - 1]} {say_ordinal(d)}, {year_words}"


def _iso_date(m: re.Match[str]) -> str:
    return _say_date(m.group(1), m.group(2), m.group(3)) or m.group(0).replace("-", " to ")


def _us_date(m: re.Match[str]) -> str:
    return _say_date(m.group(3), m.group(1), m.group(2)) or m.group(0).replace("/", " ")


def _two_digit_minutes(mm: int) -> str:
    return "oh " + DIGIT_WORDS[mm] if mm < 10 else say_cardinal(mm)


def _hms(m: re.Match[str]) -> str:
    """"1:23:45" is a duration or timestamp: read it with units, skipping zero parts."""
    h, mi, s = (int(g) for g in m.groups())
    if mi >= 60 or s >= 60:
        return " ".join(say_number(g) for g in m.groups())
    parts = []
    for value, unit in ((h, "hour"), (mi, "minute"), (s, "second")):
        if value:
            parts.append(f"{say_cardinal(value)} {unit}" + ("" if value == 1 else "s"))
    return " ".join(parts) or "zero seconds"


def _clock(m: re.Match[str]) -> str:
    hour_s, minute_s, ampm = m.group(1), m.group(2), m.group(3)
    h, mm = int(hour_s), int(minute_s)
    if mm >= 60 or h > 24 or (ampm and h > 12):
        return f"{say_number(hour_s)} to {say_number(minute_s)}"
    if ampm:
        words = say_cardinal(h) if mm == 0 else f"{say_cardinal(h)} {_two_digit_minutes(mm)}"
        return f"{words} {ampm.upper()}.M" + sentence_end(m)
    if len(hour_s) == 2 and int(hour_s[0]) == 0:
        hour_words = "zero" if h == 0 else "oh " + DIGIT_WORDS[h]
        military = True
    else:
        hour_words = say_cardinal(h)
        military = h >= 13 or h == 0
    if mm == 0:
        return hour_words + (" hundred" if military else " o'clock")
    return f"{hour_words} {_two_digit_minutes(mm)}"


def _hour_ampm(m: re.Match[str]) -> str:
    h = int(m.group(1))
    if h > 12 or after_word(m, ".,:"):
        return m.group(0)
    return f"{say_cardinal(h)} {m.group(2).upper()}.M" + sentence_end(m)


def _letter_digit(m: re.Match[str]) -> str:
    """"GPT-4" -> "GPT 4"; a lone "A" keeps a hyphen, or espeak reads it as the article."""
    i = m.start()
    sep = "-" if m.string[i - 1] == "A" and (i < 2 or not m.string[i - 2].isalnum()) else " "
    return sep if m.group(0) == "-" else sep + m.group(0)


def _negative(m: re.Match[str]) -> str:
    return "-" if after_word(m, ")]%") else "minus "


def _bare_decimal(m: re.Match[str]) -> str:
    if after_word(m, ","):
        return m.group(0)
    return "point " + say_digits(m.group(1))


def _ratio(m: re.Match[str]) -> str:
    return f"{say_number(m.group(1))} to {say_number(m.group(2))}"


def _money_part(
    names: tuple[str, str, str, str], int_s: str, frac: str | None, scale: str | None
) -> tuple[str, str, bool]:
    """Return (amount words, unit word, whether cents were read)."""
    one, many, sub_one, sub_many = names
    if scale:
        word = _SCALE_WORDS.get(scale.lower(), scale.lower())
        return f"{say_number(int_s, frac)} {word}", many, False
    if frac and len(frac) <= 2 and sub_many:
        units = int(int_s.replace(",", ""))
        cents = int(frac.ljust(2, "0"))
        if cents == 0:
            return say_number(int_s), one if units == 1 else many, False
        cent_words = f"{say_cardinal(cents)} {sub_one if cents == 1 else sub_many}"
        if units == 0:
            return cent_words, "", True
        return f"{say_number(int_s)} {one if units == 1 else many} and {cent_words}", "", True
    return say_number(int_s, frac), one if is_one(int_s, frac) else many, False


def _money(m: re.Match[str]) -> str:
    """"$10,000-$100,000" -> "ten thousand to one hundred thousand dollars"."""
    cur, i1, f1, w1, s1, i2, f2, w2, s2 = m.groups()
    names = _CURRENCY[cur]
    words1, unit1, cents1 = _money_part(names, i1, f1, w1 or s1)
    if i2 is None:
        return f"{words1} {unit1}" if unit1 else words1
    words2, unit2, cents2 = _money_part(names, i2, f2, w2 or s2)
    if cents1 or cents2:
        first = f"{words1} {unit1}" if unit1 else words1
        second = f"{words2} {unit2}" if unit2 else words2
        return f"{first} to {second}"
    return f"{words1} to {words2} {names[1]}"


def _plural_number(m: re.Match[str]) -> str:
    """"1990s" -> "nineteen nineties", "'80s" -> "eighties", "1000s" -> "thousands"."""
    digits = m.group(1).replace(",", "")
    n = int(digits)
    if len(digits) == 4 and 1100 <= n <= 2099 and n % 10 == 0 and "," not in m.group(1):
        return pluralize(say_year(n))
    if n >= 100 and digits.strip("0") == "1":
        return pluralize(say_cardinal(n).split()[-1])
    return pluralize(say_number(digits))


def _ordinal_sub(m: re.Match[str]) -> str:
    return say_ordinal(int(m.group(1).replace(",", "")))


def _unit(m: re.Match[str]) -> str:
    int_s, frac, unit = m.groups()
    name = _UNITS[unit]
    if not is_one(int_s, frac) and not name.endswith(_UNCOUNTED_UNITS):
        name = _UNIT_PLURALS.get(name) or (
            name.replace(" per ", "s per ") if " per " in name else name + "s"
        )
    return f"{say_number(int_s, frac)} {name}"


def _degrees(m: re.Match[str]) -> str:
    scale = {"C": " Celsius", "F": " Fahrenheit"}.get(m.group(1) or "", "")
    return " degrees" + scale


def _num_scale(m: re.Match[str]) -> str:
    return f"{say_number(m.group(1), m.group(2))} {_NUM_SCALE_WORDS[m.group(3)]}"


def _percent(m: re.Match[str]) -> str:
    if after_word(m, "."):
        return m.group(0)
    return say_number(m.group(1), m.group(2)) + " percent"


def _fraction(m: re.Match[str]) -> str:
    """Small fractions are named; "24/7" and "50/50" are read as said; others "out of"."""
    if after_word(m, "/."):
        return m.group(0)
    a_s, b_s = m.group(1), m.group(2)
    a, b = int(a_s), int(b_s)
    if (a, b) == (24, 7) or a == b:
        return f"{say_number(a_s)} {say_number(b_s)}"
    if 0 < a < b and b in (2, 3, 4):
        names = _FRACTION_NAMES.get(b) or (say_ordinal(b), pluralize(say_ordinal(b)))
        return f"{say_cardinal(a)} {names[0] if a == 1 else names[1]}"
    if b == 0 or a > b:
        return f"{say_number(a_s)} over {say_number(b_s)}"
    return f"{say_number(a_s)} out of {say_number(b_s)}"


def _vulgar(m: re.Match[str]) -> str:
    alone, after = _VULGAR_WORDS[m.group(2)]
    if m.group(1):
        return f"{say_number(m.group(1))} and {after}"
    return f" {alone} "


def _version(m: re.Match[str]) -> str:
    return " point ".join(say_number(p) for p in m.group(1).split("."))


def _year_sub(m: re.Match[str]) -> str:
    n = int(m.group(1))
    if not 1100 <= n <= 2099 or after_word(m, ".,$"):
        return m.group(0)
    return say_year(n)


def _plain_number(m: re.Match[str]) -> str:
    return say_number(m.group(1), m.group(2))


_CURRENCY_CHARS = ("$", "\u20ac", "\u00a3", "\u00a5", "\u20b9")
_NUMBER_STEPS: tuple[Step, ...] = (
    (("$", "\u20ac", "\u00a3"), rx(r"\d\s?[$\u20ac\u00a3]"), _POSTFIX_CUR, r"\2\1"),
    (("-", "."), rx(r"\d{3}[-.]\d{4}"), _PHONE, _phone),
    (("-",), rx(r"\d{4}-\d"), _ISO_DATE, _iso_date),
    (("/",), rx(r"\d/\d{1,2}/\d"), _US_DATE, _us_date),
    ((":",), rx(r"\d:\d\d:\d"), _HMS, _hms),
    ((":",), rx(r"\d:\d\d"), _CLOCK, _clock),
    (("m", "M"), rx(r"\d\s?[AaPp]\.?\s?[Mm]"), _HOUR_AMPM, _hour_ampm),
    ((":",), None, _RATIO, _ratio),
    (("-",), None, _NEG_MONEY, _negative),
    (_CURRENCY_CHARS, None, _MONEY, _money),
    (("2",), rx(r"2(?<=[A-Z]2)[A-Z]"), _B2B, r"\1 to \2"),
    (None, None, _LETTER_DIGIT, _letter_digit),
    (("present", "today", "now"), None, _RANGE_NOW, " to "),
    (("..",), None, _RANGE_DOTS, " to "),
    (("-",), None, _RANGE_HYPHEN, " to "),
    (("\u2013",), None, _RANGE_EN, " to "),
    (("-",), None, _NEGATIVE, _negative),
    (("s",), _PLURAL_NUM_HINT, _PLURAL_NUM, _plural_number),
    (("st", "nd", "rd", "th", "ST", "ND", "RD", "TH"), _ORDINAL_HINT, _ORDINAL, _ordinal_sub),
    (None, _UNIT_HINT, _UNIT, _unit),
    (("\u00b0",), None, _DEGREES, _degrees),
    (("\u00d7",), None, _TIMES_BETWEEN, r"\1 times "),
    (("x", "X"), None, _BY, r"\1 by "),
    (("x", "X", "\u00d7"), None, _MULTIPLIER, r"\1 times"),
    (("M", "B", "T", "bn", "mn"), _NUM_SCALE_HINT, _NUM_SCALE, _num_scale),
    (("%",), None, _PERCENT, _percent),
    (("/",), None, _FRACTION, _fraction),
    (tuple(_VULGAR_WORDS), None, _VULGAR, _vulgar),
    ((".",), rx(r"\d\.\d+\.\d"), _VERSION, _version),
    (("1", "2"), None, _YEAR, _year_sub),
    (None, None, _DIGIT_LETTER, r"\g<0> "),
    ((".",), None, _BARE_DECIMAL, _bare_decimal),
    (None, None, _PLAIN_NUMBER, _plain_number),
)


def has_numbers(s: str) -> bool:
    """Whether ``s`` has a digit or a vulgar fraction: most lines have none and skip every rule here."""
    return _HAS_NUMERIC.search(s) is not None


def say_numbers(s: str) -> str:
    """Every number in ``s`` that its context gives a reading, as words."""
    s = _LONG_DIGITS.sub(lambda m: " " + say_digits(m.group(0).replace(",", "")) + " ", s)
    return run_steps(s, _NUMBER_STEPS)


def say_stray_digits(s: str) -> str:
    """Digits no rule read, digit by digit."""
    return _STRAY_DIGITS.sub(lambda m: " " + say_digits(m.group(0)) + " ", s)
