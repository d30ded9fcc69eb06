"""The pronunciation lexicon: words and patterns said the show's way, for every engine.

``voices/lexicon.toml`` maps a word to a respelling (``Kai = "Kye"``, any engine) or to phonemes
(``[phonemes]``, espeak IPA, spoken as written by Kokoro and Piper), and a regular expression to a
respelling (``[patterns]``). It is applied to the script's text before the speech text is made, so
``episode script`` shows exactly what each voice is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..reading import present
from ..patterns import UserPattern
from ..schema import key_text, load, parse_toml, validate
from ..settings import LEXICON

#: Phonemes ride through the speech text as ``[[...]]``, Piper's own syntax; Kokoro reads it too.
#: The placeholder is plain lowercase letters, which the speech rules leave as they are.
_SLOT = "zqxslot{}zqx"
_SLOT_RE = re.compile(r"zqxslot([a-z]+)zqx", re.IGNORECASE)
_MAX_ENTRIES = 5000


@dataclass
class Lexicon:
    words: dict[str, str] = field(default_factory=dict)
    patterns: list[tuple[UserPattern, str]] = field(default_factory=list)
    phonemes: dict[str, str] = field(default_factory=dict)
    source: str = "<lexicon>"
    _words_re: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        keys = sorted({*self.words, *self.phonemes}, key=len, reverse=True)
        if keys:
            self._words_re = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])")

    def apply(self, text: str) -> tuple[str, list[str]]:
        """``text`` with respellings in place and each phoneme entry as a placeholder slot (so the
        speech rules cannot rewrite it); returns the text and the slots' phonemes."""
        slots: list[str] = []

        def word(m: re.Match[str]) -> str:
            key = m.group(1)
            if key in self.phonemes:
                slots.append(self.phonemes[key])
                return _SLOT.format(_letters(len(slots) - 1))
            return self.words[key]

        if self._words_re is not None:
            text = self._words_re.sub(word, text)
        for pattern, respelling in self.patterns:
            text = pattern.sub(respelling, text)
        return text, slots

    def speech(self, to_speech: Callable[[str], str]) -> Callable[[str], str]:
        """A text -> speech function that applies the lexicon around ``to_speech``."""
        if not (self.words or self.patterns or self.phonemes):
            return to_speech

        def speak(text: str) -> str:
            text, slots = self.apply(text)
            said = to_speech(text)
            if not slots:
                return said
            return _SLOT_RE.sub(lambda m: f"[[{slots[_index(m.group(1))]}]]", said)

        return speak


def _letters(n: int) -> str:
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out = chr(97 + digit) + out
        if n == 0:
            return out


def _index(letters: str) -> int:
    n = 0
    for c in letters.lower():
        n = n * 26 + ord(c) - 97
    return n


def _entries(data: dict, name: str, source: str) -> dict[str, str]:
    """One table the schema has checked, with what the schema cannot say: phonemes stay in [phonemes]."""
    table = data.get(name, {})
    for key, value in table.items():
        if "[[" in value or "]]" in value or "zqxslot" in value.lower():
            raise ConfigError(f"[{name}] {key_text(key)}: write phonemes without [[ ]]; put them under [phonemes].",
                              file=source)
    return table


def parse_lexicon(text: str, source: str = "<lexicon>") -> Lexicon:
    """Read a lexicon file; every value is checked by settings.LEXICON and errors name the table."""
    return lexicon_from_data(validate(parse_toml(text, source), LEXICON, source), source)


def lexicon_from_data(data: dict, source: str) -> Lexicon:
    words, patterns, phonemes = (_entries(data, name, source) for name in ("words", "patterns", "phonemes"))
    if len(words) + len(patterns) + len(phonemes) > _MAX_ENTRIES:
        raise ConfigError(f"has more than {_MAX_ENTRIES} entries.", file=source)
    both = set(words) & set(phonemes)
    if both:
        raise ConfigError(f"{', '.join(sorted(both))} is both in [words] and [phonemes]; keep one.", file=source)
    compiled = []
    for pattern, respelling in patterns.items():
        user = UserPattern(pattern, f"[patterns] {key_text(pattern)}", source)
        user.check_replacement(respelling)
        compiled.append((user, respelling))
    return Lexicon(words, compiled, phonemes, source)


def load_lexicon(path: Path | None) -> Lexicon:
    """The lexicon at ``path``; none at all when there is no file."""
    if path is None or not present(Path(path)):
        return Lexicon()
    return lexicon_from_data(load(Path(path), LEXICON), str(path))
