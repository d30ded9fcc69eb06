"""Rewrite one line of script text into exactly what Piper (espeak-ng English) should read.

espeak reads raw script text badly: it reads pronounceable acronyms as words ("SEO" as
"see-oh"), gives no pause at ellipses or dashes, and says symbols, URLs and many number
forms literally or not at all. ``to_speech`` turns numbers, money, times, symbols,
abbreviations and acronyms into plain words and leaves only commas and periods as pauses.

Spelled acronyms come out as dotted letters without a final dot ("A.I", "G.P.T", plurals
"L.L.M's", two-letter plurals "A-I's"): espeak says each letter's name in that form, keeps
the stress right, and does not end the sentence there, where spaced letters turn "A" into
the article "uh" and plain capitals get read as words.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .alphabet import drop_foreign, plain
from .characters import map_characters
from .speech_rules import Step, after_word, at_edge, run_steps, rx, sentence_end
from .spoken_numbers import (
    DIGIT_WORDS,
    is_one,
    pluralize,
    say_cardinal,
    say_digits,
    say_number,
    say_ordinal,
    say_value,
    say_year,
)

__all__ = ["ACRONYMS", "SPOKEN_AS_WORDS", "to_speech"]

ACRONYMS: frozenset[str] = frozenset(
    """
    AI AGI ASI API ML DL NLP CV RL RLHF DPO SFT LLM SLM VLM GPT RAG MCP TTS STT ASR OCR NER
    GPU CPU TPU NPU SSD HDD OS UI UX CLI IDE SDK CRUD ORM MVC OOP TDD BDD CI CD QA UAT PR MR OSS
    GPL MIT BSD PDF CSV XML HTML CSS JS TS SQL PHP AWS GCP EC IAM VPC SRE DNS CDN SSL TLS TCP UDP
    IP HTTP HTTPS URL URI USB LED LCD VR AR XR IOT EV AV GPS PC TV DVD HD SD NFT DAO ETF IPO ROI
    KPI OKR SLA SLO EOD EOY ETA FAQ DIY ASAP RSVP AKA TBD TBA FYI BTW IMO IMHO TBH NGL OMG WTF
    LMAO SMH ICYMI AFAIK IIRC TLDR TL DR IRL AMA TIL PS CEO CFO CTO COO CMO CPO VP SVP EVP HR PM
    VC PE LP GP NDA IRS SEC FBI CIA NSA DOJ DOD FDA EPA FTC FCC CDC NIH UN EU US USA UK NYC
    LA SF DC BBC CNN NPR NBC CBS ABC HBO MTV ESPN NBA NFL NHL MLB UFC WWE IBM AMD TSMC ASML HP
    ARR MRR CAC LTV CTR CPC CPM DAU MAU SMB USP PMF GTM ICP ABM OEM SOC PII SSO MFA VPN SEO SEM
    PPC CPA CRO UGC DM NPC RPG FPS MMO DLC AAA PVP MMORPG ID GDPR CCPA ESG DEI EBITDA
    GAAP PNL YC GPA MBA PHD MD RN EMT ER ICU BMI DNA RNA MRI CT PTSD ADHD OCD IQ EQ UBI GDP
    CPI IMF WTO NGO LGBTQ BLM GOP DNC RNC POV TOS EULA CTA CMS CRM ERP POS SKU KYC AML ETL ELT IOS IPA
    """.split()
)
"""All-caps tokens always spelled letter by letter. Others are decided by a pronounceability rule."""

SPOKEN_AS_WORDS: Mapping[str, str] = {
    "NASA": "nasa", "NATO": "nato", "FOMO": "fomo", "YOLO": "yolo", "JSON": "jason",
    "YAML": "yamel", "TOML": "tommel", "COVID": "covid", "SCUBA": "scuba", "LASER": "laser",
    "RADAR": "radar", "UNESCO": "unesco", "UNICEF": "unicef", "FIFA": "fifa", "OPEC": "opec",
    "POTUS": "potus", "SCOTUS": "scotus", "CAPTCHA": "captcha", "GIF": "gif", "PIN": "pin",
    "SIM": "sim", "RAM": "ram", "ROM": "rom", "LAN": "lan", "WAN": "wan", "WIFI": "wifi",
    "CUDA": "cuda", "ASCII": "askee", "WYSIWYG": "wizzywig", "GUI": "gooey", "JPEG": "jay-peg",
    "OLED": "oh-led", "LIDAR": "lidar", "SONAR": "sonar", "GOAT": "goat", "LOL": "lol",
    "OK": "okay", "HIPAA": "hippa", "SWAT": "swat", "AWOL": "a-wall", "SaaS": "sass",
    "PaaS": "pass", "IaaS": "eye-as", "REST": "rest", "SOAP": "soap", "SOLID": "solid",
    "KISS": "kiss", "DRY": "dry", "CHATGPT": "chat G.P.T", "OPENAI": "open A.I",
}
"""All-caps (and a few mixed-case) names read as words, mapped to a spelling espeak says right."""

_NUM = r"(\d(?:\d{0,2}(?:,\d{3})+(?!\d)|\d*))(?:\.(\d+))?"
_NUM_NC = r"\d(?:\d{0,2}(?:,\d{3})+(?!\d)|\d*)(?:\.\d+)?"


def _spell(letters: str, plural: bool = False) -> str:
    if plural:
        return ("-" if len(letters) == 2 else ".").join(letters) + "'s"
    return ".".join(letters)


# --- patterns -------------------------------------------------------------------------------

_ENTITY = rx(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,5});")
_CODE = rx(r"`([^`]*)`")
_CODE_CALL = rx(r"\([^()]*\)")
_CODE_CAMEL = rx(r"(?<=[a-z])(?=[A-Z])")
_CODE_DOT = rx(r"(?<=\w)\.(?=\w)")
_CODE_SYMBOLS = rx(r"[^\w\s]+|_+")
_EMAIL = rx(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = rx(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:com|org|net|io|ai|dev|app|co|fm|tv|gg|xyz|edu|gov|info|biz|news|blog|tech|page|site)\b"
    r"(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_URL_PREFIX = rx(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)
_URL_PATH = rx(r"[/?#:]")
_EMAIL_SYMBOLS = rx(r"[._+-]")
_EMAIL_WORDS = {".": " dot ", "_": " underscore ", "+": " plus ", "-": " dash "}
_TLDS = {"ai": "A.I", "io": "I.O", "fm": "F.M", "tv": "T.V", "gg": "G.G", "xyz": "X.Y.Z"}
_ABBREV = rx(
    r"(?<![\w.])(e\.\s?g\.|e\.g\b|i\.\s?e\.|i\.e\b|etc\.|etc\b|vs\.|vs\b|(?-i:v\.)(?=\s)|approx\."
    r"|approx\b|a\.k\.a\.|aka\b|cf\.|w/o\b|w/(?=\s|\w)|b/c\b|viz\.)",
    re.IGNORECASE,
)
_ABBREV_WORDS = {
    "e.g": "for example", "eg": "for example", "i.e": "that is", "ie": "that is",
    "etc": "et cetera", "vs": "versus", "v": "versus", "approx": "approximately",
    "a.k.a": "also known as", "aka": "also known as", "cf": "compare", "w/o": "without",
    "w/": "with", "b/c": "because", "viz": "namely",
}
_TITLES = rx(r"(Dr|Mr|Mrs|Ms|Prof|Mt|Jr|Sr|Ltd|Inc|Corp|Ph\.D)\.")
_TITLE_WORDS = {
    "Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Prof": "Professor",
    "Mt": "Mount", "Jr": "Junior", "Sr": "Senior", "Ltd": "Limited", "Inc": "Inc",
    "Corp": "Corp", "Ph.D": "P.H.D",
}
_DOTTED = rx(r"(?<![\w.])((?:[A-Za-z]\.){2,})(?!\w)")
_DOTTED_HINT = rx(r"\.(?<=[A-Za-z]\.)(?<![\w.][A-Za-z]\.)[A-Za-z]\.")
_HASH_NUM = rx(r"(?:#|\bNo\.)\s?(?=\d)")
_SHARP = rx(r"\b([A-Ga-g])#")
_ABOUT = rx(r"~+\s?(?=[-\d$\u20ac\u00a3\u00a5\u20b9.])")
_STRIKE = rx(r"~~")
_ARROW = rx(r"-+>|=+>|\u2192")
_BACK_ARROW = rx(r"<-+|\u2190")
_DASHES = rx(r"-{2,}")
_LETTER_AND = rx(r"\b([A-Z]{1,2})\s?&\s?([A-Z]{1,2})\b")
_AND = rx(r"&")
_PLUS = rx(r"\+")
_COMPARE = rx(r"(<=|>=|<|>)\s*(?=[-\d$.~])|(?<=\s)(<=|>=|<|>)(?=\s)")
_COMPARE_WORDS = {"<=": " at most ", ">=": " at least ", "<": " less than ", ">": " more than "}
_EQUALS = rx(r"={1,3}")
_HANDLE = rx(r"@(?=\w)")
_AT = rx(r"@")
_UNDERSCORE = rx(r"_+")

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
_TIMES_SIGN = rx(r"\u00d7")
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

_SLASH = rx(r"\b([^\W_]+)\s?/\s?([^\W_]+)")
_PER = {
    "month": "month", "mo": "month", "year": "year", "yr": "year", "week": "week", "wk": "week",
    "day": "day", "night": "night", "hour": "hour", "hr": "hour", "h": "hour", "minute": "minute",
    "min": "minute", "second": "second", "sec": "second", "s": "second", "user": "user",
    "seat": "seat", "person": "person", "head": "head", "license": "license", "unit": "unit",
    "item": "item", "request": "request", "query": "query", "call": "call", "token": "token",
    "page": "page", "mile": "mile", "gallon": "gallon", "ticket": "ticket", "visit": "visit",
    "click": "click", "lead": "lead", "customer": "customer", "employee": "employee",
    "member": "member", "subscriber": "subscriber", "episode": "episode", "annum": "annum",
}
_TIME_UNITS = frozenset("month year week day night hour minute second".split())
_MONEY_WORDS = frozenset(
    "dollar dollars cent cents euro euros pound pounds pence penny yen rupee rupees".split()
)
_CAPS = rx(r"([A-Z](?<!\w[A-Z])(?:[A-Z]*(?:'[A-Z]+)+|[A-Z]+))(s|'s)?\b")
_MIXED_WORDS = rx(r"\b(SaaS|PaaS|IaaS)\b")
_INTERJECTION = rx(r"(?:H+M+|M+|S+H+|G+R+|B+R+|P+S+T+|Z+|T+S+K+|P+F+T?|U+G+H+|A+R+G+H+|C+H+K+)")
_REPEATS = rx(r"(\w)\1+")
_SOUNDS = rx(
    r"\b(?i:(s+h{2,})|(g+r{2,})|(b+r{2,})|(h+m)|(m{2,})|(m+h+m+)|(c+h+k+)|(b+z+t+)|(h+m+p+h+))\b"
)
_SOUND_WORDS = ("shush", "gurr", "burr", "hmm", "hmm", "uh-huh", "chuk", "buzzt", "humph")
_SOUND_GATE = (
    "hh", "HH", "rr", "RR", "hm", "Hm", "HM", "mm", "Mm", "MM", "hk", "HK", "zt", "ZT",
)

_ELLIPSIS = rx(r"\.(?:\s*\.)+")
_EM_DASH = rx(r"\u2014+")
_SPACED_DASH = rx(r"(?:^|(?<=\s))[-\u2013]+(?=\s|$)")
_PAREN = rx(r"[()]")
_BAR = rx(r"[|\u2022]+")
_LEFTOVER = rx(r"[%$\u2192~\u00d7+&#*_{}\[\]<>|`\\^=@\u2013\u20ac\u00a3\u00a5\u20b9\u00b0/]+")
_STRAY_DIGITS = rx(r"\d+")
#: More digits than any number has a name for (10**24): read digit by digit before the number rules,
#: which would otherwise turn thousands of digits into one integer.
_LONG_DIGITS = rx(r"\d(?:,?\d){24,}")
_CONTROL = rx(r"[\x00-\x1f\x7f]")
_DOUBLE_PAUSE = rx(r"([,;:])(?: ?[,;:])+")
_PAUSE_THEN_STOP = rx(r"[,;:] ?([.!?])")
_STOP_THEN_PAUSE = rx(r"([.!?])[,;:]")
_LEADING_PUNCT = rx(r"^[\s,.;:!?-]+")
_SPACE_AFTER_PAUSE = rx(r"([,;:])(?=[^\s\d])")
_HAS_ALNUM = rx(r"[^\W_]")

# --- replacement functions ------------------------------------------------------------------


def _code(m: re.Match[str]) -> str:
    """`like_this()` -> "like this": identifiers read as the words they are made of."""
    s = _CODE_CALL.sub(" ", m.group(1))
    s = _CODE_CAMEL.sub(" ", s)
    s = _CODE_DOT.sub(" dot ", s)
    return " " + _CODE_SYMBOLS.sub(" ", s) + " "


def _host_label(label: str) -> str:
    return _TLDS.get(label.lower(), label.replace("-", " dash "))


def _email(m: re.Match[str]) -> str:
    user, _, host = m.group(0).partition("@")
    user = _EMAIL_SYMBOLS.sub(lambda c: _EMAIL_WORDS[c.group(0)], user)
    return f" {user} at " + " dot ".join(_host_label(p) for p in host.split(".")) + " "


def _url(m: re.Match[str]) -> str:
    """Only the site name is read: a path or query string is noise when heard."""
    url = m.group(0)
    trail = ""
    while url and url[-1] in ".,;:!?":
        trail = url[-1] + trail
        url = url[:-1]
    host = _URL_PREFIX.sub("", url)
    host = _URL_PATH.split(host, maxsplit=1)[0]
    labels = [p for p in host.split(".") if p]
    return " " + " dot ".join(_host_label(p) for p in labels) + trail + " "


def _abbrev(m: re.Match[str]) -> str:
    raw = m.group(1)
    key = raw.lower().replace(" ", "").rstrip(".")
    words = _ABBREV_WORDS.get(key, raw)
    if raw[0].isupper():
        words = words[0].upper() + words[1:]
    if key == "etc":
        return words + sentence_end(m)
    return words + ("." if raw.endswith(".") and m.end() == len(m.string) else "")


def _title(m: re.Match[str]) -> str:
    if after_word(m):
        return m.group(0)
    word = _TITLE_WORDS[m.group(1)]
    if m.group(1) in ("Jr", "Sr", "Ltd", "Inc", "Corp", "Ph.D"):
        return word + sentence_end(m)
    return word


def _dotted(m: re.Match[str]) -> str:
    letters = m.group(1).replace(".", "").upper()
    end = "." if m.end() == len(m.string) else ""
    return _spell(letters) + end


def _arrow(m: re.Match[str]) -> str:
    return " " if at_edge(m) else " to "


def _letter_and(m: re.Match[str]) -> str:
    return "-".join(m.group(1)) + "-and-" + "-".join(m.group(2))


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


def _slash(m: re.Match[str]) -> str:
    """"$20/month" -> "a month", "requests/second" -> "per second", "and/or" -> "and or"."""
    left, right = m.group(1), m.group(2)
    per = _PER.get(right.lower()) or _PER.get(right.lower().rstrip("s"))
    if per:
        if left.lower() in _MONEY_WORDS and per in _TIME_UNITS:
            return f"{left} {'an' if per == 'hour' else 'a'} {per}"
        return f"{left} per {per}"
    if len(left) == 1 and len(right) == 1 and left.isupper() and right.isupper():
        return f"{left}-{right}"
    if left.lower() == "and" and right.lower() == "or":
        return f"{left} or"
    return f"{left} or {right}"


_SINGLE_ONSETS = set("BCDFGHJKLMNPRSTVWXYZ")
_ONSETS = frozenset(
    _SINGLE_ONSETS
    | set(
        "BL BR CH CL CR DR DW FL FR GL GN GR KL KN KR PH PL PR QU SC SCH SCR SH SHR SK SL SM SN "
        "SP SPL SPR SQU ST STR SW TH THR TR TW WH WR".split()
    )
    | {""}
)
_CODAS = frozenset(
    set("BCDFGHKLMNPRSTVWXZ")
    | set(
        "BB BS CH CK CT DD DS FF FT GG GH GS KS LB LD LF LK LL LM LP LS LT MB MN MP MS ND NG NK NN "
        "NS NT NX PH PS PT RB RC RD RF RG RK RL RM RN RP RS RT RV SH SK SM SP SS ST TH TS TT TZ WL "
        "WN WS XT ZZ NGS NKS NDS NTS RST RTH RMS RKS LDS LTS MPS NCH TCH RCH LCH RDS FTS PTS CKS "
        "STS SKS GHT".split()
    )
    | {""}
)
_TWO_LETTER_WORDS = frozenset(
    "AH AM AN AS AT AW AX BE BY DO EH GO HA HE HI HM IF IN IS IT ME MY NO OF OH ON OR OW OX SO "
    "TO UH UM UP WE YA YE YO OI HO LO MA PA OY AY".split()
)


def _is_vowel(word: str, i: int) -> bool:
    c = word[i]
    return c in "AEIOU" or (c == "Y" and i > 0)


def _pronounceable(word: str) -> bool:
    """Could an English reader say this as a word? Checks the consonants at each end."""
    n = len(word)
    i = 0
    while i < n and not _is_vowel(word, i):
        i += 1
    if i == n:
        return False
    j = n
    while not _is_vowel(word, j - 1):
        j -= 1
    if i == 0 and j == n and all(c in "AEIOU" for c in word):
        return False
    return word[:i] in _ONSETS and word[j:] in _CODAS


@lru_cache(maxsize=8192)
def _say_caps(word: str, plural: str, acronyms: frozenset[str]) -> str:
    """Spell a known or unsayable acronym; lowercase a shouted word so espeak says it."""
    if word in acronyms:
        return _spell(word, bool(plural))
    if plural == "" and word.endswith("S") and word[:-1] in acronyms and len(word) > 2:
        return _spell(word[:-1], True)
    spoken = SPOKEN_AS_WORDS.get(word)
    if spoken is not None:
        return spoken + plural
    if "'" in word:
        lower = word.lower()
        return ("I" + lower[1:] if lower.startswith("i'") else lower) + plural
    if _INTERJECTION.fullmatch(word):
        return word.lower() + plural
    collapsed = _REPEATS.sub(r"\1", word)
    if collapsed != word and (collapsed in _TWO_LETTER_WORDS or _pronounceable(collapsed)):
        return word.lower() + plural
    if len(word) == 2:
        is_word = word in _TWO_LETTER_WORDS
    elif len(word) <= 4:
        is_word = _pronounceable(word)
    else:
        is_word = any(_is_vowel(word, i) for i in range(len(word)))
    if is_word:
        return word.lower() + plural
    return _spell(word, bool(plural))


def _sound(m: re.Match[str]) -> str:
    """Vowelless sound words ("shh", "grr", "CHK") that espeak would spell out letter by letter."""
    said = _SOUND_WORDS[m.lastindex - 1]
    return said.capitalize() if m.group(0)[0].isupper() else said


def _pause(m: re.Match[str]) -> str:
    """Dashes and ellipses become commas (espeak pauses on those); a line-final one a stop."""
    if not m.string[: m.start()].strip():
        return ""
    rest = m.string[m.end() :].lstrip()
    if not rest:
        return "." if "." in m.group(0) else ","
    if rest[0] in "?!.,;:":
        return ""
    return ", "


def _paren(m: re.Match[str]) -> str:
    return " " if at_edge(m) else ", "


# --- pipeline -------------------------------------------------------------------------------

_ABBREV_GATE = (
    "e.g", "E.g", "i.e", "I.e", "etc", "Etc", "vs", "Vs", "v.", "pprox", "aka", "Aka", "a.k.a",
    "A.k.a", "cf.", "Cf.", "w/", "W/", "b/c", "B/c", "viz.",
)
_URL_GATE = (
    "://", "www.", ".co", ".org", ".net", ".io", ".ai", ".dev", ".app", ".fm", ".tv", ".gg",
    ".xyz", ".edu", ".gov", ".info", ".biz", ".news", ".blog", ".tech", ".page", ".site",
)

_CURRENCY_CHARS = ("$", "\u20ac", "\u00a3", "\u00a5", "\u20b9")

_SYMBOL_STEPS: tuple[Step, ...] = (
    (("`",), None, _CODE, _code),
    (("@",), None, _EMAIL, _email),
    (_URL_GATE, None, _URL, _url),
    (_ABBREV_GATE, None, _ABBREV, _abbrev),
    ((".",), None, _TITLES, _title),
    ((".",), _DOTTED_HINT, _DOTTED, _dotted),
    (("#", "No."), None, _HASH_NUM, "number "),
    (("#",), None, _SHARP, r"\1 sharp"),
    (("~",), None, _STRIKE, ""),
    (("~",), None, _ABOUT, "about "),
    (("->", "=>", "\u2192"), None, _ARROW, _arrow),
    (("<-", "\u2190"), None, _BACK_ARROW, " "),
    (("--",), None, _DASHES, " \u2014 "),
    (("&",), None, _LETTER_AND, _letter_and),
    (("&",), None, _AND, " and "),
    (("+",), None, _PLUS, " plus "),
    (("<", ">"), None, _COMPARE, lambda m: _COMPARE_WORDS[m.group(m.lastindex or 1)]),
    (("=",), None, _EQUALS, " equals "),
    (("@",), None, _HANDLE, "at "),
    (("@",), None, _AT, " at "),
    (("_",), None, _UNDERSCORE, " "),
)

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

_PAUSE_STEPS: tuple[Step, ...] = (
    (("\u00d7",), None, _TIMES_SIGN, " times "),
    (("..", ". ."), None, _ELLIPSIS, _pause),
    (("\u2014",), None, _EM_DASH, _pause),
    ((" -", "- ", "\u2013"), None, _SPACED_DASH, _pause),
    (("(", ")"), None, _PAREN, _paren),
    (("|", "\u2022"), None, _BAR, _pause),
    (None, None, _LEFTOVER, " "),
)

_TIDY_STEPS: tuple[Step, ...] = (
    (None, None, _DOUBLE_PAUSE, r"\1"),
    (None, None, _PAUSE_THEN_STOP, r"\1"),
    (None, None, _STOP_THEN_PAUSE, r"\1"),
    (None, None, _SPACE_AFTER_PAUSE, r"\1 "),
)
_NEEDS_TIDY = rx(r"[,;:](?: ?[,.;:!?]|[^\s\d])|[.!?][,;:]")
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
    s = run_steps(s, _SYMBOL_STEPS)
    numeric = _HAS_NUMERIC.search(s) is not None
    if numeric:
        s = _LONG_DIGITS.sub(lambda m: " " + say_digits(m.group(0).replace(",", "")) + " ", s)
        s = run_steps(s, _NUMBER_STEPS)
    if "/" in s:
        s = _SLASH.sub(_slash, s)
    if "aaS" in s:
        s = _MIXED_WORDS.sub(lambda m: SPOKEN_AS_WORDS[m.group(1)], s)
    for needle in _SOUND_GATE:
        if needle in s:
            s = _SOUNDS.sub(_sound, s)
            break
    s = _CAPS.sub(lambda m: _caps(m, known), s)
    s = run_steps(s, _PAUSE_STEPS)
    if numeric:
        s = _STRAY_DIGITS.sub(lambda m: " " + say_digits(m.group(0)) + " ", s)
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
    if _NEEDS_TIDY.search(s):
        s = run_steps(s, _TIDY_STEPS)
    s = _LEADING_PUNCT.sub("", s).strip()
    if not _HAS_ALNUM.search(s):
        sayable = drop_foreign(text)
        if any(c.isalnum() for c in sayable):
            s = _fallback(sayable)
    return s


def _caps(m: re.Match[str], known: frozenset[str]) -> str:
    said = _say_caps(m.group(1), m.group(2) or "", known)
    i = m.start()
    if said[:1].islower() and (i == 0 or m.string[i - 2 : i] in (". ", "! ", "? ")):
        return said[0].upper() + said[1:]
    return said
