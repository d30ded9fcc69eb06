"""Every delivery and vocal sound of one character, side by side, to judge by ear before a render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np

from .config import Project
from .errors import ScriptError
from .export.atomic import write_text
from .export.paths import safe_name
from .preview import text_events, write_clip
from .script.model import VOCAL_LABELS
from .settings import VOCAL_KINDS
from .tts.cache import LineCache
from .tts.lines import LineSpeaker
from .audio import SAMPLE_RATE
from .tts.vocal import Vocal
from .tts.voices import Voices

#: Said in every delivery unless --text gives other words: a statement and a question, our own words.
SAMPLE = "I checked the numbers twice this morning. Did anyone tell you the deadline moved?"
Progress = Callable[[int, int, str], None]


@dataclass
class Take:
    name: str  # "plain", a delivery, or a vocal sound's label
    what: str  # how it is made, for the page
    file: str
    seconds: float


def audition(project: Project, character: str, out_dir: Path, *, cache_dir: Path | None, text: str | None = None,
             progress: Progress | None = None) -> list[Take]:
    """Write ``out_dir``/index.html and one MP3 per take: ``character`` saying ``text`` plainly and
    in every delivery the cast gives them, then each vocal sound twice (two moments, two takes)."""
    if not character.strip():
        raise ScriptError("the character is empty.", hint="Name who to audition, e.g. `episode audition Kai`.")
    name, _base = project.cast.resolve(character)
    events = text_events(text or SAMPLE, project)
    lines = [e for e in events if e.kind == "line"]
    if not lines:
        raise ScriptError("--text has no words to say.", hint="Give a sentence, e.g. --text \"We did it.\"")
    speech = " ".join(e.speech or "" for e in lines)
    deliveries = sorted(set(project.cast.deliveries) | set(project.cast.own_deliveries.get(name, {})))
    plan: list[tuple[str, str, object, str | None]] = [("plain", "the character's own voice", speech, None)]
    plan += [(d, project.cast.delivery(name, d).describe(), speech, d) for d in deliveries]  # type: ignore[union-attr]
    plan += [(f"[{VOCAL_LABELS[kind]}]", "a vocal sound in the character's voice", Vocal(kind, 1.0, f"{seed}"), None)
             for kind in VOCAL_KINDS for seed in (1, 2)]
    audio: list[np.ndarray] = []
    with Voices(project.cast.voices_dir) as voices:
        speaker = LineSpeaker(LineCache(cache_dir), voices)
        for done, (label, _what, said, delivery) in enumerate(plan):
            if progress:
                progress(done, len(plan), label)
            audio.append(speaker.speak(project.cast.profile(character, delivery), said))  # type: ignore[arg-type]
    peak = max(float(np.abs(a).max()) for a in audio if a.size) or 1.0
    gain = 10 ** (-1 / 20) / peak  # one gain for all: a whisper stays quieter than a shout
    out_dir.mkdir(parents=True, exist_ok=True)
    takes = []
    for index, ((label, what, said, _delivery), clip) in enumerate(zip(plan, audio)):
        file = f"{index:02d}-{safe_name(label, 'take')}.mp3"
        write_clip(out_dir / file, clip, gain=gain)
        takes.append(Take(label, what, file, clip.size / SAMPLE_RATE))
    if progress:
        progress(len(plan), len(plan), "page")
    write_text(out_dir / "index.html", _page(name, speech, takes))
    return takes


def _page(character: str, speech: str, takes: list[Take]) -> str:
    rows = "\n".join(
        f'<tr><th scope="row">{escape(t.name)}</th><td>{escape(t.what)}</td>'
        f'<td><audio controls preload="none" src="{escape(t.file)}" aria-label="{escape(t.name)}"></audio></td>'
        f"<td>{t.seconds:.1f} s</td></tr>" for t in takes)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Audition: {escape(character)}</title>
<style>
:root {{ color-scheme: light dark; font-family: system-ui, sans-serif; }}
body {{ max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .35rem .5rem; border-bottom: 1px solid color-mix(in srgb, currentColor 20%, transparent); }}
audio {{ height: 2rem; }}
</style>
</head>
<body>
<main>
<h1>Audition: {escape(character)}</h1>
<p>Every delivery says: <q>{escape(speech)}</q> All takes share one level, so a whisper stays quieter
than a shout.</p>
<table>
<thead><tr><th scope="col">take</th><th scope="col">how it is made</th><th scope="col">listen</th>
<th scope="col">length</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</main>
</body>
</html>
"""
