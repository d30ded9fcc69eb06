"""The options several commands share, declared once so their flags and help read the same everywhere."""

from __future__ import annotations

import typer

CastOpt = typer.Option(None, "--cast", help="Cast file (default: voices/cast.toml in the project).")
CuesOpt = typer.Option(None, "--cues", help="Cue file (default: sfx/cues.toml).")
RulesOpt = typer.Option(None, "--rules", help="Extra direction rules (default: directions.toml if present).")
ShowOpt = typer.Option(None, "--show", help="Show settings (default: show.toml).")
NoCacheOpt = typer.Option(False, "--no-cache", help="Synthesize every line again (and store nothing).")
CacheDirOpt = typer.Option(None, "--cache-dir", help="Where synthesized lines are kept.")
DraftOpt = typer.Option(False, "--draft", help="Fast draft voices: the Piper cast (voices/draft.toml), about "
                                               "5x faster than the default Kokoro cast, for a writer iterating.")
StemsOpt = typer.Option(False, "--stems", help="Also write <stem>.stems/ beside the MP3: a WAV per character, "
                                              "effects and music (they sum to the unmastered mix), and a DAW "
                                              "session (.otio, .rpp) with every line as a named clip.")
