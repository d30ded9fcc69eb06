"""The same season rendered by the local pool (-j 2) and by a local two-worker Dask cluster.

    python bench/season_cluster.py                 # 4 episodes of about a minute, the --draft (Piper) cast
    python bench/season_cluster.py --kokoro        # the default (Kokoro) cast: slower, the real workload
    python bench/season_cluster.py --episodes 6 --repeat 3

Prints both wall times (median of --repeat, alternating local and cluster), the cluster's overhead
(target: at most 5%) and the bytes that crossed the network per episode (files sent to the cluster
plus the outputs that came back). Every run starts from empty line caches, and the cluster is
started afresh before each of its runs (not timed), so neither side reuses a loaded model or a line.
Both run in this process through ``render_season``, the code path of ``episode season``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SPEAKERS = ("Kai", "Vector", "Recurse", "Bounce")
LINES = (
    "The context window is the part of the conversation the model can still see.",
    "Everything outside it is gone, as if it had never been said at all.",
    "So a longer window costs more memory, and every extra token costs a little time.",
    "We could summarise the old turns, but a summary forgets the details that mattered.",
    "Retrieval brings back the few passages that answer this question, and only those.",
    "Then the question becomes which passages, and who decides what is relevant.",
)


def episode(number: int, turns: int) -> str:
    """About ten seconds of speech per turn; cues and deliveries so the mix does real work."""
    parts = [f'---\ntitle: "Bench {number}"\ndate: 2026-03-{number:02d}\nepisode_number: {number}\n---\n']
    for turn in range(turns):
        speaker = SPEAKERS[(turn + number) % len(SPEAKERS)]
        first, second = LINES[(turn + number) % len(LINES)], LINES[(turn + 2 * number + 1) % len(LINES)]
        cue = "*soft chime*\n\n" if turn % 3 == 0 else ""
        parts.append(f"**[Human]:** *Question {turn + 1}: what happens next?*\n\n"
                     f'{{{{< dialogue char="{speaker}" >}}}}\n{cue}{first} {second}\n{{{{< /dialogue >}}}}\n')
    return "\n".join(parts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalCluster:
    """`dask scheduler` and two `dask worker --nthreads 1` processes, each worker with its own caches."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        from distributed import Client

        dask = str(Path(sys.executable).with_name("dask"))
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []
        folder.mkdir(parents=True, exist_ok=True)
        self._start([dask, "scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1],
                     "--no-dashboard"], folder / "scheduler.log", dict(os.environ))
        from episode_renderer.tts.kokoro import models_dir

        for index in range(workers):
            home = folder / f"w{index}"
            shared = home / "cache" / "episode-renderer"
            shared.mkdir(parents=True)
            (shared / "models").symlink_to(models_dir(), target_is_directory=True)  # joined once, as locally
            self._start([dask, "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                         "--memory-limit", "0", "--name", f"w{index}"], folder / f"w{index}.log",
                        {**os.environ, "XDG_CACHE_HOME": str(home / "cache"),
                         "EPISODE_CLUSTER_DIR": str(home / "files")})
        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)

    def _start(self, command: list[str], log: Path, env: dict[str, str]) -> None:
        # In this process's session, like the local pool's processes: with Linux's autogroup
        # scheduling a session of its own would get its own CPU share on a busy machine.
        with open(log, "wb") as handle:
            self.processes.append(subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env))

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def render(folder: Path, out: Path, cast: Path, cache: Path, scheduler: str | None) -> float:
    from episode_renderer.config import load_project
    from episode_renderer.season import render_season

    project = load_project(ROOT, cast=cast)
    started = time.perf_counter()
    results = render_season(folder, out, project, jobs=2, cache_dir=cache, config={"cast": cast},
                            scheduler=scheduler)
    seconds = time.perf_counter() - started
    failed = [r for r in results if r.status != "rendered"]
    if failed:
        sys.exit(f"render failed: {failed[0].error}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kokoro", action="store_true", help="the default Kokoro cast instead of the draft cast")
    parser.add_argument("--episodes", type=int, default=4)
    parser.add_argument("--turns", type=int, default=6, help="turns per episode (about 10 s of speech each)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    from episode_renderer.season import cluster

    cast = ROOT / "voices" / ("cast.toml" if args.kokoro else "draft.toml")
    work = Path(tempfile.mkdtemp(prefix="season-cluster-bench-"))
    try:
        folder = work / "episodes"
        folder.mkdir()
        for number in range(1, args.episodes + 1):
            (folder / f"bench-{number:02d}.md").write_text(episode(number, args.turns), encoding="utf-8")
        local_times: list[float] = []
        cluster_times: list[float] = []
        for run in range(args.repeat):
            for side in ("local", "cluster") if run % 2 == 0 else ("cluster", "local"):  # neither always first
                if side == "local":
                    local_times.append(render(folder, work / f"local-{run}", cast, work / f"local-cache-{run}", None))
                    continue
                running = LocalCluster(work / f"cluster-{run}")
                try:
                    cluster_times.append(render(folder, work / f"cluster-out-{run}", cast, work / f"unused-{run}",
                                                running.address))
                finally:
                    running.stop()
            print(f"run {run + 1}: local -j 2 {local_times[-1]:.1f} s, cluster {cluster_times[-1]:.1f} s", flush=True)
        local, remote = statistics.median(local_times), statistics.median(cluster_times)
        moved = cluster.LAST_TRANSFER
        mp3 = sum(p.stat().st_size for p in (work / f"cluster-out-{args.repeat - 1}").glob("*.mp3"))
        print(f"cast: {cast.name}, {args.episodes} episodes of {args.turns} turns")
        print(f"local pool (-j 2):        {local:.1f} s")
        print(f"local cluster (2 workers): {remote:.1f} s")
        print(f"overhead: {100 * (remote / local - 1):+.1f}% (target: at most +5%)")
        print(f"network per episode: {moved.per_episode / 1024:.0f} KiB: the client sent "
              f"{moved.sent / 1024:.0f} KiB in all (each file once; a file then reaches each worker at most once) "
              f"and received {moved.received / 1024:.0f} KiB (MP3s {mp3 / 1024:.0f} KiB, the rest sidecars)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
