"""Word lists that read directions by what they name, not by whole phrases.

A new episode brings new phrasings ("confused whirr", "voice getting sharper") around the same
few words, so directions are read word by word: inflections fold onto a base form, and sound
words, modifiers, deliveries, pauses and action verbs are looked up in lexicons that are data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .model import SoundPart

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?(?:-[a-z0-9]+(?:'[a-z]+)?)*|[,;:—–()]|\.\.\.|[.!?]")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60, "a": 1,
            "half": 0.5, "several": 3, "few": 3, "couple": 2}
_SECONDS = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(_NUMBERS) +
                      r")(?:\s+or\s+\w+)?\s+(?:full\s+)?seconds?\b")
MASK = "\x00"  # stands in for a word already read as something else
_DRAWN_OUT = re.compile(r"([a-z])\1{2,}")
_NEGATORS = {"less", "not", "no", "without", "never", "un"}
FILLERS = frozenset("""a an the of sound sounds noise noises tone tones with and then followed by its it his her
their another one single two three four some more again from into s system systems""".split())


def filler(word: str) -> bool:
    """Words that do not stop a clause being a sound cue: articles, "sound", possessives (*Kai's whirr*)."""
    return word in FILLERS or word.endswith("'s")


def tokens(text: str) -> list[str]:
    """Lower-case words (hyphenated ones kept whole) and clause marks: ``WHIRR-CLICK!`` -> whirr-click, !"""
    return _TOKEN.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=16384)
def forms(word: str) -> frozenset[str]:
    """The base forms a word may be an inflection of (whirring -> whirr, sharper -> sharp), or a
    drawn-out spelling of (WHIRRRRR -> whirr, beeeep -> beep)."""
    if _DRAWN_OUT.search(word):
        return forms(_DRAWN_OUT.sub(r"\1\1", word)) | forms(_DRAWN_OUT.sub(r"\1", word))
    out = {word}
    if word.endswith("'s"):
        word = word[:-2]
        out.add(word)
    for suffix, repl in (("ily", "y"), ("ally", "al"), ("ally", ""), ("ly", ""), ("ly", "le"), ("ing", ""),
                         ("ing", "e"), ("ied", "y"), ("ies", "y"), ("ed", ""), ("ed", "e"), ("es", ""),
                         ("s", ""), ("ier", "y"), ("er", ""), ("er", "e"), ("est", ""), ("ness", ""),
                         ("ment", ""), ("ity", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: len(word) - len(suffix)] + repl
            out.add(stem)
            if len(stem) > 3 and stem[-1] == stem[-2] and not repl:
                out.add(stem[:-1])  # stopped -> stop, but whirr stays whirr
    return frozenset(out)


@dataclass(frozen=True)
class Lexicon:
    """Words (base forms) or phrases mapped to a value; phrases are tuples of base forms."""

    entries: dict[tuple[str, ...], str] = field(default_factory=dict)
    _by_first: dict[str, list[tuple[tuple[str, ...], str]]] = field(init=False, repr=False, compare=False)
    _longest: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index phrases by their first word: a direction is read once per lexicon, quickly."""
        index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for key, value in self.entries.items():
            index.setdefault(key[0], []).append((key, value))
        object.__setattr__(self, "_by_first", index)
        object.__setattr__(self, "_longest", max((len(k) for k in self.entries), default=0))

    @classmethod
    def of(cls, mapping: dict[str, list[str]]) -> "Lexicon":
        entries: dict[tuple[str, ...], str] = {}
        for value, words in mapping.items():
            for word in words:
                entries[tuple(word.lower().replace("-", " ").split())] = value
        return cls(entries)

    def merged(self, first: "Lexicon") -> "Lexicon":
        """``first``'s words win over ours."""
        return Lexicon({**self.entries, **first.entries})

    def find(self, words: list[str]) -> list[tuple[int, int, str]]:
        """Every (start, end, value) hit in text order, the longest phrase first at each position.

        A hyphenated word that is no entry as a whole (WHIRR-CLICK) yields each of its parts, in
        order, all at its own position.
        """
        hits: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                value = self._match(words[i:i + size])
                if value is not None:
                    hits.append((i, i + size, value))
                    i += size
                    break
            else:
                if "-" in words[i]:
                    hits.extend((i, i + 1, value) for _, _, value in self.find(words[i].split("-")))
                i += 1
        return hits

    def _match(self, words: list[str]) -> str | None:
        parts = [p for w in words for p in w.split("-") if p]
        if not parts or len(parts) > self._longest:
            return None
        options = [forms(p) for p in parts]
        for first in options[0]:
            for key, value in self._by_first.get(first, ()):
                if len(key) == len(parts) and all(k in o for k, o in zip(key[1:], options[1:], strict=True)):
                    return value
        return None


@dataclass(frozen=True)
class Modifier:
    """What a word such as *soft*, *confused* or *rapid* does to the sound it qualifies."""

    gain_db: float = 0.0
    repeat: int = 1
    bend: float = 0.0
    wobble: float = 0.0


@dataclass(frozen=True)
class SoundWords:
    """The sound vocabulary: words -> sound files, and modifier words -> changes."""

    sounds: Lexicon = field(default_factory=Lexicon)
    modifiers: Lexicon = field(default_factory=Lexicon)
    effects: dict[str, Modifier] = field(default_factory=dict)

    def merged(self, first: "SoundWords") -> "SoundWords":
        return SoundWords(self.sounds.merged(first.sounds), self.modifiers.merged(first.modifiers),
                          {**self.effects, **first.effects})

    def parts(self, words: list[str], heard: list[str] | None = None) -> list[SoundPart]:
        """The sounds a run of words names, in order, each shaped by the modifiers around it.

        Hyphenated hits are a compound (WHIRR-CLICK: both, in order); a sound word right before
        another (``alarm chime``) describes it, so only the head plays. ``heard``: the words with
        those that may not name a sound masked out (modifiers still read ``words``).
        """
        hits = self.sounds.find(words if heard is None else heard)
        kept = [h for n, h in enumerate(hits)
                if not (n + 1 < len(hits) and hits[n + 1][0] == h[1])]
        if not kept:
            return []
        shape = self._shape(words, {i for h in hits for i in range(h[0], h[1])})
        return [SoundPart(sound, shape.gain_db, shape.repeat, shape.bend, shape.wobble)
                for _, _, sound in kept]

    def _shape(self, words: list[str], taken: set[int]) -> Modifier:
        gain, repeat, bend, wobble = 0.0, 1, 0.0, 0.0
        for start, end, name in self.modifiers.find(words):
            if any(i in taken for i in range(start, end)):
                continue
            effect = self.effects[name]
            gain += effect.gain_db
            repeat = max(repeat, effect.repeat)
            bend = bend or effect.bend
            wobble = wobble or effect.wobble
        return Modifier(gain, repeat, bend, wobble)

    def known(self, word: str) -> bool:
        return bool(self.sounds.find([word]) or self.modifiers.find([word]))


_HEDGES = frozenset("""gets getting get got more most very slightly a bit little suddenly voice tone now still too so
really increasingly somewhat quite growing becoming becomes sounding sounds looks looking almost practically""".split())


_LINKS = frozenset("""about at with to and but as now again then for of over in on by from yet still that this
voice tone energy while though""".split()) | {MASK}


def deliveries(words: list[str], lexicon: Lexicon, known: Callable[[str], bool] = lambda w: False,
               degrees: Lexicon | None = None) -> tuple[str | None, float]:
    """The delivery a direction names and its degree (*slightly defensive*: 0.5), skipping negated
    ones (*less defensive*) and adjectives that describe a thing rather than the voice (*pulls up
    defensive measures*: a word ``known`` to no rule follows).

    A clause that is nothing but the delivery (*stops processing, offended*: "offended") beats a
    word inside a longer clause; otherwise the first one wins. The degree is read from the degree
    words of the delivery's own clause (*Less defensive now, more explanatory*: "more" is calm's).
    """
    first: tuple[str | None, float] = (None, 1.0)
    for clause in clauses(words):
        for start, end, value in lexicon.find(clause):
            if start and clause[start - 1] in _NEGATORS:
                continue
            if end < len(clause) and clause[end] not in _LINKS and not known(clause[end]) \
                    and not lexicon.find(clause[end:end + 1]):
                continue
            found = (value, degree(clause, range(start, end), degrees))
            rest = [w for n, w in enumerate(clause) if not start <= n < end and w not in _HEDGES]
            if not rest:
                return found
            first = first if first[0] else found
    return first


#: How far a degree may scale a delivery or a vocalization (``[words.degree]`` multiplies).
DEGREE_RANGE = (0.25, 2.0)


def degree(clause: list[str], taken: range, degrees: Lexicon | None) -> float:
    """The product of the degree words in ``clause`` outside ``taken`` (*very*, *slightly*,
    *heavily*), held within DEGREE_RANGE; 1.0 when there are none."""
    if degrees is None:
        return 1.0
    value = 1.0
    for start, end, factor in degrees.find(clause):
        if not any(i in taken for i in range(start, end)):
            value *= float(factor)
    return round(min(max(value, DEGREE_RANGE[0]), DEGREE_RANGE[1]), 3)


#: Words that hold a vocalization back (*stifles a laugh*, *trying not to sigh*): nothing is heard.
_HELD_BACK = frozenset("""not no without never stifle stifles stifled stifling suppress suppresses suppressed
suppressing fight fights fighting resist resists resisting swallow swallows swallowing""".split())
_HOLD = frozenset("hold holds holding held".split())


def _held_back(before: list[str]) -> bool:
    return any(w in _HELD_BACK or (w in _HOLD and "back" in before[i + 1:]) for i, w in enumerate(before))


def vocalizations(words: list[str], lexicon: Lexicon, degrees: Lexicon | None = None
                  ) -> list[tuple[int, int, str, float]]:
    """The vocal sounds a direction names (*laughs*, *sighs heavily*, *clears throat*), in order:
    (start, end, kind, degree); one held back in its clause (*stifles a laugh*) is left out."""
    found = []
    offset = 0
    for clause in clauses(words):
        while offset < len(words) and words[offset] != clause[0]:
            offset += 1
        for start, end, kind in lexicon.find(clause):
            if _held_back(clause[:start]):
                continue
            found.append((offset + start, offset + end, kind, degree(clause, range(start, end), degrees)))
        offset += len(clause)
    return found


_SENTENCE_MARK = re.compile(r"[.?!…:;\"”—–-]\s*$")
_VOWEL = re.compile(r"[aeiouy]")


@dataclass(frozen=True)
class HostForm:
    """What a stage direction about the host looks like, by its grammatical form: a verb phrase with
    no subject and no sentence punctuation (*peering at the whiteboard*, *slowly leaning back*). The host's
    own words are sentences: they end with . ? ! … : or a dash, speak in the first person, or have a
    finite verb (*Meeting you was a pleasure*).

    The words are data ([host] in directions.toml): adverbs that may come before the verb besides
    -ly ones, -ly words that are no adverb (*family*), -ing words that head no direction (nouns such
    as *something*, adjectives said on their own such as *interesting*) and first-person words.
    """

    max_words: int = 12
    adverbs: frozenset[str] = frozenset()
    not_adverbs: frozenset[str] = frozenset()
    not_participles: frozenset[str] = frozenset()
    first_person: frozenset[str] = frozenset()
    finite_verbs: frozenset[str] = frozenset()

    def merged(self, first: "HostForm", max_words_set: bool) -> "HostForm":
        """``first``'s words are added to ours; its ``max_words`` only where its file set it."""
        return HostForm(first.max_words if max_words_set else self.max_words, self.adverbs | first.adverbs,
                        self.not_adverbs | first.not_adverbs, self.not_participles | first.not_participles,
                        self.first_person | first.first_person, self.finite_verbs | first.finite_verbs)

    def phrase(self, text: str) -> list[str] | None:
        """The words of ``text`` from its head on (leading adverbs skipped), or None when it has the
        form of speech: sentence punctuation at its end, a question mark anywhere, a first-person
        word, or more than ``max_words`` words."""
        text = text.strip()
        if not text or "?" in text or _SENTENCE_MARK.search(text):
            return None
        words = [w for w in tokens(text) if w[0].isalnum()]
        if not words or len(words) > self.max_words or any(w in self.first_person or w in self.finite_verbs
                                                              for w in words):
            return None
        start = 0
        while start < len(words) - 1 and self.adverb(words[start]):
            start += 1
        return words[start:]

    def adverb(self, word: str) -> bool:
        return word in self.adverbs or (word.endswith("ly") and len(word) >= 5 and word not in self.not_adverbs)

    def participle(self, word: str) -> bool:
        """A present participle (*looking*, *leaning*, *half-listening*): -ing after a stem with a
        vowel (not *thing*, *bring*, *ring*), and not a listed noun or adjective. A hyphenated word
        is one only after an adverb (*half-listening*, not *fine-tuning*, which names a thing)."""
        prefix, _, rest = word.rpartition("-")
        if prefix:
            return self.adverb(prefix) and self.participle(rest)
        return (word.endswith("ing") and len(word) >= 5 and bool(_VOWEL.search(word[:-3]))
                and word not in self.not_participles)


def timed_seconds(text: str, cap: float) -> float | None:
    """Seconds from a timed phrase (*two seconds of silence*, *ten seconds pass*), capped."""
    m = _SECONDS.search(text.lower())
    if not m:
        return None
    value = m.group(1)
    seconds = float(value) if value[0].isdigit() else float(_NUMBERS[value])
    return min(seconds, cap)


def clauses(words: list[str]) -> list[list[str]]:
    """Split at commas, semicolons, dashes and full stops: each clause is read on its own."""
    out: list[list[str]] = [[]]
    for word in words:
        if word in {",", ";", ":", "—", "–", "(", ")", ".", "...", "!", "?"}:
            out.append([])
        else:
            out[-1].append(word)
    return [c for c in out if c]
