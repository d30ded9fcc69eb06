"""The studio's loop, timed in the browser: click a line, hear it.

    python bench/studio.py                       # the default (Kokoro) cast, then the draft cast
    python bench/studio.py --cast draft --screenshot docs/studio.png
    python bench/studio.py --trials 7

For each cast, a real `episode studio` process serves a temp project (the cast copied in, the
example episode) and Debian's Chromium (Playwright) drives the page, after the voices are warm:

* cached line: a spoken line is clicked once (its clips made and kept in the line cache), then
  clicked again; the second click is timed. That is also what a line rendered before costs.
* new line: a line's words are replaced by a new sentence of 15 words (never said before: it
  carries the trial's number) and "Hear edit" is pressed, as a writer trying new words does.

The time is the page's own: from the click handler (performance.now()) to the audio element's
`playing` event, so it includes the request, synthesis of the first clip, the WAV transfer and the
browser's decoding. Prints the median and the range of each.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from studio_helpers import Server, studio  # noqa: E402

CASTS = {"default": ROOT / "voices" / "cast.toml", "draft": ROOT / "voices" / "draft.toml"}
EXAMPLE = ROOT / "examples" / "episode-01-context-windows.md"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
NEW_LINE = "The lamp in room {n} stayed on all night, so we counted the moths."


def project(base: Path, cast: Path) -> Path:
    root = base / "project"
    (root / "voices").mkdir(parents=True)
    (root / "episodes").mkdir()
    shutil.copy(cast, root / "voices" / "cast.toml")
    shutil.copy(ROOT / "voices" / "lexicon.toml", root / "voices" / "lexicon.toml")
    shutil.copy(EXAMPLE, root / "episodes" / EXAMPLE.name)
    return root


def wait_warm(server: Server) -> None:
    while not server.api("GET", "/api/render")["warm"]:
        time.sleep(0.1)


def timed(page, count: int) -> float:
    page.wait_for_function(f"() => window.studioTimings.length >= {count}", timeout=120_000)
    return page.evaluate(f"window.studioTimings[{count - 1}].ms")


def measure(cast: str, trials: int, screenshot: Path | None) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, studio(project(Path(tmp), CASTS[cast]), cache=Path(tmp) / "cache") \
            as server, sync_playwright() as playwright:
        wait_warm(server)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(viewport={"width": 1280, "height": 860}, color_scheme="light")
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]")
        says = page.locator(".ev.kind-line button.say")
        heard, cached, new = 0, [], []
        for trial in range(trials):
            button = says.nth(trial % says.count())
            button.click()  # made (and kept in the cache)
            heard += 1
            timed(page, heard)
            button.click()  # heard again: from the cache
            heard += 1
            cached.append(timed(page, heard))
        for trial in range(trials):
            item = page.locator(".ev.kind-line").nth(trial % says.count())
            item.locator("button.edit").click()
            words = page.locator("input.words")
            words.fill(NEW_LINE.format(n=NUMBERS[trial % len(NUMBERS)] + f" {trial}"))
            words.press("Enter")
            heard += 1
            new.append(timed(page, heard))
            words.press("Escape")
        if screenshot is not None:
            page.keyboard.press("Escape")
            page.locator(".ev.kind-line button.say").nth(2).click()
            heard += 1
            timed(page, heard)
            page.locator(".ev.kind-line").nth(3).locator("button.edit").click()
            page.locator("input.words").fill("That's the context window! It only ever sees so much text at once!")
            page.locator("#character").select_option("Vector")
            page.screenshot(path=str(screenshot))
        browser.close()
        return {"cached": cached, "new": new}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cast", choices=["default", "draft", "both"], default="both")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--screenshot", type=Path, help="write a screenshot of the page (taken with the draft cast)")
    args = parser.parse_args()
    casts = ["default", "draft"] if args.cast == "both" else [args.cast]
    words = len(re.findall(r"\w+", NEW_LINE.format(n="one 1")))
    print(f"click to first sound, {args.trials} trials each (median, range); the new line is {words} words")
    for cast in casts:
        shot = args.screenshot if args.screenshot and cast == casts[-1] else None
        figures = measure(cast, args.trials, shot)
        for kind, goal in (("cached", 300), ("new", 1500)):
            values = figures[kind]
            print(f"{cast:8s} {kind:7s} line: {statistics.median(values):6.0f} ms "
                  f"({min(values):.0f}-{max(values):.0f}), goal < {goal} ms", flush=True)
    if args.screenshot:
        print(f"wrote {args.screenshot}")


if __name__ == "__main__":
    main()
