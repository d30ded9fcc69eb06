"""Parser speed: how long the longest episode takes to parse (target: well under a second).

    python bench/parse.py [EPISODE.md ...]     # default: every episode in ../shared/episodes, else the example
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from episode_renderer.config import load_project
    from episode_renderer.script import parse_episode

    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT.parent / "shared" / "episodes").glob("*.md")) or \
        [ROOT / "examples" / "episode-01-context-windows.md"]
    project = load_project(ROOT)
    longest = max(paths, key=lambda p: p.stat().st_size)
    text = longest.read_text("utf-8")
    parse_episode(text, source=longest.name, rules=project.rules)
    runs = []
    for _ in range(20):
        started = time.perf_counter()
        episode = parse_episode(text, source=longest.name, rules=project.rules)
        runs.append(time.perf_counter() - started)
    lines = len(text.splitlines())
    print(f"longest episode: {longest.name} ({lines} lines, {len(episode.events)} events)")
    print(f"parse time: median {statistics.median(runs) * 1000:.1f} ms, max {max(runs) * 1000:.1f} ms")
    print(f"parse time / 1 s budget: {statistics.median(runs):.4f}")


if __name__ == "__main__":
    main()
