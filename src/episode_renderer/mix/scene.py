"""The scene: who stands where, and what each line passes through, read from the cast and the
directions; then every clip of a timeline given its place.

Positions come from the cast (``pan``, ``distance`` per character) or, where it sets none, from
slots that spread the cast without anyone hard left or right, in the cast file's order, so a
character stands in the same place in every episode. The narrator and the host are in the middle,
where a listener expects the voice that speaks to them. Treatments come from the directions in a
character's turn ([words.scene] in directions.toml), the room from the front matter's ``room:``,
a narration direction naming one ([words.room]), or show.toml's ``[mix] room``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..errors import ScriptError
from ..script.directions import Rules
from ..script.model import NARRATOR, Episode, Event
from ..settings import ROOMS
from ..tts.cast import FALLBACK, Cast
from .placement import MEDIA, Place, pan_gains
from .timeline import Timeline

#: The host marker's name (``**[Human]:**``): the listener's guide, in the middle with the narrator.
HOST = "Human"
#: Default places, in the cast's order: alternately left and right, none past 0.65 (about 11 dB
#: between the channels), so everyone is clearly placed and nobody is stuck in one ear.
SLOTS = (-0.5, 0.5, -0.3, 0.3, -0.65, 0.65, -0.15, 0.15)
#: What [words.scene]'s distance words make of a line: how far, and how far towards its own side.
DISTANCES = {"across": (0.65, 0.0), "distance": (0.95, 0.0), "off_mic": (0.45, 0.25)}


@dataclass(frozen=True)
class Position:
    pan: float
    distance: float

    def describe(self) -> str:
        left, right = pan_gains(self.pan)
        side = "centre" if abs(self.pan) < 0.05 else f"{abs(self.pan):.0%} {'left' if self.pan < 0 else 'right'}"
        balance = 20 * math.log10(max(left, 1e-9) / max(right, 1e-9))
        where = f"{side} (L-R {balance:+.1f} dB)"
        return where + (f", distance {self.distance:g}" if self.distance else "")


def positions(cast: Cast, episode: Episode | None = None) -> dict[str, Position]:
    """Every character's place: the cast's own, else the next free slot (cast order, then the
    characters an episode names that the cast does not list, in order of appearance)."""
    names = [n for n in cast.positions if n not in (NARRATOR, HOST)]
    if episode is not None:
        for event in episode.events:
            for name in event.speakers:
                known = cast.resolve(name)[0]
                if known == FALLBACK and name not in names and name not in (NARRATOR, HOST):
                    names.append(name)
    out = {NARRATOR: Position(0.0, 0.0), HOST: Position(0.0, 0.0)}
    for index, name in enumerate(names):
        out[name] = Position(SLOTS[index % len(SLOTS)], 0.0)
    for name, (pan, distance) in cast.positions.items():
        base = out.get(name, Position(0.0, 0.0))
        out[name] = Position(base.pan if pan is None else pan, base.distance if distance is None else distance)
    return out


def episode_room(episode: Episode, default: str = "studio") -> str:
    """The room the front matter's ``room:`` names, else ``default``; a room the renderer does not
    know is a ScriptError naming the file, before anything is synthesized."""
    room = episode.meta.get("room")
    if room is None:
        return default
    if not isinstance(room, str) or room.strip().lower() not in ROOMS:
        raise ScriptError(f"the front matter's room: {room!r} is not a room the renderer knows.",
                          file=episode.source, line=1,
                          hint="Use one of " + ", ".join(ROOMS) + " (or leave `room:` out for the show's).")
    return room.strip().lower()


def _where(names: tuple[str, ...], places: dict[str, Position], cast: Cast) -> Position:
    """Where a line of ``names`` comes from: several speaking together stand at the middle of them."""
    found = [places.get(n) or places.get(cast.resolve(n)[0]) or Position(0.0, 0.0) for n in names or (NARRATOR,)]
    return Position(sum(p.pan for p in found) / len(found), sum(p.distance for p in found) / len(found))


class _Reading:
    """The walk through an episode's events: the room now, the treatments of the current turn."""

    def __init__(self, rules: Rules, room: str) -> None:
        self.rules, self.base_room, self.room = rules, room, room
        self.turn: int | None = None
        self.treatments: list[str] = []
        self.move: str | None = None
        self.last_voiced: int | None = None
        self.out: dict[int, Place] = {}

    def new_turn(self, turn: int) -> None:
        if turn != self.turn:
            self._end_turn()
            self.turn, self.treatments, self.move, self.last_voiced = turn, [], None, None

    def _end_turn(self) -> None:
        """*leaves* after a turn's last line: that line goes."""
        if self.move == "leave" and self.last_voiced is not None:
            self.out[self.last_voiced] = replace(self.out[self.last_voiced], move="leave")

    def direction(self, event: Event) -> None:
        if not event.speakers:
            self.room = self.rules.room(event.text) or self.room
            return
        for kind in self.rules.scene(event.text):
            if kind in ("enter", "leave"):
                self.move = kind
            else:
                self.treatments = [t for t in self.treatments if not (t in MEDIA and kind in MEDIA)] + [kind]

    def place(self, where: Position) -> Place:
        pan, distance = where.pan, where.distance
        medium = space = None
        for kind in self.treatments:
            if kind in MEDIA:
                medium = kind
            elif kind in DISTANCES:
                far, outward = DISTANCES[kind]
                distance = max(distance, far)
                pan = max(-1.0, min(1.0, pan + outward * (1 if pan >= 0 else -1)))
            else:
                space = kind
        return Place(pan, distance, medium, space, self.room)

    def finish(self) -> dict[int, Place]:
        self._end_turn()
        return self.out


def event_places(episode: Episode, cast: Cast, rules: Rules, room: str = "studio") -> dict[int, Place]:
    """The place of every voiced event and every sound of a character's turn, by event index."""
    places = positions(cast, episode)
    reading = _Reading(rules, room)
    for index, event in enumerate(episode.events):
        if event.kind == "break":
            reading.room = reading.base_room
        reading.new_turn(event.turn)
        if event.kind == "direction":
            reading.direction(event)
        where = _where(event.speakers, places, cast)
        if event.voiced:
            place = reading.place(where) if event.kind != "heading" else Place(room=reading.room)
            if reading.move == "enter" or (reading.move == "leave" and event.kind == "line"):
                place, reading.move = replace(place, move=reading.move), None
            reading.out[index] = place
            reading.last_voiced = index
        elif event.sound and event.speakers:  # a cue in a turn comes from the speaker's place
            reading.out[index] = replace(reading.place(where), medium=None, move=None)
    return reading.finish()


def place_clips(timeline: Timeline, places: dict[int, Place], channels: int) -> None:
    """Give every clip its place: lines and a turn's sounds from ``places``, beds and the
    narration's sounds wide, stings (intro, outro, transitions) in the middle."""
    timeline.channels = channels
    for clip in timeline.clips:
        if clip.event is not None and clip.event in places:
            clip.place = places[clip.event]
        elif clip.kind == "bed" or clip.event is not None:
            clip.place = Place(wide=True)


def mix_channels(setting: str | None, cast: Cast) -> int:
    """Two channels unless show.toml's ``[mix] channels`` says mono, or the cast lists fewer than
    two characters (a one-voice show gains nothing from a stereo file twice the size)."""
    if setting is not None:
        return 2 if setting == "stereo" else 1
    return 2 if len(cast.positions) >= 2 else 1


def who_stands_where(episode: Episode, cast: Cast) -> dict[str, Position]:
    """The place of every character who speaks in ``episode`` (those speaking together each at their own)."""
    places = positions(cast, episode)
    names = dict.fromkeys(n for e in episode.events if e.voiced for n in (e.speakers or (NARRATOR,)))
    return {name: _where((name,), places, cast) for name in names}
