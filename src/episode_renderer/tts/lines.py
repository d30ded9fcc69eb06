"""Speak one line in a character's voice: engine -> resample -> shaping, through the cache."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, replace

import numpy as np

from ..errors import VoiceError
from .cache import LineCache, line_key
from .cast import Acting, Profile
from .intonation import intoned, needs_contour
from ..audio import SAMPLE_RATE
from .shaping import apply_effects, pitch_ratio, resample, shift_pitch
from .vocal import DESIGN_VERSION, Vocal, perform
from .voices import Voices
from .whisper import whispered

#: What a line says: words, or a vocal sound (a laugh, a sigh) in the speaker's voice.
Said = str | Vocal

#: Bump when a change to synthesis or shaping changes the sound of cached lines.
CACHE_VERSION = 5
#: Bump when the intonation of questions and exclamations changes (only their lines are made again).
INTONATION_VERSION = 4
#: A take of words whose peak stays under this (-80 dBFS) is silence: the voice said nothing.
SILENT_PEAK = 1e-4


class InvalidTake(VoiceError):
    """A voice gave audio that cannot be a take (NaN or infinite samples, or silence for words): a
    damaged voice pack or model. ``request`` is the index of the line in ``speak_many``'s requests."""

    def __init__(self, request: int, voice: str, problem: str, text: str) -> None:
        self.request, self.voice, self.problem = request, voice, problem
        super().__init__(f"the voice {voice} gave {problem} for \"{_shortened(text)}\".",
                         hint="Its voice pack or model is damaged: restore it, or choose another voice in the cast.")


def voice_name(profile: Profile) -> str:
    """The voice of a profile as the cast names it: "kokoro am_michael", "piper joe"."""
    described = profile.describe()
    return f"{described['engine']} {described['speaker'] if described['speaker'] is not None else described['model']}"


def take_problem(audio: np.ndarray, words: bool) -> str | None:
    """Why ``audio`` cannot be a take, or None: a NaN or infinite sample, or silence where there are words."""
    if audio.size and not np.isfinite(audio).all():
        return "invalid audio (NaN or infinite samples)"
    if words and (audio.size == 0 or float(np.max(np.abs(audio))) < SILENT_PEAK):
        return "silence"
    return None


def _shortened(text: "Said", limit: int = 60) -> str:
    said = text if isinstance(text, str) else f"[{text.kind}]"
    return said if len(said) <= limit else said[:limit - 1] + "…"


def _contoured(profile: Profile, text: "Said") -> bool:
    """Questions, exclamations and a delivery's range are bent after synthesis; a whisper has no
    pitch to bend, and a vocal sound keeps its own."""
    return isinstance(text, str) and not profile.acting.whisper and needs_contour(_marked(profile, text),
                                                                                  profile.spread)


def _marked(profile: Profile, text: str) -> str:
    """The text whose ? and ! are heard after synthesis: Kokoro reads them flat (tts/intonation.py);
    Piper and Coqui voices read them their own way, and the draft cast stays fast."""
    return text if profile.engine.engine == "kokoro" else ""


class LineSpeaker:
    """Renders lines for a cast; each distinct (profile, text) is synthesized once.

    ``voices`` loads the cast's voices and is closed by whoever opened it (a render, before
    mastering); without one the speaker has its own, freed with it.
    """

    def __init__(self, cache: LineCache, voices: Voices | None = None,
                 before_synthesis: Callable[[], None] | None = None) -> None:
        self.cache = cache
        self.voices = voices if voices is not None else Voices()
        self.before_synthesis = before_synthesis  # told whenever a line is about to be synthesized

    def key(self, profile: Profile, text: Said) -> str:
        identity = self.voices.identity(profile.engine)
        shape = asdict(profile)
        if profile.spread == 1.0:
            del shape["spread"]
        if profile.acting == Acting():
            del shape["acting"]  # a plain line keeps the key it had before deliveries could act
        elif profile.acting.prosody and profile.engine.engine == "kokoro":
            shape["acting"]["donor"] = self.voices.identity(replace(profile.engine, voice=profile.acting.prosody))
        said = {"text": text} if isinstance(text, str) else {"vocal": asdict(text), "design": DESIGN_VERSION}
        if _contoured(profile, text):
            said["intonation"] = INTONATION_VERSION
        return line_key({"v": CACHE_VERSION, "voice": identity, "profile": shape, **said})

    def speak(self, profile: Profile, text: Said) -> np.ndarray:
        """44.1 kHz mono float32 audio of ``text`` (words, or a vocal sound) as ``profile`` says it."""
        return self.speak_many([(profile, text)])[0]

    def speak_many(self, requests: list[tuple[Profile, Said]]) -> list[np.ndarray]:
        """Several lines at once: those that share a formant-preserving pitch shift go through
        Rubber Band in one pass, 0.25 s of silence apart (each pass costs ~25 ms of set-up, a third
        of what shifting a short line costs), and are cut apart again."""
        out: list[np.ndarray | None] = [None] * len(requests)
        raw: dict[int, tuple[np.ndarray, int]] = {}
        pitched: set[int] = set()  # lines whose pitch shift was made with their contour, in one pass
        keys = []
        for i, (profile, text) in enumerate(requests):
            key = self.key(profile, text) if self.cache.folder is not None else ""  # no cache: no model hash
            keys.append(key)
            cached = self.cache.get(key)
            if cached is not None and cached[1] == SAMPLE_RATE and take_problem(cached[0], False) is None:
                out[i] = cached[0]
                continue
            voice = self.voices.acting(profile.engine, profile.acting)
            if self.before_synthesis is not None:
                self.before_synthesis()
            raw[i] = self._take(voice, profile, text), voice.sample_rate
            self._check(i, profile, text, raw[i][0])
            if _contoured(profile, text) and profile.preserve_formants:
                pitched.add(i)
        shifts: dict[tuple[float, int], list[int]] = {}
        for i in raw:
            profile = requests[i][0]
            if profile.preserve_formants and abs(profile.pitch) >= 1e-3 and i not in pitched:
                shifts.setdefault((profile.pitch, raw[i][1]), []).append(i)
        shifted = {}
        for (semitones, rate), members in shifts.items():
            shifted.update(zip(members, shift_together([raw[i][0] for i in members], rate, semitones)))
        for i, (audio, rate) in raw.items():
            profile = requests[i][0]
            if profile.preserve_formants:
                spoken = resample(shifted.get(i, audio), rate)
            else:
                spoken = resample(audio, rate * pitch_ratio(profile.pitch))
            shaped = apply_effects(spoken, SAMPLE_RATE, gain_db=profile.gain_db, effects=profile.effects)
            self._check(i, profile, requests[i][1], shaped, words=False)
            out[i] = np.clip(shaped, -1.0, 1.0).astype(np.float32)
            self.cache.put(keys[i], out[i], SAMPLE_RATE)
        return out  # type: ignore[return-value]

    @staticmethod
    def _check(request: int, profile: Profile, text: Said, audio: np.ndarray, words: bool = True) -> None:
        """A take of NaN, infinities or (for words) silence is an error, never a silent line in the episode."""
        problem = take_problem(audio, words and isinstance(text, str) and any(c.isalnum() for c in text))
        if problem is not None:
            raise InvalidTake(request, voice_name(profile), problem, text)

    @staticmethod
    def _take(voice, profile: Profile, text: Said) -> np.ndarray:
        """The engine's take of one line as acted, at the engine's rate: spoken (or a vocal sound),
        its contour bent (with the profile's pitch shift in the same pass), whispered."""
        if isinstance(text, Vocal):
            audio = perform(voice, text, engine_speed(profile))
        else:
            audio = _speak_in_pieces(voice, text, engine_speed(profile))
        if _contoured(profile, text):
            assert isinstance(text, str)
            audio = intoned(audio, voice.sample_rate, _marked(profile, text), profile.spread,
                            pitch=profile.pitch if profile.preserve_formants else 0.0)
        if profile.acting.whisper:
            audio = whispered(audio, voice.sample_rate, seed=str(text))
        return audio


#: Characters an engine is given at once. Piper's memory grows with its longest sentence (a 2,000-word
#: line without a full stop took 24 GB), so a long line is cut here, at the gentlest boundary there is.
PIECE_CHARS = 400
_BOUNDARIES = (re.compile(r"(?<=[.!?…])\s+"), re.compile(r"(?<=[,;:])\s+"), re.compile(r"\s+(?![^\[]*\]\])"))
#: Silence put back where a cut removed the pause the engine would have made (sentence, clause, word).
_JOIN_SECONDS = (0.25, 0.1, 0.0)


def split_text(text: str, limit: int = PIECE_CHARS) -> list[tuple[str, float]]:
    """``text`` in pieces of at most ``limit`` characters, each with the pause that follows it.

    Cuts at sentence ends, then clause marks, then spaces (never inside a ``[[phonemes]]`` span), and
    only a single word longer than ``limit`` is cut mid-word.
    """
    if len(text) <= limit:
        return [(text, 0.0)]
    for level, boundary in enumerate(_BOUNDARIES):
        parts = [p for p in boundary.split(text) if p.strip()]
        if len(parts) > 1:
            pieces: list[tuple[str, float]] = []
            current = ""
            for part in parts:
                if current and len(current) + 1 + len(part) > limit:
                    *head, (last, _) = split_text(current, limit)
                    pieces += [*head, (last, _JOIN_SECONDS[level])]
                    current = part
                else:
                    current = f"{current} {part}" if current else part
            pieces += split_text(current, limit)
            return pieces
    return [(text[i:i + limit], 0.0) for i in range(0, len(text), limit)]


def _speak_in_pieces(voice, text: str, speed: float) -> np.ndarray:
    """Speak ``text`` piece by piece (see :func:`split_text`), so memory does not grow with a line."""
    pieces = split_text(text)
    if len(pieces) == 1:
        return voice.speak(text, speed=speed)
    out = []
    for piece, pause in pieces:
        out.append(voice.speak(piece, speed=speed))
        if pause:
            out.append(np.zeros(int(pause * voice.sample_rate), dtype=np.float32))
    return np.concatenate(out).astype(np.float32, copy=False)


def engine_speed(profile: Profile) -> float:
    """The pace the engine is asked for.

    Formants moving with pitch (a bigger or smaller voice): speak slower by the pitch ratio and play
    it back faster, free inside the resampling done anyway, without vocoder artefacts.
    """
    return profile.speed if profile.preserve_formants else profile.speed / pitch_ratio(profile.pitch)


def shift_together(takes: list[np.ndarray], rate: int, semitones: float) -> list[np.ndarray]:
    """One Rubber Band pass over several takes; the silence between them outlasts its window, so
    each comes back as it would alone (the same envelope to 5 ms; only the harmonics' phase differs)."""
    if len(takes) == 1:
        return [shift_pitch(takes[0], rate, semitones)]
    gap = np.zeros(int(0.25 * rate), dtype=np.float32)
    starts = np.cumsum([0] + [t.size + gap.size for t in takes[:-1]])
    joined = shift_pitch(np.concatenate([part for t in takes for part in (t, gap)]), rate, semitones)
    return [joined[a:a + t.size] for a, t in zip(starts, takes)]
