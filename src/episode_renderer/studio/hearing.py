"""Lines made audible for the page: from the line cache when they can be, else a sentence at a time.

One ``Voices`` stays open for the server's life, so the model is loaded once and kept warm. A line
the cache holds (rendered before, or heard before) is one clip at once. A new line is cut into
sentences and synthesized in order on one thread: the page plays the first clip while the next
are made, so a long new line starts sounding after its first sentence, not after all of it.
"""

from __future__ import annotations

import io
import itertools
import re
import threading
from collections import OrderedDict
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio import SAMPLE_RATE
from ..tts.cache import LineCache
from ..tts.cast import Profile
from ..tts.lines import LineSpeaker, Said
from ..tts.voices import Voices

#: A sentence ends at . ! ? or … followed by a space; never inside a ``[[phonemes]]`` span.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?![^\[]*\]\])")
#: Clips the server keeps for the page to fetch (the newest); an older id is "heard too long ago".
KEEP_CLIPS = 256
#: Said once per engine at start, so the first line a writer clicks does not pay the first inference.
WARM_UP_TEXT = "Ready when you are."


#: A first sentence longer than this is cut at its first clause mark, so the first clip comes sooner.
FIRST_WORDS = 8
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+(?![^\[]*\]\])")


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence (a long first one also after its first clause); a piece
    shorter than three words joins the next one."""
    pieces = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    if pieces and len(pieces[0].split()) > FIRST_WORDS:
        head, *rest = _CLAUSE_END.split(pieces[0], maxsplit=1)
        if rest and len(head.split()) >= 3:
            pieces[:1] = [head, rest[0]]
    out: list[str] = []
    carry = ""
    for piece in pieces:
        piece = f"{carry} {piece}".strip() if carry else piece
        if len(piece.split()) < 3:
            carry = piece
            continue
        out.append(piece)
        carry = ""
    if carry:
        if out:
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out or [text]


#: Silence an engine puts before the words (Kokoro: about 0.45 s) is cut to this in a clip the page
#: plays, so a line sounds as soon as it starts; the render keeps the line as it was made.
LEAD_SECONDS = 0.08
_QUIET = 10 ** (-50 / 20)


def lead_silence(audio: np.ndarray) -> int:
    """Samples before the first one louder than -50 dBFS."""
    loud = np.flatnonzero(np.abs(audio) > _QUIET)
    return int(loud[0]) if loud.size else 0


def wav_bytes(audio: np.ndarray) -> bytes:
    """16-bit mono WAV at the render's rate, its lead silence cut to LEAD_SECONDS: what the page plays."""
    import soundfile

    start = max(0, lead_silence(audio) - int(LEAD_SECONDS * SAMPLE_RATE))
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(audio[start:], -1.0, 1.0), SAMPLE_RATE, subtype="PCM_16", format="WAV")
    return buffer.getvalue()


@dataclass(frozen=True)
class Part:
    """One clip of a heard line: its id (for /api/clip), what it says, and whether it was cached."""

    id: str
    text: str
    cached: bool


class Hearing:
    """The studio's voices, line cache and clip queue."""

    def __init__(self, voices_dir: Path | None, cache_dir: Path | None) -> None:
        self.voices = Voices(voices_dir, threads=0)
        self.cache = LineCache(cache_dir)
        self.speaker = LineSpeaker(self.cache, self.voices)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-voice")
        self._clips: OrderedDict[str, Future] = OrderedDict()
        self._pending: list[Future] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.warm = threading.Event()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.voices.close()

    def use_voices_dir(self, voices_dir: Path | None) -> None:
        """A cast file moved or changed: voices are looked up beside the new one."""
        if self.voices.files.folder != voices_dir:
            self.voices.close()
            self.voices = Voices(voices_dir, threads=0)
            self.speaker = LineSpeaker(self.cache, self.voices)

    def warm_up(self, profiles: list[Profile]) -> None:
        """Load every engine the cast uses and say a few words with each, on the voice thread."""
        def run() -> None:
            try:
                spoken: set[str] = set()
                for profile in profiles:
                    voice = self.voices.load(profile.engine)
                    if profile.engine.engine not in spoken:  # the first inference warms the engine's session
                        spoken.add(profile.engine.engine)
                        voice.speak(WARM_UP_TEXT, speed=1.0)
            finally:
                self.warm.set()

        self._pool.submit(run)

    def cached(self, profile: Profile, said: Said) -> np.ndarray | None:
        """The line as the cache holds it (a render's own key), or None."""
        if self.cache.folder is None:
            return None
        found = self.cache.get(self.speaker.key(profile, said))
        return found[0] if found is not None and found[1] == SAMPLE_RATE else None

    def hear(self, requests: list[tuple[Profile, Said]]) -> list[Part]:
        """Clips for ``requests`` (each a profile and what it says), in order: a cached line whole,
        a new line a sentence at a time. Clips of an earlier request not yet begun are dropped:
        the writer has moved on."""
        with self._lock:
            for future in self._pending:
                future.cancel()
            self._pending = []
        parts: list[Part] = []
        for profile, said in requests:
            audio = self.cached(profile, said)
            if audio is not None:
                parts.append(self._ready(audio, _label(said)))
                continue
            pieces = sentences(said) if isinstance(said, str) else [said]
            for piece in pieces:
                audio = self.cached(profile, piece) if len(pieces) > 1 else None  # a sentence heard before
                parts.append(self._ready(audio, _label(piece)) if audio is not None else self._submit(profile, piece))
        return parts

    def clip(self, clip_id: str, timeout: float = 120.0) -> bytes | None:
        """The WAV of a clip, waiting for its synthesis; None for an unknown or dropped clip."""
        with self._lock:
            future = self._clips.get(clip_id)
        if future is None:
            return None
        try:
            return wav_bytes(future.result(timeout=timeout))
        except (CancelledError, TimeoutError):  # a newer request dropped it, or it never came: gone
            return None

    def _ready(self, audio: np.ndarray, text: str) -> Part:
        future: Future = Future()
        future.set_result(audio)
        return Part(self._keep(future), text, True)

    def _submit(self, profile: Profile, said: Said) -> Part:
        future = self._pool.submit(self.speaker.speak, profile, said)
        with self._lock:
            self._pending.append(future)
        return Part(self._keep(future), _label(said), False)

    def _keep(self, future: Future) -> str:
        with self._lock:
            clip_id = f"c{next(self._ids)}"
            self._clips[clip_id] = future
            while len(self._clips) > KEEP_CLIPS:
                self._clips.popitem(last=False)
            return clip_id


def _label(said: Said) -> str:
    return said if isinstance(said, str) else f"[{said.kind}]"
