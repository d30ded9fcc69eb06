"""A writer's re-render: one word of one line changed, against the cold render.

    python bench/edit.py                 # episode 26 from ../shared/episodes, else the example
    python bench/edit.py --episode FILE [--cast voices/draft.toml]

Renders a temp copy of the episode cold into a fresh cache folder, changes one word of one spoken
line (the middle one) in the copy, and renders it again with the same cache: what a writer waits
for after fixing a line. Both are real `episode render` processes. Prints cold, edited, the ratio
(target <= 0.30 with the Piper cast) and how many lines the edit synthesized.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EPISODE26 = ROOT.parent / "shared" / "episodes" / "episode-26-what-is-fine-tuning-ai-model.md"
EXAMPLE = ROOT / "examples" / "episode-01-context-windows.md"
EPISODE_CMD = [sys.executable, "-m", "episode_renderer.cli"]
_WORD = re.compile(r"\b[a-z]{5,}\b")


def render(script: Path, out: Path, cache: Path, extra: list[str]) -> tuple[float, dict]:
    """Wall seconds of one `episode render` and its report."""
    started = time.perf_counter()
    done = subprocess.run(EPISODE_CMD + ["render", str(script), "-o", str(out), "--cache-dir", str(cache), *extra],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`episode render {script.name}` failed:\n{done.stderr[-3000:]}")
    return seconds, json.loads(Path(f"{out.with_suffix('')}.report.json").read_text("utf-8"))


def edit_one_word(script: Path) -> int:
    """Change one word of the middle spoken line in place; returns its line number."""
    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode

    spoken = [e for e in load_episode(script, load_project(ROOT)).events if e.kind == "line" and e.speech]
    lines = script.read_text("utf-8").splitlines(keepends=True)
    for event in spoken[len(spoken) // 2:] + spoken:
        source = lines[event.line - 1]
        word = _WORD.search(source)
        if word:
            lines[event.line - 1] = source[:word.start()] + "honestly" + source[word.end():]
            script.write_text("".join(lines), encoding="utf-8")
            return event.line
    sys.exit(f"{script.name}: no line with a word to change")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episode", type=Path, default=EPISODE26 if EPISODE26.is_file() else EXAMPLE)
    parser.add_argument("--cast", type=Path, help="cast file (default: the project's)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="episode-edit-bench-"))
    script, cache = work / args.episode.name, work / "cache"
    shutil.copyfile(args.episode, script)
    extra = ["--cast", str(args.cast.resolve())] if args.cast else []
    cold, cold_report = render(script, work / "cold.mp3", cache, extra)
    line = edit_one_word(script)
    edited, report = render(script, work / "edited.mp3", cache, extra)
    print(f"episode: {args.episode.name} ({cold_report['duration_seconds']:.0f} s of audio)")
    print(f"cold render: {cold:.2f} s ({cold_report['lines_synthesized']} lines synthesized)")
    print(f"one-word edit at line {line}: {edited:.2f} s ({report['lines_synthesized']} line(s) synthesized, "
          f"{report['lines_from_cache']} from the cache)")
    print(f"edit / cold: {edited / cold:.2f} (target <= 0.30 with the Piper cast)")


if __name__ == "__main__":
    main()
