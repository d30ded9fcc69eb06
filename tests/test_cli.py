"""The `episode` command as a user meets it: exit codes, plain errors, outputs."""

from __future__ import annotations

import json

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
    out2 = tmp_path / "recurse.wav"
    result = run("preview", str(EXAMPLE), "-c", "Recurse", "--line", "20", "-o", str(out2))
    assert result.exit_code == 0, result.output
    assert out2.exists()


def test_preview_unknown_line_is_an_error(tmp_path):
    result = runner.invoke(app, ["preview", str(EXAMPLE), "-c", "Kai", "--line", "2", "-o", str(tmp_path / "x.wav")])
    assert result.exit_code == 2 and ":2:" in result.output and "Kai has no spoken line" in result.output
