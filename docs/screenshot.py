"""Screenshot a listen page with the headless Chromium the tests use (for the README's picture).

    episode season examples -o output/example
    python docs/screenshot.py output/example/episode-01-context-windows.html docs/listen-page.png

The player is moved into the third line of the transcript, so the picture shows a line being heard.
Needs Debian's ``chromium`` and Playwright's Python package (``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def screenshot(page_path: Path, target: Path, width: int = 960, height: int = 1200, line: int = 2,
               scheme: str = "light") -> None:
    """Open ``page_path`` from disk, mark transcript line ``line`` (0-based) as heard, save a PNG."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme,
                                device_scale_factor=1, reduced_motion="reduce")
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        page.evaluate("""line => {
            const segment = document.querySelectorAll('#transcript [data-end]')[line];
            document.getElementById('player').currentTime = (+segment.dataset.start + +segment.dataset.end) / 2;
        }""", line)
        page.wait_for_function("document.querySelector('[aria-current=\"true\"]')")
        page.evaluate("window.scrollTo(0, 0)")
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="an episode page written by `episode season` or `episode site`")
    parser.add_argument("target", type=Path, help="the PNG to write")
    parser.add_argument("--width", type=int, default=960)
    parser.add_argument("--height", type=int, default=1200)
    parser.add_argument("--line", type=int, default=2, help="transcript line shown as being heard (0-based)")
    parser.add_argument("--dark", action="store_true", help="the dark theme")
    options = parser.parse_args()
    screenshot(options.page, options.target, options.width, options.height, options.line,
               "dark" if options.dark else "light")
    print(f"wrote {options.target}")


if __name__ == "__main__":
    main()
