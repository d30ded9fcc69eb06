"""Season speed: `episode season -j N` against the same episodes rendered one after another.

    python bench/season.py                   # the shared episodes (../shared/episodes), -j 2
    python bench/season.py --only 26,30,46   # a subset, while developing
    python bench/season.py --jobs 3 FOLDER [--cast FILE]

What a producer would otherwise do is render the episodes one by one with plain `episode render`,
each of which already uses every core; so that, not a one-job season, is the baseline. Both sides
are real processes with --no-cache (every line synthesized) and fresh output folders. Prints both
times and their ratio (sequential / season: above 1 means the season is faster).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "episodes"
EPISODE_CMD = [sys.executable, "-m", "episode_renderer.cli"]


def timed(args: list[str]) -> float:
    """Wall seconds of one `episode` process; a failure stops the bench with its output."""
    started = time.perf_counter()
    done = subprocess.run(EPISODE_CMD + args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"`episode {' '.join(args)}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=SHARED)
    parser.add_argument("--jobs", "-j", type=int, default=2, help="episodes at once in the season (default 2)")
    parser.add_argument("--only", help="episode numbers, as `episode season --only` takes them")
    parser.add_argument("--cast", type=Path, help="cast file for both sides (default: the project's)")
    args = parser.parse_args()
    from episode_renderer.season import find_episodes, parse_only

    only = parse_only(args.only) if args.only else None
    episodes = find_episodes(args.folder, include_drafts=True, only=only)
    if not episodes:
        sys.exit(f"no episodes in {args.folder}")
    work = Path(tempfile.mkdtemp(prefix="episode-season-bench-"))
    selection = ["--only", args.only] if args.only else []
    cast = ["--cast", str(args.cast.resolve())] if args.cast else []
    print(f"{len(episodes)} episodes from {args.folder}  cores: {os.cpu_count()}", flush=True)

    sequential = sum(timed(["render", str(path), "-o", str(work / "one-by-one" / f"{path.stem}.mp3"),
                            "--no-cache", *cast]) for path in episodes)
    print(f"one after another (`episode render --no-cache` each): {sequential:.1f} s", flush=True)
    season = timed(["season", str(args.folder), "-o", str(work / "season"), "--jobs", str(args.jobs), "--no-cache",
                    "--include-drafts", *selection, *cast])
    print(f"`episode season -j {args.jobs} --no-cache`: {season:.1f} s", flush=True)
    print(f"season speed-up over one after another: {sequential / season:.2f}x (target >= 1.0, aim 1.1)")


if __name__ == "__main__":
    main()
