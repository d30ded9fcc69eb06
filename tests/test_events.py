"""The event model: a kind from a closed set, and the characters of a line as a tuple, shown joined."""

from __future__ import annotations

import json
from typing import get_args

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, shared_episodes
from episode_renderer.cli import app
from episode_renderer.script import Event, parse_episode
from episode_renderer.script.model import EVENT_KINDS, EventKind

runner = CliRunner()

TOGETHER = """---
title: Together
episode_number: 7
---

{{< unity-box chars="Vector, Kai & Zorg" >}}
We all say this at once.
*Kai stops pacing.*
*laughs*
{{< /unity-box >}}

{{< dialogue char="Bounce & Kai" >}}
Two in one char attribute.
{{< /dialogue >}}

[Human]: And me, alone?
"""


def test_a_kind_outside_the_set_is_refused():
    assert EVENT_KINDS == set(get_args(EventKind))
    with pytest.raises(ValueError, match="unknown event kind 'lnie'"):
        Event("lnie", 1, "Hello.")  # type: ignore[arg-type]


def test_speakers_are_names_not_a_joined_string():
    with pytest.raises(TypeError, match="tuple of names"):
        Event("line", 1, "Hello.", speakers="Kai")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Event("line", 1, "Hello.", speakers=("Kai", ""))


@pytest.mark.parametrize("path", [FIXTURES / "constructs.md", FIXTURES / "acting.md", *shared_episodes()],
                         ids=lambda p: p.name)
def test_every_parsed_event_has_a_known_kind_and_named_speakers(path):
    episode = parse_episode(path.read_text(encoding="utf-8"), source=str(path))
    assert episode.events
    for event in episode.events:
        assert event.kind in EVENT_KINDS
        assert isinstance(event.speakers, tuple)
        assert event.speaker == (" & ".join(event.speakers) or None)
        assert all(name == name.strip() and " & " not in name for name in event.speakers)
        if event.voiced:
            assert event.speakers


def test_lines_said_together_keep_each_name():
    episode = parse_episode(TOGETHER, source="together.md")
    lines = [e for e in episode.events if e.kind == "line"]
    assert [e.speakers for e in lines] == [("Vector", "Kai", "Zorg"), ("Narrator",), ("Bounce", "Kai"), ("Human",)]
    assert lines[1].category == "narration"  # about Kai, one of the three: the narrator's
    laugh = next(e for e in episode.events if e.kind == "vocal")
    assert laugh.speakers == ("Vector", "Kai", "Zorg")


def test_script_json_shows_the_speakers_joined(tmp_path):
    script = tmp_path / "together.md"
    script.write_text(TOGETHER, encoding="utf-8")
    result = runner.invoke(app, ["script", str(script), "--json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)["events"]
    assert [e["speaker"] for e in events if e["kind"] == "line"] == \
        ["Vector & Kai & Zorg", "Narrator", "Bounce & Kai", "Human"]
    assert "speakers" not in events[0]


def test_check_names_each_unvoiced_character_of_a_shared_line(tmp_path):
    script = tmp_path / "together.md"
    script.write_text(TOGETHER, encoding="utf-8")
    result = runner.invoke(app, ["check", str(script), "--json"])
    report = json.loads(result.stdout)[0]
    assert report["no_voice"] == ["Zorg"]
    unvoiced = [w for w in report["warnings"] if "has no voice" in w]
    assert len(unvoiced) == 1 and f"{script}:7: Zorg has no voice in the cast" in unvoiced[0]
