"""Hugo Markdown episode -> Episode.

A pure function of the text: no files, no audio. Every non-blank source line ends up as an
event (spoken, a cue, a direction) or in ``Episode.skipped`` with a reason, so nothing the
writer wrote is silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ScriptError
from .alphabet import foreign_words, script_name
from .directions import Direction, Rules, default_rules
from .frontmatter import front_matter
from .markup import ATTR, BR_TAG, CLASS, DIV_CLOSE, DIV_OPEN, EM_TAG, HEADING, HOST, IMAGE, INLINE_ITALIC, LINK_REF
from .markup import LIST, RULE, SCENE, STRONG_TAG, TABLE_SEP, between_sentences, one_italic, sentence_apart
from .markup import strip_markup
from .model import NARRATOR, Episode, Event, Skipped
from .nonspeech import HTML_COMMENT, SHORTCODE, Unspoken
from .numbering import episode_number
from .speech import to_speech

_NARRATED = (NARRATOR,)
_HUMAN = ("Human",)

#: Shortcodes that hold a turn. Value: the speaker when the shortcode names none itself.
BLOCK_SHORTCODES: dict[str, str | None] = {
    "dialogue": None,
    "small-comment": None,
    "cutin": None,
    "thought": None,
    "private-channel": None,
    "optimax-alert": "Optimax",
    "unity-box": None,
}
#: Blocks whose speaker must be named with char="…".
NEEDS_CHAR = {"dialogue", "small-comment", "cutin", "thought"}
INLINE_SHORTCODES = {"glitch"}
DEFAULT_ALIASES = {"human blogger": "Human", "human": "Human", "the human": "Human", "host": "Human"}

_SAYABLE = re.compile(r"[^\W_]")  # speech with a letter or digit in it is heard
_PROSE_WORDS = 8  # an italic sentence this long that only a word list matched is narration, not a direction
# (a shorter sentence too, unless it opens with a word the rules know: *Pauses.* but *Probably nothing.*)
_SENTENCE = re.compile(r"[.?!…]$")  # *Wait.* inside speech is an emphasised sentence, not a direction
_THIRD_PERSON = re.compile(r"\b(he|she|they|his|her|their|them|him)\b", re.IGNORECASE)


@dataclass
class _Block:
    kind: str  # "shortcode" or "html"
    name: str
    line: int
    speakers: list[str] = field(default_factory=list)
    narrative: bool = False  # an HTML box without a speaker: its text is narration


@dataclass
class _State:
    events: list[Event] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stack: list[_Block] = field(default_factory=list)
    turn: int = 0
    host_open: bool = False  # italic paragraphs right after a host line are the host's speech
    delivery: str | None = None
    degree: float | None = None
    interrupt_next: bool = False
    last_speaker: tuple[str, ...] | None = None


def parse_episode(text: str, *, source: str = "<episode>", rules: Rules | None = None,
                  aliases: dict[str, str] | None = None, speech: Callable[[str], str] = to_speech) -> Episode:
    """Parse one episode script.

    ``speech`` turns a line's words into what the voice is given (``to_speech``, or the same with
    the project's pronunciation lexicon around it).

    Raises ScriptError (with file and line) for anything that cannot be read as an episode.
    """
    if "\x00" in text:
        raise ScriptError("looks like a binary file, not an episode script.", file=source, line=1,
                          hint="Pass the episode's .md file.")
    if not text.strip():
        raise ScriptError("is empty.", file=source, line=1,
                          hint="Write the episode (front matter, then dialogue blocks) and try again.")
    rules = rules or default_rules()
    alias_map = {**DEFAULT_ALIASES, **{k.lower(): v for k, v in (aliases or {}).items()}}
    lines = text.splitlines()
    meta, body_start = front_matter(lines, source)
    state = _State()
    state.skipped.extend(Skipped(n, lines[n - 1], "front matter") for n in range(1, body_start)
                         if lines[n - 1].strip())
    closers = {m.group(2) for m in SHORTCODE.finditer(text) if m.group(1)}
    parser = _LineParser(state, rules, alias_map, source, closers)
    parser.speech = speech
    unspoken = Unspoken(source, state.skipped, state.warnings)
    for number in range(body_start, len(lines) + 1):
        found = unspoken.text(number, lines[number - 1])
        if found is None:
            continue
        text, removed = found
        if text.strip():
            parser.line(number, text)
        state.skipped.extend(Skipped(number, piece, reason) for piece, reason in removed)
    unspoken.finish()
    for block in reversed(state.stack):
        if block.kind == "shortcode":
            raise ScriptError(f"the {{{{< {block.name} >}}}} block opened here is never closed.",
                              file=source, line=block.line,
                              hint=f"Add {{{{< /{block.name} >}}}} after its last line.")
        state.warnings.append(f"{source}:{block.line}: <div> is never closed.")
    if not any(e.kind == "line" for e in state.events):
        raise ScriptError("has nothing to speak: no dialogue, host lines or narration were found.",
                          file=source, line=body_start,
                          hint="Check that turns use {{< dialogue char=\"Name\" >}} … {{< /dialogue >}}.")
    title = meta.get("title")
    number, number_warnings = episode_number(meta.get("episode_number"), _stem(source), source)
    state.warnings.extend(number_warnings)
    tags = meta.get("tags") or []
    return Episode(
        title=str(title) if title is not None else "",
        episode_number=number,
        date=meta.get("date"),
        description=str(meta["description"]) if meta.get("description") is not None else None,
        tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
        meta=meta,
        events=state.events,
        skipped=state.skipped,
        warnings=state.warnings,
        source=source,
    )


def _stem(source: str | None) -> str:
    name = (source or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


class _LineParser:
    def __init__(self, state: _State, rules: Rules, aliases: dict[str, str], source: str,
                 closers: set[str]) -> None:
        self.s = state
        self.rules = rules
        self.aliases = aliases
        self.source = source
        self.closers = closers
        self.speech: Callable[[str], str] = to_speech

    # --- context -------------------------------------------------------------------------
    def speakers(self) -> tuple[str, ...]:
        """Who speaks here: the characters of the innermost block that names any; none in narration."""
        for block in reversed(self.s.stack):
            if block.speakers:
                return tuple(block.speakers)
            if block.narrative:
                return ()
        return ()

    def block_name(self) -> str | None:
        for block in reversed(self.s.stack):
            if block.kind == "shortcode":
                return block.name
        return None

    def context(self) -> dict:
        """Where an event sits: its block, the scene around it, and the speaker turn."""
        return {"block": self.block_name(), "scene": self.scene_name(), "turn": self.s.turn}

    def scene_name(self) -> str | None:
        names = [b.name for b in self.s.stack if b.kind == "shortcode"]
        return names[0] if len(names) > 1 else None

    def canonical(self, name: str) -> str:
        name = name.strip()
        return self.aliases.get(name.lower(), name[:1].upper() + name[1:])

    def new_turn(self) -> None:
        self.s.turn += 1
        self.s.delivery = None
        self.s.degree = None

    def take_turn(self, speakers: tuple[str, ...]) -> None:
        """Outside a block, a new speaker opens a new turn."""
        if speakers != self.s.last_speaker and self.s.last_speaker is not None and not self.s.stack:
            self.new_turn()

    # --- one line ------------------------------------------------------------------------
    def line(self, number: int, raw: str) -> None:
        if not raw.strip():
            return
        text = HTML_COMMENT.sub("", raw)
        text = BR_TAG.sub(" ", text)
        text = EM_TAG.sub("*", text)
        text = STRONG_TAG.sub("**", text)
        pieces = self._split_structure(text)
        content_parts: list[str] = []
        structural = False
        for kind, value in pieces:
            if kind == "text":
                content_parts.append(value)
                continue
            if "".join(content_parts).strip():
                self.content(number, "".join(content_parts), raw)
            content_parts = []
            structural = True
            kind_fn = getattr(self, f"_on_{kind}")
            kind_fn(number, value, raw)
        rest = "".join(content_parts)
        if rest.strip():
            self.content(number, rest, raw)
        elif not self._accounted(number):
            if "<!--" in raw:
                reason = "HTML comment"
            elif structural:
                reason = "shortcode tag" if "{{" in raw else "HTML tag"
            else:
                reason = "markup only"
            self.s.skipped.append(Skipped(number, raw, reason))

    def _accounted(self, number: int) -> bool:
        return any(e.line == number for e in self.s.events[-8:]) or any(
            s.line == number for s in self.s.skipped[-4:])

    def _split_structure(self, text: str) -> list[tuple[str, object]]:
        """Split a line into text and structural tokens (shortcodes and <div> tags)."""
        tokens: list[tuple[int, int, str, object]] = []
        for m in SHORTCODE.finditer(text):
            tokens.append((m.start(), m.end(), "shortcode", m))
        for m in DIV_OPEN.finditer(text):
            tokens.append((m.start(), m.end(), "div_open", m))
        for m in DIV_CLOSE.finditer(text):
            tokens.append((m.start(), m.end(), "div_close", m))
        tokens.sort(key=lambda t: t[0])
        out: list[tuple[str, object]] = []
        pos = 0
        for start, end, kind, match in tokens:
            if start < pos:
                continue
            if start > pos:
                out.append(("text", text[pos:start]))
            out.append((kind, match))
            pos = end
        if pos < len(text):
            out.append(("text", text[pos:]))
        # inline shortcodes (glitch, unknown ones closed on the same line) keep their words
        merged: list[tuple[str, object]] = []
        for kind, value in out:
            if kind == "shortcode" and self._is_inline(value, text):
                merged.append(("text", ""))
                continue
            merged.append((kind, value))
        joined: list[tuple[str, object]] = []
        for kind, value in merged:
            if kind == "text" and joined and joined[-1][0] == "text":
                joined[-1] = ("text", joined[-1][1] + value)  # type: ignore[operator]
            else:
                joined.append((kind, value))
        return joined

    def _is_inline(self, match: re.Match[str], text: str) -> bool:
        name = match.group(2)
        if name in BLOCK_SHORTCODES or name == "break":
            return False
        if name in INLINE_SHORTCODES:
            return True
        if match.group(1):  # a closing tag of an unknown shortcode
            opened_here = re.search(r"\{\{[<%]\s*" + re.escape(name) + r"\b", text[:match.start()])
            return opened_here is not None or not any(b.name == name for b in self.s.stack)
        if name in self.closers:
            closed_here = re.search(r"\{\{[<%]\s*/\s*" + re.escape(name) + r"\s*[>%]\}\}", text[match.end():])
            return closed_here is not None
        return False

    # --- structure -----------------------------------------------------------------------
    def _on_shortcode(self, number: int, match: re.Match[str], raw: str) -> None:
        closing, name, attr_text = match.group(1), match.group(2), match.group(3) or ""
        attrs = {m.group(1): next((g for g in m.groups()[1:] if g is not None), "")
                 for m in ATTR.finditer(attr_text)}
        if closing:
            self._close(number, "shortcode", name)
            return
        if name == "break":
            self.s.interrupt_next = True
            self.s.events.append(Event("direction", number, raw.strip(), speakers=self.speakers(),
                                       category="interrupt", **self.context()))
            return
        if name in BLOCK_SHORTCODES:
            speakers: list[str] = []
            if name == "unity-box":
                speakers = [self.canonical(c) for c in re.split(r"[,;&/]| and ", attrs.get("chars", "")) if c.strip()]
            elif attrs.get("char", "").strip():
                # "Kai & Bounce" in one char names two, who speak together as in a unity-box
                speakers = [n.strip() for n in self.canonical(attrs["char"]).split(" & ") if n.strip()]
            elif BLOCK_SHORTCODES[name]:
                speakers = [BLOCK_SHORTCODES[name]]  # type: ignore[list-item]
            if name in NEEDS_CHAR and not speakers:
                raise ScriptError(f"the {{{{< {name} >}}}} block has no character.", file=self.source,
                                  line=number, hint=f"Name the speaker: {{{{< {name} char=\"Kai\" >}}}}.")
            if name == "unity-box" and not speakers:
                raise ScriptError("the {{< unity-box >}} block names no characters.", file=self.source,
                                  line=number, hint="Add chars=\"Vector, Kai\".")
            self.s.stack.append(_Block("shortcode", name, number, speakers))
            self.new_turn()
            self.s.host_open = False
            if name == "cutin":
                self.s.interrupt_next = True
            return
        if name in self.closers:
            self.s.warnings.append(f"{self.source}:{number}: unknown shortcode '{name}': its text is kept.")
            self.s.stack.append(_Block("shortcode", name, number))
            return
        reason = "figure" if name.startswith("figure") else f"shortcode '{name}'"
        if name.startswith("figure"):
            caption = next((attrs[k] for k in ("caption", "alt", "title") if attrs.get(k)), None)
            if caption:
                self.s.warnings.append(f"{self.source}:{number}: figure caption not spoken: {caption}")
        else:
            self.s.warnings.append(f"{self.source}:{number}: unknown shortcode '{name}' skipped.")
        self.s.skipped.append(Skipped(number, raw, reason))

    def _on_div_open(self, number: int, match: re.Match[str], raw: str) -> None:
        classes = (CLASS.search(match.group(1) or "") or [None, ""])[1].split()  # type: ignore[index]
        speakers: list[str] = []
        if "dialogue-box" in classes:
            names = [c for c in classes if c != "dialogue-box" and not c.startswith("dialogue-")]
            if names:
                speakers = [self.canonical(names[0].replace("-", " ").title())]
        self.s.stack.append(_Block("html", "div", number, speakers, narrative=not speakers))
        if speakers:
            self.new_turn()
            self.s.host_open = False

    def _on_div_close(self, number: int, match: re.Match[str], raw: str) -> None:
        if self.s.stack and self.s.stack[-1].kind == "html":
            block = self.s.stack.pop()
            if block.speakers:
                self.new_turn()
            return
        if any(b.kind == "html" for b in self.s.stack):
            inner = self.s.stack[-1]
            raise ScriptError(f"the {{{{< {inner.name} >}}}} block opened here is still open at the </div> on line "
                              f"{number}.", file=self.source, line=inner.line,
                              hint=f"Close {{{{< /{inner.name} >}}}} before that </div>.")
        self.s.warnings.append(f"{self.source}:{number}: </div> without an opening <div>; ignored.")

    def _close(self, number: int, kind: str, name: str) -> None:
        if not self.s.stack or self.s.stack[-1].kind != kind or self.s.stack[-1].name != name:
            open_names = [b.name for b in self.s.stack if b.kind == "shortcode"]
            if open_names and open_names[-1] != name:
                opened = next(b for b in reversed(self.s.stack) if b.kind == "shortcode")
                raise ScriptError(f"the {{{{< {opened.name} >}}}} block opened here is still open when "
                                  f"{{{{< /{name} >}}}} on line {number} closes another.",
                                  file=self.source, line=opened.line,
                                  hint=f"Close it with {{{{< /{opened.name} >}}}} before line {number}, "
                                       f"or fix the name of that closing tag.")
            if name not in open_names:
                raise ScriptError(f"{{{{< /{name} >}}}} has no matching {{{{< {name} >}}}} before it.",
                                  file=self.source, line=number, hint="Remove it or add the opening tag.")
            while self.s.stack and not (self.s.stack[-1].kind == kind and self.s.stack[-1].name == name):
                block = self.s.stack.pop()
                self.s.warnings.append(f"{self.source}:{block.line}: <div> closed implicitly at line {number}.")
        self.s.stack.pop()
        self.new_turn()
        self.s.interrupt_next = False

    # --- content -------------------------------------------------------------------------
    def content(self, number: int, text: str, raw: str) -> None:
        stripped = text.strip()
        if not stripped:
            return
        if IMAGE.match(stripped):
            self.s.skipped.append(Skipped(number, raw, "image"))
            return
        if LINK_REF.match(stripped):
            self.s.skipped.append(Skipped(number, raw, "link reference"))
            return
        if TABLE_SEP.match(stripped):
            self.s.skipped.append(Skipped(number, raw, "table rule"))
            return
        speakers = self.speakers()
        if RULE.match(stripped) and not self.s.stack:
            self.new_turn()
            self.s.host_open = False
            self.s.events.append(Event("break", number, stripped, turn=self.s.turn, sound="transition"))
            return
        heading = HEADING.match(stripped)
        if heading and not speakers:
            self.new_turn()
            self.s.host_open = False
            words = strip_markup(heading.group(2))
            said = self.said(number, words, raw, empty="empty heading")
            if said is None:
                return
            self.s.events.append(Event("heading", number, words, speakers=_NARRATED, speech=said,
                                       **self.context()))
            self.s.last_speaker = _NARRATED
            return
        scene = SCENE.match(stripped)
        if scene and not speakers:
            self.new_turn()
            self.s.host_open = False
            words = strip_markup(scene.group("text") or scene.group("text2") or "")
            said = self.said(number, words, raw, empty="empty heading")
            if said is None:
                return
            self.s.events.append(Event("heading", number, words, speakers=_NARRATED, speech=said,
                                       category="scene", **self.context()))
            self.s.last_speaker = _NARRATED
            return
        host = HOST.match(stripped)
        if host and host.group("rest").strip() and not speakers:
            name = self.canonical(host.group("name"))
            self.new_turn()
            self.s.host_open = True
            self.s.last_speaker = (name,)  # the marker opens the host's turn: a direction first keeps its delivery
            rest = host.group("rest")
            whole = one_italic(rest)
            if whole is not None and self.rules.host_direction(strip_markup(whole)):
                self._host_direction(number, whole, self.rules.classify(strip_markup(whole)), (name,))
                return
            self._speech(number, rest, (name,), whole_italic_is_speech=True, host=True,
                         topic=name == "Human" and "?" in rest)
            return
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            stripped = ", ".join(c for c in cells if c)
        item = LIST.match(stripped)
        inner = one_italic(stripped)
        if inner is not None and not item:
            self._italic_line(number, inner, raw, speakers)
            return
        if item:
            mark, body = item.group("mark"), item.group("body")
            prefix = f"{mark[:-1]}. " if mark[0].isdigit() else ""
            who = speakers or (_HUMAN if self.s.host_open else _NARRATED)
            self._speech(number, prefix + body, who, category="list")
            return
        if not speakers and self.s.host_open and not self.s.stack:
            self._speech(number, stripped, _HUMAN, host=True)
            return
        self.s.host_open = False if not speakers and not self.s.stack else self.s.host_open
        self._speech(number, stripped, speakers or _NARRATED)

    def _host_direction(self, number: int, text: str, direction: Direction, speakers: tuple[str, ...]) -> None:
        """An italic host line read as a direction by its form alone is silent: say so, as the host
        may have meant to speak it (*Speaking of which*)."""
        if direction.category is None:
            self.s.warnings.append(f"{self.source}:{number}: the host's *{strip_markup(text)}* is read as a stage "
                                   "direction by its form and is not spoken; if it is said, end it with . or ?")
        self._direction(number, text, direction, speakers)

    def _italic_line(self, number: int, inner: str, raw: str, speakers: tuple[str, ...]) -> None:
        plain = strip_markup(inner)
        direction = self.rules.classify(plain)
        host = not speakers and self.s.host_open and not self.s.stack  # a paragraph in the host's voice
        if host:
            if "?" in plain and direction.category != "cue":  # a question is always spoken
                self._speech(number, inner, _HUMAN, whole_italic_is_speech=True, host=True)
                return
            if self.rules.host_direction(plain):
                self._host_direction(number, inner, direction, _HUMAN)
                return
        words = plain.split()
        spoken = (bool(re.search(r"[.?!…\"”:]$", plain)) and len(words) >= 2) or len(words) >= 12
        prose = direction.category not in (None, "cue") and not direction.by_rule and (
            plain.isupper() or (spoken and (len(words) >= _PROSE_WORDS or not self.rules.leads(plain))))
        if direction.category is not None and not prose:
            self._direction(number, inner, direction, _HUMAN if host else speakers)
            return
        if not speakers:
            self._speech(number, inner, _HUMAN if host else _NARRATED, whole_italic_is_speech=True, host=host)
        elif spoken and self._third_person(plain, speakers):
            self._speech(number, inner, _NARRATED, whole_italic_is_speech=True, category="narration")
        elif spoken:
            self._speech(number, inner, speakers, whole_italic_is_speech=True, category="aside")
        else:
            self._direction(number, inner, direction, speakers)

    @staticmethod
    def _third_person(text: str, speakers: tuple[str, ...]) -> bool:
        """An italic paragraph about the speaker ("Vector stops pacing.") is the narrator's, not theirs."""
        return bool(_THIRD_PERSON.search(text)) or any(re.search(rf"\b{re.escape(n)}\b", text) for n in speakers)

    def _direction(self, number: int, inner: str, direction: Direction, speakers: tuple[str, ...]) -> None:
        """One direction may be several events: a delivery or action, and its pause, sounds and vocal
        sounds in the order it names them (*sighs, then a long pause*)."""
        text = strip_markup(inner)
        category = direction.category
        narrated = self.s.last_speaker == _NARRATED  # narration laughs at no one
        who = speakers or (None if narrated else self.s.last_speaker)
        who = who if direction.vocals else None
        if who is not None:
            self.take_turn(who)
        where = self.context()
        if direction.delivery:
            self.s.delivery = direction.delivery
            self.s.degree = direction.degree if direction.degree != 1.0 else None
        if direction.interrupt:
            self.s.interrupt_next = True
        if category not in ("cue", "pause", "vocal") or category == "vocal" and who is None:
            self.s.events.append(Event("direction", number, text, speakers=speakers, sound=direction.sound,
                                       category=category or "action", delivery=direction.delivery,
                                       degree=self.s.degree if direction.delivery else None, **where))
        made: dict[str, list[Event]] = {"pause": [], "cue": [], "vocal": []}
        if direction.seconds is not None:
            made["pause"].append(Event("pause", number, text, speakers=speakers, category="pause",
                                       seconds=direction.seconds,
                                       delivery=direction.delivery if category == "pause" else None, **where))
        if direction.parts:
            made["cue"].append(Event("cue", number, text, speakers=speakers, sound=direction.parts[0].sound,
                                     category="cue", parts=direction.parts, **where))
        if who is not None:
            made["vocal"] = [Event("vocal", number, text, speakers=who, category="vocal", vocal=kind,
                                   degree=amount if amount != 1.0 else None, delivery=self.s.delivery,
                                   **where) for kind, amount in direction.vocals]
            self.s.last_speaker = who
        for name in direction.order:
            self.s.events.extend(made[name])

    def said(self, number: int, words: str, raw: str, empty: str | None = None) -> str | None:
        """What the voice is given for ``words``, or None when nothing in them can be heard. Words in a
        writing system the voices cannot say are named in a warning (and the line in ``skipped`` when
        nothing else is left), never dropped without a word; ``empty`` is the reason to skip a line
        that has no words at all."""
        said = self.speech(words) if words else ""
        unsaid = [w for w in foreign_words(words) if not _SAYABLE.search(self.speech(w))]
        if unsaid:
            scripts = sorted({name for w in unsaid for c in w if (name := script_name(c))})
            systems = " and ".join(scripts)
            self.s.warnings.append(f"{self.source}:{number}: \"{' '.join(unsaid)}\" is in {systems} script, which "
                                   "the voices (English) cannot say, so it is not spoken; write it in Latin "
                                   "letters, or add it to the lexicon.")
        if _SAYABLE.search(said):
            return said
        if unsaid:
            self.s.skipped.append(Skipped(number, raw, f"not spoken: {systems} script"))
        elif empty is not None:
            self.s.skipped.append(Skipped(number, raw, empty))
        return None

    def _speech(self, number: int, text: str, speakers: tuple[str, ...], *, whole_italic_is_speech: bool = False,
                topic: bool = False, category: str | None = None, host: bool = False) -> None:
        """Emit a spoken line, splitting out inline directions (*Pauses*) that rules recognise; in the
        host's voice (``host``) also an italic between sentences that has the form of a direction
        about the host (*stepping back* *Um, sure.*)."""
        if whole_italic_is_speech:
            whole = one_italic(text)
            if whole is not None:
                text = whole
        pieces: list[tuple[str, str]] = []
        pos = 0
        for m in INLINE_ITALIC.finditer(text):
            inner = strip_markup(m.group(1) or m.group(2))
            found = self.rules.classify(inner)
            about_host = host and sentence_apart(text, m) and self.rules.host_direction(inner)
            if not about_host and (found.category is None or not (
                    found.by_rule or found.category == "cue" and inner.isupper() or
                    (found.vocals or between_sentences(text, m)) and not _SENTENCE.search(inner))):
                continue
            pieces.append(("say", text[pos:m.start()]))
            pieces.append(("direct", m.group(1) or m.group(2)))
            pos = m.end()
        pieces.append(("say", text[pos:]))
        for kind, piece in pieces:
            if kind == "direct":
                self._direction(number, piece, self.rules.classify(strip_markup(piece)), speakers)
                continue
            words = strip_markup(piece)
            said = self.said(number, words, piece)
            if said is None:
                continue
            self.take_turn(speakers)
            interrupts = self.s.interrupt_next
            self.s.interrupt_next = False
            self.s.events.append(Event("line", number, words, speakers=speakers, speech=said,
                                       delivery=self.s.delivery, degree=self.s.degree, **self.context(),
                                       topic=topic, interrupts=interrupts, category=category))
            self.s.last_speaker = speakers
            topic = False
        if not self._accounted(number):
            self.s.skipped.append(Skipped(number, text, "no words"))
