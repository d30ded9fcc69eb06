from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_EPISODES = ROOT.parent / "shared" / "episodes"
DEFAULT_CAST = ROOT / "voices" / "cast.toml"
DRAFT_CAST = ROOT / "voices" / "draft.toml"

# Tests of the pipeline (parsing, mixing, mastering, files, seasons) render with the fast Piper draft
# cast; tests of the voices themselves (test_kokoro.py, test_episode26.py) name the default cast.
os.environ["EPISODE_CAST"] = str(DRAFT_CAST)


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
