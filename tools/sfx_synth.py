"""The project's own sound effects and beds, synthesized from nothing but numpy and scipy.

A tool of the checkout, not of the renderer: it writes the WAV files of ``sfx/``, which the renderer
only reads. Run it from the checkout after changing a sound:

    python tools/sfx_synth.py [--out sfx] [--only beep --only whirr]

Every sound here is original work released under CC0 1.0 (see ``sfx/LICENSE.md``). Each one
is a pure function of the sample rate and a seeded generator, so ``build()`` rewrites
byte-identical files and the checked-in ``sfx/`` folder can be tested against this code.
"""

from __future__ import annotations

import os
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy import signal

from episode_renderer.errors import EpisodeError

ONESHOT_PEAK_DB = -3.0
BED_PEAK_DB = -12.0

SoundFn = Callable[[int, np.random.Generator], np.ndarray]


# --- building blocks -------------------------------------------------------------------------

def _n(sr: int, seconds: float) -> int:
    return int(round(sr * seconds))


def _t(sr: int, seconds: float) -> np.ndarray:
    return np.arange(_n(sr, seconds)) / sr


def _midi(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


def _fade(x: np.ndarray, sr: int, fade_in: float = 0.003, fade_out: float = 0.01) -> np.ndarray:
    """Raised-cosine edges so a sound never starts or stops on a click."""
    y = x.copy()
    for seconds, head in ((fade_in, True), (fade_out, False)):
        k = min(_n(sr, seconds), len(y))
        if k < 2:
            continue
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, k))
        if head:
            y[:k] *= ramp
        else:
            y[-k:] *= ramp[::-1]
    return y


def _peak(x: np.ndarray, peak_db: float) -> np.ndarray:
    top = float(np.max(np.abs(x)))
    if top == 0.0:
        return x.astype(np.float32)
    return (x * (10.0 ** (peak_db / 20) / top)).astype(np.float32)


def _oneshot(x: np.ndarray, sr: int, fade_in: float = 0.002, fade_out: float = 0.02) -> np.ndarray:
    return _peak(_fade(x, sr, fade_in, fade_out), ONESHOT_PEAK_DB)


def _crossfade_loop(x: np.ndarray, n: int) -> np.ndarray:
    """Fold everything past ``n`` onto the head with an equal-power crossfade.

    The last kept sample is followed, in the original render, by sample ``n``; the crossfade
    makes the new first sample equal that one, so playing the result in a loop is seamless.
    """
    tail = x[n:]
    k = len(tail)
    y = x[:n].copy()
    theta = np.linspace(0.0, np.pi / 2, k, endpoint=False)
    y[:k] = y[:k] * np.sin(theta) + tail * np.cos(theta)
    return y


def _wrap(x: np.ndarray, n: int) -> np.ndarray:
    """Treat time as circular: tails that ring past the loop end sound over its start."""
    y = np.zeros(n)
    for i in range(0, len(x), n):
        chunk = x[i:i + n]
        y[:len(chunk)] += chunk
    return y


def _bed(x: np.ndarray) -> np.ndarray:
    return _peak(x - np.mean(x), BED_PEAK_DB)


def _bandpass(x: np.ndarray, sr: int, lo: float, hi: float, order: int = 2) -> np.ndarray:
    sos = signal.butter(order, [lo, min(hi, 0.45 * sr)], btype="bandpass", fs=sr, output="sos")
    return signal.sosfilt(sos, x)


def _lowpass(x: np.ndarray, sr: int, cutoff: float, order: int = 2) -> np.ndarray:
    sos = signal.butter(order, min(cutoff, 0.45 * sr), btype="lowpass", fs=sr, output="sos")
    return signal.sosfilt(sos, x)


def _highpass(x: np.ndarray, sr: int, cutoff: float, order: int = 2) -> np.ndarray:
    sos = signal.butter(order, cutoff, btype="highpass", fs=sr, output="sos")
    return signal.sosfilt(sos, x)


def _pink(rng: np.random.Generator, n: int) -> np.ndarray:
    """1/f noise by spectral shaping: the warm hiss of a real room rather than white fizz."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=float)
    f[0] = 1.0
    spec /= np.sqrt(f)
    spec[0] = 0.0
    y = np.fft.irfft(spec, n)
    return y / np.std(y)


def _swept_noise(rng: np.random.Generator, sr: int, n: int, centre: Callable[[np.ndarray], np.ndarray],
                 width_oct: float) -> np.ndarray:
    """Noise through a band whose centre moves over time (shaped frame by frame in the STFT)."""
    nper = 1024
    _, times, z = signal.stft(rng.standard_normal(n), fs=sr, nperseg=nper)
    freqs = np.fft.rfftfreq(nper, 1 / sr)
    fc = centre(times)
    dist = np.log2(np.maximum(freqs[:, None], 1.0) / fc[None, :])
    z *= np.exp(-0.5 * (dist / width_oct) ** 2)
    _, y = signal.istft(z, fs=sr, nperseg=nper)
    y = y[:n]
    return y / (np.std(y) + 1e-12)


_TABLE = 16384


def _additive(freq: float, t: np.ndarray, sr: int, amp: Callable[[int], float],
              max_harmonics: int = 120) -> np.ndarray:
    """Band-limited periodic wave: only harmonics below Nyquist, so no aliasing whine.

    One cycle is summed into a table and read back by phase, which is far cheaper than a
    sine per harmonic per sample for the long pad and chiptune notes.
    """
    spec = np.zeros(_TABLE // 2 + 1, dtype=complex)
    for k in range(1, max_harmonics + 1):
        if k * freq >= 0.45 * sr:
            break
        spec[k] = -0.5j * _TABLE * amp(k)
    table = np.fft.irfft(spec, _TABLE)
    table = np.append(table, table[0])
    phase = np.mod(freq * t, 1.0) * _TABLE
    return np.interp(phase, np.arange(_TABLE + 1), table)


def _pulse(freq: float, t: np.ndarray, sr: int, duty: float = 0.5) -> np.ndarray:
    return _additive(freq, t, sr, lambda k: 2 / (k * np.pi) * np.sin(np.pi * k * duty), 120)


def _saw(freq: float, t: np.ndarray, sr: int) -> np.ndarray:
    return _additive(freq, t, sr, lambda k: (-1) ** (k + 1) * 2 / (k * np.pi), 120)


def _triangle(freq: float, t: np.ndarray, sr: int) -> np.ndarray:
    def amp(k: int) -> float:
        return (8 / np.pi ** 2) * (-1) ** ((k - 1) // 2) / k ** 2 if k % 2 else 0.0

    return _additive(freq, t, sr, amp, 40)


def _adsr(n: int, sr: int, a: float, d: float, s: float, r: float) -> np.ndarray:
    """Attack-decay-sustain over the note, release in its last ``r`` seconds."""
    env = np.full(n, s)
    na, nd, nr = min(_n(sr, a), n), _n(sr, d), min(_n(sr, r), n)
    env[:na] = np.linspace(0.0, 1.0, na, endpoint=False)
    end_d = min(na + nd, n)
    env[na:end_d] = np.linspace(1.0, s, nd)[:end_d - na]
    if nr:
        env[n - nr:] *= np.linspace(1.0, 0.0, nr)
    return env


def _place(buf: np.ndarray, x: np.ndarray, start: int) -> None:
    end = min(start + len(x), len(buf))
    if end > start:
        buf[start:end] += x[:end - start]


def _bell(sr: int, seconds: float, f0: float, partials: list[tuple[float, float, float]],
          attack: float) -> np.ndarray:
    """Sum of decaying sines at inharmonic ratios: (ratio, amplitude, decay time constant)."""
    t = _t(sr, seconds)
    y = np.zeros_like(t)
    for ratio, amp, tau in partials:
        f = f0 * ratio
        if f < 0.45 * sr:
            y += amp * np.exp(-t / tau) * np.sin(2 * np.pi * f * t)
    y *= 1 - np.exp(-t / attack)
    return y


def _synth_note(sr: int, f: float, seconds: float, bright: float = 1.6, detune_cents: float = 5.0,
                env: tuple[float, float, float, float] = (0.01, 0.3, 0.5, 0.3)) -> np.ndarray:
    """A soft analogue-style note: two slightly detuned voices with harmonics rolling off."""
    t = _t(sr, seconds)
    y = np.zeros_like(t)
    for cents in (-detune_cents, detune_cents):
        y += _additive(f * 2 ** (cents / 1200), t, sr, lambda k: 1 / k ** bright, 24)
    return y * _adsr(len(t), sr, *env)


# --- one-shots -------------------------------------------------------------------------------

def whirr(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A servo spinning up and down: the 'thinking' sound of a machine at work."""
    dur = 0.8
    t = _t(sr, dur)
    shape = np.sin(np.pi * t / dur) ** 1.5
    freq = 170 + 260 * shape + 6 * np.sin(2 * np.pi * 31 * t)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    tone = sum(np.sin(k * phase) / k ** 1.2 for k in range(1, 7))
    gear = 0.25 * np.sin(7 * phase) * (0.5 + 0.5 * np.sin(phase / 2))
    noise = _bandpass(rng.standard_normal(len(t)), sr, 700, 2400) * (0.6 + 0.4 * np.sin(phase))
    env = np.minimum(1.0, t / 0.06) * np.minimum(1.0, (dur - t) / 0.18) * (0.55 + 0.45 * shape)
    return _oneshot((tone + gear + 0.35 * noise) * env, sr)


def _click(sr: int, rng: np.random.Generator, modes: list[float], thunk: float,
           seconds: float = 0.06) -> np.ndarray:
    t = _t(sr, seconds)
    burst = _highpass(rng.standard_normal(len(t)), sr, 2000) * np.exp(-t / 0.0015)
    ring = sum(np.exp(-t / (0.012 - 0.002 * i)) * np.sin(2 * np.pi * f * t) / (i + 1)
               for i, f in enumerate(modes))
    body = 0.8 * np.exp(-t / 0.018) * np.sin(2 * np.pi * thunk * t)
    return burst + 0.6 * ring + body


def soft_click(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A quiet console click: someone pulling up a screen or logging a note."""
    x = np.zeros(_n(sr, 0.15))
    _place(x, 0.5 * _click(sr, rng, [3200.0, 5100.0], 180.0), _n(sr, 0.005))
    return _oneshot(x, sr)


def chk_chk(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Two latches snapping shut, each a double transient ('ch' then 'k')."""
    buf = np.zeros(_n(sr, 0.35))
    for at, pitch, gain in ((0.012, 1.0, 1.0), (0.170, 0.88, 0.9)):
        start = _n(sr, at)
        _place(buf, 0.55 * gain * _click(sr, rng, [3100 * pitch, 4900 * pitch, 7300 * pitch], 260), start)
        _place(buf, gain * _click(sr, rng, [2300 * pitch, 3900 * pitch, 6100 * pitch], 180 * pitch),
               start + _n(sr, 0.009))
    return _oneshot(buf, sr, fade_in=0.0005, fade_out=0.03)


SOFT_CHIME_HZ = 784.0  # G5


def soft_chime(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A gentle struck bell: soft attack, inharmonic partials that fade before the fundamental."""
    f0 = SOFT_CHIME_HZ
    partials = [(1.0, 1.0, 0.42), (1.0035, 0.35, 0.5), (2.32, 0.28, 0.22), (4.25, 0.12, 0.1),
                (6.63, 0.05, 0.06)]
    return _oneshot(_bell(sr, 1.5, f0, partials, attack=0.006), sr, fade_out=0.05)


DING_HZ = 1318.5  # E6


def ding(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A bright desk bell: hard strike, strong metallic upper partials."""
    partials = [(1.0, 1.0, 0.3), (1.0025, 0.3, 0.35), (2.0, 0.45, 0.18), (2.76, 0.5, 0.14),
                (4.07, 0.3, 0.08), (5.4, 0.22, 0.05), (8.93, 0.1, 0.02)]
    strike = _highpass(rng.standard_normal(_n(sr, 1.0)), sr, 4000) * np.exp(-_t(sr, 1.0) / 0.002)
    return _oneshot(_bell(sr, 1.0, DING_HZ, partials, attack=0.0008) + 0.15 * strike, sr,
                    fade_in=0.0003, fade_out=0.04)


BEEP_HZ = 1000.0


def beep(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A plain test-tone beep."""
    t = _t(sr, 0.25)
    return _oneshot(np.sin(2 * np.pi * BEEP_HZ * t), sr, fade_in=0.005, fade_out=0.012)


def mechanical_purr(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A content machine: a low hum pulsing ~25 times a second, breathing in and out."""
    dur = 1.5
    t = _t(sr, dur)
    f0 = 58.0
    hum = sum(np.sin(2 * np.pi * k * f0 * t + k) / k ** 0.9 for k in range(1, 9))
    rumble = _lowpass(rng.standard_normal(len(t)), sr, 400)
    rumble /= np.std(rumble)
    pulse = (0.5 + 0.5 * np.sin(2 * np.pi * 25 * t)) ** 2
    breath = 0.55 + 0.45 * np.sin(np.pi * t / 0.75 - np.pi / 2) ** 2
    x = _lowpass((hum + 0.4 * rumble) * pulse * breath, sr, 1500)
    return _oneshot(x, sr, fade_in=0.08, fade_out=0.2)


def alarm_buzz(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A harsh fault buzzer: four pulses of a square and a sour saw, clipped."""
    t = _t(sr, 0.17)
    tone = _pulse(220.0, t, sr) + 0.7 * _saw(233.1, t, sr)
    tone = np.tanh(2.0 * tone)
    note = _fade(tone, sr, 0.003, 0.008)
    buf = np.zeros(_n(sr, 1.0))
    for i in range(4):
        _place(buf, note, _n(sr, 0.01 + 0.245 * i))
    return _oneshot(buf, sr)


def _paper(rng: np.random.Generator, sr: int, n: int, lo: float, hi: float) -> np.ndarray:
    crackle = np.zeros(n)
    hits = rng.integers(0, n, size=max(1, n // 400))
    crackle[hits] = rng.uniform(-1, 1, size=len(hits))
    return _bandpass(rng.standard_normal(n) + 3 * crackle, sr, lo, hi)


def page_flip(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Paper swooshing over: a rustle that brightens as the page lifts, then settles."""
    dur = 0.4
    t = _t(sr, dur)
    n = len(t)
    swoosh = _swept_noise(rng, sr, n, lambda s: 1200 + 4200 * np.sin(np.pi * np.clip(s / 0.32, 0, 1)), 0.6)
    rustle = _paper(rng, sr, n, 1500, 9000)
    rustle /= np.std(rustle)
    env = np.exp(-0.5 * ((t - 0.17) / 0.075) ** 2)
    flap_at = 0.3
    flap = np.where(t >= flap_at, np.exp(-(t - flap_at) / 0.02), 0.0)
    flap_noise = _bandpass(rng.standard_normal(n), sr, 300, 2500) * flap
    return _oneshot(swoosh * env + 0.35 * rustle * env + 0.8 * flap_noise, sr, fade_in=0.01, fade_out=0.04)


def notebook_close(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A notebook shutting: a short rush of air, then a soft, damped slap."""
    dur = 0.3
    t = _t(sr, dur)
    n = len(t)
    hit = 0.06
    after = np.clip(t - hit, 0, None)
    on = (t >= hit).astype(float)
    air = _bandpass(rng.standard_normal(n), sr, 800, 4000) * np.exp(-0.5 * ((t - hit + 0.02) / 0.015) ** 2)
    f = 60 + 50 * np.exp(-after / 0.03)
    thump = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-after / 0.05) * on
    slap = _lowpass(rng.standard_normal(n), sr, 1800) * np.exp(-after / 0.012) * on
    flutter = _bandpass(rng.standard_normal(n), sr, 1500, 6000) * np.exp(-after / 0.03) * on
    slap /= np.std(slap[on > 0])
    flutter /= np.std(flutter[on > 0])
    x = 1.0 * thump + 0.6 * slap + 0.12 * flutter + 0.25 * air
    return _oneshot(x, sr, fade_in=0.005, fade_out=0.05)


def _key(sr: int, rng: np.random.Generator, space: bool) -> np.ndarray:
    t = _t(sr, 0.08)
    click = _highpass(rng.standard_normal(len(t)), sr, 2500) * np.exp(-t / 0.002)
    mode = rng.uniform(1400, 2600) * (0.7 if space else 1.0)
    body = np.exp(-t / 0.012) * np.sin(2 * np.pi * mode * t)
    bottom = np.exp(-t / 0.02) * np.sin(2 * np.pi * (170 if space else 320) * t)
    return click + 0.5 * body + (0.9 if space else 0.45) * bottom


def typing(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Someone typing a short line: irregular keystrokes, each with a softer key release."""
    buf = np.zeros(_n(sr, 1.5))
    at = 0.02
    count = 0
    while at < 1.38:
        count += 1
        space = count % 6 == 0
        gain = rng.uniform(0.55, 1.0)
        _place(buf, gain * _key(sr, rng, space), _n(sr, at))
        release = at + rng.uniform(0.045, 0.085)
        _place(buf, 0.25 * gain * _key(sr, rng, False), _n(sr, release))
        at += rng.uniform(0.07, 0.2) + (0.12 if rng.random() < 0.12 else 0.0)
    return _oneshot(buf, sr, fade_in=0.001, fade_out=0.03)


def glitch(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A digital stutter: fragments of a signal repeated, dropped and crushed to few bits."""
    dur = 0.6
    t = _t(sr, dur)
    n = len(t)
    sweep = np.sin(2 * np.pi * np.cumsum(400 + 2600 * (t / dur) ** 2) / sr)
    source = np.sign(sweep) * 0.6 + 0.5 * _bandpass(rng.standard_normal(n), sr, 1000, 8000)
    out = np.zeros(n)
    pos = 0
    while pos < n:
        size = int(sr * rng.choice([0.008, 0.012, 0.02, 0.03]))
        frag = source[rng.integers(0, n - size):][:size]
        hold = int(rng.choice([1, 4, 8, 16]))
        frag = np.repeat(frag[::hold], hold)[:size]
        levels = 2 ** int(rng.choice([2, 3, 5]))
        frag = _fade(np.round(frag * levels) / levels, sr, 0.0005, 0.0005)
        repeats = int(rng.integers(1, 6))
        if rng.random() < 0.12:
            frag, repeats = np.zeros_like(frag), 1
        for _ in range(repeats):
            _place(out, frag, pos)
            pos += size
    return _oneshot(out, sr, fade_in=0.001, fade_out=0.02)


def chk(sr: int, rng: np.random.Generator) -> np.ndarray:
    """One latch snapping shut ('ch' then 'k'): compounds such as CHK-CHK-CHK repeat it."""
    buf = np.zeros(_n(sr, 0.14))
    _place(buf, 0.55 * _click(sr, rng, [3100.0, 4900.0, 7300.0], 260), _n(sr, 0.006))
    _place(buf, _click(sr, rng, [2300.0, 3900.0, 6100.0], 180.0), _n(sr, 0.015))
    return _oneshot(buf, sr, fade_in=0.0005, fade_out=0.03)


def buzz(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A short electric 'bzzt': a gritty 120 Hz buzz with a crackle, cut off abruptly."""
    t = _t(sr, 0.28)
    tone = np.tanh(3.0 * (_saw(120.0, t, sr) + 0.5 * _pulse(180.0, t, sr, 0.3)))
    crackle = _bandpass(rng.standard_normal(len(t)), sr, 2000, 7000) * (rng.random(len(t)) < 0.05)
    env = np.minimum(1.0, t / 0.004) * (1 - 0.3 * t / 0.28)
    return _oneshot((tone + 2.0 * crackle) * env, sr, fade_out=0.012)


def hum(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A machine humming to itself for a moment: a steady mains-like tone that swells and fades."""
    dur = 1.2
    t = _t(sr, dur)
    x = sum(np.sin(2 * np.pi * k * 110.0 * t + k) / k ** 1.3 for k in range(1, 8))
    x += 0.2 * _lowpass(rng.standard_normal(len(t)), sr, 600) / 0.1
    return _oneshot(_lowpass(x, sr, 2500) * np.sin(np.pi * t / dur) ** 0.7, sr, fade_in=0.05, fade_out=0.1)


def pulse(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A detection pulse: two soft low pings, like a sensor's heartbeat."""
    buf = np.zeros(_n(sr, 0.7))
    t = _t(sr, 0.3)
    ping = np.sin(2 * np.pi * 440.0 * t) * np.exp(-t / 0.07) + 0.3 * np.sin(2 * np.pi * 880.0 * t) * np.exp(-t / 0.03)
    for at, gain in ((0.005, 1.0), (0.33, 0.75)):
        _place(buf, gain * _fade(ping, sr, 0.004, 0.02), _n(sr, at))
    return _oneshot(buf, sr)


def sweep(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A scanner sweep: a tone gliding up and back with a band of noise following it."""
    dur = 1.0
    t = _t(sr, dur)
    freq = 500 + 1500 * np.sin(np.pi * t / dur) ** 2
    tone = np.sin(2 * np.pi * np.cumsum(freq) / sr)
    air = _swept_noise(rng, sr, len(t), lambda c: 600 + 2400 * np.sin(np.pi * c / dur) ** 2, 0.4)
    env = np.sin(np.pi * t / dur)
    return _oneshot((0.7 * tone + 0.5 * air / max(1e-9, np.max(np.abs(air)))) * env, sr)


def whistle(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A soft rising-then-falling whistle: a breathy sine with a little noise."""
    dur = 0.6
    t = _t(sr, dur)
    freq = 1400 + 600 * np.sin(np.pi * t / dur)
    x = np.sin(2 * np.pi * np.cumsum(freq) / sr) + 0.15 * _bandpass(rng.standard_normal(len(t)), sr, 1200, 2600)
    return _oneshot(x * np.sin(np.pi * t / dur) ** 0.8, sr)


def static(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Radio static: band-limited hiss with crackles, swelling in and out."""
    dur = 0.8
    t = _t(sr, dur)
    hiss = _bandpass(rng.standard_normal(len(t)), sr, 800, 9000)
    pops = np.zeros(len(t))
    hits = rng.integers(0, len(t), size=60)
    pops[hits] = rng.uniform(-6, 6, size=60)
    x = hiss + _highpass(pops, sr, 1500)
    return _oneshot(x * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)) * np.sin(np.pi * t / dur) ** 0.5, sr)


def alert(sr: int, rng: np.random.Generator) -> np.ndarray:
    """An alert tone: two quick rising notes, clear and insistent but not harsh."""
    buf = np.zeros(_n(sr, 0.45))
    t = _t(sr, 0.16)
    for i, f in enumerate((880.0, 1318.5)):
        note = np.sin(2 * np.pi * f * t) + 0.25 * np.sin(2 * np.pi * 2 * f * t)
        _place(buf, _fade(note, sr, 0.004, 0.03), _n(sr, 0.005 + 0.2 * i))
    return _oneshot(buf, sr)


def thud(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Something landing on a table: a low, damped thump with a short knock on top."""
    t = _t(sr, 0.35)
    body = np.sin(2 * np.pi * np.cumsum(60 + 90 * np.exp(-t / 0.02)) / sr) * np.exp(-t / 0.07)
    knock = _bandpass(rng.standard_normal(len(t)), sr, 300, 2000) * np.exp(-t / 0.008)
    return _oneshot(body + 0.5 * knock, sr, fade_in=0.0005, fade_out=0.05)


def knock(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Two knuckle knocks on a wooden door."""
    buf = np.zeros(_n(sr, 0.5))
    t = _t(sr, 0.12)
    for at in (0.005, 0.22):
        hit = (np.sin(2 * np.pi * 190 * t) + 0.6 * np.sin(2 * np.pi * 410 * t)) * np.exp(-t / 0.025)
        hit += 0.6 * _bandpass(rng.standard_normal(len(t)), sr, 800, 4000) * np.exp(-t / 0.004)
        _place(buf, hit, _n(sr, at))
    return _oneshot(buf, sr, fade_in=0.0005)


def whoosh(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Air rushing past: noise whose band rises and falls as it swells and dies."""
    dur = 0.7
    t = _t(sr, dur)
    air = _swept_noise(rng, sr, len(t), lambda c: 400 + 3000 * np.sin(np.pi * c / dur) ** 2, 0.6)
    return _oneshot(air * np.sin(np.pi * t / dur) ** 2, sr)


def interrupt(sr: int, rng: np.random.Generator) -> np.ndarray:
    """An urgent hi-lo-hi-lo alert to cut in on whatever is happening."""
    buf = np.zeros(_n(sr, 0.4))
    t = _t(sr, 0.085)
    for i, f in enumerate((1175.0, 880.0, 1175.0, 880.0)):
        tone = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(2 * np.pi * 3 * f * t)
        _place(buf, _fade(tone, sr, 0.003, 0.006), _n(sr, 0.005 + 0.095 * i))
    return _oneshot(buf, sr)


def transition(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A scene change: noise rising in pitch and loudness, sweeping past, then falling away."""
    dur = 1.5
    t = _t(sr, dur)
    n = len(t)
    peak_at = 1.1
    whoosh = _swept_noise(rng, sr, n, lambda s: 300 * (6000 / 300) ** np.clip(s / peak_at, 0, 1.15), 0.5)
    riser_f = 180 * (1400 / 180) ** np.clip(t / peak_at, 0, 1)
    riser = np.sin(2 * np.pi * np.cumsum(riser_f) / sr)
    rise = (np.clip(t / peak_at, 0, 1)) ** 2.5
    fall = np.where(t > peak_at, np.exp(-(t - peak_at) / 0.12), 1.0)
    return _oneshot((whoosh + 0.25 * riser) * rise * fall, sr, fade_in=0.02, fade_out=0.08)


def _mix_notes(sr: int, seconds: float, notes: list[tuple[float, float, float, float]],
               **voice: Any) -> np.ndarray:
    """Render (start, midi note, length, gain) tuples with ``_synth_note`` into one buffer."""
    buf = np.zeros(_n(sr, seconds))
    for start, note, length, gain in notes:
        _place(buf, gain * _synth_note(sr, _midi(note), length, **voice), _n(sr, start))
    return buf


def intro_sting(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A bright opening: a rising C-major arpeggio landing on a warm Cmaj9 chord with a bell."""
    dur = 3.0
    pluck = dict(bright=1.4, env=(0.004, 0.25, 0.35, 0.25))
    arp = [(0.0, 72, 0.5, 0.6), (0.11, 76, 0.5, 0.6), (0.22, 79, 0.5, 0.6), (0.33, 84, 0.6, 0.55)]
    chord = [(0.45, n, 2.55, 0.32) for n in (48, 60, 64, 67, 71, 74)]
    x = _mix_notes(sr, dur, arp, **pluck)
    x += _mix_notes(sr, dur, chord, bright=1.9, env=(0.08, 0.8, 0.55, 1.4))
    bell = np.zeros(_n(sr, dur))
    _place(bell, _bell(sr, 2.5, _midi(84), [(1.0, 1.0, 0.7), (2.0, 0.3, 0.35), (3.0, 0.1, 0.2)], 0.002),
           _n(sr, 0.45))
    return _oneshot(x + 0.35 * bell, sr, fade_in=0.002, fade_out=0.3)


def outro_sting(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A sign-off cadence: IV, V7, then home to I, the top voice stepping A-B-C."""
    dur = 3.0
    chords = [(0.0, 0.55, (41, 57, 60, 65, 69)), (0.5, 0.55, (43, 55, 59, 65, 71)),
              (1.0, 2.0, (36, 55, 60, 64, 72))]
    notes = [(at, n, length, 0.3) for at, length, chord in chords for n in chord]
    x = _mix_notes(sr, dur, notes, bright=1.8, env=(0.02, 0.4, 0.6, 0.35))
    bell = np.zeros(_n(sr, dur))
    _place(bell, _bell(sr, 2.0, _midi(84), [(1.0, 1.0, 0.6), (2.0, 0.25, 0.3), (3.0, 0.08, 0.15)], 0.002),
           _n(sr, 1.0))
    return _oneshot(x + 0.3 * bell, sr, fade_in=0.002, fade_out=0.4)


# --- beds (seamless loops) -------------------------------------------------------------------

def music_bed(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A quiet ambient pad under speech: four slow chords, each swelling into the next."""
    dur = 20.0
    step = dur / 4
    chords = [(48, 55, 64, 71, 74), (45, 52, 60, 67, 72), (41, 53, 57, 64, 67), (43, 50, 59, 62, 69)]
    buf = np.zeros(_n(sr, dur + step))
    for i, chord in enumerate(chords):
        for note in chord:
            gain = 0.45 if note < 50 else 0.25
            _place(buf, gain * _synth_note(sr, _midi(note), step + 1.8, bright=2.4, detune_cents=7,
                                           env=(1.6, 1.0, 0.8, 2.2)), _n(sr, i * step))
    x = _wrap(buf, _n(sr, dur))
    t = _t(sr, dur)
    x *= 1 + 0.12 * np.sin(2 * np.pi * t * 5 / dur)
    return _bed(_lowpass(np.concatenate([x, x]), sr, 2500)[len(x):])


def room_tone(sr: int, rng: np.random.Generator) -> np.ndarray:
    """The hush of a quiet room: soft pink air and a faint low ventilation rumble."""
    dur, over = 10.0, 1.0
    n = _n(sr, dur + over)
    air = _lowpass(_pink(rng, n), sr, 6000)
    rumble = _lowpass(rng.standard_normal(n), sr, 120, order=4)
    rumble /= np.std(rumble)
    return _bed(_crossfade_loop(air + 0.5 * rumble, _n(sr, dur)))


def server_hum(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A server room: 60 Hz mains hum with harmonics over steady fan rush and a blade tone."""
    dur, over = 10.0, 1.0
    n = _n(sr, dur + over)
    t = np.arange(n) / sr
    hum = sum(a * np.sin(2 * np.pi * 60 * k * t + 0.7 * k)
              for k, a in ((1, 1.0), (2, 0.6), (3, 0.45), (4, 0.2), (5, 0.15), (6, 0.08), (8, 0.05)))
    fan = _bandpass(_pink(rng, n), sr, 150, 3500) + 0.3 * _bandpass(rng.standard_normal(n), sr, 3000, 7000)
    fan /= np.std(fan)
    blade = 0.2 * np.sin(2 * np.pi * 287.3 * t)
    swell = 1 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    x = 0.6 * hum + 0.6 * fan * swell + blade
    return _bed(_crossfade_loop(x, _n(sr, dur)))


def _drop(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = _t(sr, 0.03)
    f0 = rng.uniform(1500, 4500)
    f = f0 * (1 + 1.5 * t / 0.03)
    bubble = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t / rng.uniform(0.004, 0.012))
    tick = rng.standard_normal(len(t)) * np.exp(-t / 0.0008)
    return bubble + 0.3 * tick


def rain(sr: int, rng: np.random.Generator) -> np.ndarray:
    """Steady rain: a wash of filtered noise with many small droplets plinking through it."""
    dur, over = 10.0, 1.0
    n = _n(sr, dur + over)
    wash = _bandpass(_pink(rng, n) + 0.6 * rng.standard_normal(n), sr, 300, 9000)
    wash /= np.std(wash)
    wash *= 1 + 0.15 * np.sin(2 * np.pi * 0.2 * np.arange(n) / sr)
    drops = np.zeros(n)
    for at in rng.uniform(0, n, size=int(70 * (dur + over))).astype(int):
        _place(drops, rng.uniform(0.15, 1.0) ** 2 * _drop(sr, rng), at)
    drops = _highpass(drops, sr, 800)
    return _bed(_crossfade_loop(0.3 * wash + drops, _n(sr, dur)))


def game_music(sr: int, rng: np.random.Generator) -> np.ndarray:
    """An 8-bit loop: pulse-wave lead and arpeggio, triangle bass and noise drums, 4 bars at 120 bpm."""
    beat = 0.5
    bars = 4
    n = _n(sr, bars * 4 * beat)
    buf = np.zeros(n + _n(sr, 1.0))

    def note(kind: str, midi: float, at: float, length: float, gain: float) -> None:
        t = _t(sr, length)
        f = _midi(midi)
        if kind == "lead":
            w = _pulse(f, t, sr, 0.5)
        elif kind == "arp":
            w = _pulse(f, t, sr, 0.25)
        else:
            w = _triangle(f, t, sr)
        env = np.ones_like(t) if kind == "bass" else np.maximum(0.55, 1 - t / (3 * length))
        _place(buf, gain * _fade(w * env, sr, 0.002, 0.004), _n(sr, at))

    roots = [(48, (0, 4, 7)), (45, (0, 3, 7)), (41, (0, 4, 7)), (43, (0, 4, 7))]
    melody = [
        [(0, 72, 1), (1, 76, 1), (2, 79, 2), (4, 76, 1), (5, 79, 1), (6, 84, 2)],
        [(0, 81, 1), (1, 79, 1), (2, 76, 2), (4, 72, 1), (5, 76, 1), (6, 81, 2)],
        [(0, 77, 1), (1, 81, 1), (2, 84, 2), (4, 81, 1), (5, 77, 1), (6, 72, 2)],
        [(0, 79, 1), (1, 83, 1), (2, 86, 2), (4, 83, 1), (5, 79, 1), (6, 74, 2)],
    ]
    eighth = beat / 2
    for bar, ((root, triad), line) in enumerate(zip(roots, melody, strict=True)):
        start = bar * 4 * beat
        for step, midi, length in line:
            note("lead", midi, start + step * eighth, length * eighth * 0.9, 0.32)
        for i in range(16):
            note("arp", root + 24 + triad[i % 3], start + i * beat / 4, beat / 4 * 0.8, 0.12)
        for i in range(4):
            note("bass", root - 12 + (7 if i % 2 else 0), start + i * beat, beat * 0.85, 0.6)
        for i in range(8):
            t = _t(sr, 0.12 if i % 4 == 2 else 0.03)
            hit = rng.standard_normal(len(t)) * np.exp(-t / (0.04 if i % 4 == 2 else 0.008))
            if i % 4 == 0:
                kick_f = 45 + 150 * np.exp(-t / 0.02)
                hit = 0.3 * hit + 1.5 * np.sin(2 * np.pi * np.cumsum(kick_f) / sr) * np.exp(-t / 0.03)
            _place(buf, 0.25 * _fade(np.round(hit * 8) / 8, sr, 0.0005, 0.003), _n(sr, start + i * eighth))
    return _bed(_wrap(buf, n))


# --- registry and build ----------------------------------------------------------------------

SOUNDS: dict[str, SoundFn] = {
    "whirr": whirr,
    "chk-chk": chk_chk,
    "soft-chime": soft_chime,
    "mechanical-purr": mechanical_purr,
    "alarm-buzz": alarm_buzz,
    "ding": ding,
    "beep": beep,
    "soft-click": soft_click,
    "page-flip": page_flip,
    "notebook-close": notebook_close,
    "typing": typing,
    "glitch": glitch,
    "chk": chk,
    "buzz": buzz,
    "hum": hum,
    "pulse": pulse,
    "sweep": sweep,
    "whistle": whistle,
    "static": static,
    "alert": alert,
    "thud": thud,
    "knock": knock,
    "whoosh": whoosh,
    "interrupt": interrupt,
    "transition": transition,
    "intro-sting": intro_sting,
    "outro-sting": outro_sting,
    "music-bed": music_bed,
    "room-tone": room_tone,
    "server-hum": server_hum,
    "rain": rain,
    "game-music": game_music,
}

BEDS: frozenset[str] = frozenset({"music-bed", "room-tone", "server-hum", "rain", "game-music"})


def render(name: str, sr: int = 44100) -> np.ndarray:
    """One sound as float32, seeded from its name so every render is identical."""
    if name not in SOUNDS:
        raise EpisodeError(f"unknown sound effect {name!r}.", hint=f"Known: {', '.join(sorted(SOUNDS))}.")
    rng = np.random.default_rng(zlib.crc32(name.encode("utf-8")))
    return SOUNDS[name](sr, rng)


def build(out_dir: Path, sr: int = 44100, only: list[str] | None = None) -> list[Path]:
    """Write each sound as ``out_dir/NAME.wav`` (16-bit PCM mono); return the paths written.

    Each file is written under a temporary name in the same folder and then renamed, so a
    renderer reading ``out_dir`` at the same time never sees a half-written WAV.
    """
    names = list(SOUNDS) if only is None else list(only)
    for name in names:
        if name not in SOUNDS:
            raise EpisodeError(f"unknown sound effect {name!r}.", hint=f"Known: {', '.join(sorted(SOUNDS))}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in names:
        audio = render(name, sr)
        target = out_dir / f"{name}.wav"
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".wav.tmp", dir=out_dir)
        os.close(fd)
        try:
            sf.write(tmp, audio, sr, subtype="PCM_16", format="WAV")
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Synthesize the project's sound effects (original, CC0) into sfx/.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "sfx",
                        help="folder to write the WAV files into (default: the checkout's sfx/)")
    parser.add_argument("--only", action="append", help="build just this sound (repeat for more)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, only=args.only)
    except EpisodeError as error:
        print(f"error: {error.render()}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} sounds to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
