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
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from num2words import CONVERTER_CLASSES

__all__ = ["ACRONYMS", "SPOKEN_AS_WORDS", "to_speech"]

ACRONYMS: frozenset[str] = frozenset(
    """
    AI AGI ASI API APIS ML DL NLP CV RL RLHF DPO SFT LLM SLM VLM GPT RAG MCP TTS STT ASR OCR NER
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
    CPI IMF WTO NGO LGBTQ BLM GOP DNC RNC POV TOS EULA CTA CMS CRM ERP POS SKU B2B B2C D2C SAAS
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
    "KISS": "kiss", "DRY": "dry",
}
"""All-caps (and a few mixed-case) names read as words, mapped to a spelling espeak says right."""

_EN = CONVERTER_CLASSES["en"]
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_MAX_CARDINAL = 10**24
_NUM = r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.(\d+))?"
_NUM_NC = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"


def _clean(words: str) -> str:
    """num2words writes British "and" and commas; commas would make espeak pause mid-number."""
    return words.replace(",", "").replace(" and ", " ")


def _digits(digits: str) -> str:
    return " ".join(_DIGIT_WORDS[int(d)] for d in digits)


@lru_cache(maxsize=4096)
def _cardinal(n: int) -> str:
    """Cached: num2words costs tens of microseconds a call."""
    if n < 0:
        return "minus " + _cardinal(-n)
    if n >= _MAX_CARDINAL:
        return _digits(str(n))
    return _clean(_EN.to_cardinal(n))


@lru_cache(maxsize=1024)
def _ordinal(n: int) -> str:
    if n >= _MAX_CARDINAL:
        return _digits(str(n))
    return _clean(_EN.to_ordinal(n))


@lru_cache(maxsize=1024)
def _year(n: int) -> str:
    """"twenty twenty-five", "nineteen oh-five", but "two thousand five" for 2000-2009."""
    if 2000 <= n <= 2009:
        return _cardinal(n)
    return _clean(_EN.to_year(n))


def _number(int_part: str, frac: str | None = None) -> str:
    digits = int_part.replace(",", "")
    if len(digits) > 1 and int(digits[0]) == 0:
        words = _digits(digits)
    else:
        words = _cardinal(int(digits)) if digits else "zero"
    if frac:
        words += " point " + _digits(frac)
    return words


def _is_one(int_part: str, frac: str | None) -> bool:
    return int(int_part.replace(",", "")) == 1 and not (frac and int(frac))


def _plural(words: str) -> str:
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith("x"):
        return words + "es"
    return words + "s"


def _sentence_end(m: re.Match[str]) -> str:
    """A swallowed abbreviation dot that also ended the sentence is given back."""
    if not m.group(0).endswith("."):
        return ""
    rest = m.string[m.end() : m.end() + 2]
    return "." if not rest or (len(rest) == 2 and rest[0].isspace() and rest[1].isupper()) else ""


def _spell(letters: str, plural: bool = False) -> str:
    if plural:
        return ("-" if len(letters) == 2 else ".").join(letters) + "'s"
    return ".".join(letters)


# --- characters -----------------------------------------------------------------------------

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
    "\u00b0": "\u00b0", "\u00b2": " squared", "\u00b3": " cubed", "\u2022": ", ", "\u00b7": " ",
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
    if value is None:
        return " "
    if value == int(value):
        return f" {_cardinal(int(value))} "
    whole, _, frac = f"{value:.4f}".rstrip("0").partition(".")
    return f" {_number(whole, frac)} "


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
            elif cat[0] in "LM" or cat == "Nd":
                out = c
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

# --- patterns -------------------------------------------------------------------------------

Sub = tuple[re.Pattern[str], "str | Callable[[re.Match[str]], str]"]

_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,5});")
_CODE = re.compile(r"`([^`]*)`")
_CODE_CALL = re.compile(r"\([^()]*\)")
_CODE_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CODE_DOT = re.compile(r"(?<=\w)\.(?=\w)")
_CODE_SYMBOLS = re.compile(r"[^\w\s]+|_+")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:com|org|net|io|ai|dev|app|co|fm|tv|gg|xyz|edu|gov|info|biz|news|blog|tech|page|site)\b"
    r"(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_TLDS = {"ai": "A.I", "io": "I.O", "fm": "F.M", "tv": "T.V", "gg": "G.G", "xyz": "X.Y.Z"}
_ABBREV = re.compile(
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
_TITLES = re.compile(r"\b(Dr|Mr|Mrs|Ms|Prof|Mt|Jr|Sr|Ltd|Inc|Corp|Ph\.D)\.")
_TITLE_WORDS = {
    "Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Prof": "Professor",
    "Mt": "Mount", "Jr": "Junior", "Sr": "Senior", "Ltd": "Limited", "Inc": "Inc",
    "Corp": "Corp", "Ph.D": "P.H.D",
}
_DOTTED = re.compile(r"(?<![\w.])((?:[A-Za-z]\.){2,})(?!\w)")
_HASH_NUM = re.compile(r"(?:#|\bNo\.)\s?(?=\d)")
_SHARP = re.compile(r"\b([A-Ga-g])#")
_ABOUT = re.compile(r"~+\s?(?=[-\d$\u20ac\u00a3\u00a5\u20b9.])")
_STRIKE = re.compile(r"~~")
_ARROW = re.compile(r"\s*(?:-+>|=+>|\u2192)\s*")
_BACK_ARROW = re.compile(r"<-+|\u2190")
_DASHES = re.compile(r"-{2,}")
_LETTER_AND = re.compile(r"\b([A-Z]{1,2})\s?&\s?([A-Z]{1,2})\b")
_AND = re.compile(r"\s*&\s*")
_PLUS = re.compile(r"\s*\+\s*")
_COMPARE = re.compile(r"\s*(<=|>=|<|>)\s*(?=[-\d$.~])")
_COMPARE_WORDS = {"<=": " at most ", ">=": " at least ", "<": " less than ", ">": " more than "}
_EQUALS = re.compile(r"\s*={1,3}\s*")
_HANDLE = re.compile(r"@(?=\w)")
_AT = re.compile(r"\s*@\s*")

_HAS_NUMERIC = re.compile(r"[\d\u00bd\u00bc\u00be\u2153\u2154\u215b-\u215e\u2155]")
_POSTFIX_CUR = re.compile(r"(?<![\w.,])(" + _NUM_NC + r")\s?([$\u20ac\u00a3])")
_PHONE = re.compile(r"(?<![\w-])(?:(1)[-. ])?\(?(\d{3})\)?[-. ](\d{3})[-.](\d{4})(?![\w-])")
_ISO_DATE = re.compile(r"(?<![\w-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])")
_US_DATE = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/])")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
_AMPM = r"(?:\s?([AaPp])\.?\s?[Mm]\.?(?!\w))"
_HMS = re.compile(r"(?<![\d:.])(\d{1,2}):(\d{2}):(\d{2})(?![\d:])")
_CLOCK = re.compile(r"(?<![\d:.])(\d{1,2}):(\d{2})" + _AMPM + r"?(?![\d:])")
_HOUR_AMPM = re.compile(r"(?<![\d.,:])(\d{1,2})" + _AMPM)
_RATIO = re.compile(r"(?<![\d:.])(\d+):(\d+)(?![\d:])")
_CUR = r"[$\u20ac\u00a3\u00a5\u20b9]"
_SCALE = r"(?:\s(thousand|million|billion|trillion)\b|(MM|bn|BN|tn|[KkMmBbT])(?!\w))?"
_MONEY = re.compile(
    rf"(?<!\w)(-)?({_CUR})\s?{_NUM}{_SCALE}"
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
_B2B = re.compile(r"\b([A-Z])2([A-Z])\b")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])-?(?=\d)")
_RANGE = re.compile(r"(?<=[\d%])(?:-|\s?\u2013\s?)(?=[\d.])")
_RANGE_NOW = re.compile(r"(?<=\d)\s?[-\u2013]\s?(?=(?:present|today|now)\b)")
_PLURAL_NUM = re.compile(r"(?<![\w.,'])'?(\d[\d,]*)s\b")
_ORDINAL = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th|ST|ND|RD|TH)\b")
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
}
_UNIT_PLURALS = {"foot": "feet", "kilowatt hour": "kilowatt hours"}
_UNIT = re.compile(
    r"(?<![\w.])(-)?" + _NUM + r"\s?("
    + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
    + r")(?![\w/])"
)
_DEGREES = re.compile(r"\s?\u00b0\s?([CF](?![a-zA-Z]))?")
_TIMES_BETWEEN = re.compile(r"(?<=\d)\s?\u00d7\s?(?=[\d.])")
_BY = re.compile(r"(?<=\d)\s?[xX]\s?(?=\d)")
_MULTIPLIER = re.compile(r"(?<=\d)\s?[xX\u00d7](?![\w])")
_TIMES_SIGN = re.compile(r"\s*\u00d7\s*")
_NUM_SCALE = re.compile(r"(?<![\w.])" + _NUM + r"(M|MM|B|T|bn|mn)(?![\w])")
_NUM_SCALE_WORDS = {"M": "million", "MM": "million", "mn": "million", "B": "billion",
                    "bn": "billion", "T": "trillion"}
_PERCENT = re.compile(r"(?<![\w.])" + _NUM + r"\s?%")
_FRACTION = re.compile(r"(?<![\w/.])(\d+)/(\d+)(?![\w/]|\.\d)")
_FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}
_VULGAR = re.compile(r"(?<![\w.])(?:(\d+)\s?)?([\u00bd\u00bc\u00be\u2153\u2154\u215b-\u215e\u2155])")
_VULGAR_WORDS = {
    "\u00bd": ("one half", "a half"), "\u00bc": ("one quarter", "a quarter"),
    "\u00be": ("three quarters", "three quarters"), "\u2153": ("one third", "a third"),
    "\u2154": ("two thirds", "two thirds"), "\u215b": ("one eighth", "an eighth"),
    "\u215c": ("three eighths", "three eighths"), "\u215d": ("five eighths", "five eighths"),
    "\u215e": ("seven eighths", "seven eighths"), "\u2155": ("one fifth", "a fifth"),
}
_VERSION = re.compile(r"(?<![\d.])(\d+(?:\.\d+){2,})(?![\d])")
_YEAR = re.compile(r"(?<![\w.,$])(1[1-9]\d\d|20\d\d)(?![\w]|[.,]\d)")
_NEGATIVE = re.compile(r"(?<![\w)\]%])-(?=\.?\d)")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])")
_BARE_DECIMAL = re.compile(r"(?<![\d,])\.(\d+)")
_PLAIN_NUMBER = re.compile(_NUM)

_SLASH = re.compile(r"([^\W_]+)\s?/\s?([^\W_]+)")
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
_MONEY_WORDS = frozenset(
    "dollar dollars cent cents euro euros pound pounds pence penny yen rupee rupees".split()
)
_CAPS = re.compile(r"\b([A-Z]+(?:'[A-Z]+)+|[A-Z]{2,})(s|'s)?\b")
_MIXED_WORDS = re.compile(r"\b(SaaS|PaaS|IaaS)\b")
_INTERJECTION = re.compile(r"(?:H+M+|M+|S+H+|G+R+|B+R+|P+S+T+|Z+|T+S+K+|P+F+T?|U+G+H+|A+R+G+H+)")

_ELLIPSIS = re.compile(r"\s*\.(?:\s*\.)+\s*")
_EM_DASH = re.compile(r"\s*\u2014+\s*|\s+[-\u2013]+\s+|\s+[-\u2013]+$|^[-\u2013]+\s+|(?<=\w)-$")
_PAREN = re.compile(r"\s*[()]\s*")
_LEFTOVER = re.compile(r"[%$\u2192~\u00d7+&#*_{}\[\]<>|`\\^=@\u2013\u20ac\u00a3\u00a5\u20b9\u00b0/]+")
_STRAY_DIGITS = re.compile(r"\d+")
_WS = re.compile(r"[\s\x00-\x1f\x7f]+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_DOUBLE_PAUSE = re.compile(r"([,;:])(?:\s*[,;:])+")
_PAUSE_THEN_STOP = re.compile(r"[,;:]\s*([.!?])")
_LEADING_PUNCT = re.compile(r"^[\s,.;:!?'\"-]+(?=\S)")
_SPACE_AFTER_PAUSE = re.compile(r"([,;:])(?=[^\s\d])")
_HAS_ALNUM = re.compile(r"[^\W_]")

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
    user = re.sub(r"[._+-]", lambda s: {".": " dot ", "_": " underscore ", "+": " plus ",
                                        "-": " dash "}[s.group(0)], user)
    return f" {user} at " + " dot ".join(_host_label(p) for p in host.split(".")) + " "


def _url(m: re.Match[str]) -> str:
    """Only the site name is read: a path or query string is noise when heard."""
    url = m.group(0)
    trail = ""
    while url and url[-1] in ".,;:!?":
        trail = url[-1] + trail
        url = url[:-1]
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    labels = [p for p in host.split(".") if p]
    return " " + " dot ".join(_host_label(p) for p in labels) + trail + " "


def _abbrev(m: re.Match[str]) -> str:
    raw = m.group(1)
    key = raw.lower().replace(" ", "").rstrip(".")
    words = _ABBREV_WORDS.get(key, raw)
    if raw[0].isupper():
        words = words[0].upper() + words[1:]
    if key == "etc":
        return words + _sentence_end(m)
    return words + ("." if raw.endswith(".") and m.end() == len(m.string) else "")


def _title(m: re.Match[str]) -> str:
    word = _TITLE_WORDS[m.group(1)]
    if m.group(1) in ("Jr", "Sr", "Ltd", "Inc", "Corp", "Ph.D"):
        return word + _sentence_end(m)
    return word


def _dotted(m: re.Match[str]) -> str:
    letters = m.group(1).replace(".", "").upper()
    end = "." if m.end() == len(m.string) else ""
    return _spell(letters) + end


def _arrow(m: re.Match[str]) -> str:
    if m.start() == 0 or m.end() == len(m.string):
        return " "
    return " to "


def _letter_and(m: re.Match[str]) -> str:
    return "-".join(m.group(1)) + "-and-" + "-".join(m.group(2))


def _phone(m: re.Match[str]) -> str:
    groups = [g for g in m.groups() if g]
    return ", ".join(_digits(g) for g in groups)


def _valid_date(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _say_date(year: str, month: str, day: str) -> str | None:
    mo, d = int(month), int(day)
    if not _valid_date(mo, d):
        return None
    y = int(year)
    year_words = _year(y) if len(year) == 4 and 1100 <= y <= 2099 else _number(year)
    return f"{_MONTHS[mo - 1]} {_ordinal(d)}, {year_words}"


def _iso_date(m: re.Match[str]) -> str:
    return _say_date(m.group(1), m.group(2), m.group(3)) or m.group(0).replace("-", " to ")


def _us_date(m: re.Match[str]) -> str:
    return _say_date(m.group(3), m.group(1), m.group(2)) or m.group(0).replace("/", " ")


def _two_digit_minutes(mm: int) -> str:
    return "oh " + _DIGIT_WORDS[mm] if mm < 10 else _cardinal(mm)


def _hms(m: re.Match[str]) -> str:
    """"1:23:45" is a duration or timestamp: read it with units, skipping zero parts."""
    h, mi, s = (int(g) for g in m.groups())
    if mi >= 60 or s >= 60:
        return " ".join(_number(g) for g in m.groups())
    parts = []
    for value, unit in ((h, "hour"), (mi, "minute"), (s, "second")):
        if value:
            parts.append(f"{_cardinal(value)} {unit}" + ("" if value == 1 else "s"))
    return " ".join(parts) or "zero seconds"


def _clock(m: re.Match[str]) -> str:
    hour_s, minute_s, ampm = m.group(1), m.group(2), m.group(3)
    h, mm = int(hour_s), int(minute_s)
    if mm >= 60 or h > 24 or (ampm and h > 12):
        return f"{_number(hour_s)} to {_number(minute_s)}"
    if ampm:
        words = _cardinal(h) if mm == 0 else f"{_cardinal(h)} {_two_digit_minutes(mm)}"
        return f"{words} {ampm.upper()}.M" + _sentence_end(m)
    if len(hour_s) == 2 and int(hour_s[0]) == 0:
        hour_words = "zero" if h == 0 else "oh " + _DIGIT_WORDS[h]
        military = True
    else:
        hour_words = _cardinal(h)
        military = h >= 13 or h == 0
    if mm == 0:
        return hour_words + (" hundred" if military else " o'clock")
    return f"{hour_words} {_two_digit_minutes(mm)}"


def _hour_ampm(m: re.Match[str]) -> str:
    h = int(m.group(1))
    if h > 12:
        return m.group(0)
    return f"{_cardinal(h)} {m.group(2).upper()}.M" + _sentence_end(m)


def _letter_digit(m: re.Match[str]) -> str:
    """"GPT-4" -> "GPT 4"; a lone "A" keeps a hyphen, or espeak reads it as the article."""
    i = m.start()
    if m.string[i - 1] == "A" and (i < 2 or not m.string[i - 2].isalnum()):
        return "-"
    return " "


def _ratio(m: re.Match[str]) -> str:
    return f"{_number(m.group(1))} to {_number(m.group(2))}"


def _money_part(
    names: tuple[str, str, str, str], int_s: str, frac: str | None, scale: str | None
) -> tuple[str, str, bool]:
    """Return (amount words, unit word, whether cents were read)."""
    one, many, sub_one, sub_many = names
    if scale:
        word = _SCALE_WORDS.get(scale.lower(), scale.lower())
        return f"{_number(int_s, frac)} {word}", many, False
    if frac and len(frac) <= 2 and sub_many:
        units = int(int_s.replace(",", ""))
        cents = int(frac.ljust(2, "0"))
        if cents == 0:
            return _number(int_s), one if units == 1 else many, False
        cent_words = f"{_cardinal(cents)} {sub_one if cents == 1 else sub_many}"
        if units == 0:
            return cent_words, "", True
        return f"{_number(int_s)} {one if units == 1 else many} and {cent_words}", "", True
    return _number(int_s, frac), one if _is_one(int_s, frac) else many, False


def _money(m: re.Match[str]) -> str:
    """"$10,000-$100,000" -> "ten thousand to one hundred thousand dollars"."""
    sign, cur, i1, f1, w1, s1, i2, f2, w2, s2 = m.groups()
    names = _CURRENCY[cur]
    words1, unit1, cents1 = _money_part(names, i1, f1, w1 or s1)
    prefix = "minus " if sign else ""
    if i2 is None:
        return prefix + (f"{words1} {unit1}" if unit1 else words1)
    words2, unit2, cents2 = _money_part(names, i2, f2, w2 or s2)
    if cents1 or cents2:
        first = f"{words1} {unit1}" if unit1 else words1
        second = f"{words2} {unit2}" if unit2 else words2
        return f"{prefix}{first} to {second}"
    return f"{prefix}{words1} to {words2} {names[1]}"


def _plural_number(m: re.Match[str]) -> str:
    """"1990s" -> "nineteen nineties", "'80s" -> "eighties", "1000s" -> "thousands"."""
    digits = m.group(1).replace(",", "")
    n = int(digits)
    if len(digits) == 4 and 1100 <= n <= 2099 and n % 10 == 0 and "," not in m.group(1):
        return _plural(_year(n))
    if n >= 100 and digits.strip("0") == "1":
        return _plural(_cardinal(n).split()[-1])
    return _plural(_number(digits))


def _ordinal_sub(m: re.Match[str]) -> str:
    return _ordinal(int(m.group(1).replace(",", "")))


def _unit(m: re.Match[str]) -> str:
    sign, int_s, frac, unit = m.groups()
    name = _UNITS[unit]
    if not _is_one(int_s, frac):
        name = _UNIT_PLURALS.get(name) or (
            name.replace(" per ", "s per ") if " per " in name else name + "s"
        )
    return ("minus " if sign else "") + f"{_number(int_s, frac)} {name}"


def _degrees(m: re.Match[str]) -> str:
    scale = {"C": " Celsius", "F": " Fahrenheit"}.get(m.group(1) or "", "")
    return " degrees" + scale


def _num_scale(m: re.Match[str]) -> str:
    return f"{_number(m.group(1), m.group(2))} {_NUM_SCALE_WORDS[m.group(3)]}"


def _percent(m: re.Match[str]) -> str:
    return _number(m.group(1), m.group(2)) + " percent"


def _fraction(m: re.Match[str]) -> str:
    """Small fractions are named; "24/7" and "50/50" are read as said; others "out of"."""
    a_s, b_s = m.group(1), m.group(2)
    a, b = int(a_s), int(b_s)
    if (a, b) == (24, 7) or a == b:
        return f"{_number(a_s)} {_number(b_s)}"
    if 0 < a < b and b in (2, 3, 4):
        names = _FRACTION_NAMES.get(b) or (_ordinal(b), _plural(_ordinal(b)))
        return f"{_cardinal(a)} {names[0] if a == 1 else names[1]}"
    if b == 0 or a > b:
        return f"{_number(a_s)} over {_number(b_s)}"
    return f"{_number(a_s)} out of {_number(b_s)}"


def _vulgar(m: re.Match[str]) -> str:
    alone, after = _VULGAR_WORDS[m.group(2)]
    if m.group(1):
        return f"{_number(m.group(1))} and {after}"
    return f" {alone} "


def _version(m: re.Match[str]) -> str:
    return " point ".join(_number(p) for p in m.group(1).split("."))


def _year_sub(m: re.Match[str]) -> str:
    return _year(int(m.group(1)))


def _plain_number(m: re.Match[str]) -> str:
    return _number(m.group(1), m.group(2))


def _slash(m: re.Match[str]) -> str:
    """"$20/month" -> "a month", "requests/second" -> "per second", "and/or" -> "and or"."""
    left, right = m.group(1), m.group(2)
    per = _PER.get(right.lower()) or _PER.get(right.lower().rstrip("s"))
    if per:
        if left.lower() in _MONEY_WORDS:
            return f"{left} {'an' if per[0] in 'aeiou' or per == 'hour' else 'a'} {per}"
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
    if len(word) == 2:
        is_word = word in _TWO_LETTER_WORDS
    elif len(word) <= 4:
        is_word = _pronounceable(word)
    else:
        is_word = any(_is_vowel(word, i) for i in range(len(word)))
    if is_word:
        return word.lower() + plural
    return _spell(word, bool(plural))


def _pause(m: re.Match[str]) -> str:
    """Dashes and ellipses become commas (espeak pauses on those); a line-final one a stop."""
    if m.start() == 0:
        return ""
    if m.end() == len(m.string):
        return "." if "." in m.group(0) else ","
    nxt = m.string[m.end()]
    if nxt in "?!.,;:":
        return ""
    return ", "


def _paren(m: re.Match[str]) -> str:
    if m.start() == 0 or m.end() == len(m.string):
        return " "
    return ", "


# --- pipeline -------------------------------------------------------------------------------

_SYMBOL_STEPS: tuple[Sub, ...] = (
    (_CODE, _code),
    (_EMAIL, _email),
    (_URL, _url),
    (_ABBREV, _abbrev),
    (_TITLES, _title),
    (_DOTTED, _dotted),
    (_HASH_NUM, "number "),
    (_SHARP, r"\1 sharp"),
    (_STRIKE, ""),
    (_ABOUT, "about "),
    (_ARROW, _arrow),
    (_BACK_ARROW, " "),
    (_DASHES, " \u2014 "),
    (_LETTER_AND, _letter_and),
    (_AND, " and "),
    (_PLUS, " plus "),
    (_COMPARE, lambda m: _COMPARE_WORDS[m.group(1)]),
    (_EQUALS, " equals "),
    (_HANDLE, "at "),
    (_AT, " at "),
)

_NUMBER_STEPS: tuple[Sub, ...] = (
    (_POSTFIX_CUR, r"\2\1"),
    (_PHONE, _phone),
    (_ISO_DATE, _iso_date),
    (_US_DATE, _us_date),
    (_HMS, _hms),
    (_CLOCK, _clock),
    (_HOUR_AMPM, _hour_ampm),
    (_RATIO, _ratio),
    (_MONEY, _money),
    (_B2B, r"\1 to \2"),
    (_LETTER_DIGIT, _letter_digit),
    (_RANGE_NOW, " to "),
    (_RANGE, " to "),
    (_PLURAL_NUM, _plural_number),
    (_ORDINAL, _ordinal_sub),
    (_UNIT, _unit),
    (_DEGREES, _degrees),
    (_TIMES_BETWEEN, " times "),
    (_BY, " by "),
    (_MULTIPLIER, " times"),
    (_NUM_SCALE, _num_scale),
    (_PERCENT, _percent),
    (_FRACTION, _fraction),
    (_VULGAR, _vulgar),
    (_VERSION, _version),
    (_YEAR, _year_sub),
    (_NEGATIVE, "minus "),
    (_DIGIT_LETTER, " "),
    (_BARE_DECIMAL, lambda m: "point " + _digits(m.group(1))),
    (_PLAIN_NUMBER, _plain_number),
)

_PAUSE_STEPS: tuple[Sub, ...] = (
    (_TIMES_SIGN, " times "),
    (_ELLIPSIS, _pause),
    (_EM_DASH, _pause),
    (_PAREN, _paren),
    (_LEFTOVER, " "),
    (_STRAY_DIGITS, lambda m: " " + _digits(m.group(0)) + " "),
    (_WS, " "),
    (_SPACE_BEFORE_PUNCT, r"\1"),
    (_DOUBLE_PAUSE, r"\1"),
    (_PAUSE_THEN_STOP, r"\1"),
    (_LEADING_PUNCT, ""),
    (_SPACE_AFTER_PAUSE, r"\1 "),
)


def _fallback(text: str) -> str:
    """Last resort for input whose every letter or digit got lost: read just those."""
    out = []
    for c in text:
        if c.isalpha():
            out.append(c)
        elif c.isnumeric():
            value = unicodedata.numeric(c, None)
            if value is not None:
                out.append(f" {_cardinal(int(value)) if value == int(value) else 'fraction'} ")
        else:
            out.append(" ")
    return _WS.sub(" ", "".join(out)).strip()


def to_speech(text: str, acronyms: Iterable[str] | None = None) -> str:
    """Return ``text`` as words a TTS engine reads the way a person would say it.

    ``acronyms`` replaces :data:`ACRONYMS`, the all-caps tokens that are always spelled.
    The result has no digits and no symbols espeak would read oddly; it is empty only when
    ``text`` has no letter or digit.
    """
    known = ACRONYMS if acronyms is None else frozenset(a.upper() for a in acronyms)
    s = text if text.isascii() else text.translate(_CHARS)
    if "&" in s and ";" in s:
        s = _ENTITY.sub(lambda m: html.unescape(m.group(0)), s)
    s = s.replace("*", "")
    for pattern, repl in _SYMBOL_STEPS:
        s = pattern.sub(repl, s)
    if _HAS_NUMERIC.search(s):
        for pattern, repl in _NUMBER_STEPS:
            s = pattern.sub(repl, s)
    if "/" in s:
        s = _SLASH.sub(_slash, s)
    s = _MIXED_WORDS.sub(lambda m: SPOKEN_AS_WORDS[m.group(1)], s)
    s = _CAPS.sub(lambda m: _caps(m, known), s)
    for pattern, repl in _PAUSE_STEPS:
        s = pattern.sub(repl, s)
    s = s.strip()
    if not _HAS_ALNUM.search(s) and any(c.isalnum() for c in text):
        s = _fallback(text.translate(_CHARS))
    return s


def _caps(m: re.Match[str], known: frozenset[str]) -> str:
    said = _say_caps(m.group(1), m.group(2) or "", known)
    i = m.start()
    if said[:1].islower() and (i == 0 or m.string[i - 2 : i] in (". ", "! ", "? ")):
        return said[0].upper() + said[1:]
    return said
