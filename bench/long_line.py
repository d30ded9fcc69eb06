"""Peak memory of a render whose one line is 2,000 words without punctuation; prints one line per cast.

    python bench/long_line.py            # the default (Kokoro) cast and the --draft (Piper) cast
    python bench/long_line.py --draft    # only the draft cast

Long lines reach the engine in pieces of at most 400 characters, so the peak should not depend on
the line's length (target: under 1.5 GB with the Piper draft cast, 2 GB with Kokoro, whose session
alone holds 0.6-1 GB). Each render is its own process, measured by /usr/bin/time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the model reads every token in the window and weighs each one against the others before it "
         "answers so a longer window costs more memory and more time").split()


def script(words: int) -> str:
    line = " ".join(WORDS[i % len(WORDS)] for i in range(words))
    return (f'---\ntitle: "Long line"\nepisode_number: 1\n---\n\n'
            f'{{{{< dialogue char="Kai" >}}}}\n{line}\n{{{{< /dialogue >}}}}\n')


def peak(args: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "episode_renderer.cli", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"render failed:\n{done.stderr[-2000:]}")
    return int(done.stderr.strip().splitlines()[-1]) / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draft", action="store_true", help="only the Piper draft cast")
    parser.add_argument("--words", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="episode-long-"))
    path = work / "long.md"
    path.write_text(script(args.words))
    for name, flags, target in ([("draft (Piper)", ["--draft"], 1500)] if args.draft else
                                [("default (Kokoro)", [], 2000), ("draft (Piper)", ["--draft"], 1500)]):
        mb, seconds = peak(["render", str(path), "-o", str(work / "long.mp3"), "--no-cache", *flags])
        print(f"{args.words}-word line, {name} cast: peak memory {mb:.0f} MB in {seconds:.0f} s (target < {target} MB)")


if __name__ == "__main__":
    main()
