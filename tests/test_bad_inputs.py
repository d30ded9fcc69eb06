"""Bad inputs, output paths, formats and faults (issue 12): each fails with exit 2 and one clear
paragraph, before any synthesis, and leaves every file that existed exactly as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, ROOT
from episode_renderer.cli import app

runner = CliRunner()
SHORT = FIXTURES / "short.md"


def snapshot(*folders: Path) -> dict[Path, str]:
    """sha256 of every file under ``folders``: compared before and after a failing command."""
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def fails_cleanly(args: list[str], *folders: Path, names: str) -> str:
    """Run the CLI; assert exit 2, one paragraph naming ``names``, no traceback, nothing changed."""
    before = snapshot(*folders)
    result = runner.invoke(app, args)
    text = result.output
    assert result.exit_code == 2, text
    assert "Traceback" not in text and result.exception is None or isinstance(result.exception, SystemExit)
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    assert len(paragraphs) == 1, text
    assert names in text.replace("\n", ""), text
    assert snapshot(*folders) == before
    return text


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "s.md"
    shutil.copyfile(SHORT, path)
    return path


# --- class 2: output paths ------------------------------------------------------------------------

def test_render_refuses_to_overwrite_its_script(script, tmp_path):
    fails_cleanly(["render", str(script), "-o", str(script)], tmp_path, names="s.md")


def test_render_refuses_to_overwrite_the_cast(script, tmp_path):
    cast = tmp_path / "cast.toml"
    shutil.copyfile(ROOT / "voices" / "cast.toml", cast)
    fails_cleanly(["render", str(script), "--cast", str(cast), "-o", str(cast)], tmp_path, names="cast.toml")


def test_render_refuses_a_sidecar_over_the_show_file(script, tmp_path):
    show = tmp_path / "ep.report.json"  # an input that a sidecar of -o ep.mp3 would replace
    show.write_text("{}")
    fails_cleanly(["render", str(script), "--show", str(show), "-o", str(tmp_path / "ep.mp3")], tmp_path,
                  names="ep.report.json")


def test_render_refuses_an_existing_folder(script, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    fails_cleanly(["render", str(script), "-o", str(folder)], tmp_path, names="existing folder")


def test_sidecars_keep_the_full_stem():
    from episode_renderer.render import Outputs

    one, two = Outputs.beside(Path("o/show.ep1.mp3")), Outputs.beside(Path("o/show.ep2.mp3"))
    assert [p.name for p in one.all()] == ["show.ep1.mp3", "show.ep1.json", "show.ep1.vtt", "show.ep1.srt",
                                           "show.ep1.chapters.json", "show.ep1.report.json"]
    assert not set(one.all()) & set(two.all())


def _season(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "eps"
    folder.mkdir()
    for number, name in enumerate(names, 1):
        (folder / name).write_text(SHORT.read_text().replace("episode_number: 12", f"episode_number: {number}"))
    return folder


def test_season_names_that_collide_with_the_manifest(tmp_path):
    folder = _season(tmp_path, ["ep-1.md", "season.md"])
    fails_cleanly(["season", str(folder), "-o", str(tmp_path / "out")], tmp_path, names="season.md")
    assert not (tmp_path / "out").exists()


def test_season_names_that_collide_with_each_other(tmp_path):
    folder = _season(tmp_path, ["a.md", "a.chapters.md"])
    fails_cleanly(["season", str(folder), "-o", str(tmp_path / "out")], tmp_path, names="a.chapters.json")


def test_season_dotted_names_do_not_collide(tmp_path):
    from episode_renderer.export.paths import season_names

    names = season_names({Path("ep.1.md"): "ep.1", Path("ep.2.md"): "ep.2"})
    assert "ep.1.json" in names and "ep.2.json" in names


def test_preview_character_cannot_leave_the_output_folder(tmp_path, monkeypatch):
    from episode_renderer.export.paths import safe_name

    assert "/" not in safe_name("Kai/../../x") and not safe_name("../..").startswith(".")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["preview", str(SHORT), "-c", "Kai/../../x", "--text", "Hi."])
    assert "Traceback" not in result.output
    written = set(snapshot(tmp_path)) - set(before)
    assert all(p.parent == tmp_path / "output" for p in written), written


def test_preview_refuses_to_overwrite_its_script(script, tmp_path):
    fails_cleanly(["preview", str(script), "-c", "Kai", "--text", "Hi.", "-o", str(script)], tmp_path,
                  names="s.md")


# --- class 3: a damaged cache ---------------------------------------------------------------------

def test_encoded_cache_checks_content_not_size(tmp_path):
    from episode_renderer.export.encoded_cache import EncodedCache
    from episode_renderer.mix.master import Loudness

    cache = EncodedCache(tmp_path / "enc")
    made = tmp_path / "made.mp3"
    made.write_bytes(bytes(range(256)) * 400)
    cache.put("k", made, Loudness(-16.0, -1.5, 5.0))
    assert cache.get("k", tmp_path / "a.mp3") is not None
    entry = tmp_path / "enc" / "k.mp3"
    data = bytearray(entry.read_bytes())
    data[len(data) // 3: 2 * len(data) // 3] = bytes(len(data) // 3)
    entry.write_bytes(bytes(data))
    assert cache.get("k", tmp_path / "b.mp3") is None
    assert not entry.exists() and not (tmp_path / "enc" / "k.json").exists()


# --- class 4: text is never terminal markup -------------------------------------------------------

BRACKETS = """---
title: "Brackets [b]in[/b] a title"
episode_number: 3
---

**[Human]:** *What did you read?*

{{< dialogue char="Kai" >}}
*[slaps the whiteboard]*

I read [/r/ChatGPT] today.
{{< /dialogue >}}
"""


@pytest.mark.parametrize("command", ["script", "check", "cues"])
def test_square_brackets_are_shown_as_written(tmp_path, command):
    path = tmp_path / "b.md"
    path.write_text(BRACKETS)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if command == "script":
        assert "I read [/r/ChatGPT] today." in result.output
        assert "[slaps the whiteboard]" in result.output and "[b]in[/b]" in result.output
    if command == "cues":
        assert "[slaps the whiteboard]" in result.output


@pytest.mark.parametrize("name, text, shown", [
    ("cast.toml", '[characters.Kai]\nspeed = "fast"\n', "[characters.Kai]"),
    ("cues.toml", "[[cue]]\npattern = 5\n", "[[cue]]"),
])
def test_config_errors_keep_their_table_names(tmp_path, name, text, shown):
    config = tmp_path / name
    config.write_text(text)
    option = "--cast" if name == "cast.toml" else "--cues"
    message = fails_cleanly(["script", str(SHORT), option, str(config)], tmp_path, names=name)
    assert shown in message
