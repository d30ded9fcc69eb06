"""A starting cast file from a Hugo site's character sheets (data/characters/*.yaml).

The sheets describe a voice in words ("rapid-fire", "methodical", "clipped"); each style word picks
the Kokoro voices that suit it and a pace. Every character gets a voice no other character has, and
no two voices a speaker-verification model hears as alike; once the 28 voices run out, characters
get blends of two. The producer tunes from there.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import yaml

from ..errors import ConfigError
from ..reading import read_bounded
from ..schema import MAX_CONFIG_BYTES

#: style word (regex) -> Kokoro voices that suit it, best first, and a pace change. Later matches add pace.
STYLE_WORDS: list[tuple[str, tuple[str, ...], float]] = [
    (r"musical|bounc|glitter|playful|bright|soft excitement", ("am_eric", "bf_lily", "af_aoede", "bm_fable"), 0.05),
    (r"rapid|fast|energetic|self-interrupting", ("am_puck", "am_liam", "af_nova", "am_fenrir"), 0.15),
    (r"methodical|measured|dry|skeptic|question|deliberate|calm", ("bm_daniel", "bf_emma", "bm_george"), -0.05),
    (r"clipped|precise|robot|machine|mechanical|warning", ("af_river", "af_kore", "bf_alice", "af_sky"), 0.05),
    (r"warm|casual|resigned|sarcastic|plain|friendly", ("am_michael", "am_eric", "am_adam"), 0.0),
    (r"cold|menacing|synthetic|hostile", ("bm_lewis", "am_onyx", "am_santa"), -0.08),
]
_MACHINE = r"clipped|precise|robot|machine|mechanical"
#: Every voice but the whispering af_nicole, in the order voices are handed out once a sheet's own run out.
POOL = ("am_michael", "bm_daniel", "am_puck", "af_river", "am_eric", "bf_isabella", "bm_lewis", "bf_emma",
        "af_heart", "bm_george", "af_kore", "am_liam", "af_sky", "af_aoede", "am_adam", "bf_alice", "af_nova",
        "am_echo", "bf_lily", "af_jessica", "am_fenrir", "af_alloy", "am_santa", "am_onyx", "af_sarah",
        "bm_fable", "af_bella")
#: Pairs a speaker-verification model hears as nearly one person (GE2E cosine >= 0.82 in
#: bench/kokoro_voice_survey.py): never both in one cast.
CLOSE = {frozenset(p) for p in (("am_fenrir", "am_puck"), ("af_bella", "af_heart"), ("am_echo", "am_puck"),
                                ("af_heart", "af_nova"), ("am_echo", "bm_fable"), ("bm_daniel", "bm_george"),
                                ("af_alloy", "af_sky"), ("af_alloy", "af_kore"), ("af_heart", "af_sarah"))}


def _style(text: str) -> tuple[list[str], float]:
    voices: list[str] = []
    speed = 1.0
    for pattern, suits, change in STYLE_WORDS:
        if re.search(pattern, text, re.IGNORECASE):
            voices += [v for v in suits if v not in voices]
            speed += change
    return voices, round(min(1.3, max(0.8, speed)), 2)


def pick_voices(styles: list[str]) -> list[str]:
    """One voice (or blend) per style text: the first suitable voice still free and not close to a taken one."""
    taken: list[str] = []
    blends = (f"0.5*{a} + 0.5*{b}" for a, b in itertools.combinations(POOL, 2) if frozenset((a, b)) not in CLOSE)
    for style in styles:
        wanted, _ = _style(style)
        free = [v for v in [*wanted, *POOL] if v not in taken and not any(frozenset((v, t)) in CLOSE for t in taken)]
        taken.append(free[0] if free else next(v for v in blends if v not in taken))
    return taken


def toml_string(value: object) -> str:
    """A TOML basic string for any text: quotes, backslashes and control characters escaped."""
    out = []
    for c in str(value):
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    """The cast table a sheet's name becomes: "Human (host)" is Human, everyone else as named."""
    return name.split()[0] if name.lower().startswith("human") else name


def cast_from_characters(sheets: list[dict]) -> str:
    """TOML text of a cast with one table per character sheet, plus narrator and fallback."""
    lines = ["# Written by `episode cast init` from character sheets. Tune freely: see voices/cast.toml",
             "# in the episode-renderer project for every setting.", "", "[defaults]", 'engine = "kokoro"',
             'voice = "am_michael"', ""]
    named = []
    keys: set[str] = set()
    for sheet in sheets:
        name = str(sheet.get("name", "")).strip()
        if name and _key(name) not in keys:  # a second sheet of one name would be a duplicate table
            keys.add(_key(name))
            named.append((name, " ".join(str(sheet.get(k, "")) for k in ("voice_style", "archetype")), sheet))
    narrator = ("Narrator", "calm measured narration, plain", {})
    fallback = ("fallback", "plain", {})
    everyone = [*named, *(extra for extra in (narrator, fallback) if extra[0] not in keys)]
    voices = pick_voices([style for _, style, _ in everyone])
    for (name, style, sheet), voice in zip(everyone, voices):
        key = _key(name)
        lines.append(f"[characters.{toml_string(key)}]")
        lines.append(f"description = {toml_string(sheet.get('voice_style', '') or style)}")
        if key != name:
            lines.append(f"aliases = [{toml_string(name)}]")
        lines.append(f"voice = {toml_string(voice)}")
        lines.append(f"speed = {_style(style)[1]!r}")
        if re.search(_MACHINE, style, re.IGNORECASE):
            lines.append('effects = [{ name = "HighpassFilter", cutoff_frequency_hz = 150.0 }, '
                         '{ name = "Delay", delay_seconds = 0.003, feedback = 0.2, mix = 0.12 }]')
        lines.append("")
    lines += ["[delivery.excited]", "speed = 1.08", "gain_db = 1.5", "",
              "[delivery.whisper]", "speed = 0.95", "gain_db = -4.0", "",
              "[delivery.thoughtful]", "speed = 0.92", ""]
    return "\n".join(lines)


def read_sheets(folder: Path) -> list[dict]:
    """The YAML character sheets in ``folder`` that have a name, in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError("character folder not found.", file=folder,
                          hint="Point --from at your Hugo site's data/characters/ folder.")
    sheets = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            text = read_bounded(path, MAX_CONFIG_BYTES, ConfigError, what="a character sheet",
                                limit_text=f"{MAX_CONFIG_BYTES // 1000} kB").decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("is not UTF-8 text.", file=path, hint="Save it as UTF-8.") from None
        except OSError as exc:
            raise ConfigError(f"cannot be read ({exc.strerror}).", file=path) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"is not valid YAML ({getattr(exc, 'problem', exc)}).", file=path,
                              line=mark.line + 1 if mark else None) from exc
        if isinstance(data, dict) and data.get("name"):
            sheets.append(data)
    if not sheets:
        raise ConfigError("holds no character sheets (YAML files with a `name`).", file=folder)
    return sheets
