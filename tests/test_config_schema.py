"""Bad settings, by class of issue 12, through the real CLI on a copy of the project.

Each case breaks one setting and expects exit 2, one paragraph naming the file, table and key,
no traceback, and every file of the project as it was. Nothing here is synthesized, except the one
render test that shows warnings reach the user.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from conftest import ROOT
from episode_renderer.cli import app
from episode_renderer.errors import ConfigError

runner = CliRunner()
EXAMPLE = ROOT / "examples" / "episode-01-context-windows.md"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def proj(tmp_path, monkeypatch):
    """A project folder: the checkout's settings, its example episode, run from inside it."""
    root = tmp_path / "show"
    (root / "voices").mkdir(parents=True)
    for name in ("cast.toml", "draft.toml", "lexicon.toml"):
        shutil.copy(ROOT / "voices" / name, root / "voices" / name)
    (root / "voices" / "kokoro").symlink_to(ROOT / "voices" / "kokoro")
    (root / "sfx").mkdir()
    shutil.copy(ROOT / "sfx" / "cues.toml", root / "sfx" / "cues.toml")
    for wav in (ROOT / "sfx").glob("*.wav"):
        (root / "sfx" / wav.name).symlink_to(wav)
    shutil.copy(ROOT / "show.toml", root / "show.toml")
    shutil.copy(EXAMPLE, root / "ep.md")
    monkeypatch.chdir(root)
    monkeypatch.setenv("EPISODE_CAST", str(root / "voices" / "draft.toml"))
    return root


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def edit(path: Path, old: str | None, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new``; ``old=None`` appends."""
    text = path.read_text("utf-8")
    if old is None:
        path.write_text(text + "\n" + new + "\n", "utf-8")
        return
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def fails_cleanly(root: Path, *args: str, says: list[str]) -> str:
    """Run the CLI; exit 2, one paragraph with every expected phrase, no traceback, nothing changed."""
    before = snapshot(root)
    result = runner.invoke(app, list(args))
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output and not isinstance(result.exception, (AssertionError, TypeError, ValueError))
    assert len(output.strip().splitlines()) == 1, output
    assert output.startswith("error: "), output
    for phrase in says:
        assert phrase in output, (phrase, output)
    assert snapshot(root) == before
    assert not (root / "output").exists()
    return output


def set_key(path: Path, header: str, line: str) -> None:
    """Put ``line`` (key = value) into the table ``header``, replacing that key if the table has it."""
    key = line.split("=", 1)[0].strip()
    lines = path.read_text("utf-8").splitlines()
    start = lines.index(header.strip()) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
    kept, depth = [], 0
    for x in lines[start:end]:
        if depth or x.split("=", 1)[0].strip() == key:
            depth += x.count("[") - x.count("]")
            continue
        kept.append(x)
    path.write_text("\n".join(lines[:start] + [line] + kept + lines[end:]) + "\n", "utf-8")


# --- class 5: types and ranges, unknown keys ---------------------------------------------------

DRAFT_KAI = "[characters.Kai]\n"

CAST_CASES = [
    ('noise_scale = "lots"', ['[characters.Kai] noise_scale = "lots" must be a number']),
    ('speaker_id = "x"', ['[characters.Kai] speaker_id = "x" must be a whole number']),
    ("speaker_id = 1.5", ["speaker_id = 1.5 must be a whole number"]),
    ("model = 5", ["[characters.Kai] model = 5 must be text"]),
    ("pitch = 1000", ["[characters.Kai] pitch = 1000 is out of range (-12 to 12 semitones)."]),
    ("pitch = nan", ["[characters.Kai] pitch = nan is out of range"]),
    ("speed = inf", ["[characters.Kai] speed = inf is out of range"]),
    ('preserve_formants = "no"', ['preserve_formants = "no" must be true or false']),
    ('aliases = "KaiBot"', ['aliases = "KaiBot" must be a list', '["KaiBot"]']),
    ("aliases = [1, 2]", ["aliases = [1, 2] has an entry 1"]),
    ("gain_db = -200", ["[characters.Kai] gain_db = -200 is out of range (-40 to 20 dB)."]),
    ("speed = 3.5", ["[characters.Kai] speed = 3.5 is out of range"]),
    ("pich = 2", ["[characters.Kai] has an unknown setting pich (did you mean pitch?)"]),
    ('engine = "espeak"', ['engine = "espeak" is not one of "kokoro", "piper", "coqui"']),
    ('effects = [{ name = "Reverb", room_size = 5.0 }]', ["[characters.Kai] effects[1] Reverb room_size = 5.0 is "
                                                          "out of range (0 to 1)"]),
    ('effects = [{ name = "HighpassFilter", cutoff_frequency_hz = 5 }]', ["cutoff_frequency_hz = 5 is out of range "
                                                                          "(20 to 20000 Hz)"]),
    ('effects = [{ name = "Gain", gain_db = 90 }]', ["Gain gain_db = 90 is out of range (-60 to 24 dB)"]),
    ('effects = [{ name = "Chorus", wobble = 1 }]', ["effects[1] Chorus has an unknown setting wobble"]),
    ('effects = { name = "Chorus" }', ["effects = { name = \"Chorus\" } must be a list of effects"]),
    ('effects = ["Chorus"]', ["effects[1] needs a `name`"]),
    ('language = "en-us"', ["language is a kokoro or coqui setting", "speaks with piper"]),
]


@pytest.mark.parametrize("line, says", CAST_CASES, ids=[c[0] for c in CAST_CASES])
def test_draft_cast_values(proj, line, says):
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, line)
    fails_cleanly(proj, "check", "ep.md", says=["voices/draft.toml: ", *says])


KOKORO_CASES = [
    ("voice = 5", ["[characters.Kai] voice = 5 must be text"]),
    ('voice = "af_rivers"', ["[characters.Kai]: no Kokoro voice named af_rivers"]),
    ("model_path = 3", ["[characters.Kai] model_path = 3 must be text"]),
    ('language = "english!!"', ['[characters.Kai] language = "english!!" is not a language code']),
    ("speed = 2.5", ["[characters.Kai] speed = 2.5 is out of range for kokoro (0.5 to 2"]),
    ('model = "joe"', ["[characters.Kai] model is a piper setting", "speaks with kokoro"]),
]


@pytest.mark.parametrize("line, says", KOKORO_CASES, ids=[c[0] for c in KOKORO_CASES])
def test_kokoro_cast_values(proj, line, says):
    set_key(proj / "voices" / "cast.toml", DRAFT_KAI, line)
    fails_cleanly(proj, "check", "ep.md", "--cast", "voices/cast.toml", says=["voices/cast.toml: ", *says])


def test_unknown_table_and_block_voice(proj):
    edit(proj / "voices" / "draft.toml", "[characters.Kai]", "[charactres.Kai]")
    fails_cleanly(proj, "check", "ep.md", says=["has an unknown table [charactres] (did you mean [characters]?)"])
    shutil.copy(ROOT / "voices" / "draft.toml", proj / "voices" / "draft.toml")
    edit(proj / "voices" / "draft.toml", None, '[blocks.echo]\nvoice = "Nobody"')
    fails_cleanly(proj, "check", "ep.md", says=['[blocks.echo] voice = "Nobody" names no character'])
    shutil.copy(ROOT / "voices" / "draft.toml", proj / "voices" / "draft.toml")
    edit(proj / "voices" / "draft.toml", None, "[delivery.excited2]\nspeed = 0.1")
    fails_cleanly(proj, "check", "ep.md", says=["[delivery.excited2] speed = 0.1 is out of range (0.5 to 2"])


SHOW_CASES = [
    ('# bitrate = "160k"', 'bitrate = "1"', ['[audio] bitrate = "1" is not one of "64k"']),
    ("lufs = -16.0", "lufs = 0", ["[audio] lufs = 0 is out of range (-30 to -9 LUFS"]),
    ("true_peak = -1.0", 'true_peak = "loud"', ['[audio] true_peak = "loud" must be a number']),
    ("# lead_in = 0.5", "lead_in = -5", ["[timing] lead_in = -5 is out of range (0 to 30 s)."]),
    ("# lead_in = 0.5", "lead_in = 100000", ["[timing] lead_in = 100000 is out of range (0 to 30 s)."]),
    ("# lead_in = 0.5", "lead_inn = 1", ["[timing] has an unknown setting lead_inn (did you mean lead_in?)"]),
    ("explicit = false", 'explicit = "no"', ['[show] explicit = "no" must be true or false']),
    ('language = "en"', "language = 3", ["[show] language = 3 must be text"]),
    ('base_url = "https://example.com/podcast/"', 'base_url = "example dot com"', ['[show] base_url = "example dot com"'
                                                                                   " is not a web address"]),
    ('intro = "intro-sting"', 'intro = "../../secret"', ['[sound] intro = "../../secret" is not the name of a sound']),
    ("[timing]", "[timings]", ["has an unknown table [timings] (did you mean [timing]?)"]),
]


@pytest.mark.parametrize("old, new, says", SHOW_CASES, ids=[c[1] for c in SHOW_CASES])
def test_show_values(proj, old, new, says):
    edit(proj / "show.toml", old, new)
    fails_cleanly(proj, "check", "ep.md", says=["show.toml: ", *says])


def test_true_peak_needs_headroom_above_the_loudness(proj):
    """-12 LUFS under a -9 dBTP ceiling used to fail only after synthesis, mastering and encoding."""
    edit(proj / "show.toml", "lufs = -16.0", "lufs = -12.0")
    edit(proj / "show.toml", "true_peak = -1.0", "true_peak = -9.0")
    fails_cleanly(proj, "render", "ep.md", "-o", "output/ep.mp3", says=["[audio] true_peak = -9.0 is 3 dB above lufs = "
                                                                         "-12; speech needs at least 7 dB"])


CUE_CASES = [
    ('sound = "rain"', 'sound = "rain"\noverlap = "x"', ['[[cue]] number 1 overlap = "x" must be a number']),
    ('sound = "rain"', 'sound = "rain"\noverlap = 60', ["[[cue]] number 1 overlap = 60 is out of range (0 to 5 s)."]),
    ('sound = "rain"', 'sound = "rain"\ngain_db = -400', ["[[cue]] number 1 gain_db = -400 is out of range (-40 to 20 "
                                                         "dB)."]),
    ('placement = "bed"', 'placement = "after"', ['placement = "after" is not one of "before"']),
    ('sound = "rain"', 'sound = "../../../etc/passwd"', ['[[cue]] number 1 sound = "../../../etc/passwd" is not the '
                                                          "name of a sound file"]),
    ('sound = "rain"', 'sound = "/tmp/boom"', ['sound = "/tmp/boom" is not the name of a sound file']),
    ('sound = "rain"', 'sond = "rain"', ["[[cue]] number 1 needs `sound`", "unknown setting sond"]),
    ("'(sound of |soft |heavy |light )?rain.*'", "'(unclosed'", ["match = \"(unclosed\" is not a valid regular "
                                                                 "expression"]),
    ("'(sound of |soft |heavy |light )?rain.*'", "'((a{1000}){1000}){1000}'",  # would take 20+ GB to compile
     ["match = \"((a{1000}){1000}){1000}\" repeats too many times to compile"]),
    ("duck_db = -10.0", "duck_db = 5", ["[mix] duck_db = 5 is out of range (-40 to 0 dB)."]),
    ("before_gain_db = -2.0", "before_gain_db = -2.0\nbefore_db = 1", ["[blocks.optimax-alert] has an unknown "
                                                                       "setting before_db"]),
    ('[sounds.whirr]\nkind = "character"', '[sounds.whirr]\nkind = "robot"', ['[sounds.whirr] kind = "robot" is not '
                                                                               'one of "foley"']),
    ('[sounds.whirr]\nkind = "character"', '[sounds.whirr]\nkind = "character"\nfile = "../x"',
     ['[sounds.whirr] file = "../x" is not the name of a sound file']),
    ("words = [\"whirr\",", "words = \"whirr\"\nold = [\"whirr\",", ['[sounds.whirr] words = "whirr" must be a list']),
    ("foley = { lu = -14.0, max = -8.0 }", "foley = { lu = -4.0, max = -8.0 }", ["[levels.foley] lu = -4.0 is above "
                                                                                 "max = -8"]),
    ("gain_db = -4.0", "gain_db = -40.0", ["[modifiers.soft] gain_db = -40.0 is out of range (-30 to 12 dB)."]),
    ("[modifiers.soft]", "[modifier.soft]", ["has an unknown table [modifier] (did you mean [modifiers]?)"]),
]


@pytest.mark.parametrize("old, new, says", CUE_CASES, ids=[c[1] for c in CUE_CASES])
def test_cue_values(proj, old, new, says):
    edit(proj / "sfx" / "cues.toml", old, new)
    fails_cleanly(proj, "check", "ep.md", says=["sfx/cues.toml: ", *says])


@pytest.mark.parametrize("text, says", [
    ('[[pause]]\nmatch = "hmm"\nseconds = "long"\n', ['[[pause]] number 1 seconds = "long" must be a number']),
    ('[[pause]]\nmatch = "hmm"\nseconds = 1000\n', ["[[pause]] number 1 seconds = 1000 is out of range (0 to 30 s)"]),
    ('[[pause]]\nseconds = 1\n', ["[[pause]] number 1 needs `match`"]),
    ('[[action]]\nmatch = "hmm"\nsound = "../x"\n', ['[[action]] number 1 sound = "../x" is not the name']),
    ('[[pauses]]\nmatch = "hmm"\n', ["has an unknown table [pauses] (did you mean [pause]?)"]),
    ("[host]\nmax_words = 0\n", ["[host] max_words = 0 is out of range (1 to 40 words)"]),
    ("[host]\nmax_words = 2.5\n", ["[host] max_words = 2.5 must be a whole number"]),
    ('[host]\nadverbs = "still"\n', ['[host] adverbs = "still" must be a list']),
    ('[host]\nnot_participles = [""]\n', ["[host] not_participles"]),
    ('[host]\nfirst_persons = ["i"]\n', ["[host] has an unknown setting first_persons"]),
])
def test_direction_rules(proj, text, says):
    (proj / "directions.toml").write_text(text, "utf-8")
    fails_cleanly(proj, "check", "ep.md", says=["directions.toml: ", *says])


@pytest.mark.parametrize("text, says", [
    ("[words]\nKai = 5\n", ["[words] Kai = 5 must be text"]),
    ('[words]\nKai = ""\n', ['[words] Kai = "" is not a non-empty string']),
    ('[wordz]\nKai = "Kye"\n', ["has an unknown table [wordz] (did you mean [words]?)"]),
    ('[patterns]\n"(x" = "y"\n', ['[patterns] "(x" is not a usable regular expression']),
    ('[patterns]\n"(G)PU" = "\\\\2 P U"\n', ['[patterns] "(G)PU": its replacement', "cannot be used"]),
])
def test_lexicon_values(proj, text, says):
    (proj / "voices" / "lexicon.toml").write_text(text, "utf-8")
    fails_cleanly(proj, "check", "ep.md", says=["voices/lexicon.toml: ", *says])


def _backtracking_line(proj: Path) -> None:
    """A line on which the pattern (a|aa)+$ would backtrack for hours on Python's own re."""
    with (proj / "ep.md").open("a", encoding="utf-8") as script:
        script.write('\n{{< dialogue char="Kai" >}}\n*' + "a" * 60 + '!*\n\n' + "a" * 60 + "!\n{{< /dialogue >}}\n")


@pytest.mark.parametrize("name, text, says", [
    ("voices/lexicon.toml", '[patterns]\n"(a|aa)+$" = "b"\n', ['[patterns] "(a|aa)+$" took over 1 s']),
    ("directions.toml", "[[pause]]\nmatch = '(a|aa)+$'\n", ["[[pause]] match = '(a|aa)+$' took over 1 s"]),
])
def test_a_pattern_that_backtracks_without_end_is_stopped(proj, name, text, says):
    """A user's pattern runs with a time limit: an error naming it, not a render that never ends."""
    _backtracking_line(proj)
    (proj / name).write_text(text, "utf-8")
    fails_cleanly(proj, "check", "ep.md", says=[f"{name}: ", *says, "Simplify it"])


@pytest.mark.parametrize("name", ["voices/draft.toml", "voices/cast.toml", "show.toml", "sfx/cues.toml",
                                  "voices/lexicon.toml", "directions.toml"])
def test_non_utf8_and_broken_toml(proj, name):
    path = proj / name
    path.write_bytes((path.read_bytes() if path.exists() else b"") + b"\n# caf\xe9\n")
    args = ["check", "ep.md"] + (["--cast", name] if name == "voices/cast.toml" else [])
    fails_cleanly(proj, *args, says=[f"{name}: is not UTF-8 text", "Save it as UTF-8."])
    path.write_bytes(b"[show\n")
    fails_cleanly(proj, *args, says=[f"{name}: is not valid TOML"])


def test_oversized_settings_file(proj):
    (proj / "show.toml").write_text("# padding\n" * 120_000)
    fails_cleanly(proj, "check", "ep.md", says=["show.toml: is 1.2 MB; a settings file is at most 1 MB."])


def test_every_problem_is_counted_in_one_paragraph(proj):
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, "pitch = 99")
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, "gain_db = -99")
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, "pich = 1")
    out = fails_cleanly(proj, "check", "ep.md", says=["pitch = 99 is out of range", "2 more problems in this file",
                                                      "gain_db = -99", "unknown setting pich"])
    assert out.count("error:") == 1


@pytest.mark.parametrize("args", [["render", "ep.md", "-o", "output/ep.mp3"], ["preview", "ep.md", "-c", "Kai"],
                                  ["season", ".", "-o", "output/season"], ["script", "ep.md"], ["cues", "ep.md"],
                                  ["check", "ep.md"], ["voices"]], ids=lambda a: a[0])
def test_every_command_fails_before_synthesis(proj, args):
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, "pitch = 1000")
    started = time.perf_counter()
    fails_cleanly(proj, *args, says=["draft.toml: [characters.Kai] pitch = 1000 is out of range"])
    assert time.perf_counter() - started < 20


def test_timing_schema_matches_the_timeline():
    from dataclasses import fields

    from episode_renderer.mix.timeline import Timing
    from episode_renderer.settings import SHOW

    assert set(SHOW.keys["timing"].keys) == {f.name for f in fields(Timing)}


def test_shipped_files_are_valid():
    from episode_renderer.config import load_project

    for cast in ("cast.toml", "draft.toml"):
        load_project(ROOT, cast=ROOT / "voices" / cast)


# --- class 6: paths from settings --------------------------------------------------------------

@pytest.mark.parametrize("cover, setup, says", [
    ("../../../../etc/passwd", None, ["[show] cover = \"../../../../etc/passwd\" is outside the project folder"]),
    ("/etc/passwd", None, ["is outside the project folder"]),
    ("link.png", "link", ["[show] cover = \"link.png\" is outside the project folder"]),
    ("show.toml", None, ["[show] cover = \"show.toml\" is not a PNG or JPEG image"]),
    ("missing.png", None, ["[show] cover = \"missing.png\": no such image"]),
    ("voices", None, ["no such image"]),
    ("big.png", "big", ["is 6.0 MB; a cover is at most 5 MB"]),
])
def test_cover_must_be_an_image_in_the_project(proj, tmp_path, cover, setup, says):
    if setup == "link":
        outside = tmp_path / "outside.png"
        outside.write_bytes(PNG)
        (proj / "link.png").symlink_to(outside)
    elif setup == "big":
        (proj / "big.png").write_bytes(PNG + bytes(6_000_000 - len(PNG)))
    edit(proj / "show.toml", 'cover = ""', f'cover = "{cover}"')
    fails_cleanly(proj, "check", "ep.md", says=["show.toml: ", *says])


def test_a_real_cover_is_accepted(proj):
    from episode_renderer.config import load_project

    (proj / "art").mkdir()
    (proj / "art" / "cover.png").write_bytes(PNG)
    edit(proj / "show.toml", 'cover = ""', 'cover = "art/cover.png"')
    assert load_project(proj).show.cover == (proj / "art" / "cover.png").resolve()


def test_sounds_come_only_from_the_sound_folders(proj, tmp_path):
    from episode_renderer.config import load_project

    elsewhere = tmp_path / "shared-sfx"
    elsewhere.mkdir()
    shutil.copy(ROOT / "sfx" / "beep.wav", elsewhere / "boom.wav")
    (proj / "sfx" / "sneaky.wav").symlink_to(elsewhere / "boom.wav")
    project = load_project(proj)
    assert not project.sounds.has("boom") and not project.sounds.has("sneaky")
    assert not project.sounds.has("../shared-sfx/boom") and not project.sounds.has(str(elsewhere / "boom"))
    edit(proj / "show.toml", "[sound]", f'[sound]\nfolders = ["{elsewhere}"]')
    assert load_project(proj).sounds.has("boom")
    edit(proj / "show.toml", f'folders = ["{elsewhere}"]', 'folders = ["no-such-folder"]')
    fails_cleanly(proj, "check", "ep.md", says=['[sound] folders: "no-such-folder" is not a folder'])


@pytest.mark.parametrize("effect", ['{ name = "VST3Plugin", path_to_plugin_file = "/tmp/evil.vst3" }',
                                    '{ name = "AudioUnitPlugin", path_to_plugin_file = "/tmp/evil.component" }',
                                    '{ name = "load_plugin", path_to_plugin_file = "/tmp/evil.vst3" }',
                                    '{ name = "Convolution", impulse_response_filename = "/etc/passwd" }',
                                    '{ name = "ExternalPlugin" }', '{ name = "Pedalboard" }'])
def test_effects_never_load_a_plugin_or_a_file(proj, monkeypatch, effect):
    import pedalboard

    def boom(*args, **kwargs):
        raise AssertionError("a plugin was loaded")

    for name in ("load_plugin", "VST3Plugin", "Convolution"):
        monkeypatch.setattr(pedalboard, name, boom, raising=False)
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, f"effects = [{effect}]")
    fails_cleanly(proj, "voices", says=["[characters.Kai] effects[1] name = ", "is not an effect the renderer allows"])


def test_a_sound_that_is_not_audio_fails_before_synthesis(proj):
    (proj / "sfx" / "whirr.wav").unlink()
    (proj / "sfx" / "whirr.wav").write_text("not a sound")
    started = time.perf_counter()
    fails_cleanly(proj, "render", "ep.md", "-o", "output/ep.mp3", says=["sfx/whirr.wav: cannot read this sound file"])
    assert time.perf_counter() - started < 20
    check = runner.invoke(app, ["check", "ep.md", "--strict"])
    assert check.exit_code == 1 and "sound 'whirr'" in check.output and "cannot read this sound file" in check.output


def test_an_hour_long_sound_is_refused(proj):
    import soundfile as sf

    (proj / "sfx" / "whirr.wav").unlink()
    sf.write(proj / "sfx" / "whirr.wav", np.zeros(1000 * 660, dtype=np.int16), 1000)
    fails_cleanly(proj, "render", "ep.md", "-o", "output/ep.mp3", says=["sfx/whirr.wav: is 11 minutes long; a sound is "
                                                                         "at most 10 minutes."])


def test_only_allowed_effects_reach_pedalboard():
    from episode_renderer.tts.shaping import check_effect

    for name in ("VST3Plugin", "load_plugin", "Convolution"):
        with pytest.raises(ConfigError, match=f"'{name}' is not an effect the renderer allows"):
            check_effect(name, {}, "[characters.Kai] effects", "cast.toml")
    check_effect("Reverb", {"room_size": 0.3}, "[characters.Kai] effects", "cast.toml")


# --- class 1: limits ---------------------------------------------------------------------------

def test_huge_script_is_refused_not_ok(proj):
    turn = '{{< dialogue char="Kai" >}}\nHello there, friend of mine.\n{{< /dialogue >}}\n'
    (proj / "huge.md").write_text("---\ntitle: x\n---\n" + turn * 40_000)
    result = runner.invoke(app, ["check", "huge.md", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert "at most 2 MB" in report[0]["error"] and "estimated_seconds" not in report[0]
    fails_cleanly(proj, "render", "huge.md", "-o", "output/huge.mp3", says=["huge.md: is 3.0 MB; an episode script is "
                                                                             "at most 2 MB."])


def test_hours_of_script_are_refused(proj):
    turn = '{{< dialogue char="Kai" >}}\n' + "word " * 4000 + '\n{{< /dialogue >}}\n'
    (proj / "long.md").write_text("---\ntitle: x\n---\n" + turn * 60)
    result = runner.invoke(app, ["check", "long.md", "--json"])
    assert result.exit_code == 1
    assert "hours long; an episode is at most 4 hours" in json.loads(result.stdout)[0]["error"]
    fails_cleanly(proj, "render", "long.md", "-o", "output/long.mp3", says=["hours long"])


def test_only_ranges_are_bounded(proj):
    from episode_renderer.season import parse_only

    started = time.perf_counter()
    only = parse_only("1-100000000,5")
    assert 99_999_999 in only and 0 not in only and 100_000_001 not in only and 35.5 not in parse_only("35")
    assert 35.5 in parse_only("35.5") and 35.5 in parse_only("30-40") and 35 not in parse_only("35.5")
    assert time.perf_counter() - started < 0.1
    (proj / "season").mkdir()
    fails_cleanly(proj, "season", "season", "--only", "1-100000000", says=["holds no episode files"])
    fails_cleanly(proj, "season", "season", "--only", ",".join(["1"] * 2000), says=["--only has 2000 parts"])


# --- class 9: warnings -------------------------------------------------------------------------

WARN_EPISODE = """---
title: "Warnings"
episode_number: 3
---

{{< dialogue char="Zorg" >}}
*WHIRR*

Greetings from nowhere.
{{< /dialogue >}}

{{< dialogue char="Kai" >}}
Hello, Zorg.
{{< /dialogue >}}
"""


def test_check_warns_about_silent_surprises(proj):
    (proj / "w.md").write_text(WARN_EPISODE)
    edit(proj / "sfx" / "cues.toml", "[sounds.whirr]", "[sounds.whirr-missing]")
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, "gain_db = -38")
    result = runner.invoke(app, ["check", "w.md"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "w.md:9: Zorg has no voice in the cast" in text and "its line uses the fallback voice" in text
    assert "w.md:7: sound 'whirr-missing' has no file" in text
    assert "w.md:13: Kai is at -38 dB, too quiet to hear" in text
    assert runner.invoke(app, ["check", "w.md", "--strict"]).exit_code == 1
    report = json.loads(runner.invoke(app, ["check", "w.md", "--json"]).stdout)[0]
    assert len(report["warnings"]) == 3


def test_check_warns_when_a_delivery_pushes_past_the_engine(proj):
    (proj / "w.md").write_text(WARN_EPISODE.replace("Hello, Zorg.", "*Gets excited*\n\nHello, Zorg."))
    set_key(proj / "voices" / "draft.toml", DRAFT_KAI, "speed = 2.9")
    result = runner.invoke(app, ["check", "w.md"])
    text = " ".join(result.output.split())
    assert "w.md:15: Kai (excited) would speak at 3.19x, past piper's range (0.3 to 3)" in text


def test_render_strict_stops_before_synthesis(proj):
    (proj / "w.md").write_text(WARN_EPISODE)
    before = snapshot(proj)
    result = runner.invoke(app, ["render", "w.md", "-o", "output/w.mp3", "--strict"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Zorg has no voice" in result.output and "with --strict; nothing was rendered" in result.output
    assert snapshot(proj) == before and not (proj / "output").exists()


@pytest.mark.slow
def test_render_prints_warnings(proj):
    (proj / "w.md").write_text(WARN_EPISODE)
    result = runner.invoke(app, ["render", "w.md", "-o", "output/w.mp3", "--no-cache"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning: w.md:9: Zorg has no voice" in text
    assert (proj / "output" / "w.mp3").is_file()


# --- fuzz: no value of any key is a traceback ---------------------------------------------------

_SCALARS = st.one_of(
    st.booleans(), st.integers(min_value=-10**30, max_value=10**30), st.integers(min_value=-50, max_value=50),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=-30, max_value=30),
    st.text(max_size=30), st.sampled_from(["kokoro", "piper", "coqui", "af_heart", "joe", "128k", "whirr", "before",
                                           "bed", "../x", "en-us", "#10b981", "https://x.org/", ""]),
)
VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.sampled_from(["name", "x", "room_size",
                                                                                         "gain_db", "words"]),
                                                                        inner, max_size=3)), max_leaves=8)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"


def _effect_entries():
    from episode_renderer.settings import EFFECTS

    names = sorted(EFFECTS) + ["VST3Plugin", "Convolution", "Nope"]
    return st.lists(st.sampled_from(names).flatmap(
        lambda name: st.dictionaries(st.sampled_from(sorted(EFFECTS[name].keys) + ["x"] if name in EFFECTS else ["x"]),
                                     st.one_of(st.floats(min_value=-100, max_value=30000), VALUES), max_size=3)
        .map(lambda params: {"name": name, **params})), max_size=3)


def _keys(table) -> list[str]:
    return sorted(table.keys) + ["bogus"]


def _documents():
    from episode_renderer.settings import ADJUSTMENT, CUES, LEXICON, PROFILE, RULES, SHOW

    cast = st.tuples(st.just("cast"), st.sampled_from(["defaults", "characters.Kai", "delivery.excited"]),
                     st.sampled_from(_keys(PROFILE) + _keys(ADJUSTMENT)), st.one_of(VALUES, _effect_entries()))
    show = st.sampled_from(sorted(SHOW.keys)).flatmap(
        lambda table: st.tuples(st.just("show"), st.just(table), st.sampled_from(_keys(SHOW.keys[table])), VALUES))
    cue_table = CUES.keys["cue"].table
    cues = st.one_of(
        st.tuples(st.just("cues"), st.just("[cue]"), st.sampled_from(_keys(cue_table)), VALUES),
        st.tuples(st.just("cues"), st.sampled_from(["mix", "blocks.thought", "sounds.whirr", "modifiers.soft",
                                                    "levels.foley", "levels"]),
                  st.sampled_from(["duck_db", "before", "before_gain_db", "bed", "bed_gain_db", "x", "words", "kind",
                                   "file", "gain_db", "repeat", "bend", "wobble", "lu", "max", "foley"]), VALUES))
    lexicon = st.tuples(st.just("lexicon"), st.sampled_from(sorted(LEXICON.keys) + ["nope"]),
                        st.text(min_size=0, max_size=12), VALUES)
    rules = st.one_of(st.sampled_from(["pause", "interrupt", "delivery", "action"]).flatmap(
        lambda table: st.tuples(st.just("rules"), st.just(table), st.sampled_from(_keys(RULES.keys[table].table)),
                                VALUES)),
        st.tuples(st.just("rules"), st.sampled_from(["words.pause", "words.interrupt", "words.delivery",
                                                     "words.action", "words.pause.lengths", "host"]),
                  st.sampled_from(["words", "seconds", "max_seconds", "lengths", "excited", "beat", "x", "max_words",
                                   "adverbs", "not_participles", "first_person"]), VALUES))
    return st.one_of(cast, show, cues, lexicon, rules)


def _text(kind: str, table: str, key: str, value) -> str:
    line = f"{json.dumps(key, ensure_ascii=False)} = {toml_value(value)}\n"
    if kind == "cast":
        return f'[defaults]\nengine = "piper"\n[{table}]\n{line}' if table != "defaults" else f"[defaults]\n{line}"
    if kind == "cues" and table == "[cue]" or kind == "rules" and "." not in table:
        base = {"match": '"whirr"', "sound": '"whirr"'} if kind == "cues" else {"match": '"hmm"'}
        base[key] = toml_value(value)
        name = "cue" if kind == "cues" else table
        return f"[[{name}]]\n" + "".join(f"{json.dumps(k)} = {v}\n" for k, v in base.items())
    return f"[{table}]\n{line}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_documents())
def test_fuzz_config_values_never_traceback(tmp_path, doc):
    """Any value for any key: the file loads, or a ConfigError names it. Effects that load also run."""
    from episode_renderer.config import parse_show
    from episode_renderer.script.directions import parse_rules
    from episode_renderer.sound.cues import parse_cues
    from episode_renderer.tts.cast import parse_cast
    from episode_renderer.tts.lexicon import parse_lexicon
    from episode_renderer.tts.shaping import apply_effects

    kind, table, key, value = doc
    text = _text(kind, table, key, value)
    parse = {"cast": lambda t: parse_cast(t, "cast.toml", ROOT / "voices"),
             "show": lambda t: parse_show(t, "show.toml", tmp_path),
             "cues": lambda t: parse_cues(t, "cues.toml"), "lexicon": lambda t: parse_lexicon(t, "lexicon.toml"),
             "rules": lambda t: parse_rules(t, "directions.toml")}[kind]
    try:
        loaded = parse(text)
    except ConfigError as error:
        message = error.render()
        assert "\n" not in message.strip() or "TOML" in message
        return
    if kind == "cast":
        tone = (0.1 * np.sin(np.arange(2205) / 5)).astype(np.float32)
        for name in loaded.characters:
            profile = loaded.profile(name, "excited")
            assert np.all(np.isfinite(apply_effects(tone, 22050, gain_db=profile.gain_db, effects=profile.effects)))
    if kind == "lexicon":
        loaded.speech(lambda s: s)("Kai met OpenAI at 3 pm.")
    if kind == "rules":
        loaded.classify("hmm, a pause, then a soft whirr")
        loaded.host_direction("still looking at the screen")
    if kind == "cues":
        loaded.rules.classify("a soft whirr")


def test_messages_have_no_markup_loss(proj):
    """Rich must print table names: [characters.Kai] and [[cue]] survive the terminal."""
    edit(proj / "sfx" / "cues.toml", 'sound = "rain"', 'sound = "rain"\ngain_db = -400')
    out = fails_cleanly(proj, "check", "ep.md", says=["[[cue]] number 1"])
    assert re.search(r"\[\[cue\]\] number 1 gain_db", out)


@pytest.mark.slow
def test_season_prints_each_episodes_warnings(proj):
    (proj / "season").mkdir()
    (proj / "season" / "w.md").write_text(WARN_EPISODE)
    result = runner.invoke(app, ["season", "season", "-o", "output/season", "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "warning: season/w.md:9: Zorg has no voice" in " ".join(result.output.split())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_fuzz_any_bytes_as_a_settings_file(tmp_path, data):
    """Whatever the bytes, reading a settings file gives a dict or a ConfigError."""
    from episode_renderer.schema import read_toml

    path = tmp_path / "any.toml"
    path.write_bytes(data)
    try:
        assert isinstance(read_toml(path), dict)
    except ConfigError as error:
        assert "any.toml" in error.render()
