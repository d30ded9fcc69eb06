"""The stereo scene, measured on the decoded MP3 of a render (issue #24); prints the README's figures.

    python bench/scene.py                    # tests/fixtures/scene.md with the draft cast
    python bench/scene.py EPISODE.md --kokoro  # any episode, the default cast

Per character: the left-right balance of each plain line (mean and spread); the mono fold-down's
loudness against the stereo file's; per treated line: share of energy outside 300-3,400 Hz, tail
after its last word (0.05-0.35 s) against the line, inter-channel correlation; the loudness of a
mono render of the same script; and the joint-stereo encoder's error at each bitrate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from episode_renderer.config import load_project  # noqa: E402
from episode_renderer.mix.loudness import true_peak  # noqa: E402
from episode_renderer.render import render_episode  # noqa: E402
from episode_renderer.scene_figures import (  # noqa: E402
    balance_db,
    correlation,
    decode,
    fold_down,
    loudness,
    outside_band,
    tail_db,
)

FIXTURE = ROOT / "tests" / "fixtures" / "scene.md"
TREATED = {"Harbour office": "phone", "The ladder is over": "across the room", "Up here the whole": "echo",
           "I brought the toolbox": "enters", "Then I will go": "leaves", "Good luck out there": "unity"}


def render(script: Path, folder: Path, mono: bool) -> Path:
    show = None
    if mono:
        show = folder / "show.toml"
        show.write_text((ROOT / "show.toml").read_text("utf-8") + '\n[mix]\nchannels = "mono"\n', "utf-8")
    out = folder / ("mono.mp3" if mono else "stereo.mp3")
    render_episode(script, load_project(ROOT, show=show), out, cache_dir=folder / "cache")
    return out


def encoder_error(audio: np.ndarray, rate: int, bitrate: str, folder: Path) -> float:
    """Signal to coding-error ratio (dB) of re-encoding ``audio`` at ``bitrate``."""
    from pedalboard.io import AudioFile

    path = folder / f"re-{bitrate}-{audio.shape[0]}.mp3"
    with AudioFile(str(path), "w", samplerate=rate, num_channels=audio.shape[0], quality=bitrate) as handle:
        handle.write(audio.astype(np.float32))
    with AudioFile(str(path)) as handle:
        back = handle.read(handle.frames)
    from scipy.signal import correlate

    probe = slice(5 * rate, 25 * rate)
    lags = correlate(back.mean(axis=0)[probe], audio.mean(axis=0)[probe], mode="full", method="fft")
    lag = int(np.argmax(lags)) - (probe.stop - probe.start - 1)  # the codec's delay, in samples
    back = back[:, max(0, lag):][:, :audio.shape[-1]]
    n = back.shape[-1]
    return float(10 * np.log10(np.sum(audio[:, :n] ** 2) / np.sum((audio[:, :n] - back) ** 2)))


def report(stereo: Path, mono: Path, folder: Path) -> None:
    d = decode(stereo)
    print(f"stereo: {loudness(d.audio, d.rate):.2f} LUFS, true peak L {true_peak(d.audio[0].astype(np.float32)):.2f} "
          f"R {true_peak(d.audio[1].astype(np.float32)):.2f} dBTP; mono fold-down "
          f"{loudness(fold_down(d.audio), d.rate) - loudness(d.audio, d.rate):+.2f} LU")
    by: dict[str, list[float]] = {}
    for s in d.segments:
        if not any(s["body"].startswith(k) for k in TREATED):
            by.setdefault(s["speaker"], []).append(balance_db(d.span(s)))
    for name, values in by.items():
        print(f"  {name:10s} L-R {statistics.mean(values):+5.1f} dB (spread {max(values) - min(values):.2f} dB, "
              f"{len(values)} lines)")
    plain = [s for s in d.segments if not any(s["body"].startswith(k) for k in TREATED)]
    print(f"  plain lines: outside 300-3400 Hz median {statistics.median(outside_band(d.span(s), d.rate) for s in plain):.1%}, "
          f"tail median {statistics.median(tail_db(d, s) for s in plain):.1f} dB, correlation min "
          f"{min(correlation(d.span(s)) for s in plain):.2f}")
    for start, what in TREATED.items():
        s = next(x for x in d.segments if x["body"].startswith(start))
        piece = d.span(s)
        print(f"  {what:16s} L-R {balance_db(piece):+5.1f} dB, outside band {outside_band(piece, d.rate):.1%}, "
              f"tail {tail_db(d, s):6.1f} dB, correlation {correlation(piece):.2f}")
    m = decode(mono)
    phone = next(x for x in m.segments if x["body"].startswith("Harbour office"))
    print(f"mono render: {m.audio.shape[0]} channel, {loudness(m.audio, m.rate):.2f} LUFS, true peak "
          f"{true_peak(m.audio[0].astype(np.float32)):.2f} dBTP, phone line outside band "
          f"{outside_band(m.span(phone), m.rate):.1%}")
    for bitrate in ("96k", "128k", "160k", "192k"):
        print(f"  re-encode stereo at {bitrate}: signal/error {encoder_error(d.audio, d.rate, bitrate, folder):.1f} dB")
    print(f"  re-encode mono fold-down at 128k: signal/error "
          f"{encoder_error(d.audio.mean(axis=0, keepdims=True), d.rate, '128k', folder):.1f} dB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", type=Path, default=FIXTURE)
    parser.add_argument("--kokoro", action="store_true", help="the default cast (else voices/draft.toml)")
    args = parser.parse_args()
    if not args.kokoro:
        os.environ["EPISODE_CAST"] = str(ROOT / "voices" / "draft.toml")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        report(render(args.script, folder, mono=False), render(args.script, folder, mono=True), folder)


if __name__ == "__main__":
    main()
