"""The quality meter's scoring: spelling differences between script and Whisper are not errors."""

from __future__ import annotations

import pytest

pytest.importorskip("jiwer")
pytest.importorskip("whisper_normalizer")

from conftest import ROOT
from episode_renderer.quality import normalize, score_texts, segment_windows


@pytest.mark.parametrize("script, heard", [
    ("Ask ChatGPT.", "ask chat GPT"),
    ("GPT-4 and GPT-3.5", "GPT4 and GPT 3.5"),
    ("It costs $20 a month.", "it costs twenty dollars a month"),
    ("We're at 47%.", "we are at forty-seven percent"),
    ("the G.P.T. family", "the GPT family"),
])
def test_same_words_spelled_differently_score_zero(script, heard):
    assert score_texts(script, heard).errors == 0


def test_real_mistakes_still_count():
    assert score_texts("second, does it behave differently", "second does it be a different").errors == 3
    assert score_texts("let me show you what I found", "let me").errors == 5


def test_single_words_stay_words():
    assert normalize("I think a cat is here") == ["i", "think", "a", "cat", "is", "here"]


def test_the_meter_does_not_read_text_the_renderer_s_way(monkeypatch):
    """A broken ``to_speech`` must not change the score: the meter has its own, independent reading,
    so a number or acronym the renderer misreads cannot cancel out on both sides."""
    import episode_renderer.script.speech as speech

    monkeypatch.setattr(speech, "to_speech", lambda text: "banana")
    assert score_texts("It costs $20 a month.", "it costs twenty dollars a month").errors == 0
    assert score_texts("Risk is at 42%.", "risk is at forty-three percent").errors == 1


def test_a_misread_number_counts():
    """A decimal heard as two numbers (what a renderer that drops the point would say) is an error."""
    assert score_texts("GPT-3.5 is out", "GPT three five is out").errors > 0


def test_each_segment_is_heard_alone():
    """A window takes a little audio either side of its line and meets its neighbour halfway through
    the silence; a line that interrupts another is heard whole, and so is the line it cuts into."""
    segments = [{"startTime": 0.1, "endTime": 2.0}, {"startTime": 2.1, "endTime": 4.0},
                {"startTime": 6.0, "endTime": 8.0}, {"startTime": 7.5, "endTime": 9.0},
                {"startTime": 10.0, "endTime": 14.0}, {"startTime": 11.0, "endTime": 11.4},
                {"startTime": 14.7, "endTime": 15.0}]
    windows = segment_windows(segments)
    assert windows[0] == pytest.approx((0.0, 2.05))  # not before the file, half the 0.1 s gap
    assert windows[1] == pytest.approx((2.05, 4.2))
    assert windows[2] == pytest.approx((5.8, 8.0))  # the next line interrupts at 7.5: all of this one
    assert windows[3] == pytest.approx((7.5, 9.2))  # and all of the interruption
    assert windows[4] == pytest.approx((9.8, 14.0))  # an interjection inside it
    assert windows[5] == pytest.approx((11.0, 11.4))
    assert windows[6] == pytest.approx((14.5, 15.2))  # halfway after the longest earlier line's end


def test_a_render_is_scored_line_by_line(tmp_path):
    """Two lines read by Piper: every word of each is heard in its own speaker's window."""
    pytest.importorskip("faster_whisper")
    from episode_renderer.config import load_project
    from episode_renderer.quality import score_render
    from episode_renderer.render import render_episode

    script = tmp_path / "two.md"
    script.write_text('---\ntitle: Two\n---\n{{< dialogue char="Kai" >}}\nThe garden is quiet tonight.\n'
                      '{{< /dialogue >}}\n\n{{< dialogue char="Vector" >}}\nThen we should plant the seeds '
                      'tomorrow morning.\n{{< /dialogue >}}\n', "utf-8")
    out = tmp_path / "two.mp3"
    render_episode(script, load_project(ROOT), out, cache_dir=tmp_path / "cache")
    overall, per, heard = score_render(out)
    assert overall.words == 13 and set(per) == {"Kai", "Vector"}
    assert per["Kai"].words == 5 and per["Vector"].words == 8
    assert overall.wer <= 0.15, heard
