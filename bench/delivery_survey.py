"""Which donor voices make a character act? Measure every voice's prosody half on one character.

For a character of the cast (its Kokoro voice and pace), synthesizes three sentences plainly and with
each of the 28 voices' prosody half in place of its own (the timbre half stays the character's), and
measures each against the plain reading: pitch median (semitones) and range (10-90%, a ratio), length,
and DNSMOS OVRL. Then, for each delivery's aim (the table AIMS below, the same as voices/cast.toml's
comments), it suggests the donor and amount that come closest with the least of another voice (an amount
of another register or gender costs more), and the `speed`, `pitch` and `range` that take up the rest,
as a `[characters.NAME.delivery]` table to paste into the cast. A suggestion is a start: render with
bench/delivery.py and correct what the render measures otherwise.

    bash bench/setup-bench-venv.sh
    .venv-bench/bin/python bench/delivery_survey.py Kai [--cast voices/cast.toml] [--only excited,sad]

About three minutes per character on two cores.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from delivery import TEXTS, prosody  # noqa: E402  (the same sentences and measures as the render bench)

#: delivery: (pitch median in semitones, pitch range ratio, length ratio) against the plain reading.
AIMS = {
    "excited": (2.5, 1.30, 0.90), "shout": (3.5, 1.25, 1.0), "intense": (1.0, 1.15, 0.95),
    "sharp": (0.5, 1.10, 0.92), "frustrated": (1.0, 1.25, 1.0), "confused": (1.0, 1.20, 1.08),
    "defensive": (1.5, 1.15, 0.94), "nervous": (1.5, 1.00, 0.92), "warm": (0.5, 1.10, 1.04),
    "calm": (-0.5, 0.85, 1.06), "thoughtful": (-0.5, 0.90, 1.10), "serious": (-1.0, 0.85, 1.05),
    "sad": (-1.5, 0.72, 1.15), "deadpan": (-1.0, 0.65, 1.0), "quiet": (-0.5, 0.85, 1.05),
}
AMOUNTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0)


def effect(measured: dict[str, float], plain: dict[str, float]) -> np.ndarray:
    """(semitones, log range ratio, log length ratio) against the plain reading."""
    return np.array([measured["median"] - plain["median"], math.log(measured["range"] / plain["range"]),
                     math.log(measured["length"] / plain["length"])])


def suggest(aim: tuple[float, float, float], donors: dict[str, tuple[np.ndarray, float]], plain_mos: float,
            gender: str) -> dict:
    """The donor and amount nearest the aim, assuming each effect grows with the amount (it does, within
    about 0.3 semitone), then speed, pitch and range for the rest."""
    pitch, spread, length = aim
    best = None
    for donor, (change, mos) in donors.items():
        other = donor[1:2] != gender
        for amount in AMOUNTS:
            if other and amount > 0.5:
                continue
            guess = amount * change
            lost = amount * max(0.0, plain_mos - mos)
            cost = (abs(guess[0] - pitch) + 0.8 * abs(guess[1] - math.log(spread)) / math.log(1.1) + 0.4 * amount
                    + (0.5 if other else 0.0) + 4.0 * max(0.0, lost - 0.1))
            if best is None or cost < best[0]:
                best = (cost, donor, amount, guess)
    _cost, donor, amount, guess = best
    rest = pitch - guess[0]
    wider = spread / math.exp(guess[1])
    return {"prosody": donor, "amount": amount, "speed": round(min(1.3, max(0.75, math.exp(guess[2]) / length)), 2),
            "pitch": round(rest, 1) if abs(rest) > 0.7 else 0.0,
            "range": round(wider, 2) if abs(math.log(wider)) > math.log(1.1) else 1.0,
            "expect": (guess[0] + (rest if abs(rest) > 0.7 else 0.0), math.exp(guess[1]), math.exp(guess[2]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("character")
    parser.add_argument("--cast", type=Path, default=ROOT / "voices" / "cast.toml")
    parser.add_argument("--only", help="comma-separated deliveries (default: all of AIMS)")
    args = parser.parse_args()

    from scipy.signal import resample_poly
    from speechmos import dnsmos

    from episode_renderer.tts.cast import Acting, load_cast
    from episode_renderer.tts.kokoro import voice_files
    from episode_renderer.tts.voices import Voices

    cast = load_cast(args.cast)
    voices = Voices(cast.voices_dir)
    name, profile = cast.resolve(args.character)
    spec = profile.engine
    if spec.engine != "kokoro":
        print(f"{name} speaks with {spec.engine}: only Kokoro voices have a prosody half to borrow.")
        return 2
    own = spec.voice or ""
    gender = own.split("*")[-1].strip()[1:2]
    rate = 24000

    def measure(acting: Acting) -> tuple[dict[str, float], float]:
        voice = voices.acting(spec, acting)
        clips = [voice.speak(text, speed=profile.speed) for text in TEXTS]
        stats = [prosody(resample_poly(c, 147, 80)) for c in clips]  # the bench measures at 44.1 kHz
        joined = np.concatenate([part for c in clips for part in (c, np.zeros(rate // 3, dtype=np.float32))])
        x = resample_poly(joined, 2, 3)
        mos = float(dnsmos.run((x / max(1.0, float(np.abs(x).max()) / 0.99)).astype(np.float32), 16000)["ovrl_mos"])
        return {k: float(np.nanmean([s[k] for s in stats])) for k in stats[0]}, mos

    plain, plain_mos = measure(Acting())
    print(f"{name} ({own}, pace {profile.speed:g}): plain OVRL {plain_mos:.2f}\n")
    print(f"{'donor':<12} {'pitch st':>8} {'range':>6} {'length':>6} {'OVRL':>5}")
    donors: dict[str, tuple[np.ndarray, float]] = {}
    for donor in sorted(voice_files([cast.voices_dir / "kokoro"] if cast.voices_dir else [])):
        if donor == own:
            continue
        measured, mos = measure(Acting(donor, 1.0))
        donors[donor] = (effect(measured, plain), mos)
        change = donors[donor][0]
        print(f"{donor:<12} {change[0]:+8.2f} {math.exp(change[1]):6.2f} {math.exp(change[2]):6.2f} {mos:5.2f}")
    print(f"\n# suggested by bench/delivery_survey.py (expected pitch st, range, length):\n[characters.{name}.delivery]")
    for delivery in (args.only.split(",") if args.only else AIMS):
        tip = suggest(AIMS[delivery], donors, plain_mos, gender)
        fields = [f'prosody = "{tip["prosody"]}"', f"amount = {tip['amount']:g}", f"speed = {tip['speed']:g}"]
        fields += [f"pitch = {tip['pitch']:g}"] if tip["pitch"] else []
        fields += [f"range = {tip['range']:g}"] if tip["range"] != 1.0 else []
        pitch, spread, length = tip["expect"]
        print(f"{delivery + ' =':<12} {{ {', '.join(fields)} }}  # {pitch:+.1f} st, x{spread:.2f}, x{length:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
