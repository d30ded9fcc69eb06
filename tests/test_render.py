"""End to end: a short fixture episode rendered to MP3 and checked the way a producer would."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from conftest import FIXTURES, ROOT
from episode_renderer.errors import ScriptError
from episode_renderer.export.mp3 import read_audio
from episode_renderer.mix.master import integrated_loudness, true_peak
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
    info = MP3(out).info
    assert info.sample_rate == 44100
    assert info.channels == 1
    audio, rate = read_audio(out)
    assert rate == 44100
    assert abs(integrated_loudness(audio) - (-16.0)) <= 1.0
    assert true_peak(audio) <= -1.0
    assert 8 < audio.size / rate < 60


def test_tags_and_chapters(rendered):
    _, out, _ = rendered
    tags = ID3(out)
    assert tags.version[:2] == (2, 4)
    assert str(tags["TIT2"]) == "A Short Test: Tags & Chapters"
    assert str(tags["TRCK"]) == "12"
    assert str(tags["TDRC"]).startswith("2026-03-04")
    assert "Two questions" in str(tags.getall("COMM")[0])
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert len(chapters) >= 2
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == [c.element_id for c in chapters]
    assert str(chapters[-1].sub_frames["TIT2"]).startswith("And what does Recurse think")


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
    assert report["bitrate"] == "128k" and report["duration_seconds"] > 8


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
    assert not out.exists()
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


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
    from episode_renderer.render import _batches, load_episode

    episode = load_episode(FIXTURES / "constructs.md", project)
    jobs = _batches(episode, project, limit=120)
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
