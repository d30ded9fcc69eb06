"""Markup that is never speech, cut out of a line before it is read: footnote markers and
definitions, images (whose alt text describes a picture, not words anyone says) and the contents
of ``<script>`` and ``<style>`` elements. Each piece cut out is returned with its reason, so the
parser can list it in ``skipped``."""

from __future__ import annotations

import re

#: A footnote definition opens a line: ``[^1]: text`` (up to three spaces before it, as Markdown allows).
FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:")
#: A line indented this way after a footnote definition continues it.
FOOTNOTE_MORE = re.compile(r"^(?: {4}|\t)")
RAW_OPEN = re.compile(r"<(script|style)\b[^>]*>", re.IGNORECASE)

#: (pattern, reason, what stands in its place)
_PIECES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE), "{} element", " "),
    (re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])"), "image", ""),
    (re.compile(r"\[\^[^\]\s]+\](?!:)"), "footnote marker", ""),
)


def raw_close(name: str) -> re.Pattern[str]:
    """The tag that ends a ``<script>`` or ``<style>`` element opened earlier."""
    return re.compile(rf"</{name}\s*>", re.IGNORECASE)


def cut(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` without the markup that is never speech, and each piece cut with its reason."""
    removed: list[tuple[str, str]] = []
    for pattern, reason, stand_in in _PIECES:
        if pattern.search(text) is None:
            continue

        def keep(m: re.Match[str], reason: str = reason, stand_in: str = stand_in) -> str:
            removed.append((m.group(0), reason.format(f"<{m.group(1).lower()}>") if "{}" in reason else reason))
            return stand_in

        text = pattern.sub(keep, text)
    return text, removed
