"""Text made safe for each format it lands in: a script's or config's text is data, never syntax.

XML 1.0 forbids most control characters (one makes feed.xml unreadable); a newline or ``-->``
in a caption ends a cue and starts a forged one; a NUL in an ID3 text frame splits the value.
"""

from __future__ import annotations

import re

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")
_SPACE = re.compile(r"\s+")
_ARROW = re.compile(r"-{2,}>")


def xml_text(text: str | None) -> str:
    """``text`` without the characters XML 1.0 cannot hold (tabs and newlines stay)."""
    return _XML_BAD.sub("", text or "")


def one_line(text: str | None) -> str:
    """``text`` on one line: control characters and line breaks become single spaces."""
    return _SPACE.sub(" ", _CONTROL.sub(" ", text or "")).strip()


def caption(text: str | None) -> str:
    """Caption text that cannot end its cue or open another: one line, no ``-->`` arrow."""
    return _ARROW.sub("->", one_line(text))


def id3_text(text: str | None) -> str:
    """An ID3 text value: one line, no NUL (a NUL separates values in ID3v2.4)."""
    return one_line(text)
