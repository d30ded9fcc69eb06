"""One validator for every settings file.

Each file's settings are described as data (``settings.py``: type, range, allowed values) and
checked here when the file is loaded, before anything is synthesized. A wrong value is one
ConfigError naming the file, the table and the key, never a traceback minutes into a render.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import ConfigError
from .patterns import problem as pattern_problem
from .reading import encoding_hint, present, read_bounded

#: A settings file larger than this is a mistake (the show's own are a few kB), not a setting.
MAX_CONFIG_BYTES = 1_000_000
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Number:
    """A number in [low, high]; ``integer`` refuses 1.5; ``nan`` and ``inf`` are always out of range."""

    low: float
    high: float
    unit: str = ""
    integer: bool = False

    def problem(self, value: Any) -> str | None:
        wrong = isinstance(value, bool) or not isinstance(value, (int, float))
        if wrong or (self.integer and not isinstance(value, int)):
            return f"must be {'a whole number' if self.integer else 'a number'} ({self.span()})"
        if not (math.isfinite(value) and self.low <= value <= self.high):
            return f"is out of range ({self.span()})"
        return None

    def span(self) -> str:
        return f"{self.low:g} to {self.high:g}" + (f" {self.unit}" if self.unit else "")


@dataclass(frozen=True)
class Text:
    """A string: optionally one of ``choices``, or matching ``pattern`` (described by ``example``)."""

    choices: tuple[str, ...] = ()
    pattern: str | None = None
    example: str = ""
    max_length: int = 200
    regex: bool = False  # the text is a regular expression and must compile
    free: bool = False  # prose (a description): any character; the output formats clean it

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be text in quotes" + (f", {self.example}" if self.example else "")
        if len(value) > self.max_length:
            return f"is longer than {self.max_length} characters"
        if not self.free and _CONTROL.search(value):
            return "contains a control character"
        if self.choices and value not in self.choices:
            return "is not one of " + ", ".join(f'"{c}"' for c in self.choices)
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"is not {self.example}" if self.example else "is not in the expected form"
        if self.regex:
            return pattern_problem(value)
        return None


@dataclass(frozen=True)
class Flag:
    """true or false: a quoted "no" is not false."""

    def problem(self, value: Any) -> str | None:
        return None if isinstance(value, bool) else "must be true or false (without quotes)"


@dataclass(frozen=True)
class Names:
    """A list of strings; a single string is refused (it would be read letter by letter)."""

    item: Text = field(default_factory=Text)
    max_items: int = 100
    example: str = '["KaiBot"]'

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, list):
            return f"must be a list in square brackets, e.g. {self.example}"
        if len(value) > self.max_items:
            return f"has more than {self.max_items} entries"
        for item in value:
            why = self.item.problem(item)
            if why:
                return f"has an entry {show_value(item)} that {why}"
        return None


@dataclass(frozen=True)
class Table:
    """A TOML table: its known keys, and ``each`` for the keys it names freely
    ([characters.NAME], a lexicon's words). ``check`` adds rules that span several keys."""

    keys: Mapping[str, "Spec"] = field(default_factory=dict)
    each: "Spec | None" = None
    required: tuple[str, ...] = ()
    max_items: int = 1000
    example: str = ""
    check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None  # -> [(key, problem)]


@dataclass(frozen=True)
class Array:
    """An array of tables ([[cue]])."""

    table: Table
    max_items: int = 1000


@dataclass(frozen=True)
class Effects:
    """An effect chain: a list of ``{ name = "Reverb", room_size = 0.3 }``, each name one of ``allowed``."""

    allowed: Mapping[str, Table]
    max_items: int = 16


Spec = Union[Number, Text, Flag, Names, Table, Array, Effects]


@dataclass(frozen=True)
class Problem:
    message: str
    hint: str | None = None


def show_value(value: Any) -> str:
    """A value as it would be written in TOML, cut short."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (int, float)):
        text = repr(value) if not isinstance(value, int) or abs(value) < 10 ** 30 else f"{value:.3g}"
    elif isinstance(value, dict):
        text = "{ " + ", ".join(f"{k} = {show_value(v)}" for k, v in list(value.items())[:4]) + " }"
    elif isinstance(value, list):
        text = "[" + ", ".join(show_value(v) for v in value[:4]) + (", ..." if len(value) > 4 else "") + "]"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def key_text(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def where(path: tuple[str, ...]) -> str:
    """``("characters", "Kai")`` -> ``[characters.Kai]``; the top of the file is ``(top level)``."""
    return "[" + ".".join(key_text(p) for p in path) + "]" if path else "(top level)"


def _suggest(key: str, known: list[str], table: bool = False) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    return f" (did you mean {where((close[0],)) if table else close[0]}?)" if close else ""


class _Walk:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, hint))

    def value(self, spec: Spec, value: Any, label: str, path: tuple[str, ...] | None, key: str) -> None:
        """Check ``key = value`` of the table called ``label`` (whose TOML path is ``path``, if it has one)."""
        if isinstance(spec, Table):
            inner = (*path, key) if path is not None else None
            name = where(inner) if inner is not None else f"{label} {key_text(key)}"
            if not isinstance(value, dict):
                example = spec.example or (where(inner) if inner else "{ ... }")
                self.add(f"{name} must be a table, e.g. {example}, not {show_value(value)}.")
                return
            self.table(spec, value, name, inner)
        elif isinstance(spec, Array):
            self.array(spec, value, key)
        elif isinstance(spec, Effects):
            self.effects(spec, value, label, key)
        else:
            why = spec.problem(value)
            if why:
                self.add(f"{label} {key_text(key)} = {show_value(value)} {why}.")

    def table(self, spec: Table, value: dict[str, Any], label: str, path: tuple[str, ...] | None) -> None:
        if len(value) > spec.max_items:
            self.add(f"{label} has {len(value)} entries; the limit is {spec.max_items}.")
            return
        for name in spec.required:
            if name not in value:
                self.add(f"{label} needs `{name}`.")
        for name, item in value.items():
            if len(name) > 200 or not name.strip():
                self.add(f"{label} has a key {show_value(name)} that is empty or longer than 200 characters.")
                continue
            sub = spec.keys.get(name, spec.each)
            if sub is None:
                known = sorted(spec.keys)
                if path == () and isinstance(item, (dict, list)):
                    self.add(f"has an unknown table {where((name,))}{_suggest(name, known, table=True)}.",
                             hint="This file's tables: " + ", ".join(where((k,)) for k in known) + ".")
                else:
                    self.add(f"{label} has an unknown setting {key_text(name)}{_suggest(name, known)}.",
                             hint="Known: " + ", ".join(known) + "." if known else None)
                continue
            self.value(sub, item, label, path, name)
        if spec.check:
            for name, why in spec.check(value):
                self.add(f"{label} {key_text(name)} = {show_value(value.get(name))} {why}.")

    def array(self, spec: Array, value: Any, key: str) -> None:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add(f"{key_text(key)} must be an array of tables, each starting with [[{key}]].")
            return
        if len(value) > spec.max_items:
            self.add(f"[[{key}]] appears {len(value)} times; the limit is {spec.max_items}.")
            return
        for index, entry in enumerate(value, 1):
            self.table(spec.table, entry, f"[[{key}]] number {index}", None)

    def effects(self, spec: Effects, value: Any, label: str, key: str) -> None:
        example = '[{ name = "HighpassFilter", cutoff_frequency_hz = 200 }]'
        if not isinstance(value, list):
            self.add(f"{label} {key} = {show_value(value)} must be a list of effects, e.g. {key} = {example}.")
            return
        if len(value) > spec.max_items:
            self.add(f"{label} {key} has {len(value)} effects; the limit is {spec.max_items}.")
            return
        allowed = ", ".join(sorted(spec.allowed))
        for index, entry in enumerate(value, 1):
            name = entry.get("name") if isinstance(entry, dict) else None
            at = f"{label} {key}[{index}]"
            if not isinstance(entry, dict) or not isinstance(name, str):
                self.add(f"{at} needs a `name`, e.g. {example}.")
            elif name not in spec.allowed:
                self.add(f"{at} name = {show_value(name)} is not an effect the renderer allows.",
                         hint=f"Use one of pedalboard's built-in effects: {allowed}. Plugins and effects that "
                              "load files (VST3Plugin, AudioUnitPlugin, load_plugin, Convolution) are never loaded.")
            else:
                params = {k: v for k, v in entry.items() if k != "name"}
                self.table(spec.allowed[name], params, f"{at} {name}", None)


def problems(data: dict[str, Any], spec: Table) -> list[Problem]:
    """Every problem in ``data`` against ``spec``, in file order."""
    walk = _Walk()
    walk.table(spec, data, "(top level)", ())
    return walk.problems


def validate(data: dict[str, Any], spec: Table, source: str | Path) -> dict[str, Any]:
    """``data`` if it matches ``spec``; else a ConfigError naming the first problem (and how many more)."""
    found = problems(data, spec)
    if not found:
        return data
    first = found[0]
    message = first.message.removeprefix("(top level) ")
    if len(found) > 1:
        more = len(found) - 1
        message += f" ({more} more problem{'s' if more > 1 else ''} in this file: " + \
            "; ".join(p.message.removeprefix("(top level) ").rstrip(".") for p in found[1:4]) + \
            ("; ..." if more > 3 else "") + ".)"
    raise ConfigError(message, file=source, hint=first.hint)


def parse_toml(text: str, source: str | Path) -> dict[str, Any]:
    """TOML text to a dict; a syntax error, an oversized or too deeply nested file is a ConfigError."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"is {len(text) / 1e6:.1f} MB; a settings file is at most "
                          f"{MAX_CONFIG_BYTES // 1_000_000} MB.",
                          file=source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc}).", file=source,
                          hint="Fix the syntax; the comments in the project's own file show the format.") from None
    except RecursionError:
        raise ConfigError("nests tables or lists too deeply to be a settings file.", file=source) from None


def read_toml(path: Path) -> dict[str, Any]:
    """A settings file's TOML: a regular UTF-8 file of at most MAX_CONFIG_BYTES, valid syntax; errors name it."""
    path = Path(path)
    try:
        data = read_bounded(path, MAX_CONFIG_BYTES, ConfigError, what="a settings file",
                            limit_text=f"{MAX_CONFIG_BYTES // 1_000_000} MB")
    except FileNotFoundError:
        raise ConfigError("file not found.", file=path) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, not a settings file.", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror}).", file=path) from None
    wide = encoding_hint(data)
    if wide:
        raise ConfigError(f"is saved as {wide}, not UTF-8.", file=path, hint="Save it as UTF-8.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}).", file=path,
                          hint="Save it as UTF-8.") from None
    return parse_toml(text, path)


def load(path: Path, spec: Table, *, missing: str = "file not found.", hint: str | None = None) -> dict[str, Any]:
    """Read and validate one settings file; ``missing`` and ``hint`` say what to do when it is not there."""
    if not present(path):
        raise ConfigError(missing, file=path, hint=hint)
    return validate(read_toml(path), spec, path)
