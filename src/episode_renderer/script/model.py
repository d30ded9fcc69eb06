"""The parsed episode: plain dataclasses, the contract between the parser and everything after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args


@dataclass(frozen=True)
class SoundPart:
    """One sound of a cue as the script names it: a compound (WHIRR-CLICK) has several, in order."""

    sound: str
    gain_db: float = 0.0  # from modifiers (*soft*, *loud*): an offset from the sound's usual level
    repeat: int = 1  # *rapid*, *multiple*: played this many times back to back
    bend: float = 0.0  # *confused*: semitones the pitch glides by over the sound
    wobble: float = 0.0  # *nervous*: semitones of vibrato

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sound": self.sound}
        for name in ("gain_db", "bend", "wobble"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.repeat != 1:
            data["repeat"] = self.repeat
        return data


#: How each vocal sound shows in the transcript, captions and listen page: non-speech of that speaker.
#: Who reads narration, headings and scene headers.
NARRATOR = "Narrator"
VOCAL_LABELS = {
    "laugh": "laughs", "chuckle": "chuckles", "giggle": "giggles", "sigh": "sighs", "gasp": "gasps",
    "groan": "groans", "hum": "hums", "throat": "clears throat", "scoff": "scoffs", "sniff": "sniffs",
    "yawn": "yawns", "breath": "takes a breath",
}


#: What an event is; the docstring of Event says what each carries.
EventKind = Literal["line", "cue", "pause", "direction", "vocal", "heading", "break"]
EVENT_KINDS: frozenset[str] = frozenset(get_args(EventKind))


@dataclass(frozen=True)
class Event:
    """One thing that happens in the episode, in script order.

    kind:
      "line"      speech: ``speakers`` say ``speech`` (``text`` is the source as written)
      "cue"       a sound cue (``sound`` names the effect; null when no sound is mapped)
      "pause"     silence of ``seconds``
      "direction" a delivery or action direction (``category``: "delivery" | "action")
      "vocal"     a sound ``speakers`` make with their own voice (``vocal``: "laugh", "sigh", ...), in place
      "heading"   a Markdown heading or scene header: opens a chapter, read by the narrator
      "break"     a scene break (``---``): opens a chapter, plays the transition

    ``speakers`` are the characters, in script order: several say a line together (a unity-box),
    none for narration's directions and cues.
    """

    kind: EventKind
    line: int
    text: str
    speakers: tuple[str, ...] = ()
    speech: str | None = None
    sound: str | None = None
    category: str | None = None  # pause | delivery | action | cue | interrupt
    delivery: str | None = None  # delivery applied to a line ("excited", "whisper", ...)
    degree: float | None = None  # how strongly the delivery (or the vocal sound) is meant; None is 1
    vocal: str | None = None  # a vocal event's kind: laugh, chuckle, giggle, sigh, gasp, groan, hum, ...
    seconds: float | None = None  # pause length
    block: str | None = None  # the shortcode the line sits in: dialogue, thought, optimax-alert, ...
    scene: str | None = None  # the outermost block (a private-channel around dialogue), for beds and rooms
    turn: int = 0  # index of the speaker turn; a new turn means a change of speaker or block
    topic: bool = False  # a host question that opens a new topic (chapter)
    interrupts: bool = False  # this line cuts into the previous one
    parts: tuple[SoundPart, ...] = ()  # a cue's sounds in order (``sound`` is the first)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}; one of {', '.join(get_args(EventKind))}")
        if not isinstance(self.speakers, tuple) or not all(isinstance(n, str) and n for n in self.speakers):
            raise TypeError(f"speakers must be a tuple of names, not {self.speakers!r}")

    @property
    def speaker(self) -> str | None:
        """The speakers as one name ("Kai & Bounce"), as transcripts, captions and ``script --json`` show them."""
        return " & ".join(self.speakers) or None

    @property
    def spoken(self) -> bool:
        """A voice reads this event's ``speech``: a line or a heading."""
        return self.kind in ("line", "heading")

    @property
    def voiced(self) -> bool:
        """Heard in a voice of the cast: words, or a vocal sound."""
        return self.kind in ("line", "heading", "vocal")

    @property
    def heard(self) -> str:
        """What a transcript shows for this event: its words, or a vocal sound as ``[laughs]``."""
        if self.kind == "vocal":
            return f"[{VOCAL_LABELS.get(self.vocal or '', self.vocal)}]"
        return self.text

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "speaker": self.speaker,
            "text": self.text,
            "speech": self.speech,
            "sound": self.sound,
            "line": self.line,
        }
        for name in ("category", "delivery", "degree", "vocal", "seconds", "block", "scene"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        data["turn"] = self.turn
        if self.topic:
            data["topic"] = True
        if self.interrupts:
            data["interrupts"] = True
        if self.parts:
            data["parts"] = [part.to_json() for part in self.parts]
        return data


@dataclass(frozen=True)
class Skipped:
    """A source line that is deliberately not spoken, and why."""

    line: int
    text: str
    reason: str


@dataclass
class Episode:
    """A whole episode: front matter plus events in order."""

    title: str
    episode_number: int | float | None  # 35.5 is a valid number in this show
    date: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str | None = None

    @property
    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for event in self.events:
            if event.kind == "line" and event.speaker:
                seen.setdefault(event.speaker, None)
        return list(seen)

    @property
    def sounds(self) -> set[str]:
        """Every sound the events name, each part of a compound cue included."""
        return {e.sound for e in self.events if e.sound} | {p.sound for e in self.events for p in e.parts}

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "episode_number": self.episode_number,
            "date": self.date,
            "description": self.description,
            "tags": self.tags,
            "events": [event.to_json() for event in self.events],
            "skipped": [{"line": s.line, "text": s.text, "reason": s.reason} for s in self.skipped],
            "warnings": self.warnings,
        }
