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
browser's decoding; "first sound" adds the clip's own silence before its first sample above -50 dBFS
(the studio cuts an engine's lead silence to 80 ms). Prints the median and the range of each.
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


def timed(page, server: Server, count: int) -> tuple[float, float]:
    """Click to `playing`, and click to the first sound: `playing` plus the clip's own lead silence."""
    import io

    import soundfile
    from episode_renderer.studio.hearing import lead_silence

    page.wait_for_function(f"() => window.studioTimings.length >= {count}", timeout=120_000)
    timing = page.evaluate(f"window.studioTimings[{count - 1}]")
    status, _headers, wav = server.request("GET", timing["src"].removeprefix(server.base))
    assert status == 200, status
    audio, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return timing["ms"], timing["ms"] + 1000 * lead_silence(audio) / rate


def listened(page) -> None:
    """Wait until the line being heard has played to its end (its last clip ended)."""
    page.wait_for_function("() => document.getElementById('player').ended", timeout=120_000)


def measure(cast: str, trials: int, screenshot: Path | None) -> dict[str, list[tuple[float, float]]]:
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
            timed(page, server, heard)
            listened(page)
            button.click()  # heard again: from the cache
            heard += 1
            cached.append(timed(page, server, heard))
            listened(page)
        for trial in range(trials):
            item = page.locator(".ev.kind-line").nth(trial % says.count())
            item.locator("button.edit").click()
            words = page.locator("input.words")
            words.fill(NEW_LINE.format(n=NUMBERS[trial % len(NUMBERS)] + f" {trial}"))
            words.press("Enter")
            heard += 1
            new.append(timed(page, server, heard))
            listened(page)  # as a writer does: the whole line heard before the next try
            words.press("Escape")
        if screenshot is not None:
            page.keyboard.press("Escape")
            page.locator(".ev.kind-line button.say").nth(2).click()
            heard += 1
            timed(page, server, heard)
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
            playing = [p for p, _ in figures[kind]]
            sound = [s for _, s in figures[kind]]
            print(f"{cast:8s} {kind:7s} line: first sound {statistics.median(sound):5.0f} ms "
                  f"({min(sound):.0f}-{max(sound):.0f}), playing {statistics.median(playing):5.0f} ms "
                  f"({min(playing):.0f}-{max(playing):.0f}); goal < {goal} ms", flush=True)
    if args.screenshot:
        print(f"wrote {args.screenshot}")


if __name__ == "__main__":
    main()
