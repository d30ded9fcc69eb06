"""A whole season: find the episodes in a folder, render the stale ones in parallel, publish.

One module per job, data flowing one way: ``discovery`` (which files are episodes) and
``freshness`` (fingerprints and state files) know nothing of the rest; ``jobs`` renders one
episode in a worker; ``pool`` runs jobs on local processes, ``cluster`` on Dask (``remote`` is the
worker's side); ``runner`` plans a season with discovery and freshness and hands its jobs to one of them;
``publishing`` reads back what finished, through ``freshness``, never through the runner.
``results`` is what a run reports, shared by all of them.
"""

from .discovery import MAX_ONLY_PARTS, FrontMatter, Only, find_episodes, parse_only, read_front_matter
from .freshness import (
    fingerprint,
    is_current,
    outputs_for,
    project_fingerprint,
    read_state,
    state_path,
    state_record,
    voice_identity,
)
from .jobs import EPISODE_WORKERS, Job
from .publishing import Published, publish, publish_warnings, published_episodes
from .results import EpisodeResult, SeasonEvent, SeasonProgress
from .runner import plan_season, render_season

__all__ = [
    "EPISODE_WORKERS", "MAX_ONLY_PARTS", "EpisodeResult", "FrontMatter", "Job", "Only", "Published", "SeasonEvent",
    "SeasonProgress", "find_episodes", "fingerprint", "is_current", "outputs_for", "parse_only", "plan_season",
    "project_fingerprint", "publish", "publish_warnings", "published_episodes", "read_front_matter", "read_state",
    "render_season", "state_path", "state_record", "voice_identity",
]
