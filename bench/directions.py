"""Share of stage directions the rules understand, on the held-out episodes (never tuned on).

    python bench/directions.py [--all] [FOLDER]   # default: ../shared/episodes; --all adds the tuning set

The split is the one written down in tests/test_directions_heldout.py. A direction is understood
when a specific rule (sound, pause, interruption, delivery, recognised action) matches it; "silent"
counts directions that name a sound word and place none (the target is 0).

Host directions: of the italic lines in the host's voice (a host marker's italics and the italic
paragraphs after it), those a person labelled a direction about the host (HOST_DIRECTIONS there)
against those the parser read as one (recall), speech it read as a direction (the target is none),
and lines holding a question whose question is not spoken (the target is 0).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from test_directions_heldout import HELD_OUT, TUNING, HostCount, measure_host

    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode
    from episode_renderer.script.coverage import Coverage, coverage

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    folder = Path(args[0]) if args else ROOT.parent / "shared" / "episodes"
    project = load_project(ROOT)
    sets = [("held-out", HELD_OUT)] + ([("tuning", TUNING)] if "--all" in sys.argv else [])
    for label, numbers in sets:
        total = Coverage()
        host = HostCount()
        for path in sorted(folder.glob("*.md")):
            if path.name.split("-")[1] not in numbers:
                continue
            result = coverage(load_episode(path, project), project.rules)
            total = total.add(result)
            host = host.add(measure_host(path, project))
            print(f"{label} {path.name}: {result.understood}/{result.total} understood "
                  f"({result.share:.1%}), silent sound words {len(result.silent)}")
        print(f"{label} total: {total.understood}/{total.total} = {total.share:.1%} understood "
              f"(target >= 90%), silent sound words {len(total.silent)}")
        print(f"{label} host italic lines: {host.lines}, directions about the host {host.directions}, "
              f"read as directions {host.caught}/{host.directions}"
              + (f" = {host.caught / host.directions:.1%}" if host.directions else "")
              + f"; speech read as a direction {len(host.silenced)} {host.silenced or ''}; "
              f"questions {host.questions}, not spoken {len(host.questions_silenced)} {host.questions_silenced or ''}")


if __name__ == "__main__":
    main()
