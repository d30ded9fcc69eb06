"""Where a clip is heard from, and what it passes through on the way: pan, distance, the medium
(a phone, an intercom, a speaker, a radio), the room and its reverb, a move in or out.

Pure signal processing on one clip: ``staged`` turns a clip's mono audio into its contribution to
the mix, so a stem made of some clips carries the same placement as the whole mix. Panning is by
level only (a constant-power law: no delays, no polarity tricks), so the mono fold-down keeps every
word; a room's reverb is the only thing that differs between the channels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ..audio import SAMPLE_RATE

MEDIA = ("phone", "intercom", "speaker", "radio")


@dataclass(frozen=True)
class Medium:
    """A device a voice is heard through: its pass band, how hard it drives, its own small room."""

    low_hz: float
    high_hz: float
    drive: float  # tanh saturation before the band-pass (harmonics stay inside the band)
    room_size: float = 0.0
    room_wet: float = 0.0
    hiss_db: float | None = None  # in-band noise, dB under the line's RMS


#: The pass bands sit inside those of the devices (a telephone carries 300-3,400 Hz; its filter
#: is set inside that, so the steep skirts leave almost nothing outside it), a small PA horn, a laptop's
#: speaker, an AM-like two-way radio.
DEVICES = {
    "phone": Medium(350, 3000, 2.5),
    "intercom": Medium(400, 3000, 4.0, room_size=0.3, room_wet=0.12),
    "speaker": Medium(200, 5000, 1.5, room_size=0.25, room_wet=0.1),
    "radio": Medium(500, 2800, 5.0, hiss_db=-32.0),
}


@dataclass(frozen=True)
class Room:
    size: float
    wet: float


ROOMS = {"studio": Room(0.0, 0.0), "room": Room(0.35, 0.10), "hall": Room(0.85, 0.24)}


@dataclass(frozen=True)
class Place:
    """One clip's place in the scene. ``pan`` -1 (left) to 1 (right); ``distance`` 0 (at the
    microphone) to 1 (far away: quieter, darker, more room); ``space`` "echo" or "hall" over the
    room; ``move`` "enter" or "leave" over the clip; ``wide`` spreads a scene sound or bed."""

    pan: float = 0.0
    distance: float = 0.0
    medium: str | None = None
    space: str | None = None
    room: str = "studio"
    move: str | None = None
    wide: bool = False

    @property
    def treated(self) -> bool:
        """Anything besides a pan: in a mono mix a clip that is only panned is left as it was."""
        return replace(self, pan=0.0) != Place()


#: Where a move starts (enter) or ends (leave): this far, to this side.
MOVE_DISTANCE = 0.8
MOVE_PAN = 0.9
#: Share of the line a move takes.
MOVE_SPAN = 0.7


def staged(audio: np.ndarray, place: Place, channels: int) -> np.ndarray:
    """``audio`` (mono) as heard from ``place``: ``(2, n)`` for a stereo mix, ``(n,)`` for mono;
    ``n`` may pass the clip's length by its reverb tail."""
    audio = np.asarray(audio, dtype=np.float32)
    if place.move:
        return _moving(audio, place, channels)
    if place.wide:
        return _wide(audio, channels)
    dry, wet = _voice(audio, place)
    return _out(dry, wet, place.pan, channels)


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant power: the left and right gains of a source at ``pan`` (squares sum to 1)."""
    angle = (float(np.clip(pan, -1.0, 1.0)) + 1.0) * np.pi / 4
    return float(np.cos(angle)), float(np.sin(angle))


def _voice(audio: np.ndarray, place: Place) -> tuple[np.ndarray, np.ndarray | None]:
    """The dry signal (through its medium, at its distance) and the room's wet stereo, or None."""
    dry = audio
    medium = DEVICES.get(place.medium or "")
    if medium is not None:
        dry = _through(dry, medium)
    d = float(np.clip(place.distance, 0.0, 1.0))
    if d > 0:
        cutoff = 16000.0 * (3000.0 / 16000.0) ** d  # darker with distance: air and the room take the highs
        dry = _lowpass(dry, cutoff) * np.float32(10 ** (-8.0 * d / 20))
    size, wet_level = _room_of(place)
    wet = _reverb(dry, size, wet_level) if wet_level > 0 else None
    if place.space == "echo":
        echo = _echo(dry)
        wet = echo if wet is None else _add(wet, echo)
        reverb = _reverb(dry, 0.8, 0.1)
        wet = _add(wet, reverb)
    return dry.astype(np.float32, copy=False), wet


def _through(audio: np.ndarray, medium: Medium) -> np.ndarray:
    """A voice through a device: saturated, band-passed steeply, at about its own loudness."""
    from scipy.signal import sosfilt

    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if audio.size else 0.0
    if rms == 0.0:
        return audio
    x = audio.astype(np.float64)
    x = np.tanh(medium.drive * x) / medium.drive
    if medium.hiss_db is not None:
        noise = np.random.default_rng(24).standard_normal(x.size)
        x = x + noise * rms * 10 ** (medium.hiss_db / 20)
    x = sosfilt(_band(medium.low_hz, medium.high_hz), x)
    after = float(np.sqrt(np.mean(x ** 2)))
    return (x * (0.8 * rms / after if after > 0 else 1.0)).astype(np.float32)


@lru_cache(maxsize=16)
def _band(low: float, high: float) -> np.ndarray:
    from scipy.signal import butter

    return butter(8, [low, high], btype="bandpass", fs=SAMPLE_RATE, output="sos")


def _lowpass(audio: np.ndarray, cutoff: float) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    sos = butter(2, cutoff, btype="lowpass", fs=SAMPLE_RATE, output="sos")
    return sosfilt(sos, audio.astype(np.float64)).astype(np.float32)


def _room_of(place: Place) -> tuple[float, float]:
    """The reverb a voice at ``place`` gets: its room, the device's own, distance's, a hall's."""
    medium = DEVICES.get(place.medium or "")
    d = float(np.clip(place.distance, 0.0, 1.0))
    room = ROOMS.get(place.room, ROOMS["studio"])
    size, wet_level = room.size, room.wet
    if medium is not None and medium.room_size:
        size, wet_level = max(size, medium.room_size), max(wet_level, medium.room_wet)
    if medium is None and d > 0:
        size, wet_level = max(size, 0.5 + 0.3 * d), wet_level + 0.16 * d
    if place.space == "hall":
        size, wet_level = max(size, 0.9), max(wet_level, 0.2)
    return size, wet_level


def tail_frames(place: Place | None, channels: int) -> int:
    """How many frames ``staged`` adds past a clip's own audio (its room's tail), so a clip exported
    on its own is as long as what it adds to the mix."""
    if place is None or (channels == 1 and not place.treated):
        return 0
    if place.move:
        still = replace(place, move=None)
        away = replace(still, distance=max(MOVE_DISTANCE, place.distance))
        return max(tail_frames(still, channels), tail_frames(away, channels))
    if place.wide:
        return 0 if channels == 1 else int(_tail_seconds(0.45) * SAMPLE_RATE)
    size, wet_level = _room_of(place)
    tails = [int(_tail_seconds(size) * SAMPLE_RATE)] if wet_level > 0 else [0]
    if place.space == "echo":
        tails += [int(1.6 * SAMPLE_RATE), int(_tail_seconds(0.8) * SAMPLE_RATE)]
    return max(tails)


def _tail_seconds(size: float) -> float:
    return 0.5 + 2.5 * size


def _reverb(dry: np.ndarray, size: float, wet_level: float) -> np.ndarray:
    """The room's answer to ``dry``: stereo and decorrelated (Freeverb's left and right tunings),
    each channel at 1/sqrt(2) so the pair carries the level a mono reverb would."""
    import pedalboard

    pad = np.zeros(int(_tail_seconds(size) * SAMPLE_RATE), dtype=np.float32)
    x = np.concatenate([dry, pad])
    verb = pedalboard.Reverb(room_size=size, damping=0.5, wet_level=min(1.0, wet_level), dry_level=0.0, width=1.0)
    wet = verb(np.stack([x, x]), SAMPLE_RATE)
    return (wet / np.float32(np.sqrt(2.0))).astype(np.float32)


def _echo(dry: np.ndarray) -> np.ndarray:
    """Slap-back repeats a quarter second apart, fading, the same in both channels (no phase games)."""
    import pedalboard

    x = np.concatenate([dry, np.zeros(int(1.6 * SAMPLE_RATE), dtype=np.float32)])
    delay = pedalboard.Delay(delay_seconds=0.3, feedback=0.3, mix=1.0)
    repeats = delay(x[None, :], SAMPLE_RATE)[0] * np.float32(0.3)
    return np.stack([repeats, repeats]).astype(np.float32) / np.float32(np.sqrt(2.0))


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = max(a.shape[-1], b.shape[-1])
    out = np.zeros((2, n), dtype=np.float32)
    out[:, :a.shape[-1]] += a
    out[:, :b.shape[-1]] += b
    return out


def _out(dry: np.ndarray, wet: np.ndarray | None, pan: float, channels: int) -> np.ndarray:
    """The dry signal panned (stereo) or as it is (mono), with the room's reverb on top."""
    n = max(dry.size, wet.shape[-1] if wet is not None else 0)
    if channels == 1:
        out = np.zeros(n, dtype=np.float32)
        out[:dry.size] += dry
        if wet is not None:
            out[:wet.shape[-1]] += (wet[0] + wet[1]) / np.float32(np.sqrt(2.0))
        return out
    left, right = pan_gains(pan)
    out = np.zeros((2, n), dtype=np.float32)
    out[0, :dry.size] += dry * np.float32(left)
    out[1, :dry.size] += dry * np.float32(right)
    if wet is not None:  # the room answers from the source's side as much as the source is to it
        side = np.array([[left], [right]], dtype=np.float32) * np.float32(np.sqrt(2.0))
        out[:, :wet.shape[-1]] += wet * side
    return out


def _wide(audio: np.ndarray, channels: int) -> np.ndarray:
    """A scene sound or bed across the whole field: the sound in the middle and a small room's
    decorrelated reflections either side. Mono: the sound as it was."""
    if channels == 1:
        return audio
    return _out(audio, _reverb(audio, 0.45, 0.35), 0.0, channels)


def _moving(audio: np.ndarray, place: Place, channels: int) -> np.ndarray:
    """Entering: heard from far off to the side at first, arriving at the place by 70% of the line;
    leaving: the reverse. Two placements of the same words, crossfaded: the gains move, the
    waveform is never delayed against itself."""
    still = replace(place, move=None)
    side = MOVE_PAN * (1.0 if place.pan >= 0 else -1.0)
    away = replace(still, pan=side, distance=max(MOVE_DISTANCE, place.distance))
    near, far = staged(audio, still, channels), staged(audio, away, channels)
    n = max(near.shape[-1], far.shape[-1])
    span = max(1, int(MOVE_SPAN * audio.size))
    ramp = np.linspace(1.0, 0.0, span, dtype=np.float32)
    if place.move == "enter":
        weight = np.concatenate([ramp, np.zeros(max(0, n - span), dtype=np.float32)])[:n]
    else:
        start = max(0, audio.size - span)
        weight = np.concatenate([np.zeros(start, dtype=np.float32), ramp[::-1],
                                 np.ones(max(0, n - start - span), dtype=np.float32)])[:n]
    out = np.zeros(near.shape[:-1] + (n,), dtype=np.float32)
    out[..., :near.shape[-1]] += near * (1 - weight[:near.shape[-1]])
    out[..., :far.shape[-1]] += far * weight[:far.shape[-1]]
    return out
