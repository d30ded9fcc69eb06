"""Stage-direction rules: data (TOML) in, a classification out.

Directions are classified by rules the user can extend, not by code, because every show
has its own vocabulary of asides and sounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from ..reading import present
from ..patterns import UserPattern
from ..schema import load, parse_toml, validate
from ..settings import RULES
from .model import SoundPart
from .vocabulary import (
    MASK,
    HostForm,
    Lexicon,
    Modifier,
    SoundWords,
    clauses,
    deliveries,
    filler,
    timed_seconds,
    tokens,
    vocalizations,
)

CATEGORIES = ("cue", "pause", "interrupt", "delivery", "vocal", "action")
_PARTS = re.compile(r"\s*(?:,|;|—|–|\s-\s)\s*")
_UNKNOWN_IN_CUE = 2  # other words a clause may hold and still be a sound cue ("scanner sweep")


@dataclass(frozen=True)
class Rule:
    category: str
    pattern: UserPattern
    sound: str | None = None
    seconds: float | None = None
    delivery: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Direction:
    """What one stage direction means for the render; one direction may mean several things
    (*pauses, something clicking* is a pause and a click)."""

    category: str | None  # None: no rule matched (listed by `episode script --unmapped`)
    sound: str | None = None  # an action rule's own sound, played under the next words
    seconds: float | None = None
    delivery: str | None = None
    parts: tuple[SoundPart, ...] = ()  # sounds the words name, in order
    interrupt: bool = False
    by_rule: bool = False  # a regular-expression rule matched (not just a word of a lexicon)
    degree: float = 1.0  # how strongly the delivery is meant (*slightly defensive*: 0.5, *very excited*: 1.5)
    vocals: tuple[tuple[str, float], ...] = ()  # vocal sounds in the speaker's voice: (kind, degree), in order
    order: tuple[str, ...] = ("pause", "cue")  # the order the pause, sounds and vocals are named in


@dataclass(frozen=True)
class Words:
    """The lexicons: sound words (from sfx/cues.toml) and the words of pauses, interruptions,
    deliveries and actions (from directions.toml)."""

    sounds: SoundWords = field(default_factory=SoundWords)
    pause: Lexicon = field(default_factory=Lexicon)
    lengths: dict[str, float] = field(default_factory=dict)
    interrupt: Lexicon = field(default_factory=Lexicon)
    delivery: Lexicon = field(default_factory=Lexicon)
    action: Lexicon = field(default_factory=Lexicon)
    pause_seconds: float = 0.9
    max_seconds: float = 3.0
    host: HostForm = field(default_factory=HostForm)
    vocal: Lexicon = field(default_factory=Lexicon)
    degree: Lexicon = field(default_factory=Lexicon)
    scene: Lexicon = field(default_factory=Lexicon)  # where a line is heard from: phone, across, echo, enter...
    room: Lexicon = field(default_factory=Lexicon)  # the room a scene plays in

    def merged(self, first: "Words", first_source: dict[str, bool]) -> "Words":
        """``first``'s words win; its plain settings only where its file set them."""
        return Words(self.sounds.merged(first.sounds), self.pause.merged(first.pause),
                     {**self.lengths, **first.lengths}, self.interrupt.merged(first.interrupt),
                     self.delivery.merged(first.delivery), self.action.merged(first.action),
                     first.pause_seconds if first_source.get("seconds") else self.pause_seconds,
                     first.max_seconds if first_source.get("max_seconds") else self.max_seconds,
                     self.host.merged(first.host, bool(first_source.get("host_max_words"))),
                     self.vocal.merged(first.vocal), self.degree.merged(first.degree),
                     self.scene.merged(first.scene), self.room.merged(first.room))


@dataclass
class Rules:
    """All rules: regular-expression rules (tried first, in order) and the lexicons."""

    rules: list[Rule] = field(default_factory=list)
    words: Words = field(default_factory=Words)
    sets: dict[str, bool] = field(default_factory=dict)
    _not_sounds: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    _memo: dict[str, Direction] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        """Words listed as a delivery as written (*alarmed*) are not read as a sound (alarm)."""
        sounds = {k[0] for k in self.words.sounds.sounds.entries if len(k) == 1}
        self._not_sounds = frozenset(k[0] for k in self.words.delivery.entries if len(k) == 1) - sounds

    def classify(self, direction: str) -> Direction:
        """Classify a direction (without its asterisks)."""
        if direction not in self._memo:
            if len(self._memo) > 4096:
                self._memo.clear()
            self._memo[direction] = self._classify(direction)
        return self._memo[direction]

    def _classify(self, direction: str) -> Direction:
        text = _clean(direction)
        parts = [text] + [p.strip() for p in _PARTS.split(text) if p.strip()] if _PARTS.search(text) else [text]
        for category in CATEGORIES:
            for rule in self.rules:
                if rule.category != category:
                    continue
                if any(rule.pattern.fullmatch(part) for part in parts):
                    if category == "action":
                        return self._with_action(text, rule)
                    sounds = (SoundPart(rule.sound),) if category == "cue" and rule.sound else ()
                    seconds = self.words.pause_seconds if category == "pause" and rule.seconds is None \
                        else rule.seconds
                    return Direction(category, None if sounds else rule.sound, seconds, rule.delivery,
                                     sounds, category == "interrupt", by_rule=True)
        return self._read(text)

    def _with_action(self, text: str, rule: Rule) -> Direction:
        """An action rule gives its sound; the words still give the delivery or pause around it
        (*investigating urgently*: a click, and an intense delivery)."""
        read = self._read(text)
        category = read.category if read.category in ("pause", "interrupt", "delivery") else "action"
        parts = () if rule.sound else read.parts
        return replace(read, category=category, sound=rule.sound, parts=parts, by_rule=True)

    def _read(self, text: str) -> Direction:
        """Read a direction word by word: sounds, pause, interruption, delivery, vocal sounds, action."""
        w = self.words
        words = tokens(text)
        vocal_hits = vocalizations(words, w.vocal, w.degree)
        heard = self._heard(words, vocal_hits)
        sounds: list[SoundPart] = []
        dominant = False
        spoken_of: list[str] = []  # the clauses that are not a sound cue: deliveries come from these
        first_sound = first_pause = len(words)
        for clause, masked in zip(clauses(words), clauses(heard), strict=True):
            found = w.sounds.parts(clause, masked)
            unknown = [t for t in masked if not filler(t) and not w.sounds.known(t)]
            if found and len(unknown) <= _UNKNOWN_IN_CUE:
                dominant = True
            else:
                spoken_of += clause + [","]
            sounds += found
        sound_hits = w.sounds.sounds.find(heard)
        if sound_hits:
            first_sound = sound_hits[0][0]
        pauses = w.pause.find(words)
        seconds = timed_seconds(text, w.max_seconds)
        if pauses or seconds is not None:
            first_pause = pauses[0][0] if pauses else 0
            if seconds is None:
                lengths = [w.lengths[word] for word in words if word in w.lengths]
                seconds = min(lengths[0] if lengths else w.pause_seconds, w.max_seconds)
        interrupt = bool(w.interrupt.find(words))
        said = spoken_of if dominant else words
        if seconds is not None:  # *pauses dramatically*, *the room goes quiet*: words of the pause itself
            said = [MASK if t in w.lengths or not dominant and any(a <= i < b for a, b, _ in pauses) else t
                    for i, t in enumerate(said)]
        # a vocal sound's word gives the delivery only when nothing else does: *laughs nervously* is nervous
        vocal_words = {i for a, b, _, _ in vocal_hits for i in range(a, b)} if said is words else set()
        unvoiced = [MASK if i in vocal_words else t for i, t in enumerate(said)]
        delivery, degree = deliveries(unvoiced, w.delivery, self._known, w.degree)
        if delivery is None and vocal_words:
            delivery, degree = deliveries(said, w.delivery, self._known, w.degree)
        action = bool(w.action.find(words) or w.scene.find(words) or w.room.find(words))
        if sounds and dominant:
            category: str | None = "cue"
        elif seconds is not None:
            category = "pause"
        elif interrupt:
            category = "interrupt"
        elif delivery:
            category = "delivery"
        elif vocal_hits:
            category = "vocal"
        elif action or sounds:
            category = "action"
        else:
            category = None
        first_vocal = vocal_hits[0][0] if vocal_hits else len(words)
        named = sorted([(first_pause, 1, "pause"), (first_sound, 2, "cue"), (first_vocal, 0, "vocal")])
        return Direction(category, None, seconds, delivery, tuple(sounds), interrupt,
                         degree=degree if delivery else 1.0,
                         vocals=tuple((kind, amount) for _, _, kind, amount in vocal_hits),
                         order=tuple(name for _, _, name in named))

    def _heard(self, words: list[str], vocal: list[tuple[int, int, str, float]] = ()) -> list[str]:
        """The words that may name a sound: *alarmed*, *on high alert*, *buzzing with energy* are
        moods, and *hums*, *snorts* a character's own voice, so their words are masked."""
        moods = {i for a, b, _ in self.words.delivery.find(words) if b - a > 1 for i in range(a, b)}
        moods |= {i for a, b, _, _ in vocal for i in range(a, b)}
        return [MASK if t in self._not_sounds or i in moods else t for i, t in enumerate(words)]

    def names_sound(self, direction: str) -> bool:
        """Does the direction name a sound word (and so must place a sound)?"""
        words = tokens(_clean(direction))
        return bool(self.words.sounds.sounds.find(self._heard(words, vocalizations(words, self.words.vocal))))

    def _known(self, word: str) -> bool:
        w = self.words
        return any(lexicon.find([word]) for lexicon in (w.pause, w.interrupt, w.sounds.sounds, w.vocal))

    def leads(self, text: str) -> bool:
        """Does the text open with a word the rules know? Stage directions open with their verb or
        adverb (*Pauses*, *Quietly*); narration opens with its subject (*Vector stops pacing*)."""
        words = tokens(_clean(text))
        if not words:
            return False
        w = self.words
        return any(lexicon.find(words[:3]) and lexicon.find(words[:3])[0][0] == 0
                   for lexicon in (w.pause, w.interrupt, w.delivery, w.vocal, w.action, w.sounds.sounds,
                                   w.sounds.modifiers))

    def host_direction(self, text: str) -> bool:
        """Is an italic line in the host's voice a stage direction about the host, by its form?

        A verb phrase with no subject and no sentence punctuation: its head (after any adverbs) is a
        present participle (*peering at the whiteboard*, *Trying to picture it*, *slowly leaning back*), or
        a word the rules read as a direction that is inflected or names a delivery (*nods*, *sighs*,
        *puzzled*): not a bare verb, which would be the host telling someone (*Look at this*, *Wait*).
        A question mark, sentence punctuation at the end, a first-person word, a finite verb or a long
        line is speech.
        """
        form = self.words.host
        words = form.phrase(_clean(text))
        if words is None:
            return False
        head = words[0]
        if form.participle(head):
            return True
        phrase = " ".join(words)
        if not self.leads(phrase) or self.classify(phrase).category is None:
            return False
        return bool(re.search(r"[^su]s$|ed$", head)) or bool(self.words.delivery.find([head]))

    def scene(self, direction: str) -> tuple[str, ...]:
        """The scene treatments a direction names ([words.scene]), in order: *on the phone* is phone."""
        return tuple(dict.fromkeys(kind for _, _, kind in self.words.scene.find(tokens(_clean(direction)))))

    def room(self, direction: str) -> str | None:
        """The room a direction names ([words.room]), if any: *In the great hall* is hall."""
        found = self.words.room.find(tokens(_clean(direction)))
        return found[0][2] if found else None

    def is_cue(self, direction: str) -> bool:
        return self.classify(direction).category == "cue"

    def extend(self, other: "Rules") -> "Rules":
        """Rules of ``other`` are tried before ours within each category; its words win over ours."""
        return Rules(other.rules + self.rules, self.words.merged(other.words, other.sets),
                     {**self.sets, **other.sets})


def _clean(text: str) -> str:
    text = text.strip().strip("*_").strip()
    text = re.sub(r"\s+", " ", text)
    return text.rstrip(":;").strip()


def parse_rules(text: str, source: str = "<rules>") -> Rules:
    """Parse direction rules from TOML text; every value is checked by settings.RULES.

    Direction files have word lists ``[words.pause|interrupt|delivery|action]`` and phrase rules
    ``[[pause]]``, ``[[interrupt]]``, ``[[delivery]]``, ``[[action]]``; a show's own rules may add to
    the sound vocabulary ``[sounds.NAME]``, ``[modifiers.NAME]``; cue files (sfx/cues.toml,
    settings.CUES) have these and ``[[cue]]`` with ``match`` and ``sound``.
    """
    return rules_from_data(validate(parse_toml(text, source), RULES, source), source)


def rules_from_data(data: dict, source: str) -> Rules:
    """The rules of a file the schema has checked."""
    rules: list[Rule] = []
    for category in CATEGORIES:
        for entry in data.get(category, []):
            seconds = entry.get("seconds")
            pattern = UserPattern(entry["match"], f"[[{category}]] match = {entry['match']!r}", source,
                                  ignore_case=True)
            rules.append(Rule(category, pattern, entry.get("sound"),
                              float(seconds) if seconds is not None else None,
                              entry.get("delivery"), source))
    words, sets = _words(data, source)
    return Rules(rules, words, sets)


def _word_list(value: object, where: str, source: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of words or phrases, e.g. [\"whirr\", \"whir\"].", file=source)
    return [v.strip() for v in value]


def _number(table: dict, key: str, where: str, source: str, default: float, low: float, high: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"{where} `{key}` must be a number from {low:g} to {high:g}, not {value!r}.", file=source)
    return float(value)


def _table(data: dict, key: str, where: str, source: str, allowed: set[str] | None = None) -> dict:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table ([{where.strip('[]')}]).", file=source)
    if allowed is not None and set(table) - allowed:
        unknown = ", ".join(sorted(set(table) - allowed))
        raise ConfigError(f"{where} has unknown key(s) {unknown}; it takes {', '.join(sorted(allowed))}.",
                          file=source)
    return table


def _words(data: dict, source: str) -> tuple[Words, dict[str, bool]]:
    """The lexicon tables: [words.*] (directions.toml), [sounds.*] and [modifiers.*] (sfx/cues.toml)."""
    words = _table(data, "words", "[words]", source, {"pause", "interrupt", "delivery", "action", "vocal", "degree",
                                                           "scene", "room"})
    pause = _table(words, "pause", "[words.pause]", source, {"words", "seconds", "max_seconds", "lengths"})
    lengths = _table(pause, "lengths", "[words.pause.lengths]", source)
    length_map = {k.lower(): _number(lengths, k, "[words.pause.lengths]", source, 0.9, 0.05, 30.0) for k in lengths}
    interrupt = _table(words, "interrupt", "[words.interrupt]", source, {"words"})
    action = _table(words, "action", "[words.action]", source, {"words"})
    delivery = _table(words, "delivery", "[words.delivery]", source)
    sounds = _table(data, "sounds", "[sounds]", source)
    modifiers = _table(data, "modifiers", "[modifiers]", source)
    sound_words: dict[str, list[str]] = {}
    for name, table in sounds.items():
        where = f"[sounds.{name}]"
        table = _table(sounds, name, where, source, {"words", "kind", "file"})
        sound_words[str(table.get("file", name))] = _word_list(table.get("words", []), f"{where} `words`", source)
    effects: dict[str, Modifier] = {}
    modifier_words: dict[str, list[str]] = {}
    for name, table in modifiers.items():
        where = f"[modifiers.{name}]"
        table = _table(modifiers, name, where, source, {"words", "gain_db", "repeat", "bend", "wobble"})
        modifier_words[name] = _word_list(table.get("words", []), f"{where} `words`", source)
        effects[name] = Modifier(_number(table, "gain_db", where, source, 0.0, -30.0, 12.0),
                                 int(_number(table, "repeat", where, source, 1, 1, 8)),
                                 _number(table, "bend", where, source, 0.0, -12.0, 12.0),
                                 _number(table, "wobble", where, source, 0.0, 0.0, 6.0))
    for name, value in delivery.items():
        _word_list(value, f"[words.delivery] `{name}`", source)
    vocal = _table(words, "vocal", "[words.vocal]", source)
    for name, value in vocal.items():
        _word_list(value, f"[words.vocal] `{name}`", source)
    degrees: dict[str, list[str]] = {}
    for word in _table(words, "degree", "[words.degree]", source):
        factor = _number(words["degree"], word, "[words.degree]", source, 1.0, 0.1, 4.0)
        degrees.setdefault(repr(factor), []).append(word)
    seconds = _number(pause, "seconds", "[words.pause]", source, 0.9, 0.05, 30.0)
    host = _table(data, "host", "[host]", source,
                  {"max_words", "adverbs", "not_adverbs", "not_participles", "first_person", "finite_verbs"})
    host_form = HostForm(int(_number(host, "max_words", "[host]", source, 12, 1, 40)),
                         *(frozenset(w.lower() for w in _word_list(host.get(key, []), f"[host] `{key}`", source))
                           for key in ("adverbs", "not_adverbs", "not_participles", "first_person",
                                       "finite_verbs")))
    max_seconds = _number(pause, "max_seconds", "[words.pause]", source, 3.0, 0.05, 60.0)
    built = Words(
        SoundWords(Lexicon.of(sound_words), Lexicon.of(modifier_words), effects),
        Lexicon.of({"pause": _word_list(pause.get("words", []), "[words.pause] `words`", source)}),
        length_map,
        Lexicon.of({"interrupt": _word_list(interrupt.get("words", []), "[words.interrupt] `words`", source)}),
        Lexicon.of({name: list(value) for name, value in delivery.items()}),
        Lexicon.of({"action": _word_list(action.get("words", []), "[words.action] `words`", source)}),
        seconds, max_seconds, host_form,
        Lexicon.of({name: list(value) for name, value in vocal.items()}),
        Lexicon.of(degrees),
        *(Lexicon.of({name: list(value) for name, value in _table(words, key, f"[words.{key}]", source).items()})
          for key in ("scene", "room")))
    return built, {"seconds": "seconds" in pause, "max_seconds": "max_seconds" in pause,
                   "host_max_words": "max_words" in host}


def default_rules() -> Rules:
    """The direction rules that ship with the renderer (cover the show's own vocabulary)."""
    text = resources.files("episode_renderer.script").joinpath("directions.toml").read_text("utf-8")
    return parse_rules(text, "directions.toml (built in)")


def load_rules(*paths: Path) -> Rules:
    """Default rules, extended by each existing file in ``paths`` (later files win)."""
    rules = default_rules()
    for path in paths:
        if path is not None and present(Path(path)):
            rules = rules.extend(rules_from_data(load(Path(path), RULES), str(path)))
    return rules
