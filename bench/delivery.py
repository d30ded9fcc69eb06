"""Do the characters act? Every delivery and vocal sound against the plain reading, in one render.

Writes a fixture episode (our own sentences): each character says the same three sentences plainly,
then under each direction (*excitedly*, *shouting*, *sadly*, *whispering*, and one for every other
delivery the cast defines), then after *laughs*, *sighs* and *gasps*. It renders that episode with
the cast (default: the Kokoro cast), cuts the mastered MP3 at the transcript's segments, and compares
each acted line with the plain reading of the same text by the same character in the same file, so
mastering treats both alike; and it has each character say two questions and two exclamations as
written and ending in a full stop. Per delivery and character it prints:

  * the change in pitch median (semitones) and pitch range (10-90%, as a ratio), level (dB), voiced
    share (of the sounding frames) and length (of the sounding stretch), by Praat (praat-parselmouth);
  * for *laughs*, *sighs*, *gasps*: the seconds of vocal sound they add (the vocal segment's sounding
    stretch);
  * speaker similarity (Resemblyzer GE2E cosine) of the acted reading to the plain one, and the
    highest similarity to another character's plain reading;
  * Whisper (tiny.en) WER of the acted lines, and DNSMOS OVRL;
  * per character: a question's final rise (semitones from the words before its last 0.15 s) and an
    exclamation's pitch, range and level, against the same words ending in a full stop.

Then the issue's targets, averaged over characters and texts, with a verdict.

Praat (GPL-3) and Resemblyzer (torch) belong to the bench venv only:
    bash bench/setup-bench-venv.sh
    .venv-bench/bin/python bench/delivery.py [--cast voices/cast.toml] [--only Kai,Human] [--keep DIR]
About ten minutes on two cores with the Kokoro cast (a cold render of about fifteen minutes of audio).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHARACTERS = ["Human", "Recurse", "Vector", "Kai", "Bounce", "Narrator"]
TEXTS = [
    "The report was finished before lunch, and nobody noticed the missing page.",
    "We checked every log file twice, so the numbers should be right this time.",
    "Nobody told me the meeting moved to Thursday afternoon.",
]
#: The direction written for each delivery: the words a script uses, read by the project's rules.
DIRECTIONS = {
    "excited": "excitedly", "shout": "shouting", "sad": "sadly", "whisper": "whispering", "intense": "intensely",
    "sharp": "sharply", "quiet": "quietly", "warm": "warmly", "thoughtful": "thoughtfully", "deadpan": "deadpan",
    "defensive": "defensively", "calm": "calmly", "nervous": "nervously", "confused": "confused",
    "frustrated": "frustrated", "serious": "seriously",
}
VOCALS = {"laugh": "laughs", "sigh": "sighs", "gasp": "gasps"}
#: Punctuation: each said as written and with a full stop instead, by the same character.
QUESTIONS = ["Did you send the report to the whole team", "Is the server still running after the update"]
EXCLAMATIONS = ["We finally fixed the bug in the parser", "That is the best news I have heard all week"]
PUNCTUATION = [(t, "?") for t in QUESTIONS] + [(t, "!") for t in EXCLAMATIONS]
RATE = 44100


def fixture(characters: list[str], deliveries: list[str]) -> str:
    """One turn per take, so a direction reaches exactly its three lines."""
    parts = ['---\ntitle: "Delivery bench"\nepisode_number: 1\n---\n']
    for name in characters:
        for take in ["plain", *deliveries, *VOCALS]:
            parts.append(f'{{{{< dialogue char="{name}" >}}}}')
            for text in TEXTS:
                if take in VOCALS:
                    parts.append(f"*{VOCALS[take]}* {text}\n")
                elif take != "plain":
                    parts.append(f"*{DIRECTIONS[take]}*\n\n{text}\n")
                else:
                    parts.append(text + "\n")
            parts.append("{{< /dialogue >}}\n")
        for marks in (".", "?!"):  # the same sentences flat, then as questions and exclamations
            parts.append(f'{{{{< dialogue char="{name}" >}}}}')
            parts += [f"{text}{mark if mark in marks else '.'}\n" for text, mark in PUNCTUATION]
            parts.append("{{< /dialogue >}}\n")
    return "\n".join(parts)


def prosody(audio: np.ndarray) -> dict[str, float]:
    """Praat's pitch (semitones re 100 Hz: median, 10-90% range), level and voiced share over the
    sounding frames (within 30 dB of the loudest), and the sounding stretch's length."""
    import parselmouth

    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=RATE)
    pitch = sound.to_pitch_ac(time_step=0.01, pitch_floor=60, pitch_ceiling=600)
    f0 = pitch.selected_array["frequency"]
    intensity = sound.to_intensity(minimum_pitch=60, time_step=0.01)
    db, times = intensity.values[0], intensity.xs()
    loud = db > db.max() - 30
    voiced_at = np.interp(times[loud], pitch.xs(), (f0 > 0).astype(float), left=0, right=0) > 0.5
    st = 12 * np.log2(f0[f0 > 0] / 100.0)
    return {
        "median": float(np.median(st)) if st.size else math.nan,
        "range": float(np.percentile(st, 90) - np.percentile(st, 10)) if st.size > 4 else math.nan,
        "level": float(10 * np.log10(np.mean(10 ** (db[loud] / 10)))),
        "voiced": float(voiced_at.mean()) if voiced_at.size else 0.0,
        "length": float(times[loud].max() - times[loud].min()) if loud.any() else 0.0,
    }


def cut(audio: np.ndarray, segment: dict) -> np.ndarray:
    return audio[int(segment["startTime"] * RATE):int(segment["endTime"] * RATE)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cast", type=Path, default=ROOT / "voices" / "cast.toml")
    parser.add_argument("--only", help="comma-separated characters (default: the six main ones)")
    parser.add_argument("--keep", type=Path, help="folder for the fixture, the render and its sidecars")
    parser.add_argument("--no-cache", action="store_true", help="synthesize every line (default: the line cache)")
    parser.add_argument("--measure-only", action="store_true", help="measure the render already in --keep")
    args = parser.parse_args()

    from pedalboard.io import AudioFile

    from episode_renderer.config import load_project
    from episode_renderer.quality import _model, score_texts
    from episode_renderer.render import render_episode
    from episode_renderer.tts.cache import default_cache_dir

    characters = args.only.split(",") if args.only else CHARACTERS
    project = load_project(ROOT, cast=args.cast)
    deliveries = [d for d in DIRECTIONS if project.cast.knows_delivery(d)]
    work = args.keep or Path(tempfile.mkdtemp(prefix="delivery-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    script = work / "delivery-bench.md"
    script.write_text(fixture(characters, deliveries), encoding="utf-8")
    started = time.perf_counter()
    mp3 = work / "delivery-bench.mp3"
    if not (args.measure_only and mp3.is_file()):
        render_episode(script, project, mp3, cache_dir=None if args.no_cache else default_cache_dir())
        print(f"rendered {script.name} with {args.cast.name} in {time.perf_counter() - started:.0f} s -> {mp3}")
    with AudioFile(str(mp3)) as handle:
        audio = handle.read(handle.frames)[0]
    segments = json.loads(mp3.with_suffix(".json").read_text("utf-8"))["segments"]

    # segments come in fixture order: per character, per take, per text ([vocal, line] for vocal takes)
    takes: dict[tuple[str, str], list[np.ndarray]] = {}
    spans: dict[tuple[str, str], list[float]] = {}  # where each take starts and ends, gaps and vocal sounds included
    said: dict[tuple[str, str, bool], np.ndarray] = {}
    added: dict[tuple[str, str], list[float]] = {}
    cursor = iter(segments)
    for name in characters:
        for take in ["plain", *deliveries, *VOCALS]:
            for _text in TEXTS:
                segment = next(cursor)
                spans.setdefault((name, take), [segment["startTime"], 0.0])
                if take in VOCALS:
                    assert segment["body"].startswith("["), segment
                    added.setdefault((name, take), []).append(prosody(cut(audio, segment))["length"])
                    segment = next(cursor)
                assert segment["speaker"] == name, (segment, name, take)
                takes.setdefault((name, take), []).append(cut(audio, segment))
                spans[(name, take)][1] = segment["endTime"]
        for flat in (True, False):
            for text, mark in PUNCTUATION:
                segment = next(cursor)
                assert segment["body"].startswith(text), (segment, text)
                said[(name, text, flat)] = cut(audio, segment)

    measured = {key: [prosody(clip) for clip in clips] for key, clips in takes.items()}
    heard = {}
    for key, clips in takes.items():
        errors = words = 0
        for text, clip in zip(TEXTS, clips):
            found, _ = _model().transcribe(_sixteen(clip), language="en", beam_size=5, temperature=0.0,
                                           condition_on_previous_text=False)
            score = score_texts(text, " ".join(f.text.strip() for f in found))
            errors, words = errors + score.errors, words + score.words
        heard[key] = errors / words
    heard_as = {key: audio[int(a * RATE):int(b * RATE)] for key, (a, b) in spans.items() if key[1] not in VOCALS}
    gap = np.zeros(int(0.35 * RATE), dtype=np.float32)
    for key in spans:  # a vocal take's lines as heard, its vocal sounds cut out: DNSMOS hears breath as noise
        if key[1] in VOCALS:
            heard_as[key] = np.concatenate([part for clip in takes[key] for part in (clip, gap)])
    similarity, closest, pairs, ovrl = _identity(takes, heard_as, said, characters)

    print(f"\n{'character':<9} {'take':<11} {'pitch st':>8} {'range':>6} {'level':>6} {'voiced':>6} {'length':>6} "
          f"{'vocal s':>7} {'same':>5} {'other':>5} {'WER':>6} {'OVRL':>5}")
    rows: dict[str, list[dict[str, float]]] = {}
    for name in characters:
        plain = measured[(name, "plain")]
        for take in ["plain", *deliveries, *VOCALS]:
            acted = measured[(name, take)]
            row = {
                "pitch": float(np.nanmean([a["median"] - p["median"] for a, p in zip(acted, plain)])),
                "range": float(np.nanmean([a["range"] / p["range"] for a, p in zip(acted, plain)])),
                "level": float(np.mean([a["level"] - p["level"] for a, p in zip(acted, plain)])),
                "voiced": float(np.mean([a["voiced"] for a in acted])),
                "length": float(np.mean([a["length"] / p["length"] for a, p in zip(acted, plain)])),
                "vocal": float(np.mean(added.get((name, take), [0.0]))),
                "same": similarity.get((name, take), 1.0), "other": closest.get((name, take), math.nan),
                "wer": heard[(name, take)], "ovrl": ovrl.get((name, take), math.nan),
            }
            rows.setdefault(take, []).append(row)
            print(f"{name:<9} {take:<11} {row['pitch']:+8.2f} {row['range']:6.2f} {row['level']:+6.1f} "
                  f"{row['voiced']:6.2f} {row['length']:6.2f} {row['vocal']:7.2f} {row['same']:5.2f} "
                  f"{row['other']:5.2f} {100 * row['wer']:5.1f}% {row['ovrl']:5.2f}")

    def mean(take: str, field: str) -> float:
        return float(np.nanmean([r[field] for r in rows.get(take, [])])) if take in rows else math.nan

    print(f"\n{'take (mean over characters)':<28} {'pitch st':>8} {'range':>6} {'level':>6} {'voiced':>6} "
          f"{'length':>6} {'vocal s':>7} {'same':>5} {'WER':>6} {'OVRL':>5}")
    for take in rows:
        print(f"{take:<28} {mean(take, 'pitch'):+8.2f} {mean(take, 'range'):6.2f} {mean(take, 'level'):+6.1f} "
              f"{mean(take, 'voiced'):6.2f} {mean(take, 'length'):6.2f} {mean(take, 'vocal'):7.2f} "
              f"{mean(take, 'same'):5.2f} {100 * mean(take, 'wer'):5.1f}% {mean(take, 'ovrl'):5.2f}")

    from speechmos import dnsmos

    for vocal in VOCALS:
        whole = [dnsmos.run(_sixteen(audio[int(spans[(n, vocal)][0] * RATE):int(spans[(n, vocal)][1] * RATE)]),
                            16000)["ovrl_mos"] for n in characters]
        print(f"DNSMOS OVRL of the {vocal} takes with their vocal sounds in (breath counts as noise to it): "
              f"mean {np.mean(whole):.2f}, lowest {min(whole):.2f}")
    punctuation = _punctuation(said, characters)
    checks = [
        ("excited: pitch >= +1.5 st", mean("excited", "pitch") >= 1.5),
        ("excited: range >= x1.2", mean("excited", "range") >= 1.2),
        ("excited: length <= x0.95", mean("excited", "length") <= 0.95),
        ("shout: level >= +3 dB", mean("shout", "level") >= 3.0),
        ("shout: pitch >= +2 st", mean("shout", "pitch") >= 2.0),
        ("sad: range <= x0.85", mean("sad", "range") <= 0.85),
        ("sad: length >= x1.05", mean("sad", "length") >= 1.05),
        ("whisper: voiced share <= 0.25", mean("whisper", "voiced") <= 0.25),
        *[(f"{v}: adds >= 0.35 s of vocal sound", mean(v, "vocal") >= 0.35) for v in VOCALS],
    ]
    acted = [(n, t) for n in characters for t in [*deliveries, *VOCALS]]
    same_ok = [k for k in acted if k[1] != "whisper" and not (similarity[k] >= 0.80 and similarity[k] > closest[k])]
    wer_bad = [k for k in acted if heard[k] > (0.25 if k[1] == "whisper" else 0.15)]
    ovrl_bad = [k for k in acted if k[1] != "whisper" and ovrl.get(k, 5.0) < 2.9]
    checks += [
        (f"questions end rising (mean {punctuation['rise']:+.1f} st, flat {punctuation['flat']:+.1f})",
         punctuation["rise"] > 0 > punctuation["flat"]),
        (f"exclamations carry energy (mean {punctuation['pitch']:+.1f} st, {punctuation['level']:+.1f} dB)",
         punctuation["pitch"] > 0.5 and punctuation["level"] > 0.5),
        (f"punctuation costs no words (WER {100 * punctuation['wer']:.1f}%)", punctuation["wer"] <= 0.1),
        ("every acted line stays the same person (>= 0.80, above any other)", not same_ok),
        ("WER <= 15% per acted take (25% whispered)", not wer_bad),
        ("DNSMOS OVRL >= 2.9 per acted take", not ovrl_bad),
    ]
    closest_pair = max(pairs, key=pairs.get)
    print(f"\nnote: the closest pair of plain voices on these sentences is {'/'.join(closest_pair)} "
          f"{pairs[closest_pair]:.3f}; the cast's pairs are judged by bench/voices.py on its own passages (target "
          "< 0.75), and no delivery here changes a plain voice")
    print()
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {label}")
    for label, keys in (("not the same person", same_ok), ("WER over", wer_bad), ("OVRL under 2.9", ovrl_bad)):
        if keys:
            print(f"     {label}: " + ", ".join(f"{n}/{t}" for n, t in keys))
    return 0 if all(ok for _, ok in checks) else 1


def final_rise(audio: np.ndarray) -> float:
    """Semitones from the voiced stretch 0.15-0.6 s before the end of voicing to its last 0.15 s."""
    import parselmouth

    pitch = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=RATE).to_pitch_ac(
        time_step=0.01, pitch_floor=60, pitch_ceiling=600)
    f0, times = pitch.selected_array["frequency"], pitch.xs()
    voiced = np.nonzero(f0 > 0)[0]
    if voiced.size < 10:
        return math.nan
    end = times[voiced[-1]]
    last = f0[(times > end - 0.15) & (f0 > 0)]
    before = f0[(times > end - 0.6) & (times <= end - 0.15) & (f0 > 0)]
    if last.size < 2 or before.size < 2:
        return math.nan
    return float(12 * np.log2(np.median(last) / np.median(before)))


def _punctuation(said: dict[tuple[str, str, bool], np.ndarray], characters: list[str]) -> dict[str, float]:
    """A question's final rise and an exclamation's pitch, range and level, against the same words
    ending in a full stop; printed per character, returned as means."""
    from episode_renderer.quality import _model, score_texts

    rows = []
    print(f"\n{'character':<9} {'question rise st (flat)':>24} {'exclaimed: pitch st':>20} {'range':>6} {'level':>6} "
          f"{'WER':>6}")
    for name in characters:
        rise = [final_rise(said[(name, t, False)]) for t in QUESTIONS]
        flat_rise = [final_rise(said[(name, t, True)]) for t in QUESTIONS]
        lifted = [prosody(said[(name, t, False)]) for t in EXCLAMATIONS]
        flat = [prosody(said[(name, t, True)]) for t in EXCLAMATIONS]
        errors = words = 0
        for text, mark in PUNCTUATION:
            found, _ = _model().transcribe(_sixteen(said[(name, text, False)]), language="en", beam_size=5,
                                           temperature=0.0, condition_on_previous_text=False)
            score = score_texts(text + mark, " ".join(f.text.strip() for f in found))
            errors, words = errors + score.errors, words + score.words
        row = {"rise": float(np.nanmean(rise)), "flat": float(np.nanmean(flat_rise)),
               "pitch": float(np.mean([a["median"] - b["median"] for a, b in zip(lifted, flat)])),
               "range": float(np.mean([a["range"] / b["range"] for a, b in zip(lifted, flat)])),
               "level": float(np.mean([a["level"] - b["level"] for a, b in zip(lifted, flat)])), "wer": errors / words}
        rows.append(row)
        print(f"{name:<9} {row['rise']:+12.2f} ({row['flat']:+6.2f}) {row['pitch']:+20.2f} {row['range']:6.2f} "
              f"{row['level']:+6.1f} {100 * row['wer']:5.1f}%")
    return {key: float(np.nanmean([r[key] for r in rows])) for key in rows[0]}


def _sixteen(clip: np.ndarray) -> np.ndarray:
    from scipy.signal import resample_poly

    x = resample_poly(clip, 160, 441)
    return (x / max(1.0, float(np.abs(x).max()) / 0.99)).astype(np.float32)  # DNSMOS refuses samples past 1


def _identity(takes: dict[tuple[str, str], list[np.ndarray]], heard_as: dict[tuple[str, str], np.ndarray],
              plain_said: dict[tuple[str, str, bool], np.ndarray], characters: list[str]):
    """Resemblyzer similarity of each take (its three lines joined) to the same character's plain
    reading and to the closest other character's; the plain pairs; DNSMOS OVRL of each take as heard
    (its three lines with the gaps between them, about 10 s: DNSMOS scores 9 s windows and would
    repeat a single 3 s line end to end, splices and all)."""
    from resemblyzer import VoiceEncoder, preprocess_wav
    from speechmos import dnsmos

    encoder = VoiceEncoder("cpu", verbose=False)
    # each character's voice as a speaker model hears it: every plain line they say (about 20 s)
    voices = {name: encoder.embed_utterance(preprocess_wav(np.concatenate(
        takes[(name, "plain")] + [clip for (who, _text, flat), clip in plain_said.items() if who == name and flat]),
        source_sr=RATE)) for name in characters}
    embedded = {key: encoder.embed_utterance(preprocess_wav(np.concatenate(clips), source_sr=RATE))
                for key, clips in takes.items()}
    similarity, closest, ovrl = {}, {}, {}
    for (name, take), vector in embedded.items():
        similarity[(name, take)] = float(vector @ embedded[(name, "plain")])
        closest[(name, take)] = max(float(vector @ embedded[(other, "plain")]) for other in characters if other != name)
        ovrl[(name, take)] = float(dnsmos.run(_sixteen(heard_as[(name, take)]), 16000)["ovrl_mos"])
    pairs = {(a, b): float(voices[a] @ voices[b]) for i, a in enumerate(characters) for b in characters[i + 1:]}
    return similarity, closest, pairs, ovrl


if __name__ == "__main__":
    sys.exit(main())
