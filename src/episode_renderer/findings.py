"""What a render would otherwise do silently, found before synthesis from the script and the project.

The same findings are printed by ``episode render`` (fatal with ``--strict``), listed by
``episode check``, and kept in ``episode script --json``'s warnings.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .errors import ScriptError
from .settings import SPEED_LIMITS

if TYPE_CHECKING:
    from .config import Project
    from .script.model import Episode

#: Longer than this is not an episode but a mistake (a pasted book): refused before synthesis.
MAX_EPISODE_SECONDS = 4 * 3600
#: A line this far below the cast's level is lost under the others after mastering.
INAUDIBLE_DB = -30.0
_WORDS_PER_SECOND = 2.7


def estimate_seconds(episode: Episode, project: Project) -> float:
    """Rough length before rendering: words at each voice's pace, plus gaps, pauses and sounds."""
    timing = project.show.timing
    seconds = timing.lead_in + timing.tail
    for event in episode.events:
        if event.spoken and event.speech:
            first = (event.speakers or (None,))[0]
            speed = project.cast.profile(first, event.delivery, event.block, degree=event.degree).speed
            seconds += len(event.speech.split()) / (_WORDS_PER_SECOND * speed) + timing.new_turn
        elif event.kind == "vocal":
            seconds += 1.0 + timing.vocal
        elif event.kind == "pause":
            seconds += event.seconds or 0.8
        elif event.sound and project.sounds.has(event.sound) and project.cues.setting(event.sound).placement != "bed":
            seconds += 0.8
    return seconds


def check_length(episode: Episode, project: Project) -> float:
    """The estimated length; a ScriptError when it is past MAX_EPISODE_SECONDS."""
    seconds = estimate_seconds(episode, project)
    if seconds > MAX_EPISODE_SECONDS:
        raise ScriptError(f"would be about {seconds / 3600:.1f} hours long; an episode is at most "
                          f"{MAX_EPISODE_SECONDS // 3600} hours.", file=episode.source,
                          hint="Split it into several episodes.")
    return seconds


def project_warnings(episode: Episode, project: Project) -> list[str]:
    """Everything the render would quietly work around, each naming the file and first line."""
    source = episode.source or "<episode>"
    return _voice_findings(episode, project, source) + _sound_findings(episode, project, source)


Who = tuple[str, "str | None", "str | None"]  # character, delivery, block


def _voice_findings(episode: Episode, project: Project, source: str) -> list[str]:
    """Characters without a voice, too quiet to hear, or pushed past their engine's pace; unknown deliveries."""
    unvoiced: dict[str, list[int]] = {}
    quiet: dict[Who, tuple[int, float]] = {}
    held: dict[Who, tuple[int, float, str]] = {}
    unknown_delivery: dict[str, int] = {}
    for event in episode.events:
        if not event.voiced:
            continue
        for name in event.speakers:
            if not project.cast.has_voice(name):
                unvoiced.setdefault(name, []).append(event.line)
            profile = project.cast.profile(name, event.delivery, event.block, event.scene, event.degree)
            who = (name, event.delivery, event.block if event.block in project.cast.blocks else None)
            if profile.gain_db < INAUDIBLE_DB:
                quiet.setdefault(who, (event.line, profile.gain_db))
            low, high = SPEED_LIMITS.get(profile.engine.engine, (0.0, math.inf))
            if not low <= profile.speed <= high:
                held.setdefault(who, (event.line, profile.speed, profile.engine.engine))
        if event.delivery and not project.cast.knows_delivery(event.delivery):
            unknown_delivery.setdefault(event.delivery, event.line)
    out = [f"{source}:{lines[0]}: {name} has no voice in the cast ({project.cast.source}); "
           f"{_count(lines, 'line', 'uses', 'use')} the fallback voice." for name, lines in unvoiced.items()]
    out += [f"{source}:{line}: {_who(*who)} is at {gain:+.0f} dB, too quiet to hear next to the others; check "
            "gain_db in the cast." for who, (line, gain) in quiet.items()]
    out += [f"{source}:{line}: {_who(*who)} would speak at {speed:.2f}x, past {engine}'s range "
            f"({SPEED_LIMITS[engine][0]:g} to {SPEED_LIMITS[engine][1]:g}); check speed in the cast and its deliveries."
            for who, (line, speed, engine) in held.items()]
    out += [f"{source}:{line}: the delivery '{name}' has no [delivery.{name}] in the cast; those lines are "
            "spoken plainly." for name, line in unknown_delivery.items()]
    return out


def _sound_findings(episode: Episode, project: Project, source: str) -> list[str]:
    """Sounds the episode, its blocks or the show play that have no file, or a file that cannot be played."""
    missing: dict[str, list[int]] = {}
    for event in episode.events:
        names = list(dict.fromkeys(([event.sound] if event.sound else []) + [p.sound for p in event.parts]))
        design = project.cues.blocks.get(event.block or "")
        if design:
            names += [n for n in (design.before, design.bed) if n]
        for sound in names:
            if not project.sounds.has(sound):
                missing.setdefault(sound, []).append(event.line)
    folders = ", ".join(str(f) for f in project.sounds.folders)
    def absent(sound: str) -> str:
        return project.sounds.unusable(sound) or f"has no file (looked in {folders})"

    out = [f"{source}:{lines[0]}: sound '{sound}' {absent(sound)}; "
           f"{_count(lines, 'cue', 'plays', 'play')} nothing." for sound, lines in missing.items()]
    for name in (project.show.intro, project.show.outro):
        if name and not project.sounds.has(name):
            out.append(f"{source}: the show's intro/outro sound '{name}' {absent(name)}; it is left out.")
    used = episode.sounds | {project.show.intro, project.show.outro}
    for sound in sorted(n for n in used if n):
        why = project.sounds.problem(sound)
        if why:
            out.append(f"{source}: sound '{sound}' ({project.sounds.path(sound)}) {why}")
    return out


def _who(name: str, delivery: str | None, block: str | None) -> str:
    return name + (f" ({delivery})" if delivery else "") + (f" in {block}" if block else "")


def _count(lines: list[int], thing: str, one: str, many: str) -> str:
    return f"its {len(lines)} {thing}s {many}" if len(lines) > 1 else f"its {thing} {one}"
