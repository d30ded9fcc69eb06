"""A script's front matter, in any of Hugo's three formats, read so that no input can hurt the run.

YAML (``---``), TOML (``+++``) and JSON (a ``{`` ... ``}`` object) are each parsed, never read
aloud. Whatever the block holds, the result is a dict or a ScriptError naming the file and line:

- YAML aliases (``*name``) are refused: an alias "bomb" of a few hundred bytes expands to billions
  of values in whatever later walks them (a MemoryError after a minute), and front matter never
  needs one;
- nesting is bounded (``MAX_DEPTH``), as every parser here recurses per level;
- ``date`` is checked by us, not by the YAML loader: an impossible date (``2026-02-30``), quoted or
  not, is an error naming the key and the value, and a valid one becomes one ISO 8601 text, so the
  MP3's tag, the page and the feed's pubDate all read the same date.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

import yaml

from ..errors import ScriptError

#: Levels of lists and tables inside lists and tables; Hugo's own front matter uses two.
MAX_DEPTH = 20
DATE_HINT = ("Write it as YYYY-MM-DD, or as a date and time such as 2026-03-04T10:00:00-05:00, and check "
             "that the day exists in that month.")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
#: YAML 1.1's timestamp forms (what Hugo sites write unquoted), parsed by us: 2026-3-4 9:00:00 -5 too.
_YAML_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6})\d*)?"
                        r"[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?)?)?$")


class _Refused(yaml.MarkedYAMLError):
    """Something the loader will not build, at a mark in the block, and what to write instead."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, with bounded nesting, and with timestamps left as text."""

    yaml_implicit_resolvers = {first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
                               for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(f"uses the YAML alias *{event.anchor}, and front matter may not use aliases",
                           event.start_mark, "Write the value out in full where the alias stands.")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nests lists or fields more than {MAX_DEPTH} levels deep",
                               self.peek_event().start_mark, "Keep the front matter's fields simple.")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.add_constructor(_TIMESTAMP, yaml.SafeLoader.construct_yaml_str)


def front_matter(lines: list[str], source: str) -> tuple[dict[str, Any], int]:
    """Return (front matter, 1-based line where the body starts); ScriptError if it is broken."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return {}, 1
    head = lines[first].strip()
    if head.startswith("{") and not head.startswith("{{"):
        meta, end = _json(lines, first, source)
    elif head in ("---", "+++"):
        end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == head), None)
        if end is None:
            raise ScriptError(f"the front matter opened with '{head}' is never closed.", file=source,
                              line=first + 1, hint=f"Add a line with just '{head}' after the last field.")
        block = "\n".join(lines[first + 1:end])
        meta = _toml(block, first, source) if head == "+++" else _yaml(block, first, source)
    else:
        return {}, 1
    if meta is None:
        meta = {}
    if _depth(meta) > MAX_DEPTH:  # YAML's loader stops at the bound itself
        raise ScriptError(f"the front matter nests lists or fields more than {MAX_DEPTH} levels deep.",
                          file=source, line=first + 1, hint="Keep the front matter's fields simple.")
    if not isinstance(meta, dict):
        raise ScriptError("the front matter must be a list of 'key: value' fields.", file=source,
                          line=first + 2, hint="For example: title: \"My episode\".")
    meta = {str(k): v for k, v in meta.items()}
    if "date" in meta:
        meta["date"] = episode_date(meta["date"], source, _key_line(lines, first, end, "date"))
    return meta, end + 2


def _yaml(block: str, first: int, source: str) -> Any:
    try:
        return yaml.load(block, Loader=_Loader)  # noqa: S506 (_Loader is a SafeLoader)
    except _Refused as exc:
        raise ScriptError(f"the front matter {exc.problem}.", file=source, line=first + 2 + exc.problem_mark.line,
                          hint=exc.hint) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first + 2 + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScriptError(f"the front matter is not valid YAML ({problem}).", file=source, line=line,
                          hint="Quote values that contain ':' or '#', and check the indentation.") from None
    except (ValueError, RecursionError) as exc:  # a number of 5000 digits, and the like
        raise _unreadable("YAML", exc, source, first + 2) from None


def _toml(block: str, first: int, source: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", text)
        line = first + 1 + int(where.group(1)) if where else first + 2
        problem = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", text)
        rows = block.split("\n")
        quoted = rows[line - first - 2].strip() if where and 0 <= line - first - 2 < len(rows) else ""
        at = f" at `{quoted[:80]}`" if quoted else ""
        raise ScriptError(f"the TOML front matter is broken{at} ({problem}).", file=source, line=line,
                          hint="Quote text values, and write dates as 2026-03-04 (a day that exists).") from None
    except (ValueError, RecursionError) as exc:
        raise _unreadable("TOML", exc, source, first + 2) from None


def _json(lines: list[str], first: int, source: str) -> tuple[Any, int]:
    """Hugo's JSON front matter: one object from the first line; the body follows its closing brace."""
    text = "\n".join([lines[first].lstrip(), *lines[first + 1:]])
    try:
        meta, stop = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(f"the JSON front matter is broken ({exc.msg}).", file=source, line=first + exc.lineno,
                          hint=f"It opens with '{{' on line {first + 1}: end it with '}}' before the episode "
                               "starts, quote every key and text value, and separate fields with commas.") from None
    except (ValueError, RecursionError) as exc:
        raise _unreadable("JSON", exc, source, first + 1) from None
    end = first + text.count("\n", 0, stop)
    newline = text.find("\n", stop)
    if text[stop:newline if newline >= 0 else len(text)].strip():
        raise ScriptError("text follows the JSON front matter's closing '}' on the same line.", file=source,
                          line=end + 1, hint="Start the episode on the line after the front matter.")
    return meta, end


def _unreadable(kind: str, exc: BaseException, source: str, line: int) -> ScriptError:
    reason = "it nests too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0].strip()
    return ScriptError(f"the {kind} front matter cannot be read ({reason}).", file=source, line=line,
                       hint=f"Keep fields simple (text, numbers, lists; at most {MAX_DEPTH} levels deep).")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _key_line(lines: list[str], first: int, end: int, key: str) -> int:
    pattern = re.compile(rf"(?:^|[\s{{,])[\"']?{re.escape(key)}[\"']?\s*[:=]")
    return next((i + 1 for i in range(first, min(end + 1, len(lines))) if pattern.search(lines[i])), first + 2)


def episode_date(value: object, source: str, line: int) -> str | None:
    """The front matter's ``date`` as ISO 8601 text (a date, or a date and time); ScriptError if it
    is no real date, naming the key and the value as written."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime | _dt.date):  # TOML's own dates, already checked by tomllib
        return value.isoformat()
    text = value.strip() if isinstance(value, str) else None
    if text == "":
        return None
    try:
        if text is None:
            raise ValueError("not in ISO 8601 form")
        return _parse_date(text).isoformat()
    except ValueError as exc:
        shown = json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)
        shown = shown if len(shown) <= 60 else shown[:57] + "...\""
        raise ScriptError(f"the front matter's date {shown} is not a date ({exc}).", file=source, line=line,
                          hint=DATE_HINT) from None


def _parse_date(text: str) -> _dt.date | _dt.datetime:
    match = _YAML_DATE.match(text)
    if match is None:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return _dt.date.fromisoformat(text)
        try:
            return _dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("not in ISO 8601 form") from None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if hour is None:
        return _dt.date(int(year), int(month), int(day))
    tz = None
    if zone == "Z":
        tz = _dt.timezone.utc
    elif zone:
        digits = zone[1:]
        hours, minutes = digits.split(":") if ":" in digits else (
            (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0"))
        offset = _dt.timedelta(hours=int(hours), minutes=int(minutes))
        if offset >= _dt.timedelta(hours=24):
            raise ValueError(f"the time zone {zone} is more than 24 hours away")
        tz = _dt.timezone(-offset if zone[0] == "-" else offset)
    return _dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                        int((fraction or "0").ljust(6, "0")), tzinfo=tz)
