"""Publishing a season: season.json, feed.xml and the listen pages, from what ``out_dir`` holds.

Read back from the state files rather than from a run's results, so a season published after an
interrupted or partial run still lists every episode that finished.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from ..config import Project
from ..export.feed import Published
from ..export.paths import STATE_SUFFIX
from ..script.numbering import parse_number
from .freshness import read_state
from .results import EpisodeResult


def published_episodes(out_dir: Path, exclude: Iterable[str] = ()) -> list[Published]:
    """Every episode with an MP3 and a state file in ``out_dir``, minus ``exclude`` (stems that failed)."""
    from ..render import Outputs

    out_dir = Path(out_dir)
    skip = set(exclude)
    found: list[Published] = []
    for state_file in sorted(out_dir.glob(f"*{STATE_SUFFIX}")):
        stem = state_file.name[: -len(STATE_SUFFIX)]
        outputs = Outputs.beside(out_dir / f"{stem}.mp3")
        state = read_state(state_file)
        if stem in skip or state is None or not outputs.mp3.is_file():
            continue
        found.append(Published(
            stem=stem, number=parse_number(state.get("episode_number"))[0], title=str(state.get("title") or stem),
            date=state.get("date"), description=state.get("description"), bytes=outputs.mp3.stat().st_size,
            duration=float(state.get("duration_seconds") or 0.0), lufs=state.get("integrated_lufs"),
            files={name: Path(path).name for name, path in asdict(outputs).items()
                   if name != "report" and Path(path).is_file()},
        ))
    return found


def publish(out_dir: Path, project: Project, results: Iterable[EpisodeResult] = ()) -> tuple[Path, Path]:
    """Write ``season.json``, ``feed.xml`` and the listen pages for ``out_dir``; failed episodes are left out."""
    from ..export.feed import write_feed
    from ..export.site import build_site

    failed = {Path(r.file).stem for r in results if r.status == "failed"}
    written = write_feed(Path(out_dir), project.show, published_episodes(out_dir, exclude=failed))
    build_site(Path(out_dir), project)
    return written


def publish_warnings(out_dir: Path, results: Iterable[EpisodeResult] = ()) -> list[str]:
    """What the feed had to decide for the user (episode numbers two episodes share)."""
    from ..export.feed import feed_warnings

    failed = {Path(r.file).stem for r in results if r.status == "failed"}
    return feed_warnings(published_episodes(out_dir, exclude=failed))
