"""The quality meter's scoring: spelling differences between script and Whisper are not errors."""

from __future__ import annotations

import pytest

pytest.importorskip("jiwer")

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
