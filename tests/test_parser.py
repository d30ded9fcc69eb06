from __future__ import annotations


import pytest

from conftest import FIXTURES, ROOT, shared_episodes
from episode_renderer.errors import ScriptError
from episode_renderer.script import parse_episode

EXAMPLE = ROOT / "examples" / "episode-01-context-windows.md"


def parse(text: str, project=None):
    kwargs = {"rules": project.rules} if project else {}
    return parse_episode(text, source="t.md", **kwargs)


def test_example_front_matter_and_turns(project):
    ep = parse(EXAMPLE.read_text(), project)
    assert ep.title.startswith("Why Does the Chatbot Forget?")
    assert ep.episode_number == 1
    assert ep.date.startswith("2026-11-28")
    assert ep.tags == ["context window", "example"]
    assert ep.speakers == ["Human", "Recurse", "Vector", "Kai"]
    first = ep.events[0]
    assert (first.kind, first.speaker, first.line) == ("line", "Human", 11)
    assert first.topic and "forgot the name" in first.text and "*" not in first.text


def test_directions_are_classified(project):
    ep = parse(EXAMPLE.read_text(), project)
    by_text = {e.text: e for e in ep.events if e.kind != "line"}
    assert by_text["WHIRR"].kind == "cue" and by_text["WHIRR"].sound == "whirr"
    assert by_text["soft chime"].sound == "soft-chime"
    assert by_text["Pauses"].kind == "pause" and by_text["Pauses"].seconds > 0
    assert by_text["Opens notebook"].sound == "page-flip"
    excited = [e for e in ep.events if e.kind == "line" and e.speaker == "Vector"][0]
    assert excited.delivery == "excited"


def test_events_carry_source_lines(project):
    text = EXAMPLE.read_text()
    lines = text.splitlines()
    ep = parse(text, project)
    for event in ep.events:
        source = lines[event.line - 1]
        assert event.text.split()[0].strip("*") in source


def test_every_nonblank_line_is_accounted_for(project):
    text = (FIXTURES / "constructs.md").read_text()
    ep = parse(text, project)
    covered = {e.line for e in ep.events} | {s.line for s in ep.skipped}
    missing = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() and n not in covered]
    assert missing == []


def test_constructs(project):
    ep = parse((FIXTURES / "constructs.md").read_text(), project)
    lines = [e for e in ep.events if e.kind == "line"]
    speakers = {e.speaker for e in lines}
    assert {"Narrator", "Human", "Kai", "Vector", "Bounce", "Optimax", "Vector & Kai", "Recurse"} <= speakers
    heads = [e for e in ep.events if e.kind == "heading"]
    assert [(h.text, h.speech) for h in heads] == [
        ("Last time on the fixture show...", "Last time on the fixture show."), ("Part One", "Part One")]
    host = [e for e in lines if e.speaker == "Human"]
    assert host[0].topic and host[1].text == "I keep scrolling."
    vector = [e for e in lines if e.speaker == "Vector"][0]
    assert vector.interrupts and vector.text == "It is fine! I really think so — mostly."
    bounce = [e for e in lines if e.speaker == "Bounce"][0]
    assert bounce.delivery == "excited"
    assert any(e.kind == "break" for e in ep.events)
    glitch = [e for e in lines if e.speaker == "Recurse"][0]
    assert glitch.block == "thought" and "signal" in glitch.text and "{{" not in glitch.text
    assert [e.category for e in lines if e.text.startswith(("First", "Second", "1. Step"))] == ["list"] * 3
    reasons = {s.reason for s in ep.skipped}
    assert {"front matter", "figure", "code block", "HTML comment", "HTML tag", "shortcode tag"} <= reasons


@pytest.mark.parametrize("text, line, words", [
    ("", 1, "empty"),
    ("   \n\n", 1, "empty"),
    ("---\ntitle: x\n", 1, "never closed"),
    ("---\ntitle: [unclosed\n---\nhi\n", 2, "not valid YAML"),
    ("---\n- a\n- b\n---\nhello\n", 2, "key: value"),
    ("---\ntitle: x\n---\n{{< dialogue char=\"Kai\" >}}\nHello\n", 4, "never closed"),
    ("---\ntitle: x\n---\n{{< dialogue >}}\nHello\n{{< /dialogue >}}\n", 4, "no character"),
    ("---\ntitle: x\n---\nHello\n{{< /dialogue >}}\n", 5, "no matching"),
    ("---\ntitle: x\n---\n{{< dialogue char=\"A\" >}}\nHi\n{{< /thought >}}\n", 4, "still open"),  # the opening tag's line
    ("bin\x00ary", 1, "binary"),
    ("---\ntitle: x\n---\n<div>\n</div>\n", 4, "nothing to speak"),
])
def test_bad_input_names_the_line(text, line, words):
    with pytest.raises(ScriptError) as info:
        parse(text)
    assert info.value.line == line
    assert info.value.file == "t.md"
    assert words in info.value.render()


def test_json_contract(project):
    ep = parse(EXAMPLE.read_text(), project)
    data = ep.to_json()
    assert set(data) >= {"title", "episode_number", "events", "skipped"}
    for event in data["events"]:
        assert set(event) >= {"kind", "speaker", "text", "speech", "sound", "line"}
    cue = next(e for e in data["events"] if e["kind"] == "cue")
    assert cue["sound"] == "whirr" and cue["speech"] is None
    numbers = next(e for e in data["events"] if "8,000" in e["text"])
    assert "8,000" not in numbers["speech"] and "eight thousand" in numbers["speech"]


@pytest.mark.parametrize("path", shared_episodes(), ids=lambda p: p.name[:10])
def test_shared_episodes_parse_with_every_line_accounted(path, project):
    text = path.read_text()
    ep = parse_episode(text, source=path.name, rules=project.rules, aliases=project.cast.aliases)
    assert ep.episode_number is not None and ep.title
    covered = {e.line for e in ep.events} | {s.line for s in ep.skipped}
    missing = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() and n not in covered]
    assert missing == []
    assert "Human" in ep.speakers


def test_shared_episodes_present_or_skipped():
    if not shared_episodes():
        pytest.skip("../shared/episodes is not here")
    assert any("episode-26" in p.name for p in shared_episodes())
