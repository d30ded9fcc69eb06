"""The studio's state: the project, the open episode as it was read, and what the page asks of them.

Everything the routes do goes through ``Studio``; it holds the digests of the script and the cast
as they were loaded, so a save can tell when a file changed on disk behind the page's back.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..colors import DARK_BACKGROUNDS, LIGHT_BACKGROUNDS, fallback_color, readable
from ..config import Project, load_project
from ..errors import ConfigError, ScriptError
from ..export.site import project_colors
from ..render import episode_from_text, read_script_bytes, script_text, what_is_said
from ..script.model import Episode, Event
from ..script.parser import parse_episode
from ..tts.cast import Profile
from ..tts.lines import Said
from .edits import Edit, digest, edited_cast, edited_text, read_file, save, source_lines
from .hearing import Hearing, Part
from .jobs import RenderJobs, render_folder, render_one
from .safety import Refused, inside, relative_name

#: What every delivery says when a voice is auditioned without words of its own.
AUDITION_TEXT = "I checked the numbers twice this morning. Did anyone tell you the deadline moved?"
#: Folders whose .md files are not episodes to offer (renders, packages), and how many the list shows.
SKIPPED_FOLDERS = frozenset({"output", "node_modules", "public", "resources"})
MAX_LISTED = 500
_ENDINGS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class Studio:
    """One project, one open episode, one voice thread and one render at a time."""

    def __init__(self, root: Path, episode: Path | None, *, cast: Path | None = None,
                 cache_dir: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.cast_option = cast
        self.cache_dir = cache_dir
        self.lock = threading.RLock()
        self.project = self._load_project()
        self.hearing = Hearing(self.project.cast.voices_dir, cache_dir)
        self.jobs = RenderJobs()
        top = episode if episode and episode.is_dir() else (episode.parent if episode else self.root)
        self.folder = Path(top).resolve()  # where the page's list of episodes comes from
        first = episode if episode and episode.is_file() else next(iter(self._episode_files()), None)
        if first is None:
            raise ScriptError("holds no episode to open (a .md file whose front matter has `type: episode` "
                              "or an `episode_number`).", file=self.folder,
                              hint="Pass an episode file, or a folder of them: episode studio episodes/")
        if not Path(first).resolve().is_relative_to(self.root):
            raise ScriptError(f"is outside the project folder ({self.root}).", file=first,
                              hint="Start the studio from the project folder, or pass an episode inside it.")
        self._read(Path(first).resolve())

    # --- loading ---------------------------------------------------------------------------------

    def _load_project(self) -> Project:
        project = load_project(self.root, cast=self.cast_option)
        cast = Path(project.roles.get("cast", ""))
        self.cast_digest = digest(read_file(cast)) if cast.is_file() else ""
        return project

    def _episode_files(self) -> list[Path]:
        """The episodes the page offers (as a season finds them, drafts too): the folder's own, else
        those in its sub-folders (a project's episodes/), leaving out hidden folders and outputs; and
        the open one, whatever its front matter says."""
        found = self._episodes(self.folder)
        if not found:
            folders = sorted({p.parent for p in self.folder.rglob("*.md") if not any(
                part.startswith(".") or part in SKIPPED_FOLDERS for part in p.relative_to(self.folder).parts[:-1])})
            found = [p for folder in folders for p in self._episodes(folder)]
        current = getattr(self, "path", None)  # none yet while the studio opens
        return sorted({*found[:MAX_LISTED], *([current] if current else [])})

    def _episodes(self, folder: Path) -> list[Path]:
        from ..season.discovery import find_episodes

        return [p for p in find_episodes(folder, include_drafts=True)
                if p.is_file() and p.resolve().is_relative_to(self.root)]  # a link pointing out is not offered

    def _read(self, path: Path | None = None) -> None:
        """Open ``path`` (else read the open episode again) as it is on disk now: its bytes' digest,
        text and parsed events. A script that cannot be read leaves the studio on the one it had."""
        path = path or self.path
        data = read_script_bytes(path)  # once: the digest, the text and the events are of one version
        episode = episode_from_text(script_text(data, path), path, self.project)
        self.path, self.episode, self.text, self.digest = path, episode, data.decode("utf-8"), digest(data)
        self.said = what_is_said(episode)

    def open(self, relative: str) -> None:
        path = inside(self.root, relative)
        if path.suffix.lower() != ".md" or not path.is_file():
            raise Refused(400, f"{relative} is not an episode (.md) file in the project.")
        with self.lock:
            self._read(path)

    def reload(self) -> None:
        with self.lock:
            self.project = self._load_project()
            self.hearing.use_voices_dir(self.project.cast.voices_dir)
            self._read()

    # --- the cue sheet ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Take the episode and the cast as they are on disk now, if another editor changed them
        (a page load shows the files as they are, and its saves are checked against that)."""
        with self.lock:
            cast = Path(self.project.roles.get("cast", ""))
            if cast.is_file() and digest(read_file(cast)) != self.cast_digest:
                self.reload()
            elif self.path.exists() and digest(read_script_bytes(self.path)) != self.digest:
                self._read()  # a script gone from disk stays as last read: the page can open another

    def sheet(self) -> dict[str, Any]:
        """The open episode for the page: every event, what it became, its colour and warnings."""
        with self.lock:
            lines = [line.rstrip(_ENDINGS) for line in source_lines(self.text.removeprefix("\ufeff"))]
            warnings, general = _warnings_by_line(self.episode)
            colors = project_colors(self.project)
            events = [_event_json(i, e, lines, colors, warnings.pop(e.line, []) if _first_at(self.episode, i) else [])
                      for i, e in enumerate(self.episode.events)]
            return {"title": self.episode.title, "file": relative_name(self.root, self.path), "digest": self.digest,
                    "episodes": [relative_name(self.root, p) for p in self._episode_files()],
                    "events": events, "warnings": general + [w for rest in warnings.values() for w in rest],
                    "render": self.jobs.snapshot(), "warm": self.hearing.warm.is_set()}

    # --- hearing ---------------------------------------------------------------------------------

    def hear(self, index: int, text: str | None = None, delivery: str | None = None) -> list[Part]:
        """Clips of event ``index``: as the script has it, or with its line's words changed to ``text``
        (the script as it would be after that edit is parsed, so the edit's directions act)."""
        with self.lock:
            event = self._event(index)
            episode, said, indices = self.episode, self.said, [index]
            if text is not None and text != _editable(event, self._line(event.line)):
                edit = Edit(event.line, _editable(event, self._line(event.line)), text)
                source = edited_text(self.text.removeprefix("\ufeff"), [edit], str(self.path))
                episode = parse_episode(source, source=str(self.path), rules=self.project.rules,
                                        aliases=self.project.cast.aliases, speech=self.project.speech)
                said = what_is_said(episode)
                indices = [i for i, e in enumerate(episode.events) if e.line == event.line and i in said
                           and e.speakers == event.speakers]
                if not indices:
                    raise ScriptError("the edited line has nothing to say.", file=self.path, line=event.line,
                                      hint="Give it words, or a direction such as *laughs*.")
            elif index not in said:
                raise Refused(400, f"line {event.line} is a {event.kind}, which no voice speaks.")
            requests = [(self._profile(episode.events[i], delivery), said[i]) for i in indices]
        return self.hearing.hear(requests)

    def _profile(self, event: Event, delivery: str | None) -> Profile:
        name = event.speakers[0] if event.speakers else None
        if delivery:
            return self.project.cast.profile(name, delivery, event.block, event.scene)
        return self.project.cast.profile(name, event.delivery, event.block, event.scene, event.degree)

    def audition(self, character: str, voice: str, text: str | None = None) -> list[Part]:
        """``character`` saying ``text`` in the Kokoro voice (or blend) ``voice``, before choosing it."""
        from ..tts.kokoro import parse_blend, voice_files

        with self.lock:
            try:
                names = [name for _, name in parse_blend(voice)]
            except ValueError as exc:
                raise Refused(400, f"voice {voice!r}: {exc}.") from None
            known = voice_files([self.project.cast.voices_dir / "kokoro"] if self.project.cast.voices_dir else [])
            if any(name not in known for name in names):
                raise Refused(400, f"no Kokoro voice named {voice!r}; `episode voices` lists them.")
            profile = self.project.cast.profile(character)
            profile = replace(profile, engine=replace(profile.engine, engine="kokoro", voice=voice))
            said: Said = self.project.speech(text or AUDITION_TEXT)
        return self.hearing.hear([(profile, said)])

    def _event(self, index: int) -> Event:
        if not 0 <= index < len(self.episode.events):
            raise Refused(400, f"there is no event {index} in this episode (reload the page).")
        return self.episode.events[index]

    def _line(self, number: int) -> str:
        lines = source_lines(self.text.removeprefix("\ufeff"))
        return lines[number - 1].rstrip(_ENDINGS) if 0 < number <= len(lines) else ""

    # --- saving ----------------------------------------------------------------------------------

    def save_script(self, edits: list[Edit], expected: str) -> None:
        """Write the edited lines into the open episode (nothing else changes), if it is as loaded."""
        with self.lock:
            current = read_script_bytes(self.path)
            text = current.decode("utf-8")
            bom = "\ufeff" if text.startswith("\ufeff") else ""
            new = bom + edited_text(text.removeprefix("\ufeff"), edits, str(self.path))
            parse_episode(new.removeprefix("\ufeff"), source=str(self.path), rules=self.project.rules,
                          aliases=self.project.cast.aliases, speech=self.project.speech)  # never save a broken script
            save(self.root, self.path, expected, new.encode("utf-8"))
            self._read()

    def cast(self) -> dict[str, Any]:
        """The cast for the page: each character's settings as the file gives them, and the voices."""
        from ..tts.kokoro import describe, voice_files

        with self.lock:
            cast = self.project.cast
            path = Path(self.project.roles.get("cast", cast.source))
            editable = path.is_file() and path.resolve().is_relative_to(self.root)
            folders = [cast.voices_dir / "kokoro"] if cast.voices_dir else []
            speakers = {n for e in self.episode.events for n in e.speakers}
            return {
                "file": relative_name(self.root, path) if editable else str(path), "editable": editable,
                "digest": self.cast_digest,
                "characters": [{"name": name, **profile.describe(), "voice": profile.engine.voice,
                                "deliveries": sorted(set(cast.deliveries) | set(cast.own_deliveries.get(name, {}))),
                                "in_episode": name in speakers}
                               for name, profile in cast.characters.items()],
                "voices": [describe(name).__dict__ for name in voice_files(folders)],
            }

    def save_cast(self, character: str, settings: dict[str, Any], delivery: str | None, expected: str) -> None:
        """Change one character's settings (or one of their delivery recipes) in the cast file."""
        with self.lock:
            path = Path(self.project.roles.get("cast", ""))
            if not path.is_file() or not path.resolve().is_relative_to(self.root):
                raise ConfigError("is outside the project folder, so the studio does not change it.", file=path,
                                  hint="Copy the cast into the project's voices/ folder and start the studio there.")
            if character not in self.project.cast.characters:
                raise Refused(400, f"{character!r} is not a character of this cast.")
            text = read_file(path).decode("utf-8")
            new = edited_cast(text, character, settings, delivery, str(path), self.project.cast.voices_dir)
            save(self.root, path, expected, new.encode("utf-8"))
            self.reload()

    # --- rendering -------------------------------------------------------------------------------

    def render(self, season: bool) -> bool:
        """Start rendering the open episode (or its folder as a season); False when one is running."""
        with self.lock:
            project, cache = self.project, self.cache_dir
            if season:
                folder = self.path.parent
                return self.jobs.start("season", relative_name(self.root, folder),
                                       lambda report: render_folder(folder, project, cache, report))
            path = self.path
            return self.jobs.start("episode", relative_name(self.root, path),
                                   lambda report: render_one(path, project, cache, report))

    def close(self) -> None:
        self.jobs.cancel()
        self.hearing.close()


def _first_at(episode: Episode, index: int) -> bool:
    return index == 0 or episode.events[index - 1].line != episode.events[index].line


def _warnings_by_line(episode: Episode) -> tuple[dict[int, list[str]], list[str]]:
    """The episode's warnings (those of `episode check`) by the source line they name; the rest apart."""
    pattern = re.compile(rf"^{re.escape(episode.source or '')}:(\d+): (.*)$", re.S)
    by_line: dict[int, list[str]] = {}
    general = []
    for warning in episode.warnings:
        match = pattern.match(warning)
        if match:
            by_line.setdefault(int(match.group(1)), []).append(match.group(2))
        else:
            general.append(warning.removeprefix(f"{episode.source}: "))
    return by_line, general


def _editable(event: Event, raw: str) -> str:
    """What the page edits for ``event``: its words where they stand once on the line, else the whole line."""
    return event.text if event.text and raw.count(event.text) == 1 else raw


def _became(event: Event) -> str:
    """What a direction or cue became, in a few words: a delivery, a sound, a pause, a vocal sound."""
    if event.kind == "pause":
        return f"pause {event.seconds or 0.8:.1f} s"
    if event.kind == "vocal":
        return event.heard
    sounds = " + ".join(p.sound for p in event.parts) or event.sound or ""
    if sounds:
        return f"sound: {sounds}"
    if event.delivery:
        degree = f" x{event.degree:g}" if event.degree and event.degree != 1.0 else ""
        return f"delivery: {event.delivery}{degree}"
    if event.kind in ("cue", "direction"):
        return f"{event.category or 'direction'}: nothing plays"
    return ""


def _event_json(index: int, event: Event, lines: list[str], colors: dict[str, str],
                warnings: list[str]) -> dict[str, Any]:
    raw = lines[event.line - 1] if 0 < event.line <= len(lines) else ""
    name = event.speakers[0] if event.speakers else ("Narrator" if event.kind == "heading" else "")
    color = (colors.get(name.lower()) or fallback_color(name)) if name else ""
    return {"index": index, "kind": event.kind, "line": event.line, "speaker": event.speaker or "",
            "text": event.text, "speech": event.speech, "edit": _editable(event, raw), "became": _became(event),
            "voiced": event.voiced, "block": event.block, "warnings": warnings, "swatch": color,
            "color": readable(color, LIGHT_BACKGROUNDS) if color else "",
            "color_dark": readable(color, DARK_BACKGROUNDS) if color else ""}
