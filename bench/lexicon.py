"""Does the lexicon help? Whisper listens to each entry of voices/lexicon.toml, with and without it.

    python bench/lexicon.py [--cast voices/cast.toml] [--character Human]

Each [words] and [phonemes] entry is spoken in a carrier sentence by one character (Kokoro by
default), once as the speech rules alone make it and once through the lexicon, and Whisper tiny.en
transcribes both. A line per entry shows what Whisper heard; "ok" means the written word (letters
joined, case and punctuation ignored) is in what it heard. Needs the [quality] extra.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARRIER = "Today we talk about {} again."
#: The show's names and jargon, checked whether or not the lexicon has an entry for them.
SHOW_WORDS = ["Kai", "Recurse", "Vector", "Bounce", "Optimax", "RAG", "LLM", "GPT-4", "ChatGPT", "OpenAI", "LoRA"]


def heard_as(written: str, heard: str) -> bool:
    """Whether consecutive heard words spell ``written`` ("G, P, T4" spells GPT-4; "our A.G." is not RAG)."""
    target = re.sub(r"[^a-z0-9]", "", written.lower())
    words = [w for w in (re.sub(r"[^a-z0-9]", "", w) for w in heard.lower().split()) if w]
    return any("".join(words[i:j]) == target for i in range(len(words)) for j in range(i + 1, len(words) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cast", type=Path, default=ROOT / "voices" / "cast.toml")
    parser.add_argument("--character", default="Human")
    args = parser.parse_args()

    import soundfile as sf

    from episode_renderer.config import load_project
    from episode_renderer.quality import transcribe
    from episode_renderer.script.speech import to_speech
    from episode_renderer.tts.cache import LineCache
    from episode_renderer.tts.lines import LineSpeaker
    from episode_renderer.tts.voices import Voices
    from episode_renderer.tts.shaping import SAMPLE_RATE

    project = load_project(ROOT, cast=args.cast)
    profile = project.cast.profile(args.character)
    speaker = LineSpeaker(LineCache(None), Voices(project.cast.voices_dir))
    work = Path(tempfile.mkdtemp(prefix="lexicon-"))
    entries = list(dict.fromkeys([*SHOW_WORDS, *project.lexicon.words, *project.lexicon.phonemes]))
    better = worse = 0
    print(f"{'entry':<12} {'without':<40} {'with lexicon':<40}")
    for word in entries:
        sentence = CARRIER.format(word)
        results = []
        for label, speech in (("plain", to_speech(sentence)), ("lexicon", project.speech(sentence))):
            wav = work / f"{label}.wav"
            sf.write(wav, speaker.speak(profile, speech), SAMPLE_RATE)
            heard = transcribe(wav).strip()
            results.append((heard_as(word, heard), heard))
        better += results[1][0] and not results[0][0]
        worse += results[0][0] and not results[1][0]
        print(f"{word:<12} {('ok ' if results[0][0] else '-- ') + results[0][1]:<40.40} "
              f"{('ok ' if results[1][0] else '-- ') + results[1][1]:<40.40}")
    print(f"{len(entries)} entries: the lexicon makes {better} heard as written that were not, {worse} the other way")


if __name__ == "__main__":
    main()
