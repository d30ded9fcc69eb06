"""Markup that is never speech, set aside before a line is read: code blocks, HTML comments,
footnote markers and definitions, images (whose alt text describes a picture, not words anyone
says) and the contents of ``<script>`` and ``<style>`` elements. Each piece set aside is listed in
``skipped`` with its reason, so nothing the writer wrote is silently lost."""

from __future__ import annotations

import re

from .model import Skipped

#: A Hugo shortcode tag or its closing tag.
SHORTCODE = re.compile(r"\{\{[<%]\s*(/?)\s*([\w-]+)"
                       r"((?:\s+[^\s=>%]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>%]+)?)*)\s*/?\s*[>%]\}\}")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
FENCE = re.compile(r"^\s*(```|~~~)")

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


class Unspoken:
    """Walks an episode's body line by line and hands back what may be spoken.

    What spans lines (a code block, an HTML comment, a footnote definition, a ``<script>`` or
    ``<style>`` element) is followed from line to line; what is set aside goes to ``skipped``, and
    what is never closed to ``warnings``.
    """

    def __init__(self, source: str, skipped: list[Skipped], warnings: list[str]) -> None:
        self.source, self.skipped, self.warnings = source, skipped, warnings
        self.in_fence = False
        self.in_comment = False
        self.element: tuple[re.Pattern[str], str, int] | None = None  # an open element: end tag, tag, line
        self.footnote = self.gap = False  # inside a footnote definition; a blank line since its last line

    def text(self, number: int, raw: str) -> tuple[str, list[tuple[str, str]]] | None:
        """The line's text to read and the pieces cut out of it (listed after the line's own
        findings), or None when the whole line is set aside."""
        if self.element is not None and self.element[0].search(raw) is None and SHORTCODE.search(raw):
            self.warnings.append(f"{self.source}:{self.element[2]}: {self.element[1]} is not closed before the "
                                 f"shortcode at line {number}; the lines between were skipped.")
            self.element = None  # Hugo reads shortcodes first: a block's end tag is never inside the element
        if self.element is not None:
            end = self.element[0].search(raw)
            self.skipped.append(Skipped(number, raw if end is None else raw[:end.end()],
                                        f"{self.element[1]} element"))
            if end is None:
                return None
            raw, self.element = raw[end.end():], None
        if self.in_comment:
            self.skipped.append(Skipped(number, raw, "HTML comment"))
            self.in_comment = "-->" not in raw
            return None
        if FENCE.match(raw):
            self.in_fence = not self.in_fence
            self.skipped.append(Skipped(number, raw, "code block"))
            return None
        if self.in_fence:
            if raw.strip():
                self.skipped.append(Skipped(number, raw, "code block"))
            return None
        if "<!--" in raw and "-->" not in raw.split("<!--", 1)[1]:
            self.in_comment = True
            self.skipped.append(Skipped(number, raw, "HTML comment"))
            return None
        if FOOTNOTE.match(raw) or self.footnote and raw.strip() and (
                FOOTNOTE_MORE.match(raw) or not self.gap and not raw.lstrip().startswith(("{{", "<"))):
            self.skipped.append(Skipped(number, raw, "footnote"))
            self.footnote, self.gap = True, False
            return None
        self.footnote, self.gap = self.footnote and not raw.strip(), True
        text, removed = cut(raw)
        opened = RAW_OPEN.search(HTML_COMMENT.sub(lambda m: " " * len(m.group(0)), text))
        if opened:
            tag = f"<{opened.group(1).lower()}>"
            removed.append((text[opened.start():], f"{tag} element"))
            text, self.element = text[:opened.start()], (raw_close(opened.group(1)), tag, number)
        return text, removed

    def finish(self) -> None:
        """Warn of what the episode never closed."""
        if self.in_fence:
            self.warnings.append(f"{self.source}: a code block (```) is never closed; its lines were skipped.")
        if self.element is not None:
            self.warnings.append(f"{self.source}:{self.element[2]}: {self.element[1]} is never closed; the "
                                 "lines after it were skipped.")
