"""`render --stems`: stems that add up to the unmastered mix, and a DAW session (OTIO, REAPER) that
places every line where the transcript says it is."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from episode_renderer import render as render_module
from episode_renderer.config import load_project
from episode_renderer.errors import OutputError, RenderError
from episode_renderer.render import render_episode
from episode_renderer.tempfiles import sweep

ROOT = Path(__file__).resolve().parents[1]
EPISODE = Path(__file__).parent / "fixtures" / "stems.md"
VOICES = ["Human", "Kai", "Vector", "Narrator", "Recurse", "Vector & Kai"]
TRACKS = [*VOICES, "Effects", "Music"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The fixture rendered with --stems, and the unmastered mix the render mastered (kept by a spy)."""
    base = tmp_path_factory.mktemp("stems")
    kept: dict[str, np.ndarray] = {}
    real = render_module.mixdown

    def spy(timeline, duck_db=-10.0, only=None):
        mix = real(timeline, duck_db, only)
        if only is None:
            kept["mix"] = mix.copy()  # the render masters its mix in place
        return mix

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render_module, "mixdown", spy)
        result = render_episode(EPISODE, load_project(ROOT), base / "out" / "ep.mp3", cache_dir=base / "cache",
                                stems=True)
    folder = base / "out" / "ep.stems"
    stems = {p.stem: _as_mixed(p) for p in sorted(folder.glob("*.wav"))}
    transcript = json.loads(result.outputs.transcript.read_text("utf-8"))
    return {"result": result, "folder": folder, "stems": stems, "mix": kept["mix"], "base": base,
            "transcript": transcript}


def _as_mixed(path: Path) -> tuple[np.ndarray, int]:
    """A WAV read back in the mixer's layout: (frames,) mono, (channels, frames) stereo."""
    audio, rate = sf.read(path, dtype="float32")
    return (audio.T if audio.ndim == 2 else audio), rate


def _heard(audio: np.ndarray) -> np.ndarray:
    """Per frame, what any channel carries: where a source is heard, whatever its pan."""
    return np.abs(audio).sum(axis=0) if audio.ndim == 2 else audio


def _db(x: np.ndarray) -> float:
    return 10 * np.log10(float(np.mean(np.square(x, dtype=np.float64))) + 1e-30)


def test_stems_sum_to_the_unmastered_mix(rendered):
    stems, mix = rendered["stems"], rendered["mix"]
    assert sorted(stems) == sorted(["Human", "Kai", "Vector", "Narrator", "Recurse", "Vector-Kai", "Effects", "Music"])
    assert {rate for _, rate in stems.values()} == {44100}
    assert {audio.shape for audio, _ in stems.values()} == {mix.shape}
    total = np.sum([audio for audio, _ in stems.values()], axis=0)
    assert _db(total - mix) - _db(mix) < -60  # the null test
    assert rendered["result"].stems == rendered["folder"]


def _spans(items: list[tuple[float, float]], size: int, pad: float = 0.0, tail: float = 0.0) -> np.ndarray:
    inside = np.zeros(size, dtype=bool)
    for start, end in items:
        inside[max(0, int((start - pad) * 44100)):int((end + pad + tail) * 44100)] = True
    return inside


def test_each_stem_holds_only_its_source(rendered):
    segments, sounds = rendered["transcript"]["segments"], rendered["transcript"]["sounds"]
    for voice in VOICES:
        audio = _heard(rendered["stems"][voice.replace(" & ", "-")][0])
        own = [(s["startTime"], s["endTime"]) for s in segments if s["speaker"] == voice]
        assert own, voice
        assert not np.any(audio[~_spans(own, audio.size, 0.01)]), f"{voice}'s stem holds others' audio"
        for start, end in own:
            assert _db(audio[int(start * 44100):int(end * 44100)]) > -50, f"{voice}'s line at {start} is silent"
    music = {"intro-sting", "outro-sting", "room-tone"}
    for stem, names in (("Effects", {"soft-chime", "knock"}), ("Music", music)):
        audio = _heard(rendered["stems"][stem][0])
        own = [(s["startTime"], s["endTime"]) for s in sounds if s["sound"] in names]
        assert {s["sound"] for s in sounds if s["sound"] in names} == names
        wide = 0.5 + 2.5 * 0.45  # a scene sound or bed spread wide rings on in its small room
        assert not np.any(audio[~_spans(own, audio.size, 0.01, wide)]), f"{stem} holds another source"
        for start, end in own:
            assert _db(audio[int(start * 44100):int(end * 44100)]) > -70, f"{stem} misses its sound at {start}"


def _otio(rendered):
    import opentimelineio as otio

    return otio.adapters.read_from_file(str(rendered["folder"] / "ep.otio"))


def test_otio_reads_back_with_lines_where_the_transcript_says(rendered):
    import opentimelineio as otio

    timeline = _otio(rendered)
    assert [t.name for t in timeline.tracks] == TRACKS
    assert all(t.kind == otio.schema.TrackKind.Audio for t in timeline.tracks)
    clips = {c.name: c for t in timeline.tracks[:len(VOICES)] for c in t.find_clips()}
    segments = rendered["transcript"]["segments"]
    assert len(clips) == len(segments)
    for segment in segments:
        [name] = [n for n in clips if n.split(": ", 1)[0].split(" ", 1)[1] == segment["speaker"]
                  and n.split(": ", 1)[1] == segment["body"]]
        placed = clips[name].range_in_parent()
        assert abs(placed.start_time.to_seconds() - segment["startTime"]) <= 0.01, name
        assert abs(placed.end_time_exclusive().to_seconds() - segment["endTime"]) <= 0.01, name
        line = clips[name].metadata["episode_renderer"]["line"]
        assert name.startswith(f"L{line} ")
        assert segment["body"] in EPISODE.read_text("utf-8").splitlines()[line - 1]
        media = rendered["folder"] / clips[name].media_reference.target_url
        assert sf.info(str(media)).frames == placed.duration.value
    assert [t.duration().to_seconds() for t in timeline.tracks] == [timeline.duration().to_seconds()] * len(TRACKS)


def test_otio_has_chapter_markers_and_named_cues(rendered):
    timeline = _otio(rendered)
    chapters = json.loads(rendered["result"].outputs.chapters.read_text("utf-8"))["chapters"]
    markers = list(timeline.tracks.markers)
    assert [m.name for m in markers] == [c["title"] for c in chapters] == ["Who keeps the lights on at night?",
                                                                          "The Quiet Part"]
    assert [round(m.marked_range.start_time.to_seconds(), 3) for m in markers] == [c["startTime"] for c in chapters]
    effects = {c.name: c.range_in_parent().start_time.to_seconds() for c in timeline.tracks[len(VOICES)].find_clips()}
    assert sorted(effects) == ["L13 soft-chime: soft chime", "L33 knock: knock"]
    music = [c.name for c in timeline.tracks[len(VOICES) + 1].find_clips()]
    assert music == ["intro-sting: intro", "L25 room-tone: {{< thought >}}", "outro-sting: outro"]
    placed = {s["sound"]: s["startTime"] for s in rendered["transcript"]["sounds"]}
    assert abs(effects["L33 knock: knock"] - placed["knock"]) <= 0.01


def test_rpp_parses_with_the_same_tracks_and_items(rendered):
    import rpp

    project = rpp.loads((rendered["folder"] / "ep.rpp").read_text("utf-8"))
    timeline = _otio(rendered)
    tracks = project.findall("TRACK")
    assert [t.find("NAME")[1] for t in tracks] == [t.name for t in timeline.tracks]
    for track, otio_track in zip(tracks, timeline.tracks, strict=True):
        items = [(i.find("NAME")[1], float(i.find("POSITION")[1]), float(i.find("LENGTH")[1]),
                  i.find("SOURCE").find("FILE")[1]) for i in track.findall("ITEM")]
        expected = [(c.name, c.range_in_parent().start_time.to_seconds(), c.duration().to_seconds(),
                     c.media_reference.target_url) for c in otio_track.find_clips()]
        assert [i[0] for i in items] == [e[0] for e in expected]
        assert [i[3] for i in items] == [e[3] for e in expected]
        assert np.allclose([i[1:3] for i in items], [e[1:3] for e in expected], atol=1e-6)
    assert [m[3] for m in project.findall("MARKER")] == [m.name for m in timeline.tracks.markers]
    assert project.find("SAMPLERATE")[1] == "44100"


def test_the_sessions_clips_placed_as_the_rpp_says_add_up_to_the_stems(rendered):
    import rpp

    folder = rendered["folder"]
    total = np.sum([audio for audio, _ in rendered["stems"].values()], axis=0)
    placed = np.zeros_like(total)
    for item in rpp.loads((folder / "ep.rpp").read_text("utf-8")).findall(".//ITEM"):
        audio, _ = _as_mixed(folder / item.find("SOURCE").find("FILE")[1])
        begin = int(round(float(item.find("POSITION")[1]) * 44100))
        placed[..., begin:begin + audio.shape[-1]] += audio
    assert np.max(np.abs(placed - total)) < 1e-5


def test_stems_render_the_same_bytes_and_leave_the_default_render_alone(rendered):
    base = rendered["base"]
    project = load_project(ROOT)
    again = render_episode(EPISODE, project, base / "again" / "ep.mp3", cache_dir=base / "cache", stems=True)
    first = {p.relative_to(rendered["folder"]): p.read_bytes() for p in rendered["folder"].rglob("*") if p.is_file()}
    second = {p.relative_to(again.stems): p.read_bytes() for p in again.stems.rglob("*") if p.is_file()}
    assert first == second
    plain = render_episode(EPISODE, project, base / "plain" / "ep.mp3", cache_dir=base / "cache")
    assert plain.stems is None and not (base / "plain" / "ep.stems").exists()
    assert plain.outputs.mp3.read_bytes() == rendered["result"].outputs.mp3.read_bytes()


@pytest.mark.parametrize("where", ["mastering", "publishing"])
def test_a_failed_render_keeps_the_earlier_session_folder(rendered, tmp_path, monkeypatch, where):
    """Before the new folder is in place (the master fails) and after (renaming the MP3 over the old fails)."""
    import errno

    from episode_renderer.export import fileset

    out = tmp_path / "ep.mp3"
    earlier = tmp_path / "ep.stems"
    earlier.mkdir()
    (earlier / "Kai.wav").write_bytes(b"earlier")

    def broken(*_args, **_kwargs):
        if where == "mastering":
            raise RenderError("the master failed (test).")
        raise OSError(errno.ENOSPC, "No space left on device", str(out))

    monkeypatch.setattr(render_module if where == "mastering" else fileset,
                        "_master_and_write" if where == "mastering" else "_publish", broken)
    with pytest.raises(RenderError if where == "mastering" else OutputError):
        render_episode(EPISODE, load_project(ROOT), out, cache_dir=rendered["base"] / "cache", stems=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep.stems"]
    assert [p.name for p in earlier.iterdir()] == ["Kai.wav"] and (earlier / "Kai.wav").read_bytes() == b"earlier"


def test_a_season_job_writes_stems_and_is_current_only_with_them(rendered, tmp_path):
    from episode_renderer.season import jobs
    from episode_renderer.season.freshness import fingerprint, is_current, read_state, state_path

    project = load_project(ROOT)
    script = tmp_path / "ep-03.md"
    script.write_text(EPISODE.read_text("utf-8"), encoding="utf-8")
    digest = fingerprint(script, project)
    out = tmp_path / "out"

    def run(stems: bool):
        job = jobs.Job(script, out / "ep-03.mp3", project.root, {}, jobs.config_files(project),
                       rendered["base"] / "cache", digest, stems=stems)
        assert jobs.run_job(job, 0.0).status == "rendered"

    run(stems=False)
    assert not (out / "ep-03.stems").exists() and "stems" not in read_state(state_path(out, "ep-03"))
    assert is_current(script, out, digest) and not is_current(script, out, digest, stems=True)
    run(stems=True)
    assert (out / "ep-03.stems" / "ep-03.rpp").is_file() and read_state(state_path(out, "ep-03"))["stems"] is True
    assert is_current(script, out, digest, stems=True)
    shutil.rmtree(out / "ep-03.stems")
    assert not is_current(script, out, digest, stems=True) and is_current(script, out, digest)


def test_a_character_called_music_keeps_a_stem_of_their_own(project):
    from episode_renderer.mix.timeline import Clip, Timeline
    from episode_renderer.session.model import file_names, source_of

    timeline = Timeline([Clip(0.0, np.ones(10, np.float32), kind="speech", speakers=("Music",)),
                         Clip(0.0, np.ones(10, np.float32), kind="bed", end=1.0)])
    assert [source_of(c, timeline, project.cues) for c in timeline.clips] == ["Music (voice)", "Music"]
    assert file_names(["Kai", "kai", "Vector & Kai"], ".wav") == {"Kai": "Kai.wav", "kai": "kai-2.wav",
                                                                  "Vector & Kai": "Vector-Kai.wav"}


def test_stereo_stems_keep_their_channels(tmp_path):
    from episode_renderer.session.wav import write_float_wav

    audio = np.random.default_rng(3).standard_normal((2, 4410)).astype(np.float32) * 1.5  # past full scale too
    write_float_wav(tmp_path / "s.wav", audio)
    back, rate = sf.read(tmp_path / "s.wav", dtype="float32")
    assert rate == 44100 and back.shape == (4410, 2) and np.array_equal(back.T, audio)


def test_a_killed_runs_session_folder_is_swept(tmp_path):
    left = tmp_path / ".ep.stems.999999999-0a1b2c3d.partial"
    (left / "clips").mkdir(parents=True)
    (left / "clips" / "0001-intro-sting.wav").write_bytes(b"x")
    mine = tmp_path / f".ep.stems.{os.getpid()}-0a1b2c3d.partial"
    mine.mkdir()
    someone_elses = tmp_path / ".notes.draft.partial"  # no pid: not a folder this project made
    someone_elses.mkdir()
    assert sweep(tmp_path) == [left]
    assert not left.exists() and mine.is_dir() and someone_elses.is_dir()


def _episode(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "episode_renderer.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def test_a_file_where_the_stems_go_is_refused_before_any_work(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ep.stems").write_text("mine", encoding="utf-8")
    run = _episode("render", str(EPISODE), "-o", str(tmp_path / "out" / "ep.mp3"), "--stems", "--no-cache",
                   cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    message = " ".join((run.stdout + run.stderr).split())
    assert "ep.stems" in message and "a file is in the way" in message and "Traceback" not in message
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ep.stems"]
    assert (tmp_path / "out" / "ep.stems").read_text("utf-8") == "mine"


def test_an_input_inside_the_stems_folder_is_refused(tmp_path):
    from episode_renderer.session import check_session_folder

    (tmp_path / "ep.stems").mkdir()
    with pytest.raises(OutputError, match="an input"):
        check_session_folder(tmp_path / "ep.mp3", [tmp_path / "ep.stems" / "script.md"])


def test_stems_with_a_scheduler_are_refused_with_the_reason(tmp_path):
    (tmp_path / "eps").mkdir()
    run = _episode("season", str(tmp_path / "eps"), "--stems", "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    message = " ".join((run.stdout + run.stderr).split())
    assert "--stems cannot be used with --scheduler" in message and "Traceback" not in message
