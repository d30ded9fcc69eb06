"""Recorded takes in place of lines: identity, placement, levelling, the Whisper check, freshness.

The takes are real speech: a line spoken by `episode preview` (the draft cast), then slowed,
resampled, made quieter and padded with silence as a microphone recording would be.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, ROOT

FIXTURE = FIXTURES / "takes.md"
GOOD_ID = "kai-the-coffee-machine-has-been-blinking-red-since-midnight"
WRONG_ID = "recurse-then-somebody-should-unplug-it-before-morning"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "EPISODE_PROGRESS": "lines", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "episode_renderer.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _recording(project, script: Path, line: int | None, text: str | None, out: Path, cache: Path,
               rate: int, gain_db: float, stretch: float = 1.0) -> Path:
    """A take as a microphone would give it: another rate and level, silence around the words."""
    import pedalboard
    from pedalboard.io import AudioFile

    from episode_renderer.export.mp3 import read_audio
    from episode_renderer.preview import preview_line
    from episode_renderer.tts.shaping import resample

    spoken = out.with_name(out.stem + ".spoken.wav")
    preview_line(script, project, "Kai" if text is None else "Recurse", line=line, text=text, out=spoken,
                 cache_dir=cache)
    audio, source_rate = read_audio(spoken)
    spoken.unlink()
    if stretch != 1.0:
        audio = pedalboard.time_stretch(audio[None, :], source_rate, stretch_factor=stretch)[0]
    audio = resample(audio, source_rate, rate) * np.float32(10 ** (gain_db / 20))
    pad = np.zeros(rate // 2, dtype=np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    with AudioFile(str(out), "w", rate, 1) as handle:
        handle.write(np.concatenate([pad, audio, pad])[None, :])
    return out


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """The fixture rendered without takes and with two: a good one (Kai, slowed, 48 kHz FLAC, -15 dB)
    and one that says something else (Recurse's line, a 22.05 kHz WAV)."""
    from episode_renderer.config import load_project
    from episode_renderer.render import render_episode

    folder = tmp_path_factory.mktemp("takes")
    cache = folder / "cache"
    script = folder / "night.md"
    shutil.copy(FIXTURE, script)
    project = load_project(ROOT)
    plain = render_episode(script, project, folder / "plain" / "night.mp3", cache_dir=cache)
    takes = folder / "takes" / "night"
    good = _recording(project, script, 16, None, takes / f"{GOOD_ID}.flac", cache, 48000, -15.0, stretch=0.8)
    wrong = _recording(project, script, None, "The weather is lovely in the mountains today.",
                       takes / f"{WRONG_ID}.wav", cache, 22050, -6.0)
    taken = render_episode(script, project, folder / "taken" / "night.mp3", cache_dir=cache)
    return {"folder": folder, "script": script, "project": project, "plain": plain, "taken": taken,
            "good": good, "wrong": wrong, "cache": cache}


def _segments(result) -> list[dict]:
    return json.loads(result.outputs.transcript.read_text("utf-8"))["segments"]


def test_line_ids_follow_the_line_not_its_neighbours():
    from episode_renderer.config import load_project
    from episode_renderer.script.parser import parse_episode
    from episode_renderer.takes import line_ids

    project = load_project(ROOT)
    text = FIXTURE.read_text("utf-8")
    before = set(line_ids(parse_episode(text, rules=project.rules)).values())
    edited = text.replace("Then somebody should unplug it before morning.", "Unplug it, somebody, please.")
    edited = edited.replace("**[Human]:** *Who is on the night shift?*", "**[Human]:** *Who is here tonight?*\n\n"
                            "{{< dialogue char=\"Kai\" >}}\nA new line of mine.\n{{< /dialogue >}}")
    after = set(line_ids(parse_episode(edited, rules=project.rules)).values())
    assert {GOOD_ID, "kai-copy-that", "kai-copy-that-2"} <= before
    assert before - after == {"human-who-is-on-the-night-shift", WRONG_ID}  # only the edited lines
    assert after - before == {"human-who-is-here-tonight", "kai-a-new-line-of-mine",
                              "recurse-unplug-it-somebody-please"}


def test_a_take_replaces_its_line_and_the_timing_follows_it(renders):
    from episode_renderer.audio import SAMPLE_RATE
    from episode_renderer.takes import read_take

    plain, taken = _segments(renders["plain"]), _segments(renders["taken"])
    assert [s["body"] for s in taken] == [s["body"] for s in plain]  # the script's words, not the take's
    take_seconds = read_take(renders["good"]).size / SAMPLE_RATE
    kai = taken[3]
    assert kai["body"].startswith("The coffee machine")
    assert kai["endTime"] - kai["startTime"] == pytest.approx(take_seconds, abs=0.003)
    longer = (kai["endTime"] - kai["startTime"]) - (plain[3]["endTime"] - plain[3]["startTime"])
    assert longer > 0.3  # slowed to 0.8x: clearly not the voice's own line
    for before, after in ((2, 3), (3, 4)):  # the same gaps either side: the take's half second of silence is gone
        assert taken[after]["startTime"] - taken[before]["endTime"] == \
            pytest.approx(plain[after]["startTime"] - plain[before]["endTime"], abs=0.002)


def test_a_take_is_levelled_to_its_characters_other_lines(renders):
    from episode_renderer.export.mp3 import read_audio
    from episode_renderer.mix.levels import speech_loudness

    audio, rate = read_audio(renders["taken"].outputs.mp3)
    loudness = [speech_loudness(audio[int(s["startTime"] * rate):int(s["endTime"] * rate)])
                for s in _segments(renders["taken"])]
    kai = [i for i, s in enumerate(_segments(renders["taken"])) if s["speaker"] == "Kai"]
    others = [loudness[i] for i in kai if i != 3]
    assert abs(loudness[3] - float(np.median(others))) <= 1.0, (loudness[3], others)


def test_a_take_that_says_something_else_is_warned_about(renders):
    pytest.importorskip("faster_whisper")  # the check is Whisper's ([quality] extra)
    warnings = renders["taken"].episode.warnings
    wrong = [w for w in warnings if "does not say its line" in w]
    assert len(wrong) == 1, warnings
    assert str(renders["wrong"]) in wrong[0] and "night.md:20" in wrong[0] and "Then somebody" in wrong[0]
    assert not any(str(renders["good"]) in w for w in warnings)


def test_check_and_takes_list_the_takes_and_the_lines_without_one(renders):
    folder = renders["folder"]
    found = _cli("check", "night.md", "--json", cwd=folder)
    assert found.returncode == 0, found.stderr
    report = json.loads(found.stdout)[0]
    assert {k: (folder / v).resolve() for k, v in report["takes"].items()} == \
        {GOOD_ID: renders["good"].resolve(), WRONG_ID: renders["wrong"].resolve()}
    assert report["lines_without_take"] == 6
    listing = _cli("takes", "night.md", "--json", cwd=folder)
    rows = {r["id"]: r for r in json.loads(listing.stdout)["lines"]}
    assert Path(rows[GOOD_ID]["take"]).name == renders["good"].name and rows[GOOD_ID]["line"] == 16
    assert rows["kai-copy-that-2"]["take"] is None


def test_an_unreadable_take_stops_the_render_before_synthesis(tmp_path):
    script = tmp_path / "broken.md"
    shutil.copy(FIXTURE, script)
    bad = tmp_path / "takes" / "broken" / f"{GOOD_ID}.wav"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"RIFF\x00\x00\x00\x00not a wave file at all")
    done = _cli("render", "broken.md", "-o", "out/broken.mp3", "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
    assert done.returncode == 2
    assert str(bad.relative_to(tmp_path)) in done.stderr and "cannot be read as audio" in done.stderr
    assert "Traceback" not in done.stderr and "synthesized" not in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_season_re_renders_only_the_episode_whose_take_changed(renders, tmp_path):
    """`episode season`'s own planning (plan_season) over episodes rendered as its pool renders them."""
    from pedalboard.io import AudioFile

    from episode_renderer.season.freshness import outputs_for, state_path
    from episode_renderer.season.jobs import render_job
    from episode_renderer.season.runner import plan_season

    project, season, out = renders["project"], tmp_path / "episodes", tmp_path / "out"
    season.mkdir()
    scripts = []
    for name, number in (("a", 41), ("b", 42)):  # two lines each: what is measured is which episode renders
        scripts.append(season / f"{name}.md")
        scripts[-1].write_text(f"---\ntitle: \"{name}\"\nepisode_number: {number}\n---\n\n"
                               "**[Human]:** *Who is on the night shift?*\n\n{{< dialogue char=\"Kai\" >}}\n"
                               "The coffee machine has been blinking red since midnight.\n{{< /dialogue >}}\n",
                               encoding="utf-8")
    take = season / "takes" / "b" / f"{GOOD_ID}.flac"
    take.parent.mkdir(parents=True)
    shutil.copy(renders["good"], take)
    todo, _ = plan_season(scripts, out, project)
    assert [path for path, _ in todo] == scripts
    for script, digest in todo:
        rendered = render_job(script, project, outputs_for(out, script).mp3, cache_dir=renders["cache"], digest=digest)
        state_path(out, script.stem).write_text(rendered.state, encoding="utf-8")
    assert plan_season(scripts, out, project)[0] == []
    with AudioFile(str(take)) as handle:
        audio, rate = handle.read(handle.frames), handle.samplerate
    with AudioFile(str(take), "w", rate, 1) as handle:  # re-recorded: a little louder
        handle.write(audio * 1.5)
    assert [path for path, _ in plan_season(scripts, out, project)[0]] == [scripts[1]]
    take.unlink()  # a take taken away is a change too
    new = season / "takes" / "a" / f"{GOOD_ID}.wav"
    new.parent.mkdir(parents=True)
    shutil.copy(renders["wrong"], new)  # and a new take re-renders its own episode
    assert [path for path, _ in plan_season(scripts, out, project)[0]] == scripts


def test_the_cluster_ships_an_episodes_takes(renders):
    from episode_renderer.render import load_episode
    from episode_renderer.season.remote import Collector, sound_bundle

    project = renders["project"]
    store = Collector()
    bundle, renames = sound_bundle(load_episode(renders["script"], project), project, store)
    files = dict(bundle.files)
    assert f"takes/night/{GOOD_ID}.flac" in files and f"takes/night/{WRONG_ID}.wav" in files
    assert store.blobs[files[f"takes/night/{GOOD_ID}.flac"]] == renders["good"].read_bytes()
    assert renames[f"takes/night/{GOOD_ID}.flac"] == str(renders["good"])


def test_the_takes_table_is_checked_like_every_other(tmp_path):
    from episode_renderer.config import parse_show
    from episode_renderer.errors import ConfigError

    show = parse_show('[takes]\nfolder = "recorded"\ntreatment = true\n[takes.lines]\n"night/kai-copy-that" = "a.wav"\n',
                      "show.toml", tmp_path)
    assert show.takes_folder == tmp_path / "recorded" and show.takes_treatment
    assert show.takes_lines == {"night/kai-copy-that": tmp_path / "a.wav"}
    with pytest.raises(ConfigError, match=r"show.toml.*\[takes\].*treatment"):
        parse_show('[takes]\ntreatment = "yes"\n', "show.toml", tmp_path)
    with pytest.raises(ConfigError, match=r"\[takes.lines\].*kai-copy-that.*episode stem"):
        parse_show('[takes.lines]\n"kai-copy-that" = "a.wav"\n', "show.toml", tmp_path)


def test_treatment_gives_a_take_its_characters_effects(renders):
    """With [takes] treatment, a take goes through the cast's effects for that line, as a voice's line does."""
    from dataclasses import replace

    from episode_renderer.audio import SAMPLE_RATE
    from episode_renderer.render import load_episode
    from episode_renderer.takes import load_takes
    from episode_renderer.tts.shaping import apply_effects

    project = renders["project"]
    episode = load_episode(renders["script"], project)
    plain = load_takes(episode, renders["script"], project, check=False)
    treated_project = replace(project, show=replace(project.show, takes_treatment=True))
    treated = load_takes(episode, renders["script"], treated_project, check=False)
    index = next(i for i, path in plain.files.items() if path == renders["good"])
    effects = project.cast.profile("Kai").effects
    assert effects  # the draft cast gives Kai a treatment
    expected = apply_effects(plain.audio[index], SAMPLE_RATE, effects=effects)
    assert np.array_equal(treated.audio[index], expected)
    assert not np.array_equal(treated.audio[index][:plain.audio[index].size], plain.audio[index])


def test_a_take_that_plays_for_an_hour_is_refused_before_it_is_decoded(tmp_path):
    """A small compressed file can hold hours: the take's length is read from its header first."""
    import soundfile as sf

    from episode_renderer.errors import TakeError
    from episode_renderer.takes import MAX_TAKE_SECONDS, read_take

    long = tmp_path / "long.flac"
    sf.write(long, np.zeros((MAX_TAKE_SECONDS + 60) * 8000, dtype=np.int16), 8000)  # silence packs small
    assert long.stat().st_size < 5_000_000
    with pytest.raises(TakeError, match="minutes long: not the recording of one line"):
        read_take(long)
