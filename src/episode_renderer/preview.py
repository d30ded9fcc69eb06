"""Hear one line in one voice, without parsing sounds, mixing or mastering the episode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import Project
from .errors import ScriptError
from .export.atomic import atomic_path
from .render import load_episode
from .tts.cache import LineCache
from .tts.lines import LineSpeaker
from .tts.shaping import SAMPLE_RATE


#: A preview is a line or a paragraph: about 13 minutes of speech at most, a few hundred MB.
MAX_TEXT_WORDS = 2000


@dataclass
class PreviewResult:
    path: Path
    duration: float
    speech: str


def preview_line(episode_path: Path, project: Project, character: str, *, line: int | None = None,
                 text: str | None = None, out: Path, cache_dir: Path | None) -> PreviewResult:
    """Speak one script line (or free text) as ``character`` and write it to ``out`` (WAV or MP3)."""
    delivery = block = scene = None
    if not character.strip():
        raise ScriptError("--character is empty.", file=episode_path,
                          hint="Name who speaks, as the script or the cast names them, e.g. --character Kai.")
    if text is not None:
        words = len(text.split())
        if words > MAX_TEXT_WORDS:
            raise ScriptError(f"--text is {words} words; a preview speaks at most {MAX_TEXT_WORDS}.",
                              hint="Preview a paragraph at a time, or put the text in the script and render it.")
        speech = project.speech(text)
        if not speech:
            raise ScriptError("--text has nothing to speak.", hint="Give a sentence with words in it.")
    else:
        episode = load_episode(episode_path, project)
        wanted = character.lower()
        candidates = [e for e in episode.events if e.kind in ("line", "heading") and e.speech
                      and wanted in [n.strip().lower() for n in (e.speaker or "").split("&")]]
        if line is not None:
            candidates = [e for e in candidates if e.line == line]
        if not candidates:
            spoken = sorted({e.speaker for e in episode.events if e.kind == "line" and e.speaker})
            if line is not None:
                raise ScriptError(f"{character} has no spoken line at line {line}.", file=episode_path, line=line,
                                  hint="Run `episode script` to see which lines each character speaks.")
            raise ScriptError(f"{character} never speaks in this episode.", file=episode_path,
                              hint=f"Speakers here: {', '.join(spoken)}.")
        event = candidates[0]
        speech, delivery, block, scene = event.speech or "", event.delivery, event.block, event.scene
    profile = project.cast.profile(character, delivery, block, scene)
    audio = LineSpeaker(LineCache(cache_dir), project.cast.voices_dir).speak(profile, speech)
    _write(out, audio)
    return PreviewResult(Path(out), audio.size / SAMPLE_RATE, speech)


def _write(out: Path, audio: np.ndarray) -> None:
    """Peak-normalised preview; pydub handles the small WAV job, pedalboard writes MP3."""
    import warnings

    with warnings.catch_warnings():  # pydub warns about ffmpeg, which WAV export does not need
        warnings.simplefilter("ignore")
        from pydub import AudioSegment
        from pydub.effects import normalize

    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    segment = normalize(AudioSegment(pcm, frame_rate=SAMPLE_RATE, sample_width=2, channels=1), headroom=1.0)
    segment = AudioSegment.silent(150, SAMPLE_RATE) + segment + AudioSegment.silent(250, SAMPLE_RATE)
    with atomic_path(Path(out)) as tmp:
        if Path(out).suffix.lower() == ".mp3":
            from .export.mp3 import write_mp3

            samples = np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float32) / 32768
            write_mp3(tmp, samples)
        else:
            segment.export(tmp, format="wav")
