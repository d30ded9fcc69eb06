"""The project's files (cast, cues, rules, show, sounds) located and loaded once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .colors import show_colors
from .errors import ConfigError
from .mix.master import Target
from .mix.timeline import Timing
from .reading import not_regular, present, read_bounded
from .schema import parse_toml, read_toml, show_value, validate
from .script.directions import Rules, load_rules
from .script.speech import to_speech
from .settings import SHOW
from .sound.cues import CueBook, load_cues
from .sound.library import SoundLibrary
from .tts.cast import Cast, load_cast
from .tts.lexicon import Lexicon, load_lexicon

#: The limiter's sample peaks aim this far under the true-peak ceiling; peaks between samples are then
#: taken down by mastering's true-peak pass, with headroom left for the MP3 encoder.
LIMITER_MARGIN_DB = 2.0
COVER_MAX_BYTES = 5_000_000
PNG_MAGIC, JPEG_MAGIC = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
#: The settings files a project is loaded from, in the order their bytes enter its fingerprint.
CONFIG_ROLES = ("cast", "cues", "rules", "show", "lexicon")


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
    bitrate: str | None = None  # [audio] bitrate; None: the channels' default (render.bitrate_for)
    target: Target = field(default_factory=Target)
    intro: str | None = None
    outro: str | None = None
    timing: Timing = field(default_factory=Timing)
    sound_folders: list[Path] = field(default_factory=list)  # [sound] folders: sounds from outside sfx/
    colors: dict[str, str] = field(default_factory=dict)  # speaker (lower case) -> "#rrggbb", for the listen pages
    cache_max_gb: float = 10.0  # [cache] max_gb: what the render caches may hold on disk
    takes_folder: Path | None = None  # [takes] folder: takes/<episode stem>/<line id>.wav (default: beside the script)
    takes_treatment: bool = False  # [takes] treatment: give a take its character's effects from the cast
    takes_lines: dict[str, Path] = field(default_factory=dict)  # [takes.lines] "<stem>/<line id>" -> a recording
    channels: str | None = None  # [mix] channels: "stereo" or "mono"; None: stereo for a cast of several
    room: str = "studio"  # [mix] room: the room every scene plays in unless its script names another


def parse_show(text: str, source: str, root: Path) -> Show:
    """Show settings from show.toml's text; every value is checked by settings.SHOW."""
    return show_from_data(validate(parse_toml(text, source), SHOW, source), source, root)


def show_from_data(data: dict[str, Any], source: str, root: Path) -> Show:
    show, audio, sound = data.get("show", {}), data.get("audio", {}), data.get("sound", {})
    true_peak = float(audio.get("true_peak", -1.0))
    return Show(
        name=show.get("name", "Podcast"), author=show.get("author", ""), description=show.get("description", ""),
        base_url=show.get("base_url", ""), cover=check_cover(show.get("cover") or None, source, root),
        language=show.get("language", "en"), explicit=show.get("explicit", False),
        category=show.get("category", "Technology"),
        bitrate=audio.get("bitrate"),
        target=Target(lufs=float(audio.get("lufs", -16.0)), true_peak=true_peak,
                      limiter_ceiling=true_peak - LIMITER_MARGIN_DB),
        intro=sound.get("intro") or None, outro=sound.get("outro") or None,
        timing=Timing(**{k: float(v) for k, v in data.get("timing", {}).items()}),
        sound_folders=[_sound_folder(f, source, root) for f in sound.get("folders", [])],
        colors=show_colors(data, source, root),
        cache_max_gb=float(data.get("cache", {}).get("max_gb", Show.cache_max_gb)),
        takes_folder=root / data["takes"]["folder"] if "folder" in data.get("takes", {}) else None,
        takes_treatment=bool(data.get("takes", {}).get("treatment", False)),
        takes_lines={k: root / v for k, v in data.get("takes", {}).get("lines", {}).items()},
        channels=data.get("mix", {}).get("channels"), room=data.get("mix", {}).get("room", "studio"),
    )


def check_cover(cover: str | None, source: str, root: Path) -> Path | None:
    """The cover image: a PNG or JPEG of at most COVER_MAX_BYTES inside the project folder.

    A relative path is read from the project folder; nothing outside it (``../``, an absolute path,
    a symbolic link out) is embedded in an MP3 or listed in a feed.
    """
    if cover is None:
        return None
    label = f"[show] cover = {show_value(cover)}"
    path = (root / cover).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ConfigError(f"{label} is outside the project folder ({root}).", file=source,
                          hint="Copy the image into the project folder and name it from there: cover = \"cover.jpg\".")
    if not path.is_file() and not_regular(path) in (None, "a folder"):
        raise ConfigError(f"{label}: no such image ({path}).", file=source,
                          hint="Give a PNG or JPEG in the project folder, or cover = \"\" for none.")
    try:
        head = read_bounded(path, COVER_MAX_BYTES, ConfigError, what="a cover",
                            limit_text=f"{COVER_MAX_BYTES // 1_000_000} MB",
                            hint="Podcast apps want a 1400-3000 px square JPEG or PNG, usually under 1 MB.")[:8]
    except ConfigError as error:
        raise ConfigError(f"{label} {error.message}", file=source, hint=error.hint) from None
    except OSError as exc:
        raise ConfigError(f"{label} cannot be read ({exc.strerror}).", file=source) from None
    if not head.startswith((PNG_MAGIC, JPEG_MAGIC)):
        raise ConfigError(f"{label} is not a PNG or JPEG image.", file=source,
                          hint="Podcast apps want a 1400-3000 px square JPEG or PNG.")
    return path


def _sound_folder(folder: str, source: str, root: Path) -> Path:
    """A folder of sounds the user names in [sound] folders: the one way to use sounds outside sfx/."""
    path = (root / folder).resolve()
    if not path.is_dir():
        raise ConfigError(f"[sound] folders: {show_value(folder)} is not a folder ({path}).", file=source)
    return path


@dataclass
class Project:
    """Everything a render needs besides the script."""

    root: Path
    cast: Cast
    cues: CueBook
    rules: Rules
    show: Show
    sounds: SoundLibrary
    roles: dict[str, Path]  # cast, cues, rules, show, lexicon, cover -> the file loaded for it (those present)
    lexicon: Lexicon = field(default_factory=Lexicon)

    @property
    def files(self) -> list[Path]:
        """The configuration files, for cache/freshness hashing (the cover is hashed as the show's)."""
        return [path for role, path in self.roles.items() if role in CONFIG_ROLES]

    def speech(self, text: str) -> str:
        """What a voice is given for ``text``: the speech rules with the lexicon applied."""
        return self.lexicon.speech(to_speech)(text)


def load_project(root: Path | None = None, *, cast: Path | None = None, cues: Path | None = None,
                 rules: Path | None = None, show: Path | None = None) -> Project:
    root = Path(root) if root else find_root()
    cast_path = Path(cast or os.environ.get("EPISODE_CAST") or root / "voices" / "cast.toml")
    lexicon_path = cast_path.parent / "lexicon.toml"
    cues_path = Path(cues) if cues else root / "sfx" / "cues.toml"
    if not present(cues_path) and not cues:
        cues_path = source_root() / "sfx" / "cues.toml"
    rules_path = Path(rules) if rules else root / "directions.toml"
    if rules and not present(rules_path):
        raise ConfigError("rules file not found.", file=rules_path)
    show_path = Path(show) if show else root / "show.toml"
    cue_book = load_cues(cues_path)
    all_rules = load_rules(rules_path).extend(cue_book.rules)
    if show and not present(show_path):
        raise ConfigError("show file not found.", file=show_path)
    show_data = show_from_data(validate(read_toml(show_path), SHOW, show_path), str(show_path), root) \
        if present(show_path) else Show()
    folders = [cues_path.parent, root / "sfx", source_root() / "sfx", *show_data.sound_folders]
    unique = list(dict.fromkeys(p.resolve() for p in folders))
    given = dict(zip(CONFIG_ROLES, (cast_path, cues_path, rules_path, show_path, lexicon_path)))
    roles = {role: path for role, path in given.items() if path.is_file()}
    if show_data.cover is not None:
        roles["cover"] = show_data.cover
    return Project(root, load_cast(cast_path), cue_book, all_rules, show_data, SoundLibrary(unique), roles,
                   load_lexicon(lexicon_path))
