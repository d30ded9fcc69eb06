"""Symbols, code, addresses and abbreviations as the words a person says for them.

espeak says "&", "->", "~", "@" or a URL literally or not at all, and reads "e.g." and "Dr." as
letters. These rules run before the number rules, which then read "number 5" (from "No. 5") and
"about $20" (from "~$20"); the slash rule runs after them, once "$20/month" is
"twenty dollars/month".
"""

from __future__ import annotations

import re

from .speech_rules import Step, after_word, at_edge, run_steps, rx, sentence_end
from .spelling import spell

__all__ = ["say_slashes", "say_symbols"]

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

_ABBREV_GATE = (
    "e.g", "E.g", "i.e", "I.e", "etc", "Etc", "vs", "Vs", "v.", "pprox", "aka", "Aka", "a.k.a",
    "A.k.a", "cf.", "Cf.", "w/", "W/", "b/c", "B/c", "viz.",
)
_URL_GATE = (
    "://", "www.", ".co", ".org", ".net", ".io", ".ai", ".dev", ".app", ".fm", ".tv", ".gg",
    ".xyz", ".edu", ".gov", ".info", ".biz", ".news", ".blog", ".tech", ".page", ".site",
)


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
    return spell(letters) + end


def _arrow(m: re.Match[str]) -> str:
    return " " if at_edge(m) else " to "


def _letter_and(m: re.Match[str]) -> str:
    return "-".join(m.group(1)) + "-and-" + "-".join(m.group(2))


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


def say_symbols(s: str) -> str:
    """Code, email and web addresses, abbreviations, titles and symbols in ``s`` as words."""
    return run_steps(s, _SYMBOL_STEPS)


def say_slashes(s: str) -> str:
    """"and/or", "dollars/month", "requests/second" and "A/B" as a person says them."""
    return _SLASH.sub(_slash, s) if "/" in s else s
