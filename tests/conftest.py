from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_EPISODES = ROOT.parent / "shared" / "episodes"
DEFAULT_CAST = ROOT / "voices" / "cast.toml"
DRAFT_CAST = ROOT / "voices" / "draft.toml"

# Tests of the pipeline (parsing, mixing, mastering, files, seasons) render with the fast Piper draft
# cast; tests of the voices themselves (test_kokoro.py, test_episode26.py) name the default cast.
os.environ["EPISODE_CAST"] = str(DRAFT_CAST)


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required"]


def shared_episodes() -> list[Path]:
    return sorted(SHARED_EPISODES.glob("*.md")) if SHARED_EPISODES.is_dir() else []


@pytest.fixture
def project():
    from episode_renderer.config import load_project

    return load_project(ROOT)


@pytest.fixture(scope="session")
def default_project():
    """The project with the cast users get by default (Kokoro)."""
    from episode_renderer.config import load_project

    return load_project(ROOT, cast=DEFAULT_CAST)


@pytest.fixture(scope="session")
def session_project():
    from episode_renderer.config import load_project

    return load_project(ROOT)


#: Fixtures that make a test slow by what they start: the Kokoro model (the default cast) or Chromium.
SLOW_FIXTURES = {"default_project", "browser", "watched"}


def pytest_collection_modifyitems(items):
    """`-m "not slow"` is the quick loop: a test that loads Kokoro or drives a browser is slow."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def browser_missing(why: str) -> None:
    """Skip on a machine without the browser; fail in CI (EPISODE_REQUIRE_BROWSER=1), where it must run."""
    if os.environ.get("EPISODE_REQUIRE_BROWSER") == "1":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one for the whole session: Playwright's sync API allows
    one instance at a time, so every browser test shares this one."""
    if not Path(CHROMIUM).exists():
        browser_missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        browser_missing("Playwright's Python package is missing (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield launched
        launched.close()
