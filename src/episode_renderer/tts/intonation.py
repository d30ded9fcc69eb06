"""Punctuation heard, and a delivery's pitch range: the line's contour bent after synthesis.

Kokoro reads ``?`` and ``!`` as it reads a full stop (measured on four voices: a question's last
syllable falls 2 to 7 semitones, as a statement's does; an exclamation's pitch and level are a
statement's, within 0.4 semitone and 0.1 dB; doubled or mixed marks change nothing). So after
synthesis the line's own pitch contour is bent with Rubber Band's time-varying pitch shift, which
keeps the formants (the same mouth, the same person):

* a yes/no question's last syllable is lifted until it ends about ``RISE`` semitones above the
  words before it, however far the model let it fall (a question opening with a question word,
  *What did the logs say?*, falls in English too, and is left as the model reads it);
* an exclamation is raised ``LIFT`` semitones with its pitch movements widened by ``WIDEN``, and
  played ``BOOST_DB`` louder.

Sentences are found in the audio at the pauses the model leaves between them, matched to where
their share of the text would put them.

A delivery may also narrow or widen the whole line's pitch movements (``range``: *sadly* flattens
them, 0.7; a pitch tracker finds the contour and the shift pushes each moment towards or away from
the line's median), for voices whose donors cannot do it in the model's own prosody.
"""

from __future__ import annotations

import re

import numpy as np

from .shaping import shift_pitch

RISE = 4.0  # semitones from the words before a question's last syllable to its end
LIFT = 1.5  # semitones an exclamation is raised
WIDEN = 0.35  # an exclamation's pitch excursions grow by this share
BOOST_DB = 2.0
_RISE_SECONDS = 0.35  # the stretch of a question that rises
_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_QUESTION_WORD = re.compile(r"^\W*(what|where|when|why|who|whom|whose|which|how)\b", re.IGNORECASE)
_HOP = 0.01
#: The shift changes at most this often: Rubber Band restarts its processing at every change, and a
#: shift changing at every sample cost 0.3-0.5 of DNSMOS OVRL where changes every 128 ms cost 0.05-0.15.
_STEP_SECONDS = 0.128


def marks(text: str) -> list[tuple[str, float]]:
    """Each sentence's closing mark with its share of the text, in order: "?" for a question that
    rises, "!" for an exclamation, "" for the rest (a wh-question of three words or more included)."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s.strip()]
    total = sum(len(s) for s in sentences) or 1
    out = []
    for sentence in sentences:
        end = sentence.rstrip("\"'”’)] ")
        mark = "?" if end.endswith("?") else "!" if end.endswith("!") else ""
        if mark == "?" and _QUESTION_WORD.match(sentence) and len(sentence.split()) > 2:
            mark = ""
        out.append((mark, len(sentence) / total))
    return out


def needs_intonation(text: str) -> bool:
    return any(mark for mark, _ in marks(text))


def needs_contour(text: str, spread: float = 1.0) -> bool:
    return abs(spread - 1.0) > 1e-3 or needs_intonation(text)


def intoned(audio: np.ndarray, rate: int, text: str, spread: float = 1.0, pitch: float = 0.0) -> np.ndarray:
    """``audio`` of ``text`` with its questions rising, its exclamations lifted and its pitch
    movements scaled by ``spread``, all moved ``pitch`` semitones in the same pass; unchanged when
    there is nothing to do (or too little audio to tell, when only ``pitch`` moves it)."""
    found = marks(text)
    if not needs_contour(text, spread) or audio.size < int(0.3 * rate):
        return shift_pitch(audio, rate, pitch) if pitch else audio
    level = _level(audio, rate)
    spans = _sentence_spans(level, [share for _, share in found])
    f0 = pitch_track(audio, rate)
    shift = _spread(f0, spread) if abs(spread - 1.0) > 1e-3 else np.zeros(level.size)
    rise = np.zeros(level.size)  # short and at the very end: smooth, it costs no quality
    gain = np.zeros(level.size)
    for (mark, _), (start, end) in zip(found, spans):
        if mark == "?":
            rise[start:end] += _rise(f0[start:end])
        elif mark == "!":
            shift[start:end] += _lift(f0[start:end])
            gain[start:end] = BOOST_DB
    shift += pitch
    if not shift.any() and not rise.any() and not gain.any():
        return audio
    import pedalboard

    hops = np.arange(audio.size) / (_HOP * rate)
    per_sample = _stepped(np.interp(hops, np.arange(level.size), shift), int(_STEP_SECONDS * rate)) + \
        np.interp(hops, np.arange(level.size), rise)
    out = pedalboard.time_stretch(audio.astype(np.float32, copy=False)[None, :], rate, stretch_factor=1.0,
                                  pitch_shift_in_semitones=per_sample.astype(np.float64), high_quality=True,
                                  use_long_fft_window=False, preserve_formants=True)[0]
    out = _fit(out, audio.size)
    smooth = np.convolve(gain, np.ones(5) / 5, mode="same")  # 50 ms ramps
    return (out * 10 ** (np.interp(hops, np.arange(level.size), smooth) / 20)).astype(np.float32)


def _stepped(shift: np.ndarray, step: int) -> np.ndarray:
    """``shift`` held constant over each ``step`` samples (its value at the step's middle)."""
    index = np.minimum((np.arange(shift.size) // step) * step + step // 2, shift.size - 1)
    return shift[index].astype(np.float64)


def _fit(audio: np.ndarray, size: int) -> np.ndarray:
    if audio.size >= size:
        return audio[:size]
    return np.concatenate([audio, np.zeros(size - audio.size, dtype=audio.dtype)])


def _level(audio: np.ndarray, rate: int) -> np.ndarray:
    """dB per 10 ms hop, against the loudest hop."""
    hop = int(_HOP * rate)
    count = audio.size // hop
    rms = np.sqrt(np.mean(audio[:count * hop].astype(np.float64).reshape(count, hop) ** 2, axis=1) + 1e-12)
    return 20 * np.log10(rms / rms.max())


def _sentence_spans(level: np.ndarray, shares: list[float], floor_db: float = -35.0) -> list[tuple[int, int]]:
    """(start, end) hops of each sentence: the boundaries go to the silences nearest to where the
    sentences' shares of the text put them (or there, when the model left no silence)."""
    sounding = np.nonzero(level > floor_db)[0]
    first, last = (int(sounding[0]), int(sounding[-1]) + 1) if sounding.size else (0, level.size)
    quiet = level < floor_db
    gaps = []  # centres of silences of 100 ms or more inside the speech
    run = None
    for i in range(first, last):
        if quiet[i] and run is None:
            run = i
        elif not quiet[i] and run is not None:
            if i - run >= 10:
                gaps.append((run + i) // 2)
            run = None
    bounds = [first]
    expected = first + np.cumsum(shares)[:-1] * (last - first)
    for target in expected:
        options = [g for g in gaps if g > bounds[-1]]
        near = min(options, key=lambda g: abs(g - target), default=None)
        bounds.append(int(near) if near is not None and abs(near - target) < 0.25 * (last - first)
                      else int(max(target, bounds[-1] + 1)))
    bounds.append(last)
    return list(zip(bounds[:-1], bounds[1:]))


def pitch_track(audio: np.ndarray, rate: int, low: float = 60.0, high: float = 500.0) -> np.ndarray:
    """Pitch in semitones (above 100 Hz) per 10 ms hop, NaN where unvoiced: the normalised
    autocorrelation's peak, in blocks so a long line costs no more memory than a short one."""
    hop = int(_HOP * rate)
    width = int(0.04 * rate)
    count = audio.size // hop
    x = np.concatenate([audio.astype(np.float64), np.zeros(width)])
    shortest, longest = int(rate / high), int(rate / low)
    out = np.full(count, np.nan)
    loud = _level(audio, rate) > -35.0
    for begin in range(0, count, 512):
        index = (begin + np.arange(min(512, count - begin)))[:, None] * hop + np.arange(width)[None, :]
        frames = x[index]
        frames -= frames.mean(axis=1, keepdims=True)
        spectrum = np.fft.rfft(frames, n=2 * width, axis=1)
        corr = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :width]
        norm = corr / np.maximum(corr[:, :1], 1e-12)
        lag = shortest + np.argmax(norm[:, shortest:longest], axis=1)
        peak = norm[np.arange(lag.size), lag]
        voiced = (peak > 0.5) & loud[begin:begin + lag.size]
        out[begin:begin + lag.size] = np.where(voiced, 12 * np.log2(rate / lag / 100.0), np.nan)
    if not np.isnan(out).all():  # an octave jump is the tracker's mistake, not the voice's
        out[np.abs(out - np.nanmedian(out)) > 9.0] = np.nan
    return out


def _rise(f0: np.ndarray) -> np.ndarray:
    """The shift that makes a sentence end ``RISE`` semitones above the words before its last syllable."""
    shift = np.zeros(f0.size)
    voiced = np.nonzero(~np.isnan(f0))[0]
    if voiced.size < 10:
        return shift
    end = int(voiced[-1]) + 1
    span = int(_RISE_SECONDS / _HOP)
    tail = f0[max(0, end - 15):end]
    before = f0[max(0, end - 60):max(0, end - 15)]
    if np.isnan(tail).all() or np.isnan(before).all():
        return shift
    fall = RISE - (np.nanmedian(tail) - np.nanmedian(before))
    peak = float(np.clip(fall / 0.585, 2.0, 14.0))  # 0.585: the ramp's mean over the last 150 ms
    start = max(0, end - span)
    shift[start:end] = peak * np.linspace(0.0, 1.0, end - start) ** 2
    shift[end:] = peak
    return shift


def _spread(f0: np.ndarray, factor: float) -> np.ndarray:
    """The shift that scales the pitch movements around the line's median by ``factor``."""
    if np.isnan(f0).all():
        return np.zeros(f0.size)
    known = np.nonzero(~np.isnan(f0))[0]
    filled = np.interp(np.arange(f0.size), known, f0[known])
    return np.clip((factor - 1.0) * (filled - np.nanmedian(f0)), -6.0, 6.0)


def _lift(f0: np.ndarray) -> np.ndarray:
    """Raise a sentence and widen its pitch movements around its median."""
    if np.isnan(f0).all():
        return np.full(f0.size, LIFT)
    centre = np.nanmedian(f0)
    known = np.nonzero(~np.isnan(f0))[0]
    filled = np.interp(np.arange(f0.size), known, f0[known])
    return LIFT + np.clip(WIDEN * (filled - centre), -3.0, 3.0)
