"""The `episode` command as a user meets it: exit codes, plain errors, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, ROOT
from episode_renderer.cli import app

runner = CliRunner()
EXAMPLE = ROOT / "examples" / "episode-01-context-windows.md"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_help_teaches():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("render", "script", "preview"):
        assert command in result.output
    render_help = run("render", "--help").output
    assert "-16 LUFS" in render_help and "--no-cache" in render_help


def test_script_json_contract():
    result = run("script", str(EXAMPLE), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["episode_number"] == 1
    kinds = {e["kind"] for e in data["events"]}
    assert {"line", "cue", "pause", "direction"} <= kinds
    assert all({"kind", "speaker", "text", "speech", "sound", "line"} <= set(e) for e in data["events"])


def test_script_table():
    result = run("script", str(EXAMPLE))
    assert result.exit_code == 0 and "whirr" in result.stdout


@pytest.mark.parametrize("content, fragment", [
    ("---\ntitle: x\n---\n{{< dialogue char=\"Kai\" >}}\nHello\n", ":4:"),
    ("---\ntitle: [broken\n---\nHi\n", ":2:"),
    ("", ":1:"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", ":1:"),
])
def test_bad_input_is_one_plain_error(tmp_path, content, fragment):
    path = tmp_path / "bad.md"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    out = tmp_path / "bad.mp3"
    result = runner.invoke(app, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"bad.md{fragment}" in result.output.replace("\n", "")
    assert not out.exists()


def test_missing_file():
    result = runner.invoke(app, ["render", "no/such/episode.md"])
    assert result.exit_code == 2 and "file not found" in result.output


def test_render_writes_mp3_and_sidecars(tmp_path):
    out = tmp_path / "short.mp3"
    result = runner.invoke(app, ["render", str(FIXTURES / "short.md"), "-o", str(out),
                                 "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".json").exists() and out.with_suffix(".vtt").exists()
    assert "LUFS" in result.output


def test_preview_text_and_line(tmp_path):
    out = tmp_path / "kai.wav"
    result = run("preview", str(EXAMPLE), "--character", "Kai", "--text", "Risk at 42%.", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 10_000 and "forty-two percent" in result.output
    line20 = tmp_path / "recurse-20.wav"
    result = run("preview", str(EXAMPLE), "-c", "Recurse", "--line", "20", "-o", str(line20), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "after about eight thousand words" in " ".join(result.output.split())
    same = tmp_path / "recurse-text.wav"
    run("preview", str(EXAMPLE), "-c", "Recurse", "--text", "All of them dropped details after about 8,000 words.",
        "-o", str(same), "--no-cache")
    line16 = tmp_path / "recurse-16.wav"
    run("preview", str(EXAMPLE), "-c", "Recurse", "--line", "16", "-o", str(line16), "--no-cache")
    assert line20.read_bytes() == same.read_bytes()  # the audio is line 20's words, not just its label
    assert line20.read_bytes() != line16.read_bytes()


def test_preview_unknown_line_is_an_error(tmp_path):
    result = runner.invoke(app, ["preview", str(EXAMPLE), "-c", "Kai", "--line", "2", "-o", str(tmp_path / "x.wav")])
    assert result.exit_code == 2 and ":2:" in result.output and "Kai has no spoken line" in result.output


def test_voices_lists_cast():
    result = run("voices", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["engines"]["piper"] == "installed"
    assert {"Human", "Recurse", "Vector", "Kai", "Bounce", "Narrator", "fallback"} <= set(data["cast"])
    assert data["cast"]["Vector"]["speed"] > data["cast"]["Recurse"]["speed"]


def test_cast_init_from_character_sheets(tmp_path):
    sheets = tmp_path / "characters"
    sheets.mkdir()
    (sheets / "zed.yaml").write_text('name: "Zed"\nvoice_style: "Rapid-fire and energetic"\n')
    (sheets / "ana.yaml").write_text('name: "Ana"\nvoice_style: "Methodical, measured"\n')
    (sheets / "notes.yaml").write_text("just: notes\n")
    target = tmp_path / "cast.toml"
    result = run("cast", "init", "--from", str(sheets), "-o", str(target))
    assert result.exit_code == 0, result.output
    from episode_renderer.tts.cast import load_cast

    cast = load_cast(target)
    assert cast.profile("Zed").speed > 1.0 > cast.profile("Ana").speed
    assert cast.profile("Zed").engine.voice == "am_puck"  # the sheet's style picks the voice
    assert cast.profile("Ana").engine.voice == "bm_daniel"
    voices = [p.engine.voice for p in cast.characters.values()]
    assert len(set(voices)) == len(voices)
    again = runner.invoke(app, ["cast", "init", "--from", str(sheets), "-o", str(target)])
    assert again.exit_code == 2 and "--force" in again.output


def test_check_reports_findings_and_estimate(tmp_path):
    script = tmp_path / "ep.md"
    script.write_text("---\ntitle: t\nepisode_number: 2\n---\n{{< dialogue char=\"Zorg\" >}}\n"
                      "*Juggles flaming torches*\nHello there, I am new here.\n{{< /dialogue >}}\n")
    (tmp_path / "broken.md").write_text("---\ntitle: [x\n---\nhi\n")
    result = runner.invoke(app, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 1
    report = {Path(r["episode"]).name: r for r in json.loads(result.stdout)}
    assert "broken.md:2:" in report["broken.md"]["error"]
    assert report["ep.md"]["no_voice"] == ["Zorg"]
    assert report["ep.md"]["unmapped"] == {"juggles flaming torches": 1}
    assert 1 < report["ep.md"]["estimated_seconds"] < 10
    assert runner.invoke(app, ["check", str(script)]).exit_code == 0
    assert runner.invoke(app, ["check", str(script), "--strict"]).exit_code == 1


def test_check_prints_the_share_of_directions_understood(tmp_path):
    script = tmp_path / "ep.md"
    script.write_text("---\ntitle: t\n---\n{{< dialogue char=\"Kai\" >}}\n*WHIRR-CLICK*\n\nHello.\n\n"
                      "*Juggles flaming torches*\n\n*gets more zany*\n\nBye.\n\n*Pauses*\n\nEnd.\n"
                      "{{< /dialogue >}}\n")
    rules = tmp_path / "directions.toml"
    rules.write_text('[words.delivery]\nzany = ["zany"]\n')
    report = json.loads(runner.invoke(app, ["check", str(script), "--json", "--rules", str(rules)]).stdout)[0]
    assert (report["directions"], report["understood"]) == (4, 3)
    result = runner.invoke(app, ["check", str(script), "--rules", str(rules)], env={"COLUMNS": "200"})
    assert "75% (3/4)" in result.stdout and "juggles flaming torches" in result.stdout
    warned = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "zany" in warned  # a delivery the cast does not define is named


def test_cues_and_unmapped(tmp_path):
    script = tmp_path / "ep.md"
    script.write_text("---\ntitle: t\n---\n{{< dialogue char=\"Kai\" >}}\n*WHIRR*\n*Juggles*\nHi.\n{{< /dialogue >}}\n")
    result = run("cues", str(script), "--json")
    rows = {r["direction"]: r for r in json.loads(result.stdout)}
    assert rows["whirr"]["sound"] == "whirr" and rows["juggles"]["status"] == "no rule"
    unmapped = run("script", str(script), "--unmapped", "--json")
    assert json.loads(unmapped.stdout) == [{"direction": "juggles", "count": 1}]


def test_ctrl_c_mid_render_leaves_nothing(tmp_path):
    """A real SIGINT while lines are being synthesized: exit 130, no MP3, no temp file.

    The signal is sent once the render says (EPISODE_PROGRESS=lines) that a line is done and others
    are not: a state, observed, however fast the machine.
    """
    import os
    import signal
    import subprocess
    import sys

    out_dir = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "episode_renderer.cli", "render", str(EXAMPLE), "-o",
                             str(out_dir / "ep.mp3"), "--no-cache"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "EPISODE_PROGRESS": "lines"})
    seen = []
    for line in proc.stderr:  # ends at EOF if the render never reports a line
        seen.append(line)
        done, _, total = line.removeprefix("synthesized ").partition(" lines")[0].partition("/")
        if line.startswith("synthesized ") and int(done) < int(total):
            break
    assert seen and seen[-1].startswith("synthesized "), "".join(seen)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, "".join(seen) + err
    assert "interrupted" in err and "Traceback" not in err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_cache_shows_and_prunes_only_what_renders_left_unused(tmp_path):
    import os

    from episode_renderer.cache_files import usage

    cache = tmp_path / "cache"
    render = ["render", str(FIXTURES / "short.md"), "-o", str(tmp_path / "a.mp3"), "--cache-dir", str(cache)]
    assert runner.invoke(app, render).exit_code == 0
    before = usage(cache)
    assert before["lines"].files > 0 and before["encoded MP3s"].files == 2 and before["levels"].files > 0
    mine = cache / "notes.txt"  # not an entry: never removed, whatever is asked
    mine.write_text("keep")
    lookalike = cache / "ab" / ("0" * 64 + ".txt")
    lookalike.parent.mkdir(exist_ok=True)
    lookalike.write_text("keep")
    long_ago = 1_000_000_000  # 2001
    for path in cache.rglob("*"):
        if path.is_file():
            os.utime(path, (long_ago, long_ago))
    assert runner.invoke(app, render).exit_code == 0  # a warm render touches every entry it uses
    result = run("cache", "--cache-dir", str(cache), "--older-than", "30")
    assert "0 removed" in result.output and usage(cache) == before
    for path in cache.rglob("*"):
        if path.is_file():
            os.utime(path, (long_ago, long_ago))
    result = run("cache", "--cache-dir", str(cache), "--older-than", "30")
    assert result.exit_code == 0 and f"{before['lines'].files} removed" in result.output
    assert all(u.files == 0 for u in usage(cache).values())
    assert mine.read_text() == "keep" and lookalike.read_text() == "keep"
    assert runner.invoke(app, render).exit_code == 0
    assert json.loads((tmp_path / "a.report.json").read_text())["lines_from_cache"] == 0
    result = run("cache", "--cache-dir", str(cache), "--clear")
    assert all(u.files == 0 for u in usage(cache).values()) and mine.exists()
    assert runner.invoke(app, ["cache", "--cache-dir", str(tmp_path / "nope")]).exit_code == 2


def test_a_render_keeps_the_cache_under_the_shows_limit(tmp_path):
    import os

    from episode_renderer.cache_files import usage

    cache = tmp_path / "cache"
    stale = []
    for n in range(12):  # 120 MB of old entries, sparse: they cost no disk
        path = cache / f"{n:02x}" / (f"{n:02x}" * 32 + ".line")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.truncate(10_000_000)
        os.utime(path, (1_000_000_000 + n, 1_000_000_000 + n))  # oldest first
        stale.append(path)
    mine = cache / "notes.txt"
    mine.write_text("keep")
    show = tmp_path / "show.toml"
    show.write_text((ROOT / "show.toml").read_text().replace("max_gb = 10", "max_gb = 0.1"))
    render = ["render", str(FIXTURES / "short.md"), "-o", str(tmp_path / "a.mp3"), "--cache-dir", str(cache),
              "--show", str(show), "--draft"]
    result = runner.invoke(app, render)
    assert result.exit_code == 0, result.output
    assert "to stay under 0.1 GB" in result.output
    assert sum(u.bytes for u in usage(cache).values()) <= 100_000_000
    assert not stale[0].exists() and not stale[1].exists() and stale[-1].exists()  # least recently used go first
    assert mine.read_text() == "keep"
    again = runner.invoke(app, render)  # what this render stored was kept: the next one is all from the cache
    assert again.exit_code == 0 and json.loads((tmp_path / "a.report.json").read_text())["lines_synthesized"] == 0


def test_the_cache_limit_is_checked_with_the_show(tmp_path):
    show = tmp_path / "show.toml"
    show.write_text((ROOT / "show.toml").read_text().replace("max_gb = 10", "max_gb = 0"))
    result = runner.invoke(app, ["render", str(FIXTURES / "short.md"), "-o", str(tmp_path / "a.mp3"),
                                 "--show", str(show), "--draft"])
    assert result.exit_code == 2 and "max_gb" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "a.mp3").exists()


def test_preview_echoes_a_long_text_shortened(tmp_path):
    text = "A fairly long sentence here. " * 12
    result = run("preview", str(FIXTURES / "short.md"), "-c", "Kai", "-t", text, "-o", str(tmp_path / "p.wav"),
                 "--no-cache", "--draft")
    assert result.exit_code == 0 and (tmp_path / "p.wav").is_file()
    assert " ..." in result.output and result.output.count("fairly long") < 12
