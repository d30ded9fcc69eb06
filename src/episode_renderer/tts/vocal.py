"""Laughs, sighs and gasps in the character's own voice.

No vocalization pack of clear licence ships in a registry package, and a recorded laugh would be
somebody else's voice. So each sound is made by the character's voice itself: the voiced part is
phonemes the voice speaks ("hɑ hɑ hɑ" is a burst of laughter at about 5 Hz, "hmm" a hum), the
breathy part is the same phonemes whispered (tts/whisper.py: the character's own spectral envelope
over breath noise), and an inhale (a gasp, a breath, a sniff) is a whispered syllable played
backwards, which gives its rising rush and sudden stop. Each kind has a few takes; which one a
moment gets, and its length and pace, follow from a seed (the words around it), so two laughs in an
episode differ while a re-render is the same, sample for sample.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

import numpy as np

from .whisper import whispered

#: Bump when a design below changes, so cached vocal sounds are made again.
DESIGN_VERSION = 2

@dataclass(frozen=True)
class Vocal:
    """A vocal sound to make: its kind, how much of it (*sighs heavily*: 1.5), and what varies it."""

    kind: str
    degree: float = 1.0
    seed: str = ""


@dataclass(frozen=True)
class Part:
    """One breath of a vocal sound: phonemes the voice speaks, voiced and/or whispered."""

    phonemes: str
    speed: float = 1.0
    voiced: float = 1.0  # level of the spoken take
    breath: float = 0.0  # level of its whispered take
    inhale: bool = False  # played backwards: air drawn in
    fade: float = 0.0  # share of its length that fades out (a sigh trails away)
    pulse: float = 0.0  # how much its bursts stand out from the breath between them (a laugh's ha-ha-ha)
    after: float = 0.0  # seconds of silence after it
    seconds: float = 0.0  # about how long it lasts (Kokoro's reading); an engine that reads it much shorter
    #                       is asked again, slower, so a laugh is a laugh in every voice


def design(vocal: Vocal) -> tuple[Part, ...]:
    """The parts of one vocal sound: pure, the same for the same ``vocal``."""
    rng = random.Random(zlib.crc32(f"{vocal.kind}|{vocal.seed}".encode("utf-8")))
    more = max(0.25, min(2.0, vocal.degree))
    make = _DESIGNS.get(vocal.kind)
    if make is None:
        raise ValueError(f"no vocal sound called {vocal.kind!r}")
    return make(rng, more)


def _count(rng: random.Random, low: int, high: int, more: float) -> int:
    return max(1, int(round(rng.randint(low, high) * (0.6 + 0.4 * more))))


def _laugh(rng: random.Random, more: float) -> tuple[Part, ...]:
    vowel = rng.choice(["ɑ", "æ", "ʌ", "ɑ"])
    count = _count(rng, 3, 5, more)
    syllables = " ".join([f"hˈ{vowel}"] + [f"h{vowel}"] * (count - 1))
    return (Part(syllables, speed=rng.uniform(1.05, 1.3), voiced=1.0, breath=rng.uniform(0.35, 0.6),
                 fade=0.3, pulse=1.5, seconds=0.2 * count),)


def _chuckle(rng: random.Random, more: float) -> tuple[Part, ...]:
    syllables = rng.choice(["hə", "hʌ", "hm"])
    count = _count(rng, 2, 4, more)
    return (Part("".join([syllables] * count), speed=rng.uniform(1.1, 1.35), voiced=0.55,
                 breath=rng.uniform(0.5, 0.7), fade=0.3, pulse=1.2, seconds=0.15 * count),)


def _giggle(rng: random.Random, more: float) -> tuple[Part, ...]:
    count = _count(rng, 4, 6, more)
    vowel = rng.choice(["i", "ɪ"])
    return (Part(" ".join([f"hˈ{vowel}"] + [f"h{vowel}"] * (count - 1)), speed=rng.uniform(1.3, 1.6),
                 voiced=0.8, breath=0.5, fade=0.3, pulse=1.2, seconds=0.15 * count),)


def _sigh(rng: random.Random, more: float) -> tuple[Part, ...]:
    vowel = rng.choice(["ɑː", "aː", "ʌː"])
    return (Part(f"hˈ{vowel}", speed=rng.uniform(0.55, 0.7) / (0.7 + 0.3 * more), voiced=rng.uniform(0.12, 0.25),
                 breath=1.0, fade=0.75, seconds=0.7),)


def _gasp(rng: random.Random, more: float) -> tuple[Part, ...]:
    vowel = rng.choice(["æ", "ɑ", "ɛ"])
    return (Part(f"hˈ{vowel}ː", speed=rng.uniform(0.75, 0.95) / (0.8 + 0.2 * more), voiced=0.0, breath=1.0,
                 inhale=True, seconds=0.55),)


def _groan(rng: random.Random, more: float) -> tuple[Part, ...]:
    sound = rng.choice(["ˈʌːːɡ", "ˈɜːːː", "ˈɐːːːh", "ˈʌːːːh"])
    return (Part(sound, speed=rng.uniform(0.6, 0.75) / (0.8 + 0.2 * more), voiced=1.0, breath=0.3, fade=0.4,
                 seconds=0.9),)


def _hum(rng: random.Random, more: float) -> tuple[Part, ...]:
    sound = rng.choice(["hˈmːː", "mˈmːm", "ˈmːːm"])
    return (Part(sound, speed=rng.uniform(0.65, 0.85) / (0.8 + 0.2 * more), voiced=1.0, fade=0.3, seconds=0.8),)


def _throat(rng: random.Random, more: float) -> tuple[Part, ...]:
    return (Part(rng.choice(["ʔəhˈɛm", "əhˈəm", "ˈʌhˌɛm"]), speed=rng.uniform(0.95, 1.15), voiced=0.9,
                 breath=0.6, seconds=0.6),)


def _scoff(rng: random.Random, more: float) -> tuple[Part, ...]:
    return (Part(rng.choice(["pfː", "hmf", "pf"]), speed=rng.uniform(0.8, 1.0), voiced=rng.uniform(0.0, 0.4),
                 breath=1.0, fade=0.3, seconds=0.35),)


def _sniff(rng: random.Random, more: float) -> tuple[Part, ...]:
    count = _count(rng, 1, 2, more)
    sniff = Part(rng.choice(["hn", "sn"]), speed=rng.uniform(1.2, 1.5), voiced=0.0, breath=1.0, inhale=True,
                 after=0.08, seconds=0.25)
    return (sniff,) * count


def _yawn(rng: random.Random, more: float) -> tuple[Part, ...]:
    return (Part("hˈæ", speed=0.9, voiced=0.0, breath=0.8, inhale=True, after=0.05, seconds=0.45),
            Part(rng.choice(["ˈɑːːʌːːm", "hˈɑːːɔːm"]), speed=rng.uniform(0.5, 0.6) / (0.8 + 0.2 * more),
                 voiced=0.8, breath=0.5, fade=0.5, seconds=1.3))


def _breath(rng: random.Random, more: float) -> tuple[Part, ...]:
    return (Part(rng.choice(["hˈɑ", "hˈæ", "hˈʌ"]), speed=rng.uniform(0.7, 0.85) / (0.8 + 0.2 * more), voiced=0.0,
                 breath=0.7, inhale=True, seconds=0.5),)


_DESIGNS = {"laugh": _laugh, "chuckle": _chuckle, "giggle": _giggle, "sigh": _sigh, "gasp": _gasp,
            "groan": _groan, "hum": _hum, "throat": _throat, "scoff": _scoff, "sniff": _sniff, "yawn": _yawn,
            "breath": _breath}


def perform(voice, vocal: Vocal, speed: float = 1.0) -> np.ndarray:
    """The vocal sound in ``voice`` (any engine that speaks ``[[phonemes]]``), at its sample rate."""
    rate = voice.sample_rate
    out: list[np.ndarray] = []
    for index, part in enumerate(design(vocal)):
        pace = speed * part.speed
        take = _trimmed(voice.speak(f"[[{part.phonemes}]]", speed=pace), rate)
        if part.seconds and 0 < take.size < 0.7 * part.seconds * rate:
            pace *= take.size / (part.seconds * rate)
            take = _trimmed(voice.speak(f"[[{part.phonemes}]]", speed=pace), rate)
        if take.size == 0:
            continue
        sound = np.zeros_like(take)
        if part.voiced:
            sound += np.float32(part.voiced) * take
        if part.breath:
            sound += np.float32(part.breath) * whispered(take, rate, seed=f"{vocal.seed}|{index}")
        if part.pulse:
            sound *= _bursts(take, rate, part.pulse)
        if part.inhale:
            sound = sound[::-1].copy()
        if part.fade:
            n = int(part.fade * sound.size)
            sound[sound.size - n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32) ** 2
        edge = min(sound.size // 2, int(0.01 * rate))
        if edge:
            sound[:edge] *= np.linspace(0.0, 1.0, edge, dtype=np.float32)
            sound[sound.size - edge:] *= np.linspace(1.0, 0.0, edge, dtype=np.float32)
        out.append(sound)
        if part.after:
            out.append(np.zeros(int(part.after * rate), dtype=np.float32))
    if not out:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(out).astype(np.float32, copy=False)


def _bursts(take: np.ndarray, rate: int, strength: float) -> np.ndarray:
    """A gain that deepens the dips between the take's syllables: its 25 ms level, relative to the
    loudest, raised to ``strength`` (0 leaves it, 1.5 makes ha-ha-ha of a smeared haha)."""
    width = max(1, int(0.025 * rate))
    level = np.sqrt(np.convolve(take.astype(np.float64) ** 2, np.ones(width) / width, mode="same"))
    relative = level / max(float(level.max()), 1e-9)
    return (relative ** strength).astype(np.float32)


def _trimmed(audio: np.ndarray, rate: int, floor_db: float = -40.0) -> np.ndarray:
    """The take without the silence the engine leaves around it (kept to 20 ms either side)."""
    if audio.size == 0:
        return audio
    level = np.abs(audio)
    above = np.nonzero(level > level.max() * 10 ** (floor_db / 20))[0]
    if above.size == 0:
        return audio[:0]
    pad = int(0.02 * rate)
    return audio[max(0, above[0] - pad):above[-1] + pad].astype(np.float32, copy=True)
