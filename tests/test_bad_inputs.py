"""Bad inputs, output paths, formats and faults (issue 12): each fails with exit 2 and one clear
paragraph, before any synthesis, and leaves every file that existed exactly as it was."""

from __future__ import annotations

import errno
import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, ROOT, shared_episodes
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
    assert "Traceback" not in text
    assert result.exception is None or isinstance(result.exception, SystemExit)
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


@pytest.mark.parametrize("command", ["render", "season", "preview"])
def test_a_cache_dir_that_is_a_file_is_refused_before_any_work(script, tmp_path, command):
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    args = {"render": ["render", str(script), "-o", str(tmp_path / "ep.mp3")],
            "season": ["season", str(tmp_path), "-o", str(tmp_path / "out")],
            "preview": ["preview", str(script), "-c", "Kai", "-o", str(tmp_path / "p.wav")]}[command]
    text = fails_cleanly([*args, "--cache-dir", str(taken), "--draft"], tmp_path, names="notes.txt")
    assert "is a file" in text and "--cache-dir" in text


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("command", ["render", "season"])
def test_a_cache_dir_nothing_can_be_stored_in_is_refused_before_any_work(script, tmp_path, command):
    unstorable = "/proc/self/fdinfo"  # a folder even root cannot create a file or folder in
    args = {"render": ["render", str(script), "-o", str(tmp_path / "ep.mp3")],
            "season": ["season", str(tmp_path), "-o", str(tmp_path / "out")]}[command]
    text = fails_cleanly([*args, "--cache-dir", unstorable, "--draft"], tmp_path, names=unstorable)
    assert "cannot be kept there" in text and "--cache-dir" in text


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
    from episode_renderer.mix.loudness import Loudness

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


# --- class 7: text that would break a file format -------------------------------------------------

def _published(stem: str, number, title: str, date: str | None, description: str | None = None):
    from episode_renderer.season import Published

    return Published(stem, number, title, date, description, 1000, 60.0, -16.0, {"mp3": f"{stem}.mp3"})


def test_feed_stays_well_formed_xml_with_control_characters():
    import xml.etree.ElementTree as ET

    from episode_renderer.config import Show
    from episode_renderer.export.feed import feed_xml

    show = Show(name="Bots\x07 & Bolts", description="a\x00b", author="Ann\x1b[31m")
    xml = feed_xml(show, [_published("a", 1, "Title\x0b with\x01 bells", "2026-01-01", "desc\x08ription\uffff")])
    channel = ET.fromstring(xml).find("channel")
    assert channel.findtext("title") == "Bots & Bolts"
    assert channel.find("item").findtext("title") == "Title with bells"


def test_captions_cannot_be_forged_by_names_or_lines():
    from episode_renderer.export.transcript import srt, webvtt
    from episode_renderer.mix.layout import Layout, Segment

    evil = "Kai\n\n2\n00:00:00,000 --> 00:09:00,000\nforged"
    layout = Layout(3.0, [Segment(evil, 0.0, 1.0, "line one\n\n99\n00:00:01.000 --> 00:00:02.000\nforged too"),
                          Segment("Vector>", 1.0, 2.0, "two --> three")])
    for text, arrow_lines in ((srt(layout), 2), (webvtt(layout), 2)):
        assert sum("-->" in line for line in text.splitlines()) == arrow_lines, text
        cues = [block for block in text.strip().split("\n\n") if "-->" in block]
        assert len(cues) == 2 and all(len(c.splitlines()) == 3 for c in cues), text
    assert "<v Kai 2 00:00:00.000 -> 00:09:00.000 forged>" not in webvtt(layout)
    assert "<v Vector&gt;>" in webvtt(layout)


def _tiny_mp3(path: Path) -> Path:
    import numpy as np

    from episode_renderer.export.mp3 import write_mp3

    write_mp3(path, np.zeros(4410, dtype=np.float32))
    return path


def _chapter_starts(data: bytes) -> list[int]:
    starts = []
    at = data.find(b"CHAP")
    while at != -1:
        end = data.index(b"\0", at + 10)
        starts.append(int.from_bytes(data[end + 1:end + 5], "big"))
        at = data.find(b"CHAP", at + 4)
    return starts


def test_id3_text_has_no_nul_and_chapters_are_in_time_order(tmp_path):
    from mutagen.id3 import ID3

    from episode_renderer.export.tags import write_tags
    from episode_renderer.mix.layout import Chapter

    mp3 = _tiny_mp3(tmp_path / "t.mp3")
    chapters = [Chapter(("x" * (20 - i)) if i % 2 else f"chapter {i}, longer title", i, i + 1.0) for i in range(12)]
    write_tags(mp3, title="Part\x00Two", track=7, date=None, description="a\x00b", show="S", author=None,
               chapters=list(reversed(chapters)))
    tags = ID3(mp3)
    assert tags["TIT2"].text == ["Part Two"] and str(tags["TRCK"]) == "7"
    assert _chapter_starts(mp3.read_bytes()) == [i * 1000 for i in range(12)]


@pytest.mark.parametrize("number", [-5, 10**29, 35.5])
def test_out_of_range_or_fractional_numbers_are_no_track(tmp_path, number):
    from mutagen.id3 import ID3

    from episode_renderer.export.tags import write_tags

    mp3 = _tiny_mp3(tmp_path / "t.mp3")
    write_tags(mp3, title="t", track=number, date=None, description=None, show=None, author=None, chapters=[])
    assert "TRCK" not in ID3(mp3)


def test_cast_init_writes_valid_toml_for_any_name(tmp_path):
    import tomllib

    sheets = tmp_path / "characters"
    sheets.mkdir()
    names = ['Zed 😀', 'Ana "the quote"', "Multi\nline\n[characters.evil]", "Back\\slash\x7f", "Kai", "Kai"]
    for i, name in enumerate(names):
        (sheets / f"{i}.yaml").write_text(yaml_dump({"name": name, "voice_style": f"fast {name}"}), "utf-8")
    target = tmp_path / "cast.toml"
    result = runner.invoke(app, ["cast", "init", "--from", str(sheets), "-o", str(target)])
    assert result.exit_code == 0, result.output
    data = tomllib.loads(target.read_text("utf-8"))
    assert set(names) <= set(data["characters"]) and "evil" not in data["characters"]


def yaml_dump(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True)


# --- numbers and the feed's order -----------------------------------------------------------------

def test_feed_is_newest_first_by_date_with_unnumbered_ones_too():
    import xml.etree.ElementTree as ET

    from episode_renderer.config import Show
    from episode_renderer.export.feed import feed_xml

    episodes = [_published("a", 9, "Nine", "2026-01-01"), _published("b", None, "Special", "2026-03-01"),
                _published("c", 2, "Two", "2026-02-01T10:00:00+01:00"), _published("d", 35.5, "Half", "2026-02-15")]
    items = ET.fromstring(feed_xml(Show(), episodes)).find("channel").findall("item")
    assert [i.findtext("title") for i in items] == ["Special", "Half", "Two", "Nine"]
    half = items[1]
    assert half.findtext("{https://podcastindex.org/namespace/1.0}episode") == "35.5"
    assert half.find("{http://www.itunes.com/dtds/podcast-1.0.dtd}episode") is None


def test_two_episodes_with_one_number_keep_neither_number():
    import xml.etree.ElementTree as ET

    from episode_renderer.config import Show
    from episode_renderer.export.feed import feed_warnings, feed_xml

    episodes = [_published("a", 4, "A", "2026-01-01"), _published("b", 4, "B", "2026-01-08"),
                _published("c", 5, "C", "2026-01-15")]
    items = ET.fromstring(feed_xml(Show(), episodes)).find("channel").findall("item")
    numbers = [i.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}episode") for i in items]
    assert numbers == ["5", None, None]
    assert len(feed_warnings(episodes)) == 1 and "a, b" in feed_warnings(episodes)[0]


@pytest.mark.parametrize("front, name, number, warns", [
    ("", "episode-07-lamps.md", 7, False),
    ("episode_number: 35.5\n", "x.md", 35.5, False),
    ("episode_number: -5\n", "x.md", -5, True),
    ("episode_number: 100000000000000000000000000000\n", "x.md", 10**29, True),
    ("episode_number: lots\n", "x.md", None, True),
])
def test_episode_numbers(tmp_path, front, name, number, warns):
    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode

    path = tmp_path / name
    path.write_text(f"---\ntitle: t\n{front}---\n**[Human]:** *Hello?*\n")
    episode = load_episode(path, load_project(ROOT))
    assert episode.episode_number == number
    assert any("episode_number" in w for w in episode.warnings) == warns


# --- class 8: signals and faults ------------------------------------------------------------------

def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temp_files_of_a_killed_run_are_removed_by_the_next(tmp_path):
    import os

    out = tmp_path / "out"
    out.mkdir()
    dead = out / f".ep.{_dead_pid()}-k1ll3d.partial.mp3"
    alive = out / f".ep.{os.getpid()}-running.partial.json"  # a run still going keeps its temp file
    legacy = out / ".ep.abcd1234.partial.mp3"  # named before temp names carried a pid
    for path in (dead, alive, legacy):
        path.write_bytes(b"half")
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: [x\n---\n")
    result = runner.invoke(app, ["render", str(broken), "-o", str(out / "ep.mp3")])
    assert result.exit_code == 2 and "broken.md:2" in result.output
    assert not dead.exists() and not legacy.exists() and alive.exists()


def _unwritable(monkeypatch, folder: Path, code: int) -> None:
    """Creating files under ``folder`` fails as on a read-only or full disk (root ignores chmod)."""
    import os
    import tempfile

    def guard(real):
        def call(*args, **kwargs):
            where = kwargs.get("dir") or (args[2] if len(args) > 2 else None)
            if where is not None and Path(where).resolve().is_relative_to(folder.resolve()):
                raise OSError(code, os.strerror(code), str(where))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(tempfile, "mkstemp", guard(tempfile.mkstemp))
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", guard(tempfile.NamedTemporaryFile))


@pytest.mark.parametrize("code, says", [(errno.EROFS, "read-only"), (errno.ENOSPC, "disk is full")])
def test_unwritable_output_folder_is_one_line_before_synthesis(tmp_path, monkeypatch, code, says):
    import episode_renderer.render as render

    out = tmp_path / "out"
    out.mkdir()
    _unwritable(monkeypatch, out, code)
    monkeypatch.setattr(render, "speak_lines", lambda *a, **k: pytest.fail("synthesis started"))
    text = fails_cleanly(["render", str(SHORT), "-o", str(out / "ep.mp3")], tmp_path, names=str(out))
    assert says in text


def test_a_writer_failing_on_a_full_disk_is_a_disk_error(tmp_path, monkeypatch):
    import errno

    from episode_renderer.errors import OutputError
    from episode_renderer.export import atomic

    monkeypatch.setattr(atomic, "probe", lambda folder: OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OutputError, match="disk is full"):
        with atomic.atomic_path(tmp_path / "x.mp3") as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("Unable to write data to audio file.")  # what pedalboard says
    assert list(tmp_path.iterdir()) == []


def test_read_only_season_folder_still_shows_the_table(tmp_path, monkeypatch):
    folder = _season(tmp_path, ["ep-1.md", "ep-2.md"])
    out = tmp_path / "out"
    out.mkdir()
    _unwritable(monkeypatch, out, errno.EROFS)
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["season", str(folder), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "ep-1.md" in result.output and "failed" in result.output  # the table
    assert result.output.count("error:") == 1 and "season.json" in result.output
    assert snapshot(tmp_path) == before


MASTERING_SLOWLY = """
import sys, time
from pathlib import Path
import episode_renderer.render as render
real, marker = render._encode_within_target, Path(sys.argv[1])
def slow(mix, project, episode, tmp, *rest, **options):
    loudness = real(mix, project, episode, tmp, *rest, **options)
    marker.write_text(str(tmp))
    time.sleep(60)
    return loudness
render._encode_within_target = slow
sys.argv = ["episode", "render", *sys.argv[2:]]
from episode_renderer.cli import main
main()
"""


def test_sigterm_while_the_mp3_is_written_leaves_nothing(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out, marker = tmp_path / "out", tmp_path / "writing"
    process = subprocess.Popen([sys.executable, "-c", MASTERING_SLOWLY, str(marker), str(SHORT), "-o",
                                str(out / "ep.mp3"), "--cache-dir", str(tmp_path / "cache")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), process.communicate()[1]
    assert Path(marker.read_text()).exists()  # the temp MP3 is there while it is written
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "terminated" in err
    assert list(out.iterdir()) == []


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_season_workers_die_with_their_parent(tmp_path, how):
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "eps"
    folder.mkdir()
    example = (ROOT / "examples" / "episode-01-context-windows.md").read_text()
    for number in (1, 2):
        (folder / f"ep-{number}.md").write_text(example.replace("episode_number: 1", f"episode_number: {number}"))
    process = subprocess.Popen([sys.executable, "-m", "episode_renderer.cli", "season", str(folder), "-o",
                                str(tmp_path / "out"), "-j", "2", "--no-cache"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "EPISODE_PROGRESS": "lines"})
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 3 and time.monotonic() < deadline:  # two renderers and the progress manager
        time.sleep(0.2)
        workers = {p for p in _children(process.pid)
                   if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()} if process.poll() is None else set()
    assert len(workers) >= 2, "the season's workers never started"
    for line in process.stderr:  # the signal goes once a worker is mid-episode, as the season reports
        done = re.search(r": synthesized (\d+)/(\d+) lines", line)
        if done and int(done[1]) < int(done[2]):
            break
    else:
        pytest.fail("the season never reported a line synthesized")
    process.send_signal(getattr(signal, how))
    process.wait(timeout=60)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.2)
    alive = [p for p in workers if Path(f"/proc/{p}").exists()
             and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "orphaned season workers"
    out = tmp_path / "out"
    assert not out.exists() or not [p for p in out.iterdir() if ".partial" in p.name]


@pytest.mark.skipif(not shared_episodes(), reason="the show's scripts (../shared/episodes) are not here")
def test_script_shows_every_direction_of_the_shows_episodes(monkeypatch):
    from rich.console import Console

    import episode_renderer.cli as cli
    from episode_renderer.config import load_project
    from episode_renderer.render import load_episode

    monkeypatch.setattr(cli, "out", Console(width=2000, highlight=False))
    project = load_project(ROOT)
    for path in shared_episodes():
        result = runner.invoke(app, ["script", str(path)])
        assert result.exit_code == 0, result.output
        shown = result.output
        missing = [e.text for e in load_episode(path, project).events
                   if e.kind in ("direction", "cue") and e.text.strip() not in shown]
        assert not missing, f"{path.name}: {missing[:5]}"


def test_two_renders_keep_their_sidecars_and_a_damaged_encoding_is_redone(tmp_path):
    """The real CLI twice: sidecars per full stem; a same-size cached MP3 with a zeroed middle is re-encoded."""
    from episode_renderer.export.mp3 import read_audio

    cache = tmp_path / "cache"
    first = runner.invoke(app, ["render", str(SHORT), "-o", str(tmp_path / "show.ep1.mp3"), "--cache-dir", str(cache)])
    assert first.exit_code == 0, first.output
    (entry,) = (cache / "encoded").glob("*.mp3")
    data = bytearray(entry.read_bytes())
    data[len(data) // 4: 3 * len(data) // 4] = bytes(len(data) // 2)
    entry.write_bytes(bytes(data))
    second = runner.invoke(app, ["render", str(SHORT), "-o", str(tmp_path / "show.ep2.mp3"), "--cache-dir", str(cache)])
    assert second.exit_code == 0, second.output
    for stem in ("show.ep1", "show.ep2"):
        assert all((tmp_path / f"{stem}{suffix}").is_file()
                   for suffix in (".mp3", ".json", ".vtt", ".srt", ".chapters.json", ".report.json"))
    assert not (tmp_path / "show.json").exists()
    one, _ = read_audio(tmp_path / "show.ep1.mp3")
    two, _ = read_audio(tmp_path / "show.ep2.mp3")
    middle = slice(two.size // 3, 2 * two.size // 3)
    assert abs(one.size - two.size) < 4410 and float(abs(two[middle]).max()) > 0.01
    assert entry.read_bytes() != bytes(data)  # the damaged entry was replaced by the new encoding


def test_render_into_a_file_as_if_it_were_a_folder(script, tmp_path):
    fails_cleanly(["render", str(script), "-o", str(script / "ep.mp3")], tmp_path, names="is a file")


def test_preview_refuses_an_existing_folder(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    fails_cleanly(["preview", str(SHORT), "-c", "Kai", "--text", "Hi.", "-o", str(folder)], tmp_path,
                  names="existing folder")


def test_season_output_that_is_a_file(tmp_path):
    folder = _season(tmp_path, ["ep-1.md"])
    target = tmp_path / "out.txt"
    target.write_text("mine")
    fails_cleanly(["season", str(folder), "-o", str(target)], tmp_path, names="out.txt")


def test_season_names_whose_listen_pages_collide(tmp_path):
    folder = _season(tmp_path, ["index.md", "index-episode.md"])
    fails_cleanly(["season", str(folder), "-o", str(tmp_path / "out")], tmp_path, names="index-episode.html")
    assert not (tmp_path / "out").exists()


def test_preview_text_past_a_paragraph_is_refused_before_synthesis(script, tmp_path):
    text = "word " * 2001
    fails_cleanly(["preview", str(script), "-c", "Kai", "-t", text, "-o", str(tmp_path / "p.wav"), "--no-cache"],
                  tmp_path, names="2001 words")


def test_preview_needs_a_character_name(script, tmp_path):
    fails_cleanly(["preview", str(script), "-c", "  ", "-o", str(tmp_path / "p.wav"), "--no-cache"],
                  tmp_path, names="--character is empty")
