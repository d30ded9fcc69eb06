r"""Regular expressions a user writes (direction rules' ``match``, the lexicon's [patterns]).

They run on the `regex` engine, which takes a time limit: a pattern that backtracks without end on
some line, such as ``(a|aa)+$``, stops with an error naming it and its file instead of hanging a
render. Python's own ``re`` has no limit. Version 0 syntax is ``re``'s, so a pattern both accept
reads the same (regex also accepts a few of its own, such as ``\p{L}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import regex

from .errors import ConfigError

#: Seconds one pattern may take on one text; an honest pattern takes microseconds.
TIME_LIMIT = 1.0


#: Largest product of counted repeats ({n}, {m,n}) a pattern may hold: regex builds a counted repeat
#: out, so ((a{1000}){1000}){1000} would take minutes and tens of gigabytes to compile.
MAX_REPEATS = 100_000
_COUNTED = re.compile(r"(?<!\\)\{(\d*),?(\d*)\}")


def _compile(pattern: str, flags: int, word: str) -> tuple[Any, str | None]:
    """(the compiled pattern, None) or (None, why it cannot be used)."""
    product = 1
    for low, high in _COUNTED.findall(pattern):
        product *= max(int(low or 0), int(high or 0), 1)
        if product > MAX_REPEATS:
            return None, (f"repeats too many times to compile (its counted repeats multiply past {MAX_REPEATS:,}); "
                          "use + or * instead of large {n} counts")
    try:
        return regex.compile(pattern, flags), None
    except (regex.error, RecursionError, OverflowError, ValueError, MemoryError) as exc:
        return None, f"is not a {word} regular expression ({exc or type(exc).__name__})"


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or None: for the schema's check of a settings file."""
    return _compile(pattern, regex.V0, "valid")[1]


@dataclass(frozen=True)
class UserPattern:
    """One compiled user pattern; ``where`` names it in its file (``[patterns] "GPU"``)."""

    text: str
    where: str
    source: str
    ignore_case: bool = False
    _compiled: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        flags = regex.V0 | (regex.IGNORECASE if self.ignore_case else 0)
        compiled, wrong = _compile(self.text, flags, "usable")
        if wrong is not None:
            raise ConfigError(f"{self.where} {wrong}.", file=self.source)
        object.__setattr__(self, "_compiled", compiled)

    @property
    def pattern(self) -> str:
        return self.text

    def fullmatch(self, text: str) -> Any:
        try:
            return self._compiled.fullmatch(text, timeout=TIME_LIMIT)
        except TimeoutError:
            raise self._too_slow(text) from None

    def sub(self, replacement: str, text: str) -> str:
        try:
            return self._compiled.sub(replacement, text, timeout=TIME_LIMIT)
        except TimeoutError:
            raise self._too_slow(text) from None
        except (regex.error, IndexError) as exc:
            raise self._bad_replacement(replacement, exc) from None

    def check_replacement(self, replacement: str) -> None:
        """Fail now, not on the first line it matches, if ``replacement`` names a group the pattern
        lacks: Python's ``re`` checks a template without a match (``regex`` waits for one)."""
        try:
            stdlib = re.compile(self.text)
        except (re.error, RecursionError, OverflowError, ValueError):
            return  # a pattern only `regex` reads; sub() still turns a bad replacement into a plain error
        try:
            stdlib.sub(replacement, "")
        except (re.error, IndexError) as exc:
            raise self._bad_replacement(replacement, exc) from None

    def _bad_replacement(self, replacement: str, exc: Exception) -> ConfigError:
        return ConfigError(f"{self.where}: its replacement {replacement!r} cannot be used ({exc}).",
                           file=self.source, hint="Refer only to groups the pattern has: \\1, \\g<name>.")

    def _too_slow(self, text: str) -> ConfigError:
        shown = text if len(text) <= 60 else text[:57] + "..."
        return ConfigError(f"{self.where} took over {TIME_LIMIT:g} s on {shown!r} and was stopped: it backtracks "
                           "without end on text like that.", file=self.source,
                           hint="Simplify it: no repeat inside a repeat, such as (a+)+ or (a|aa)+.")
