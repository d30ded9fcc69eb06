"""Markdown, HTML and shortcode syntax as the parser reads it: the patterns of a script's lines
(headings, host lines, lists, italics, tags) and the words a line leaves once its markup is gone."""

from __future__ import annotations

import html
import re

from .nonspeech import SHORTCODE

ATTR = re.compile(r"([\w-]+)(?:=(?:\"([^\"]*)\"|'([^']*)'|([^\s]+)))?")
DIV_OPEN = re.compile(r"<div\b([^>]*)>", re.IGNORECASE)
DIV_CLOSE = re.compile(r"</div\s*>", re.IGNORECASE)
CLASS = re.compile(r"class\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
EM_TAG = re.compile(r"</?(em|i)\b[^>]*>", re.IGNORECASE)
STRONG_TAG = re.compile(r"</?(strong|b)\b[^>]*>", re.IGNORECASE)
BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
SCENE = re.compile(r"^\*\*\[(?P<text>[^\]]+)\]\*\*\s*$|^\[(?P<text2>[A-Z][^\]]*(?:\.\.\.|…|:[^\]]*))\]\s*$")
HOST = re.compile(r"^\s*(?:\*\*)?\[(?P<name>[A-Za-z][\w .'-]{0,40})\]\s*:\s*(?:\*\*)?\s*(?P<rest>.*)$")
LIST = re.compile(r"^\s*(?P<mark>[-*+]|\d{1,3}[.)])\s+(?P<body>.+)$")
ITALIC_LINE = re.compile(r"^\s*(?:\*(?!\*)(?P<a>.+?)(?<!\*)\*|_(?!_)(?P<b>.+?)(?<!_)_|\*\*\*(?P<c>.+?)\*\*\*)\s*$")
INLINE_ITALIC = re.compile(r"(?<![\*\w])\*(?!\*)(?!\s)([^*\n]+?)(?<!\s)\*(?![\*\w])"
                            r"|(?<![_\w])_(?!_)(?!\s)([^_\n]+?)(?<!\s)_(?![_\w])")
IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")
TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)+\|?\s*$|^\s*\|\s*:?-{2,}:?\s*\|\s*$")
LINK_REF = re.compile(r"^\s*\[[^\]]+\]:\s*<?(?:https?://|/|\./|#|www\.)\S*>?(?:\s+[\"'(].*)?$")
EMPHASIS = re.compile(r"(\*\*|__|\*|(?<!\w)_(?!_)|(?<!_)_(?!\w)|~~)")
CODE_SPAN = re.compile(r"`([^`]*)`")
SENTENCE_END = re.compile(r"(^|[.!?…:;,—–\-)\"”])\s*$")
SENTENCE_START = re.compile(r"^\s*($|[A-Z(\"“—–\-…,]|\.\.\.)")  # not . ! ?: *working*! ends its own sentence


def strip_markup(text: str) -> str:
    """The words of a line as a reader sees them: no Markdown, HTML or shortcode syntax, and HTML
    entities as the characters they stand for (``&lt;`` is ``<``; every output escapes it again)."""
    text = SHORTCODE.sub("", text)
    text = BR_TAG.sub(" ", text)
    text = ANY_TAG.sub("", text)
    text = LINK.sub(lambda m: m.group(1), text)
    text = CODE_SPAN.sub(lambda m: m.group(1), text)
    text = EMPHASIS.sub("", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def one_italic(text: str) -> str | None:
    """The words inside a line that is one italic (*Nods*), or None: not italic, or several italics
    with words between them (*WHIRR* words *BZZT*, *puzzled* *Hang on, what?*)."""
    m = ITALIC_LINE.match(text.strip())
    if m is None or "*" in (m.group("a") or "") or re.search(r"_\s|\s_", m.group("b") or ""):
        return None
    return m.group("a") or m.group("b") or m.group("c") or ""


def sentence_apart(text: str, match: re.Match[str]) -> bool:
    """An italic that stands as a sentence of its own: the line starts with it or a sentence ends
    before it, and nothing or a new sentence follows (*stepping back* *Um, sure.*), unlike an
    emphasised word at a sentence's end (*it's working*!)."""
    before = text[:match.start()].rstrip().rstrip("*_").rstrip()
    after = text[match.end():].lstrip()
    return (not before or before[-1] in ".!?…") and (not after or after[0].isupper() or after[0] in "*_\"“")


def between_sentences(text: str, match: re.Match[str]) -> bool:
    """An italic between sentences is a direction; one inside a sentence (*really*) is emphasis."""
    return bool(SENTENCE_END.search(text[:match.start()]) or SENTENCE_START.match(text[match.end():]))
