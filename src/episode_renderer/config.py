"""The project's files (cast, cues, rules, show, sounds) located and loaded once."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import ConfigError
from .mix.master import Target
from .mix.timeline import Timing
from .script.directions import Rules, load_rules
from .script.speech import to_speech
from .sound.cues import CueBook, load_cues
from .sound.library import SoundLibrary
from .tts.cast import Cast, load_cast
from .tts.lexicon import Lexicon, load_lexicon

#: The limiter's sample peaks aim this far under the true-peak ceiling; peaks between samples are then
#: taken down by mastering's true-peak pass, with headroom left for the MP3 encoder.
LIMITER_MARGIN_DB = 2.0


def source_root() -> Path:
    """The checkout this package runs from (its voices/ and sfx/ are the defaults)."""
    return Path(__file__).resolve().parents[2]


def find_root(start: Path | None = None) -> Path:
    """The project folder: the first of cwd and its parents with voices/cast.toml, else the checkout."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "voices" / "cast.toml").is_file():
            return folder
    return source_root()


def draft_cast(root: Path | None = None) -> Path:
    """The fast Piper cast used by --draft: the project's voices/draft.toml, else the checkout's."""
    own = Path(root or find_root()) / "voices" / "draft.toml"
    return own if own.is_file() else source_root() / "voices" / "draft.toml"


@dataclass
class Show:
    name: str = "Podcast"
    author: str = ""
    description: str = ""
    base_url: str = ""
    cover: Path | None = None
    language: str = "en"
    explicit: bool = False
    category: str = "Technology"
    bitrate: str = "128k"
    target: Target = field(default_factory=Target)
    intro: str | None = None
    outro: str | None = None
    timing: Timing = field(default_factory=Timing)


def parse_show(text: str, source: str, root: Path) -> Show:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc}).", file=source) from exc
    show, audio, sound = data.get("show", {}), data.get("audio", {}), data.get("sound", {})
    timing_data: dict[str, Any] = data.get("timing", {})
    known = {f.name for f in fields(Timing)}
    unknown = set(timing_data) - known
    if unknown:
        raise ConfigError(f"[timing]: unknown setting(s) {', '.join(sorted(unknown))}.", file=source,
                          hint="Known: " + ", ".join(sorted(known)) + ".")
    cover = show.get("cover") or None
    try:
        return Show(
            name=str(show.get("name", "Podcast")), author=str(show.get("author", "")),
            description=str(show.get("description", "")), base_url=str(show.get("base_url", "")),
            cover=(root / cover) if cover else None, language=str(show.get("language", "en")),
            explicit=bool(show.get("explicit", False)), category=str(show.get("category", "Technology")),
            bitrate=str(audio.get("bitrate", "128k")),
            target=Target(lufs=float(audio.get("lufs", -16.0)), true_peak=float(audio.get("true_peak", -1.0)),
                          limiter_ceiling=float(audio.get("true_peak", -1.0)) - LIMITER_MARGIN_DB),
            intro=sound.get("intro") or None, outro=sound.get("outro") or None,
            timing=Timing(**{k: float(v) for k, v in timing_data.items()}),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"a setting has the wrong type ({exc}).", file=source) from exc


@dataclass
class Project:
    """Everything a render needs besides the script."""

    root: Path
    cast: Cast
    cues: CueBook
    rules: Rules
    show: Show
    sounds: SoundLibrary
    files: list[Path]  # the configuration files, for cache/freshness hashing
    lexicon: Lexicon = field(default_factory=Lexicon)

    def speech(self, text: str) -> str:
        """What a voice is given for ``text``: the speech rules with the lexicon applied."""
        return self.lexicon.speech(to_speech)(text)


def load_project(root: Path | None = None, *, cast: Path | None = None, cues: Path | None = None,
                 rules: Path | None = None, show: Path | None = None) -> Project:
    root = Path(root) if root else find_root()
    cast_path = Path(cast or os.environ.get("EPISODE_CAST") or root / "voices" / "cast.toml")
    lexicon_path = cast_path.parent / "lexicon.toml"
    cues_path = Path(cues) if cues else root / "sfx" / "cues.toml"
    if not cues_path.is_file() and not cues:
        cues_path = source_root() / "sfx" / "cues.toml"
    rules_path = Path(rules) if rules else root / "directions.toml"
    if rules and not rules_path.is_file():
        raise ConfigError("rules file not found.", file=rules_path)
    show_path = Path(show) if show else root / "show.toml"
    cue_book = load_cues(cues_path)
    all_rules = load_rules(rules_path).extend(cue_book.rules)
    show_data = parse_show(show_path.read_text("utf-8"), str(show_path), root) if show_path.is_file() else Show()
    folders = [cues_path.parent, root / "sfx", source_root() / "sfx"]
    unique = list(dict.fromkeys(p.resolve() for p in folders))
    files = [p for p in (cast_path, cues_path, rules_path, show_path, lexicon_path) if p.is_file()]
    return Project(root, load_cast(cast_path), cue_book, all_rules, show_data, SoundLibrary(unique), files,
                   load_lexicon(lexicon_path))
