"""The quality meter's scoring: spelling differences between script and Whisper are not errors."""

from __future__ import annotations

import pytest

pytest.importorskip("jiwer")
pytest.importorskip("whisper_normalizer")

from episode_renderer.quality import normalize, score_texts


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
