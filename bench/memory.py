"""Peak memory per episode: each shared episode rendered cold in its own process.

    python bench/memory.py                  # every episode in ../shared/episodes
    python bench/memory.py EPISODE.md ...   # just these
    python bench/memory.py --cast voices/draft.toml   # another cast

Each render is a fresh `episode render --no-cache` under `/usr/bin/time -v`, so the figure is the
kernel's "Maximum resident set size" of that one process: nothing carried over from another render,
nothing shared with this script. Prints one line per episode and the largest.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "episodes"
#: Targets by the heaviest engine in the cast: a Kokoro session holds 0.6-1 GB on its own.
TARGET_MB = {"piper": 1500, "coqui": 1500, "kokoro": 2000}
_PEAK = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")


def peak_rss(episode: Path, out: Path, extra: list[str]) -> tuple[float, float, float]:
    """(peak RSS in MB, wall seconds, audio seconds) of one cold `episode render` process."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "episode_renderer.cli", "render", str(episode),
               "-o", str(out), "--no-cache", *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _PEAK.search(done.stderr)
    if done.returncode != 0 or not found:
        sys.exit(f"`episode render {episode.name}` failed:\n{done.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*?:\s*(?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    seconds = 0.0
    if wall:
        hours, minutes, secs = wall.groups()
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    report = json.loads(Path(f"{out.with_suffix('')}.report.json").read_text("utf-8"))
    return int(found.group(1)) / 1024, seconds, float(report["duration_seconds"])


def target_mb(cast_path: Path) -> int:
    """The peak-memory target of the cast's heaviest engine."""
    from episode_renderer.tts.cast import load_cast

    engines = {profile.engine.engine for profile in load_cast(cast_path).characters.values()}
    return max(TARGET_MB.get(engine, 1500) for engine in engines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episodes", nargs="*", type=Path, help="episode .md files (default: ../shared/episodes)")
    parser.add_argument("--cast", type=Path, help="cast file for `episode render --cast` (default: the project's)")
    args = parser.parse_args()
    episodes = args.episodes or sorted(SHARED.glob("*.md"))
    if not episodes:
        sys.exit(f"no episodes given and {SHARED} is not here")
    work = Path(tempfile.mkdtemp(prefix="episode-memory-"))
    largest = 0.0
    cast = ["--cast", str(args.cast.resolve())] if args.cast else []
    target = target_mb(args.cast or ROOT / "voices" / "cast.toml")
    for episode in episodes:
        mb, seconds, audio = peak_rss(episode, work / f"{episode.stem}.mp3", cast)
        largest = max(largest, mb)
        print(f"{episode.name}: peak RSS {mb:.0f} MB ({audio / 60:.1f} min of audio, render {seconds:.1f} s)",
              flush=True)
    print(f"largest: {largest:.0f} MB (target < {target})")


if __name__ == "__main__":
    main()
