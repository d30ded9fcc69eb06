"""Dashes, ellipses, brackets and bars as the commas and stops espeak pauses on.

espeak gives no pause at an ellipsis or a dash and reads some leftover symbols by name. After
the other rules, dashes, ellipses, brackets and bars become a comma, a stop or nothing, any
other symbol left a space (a multiplication sign "times"), and runs of pauses are tidied into one.
"""

from __future__ import annotations

import re

from .speech_rules import Step, at_edge, run_steps, rx

__all__ = ["say_pauses", "tidy_pauses"]

_TIMES_SIGN = rx(r"\u00d7")
_ELLIPSIS = rx(r"\.(?:\s*\.)+")
_EM_DASH = rx(r"\u2014+")
_SPACED_DASH = rx(r"(?:^|(?<=\s))[-\u2013]+(?=\s|$)")
_PAREN = rx(r"[()]")
_BAR = rx(r"[|\u2022]+")
_LEFTOVER = rx(r"[%$\u2192~\u00d7+&#*_{}\[\]<>|`\\^=@\u2013\u20ac\u00a3\u00a5\u20b9\u00b0/]+")
_DOUBLE_PAUSE = rx(r"([,;:])(?: ?[,;:])+")
_PAUSE_THEN_STOP = rx(r"[,;:] ?([.!?])")
_STOP_THEN_PAUSE = rx(r"([.!?])[,;:]")
_SPACE_AFTER_PAUSE = rx(r"([,;:])(?=[^\s\d])")
_NEEDS_TIDY = rx(r"[,;:](?: ?[,.;:!?]|[^\s\d])|[.!?][,;:]")


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


def say_pauses(s: str) -> str:
    """Dashes, ellipses, brackets and bars in ``s`` as pauses; leftover symbols as spaces."""
    return run_steps(s, _PAUSE_STEPS)


def tidy_pauses(s: str) -> str:
    """One pause where the rules left several, a stop rather than a pause before it, a space after."""
    return run_steps(s, _TIDY_STEPS) if _NEEDS_TIDY.search(s) else s
