"""Issue 22, classes 1 and 7: paths that are not regular files, and degrading instead of failing.

Inputs are read only from regular files and never past a bound, whatever stat() says; a FIFO never
blocks (those cases run the CLI in a subprocess, so a regression fails the test instead of hanging
the suite). Outputs never replace a device, FIFO or socket. A cache that fills up mid-render costs
one warning, not the render; a season names the .md files it cannot read; UTF-16 scripts and
unclosed shortcodes are named for what they are.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DRAFT_CAST, FIXTURES, ROOT
from episode_renderer.cli import app

runner = CliRunner()
SHORT = FIXTURES / "short.md"
#: Only a guard against a regression that blocks: every command here ends in seconds.
HANG_GUARD = 300


def snapshot(*folders: Path) -> dict[Path, str]:
    """sha256 of every regular file under ``folders`` (FIFOs and devices are never opened)."""
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*"))
            if not p.is_symlink() and p.is_file()}


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in Path(folder).rglob("*")}


def one_paragraph(text: str) -> None:
    assert "Traceback" not in text, text
    assert len([p for p in text.strip().split("\n\n") if p.strip()]) == 1, text


def fails_cleanly(args: list[str], *folders: Path, names: str) -> str:
    """The CLI in-process: exit 2, one paragraph naming ``names``, no traceback, nothing changed."""
    before, listing = snapshot(*folders), [tree(f) for f in folders]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    one_paragraph(result.output)
    assert names in result.output.replace("\n", ""), result.output
    assert snapshot(*folders) == before and [tree(f) for f in folders] == listing
    return result.output


def run_cli(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real `episode` command in a process of its own (a FIFO that blocked would block only it)."""
    env = {**os.environ, "EPISODE_CAST": str(DRAFT_CAST), "COLUMNS": "300"}
    return subprocess.run([sys.executable, "-m", "episode_renderer.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=HANG_GUARD, stdin=subprocess.DEVNULL)


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "s.md"
    shutil.copyfile(SHORT, path)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# --- class 1: inputs that are not regular files -----------------------------------------------------

@pytest.mark.parametrize("command", ["render", "script", "preview", "cues", "check"])
def test_a_fifo_script_is_refused_without_hanging(tmp_path, command):
    fifo = _fifo(tmp_path / "ep.md")
    args = {"render": ["render", str(fifo), "-o", str(tmp_path / "out" / "ep.mp3")],
            "script": ["script", str(fifo)],
            "preview": ["preview", str(fifo), "-c", "Kai", "-o", str(tmp_path / "p.wav")],
            "cues": ["cues", str(fifo)],
            "check": ["check", str(fifo)]}[command]
    result = run_cli(args)
    text = result.stdout + result.stderr
    assert result.returncode == (1 if command == "check" else 2), text  # check lists a broken script, exits 1
    assert "Traceback" not in text
    assert "named pipe (FIFO)" in " ".join(text.split()) and "ep.md" in text
    assert tree(tmp_path) == {"ep.md"}


@pytest.mark.parametrize("target", ["/dev/zero", "link"])
def test_a_device_as_script_is_refused_at_once(tmp_path, target):
    script = Path(target)
    if target == "link":
        script = tmp_path / "ep.md"
        script.symlink_to("/dev/zero")
    text = fails_cleanly(["script", str(script)], tmp_path, names=str(script))
    assert "character device, not a regular file" in text.replace("\n", " ")


def test_a_link_loop_is_named_as_one(tmp_path):
    loop = tmp_path / "ep.md"
    loop.symlink_to(loop)
    text = fails_cleanly(["render", str(loop), "-o", str(tmp_path / "ep.mp3")], tmp_path, names="ep.md")
    assert "loops back on itself" in text.replace("\n", " ")


def test_a_script_is_read_with_a_bound_whatever_stat_says(tmp_path, monkeypatch):
    """/proc/self/maps stats as 0 bytes and holds kilobytes: the bound stops the read, not stat()."""
    import episode_renderer.render as render

    maps = Path("/proc/self/maps")
    if not maps.is_file() or maps.stat().st_size != 0:
        pytest.skip("needs Linux's /proc")
    monkeypatch.setattr(render, "MAX_SCRIPT_BYTES", 1000)
    script = tmp_path / "ep.md"
    script.symlink_to(maps)
    text = fails_cleanly(["script", str(script)], tmp_path, names="ep.md")
    assert "is more than 0.001 MB" in text.replace("\n", " ")


@pytest.mark.parametrize("option", ["--cast", "--cues", "--rules", "--show"])
def test_a_fifo_settings_file_is_refused_without_hanging(script, tmp_path, option):
    fifo = _fifo(tmp_path / "settings.toml")
    result = run_cli(["check", str(script), option, str(fifo)])
    text = result.stderr
    assert result.returncode == 2, result.stdout + text
    one_paragraph(text)
    assert "settings.toml" in text and "named pipe (FIFO)" in " ".join(text.split())
    assert "not found" not in text


def test_a_settings_file_that_is_a_device_is_refused(script, tmp_path):
    fails_cleanly(["check", str(script), "--show", "/dev/zero"], tmp_path, names="/dev/zero")


def _project(tmp_path: Path) -> Path:
    """A project folder of its own (voices/cast.toml marks it), run from inside it."""
    (tmp_path / "voices").mkdir()
    shutil.copyfile(DRAFT_CAST, tmp_path / "voices" / "cast.toml")
    shutil.copyfile(SHORT, tmp_path / "ep.md")
    return tmp_path


def test_the_project_show_file_as_a_fifo_is_named_not_skipped(tmp_path):
    project = _project(tmp_path)
    _fifo(project / "show.toml")
    result = run_cli(["check", "ep.md"], cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    one_paragraph(result.stderr)
    assert "show.toml" in result.stderr and "named pipe (FIFO)" in " ".join(result.stderr.split())


def test_a_cover_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    project = _project(tmp_path)
    _fifo(project / "cover.png")
    (project / "show.toml").write_text('[show]\nname = "Test"\ncover = "cover.png"\n')
    result = run_cli(["check", "ep.md"], cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    one_paragraph(result.stderr)
    assert 'cover = "cover.png" is a named pipe (FIFO)' in " ".join(result.stderr.split())


def test_a_voice_pack_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    voices = tmp_path / "voices"
    (voices / "kokoro").mkdir(parents=True)
    _fifo(voices / "kokoro" / "zz_pipe.bin")
    cast = voices / "cast.toml"
    cast.write_text('[defaults]\nengine = "kokoro"\nvoice = "zz_pipe"\n\n[characters.Kai]\nvoice = "zz_pipe"\n')
    result = run_cli(["preview", str(SHORT), "-c", "Kai", "--cast", str(cast), "--text", "Hello there.",
                      "-o", str(tmp_path / "p.wav"), "--no-cache"])
    assert result.returncode == 2, result.stdout + result.stderr
    one_paragraph(result.stderr)
    assert "zz_pipe.bin" in result.stderr and "named pipe (FIFO)" in " ".join(result.stderr.split())
    assert not (tmp_path / "p.wav").exists()


def test_a_character_sheet_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    sheets = tmp_path / "characters"
    sheets.mkdir()
    _fifo(sheets / "kai.yaml")
    result = run_cli(["cast", "init", "--from", str(sheets), "-o", str(tmp_path / "cast.toml")])
    assert result.returncode == 2, result.stdout + result.stderr
    one_paragraph(result.stderr)
    assert "kai.yaml" in result.stderr and "named pipe (FIFO)" in " ".join(result.stderr.split())


def test_a_sound_that_is_a_fifo_is_named_in_the_warning(script, tmp_path):
    sfx = tmp_path / "sfx"
    sfx.mkdir()
    cues = sfx / "cues.toml"
    cues.write_text((ROOT / "sfx" / "cues.toml").read_text() + '\n[sounds.zorp]\nkind = "foley"\nwords = ["zorp"]\n')
    _fifo(sfx / "zorp.wav")
    script.write_text(script.read_text().replace("*soft chime*", "*zorp*"))
    result = run_cli(["check", str(script), "--cues", str(cues)])
    text = " ".join(result.stderr.split())
    assert "Traceback" not in text
    assert "sound 'zorp' has no usable file" in text and "zorp.wav is a named pipe (FIFO)" in text


# --- class 1: outputs that are not regular files ----------------------------------------------------

def _device(path: Path) -> Path:
    """A character device node like /dev/null (1, 3), in the test's own folder."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a device node (and replace one)")
@pytest.mark.parametrize("command", ["render", "preview"])
def test_an_output_that_is_a_device_is_never_replaced(script, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    device = _device(out / "null")
    args = {"render": ["render", str(script), "-o", str(device)],
            "preview": ["preview", str(script), "-c", "Kai", "-o", str(device)]}[command]
    text = fails_cleanly([*args, "--draft", "--no-cache"], tmp_path, names=str(device))
    assert "would write over a character device" in text.replace("\n", " ")
    assert stat.S_ISCHR(device.lstat().st_mode) and tree(out) == {"null"}


@pytest.mark.parametrize("command", ["render", "preview"])
def test_an_output_linked_to_dev_null_is_refused(script, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    link = out / "ep.mp3"
    link.symlink_to("/dev/null")
    args = {"render": ["render", str(script), "-o", str(link)],
            "preview": ["preview", str(script), "-c", "Kai", "-o", str(link)]}[command]
    text = fails_cleanly([*args, "--draft", "--no-cache"], tmp_path, names=str(link))
    assert "would write over a character device" in text.replace("\n", " ")
    assert link.is_symlink() and tree(out) == {"ep.mp3"}


def test_a_sidecar_that_is_a_fifo_is_refused_before_any_work(script, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _fifo(out / "ep.vtt")
    text = fails_cleanly(["render", str(script), "-o", str(out / "ep.mp3"), "--draft", "--no-cache"], tmp_path,
                         names="ep.vtt")
    assert "named pipe (FIFO)" in text.replace("\n", " ")
    assert tree(out) == {"ep.vtt"}


@pytest.mark.parametrize("command", ["season", "audition"])
def test_an_output_folder_that_is_a_device_is_refused(script, tmp_path, command):
    link = tmp_path / "out"
    link.symlink_to("/dev/null")
    args = {"season": ["season", str(tmp_path), "-o", str(link)],
            "audition": ["audition", "Kai", "-o", str(link)]}[command]
    text = fails_cleanly([*args, "--draft", "--no-cache"], tmp_path, names=str(link))
    assert "-o names a character device" in text.replace("\n", " ")


# --- class 7: a season names what it cannot read ----------------------------------------------------

def test_a_season_names_its_fifos_device_links_and_link_loops_and_goes_on(tmp_path):
    folder = tmp_path / "season"
    folder.mkdir()
    shutil.copyfile(SHORT, folder / "good.md")
    _fifo(folder / "pipe.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    out = tmp_path / "out"
    result = run_cli(["season", str(folder), "-o", str(out), "-j", "1", "--no-cache"])
    text = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1, text  # the season went on, then named each file it could not read
    assert "Traceback" not in text
    assert (out / "good.mp3").is_file() and (out / "season.json").is_file()
    assert "pipe.md: is a named pipe (FIFO), not a regular file" in text
    assert "zero.md: is a character device, not a regular file" in text
    assert "loop.md: is a link that loops back on itself" in text
    assert "1 rendered, 0 skipped, 3 failed" in text


# --- class 7: a cache that fills up mid-render --------------------------------------------------------

@pytest.fixture
def full_cache(tmp_path, monkeypatch) -> Path:
    """A cache folder that passes the check before the render (a file can be made in it) and then,
    like a disk that fills up during the render, refuses every entry with ENOSPC."""
    cache = tmp_path / "cache"
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        folder = kwargs.get("dir")
        if folder is not None and Path(folder).resolve().is_relative_to(cache.resolve()):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    return cache


def _warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning:")]


def test_a_cache_that_fills_up_costs_one_warning_not_the_render(script, tmp_path, full_cache):
    out = tmp_path / "out" / "ep.mp3"
    result = runner.invoke(app, ["render", str(script), "-o", str(out), "--draft", "--cache-dir", str(full_cache)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.with_suffix(".json").is_file()
    cache_warnings = [w for w in _warnings(result.output) if "cache" in w]
    assert len(cache_warnings) == 1, result.output
    joined = " ".join(result.output.split())
    assert f"the cache {full_cache}" in joined and "the disk is full" in joined
    assert "with -o" not in result.output  # the old advice, about the wrong path
    assert not [p for p in full_cache.rglob("*") if p.is_file()]


def test_a_preview_with_a_full_cache_still_speaks(script, tmp_path, full_cache):
    out = tmp_path / "p.wav"
    result = runner.invoke(app, ["preview", str(script), "-c", "Kai", "-o", str(out), "--draft",
                                 "--cache-dir", str(full_cache)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert len([w for w in _warnings(result.output) if "disk is full" in w]) == 1, result.output


# --- class 7: messages that say what is wrong ---------------------------------------------------------

@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                           ("utf-16-le", b""), ("utf-32-le", b"\xff\xfe\x00\x00")])
def test_a_utf16_script_is_called_utf16_not_binary(tmp_path, encoding, bom):
    script = tmp_path / "ep.md"
    script.write_bytes(bom + SHORT.read_text("utf-8").encode(encoding))
    text = fails_cleanly(["script", str(script)], tmp_path, names="ep.md").replace("\n", " ")
    assert f"saved as UTF-{encoding[4:6]}" in text and "Save it as UTF-8" in text
    assert "binary" not in text


def test_a_utf16_settings_file_is_called_utf16(script, tmp_path):
    show = tmp_path / "show.toml"
    show.write_bytes(b"\xff\xfe" + '[show]\nname = "Test"\n'.encode("utf-16-le"))
    text = fails_cleanly(["check", str(script), "--show", str(show)], tmp_path, names="show.toml")
    assert "saved as UTF-16" in text.replace("\n", " ")


HEAD = '---\ntitle: "Blocks"\ntype: episode\n---\n\n'


@pytest.mark.parametrize("body, opening, closing", [
    # line 6 opens a dialogue that a cutin's closing tag on line 8 meets
    ('{{< dialogue char="Kai" >}}\nHello.\n{{< /cutin >}}\n', 6, "line 8"),
    # line 7 opens a dialogue still open at the </div> of line 9
    ('<div class="dialogue-box kai">\n{{< dialogue char="Kai" >}}\nHello.\n</div>\n{{< /dialogue >}}\n', 7,
     "line 9"),
    # line 6 opens a dialogue never closed; the next block is closed properly
    ('{{< dialogue char="Kai" >}}\nHello.\n\n{{< dialogue char="Vector" >}}\nHi.\n{{< /dialogue >}}\n', 6, None),
])
def test_a_shortcode_error_names_the_line_of_the_opening_tag(tmp_path, body, opening, closing):
    script = tmp_path / "ep.md"
    script.write_text(HEAD + body)
    text = fails_cleanly(["script", str(script)], tmp_path, names=f"ep.md:{opening}:").replace("\n", " ")
    assert "{{< dialogue >}} block opened here" in text
    if closing:
        assert closing in text
