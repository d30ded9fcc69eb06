"""What every settings file may hold: one schema per file, checked by ``schema.validate``.

Ranges are what sounds sane and what the engines and pedalboard accept, so a value inside them
renders; a value outside is a typo or a misunderstanding and is refused before synthesis.
Rules for sound cues and directions (``CUES``, ``RULES``) describe the fields; what a rule means
is script/directions.py's business.
"""

from __future__ import annotations

import re

from .schema import Array, Effects, Flag, Names, Number, Table, Text

ENGINES = ("kokoro", "piper", "coqui")
#: The pace each engine can do (Kokoro's model refuses outside 0.5-2; Piper's length scale stays natural
#: within 0.3-3); a delivery that pushes further is held at the edge by the engine.
SPEED_LIMITS = {"kokoro": (0.5, 2.0), "piper": (0.3, 3.0), "coqui": (0.5, 2.0)}
#: Keys that only one engine reads: set on a character of another engine they would be silently ignored.
ENGINE_KEYS = {
    "kokoro": {"voice", "model_path", "language"},
    "piper": {"model", "speaker_id", "noise_scale", "noise_w_scale"},
    "coqui": {"model_name", "model_path", "config_path", "speaker", "speaker_wav", "language"},
}
#: The sounds a character can make with their own voice (tts/vocal.py makes each); directions name them
#: with the words of [words.vocal] in directions.toml.
VOCAL_KINDS = ("laugh", "chuckle", "giggle", "sigh", "gasp", "groan", "hum", "throat", "scoff", "sniff", "yawn",
               "breath")
#: What a direction may make of a character's line (mix/placement.py makes each); [words.scene] names them.
SCENE_TREATMENTS = ("phone", "intercom", "speaker", "radio", "across", "distance", "off_mic", "echo", "hall",
                    "enter", "leave")
#: The rooms a scene can play in ([words.room] in directions.toml, `room:` in the front matter).
ROOMS = ("studio", "room", "hall")
CHANNELS = ("stereo", "mono")
BITRATES = ("64k", "80k", "96k", "112k", "128k", "160k", "192k", "224k", "256k", "320k")
PLACEMENTS = ("before", "under", "replace-pause", "bed")

SECONDS = Number(0, 30, "s")
GAIN_DB = Number(-40, 20, "dB")
SEMITONES = Number(-12, 12, "semitones")
PATH = Text(max_length=1000, example='a file path, e.g. "voices/my-voice.onnx"')
#: A sound is named by its file's stem in an sfx folder: no folder parts, so it cannot reach elsewhere.
SOUND_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
SOUND = Text(pattern=SOUND_NAME,
             example='the name of a sound file in sfx/ without its extension, e.g. "whirr" (no folders)')
SOUND_OR_NONE = Text(pattern=f"(?:{SOUND_NAME})?", example=SOUND.example + ', or "" for none')
LANGUAGE = Text(pattern=r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}", example='a language code such as "en-us"')
NAME = Text(max_length=100)

# --- pedalboard effects -------------------------------------------------------------------------
# Only built-in effects that compute sound; nothing that loads a file (VST3Plugin, AudioUnitPlugin,
# Convolution's impulse response) or wraps other plugins.

_HZ = Number(20, 20000, "Hz")
_UNIT = Number(0, 1)
_MS = Number(0, 5000, "ms")
_THRESHOLD = Number(-60, 0, "dB")
_FEEDBACK = Number(-0.95, 0.95)
_FILTER = Table({"cutoff_frequency_hz": _HZ})
_SHELF = Table({"cutoff_frequency_hz": _HZ, "gain_db": Number(-24, 24, "dB"), "q": Number(0.1, 20)})

EFFECTS: dict[str, Table] = {
    "Bitcrush": Table({"bit_depth": Number(1, 32, "bits")}),
    "Chorus": Table({"rate_hz": Number(0, 99, "Hz"), "depth": _UNIT, "centre_delay_ms": Number(0, 100, "ms"),
                     "feedback": _FEEDBACK, "mix": _UNIT}),
    "Clipping": Table({"threshold_db": _THRESHOLD}),
    "Compressor": Table({"threshold_db": _THRESHOLD, "ratio": Number(1, 100), "attack_ms": Number(0, 1000, "ms"),
                         "release_ms": _MS}),
    "Delay": Table({"delay_seconds": Number(0, 5, "s"), "feedback": Number(0, 0.95), "mix": _UNIT}),
    "Distortion": Table({"drive_db": Number(0, 60, "dB")}),
    "Gain": Table({"gain_db": Number(-60, 24, "dB")}),
    "HighpassFilter": _FILTER,
    "LowpassFilter": _FILTER,
    "HighShelfFilter": _SHELF,
    "LowShelfFilter": _SHELF,
    "PeakFilter": _SHELF,
    "Invert": Table({}),
    "LadderFilter": Table({"cutoff_hz": _HZ, "resonance": _UNIT, "drive": Number(1, 100)}),
    "Limiter": Table({"threshold_db": _THRESHOLD, "release_ms": Number(1, 5000, "ms")}),
    "NoiseGate": Table({"threshold_db": Number(-100, 0, "dB"), "ratio": Number(1, 100),
                        "attack_ms": Number(0, 1000, "ms"), "release_ms": _MS}),
    "Phaser": Table({"rate_hz": Number(0, 99, "Hz"), "depth": _UNIT, "centre_frequency_hz": _HZ,
                     "feedback": _FEEDBACK, "mix": _UNIT}),
    "PitchShift": Table({"semitones": SEMITONES}),
    "Reverb": Table({"room_size": _UNIT, "damping": _UNIT, "wet_level": _UNIT, "dry_level": _UNIT, "width": _UNIT,
                     "freeze_mode": _UNIT}),
}
EFFECT_CHAIN = Effects(EFFECTS)

# --- voices/cast.toml, voices/draft.toml --------------------------------------------------------


PROFILE = Table({
    "engine": Text(choices=ENGINES),
    "voice": Text(max_length=300, example='a Kokoro voice such as "af_heart" or "0.6*bm_george + 0.4*am_fenrir"'),
    "model_path": PATH,
    "language": LANGUAGE,
    "model": Text(max_length=1000, example='"joe" or the name of a Piper voice in voices/'),
    "speaker_id": Number(0, 100_000, integer=True),
    "noise_scale": Number(0, 2),
    "noise_w_scale": Number(0, 2),
    "model_name": Text(max_length=300),
    "config_path": PATH,
    "speaker": NAME,
    "speaker_wav": PATH,
    "speed": Number(0.3, 3.0, "times normal speed"),
    "pitch": SEMITONES,
    "preserve_formants": Flag(),
    "gain_db": GAIN_DB,
    "effects": EFFECT_CHAIN,
    "aliases": Names(NAME, max_items=50),
    "description": Text(max_length=500, free=True),
})

_ACTING = {
    "prosody": Text(max_length=300, example='a Kokoro voice or blend, e.g. "am_fenrir" or "0.5*af_sarah + 0.5*af_kore"'),
    "amount": Number(0, 1.5, "of the way from the character's own prosody to the donor's"),
    "rows": Number(-200, 200, "rows of the voice pack (+ slower, - faster)", integer=True),
    "whisper": Flag(),
    "range": Number(0.3, 2.5, "times the line's pitch movements"),
}
ADJUSTMENT = Table({
    "speed": Number(0.5, 2.0, "times the character's speed"),
    "pitch": SEMITONES,
    "gain_db": GAIN_DB,
    "effects": EFFECT_CHAIN,
    "voice": Text(max_length=100, example="the name of a character in this cast"),
    **_ACTING,
})
#: A delivery as one character performs it: ``[characters.Kai.delivery.excited]``, over ``[delivery.excited]``.
OWN_DELIVERY = Table({k: v for k, v in ADJUSTMENT.keys.items() if k != "voice"})
#: Where a character stands in the stereo scene: -1 hard left to 1 hard right; 0 at the microphone, 1 far.
PAN = Number(-1, 1, "from -1 (left) to 1 (right)")
DISTANCE = Number(0, 1, "from 0 (at the microphone) to 1 (far away)")
CHARACTER = Table({**PROFILE.keys, "delivery": Table(each=OWN_DELIVERY, max_items=200,
                                                    example="[characters.Kai.delivery.excited]"),
                   "pan": PAN, "distance": DISTANCE})

CAST = Table({
    "defaults": PROFILE,
    "characters": Table(each=CHARACTER, max_items=200, example="[characters.Kai]"),
    "delivery": Table(each=ADJUSTMENT, max_items=200, example="[delivery.excited]"),
    "blocks": Table(each=ADJUSTMENT, max_items=200, example="[blocks.thought]"),
})

# --- show.toml ----------------------------------------------------------------------------------

LUFS = Number(-30, -9, "LUFS; podcasts use -16 to -19")
TRUE_PEAK = Number(-9, 0, "dBTP")
#: Speech mastered closer to its ceiling than this misses the loudness target after minutes of work
#: (measured: 7 dB renders, 6 dB does not).
MIN_HEADROOM_DB = 7.0


def _headroom(audio: dict) -> list[tuple[str, str]]:
    """The true-peak ceiling must leave speech room above the loudness target."""
    lufs, peak = audio.get("lufs", -16.0), audio.get("true_peak", -1.0)
    if LUFS.problem(lufs) or TRUE_PEAK.problem(peak) or peak - lufs >= MIN_HEADROOM_DB:
        return []
    return [("true_peak", f"is {peak - lufs:g} dB above lufs = {lufs:g}; speech needs at least "
                          f"{MIN_HEADROOM_DB:g} dB (the default is lufs = -16 with true_peak = -1)")]


def _take_keys(lines: dict) -> list[tuple[str, str]]:
    """A take is named by its episode and line: ``"<episode stem>/<line id>"`` (see `episode takes`)."""
    return [(key, 'is not "<episode stem>/<line id>" (`episode takes EPISODE` lists the ids)')
            for key in lines if not re.fullmatch(r"[^/]+/[a-z0-9]+(?:-[a-z0-9]+)*", key)]


#: mix.timeline.Timing's gaps (tests/test_config_schema.py keeps the two in step).
_TIMING = {name: SECONDS for name in ("lead_in", "in_turn", "vocal", "new_turn", "list_item", "interrupt_overlap",
                                      "heading_before", "heading_after", "scene_break", "sound_gap", "tail",
                                      "min_pause")} | {"chapter_min": Number(0, 600, "s")}

SHOW = Table({
    "show": Table({
        "name": NAME, "author": NAME, "description": Text(max_length=4000, free=True), "category": NAME,
        "base_url": Text(pattern=r"(?:https?://\S+)?", max_length=500, example='a web address such as '
                         '"https://example.com/podcast/"'),
        "cover": PATH, "language": LANGUAGE, "explicit": Flag(),
    }),
    "audio": Table({
        "bitrate": Text(choices=BITRATES),
        "lufs": LUFS,
        "true_peak": TRUE_PEAK,
    }, check=_headroom),
    "sound": Table({"intro": SOUND_OR_NONE, "outro": SOUND_OR_NONE,
                    "folders": Names(PATH, max_items=20, example='["../shared-sfx"]')}),
    "timing": Table(_TIMING),
    "mix": Table({"channels": Text(choices=CHANNELS), "room": Text(choices=ROOMS)}),
    "colors": Table(each=Text(pattern=r"#(?:[0-9a-fA-F]{3}){1,2}", example='a colour such as "#10b981"'),
                    max_items=200),
    "site": Table({"characters": PATH}),
    "cache": Table({"max_gb": Number(0.1, 100_000, "GB")}),
    # Recorded takes in place of lines (takes.py): a folder of takes/<episode>/<line id>.wav, and/or files by id.
    "takes": Table({"folder": PATH, "treatment": Flag(),
                    "lines": Table(each=PATH, max_items=10_000, check=_take_keys,
                                   example='[takes.lines] "episode-01/kai-only-when-nobody-asks-twice" = "rec/kai.wav"')}),
})

# --- sfx/cues.toml and directions.toml ----------------------------------------------------------

MATCH = Text(max_length=2000, regex=True)
#: What kind of sound a sound is: sets the level it is placed at against the speech (sound/cues.py).
SOUND_KINDS = ("foley", "character", "alarm", "sting", "bed")
WORDS = Names(Text(max_length=200, pattern=r"(?s).*\S.*", example="a word or phrase"), max_items=2000,
              example='["whirr", "whir"]')
_RULES = {
    "cue": Array(Table({"match": MATCH, "sound": SOUND, "gain_db": GAIN_DB, "placement": Text(choices=PLACEMENTS),
                        "overlap": Number(0, 5, "s")}, required=("match", "sound"))),
    "pause": Array(Table({"match": MATCH, "seconds": SECONDS}, required=("match",))),
    "interrupt": Array(Table({"match": MATCH}, required=("match",))),
    "delivery": Array(Table({"match": MATCH, "delivery": NAME}, required=("match",))),
    "action": Array(Table({"match": MATCH, "sound": SOUND}, required=("match",))),
    # The vocabulary a direction is read with, word by word (script/vocabulary.py).
    "words": Table({
        "pause": Table({"words": WORDS, "seconds": Number(0.05, 30, "s"), "max_seconds": Number(0.05, 60, "s"),
                        "lengths": Table(each=Number(0.05, 30, "s"), max_items=500)}),
        "interrupt": Table({"words": WORDS}),
        "delivery": Table(each=WORDS, max_items=200, example='[words.delivery] excited = ["thrilled"]'),
        "action": Table({"words": WORDS}),
        "vocal": Table({kind: WORDS for kind in VOCAL_KINDS}),
        "degree": Table(each=Number(0.1, 4, "times"), max_items=500, example='[words.degree] slightly = 0.5'),
        "scene": Table({kind: WORDS for kind in SCENE_TREATMENTS}),
        "room": Table({kind: WORDS for kind in ROOMS}),
    }),
    # What a direction about the host looks like (script/directions.py HostForm).
    "host": Table({"max_words": Number(1, 40, "words", integer=True), "adverbs": WORDS, "not_adverbs": WORDS,
                   "not_participles": WORDS, "first_person": WORDS, "finite_verbs": WORDS}),
    "sounds": Table(each=Table({"words": WORDS, "kind": Text(choices=SOUND_KINDS), "file": SOUND}), max_items=500,
                    example='[sounds.whirr]'),
    "modifiers": Table(each=Table({"words": WORDS, "gain_db": Number(-30, 12, "dB"), "repeat": Number(1, 8),
                                   "bend": SEMITONES, "wobble": Number(0, 6)}), max_items=200,
                       example="[modifiers.soft]"),
}


def _level_order(level: dict) -> list[tuple[str, str]]:
    low, high = level.get("lu"), level.get("max")
    if _LU.problem(low) or _LU.problem(high) or low <= high:
        return []
    return [("lu", f"is above max = {high:g}")]


_LU = Number(-60, 6, "LU against the speech")
RULES = Table(dict(_RULES))
CUES = Table({
    **_RULES,
    "mix": Table({"duck_db": Number(-40, 0, "dB")}),
    "blocks": Table(each=Table({"before": SOUND, "before_gain_db": GAIN_DB, "bed": SOUND, "bed_gain_db": GAIN_DB}),
                    max_items=200, example="[blocks.thought]"),
    "levels": Table({kind: Table({"lu": _LU, "max": _LU}, check=_level_order) for kind in SOUND_KINDS}),
})

# --- voices/lexicon.toml ------------------------------------------------------------------------

_SAID = Text(max_length=200, pattern=r"(?s).*\S.*", example="a non-empty string (how to say the word)")
LEXICON = Table({
    "words": Table(each=_SAID, max_items=5000),
    "patterns": Table(each=_SAID, max_items=5000),
    "phonemes": Table(each=Text(max_length=200, pattern=r"(?s).*\S.*", example="a non-empty string of espeak IPA"),
                      max_items=5000),
})
