"""Is every character its own voice, and still intelligible?

Renders the same eight sentences (numbers, names, questions) for each character through the path
`episode preview --text` takes (to_speech -> cast.profile -> LineSpeaker, no cache), then prints:

  * per character: median F0 (Hz), pace (s of audio per word), loudness (LUFS) and peak of the raw
    lines, and Whisper WER (the clips joined with 0.6 s gaps into one WAV, transcribed by
    quality.transcribe, scored by quality.score_texts); also Human inside {{< thought >}} and
    Vector + Kai inside {{< unity-box >}} (layered as the renderer layers them), WER only;
  * the envelope distance of each voice with itself (sentences 1-4 vs 5-8), the noise floor that
    justifies measure.ENVELOPE_DISTINCT_DB;
  * per pair: |ΔF0| in semitones, envelope distance (dB) and a verdict;
  * the wall time of a cold `episode preview ... --character Kai --no-cache` subprocess;
  * with Resemblyzer and DNSMOS importable (the bench venv: `bash bench/setup-bench-venv.sh`, then
    `.venv-bench/bin/python bench/voices.py`): speaker similarity (GE2E cosine) of every pair of the six
    main characters on the same passage (target < 0.75), each character's two different passages, one
    plain and one with the *excited* delivery (target >= 0.85: one person, whatever the delivery), and
    DNSMOS OVRL of each character against the same voice without effects (target: within 0.4).

Run:  python bench/voices.py [--cast voices/draft.toml] [--only Kai,Bounce] [--no-whisper] [--no-cold]
Takes a few minutes on two cores with the Kokoro cast.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHARACTERS = ["Human", "Recurse", "Vector", "Kai", "Bounce", "Narrator", "Optimax"]
MAIN = CHARACTERS[:5]
BLOCKS = {"Human@thought": (["Human"], "thought"), "Vector+Kai@unity-box": (["Vector", "Kai"], "unity-box")}
SENTENCES = [
    "Detection risk just went up to 47%, so we should stop right now.",
    "Did you really send the report to Maria before lunch on Tuesday?",
    "There are three problems with this plan, and the second one is the worst.",
    "Version 2.5 of the model shipped with 128 new features.",
    "Wait, wait, that is not a bug, that is a feature!",
    "Why would anyone hide a password inside a picture of a cat?",
    "Professor Hudson said the budget was $1,200, not $12,000.",
    "Vector, please check the logs from the Berlin office one more time.",
]
IDENTITY = ["Human", "Recurse", "Vector", "Kai", "Bounce", "Narrator"]
GAP_S = 0.6
COLD_TEXT = "Exposure is at 12 percent and rising. Recommend we pause the upload."


def render(cast, names: list[str], block: str | None = None) -> dict[str, list[np.ndarray]]:
    """Each character's clips of SENTENCES, as `episode preview --text` makes them (no cache)."""
    from episode_renderer.script.speech import to_speech
    from episode_renderer.tts.cache import LineCache
    from episode_renderer.tts.cast import in_unison
    from episode_renderer.tts.lines import LineSpeaker
    from episode_renderer.tts.voices import Voices

    speaker = LineSpeaker(LineCache(None), Voices(cast.voices_dir))
    profiles = [cast.profile(name, block=block) for name in names]
    if block:  # several characters in one block speak together, as the renderer has them
        profiles = in_unison(profiles)
    return {name: [speaker.speak(profile, to_speech(s)) for s in SENTENCES] for name, profile in zip(names, profiles)}


def identity(cast, names: list[str]) -> list[str]:
    """Speaker similarity and DNSMOS of the main characters; returns the targets missed."""
    try:
        from resemblyzer import VoiceEncoder, preprocess_wav
        from speechmos import dnsmos
    except ImportError:
        print("\nspeaker identity: skipped (needs resemblyzer and speechmos: bash bench/setup-bench-venv.sh, then "
              ".venv-bench/bin/python bench/voices.py)")
        return []
    from dataclasses import replace

    from scipy.signal import resample_poly

    from episode_renderer.script.speech import to_speech
    from episode_renderer.tts.cache import LineCache
    from episode_renderer.tts.lines import LineSpeaker
    from episode_renderer.tts.voices import Voices
    from episode_renderer.tts.shaping import SAMPLE_RATE as RATE

    speaker = LineSpeaker(LineCache(None), Voices(cast.voices_dir))
    encoder = VoiceEncoder("cpu", verbose=False)
    first, second = SENTENCES[:4], SENTENCES[4:]

    def clip(profile, sentences) -> np.ndarray:
        return joined([speaker.speak(profile, to_speech(s)) for s in sentences], RATE)

    def embed(audio: np.ndarray) -> np.ndarray:
        return encoder.embed_utterance(preprocess_wav(audio, source_sr=RATE))

    def ovrl(audio: np.ndarray) -> float:
        return float(dnsmos.run(resample_poly(audio, 160, 441).astype(np.float32), 16000)["ovrl_mos"])

    emb, rows, missed = {}, [], []
    for name in names:
        plain = cast.profile(name)
        a, b, excited = clip(plain, first), clip(plain, second), clip(cast.profile(name, "excited"), second)
        emb[name] = embed(a)
        bare = clip(replace(plain, effects=(), gain_db=0.0), first)
        rows.append((name, float(emb[name] @ embed(b)), float(emb[name] @ embed(excited)), ovrl(a), ovrl(bare)))
    print("\nspeaker identity (Resemblyzer GE2E cosine) and DNSMOS OVRL")
    print(f"{'character':<10} {'voice':<28} {'2 passages':>10} {'excited':>8} {'OVRL':>5} {'bare':>5}")
    for name, two, exc, mos, bare_mos in rows:
        voice = cast.profile(name).engine.voice or cast.profile(name).engine.model
        print(f"{name:<10} {str(voice):<28} {two:10.2f} {exc:8.2f} {mos:5.2f} {bare_mos:5.2f}")
        if min(two, exc) < 0.85:
            missed.append(f"{name} same-person {min(two, exc):.2f} < 0.85")
        if abs(mos - bare_mos) > 0.4:
            missed.append(f"{name} OVRL {mos:.2f} vs bare {bare_mos:.2f}")
    print(f"\n{'pair':<20} similarity (target < 0.75)")
    pairs = [(a, b, float(emb[a] @ emb[b])) for a, b in itertools.combinations(names, 2)]
    for a, b, sim in sorted(pairs, key=lambda p: -p[2]):
        print(f"{a + '/' + b:<20} {sim:.2f}")
        if sim >= 0.75:
            missed.append(f"{a}/{b} similarity {sim:.2f}")
    print(f"max pair {max(p[2] for p in pairs):.2f}, median {float(np.median([p[2] for p in pairs])):.2f}")
    return missed


def layered(takes: list[np.ndarray]) -> np.ndarray:
    """Several voices at once, as render.py layers a unity-box line."""
    from episode_renderer.render import _layer

    return _layer(takes)


def loudness(clips: list[np.ndarray], rate: int) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(np.concatenate(clips).astype(np.float64)))


def whisper_wer(audio: np.ndarray, rate: int, wav: Path):
    import soundfile as sf

    from episode_renderer.quality import score_texts, transcribe

    sf.write(wav, audio, rate, subtype="PCM_16")
    heard = transcribe(wav)
    return score_texts(" ".join(SENTENCES), heard), heard


def joined(clips: list[np.ndarray], rate: int) -> np.ndarray:
    gap = np.zeros(int(GAP_S * rate), dtype=np.float32)
    parts = [part for clip in clips for part in (clip, gap)]
    audio = np.concatenate(parts[:-1])
    return audio / max(float(np.abs(audio).max()), 1e-6) * 0.9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cast", type=Path, default=ROOT / "voices" / "cast.toml")
    parser.add_argument("--only", help="comma-separated characters (default: all seven)")
    parser.add_argument("--no-whisper", action="store_true", help="skip the WER column")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold preview timing")
    parser.add_argument("--keep", type=Path, help="folder to keep each character's joined WAV in")
    args = parser.parse_args()

    from episode_renderer.tts import measure
    from episode_renderer.tts.cast import load_cast
    from episode_renderer.tts.shaping import SAMPLE_RATE as RATE

    names = args.only.split(",") if args.only else CHARACTERS
    cast = load_cast(args.cast)
    started = time.perf_counter()
    clips = render(cast, names)
    render_s = time.perf_counter() - started
    words = sum(len(s.split()) for s in SENTENCES)
    print(f"rendered {len(names)} x {len(SENTENCES)} sentences ({words} words each) in {render_s:.1f} s")

    f0, env, rows = {}, {}, {}
    print(f"\n{'character':<21} {'F0 Hz':>6} {'s/word':>7} {'LUFS':>6} {'peak':>5} {'WER':>6}  self-env dB  "
          f"self-|dF0| st")
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="voices-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    for name in names:
        audio = joined(clips[name], RATE)
        f0[name], env[name] = measure.median_f0(audio, RATE), measure.envelope(audio, RATE)
        pace = sum(measure.speech_span(c, RATE) for c in clips[name]) / words
        first, second = joined(clips[name][:4], RATE), joined(clips[name][4:], RATE)
        self_env = measure.envelope_distance(measure.envelope(first, RATE), measure.envelope(second, RATE))
        self_f0 = measure.semitones(measure.median_f0(first, RATE), measure.median_f0(second, RATE))
        peak = max(float(np.abs(c).max()) for c in clips[name])
        wer = ""
        if not args.no_whisper:
            rows[name] = whisper_wer(audio, RATE, tmp / f"{name.lower()}.wav")
            wer = f"{100 * rows[name][0].wer:5.1f}%"
        print(f"{name:<21} {f0[name]:6.1f} {pace:7.3f} {loudness(clips[name], RATE):6.1f} {peak:5.2f} {wer:>6}  "
              f"{self_env:11.2f}  {self_f0:13.2f}")
    if not args.no_whisper and not args.only:
        for label, (members, block) in BLOCKS.items():
            takes = render(cast, members, block)
            clips_here = [layered([takes[m][i] for m in members]) for i in range(len(SENTENCES))]
            rows[label] = whisper_wer(joined(clips_here, RATE), RATE, tmp / f"{label.replace('@', '-').lower()}.wav")
            print(f"{label:<21} {'':>6} {'':>7} {loudness(clips_here, RATE):6.1f} "
                  f"{max(float(np.abs(c).max()) for c in clips_here):5.2f} {100 * rows[label][0].wer:5.1f}%")

    print(f"\npairs (distinct if |dF0| >= {measure.F0_DISTINCT_SEMITONES} st or envelope > "
          f"{measure.ENVELOPE_DISTINCT_DB} dB)")
    print(f"{'pair':<20} {'|dF0| st':>9} {'env dB':>7}  verdict")
    failures = []
    for a, b in itertools.combinations(names, 2):
        ok, step, distance = measure.distinct(f0[a], f0[b], env[a], env[b])
        if not ok and a in MAIN and b in MAIN:  # Narrator and Optimax are reported; the five main ones must differ
            failures.append(f"{a}/{b}")
        print(f"{a + '/' + b:<20} {step:9.2f} {distance:7.2f}  {'distinct' if ok else 'TOO CLOSE'}")

    notes = []
    for name, (score, heard) in rows.items():
        if score.wer > 0.10:  # the blocks are reported, not judged: a unity-box's WER swings with Piper's takes
            (failures if name in CHARACTERS else notes).append(f"{name} WER {100 * score.wer:.1f}%")
            print(f"\n{name} heard: {heard.strip()}")

    if not args.only or set(names) >= set(IDENTITY):
        failures += identity(cast, [n for n in IDENTITY if n in names])

    if not args.no_cold:
        out = Path(tempfile.mkdtemp(prefix="voices-cold-")) / "x.wav"
        command = [str(Path(sys.executable).with_name("episode")), "preview",
                   str(ROOT / "examples" / "episode-01-context-windows.md"), "--character", "Kai",
                   "--text", COLD_TEXT, "--no-cache", "-o", str(out), "--cast", str(args.cast)]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        cold = time.perf_counter() - started
        status = "ok" if done.returncode == 0 and out.is_file() else f"FAILED rc={done.returncode} {done.stderr[-300:]}"
        print(f"\ncold `episode preview --character Kai --text ... --no-cache`: {cold:.2f} s ({status}; target < 5 s)")
        if status != "ok" or cold >= 5.0:
            failures.append(f"cold preview {cold:.1f} s {status}")

    checked = ["main pairs distinct"] + ([] if args.no_whisper else ["every character's WER <= 10%"]) + \
        ([] if args.no_cold else ["cold preview < 5 s"])
    print("\nverdict:", ", ".join(checked) if not failures else "; ".join(failures))
    if notes:
        print("note:", "; ".join(notes))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
