"""Arbitrary text never crashes the parser: it returns an Episode or raises ScriptError with a line."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from episode_renderer.errors import ScriptError
from episode_renderer.script import Episode, parse_episode

PIECES = st.sampled_from([
    "---\n", "title: x\n", "episode_number: 3\n", "{{< dialogue char=\"Kai\" >}}\n", "{{< /dialogue >}}\n",
    "{{< dialogue >}}\n", "{{< unity-box chars=\"A, B\" >}}\n", "{{< /unity-box >}}\n", "{{< break >}}\n",
    "{{< glitch >}}x{{< /glitch >}}", "<div class=\"dialogue-box bounce\">\n", "</div>\n", "*Pauses*\n",
    "*WHIRR*\n", "**[Human]:** *Why?*\n", "[Human Blogger]: hi\n", "## Heading\n", "- item\n", "1. one\n",
    "```\n", "<!--\n", "-->\n", "Hello there.\n", "\n", "*", "**", "{{<", ">}}", "|a|b|\n", "$10,000+ 84.8% →\n",
])


def _check(text: str) -> None:
    try:
        episode = parse_episode(text, source="fuzz.md")
    except ScriptError as error:
        assert error.file == "fuzz.md" and isinstance(error.line, int) and error.line >= 1
        return
    assert isinstance(episode, Episode)
    lines = text.splitlines()
    for event in episode.events:
        assert 1 <= event.line <= len(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text(text):
    _check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=30).map("".join))
def test_structured_text(text):
    _check(text)
