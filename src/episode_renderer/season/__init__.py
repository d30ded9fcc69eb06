"""A whole season: find the episodes in a folder, render the stale ones in parallel, publish.

One module per job, data flowing one way: ``discovery`` (which files are episodes) and
``freshness`` (fingerprints and state files) know nothing of the rest; ``pool`` renders with
both; ``publishing`` reads back what finished, through ``freshness``, never through the pool.
``results`` is what a run reports, shared by the pool, the cluster and publishing.
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
from .pool import EPISODE_WORKERS, Job, plan_season, render_season
from .publishing import Published, publish, publish_warnings, published_episodes
from .results import EpisodeResult, SeasonEvent, SeasonProgress

__all__ = [
    "EPISODE_WORKERS", "MAX_ONLY_PARTS", "EpisodeResult", "FrontMatter", "Job", "Only", "Published", "SeasonEvent",
    "SeasonProgress", "find_episodes", "fingerprint", "is_current", "outputs_for", "parse_only", "plan_season",
    "project_fingerprint", "publish", "publish_warnings", "published_episodes", "read_front_matter", "read_state",
    "render_season", "state_path", "state_record", "voice_identity",
]
