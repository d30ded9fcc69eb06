"""Direction rules read by word: sounds with modifiers and compounds, deliveries, pauses, actions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from episode_renderer.errors import ConfigError
from episode_renderer.export.transcript import transcript_json
from episode_renderer.mix.levels import as_mastered, loudest_window, shaped, speech_loudness
from episode_renderer.mix.timeline import SAMPLE_RATE, Timing, mixdown, plan
from episode_renderer.script import parse_episode
from episode_renderer.script.directions import parse_rules
from episode_renderer.script.model import SoundPart


def sounds_of(project, text: str) -> list[tuple[str, int]]:
    return [(p.sound, p.repeat) for p in project.rules.classify(text).parts]


@pytest.mark.parametrize(("text", "expected"), [
    ("WHIRR-CLICK", [("whirr", 1), ("soft-click", 1)]),
    ("CHK-CHK", [("chk", 1), ("chk", 1)]),
    ("BZZT-BZZT!", [("buzz", 1), ("buzz", 1)]),
    ("whirrs quietly", [("whirr", 1)]),
    ("rapid beeping", [("beep", 3)]),
    ("scanner sweep", [("sweep", 1)]),
    ("warning chime", [("soft-chime", 1)]),
    ("static crackles through the speakers", [("static", 1)]),
])
def test_sound_words_in_any_phrasing(project, text, expected):
    direction = project.rules.classify(text)
    assert direction.category == "cue"
    assert sounds_of(project, text) == expected


def test_modifiers_change_gain_pitch_and_repetition(project):
    soft = project.rules.classify("faint hum").parts[0]
    loud = project.rules.classify("loud hum").parts[0]
    confused = project.rules.classify("confused beep").parts[0]
    assert soft.gain_db < 0 < loud.gain_db
    assert confused.bend != 0 and project.rules.classify("beep").parts[0].bend == 0
    assert project.rules.classify("multiple pings").parts[0].repeat > 1


@pytest.mark.parametrize(("text", "delivery"), [
    ("gets more animated", "excited"),
    ("voice getting sharper", "sharp"),
    ("curtly", "sharp"),
    ("with obvious excitement", "excited"),
    ("low voice", "quiet"),
    ("whispering", "whisper"),
    ("deadpan", "deadpan"),
    ("stops processing, offended", "defensive"),
    ("smiles warmly", "warm"),
    ("less defensive now, more explanatory", "calm"),
])
def test_delivery_lexicon(project, text, delivery):
    assert project.rules.classify(text).delivery == delivery


@pytest.mark.parametrize(("text", "seconds"), [
    ("pauses", 0.9), ("a beat", 0.9), ("a long pause", 1.6), ("two seconds of silence", 2.0),
    ("brief hesitation", 0.5), ("thirty seconds pass", 3.0),
])
def test_pauses_and_timed_phrases(project, text, seconds):
    direction = project.rules.classify(text)
    assert direction.category == "pause" and direction.seconds == pytest.approx(seconds)


def test_actions_are_recognised_and_silent_unless_they_name_a_sound(project):
    nods = project.rules.classify("nods slowly at the screen")
    assert nods.category in ("action", "delivery") and not nods.parts and not nods.sound
    assert project.rules.classify("taps the desk twice").parts[0].sound == "soft-click"
    assert project.rules.classify("flips through notes").sound == "page-flip"
    assert project.rules.classify("xyzzy plugh").category is None


def test_cues_on_both_sides_of_speech_are_split(project):
    ep = parse_episode('{{< dialogue char="Kai" >}}\n*WHIRR-CLICK* Processing the question... *BZZT-BZZT*\n'
                       "{{< /dialogue >}}\n", source="t.md", rules=project.rules)
    kinds = [(e.kind, e.sound) for e in ep.events]
    assert kinds == [("cue", "whirr"), ("line", None), ("cue", "buzz")]
    assert ep.events[1].speech.startswith("Processing the question")
    assert [p.sound for p in ep.events[0].parts] == ["whirr", "soft-click"]


def test_emphasis_inside_a_sentence_is_spoken(project):
    ep = parse_episode('{{< dialogue char="Vector" >}}\nThat is a *quiet* idea and I am *excited.*\n'
                       "{{< /dialogue >}}\n", source="t.md", rules=project.rules)
    assert [e.kind for e in ep.events] == ["line"]
    assert "quiet idea" in ep.events[0].speech


def test_one_direction_can_be_a_pause_and_a_sound(project):
    ep = parse_episode('{{< dialogue char="Kai" >}}\n*pauses, then a soft chime*\n\nDone.\n{{< /dialogue >}}\n',
                       source="t.md", rules=project.rules)
    assert [e.kind for e in ep.events] == ["pause", "cue", "line"]


def test_words_tables_are_validated_with_file_table_and_key():
    with pytest.raises(ConfigError, match=r"\[modifiers.soft\] gain_db = \"lots\" must be a number"):
        parse_rules('[modifiers.soft]\nwords = ["soft"]\ngain_db = "lots"\n', "cues.toml")
    with pytest.raises(ConfigError, match=r"\[words.pause\] has an unknown setting second"):
        parse_rules('[words.pause]\nsecond = 1\n', "directions.toml")
    with pytest.raises(ConfigError, match=r"\[sounds.whirr\] words = \"whirr\" must be a list"):
        parse_rules('[sounds.whirr]\nwords = "whirr"\n', "cues.toml")
    with pytest.raises(ConfigError) as error:
        parse_rules('[sound.whirr]\nwords = ["whirr"]\n', "my-cues.toml")
    assert "my-cues.toml" in str(error.value.render()) and "sound" in str(error.value.render())


def test_a_show_adds_a_word_in_its_own_rules(project):
    assert project.rules.classify("kerchunk").category is None
    extra = parse_rules('[sounds.chk]\nwords = ["kerchunk"]\n[words.delivery]\nwarm = ["sunny"]\n', "mine.toml")
    rules = project.rules.extend(extra)
    assert [p.sound for p in rules.classify("KERCHUNK").parts] == ["chk"]
    assert rules.classify("sunny").delivery == "warm"
    assert rules.classify("WHIRR").parts[0].sound == "whirr"


def test_shaping_repeats_and_bends():
    click = np.ones(441, dtype=np.float32)
    assert shaped(click, SoundPart("x", repeat=3)).size > 3 * click.size
    tone = np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE) / SAMPLE_RATE).astype(np.float32)
    bent = shaped(tone, SoundPart("x", bend=12.0))
    assert bent.size < 0.8 * tone.size  # played faster as it rises


SCRIPT = """---
title: Levels
---
{{< dialogue char="Kai" >}}
First line, spoken at full voice.

*WHIRR-CLICK*

Second line, spoken at full voice.

*ALARM*

Third line.

*Flips through notes*

Fourth line, spoken at full voice.
{{< /dialogue >}}
"""


@pytest.fixture
def timeline(project):
    episode = parse_episode(SCRIPT, source="t.md", rules=project.rules)
    t = np.arange(int(2.0 * SAMPLE_RATE)) / SAMPLE_RATE
    voice = (0.3 * np.sin(2 * np.pi * 200 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    lines = {i: voice for i, e in enumerate(episode.events) if e.kind == "line"}
    sounds = {name: project.sounds.load(name) for name in ("whirr", "soft-click", "alarm-buzz", "page-flip")}
    return voice, plan(episode, lines, sounds, project.cues, Timing())


def test_whirr_click_plays_a_whirr_then_a_click(timeline):
    _, tl = timeline
    placed = json.loads(transcript_json(tl.layout))["sounds"]
    compound = [s for s in placed if s["cue"] == "WHIRR-CLICK"]
    assert [s["sound"] for s in compound] == ["whirr", "soft-click"]
    assert compound[0]["endTime"] <= compound[1]["startTime"]


def test_sounds_sit_under_the_speech_by_kind(timeline):
    voice, tl = timeline
    speech = speech_loudness(as_mastered(voice))
    audio = mixdown(tl)
    levels = {}
    for clip, placed in ((c, tl.layout.sounds[c.placed]) for c in tl.clips if c.placed is not None):
        measured = loudest_window(as_mastered(clip.audio * np.float32(10 ** (clip.gain_db / 20)))) - speech
        assert measured == pytest.approx(placed.level_lu, abs=0.2)
        levels[placed.sound] = measured
    assert levels["page-flip"] < levels["whirr"] < levels["alarm-buzz"] <= 0.0
    assert levels["page-flip"] <= -10 and levels["whirr"] <= -6
    assert audio.size


def test_a_mood_word_is_not_a_sound_and_a_sounds_modifier_is_not_a_mood(project):
    alarmed = project.rules.classify("alarmed")
    assert (alarmed.category, alarmed.delivery, alarmed.parts) == ("delivery", "intense", ())
    ding = project.rules.classify("a soft ding")
    assert ding.category == "cue" and ding.delivery is None and ding.parts[0].gain_db < 0


def test_what_the_one_off_phrases_did_comes_from_general_rules(project):
    from episode_renderer.config import source_root

    data = (source_root() / "src/episode_renderer/script/directions.toml").read_text() + \
        (source_root() / "sfx/cues.toml").read_text()
    for phrase in ("stops processing, offended", "processing hesitates", "investigating urgently",
                   "log entry appended", "multiple alert tones"):
        assert phrase not in data, phrase
    offended = project.rules.classify("stops processing, offended")
    assert offended.delivery == "defensive" and offended.seconds
    hesitates = project.rules.classify("processing hesitates")
    assert hesitates.seconds == pytest.approx(0.5) and hesitates.delivery == "thoughtful"
    urgent = project.rules.classify("investigating urgently")
    assert (urgent.sound, urgent.delivery) == ("soft-click", "intense")
    assert project.rules.classify("log entry appended").category == "action"
    alerts = project.rules.classify("multiple alert tones").parts
    assert [(p.sound, p.repeat) for p in alerts] == [("alert", 3)]


# Directions of the kind the show writes, invented here (none is copied from an episode): the rules
# must read the format, not a list of known lines.
INVENTED = """leaning in|grinning|sighs heavily|rolls eyes|laughs nervously|clears throat|long exhale|dramatic pause|
Beat.|awkward silence|beeps rapidly|mechanical whirring intensifies|static crackle|a soft ding|screens flicker|
lights dim|the fans spin up|muttering to himself|under his breath|sarcastically|mock-offended|counting on fingers|
checks notes|scribbles something|taps pen against desk|holds up a finger|raises an eyebrow|crosses arms|beaming|
sheepishly|emphatically|reading from the screen|long silence|three beeps|suddenly serious|triumphantly|calculating|
error tone|glitching|hesitant|wistfully|still typing|scrolling through logs|pulls up a chart|examines the data|
long pause, then quietly|chuckles darkly|thinking out loud|an alert sounds|notification ping|skeptical|proudly|
firmly|cheerfully|patiently|slowly|loudly|curiously|wryly|perks up|slumps|hopefully|nervously|casually|
a questioning chirp|Kai's servos whine|two short bleeps|a low hum|frantic clicking|radar sweep|door knock|
something thuds offscreen|whooshes past|voice getting louder|gets more and more animated|smiles faintly""".replace(
    "\n", "").split("|")


def test_invented_directions_are_understood(project):
    missed = [text for text in INVENTED if project.rules.classify(text).category is None]
    assert len(missed) <= 0.05 * len(INVENTED), missed


def test_a_users_phrase_rules_still_work(project):
    mine = parse_rules("[[pause]]\nmatch = 'the clock ticks'\n[[delivery]]\nmatch = 'in a pirate voice'\n"
                       "delivery = 'pirate'\n", "directions.toml")
    rules = project.rules.extend(mine)
    assert rules.classify("the clock ticks").seconds == pytest.approx(0.9)
    assert rules.classify("in a pirate voice").delivery == "pirate"


@pytest.mark.parametrize(("text", "delivery"), [
    ("pulls up defensive measures", None),  # the measures are defensive, not the voice
    ("pauses dramatically", None),  # the pause is dramatic
    ("sad smile", "sad"),
    ("excited about the idea", "excited"),
])
def test_adjectives_of_things_are_not_deliveries(project, text, delivery):
    assert project.rules.classify(text).delivery == delivery


@pytest.mark.parametrize(("text", "sound"), [("WHIRRRRR", "whirr"), ("beeeep", "beep"), ("DINGGG!", "ding")])
def test_drawn_out_spellings(project, text, sound):
    assert [p.sound for p in project.rules.classify(text).parts] == [sound]


@pytest.mark.parametrize("line", ["_WHIRR-CLICK_ Processing the question... _BZZT-BZZT_",
                                  "*WHIRR-CLICK* Processing the question... *BZZT-BZZT*"])
def test_either_italic_mark_around_speech(project, line):
    ep = parse_episode('{{< dialogue char="Kai" >}}\n' + line + "\n{{< /dialogue >}}\n", source="t.md",
                       rules=project.rules)
    assert [e.kind for e in ep.events] == ["cue", "line", "cue"]


@pytest.mark.parametrize("text", ["on high alert", "buzzing with excitement"])
def test_a_mood_phrase_holding_a_sound_word_is_a_mood(project, text):
    direction = project.rules.classify(text)
    assert direction.category == "delivery" and direction.parts == ()


def test_every_invented_direction_naming_a_sound_places_one(project):
    from episode_renderer.script.coverage import coverage

    body = "\n\n".join(f"*{text}*\n\nA line." for text in INVENTED)
    ep = parse_episode('{{< dialogue char="Kai" >}}\n' + body + "\n{{< /dialogue >}}\n", source="t.md",
                       rules=project.rules)
    result = coverage(ep, project.rules)
    assert result.total >= 0.9 * len(INVENTED) and result.silent == []


# --- directions about the host ---------------------------------------------------------------------
# After a host marker an italic line is the host's own words, unless its form is a stage direction:
# a verb phrase with no subject and no sentence punctuation. (The fixture lines are our own.)

def _host(project, body: str):
    text = ('{{< dialogue char="Kai" >}}\nThe logs are back.\n{{< /dialogue >}}\n\n' + body +
            '\n\n{{< dialogue char="Kai" >}}\nLogged.\n{{< /dialogue >}}\n')
    return parse_episode(text, source="t.md", rules=project.rules)


def _host_events(episode):
    return [(e.kind, e.text) for e in episode.events if e.speaker == "Human"]


@pytest.mark.parametrize("italic", [
    "peering at the whiteboard", "Rubbing both eyes", "slowly putting the mug down",
    "still scrolling through the changelog", "balancing the laptop on one knee", "half-watching the clock",
    "nods slowly", "shrugs", "puzzled",
])
def test_a_host_line_shaped_as_a_direction_is_a_direction(project, italic):
    episode = _host(project, f"**[Human]:** *{italic}*")
    assert _host_events(episode) == [("direction", italic)]


@pytest.mark.parametrize("italic", [
    "Hold on, where did that come from?", "So the short version is: it guesses?", "Looking back, was any of that real?",
    "Thinking about it, I'm not convinced.", "Reading the logs again, I see it now",
    "Working late again. Couldn't sleep.", "Interesting", "Something feels off tonight", "Honestly nothing new",
    "Look at the clock", "Wait", "Family meeting in five", "Listening to you two is exhausting—",
    "Meeting you was a pleasure", "Being honest, this is hard", "Fine-tuning versus prompting",
    "Learning rate warmup", "Building agents that actually work", "Training takes weeks",
])
def test_host_questions_and_statements_stay_spoken(project, italic):
    episode = _host(project, f"**[Human]:** *{italic}*")
    assert [kind for kind, _ in _host_events(episode)] == ["line"]


def test_a_host_direction_before_the_words_is_not_spoken_and_its_delivery_applies(project):
    episode = _host(project, "**[Human]:** *sounding worried* *Is the server still up?*\n\n"
                             "**[Human]:** *shuffling the papers* *Okay, where were we?*")
    host = [e for e in episode.events if e.speaker == "Human"]
    assert [(e.kind, e.text) for e in host] == [
        ("direction", "sounding worried"), ("line", "Is the server still up?"),
        ("cue", "shuffling the papers"), ("line", "Okay, where were we?")]  # the host's action plays its sound
    assert host[0].delivery == host[1].delivery == project.rules.classify("sounding worried").delivery is not None
    assert host[0].turn == host[1].turn and host[1].topic  # one turn, and the question is still the topic


def test_a_host_direction_on_its_own_line_gives_the_next_words_its_delivery(project):
    episode = _host(project, "**[Human]:** *looking worried*\n\n*Kai, is that number right?*")
    assert _host_events(episode) == [("direction", "looking worried"), ("line", "Kai, is that number right?")]
    direction, line = [e for e in episode.events if e.speaker == "Human"]
    assert line.delivery == direction.delivery == "nervous" and line.turn == direction.turn


def test_host_paragraphs_directions_by_form_and_questions_always_spoken(project):
    episode = _host(project, "**[Human]:** *Right, give me a second.*\n\n*balancing the laptop on one knee*\n\n"
                             "*Hang on, what?*\n\n*Okay. Go on.*")
    assert _host_events(episode) == [("line", "Right, give me a second."),
                                     ("direction", "balancing the laptop on one knee"),
                                     ("line", "Hang on, what?"), ("line", "Okay. Go on.")]


def test_a_direction_between_host_sentences_is_split_out_but_emphasis_is_spoken(project):
    episode = _host(project, "**[Human]:** Okay. *balancing the laptop on one knee* So what now?\n\n"
                             "**[Human]:** *So it keeps learning, then?* It keeps *learning*, then?")
    assert _host_events(episode) == [("line", "Okay."), ("direction", "balancing the laptop on one knee"),
                                     ("line", "So what now?"),
                                     ("line", "So it keeps learning, then? It keeps learning, then?")]


def test_the_host_forms_words_are_data_a_show_can_extend(project):
    assert project.rules.host_direction("daydreaming out loud")
    mine = parse_rules('[host]\nnot_participles = ["daydreaming"]\nmax_words = 3\n', "mine.toml")
    rules = project.rules.extend(mine)
    assert not rules.host_direction("daydreaming out loud")
    assert rules.host_direction("peering at it") and not rules.host_direction("peering at the whiteboard")
    assert rules.host_direction("nothing") is False and rules.words.host.first_person  # defaults kept


@pytest.mark.parametrize("said", [
    "I can't believe it's *working*!", "The model keeps *running*.", "Is it *thinking*?",
    "We are *pausing*; the queue is full.",
])
def test_an_emphasised_word_closing_its_sentence_is_spoken(project, said):
    """Punctuation right after an italic closes the sentence the italic belongs to: emphasis, not a
    direction, even when the word is one the direction vocabulary knows."""
    text = '{{< dialogue char="Kai" >}}\n' + said + '\n{{< /dialogue >}}\n'
    episode = parse_episode(text, source="t.md", rules=project.rules)
    assert [e.kind for e in episode.events if e.kind != "cue"] == ["line"]
    assert [e.text for e in episode.events if e.kind == "line"] == [said.replace("*", "")]


@pytest.mark.parametrize("said, direction", [
    ("The build is green. *nods* We ship it.", "nods"), ("Okay *beat*, we ship it.", "beat"),
    ("Well *leaning in* — we ship it.", "leaning in"), ("Hmm *thoughtfully*... we ship it.", "thoughtfully"),
])
def test_a_direction_between_words_and_a_pause_is_still_split_out(project, said, direction):
    """A dash, an ellipsis or a comma after an italic is a pause in speech: the italic is a direction."""
    text = '{{< dialogue char="Kai" >}}\n' + said + '\n{{< /dialogue >}}\n'
    episode = parse_episode(text, source="t.md", rules=project.rules)
    assert [e.text for e in episode.events if e.kind not in ("line", "cue")] == [direction]
    assert direction not in " ".join(e.text for e in episode.events if e.kind == "line")


def test_a_host_line_silenced_by_its_form_alone_is_a_warning(project):
    """Nothing the rules know names it, so the writer is told it will not be heard."""
    episode = _host(project, "**[Human]:** *Speaking of which*")
    assert _host_events(episode) == [("direction", "Speaking of which")]
    assert any("t.md:" in w and "*Speaking of which*" in w and "not spoken" in w for w in episode.warnings)
    understood = _host(project, "**[Human]:** *peering at the whiteboard*")
    assert not [w for w in understood.warnings if "not spoken" in w]
