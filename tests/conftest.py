from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_EPISODES = ROOT.parent / "shared" / "episodes"


def shared_episodes() -> list[Path]:
    return sorted(SHARED_EPISODES.glob("*.md")) if SHARED_EPISODES.is_dir() else []


@pytest.fixture
def project():
    from episode_renderer.config import load_project

    return load_project(ROOT)


@pytest.fixture(scope="session")
def session_project():
    from episode_renderer.config import load_project

    return load_project(ROOT)
