"""End to end: a short fixture episode rendered to MP3 and checked the way a producer would."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from conftest import FIXTURES, ROOT
from episode_renderer.errors import RenderError, ScriptError
from episode_renderer.export.mp3 import read_audio
from episode_renderer.mix.loudness import integrated_loudness, true_peak
from episode_renderer.render import render_episode

SHORT = FIXTURES / "short.md"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from episode_renderer.config import load_project

    out = tmp_path_factory.mktemp("render") / "short.mp3"
    cache = tmp_path_factory.mktemp("cache")
    result = render_episode(SHORT, load_project(ROOT), out, cache_dir=cache)
    return result, out, cache


def test_mp3_is_mastered_for_podcasts(rendered):
    _, out, _ = rendered
    from pedalboard.io import AudioFile

    info = MP3(out).info
    assert info.sample_rate == 44100
    assert info.channels == 2  # a cast of several voices: the stereo scene (tests/test_scene.py)
    with AudioFile(str(out)) as handle:
        audio, rate = handle.read(handle.frames), handle.samplerate
    assert rate == 44100
    assert abs(integrated_loudness(audio) - (-16.0)) <= 1.0
    assert true_peak(audio) <= -1.0
    assert 8 < audio.shape[-1] / rate < 60


def test_tags_and_chapters(rendered):
    _, out, _ = rendered
    tags = ID3(out)
    assert tags.version[:2] == (2, 4)
    assert str(tags["TIT2"]) == "A Short Test: Tags & Chapters"
    assert str(tags["TRCK"]) == "12"
    assert str(tags["TDRC"]).startswith("2026-03-04")
    assert "Two questions" in str(tags.getall("COMM")[0])
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [
        "Can a robot keep a secret?", "And what does Recurse think about that?"]
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == [c.element_id for c in chapters]
    second_question = json.loads(out.with_suffix(".json").read_text())["segments"][3]
    assert chapters[0].start_time == 0
    assert abs(chapters[1].start_time - 1000 * second_question["startTime"]) <= 1
    assert chapters[0].end_time == chapters[1].start_time
    assert abs(chapters[1].end_time - 1000 * MP3(out).info.length) < 100


def test_transcript_and_captions(rendered):
    result, out, _ = rendered
    transcript = json.loads(out.with_suffix(".json").read_text())
    segments = transcript["segments"]
    assert [s["speaker"] for s in segments] == ["Human", "Kai", "Vector", "Human", "Recurse"]
    assert segments[0]["body"] == "Can a robot keep a secret?"
    for a, b in zip(segments, segments[1:]):
        assert a["startTime"] < a["endTime"] <= b["startTime"] + 0.5
    assert segments[-1]["endTime"] <= result.duration
    assert any(s["sound"] == "soft-chime" for s in transcript["sounds"])
    vtt = out.with_suffix(".vtt").read_text()
    assert vtt.startswith("WEBVTT") and "<v Kai>Only when nobody asks twice." in vtt
    srt = out.with_suffix(".srt").read_text()
    assert "00:00:" in srt and " --> " in srt and "Recurse: The evidence" in srt
    report = json.loads(Path(f"{out.with_suffix('')}.report.json").read_text())
    assert abs(report["integrated_lufs"] + 16) <= 1 and report["true_peak_dbtp"] <= -1
    assert report["bitrate"] == "160k" and report["duration_seconds"] > 8


def test_speech_is_where_the_transcript_says(rendered):
    result, out, _ = rendered
    audio, rate = read_audio(out)
    segments = json.loads(out.with_suffix(".json").read_text())["segments"]
    for seg in segments:
        inside = audio[int(seg["startTime"] * rate):int(seg["endTime"] * rate)]
        assert np.sqrt(np.mean(inside ** 2)) > 0.02, seg


def test_warm_render_uses_the_cache(rendered, tmp_path):
    from episode_renderer.config import load_project

    first, _, cache = rendered
    again = render_episode(SHORT, load_project(ROOT), tmp_path / "again.mp3", cache_dir=cache)
    assert again.cache_misses == 0 and again.cache_hits == first.cache_hits + first.cache_misses


def test_bad_episode_leaves_no_output(tmp_path, project):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: x\n---\n{{< dialogue char=\"Kai\" >}}\nHello\n")
    out = tmp_path / "out" / "bad.mp3"
    with pytest.raises(ScriptError):
        render_episode(bad, project, out, cache_dir=None)
    assert [p.name for p in tmp_path.rglob("*")] == ["bad.md"]  # no MP3, no temp file, no folder


def test_interrupted_render_leaves_no_partial_file(tmp_path, project, monkeypatch):
    import episode_renderer.render as render_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(render_module, "write_tags", interrupted)
    out = tmp_path / "ep.mp3"
    with pytest.raises(KeyboardInterrupt):
        render_episode(SHORT, project, out, cache_dir=tmp_path / "cache")
    assert list(tmp_path.glob("*.mp3")) == [] and list(tmp_path.glob(".*partial*")) == []


def test_renders_are_repeatable(rendered, tmp_path):
    """Same script, same cast: the same file, byte for byte, even with no cache at all."""
    from episode_renderer.config import load_project

    _, out, _ = rendered
    again = tmp_path / "again.mp3"
    render_episode(SHORT, load_project(ROOT), again, cache_dir=None)
    assert again.read_bytes() == out.read_bytes()


def test_synthesis_jobs_group_lines_by_voice_and_pitch(project):
    """Every spoken line in exactly one job; a job holds one voice and pitch (or one unity-box line)
    and stays under the size limit unless a single line is longer; longest jobs first."""
    from episode_renderer.render import synthesis_jobs, load_episode, what_is_said

    episode = load_episode(FIXTURES / "constructs.md", project)
    jobs = synthesis_jobs(episode, project, what_is_said(episode), limit=120)
    seen = [i for job in jobs for i, _ in job]
    spoken = [i for i, e in enumerate(episode.events) if e.kind in ("line", "heading") and e.speech]
    assert sorted(seen) == spoken
    sizes = []
    for job in jobs:
        size = sum(len(episode.events[i].speech) for i, _ in job)
        sizes.append(size)
        assert len(job) == 1 or size <= 120
        if any(len(profiles) > 1 for _, profiles in job):
            assert len(job) == 1
        else:
            assert len({(p[0].engine, p[0].pitch, p[0].preserve_formants) for _, p in job}) == 1
    assert sizes == sorted(sizes, reverse=True)
    assert any(len(job) > 1 for job in jobs)


# --- the release gate measures the delivered file -------------------------------------------------

@pytest.fixture
def lines_cache(rendered, tmp_path):
    """The fixture's synthesized lines without its encoded MP3s, so every render runs the gate."""
    import shutil

    _, _, cache = rendered
    copy = tmp_path / "lines"
    shutil.copytree(cache, copy, ignore=shutil.ignore_patterns("encoded"))
    return copy


def _decode(path: Path) -> np.ndarray:
    from pedalboard.io import AudioFile

    with AudioFile(str(path)) as handle:
        return handle.read(handle.frames)[0]


def _spoil_after_encoding(monkeypatch, spoil) -> list[Path]:
    """Every MP3 the renderer writes is decoded, passed through ``spoil`` and encoded again, as a
    broken encoder or a corrupting disk would deliver it; returns the paths written."""
    import episode_renderer.render as render_module

    real = render_module.write_mp3
    written: list[Path] = []

    def spoiled(path, audio, **kwargs):
        real(path, audio, **kwargs)
        real(path, spoil(_decode(path)), **kwargs)
        written.append(Path(path))

    monkeypatch.setattr(render_module, "write_mp3", spoiled)
    return written


def _nothing_written(folder: Path) -> bool:
    return not folder.exists() or list(folder.iterdir()) == []


def _pyloudnorm_lufs(audio: np.ndarray) -> float:
    import pyloudnorm

    return pyloudnorm.Meter(44100).integrated_loudness(audio.astype(np.float64))


def test_gate_rejects_a_file_pinned_6_db_too_loud(project, lines_cache, tmp_path, monkeypatch):
    """Whatever the mastering does, the written file comes out at -10 LUFS: no retry can fix it."""
    def too_loud(audio):
        return audio * np.float32(10 ** ((-10.0 - _pyloudnorm_lufs(audio)) / 20))

    written = _spoil_after_encoding(monkeypatch, too_loud)
    out = tmp_path / "out" / "short.mp3"
    with pytest.raises(RenderError, match="loudness target"):
        render_episode(SHORT, project, out, cache_dir=lines_cache)
    assert written and _nothing_written(out.parent)


def test_gate_corrects_a_file_written_6_db_louder(project, lines_cache, tmp_path, monkeypatch):
    """An encoder that adds 6 dB is measured on its output: corrected, or refused, never shipped loud."""
    _spoil_after_encoding(monkeypatch, lambda audio: audio * np.float32(2.0))
    out = tmp_path / "out" / "short.mp3"
    try:
        result = render_episode(SHORT, project, out, cache_dir=lines_cache)
    except RenderError:
        assert _nothing_written(out.parent)
        return
    delivered = _decode(out)
    assert abs(_pyloudnorm_lufs(delivered) + 16) <= 1.0
    assert abs(result.loudness.integrated - _pyloudnorm_lufs(delivered)) < 0.3


def test_gate_rejects_a_click_over_the_ceiling(project, lines_cache, tmp_path, monkeypatch):
    def clicked(audio):
        audio = audio.copy()
        middle = audio.size // 2
        audio[middle:middle + 882] = 0.99 * np.sin(2 * np.pi * 1000 * np.arange(882) / 44100)  # 20 ms at 0 dBFS
        return audio

    _spoil_after_encoding(monkeypatch, clicked)
    out = tmp_path / "out" / "short.mp3"
    with pytest.raises(RenderError, match="true peak"):
        render_episode(SHORT, project, out, cache_dir=lines_cache)
    assert _nothing_written(out.parent)


def test_gate_rejects_a_truncated_file(project, lines_cache, tmp_path, monkeypatch):
    _spoil_after_encoding(monkeypatch, lambda audio: audio[:audio.size * 2 // 3])
    out = tmp_path / "out" / "short.mp3"
    with pytest.raises(RenderError, match="shorter"):
        render_episode(SHORT, project, out, cache_dir=lines_cache)
    assert _nothing_written(out.parent)
