"""Hear one line in one voice, without parsing sounds, mixing or mastering the episode."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import Project
from .errors import ConfigError, ScriptError
from .export.atomic import atomic_path
from .render import load_episode, what_is_said
from .script.model import Episode, Event
from .script.parser import parse_episode
from .tts.cache import LineCache
from .tts.lines import LineSpeaker
from .audio import SAMPLE_RATE
from .tts.voices import Voices


#: A preview is a line or a paragraph: about 13 minutes of speech at most, a few hundred MB.
MAX_TEXT_WORDS = 2000


@dataclass
class PreviewResult:
    path: Path
    duration: float
    speech: str
    warnings: list[str] = field(default_factory=list)  # a cache that could not be written


#: The character the parser is told speaks a --text; the preview's own character replaces it after.
_SOMEONE = "Previewed"


def text_events(text: str, project: Project) -> list[Event]:
    """A --text read as a line of a script: its directions (*laughs*, *whispering*, *pauses*) act."""
    words = len(text.split())
    if words > MAX_TEXT_WORDS:
        raise ScriptError(f"--text is {words} words; a preview speaks at most {MAX_TEXT_WORDS}.",
                          hint="Preview a paragraph at a time, or put the text in the script and render it.")
    script = f'{{{{< dialogue char="{_SOMEONE}" >}}}}\n{text}\n{{{{< /dialogue >}}}}\n'
    episode = parse_episode(script, source="--text", rules=project.rules, speech=project.speech)
    events = [e for e in episode.events if e.kind in ("line", "vocal", "pause") and e.speaker in (_SOMEONE, None)]
    if not any(e.kind in ("line", "vocal") for e in events):
        raise ScriptError("--text has nothing to speak.", hint="Give a sentence with words in it.")
    return events


def perform(events: list[Event], project: Project, speaker: LineSpeaker, character: str,
            delivery: str | None = None) -> tuple[np.ndarray, str]:
    """``events`` (lines, vocal sounds, pauses) in ``character``'s voice, one after another with the
    show's gaps; ``delivery`` replaces the script's. Returns the audio and what the voice was given
    (a vocal sound as ``[laughs]``)."""
    said = what_is_said(Episode("", None, events=events))
    voiced = [i for i in said]
    takes = speaker.speak_many([(project.cast.profile(character, delivery or events[i].delivery, events[i].block,
                                                      events[i].scene, None if delivery else events[i].degree),
                                 said[i]) for i in voiced])
    timing = project.show.timing
    out: list[np.ndarray] = []
    pause = 0.0
    previous: Event | None = None
    for index, event in enumerate(events):
        if event.kind == "pause":
            pause += event.seconds or 0.0
            continue
        if index not in said:
            continue
        if previous is not None:
            gap = pause or (timing.vocal if "vocal" in (event.kind, previous.kind) else timing.in_turn)
            out.append(np.zeros(int(gap * SAMPLE_RATE), dtype=np.float32))
        out.append(takes[voiced.index(index)])
        previous, pause = event, 0.0
    text = " ".join(e.heard if e.kind == "vocal" else e.speech or "" for i, e in enumerate(events) if i in said)
    return (np.concatenate(out) if out else np.zeros(0, dtype=np.float32)), text


def preview_line(episode_path: Path, project: Project, character: str, *, line: int | None = None,
                 text: str | None = None, out: Path, cache_dir: Path | None,
                 delivery: str | None = None) -> PreviewResult:
    """Speak one script line (or free text, directions and all) as ``character`` and write it to
    ``out`` (WAV or MP3); ``delivery`` makes every line of it that delivery."""
    if not character.strip():
        raise ScriptError("--character is empty.", file=episode_path,
                          hint="Name who speaks, as the script or the cast names them, e.g. --character Kai.")
    if delivery is not None:
        name, _profile = project.cast.resolve(character)
        if project.cast.delivery(name, delivery) is None:
            known = sorted(set(project.cast.deliveries) | set(project.cast.own_deliveries.get(name, {})))
            raise ConfigError(f"--delivery {delivery!r} is not a delivery of this cast.", file=project.cast.source,
                              hint="Known: " + ", ".join(known) + ".")
    if text is not None:
        events = text_events(text, project)
    else:
        episode = load_episode(episode_path, project)
        wanted = character.lower()
        mine = [e for e in episode.events if e.voiced and (e.speech or e.vocal)
                and wanted in [n.lower() for n in e.speakers]]
        if line is not None:
            mine = [e for e in mine if e.line == line]
        if not mine:
            spoken = sorted({e.speaker for e in episode.events if e.kind == "line" and e.speaker})
            if line is not None:
                raise ScriptError(f"{character} has no spoken line at line {line}.", file=episode_path, line=line,
                                  hint="Run `episode script` to see which lines each character speaks.")
            raise ScriptError(f"{character} never speaks in this episode.", file=episode_path,
                              hint=f"Speakers here: {', '.join(spoken)}.")
        first = mine[0].line
        events = [e for e in episode.events if e.line == first and e in mine or
                  e.line == first and e.kind == "pause" and e.speaker in (mine[0].speaker, None)]
    cache = LineCache(cache_dir)
    with Voices(project.cast.voices_dir) as voices:
        audio, said = perform(events, project, LineSpeaker(cache, voices), character, delivery)
    write_clip(out, audio)
    return PreviewResult(Path(out), audio.size / SAMPLE_RATE, said, [cache.unwritable] if cache.unwritable else [])


def write_clip(out: Path, audio: np.ndarray, gain: float | None = None) -> None:
    """A preview clip (WAV, or MP3 through pedalboard), peak-normalised unless ``gain`` is given
    (an audition scales all its clips alike, so a whisper stays quieter than a shout)."""
    if gain is None:
        peak = float(np.abs(audio).max()) if audio.size else 0.0
        gain = 10 ** (-1 / 20) / peak if peak > 0 else 1.0
    samples = np.clip(audio * np.float32(gain), -1.0, 1.0).astype(np.float32)
    samples = np.concatenate([np.zeros(int(0.15 * SAMPLE_RATE), dtype=np.float32), samples,
                              np.zeros(int(0.25 * SAMPLE_RATE), dtype=np.float32)])
    with atomic_path(Path(out)) as tmp:
        if Path(out).suffix.lower() == ".mp3":
            from .export.mp3 import write_mp3

            write_mp3(tmp, samples)
        else:
            import soundfile

            soundfile.write(str(tmp), samples, SAMPLE_RATE, subtype="PCM_16", format="WAV")
