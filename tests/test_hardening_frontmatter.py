"""Issue 22, classes 2 and 4: front matter is parsed safely (aliases refused, nesting bounded, dates
checked by us, YAML, TOML and JSON each recognised), and an episode's files are published as one unit."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from episode_renderer.cli import app
from episode_renderer.errors import ScriptError
from episode_renderer.script import Episode, parse_episode
from episode_renderer.script.frontmatter import front_matter

runner = CliRunner()

BODY = """
{{< dialogue char="Kai" >}}
The kettle hums a little before it boils.
{{< /dialogue >}}

**[Human]:** *Then listen for the hum.*
"""


def snapshot(*folders: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def fails_cleanly(args: list[str], folder: Path, *names: str) -> str:
    """Exit 2, one paragraph naming every one of ``names``, no traceback, nothing written or changed."""
    before = snapshot(folder)
    result = runner.invoke(app, args)
    text = result.output
    assert result.exit_code == 2, text
    assert "Traceback" not in text and (result.exception is None or isinstance(result.exception, SystemExit))
    assert len([p for p in text.strip().split("\n\n") if p.strip()]) == 1, text
    flat = " ".join(text.split())
    for name in names:
        assert name in flat, (name, text)
    assert snapshot(folder) == before
    return flat


def episode(tmp_path: Path, head: str, name: str = "ep.md") -> Path:
    path = tmp_path / name
    path.write_text(head + BODY, encoding="utf-8")
    return path


def alias_bomb(levels: int = 9) -> str:
    rows = ['a0: &a0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    rows += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "---\ntitle: Bomb\n" + "\n".join(rows) + "\n---\n"


# --- class 2: front matter ------------------------------------------------------------------------

def test_a_yaml_alias_bomb_is_refused_at_its_line(tmp_path):
    script = episode(tmp_path, alias_bomb())
    text = fails_cleanly(["render", str(script), "-o", str(tmp_path / "out" / "ep.mp3")], tmp_path,
                         f"{script}:4", "alias *a0")
    assert "MemoryError" not in text and not (tmp_path / "out").exists()


def test_a_deeply_nested_front_matter_is_refused(tmp_path):
    script = episode(tmp_path, "---\ntitle: Deep\ntags: " + "[" * 3000 + "\n---\n")
    fails_cleanly(["script", str(script)], tmp_path, f"{script}:3", "levels deep")


@pytest.mark.parametrize("value", ["2026-02-30", '"2026-02-30"', "'2026-02-30'"])
def test_an_impossible_date_names_the_file_the_key_and_the_value(tmp_path, value):
    script = episode(tmp_path, f"---\ntitle: Leap\nepisode_number: 4\ndate: {value}\n---\n")
    text = fails_cleanly(["render", str(script), "-o", str(tmp_path / "out" / "ep.mp3")], tmp_path,
                         f"{script}:4", "date", "2026-02-30", "YYYY-MM-DD")
    assert "ValueError" not in text


def test_an_impossible_date_in_toml_front_matter_names_it(tmp_path):
    script = episode(tmp_path, '+++\ntitle = "Leap"\ndate = 2026-02-30\n+++\n')
    fails_cleanly(["script", str(script)], tmp_path, f"{script}:3", "date = 2026-02-30")
    script = episode(tmp_path, '+++\ntitle = "Leap"\ndate = "2026-02-30"\n+++\n', "quoted.md")
    fails_cleanly(["script", str(script)], tmp_path, f"{script}:3", "date", '"2026-02-30"')


def test_a_date_that_is_not_iso_is_an_error_not_a_lost_pubdate(tmp_path):
    script = episode(tmp_path, "---\ntitle: Words\ndate: March 3rd, 2026\n---\n")
    fails_cleanly(["script", str(script)], tmp_path, f"{script}:3", "date", "March 3rd, 2026")


def test_check_reports_a_bad_date_and_never_says_ok(tmp_path):
    script = episode(tmp_path, "---\ntitle: Leap\ndate: 2026-02-30\n---\n")
    result = runner.invoke(app, ["check", str(script), "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [report] = json.loads(result.output)
    assert "2026-02-30" in report["error"] and "estimated_seconds" not in report


@pytest.mark.parametrize("written, stored", [
    ("2026-02-03T09:00:00-05:00", "2026-02-03T09:00:00-05:00"),
    ("2026-02-17T09:00:00Z", "2026-02-17T09:00:00+00:00"),
    ('"2026-02-28"', "2026-02-28"),
    ("2026-2-3 9:00:00 -5", "2026-02-03T09:00:00-05:00"),
])
def test_valid_dates_become_one_iso_text(tmp_path, written, stored):
    script = episode(tmp_path, f"---\ntitle: Fine\ndate: {written}\n---\n")
    result = runner.invoke(app, ["script", str(script), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["date"] == stored


@pytest.mark.parametrize("head, title, number", [
    ('{\n  "title": "Braces",\n  "episode_number": 5,\n  "date": "2026-01-02"\n}\n', "Braces", 5),
    ('+++\ntitle = "Pluses"\nepisode_number = 6\ndate = 2026-01-02\n+++\n', "Pluses", 6),
], ids=["json", "toml"])
def test_json_and_toml_front_matter_are_parsed_not_spoken(tmp_path, head, title, number):
    script = episode(tmp_path, head)
    result = runner.invoke(app, ["script", str(script), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["title"], data["episode_number"], data["date"]) == (title, number, "2026-01-02")
    spoken = " ".join(e.get("text") or "" for e in data["events"])
    assert title not in spoken and '"title"' not in spoken and "title =" not in spoken
    assert min(e["line"] for e in data["events"]) > head.count("\n")


@pytest.mark.parametrize("head, line, says", [
    ('{\n  "title": "Braces",\n}\n', 3, "JSON front matter is broken"),
    ('{\n  "title": "Braces"\n', 4, "opens with '{' on line 1"),
    ('{"title": "Braces"} and then words\n', 1, "closing '}'"),
])
def test_broken_json_front_matter_is_refused_and_check_says_so(tmp_path, head, line, says):
    script = episode(tmp_path, head)
    fails_cleanly(["script", str(script)], tmp_path, f"{script}:{line}", says)
    result = runner.invoke(app, ["check", str(script), "--json"])
    assert result.exit_code == 1 and says in json.loads(result.output)[0]["error"]


def test_a_season_renders_the_others_past_an_episode_with_an_impossible_date(tmp_path):
    folder = tmp_path / "season"
    folder.mkdir()
    episode(folder, "---\ntitle: Leap\nepisode_number: 1\ndate: 2026-02-30\n---\n", "ep-01.md")
    episode(folder, "---\ntitle: Fine\nepisode_number: 2\ndate: 2026-02-28\n---\n", "ep-02.md")
    episode(folder, "---\ntitle: Bomb\nepisode_number: 3\n" + alias_bomb()[4:], "ep-03.md")
    out = tmp_path / "out"
    result = runner.invoke(app, ["season", str(folder), "-o", str(out), "-j", "1"])
    text = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "ep-01.md:4" in text and "2026-02-30" in text and "ep-03.md" in text and "alias" in text
    assert sorted(p.name for p in out.glob("*.mp3")) == ["ep-02.mp3"]
    season = json.loads((out / "season.json").read_text())
    assert [e["date"] for e in season["episodes"]] == ["2026-02-28"]
    assert "<pubDate>" in (out / "feed.xml").read_text()


# The fuzz: any front matter, of any of the three formats, is a clean parse or a ScriptError with a
# line; never another exception. Time is bounded by the input's size (at most 40 pieces of at most a
# few kB), which is why an alias bomb must be refused rather than expanded.
PIECES = st.sampled_from([
    "title: x\n", "date: 2026-02-30\n", "date: '2026-13-01'\n", "date: 2026-02-28T25:00:00\n", "date: 2026\n",
    "date: [1, 2]\n", "date:\n", "a: &a [x, x, x]\n", "b: [*a, *a, *a]\n", "c: *nope\n", "<<: *a\n",
    "d: !!python/object/apply:os.system ['true']\n", "e: !!binary aGk=\n", "f: !!timestamp 2026-02-30\n",
    "? [a, b]\n", ": c\n", "g: " + "9" * 5000 + "\n", "h: " + "[" * 60 + "\n", "i: {j: {k: {l: 1}}}\n",
    "- item\n", "  indented: 1\n", "\t", "'", '"', "{", "}", "[", "]", ",", ":", "#", "=", "\n",
    'title = "t"\n', "date = 2026-02-30\n", "date = 2026-02-28\n", "[table]\n", "[[arr]]\n", "n = 1e999\n",
    '"title": "t",\n', '"date": "2026-02-30",\n', '"date": "2026-02-28"\n', "---\n", "+++\n", "Hello there.\n",
    "{{< dialogue char=\"Kai\" >}}\n", "{{< /dialogue >}}\n", "\ufeff", "\x00", "é", "\u2028",
])
OPENERS = st.sampled_from(["---\n", "+++\n", "{\n", "{", "  ---\n", "\n\n---\n", ""])
CLOSERS = st.sampled_from(["---\n", "+++\n", "}\n", "", "}\n---\n"])
SPOKEN = "{{< dialogue char=\"Kai\" >}}\nA line to say.\n{{< /dialogue >}}\n"


def _parses_or_refuses(text: str) -> None:
    try:
        result = parse_episode(text, source="fuzz.md")
    except ScriptError as error:
        assert error.file == "fuzz.md" and isinstance(error.line, int) and error.line >= 1, error
        return
    assert isinstance(result, Episode)
    _meta, body = front_matter(text.splitlines(), "fuzz.md")
    assert all(event.line >= body for event in result.events)  # front matter is never spoken
    assert result.date is None or isinstance(result.date, str)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(OPENERS, st.lists(PIECES, max_size=40).map("".join), CLOSERS)
def test_fuzz_structured_front_matter(opener, block, closer):
    _parses_or_refuses(opener + block + closer + SPOKEN)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPENERS, st.text(max_size=400), CLOSERS)
def test_fuzz_any_text_as_front_matter(opener, block, closer):
    _parses_or_refuses(opener + block + closer + SPOKEN)


# --- class 4: an episode's files are one unit ------------------------------------------------------

SHORT = Path(__file__).parent / "fixtures" / "short.md"
SET = ("ep.mp3", "ep.json", "ep.vtt", "ep.srt", "ep.chapters.json", "ep.report.json")


@pytest.fixture
def old_set(tmp_path: Path) -> tuple[Path, Path]:
    """A script rendered once into out/ (the old set), then changed so a second render differs."""
    script = tmp_path / "ep.md"
    script.write_text(SHORT.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(script), "-o", str(out / "ep.mp3")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(SET)
    with script.open("a", encoding="utf-8") as handle:
        handle.write('\n{{< dialogue char="Kai" >}}\nA new closing line for the second render.\n{{< /dialogue >}}\n')
    return script, out


def _no_space(path: object) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.mark.parametrize("failing", [
    lambda name: name.endswith(".partial.vtt"),  # the third file written
    lambda name: name.endswith(".partial.srt"),
    lambda name: name.startswith(".ep.report."),  # the last
], ids=["vtt", "srt", "report"])
def test_a_full_disk_between_writes_leaves_the_old_set_whole(old_set, monkeypatch, failing):
    script, out = old_set
    before = snapshot(out)
    real = Path.write_text

    def write_text(self: Path, *args, **kwargs):
        if self.parent == out and failing(self.name):
            raise _no_space(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    result = runner.invoke(app, ["render", str(script), "-o", str(out / "ep.mp3")])
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "the disk is full" in text
    assert "would have replaced are as they were" in text
    assert snapshot(out) == before  # byte-identical, and no temp file or backup left beside them


def test_a_rename_failing_midway_puts_the_old_set_back(old_set, monkeypatch):
    import episode_renderer.export.fileset as fileset

    script, out = old_set
    before = snapshot(out)
    real = os.replace
    published: list[str] = []

    def replace(src, dst, *args, **kwargs):
        if Path(dst).parent == out and Path(dst).name in SET and len(published) < 3:
            published.append(Path(dst).name)
            if len(published) == 3:
                raise _no_space(dst)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(fileset.os, "replace", replace)
    result = runner.invoke(app, ["render", str(script), "-o", str(out / "ep.mp3")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "the disk is full" in " ".join(result.output.split())
    assert published == list(SET[:3])
    assert snapshot(out) == before


def test_a_successful_render_replaces_the_whole_set(old_set):
    script, out = old_set
    before = snapshot(out)
    result = runner.invoke(app, ["render", str(script), "-o", str(out / "ep.mp3")])
    assert result.exit_code == 0, result.output
    after = snapshot(out)
    assert sorted(p.name for p in after) == sorted(SET)  # no temp file or backup left
    changed = {p.name for p in after if after[p] != before.get(p)}
    assert {"ep.mp3", "ep.json", "ep.vtt", "ep.srt", "ep.report.json"} <= changed
    assert "second render" in (out / "ep.vtt").read_text() and "second render" in (out / "ep.srt").read_text()
    assert json.loads((out / "ep.report.json").read_text())["title"] == "A Short Test: Tags & Chapters"
