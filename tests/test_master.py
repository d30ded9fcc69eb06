"""Loudness measurement and mastering on synthetic signals."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from episode_renderer.mix.compressor import prepare
from episode_renderer.mix.loudness import integrated_loudness, loudness_range, true_peak
from episode_renderer.mix.master import Target, finished

RATE = 44100


def master(audio: np.ndarray, target: Target = Target(), *, parts: int = 1) -> np.ndarray:
    """The whole mastering chain as a render runs it: prepare, then the finished blocks joined."""
    return finish(prepare(audio, parts), target, parts=parts)


def finish(prepared: np.ndarray, target: Target = Target(), *, parts: int = 1) -> np.ndarray:
    return np.concatenate(list(finished(prepared, target, parts=parts)))


def speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    bursts = np.repeat(rng.random(int(seconds * 4)) > 0.35, RATE // 4)
    level = np.repeat(rng.uniform(0.05, 0.3, int(seconds * 4)), RATE // 4)
    return (rng.standard_normal(bursts.size) * bursts * level).astype(np.float32)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_integrated_loudness_matches_pyloudnorm(seed):
    audio = speechlike(25, seed)
    assert integrated_loudness(audio) == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(audio), abs=0.01)


def test_loudness_range_sees_dynamics():
    steady = (np.random.default_rng(0).standard_normal(RATE * 30) * 0.1).astype(np.float32)
    varied = np.concatenate([steady[:RATE * 15] * 0.1, steady[RATE * 15:]])
    assert loudness_range(steady) < 1.0
    assert 15 < loudness_range(varied) < 25  # a 20 dB step


def test_true_peak_finds_inter_sample_peaks():
    t = np.arange(RATE) / RATE
    sine = np.sin(2 * np.pi * (RATE / 4) * t + np.pi / 4).astype(np.float32)  # samples miss the crests
    assert np.max(np.abs(sine)) == pytest.approx(0.7071, abs=1e-3)
    assert true_peak(sine) == pytest.approx(0.0, abs=0.2)  # sample peak says -3 dB


def test_master_hits_the_target_under_the_ceiling():
    out = master(speechlike(40) * 0.2, Target(lufs=-16.0, limiter_ceiling=-2.0))
    assert integrated_loudness(out) == pytest.approx(-16.0, abs=0.3)
    assert true_peak(out) <= -1.0


def test_mastering_is_the_same_bytes_on_any_number_of_cores():
    """A cluster worker masters with one core, a laptop with two: the episode must not differ."""
    from episode_renderer.mix.loudness import measure
    from episode_renderer.mix.master import limit

    audio = speechlike(150, seed=3)  # three pieces
    one, two, three = (prepare(audio, parts=n) for n in (1, 2, 3))
    assert np.array_equal(one, two) and np.array_equal(one, three)
    assert np.array_equal(limit(one * 4, -2.0, parts=1), limit(one * 4, -2.0, parts=2))
    assert measure(one, parts=1) == measure(one, parts=2)
    assert np.array_equal(master(audio, parts=1), master(audio, parts=2))


def test_mastering_pieces_join_where_one_run_would_be():
    """Cut into pieces with a pre-roll, the result is what one uninterrupted run gives."""
    import pedalboard

    from episode_renderer.mix.compressor import PREROLL
    from episode_renderer.mix.parts import streamed

    audio = speechlike(150, seed=3) * 4

    def make():
        limiter = pedalboard.Limiter(threshold_db=-2.0, release_ms=80)
        return lambda piece: limiter(piece[None, :], RATE, reset=False)[0]

    cut = streamed(make, audio.copy(), parts=2, preroll=PREROLL, piece=60 * RATE)
    whole = streamed(make, audio.copy(), parts=1, preroll=PREROLL, piece=audio.size)
    assert np.max(np.abs(cut - whole)) < 1e-4


@pytest.mark.parametrize("lufs", [-19.0, -16.0, -14.0])
def test_finish_lands_on_the_target_when_the_limiter_works_hard(lufs):
    """Loud peaks make the limiter take loudness away; the gain is solved for it, not guessed."""
    audio = speechlike(200, seed=4)
    audio[::RATE // 3] = 0.99  # clicks the limiter must catch
    out = finish(prepare(audio, parts=2), Target(lufs=lufs, limiter_ceiling=-2.0), parts=2)
    assert integrated_loudness(out) == pytest.approx(lufs, abs=0.1)
    assert np.max(np.abs(out)) <= 10 ** (-2.0 / 20) + 1e-6  # inter-sample overs are the encode gate's job


def test_the_mp3_decodes_at_the_level_it_was_mastered_to(tmp_path):
    """pedalboard's LAME writes at 95%; write_mp3 undoes it, so the gate's loudness is the mix's."""
    from scipy.signal import butter, sosfilt

    from episode_renderer.export.mp3 import read_audio, write_mp3

    audio = sosfilt(butter(4, 8000, fs=RATE, output="sos"), speechlike(20, seed=5)).astype(np.float32)  # a voice's band
    write_mp3(tmp_path / "x.mp3", audio)
    decoded, _ = read_audio(tmp_path / "x.mp3")
    assert integrated_loudness(decoded) == pytest.approx(integrated_loudness(audio), abs=0.15)


def test_inter_sample_peaks_are_dipped_only_where_they_are():
    """A limiter on samples lets peaks between them through; finish takes them down locally."""
    from episode_renderer.mix.master import tame_true_peaks

    audio = speechlike(30, seed=6) * 0.3
    t = np.arange(RATE // 10) / RATE
    burst = (0.95 * np.sin(2 * np.pi * (RATE / 4) * t + np.pi / 4)).astype(np.float32)  # samples miss the crests
    at = 10 * RATE
    audio[at:at + burst.size] = burst
    assert true_peak(audio) > -0.5
    tamed = tame_true_peaks(audio, -3.0)
    assert true_peak(tamed) <= -3.0 + 0.1
    far = np.r_[0:at - RATE // 10, at + burst.size + RATE // 10:audio.size]
    assert np.array_equal(tamed[far], audio[far])  # the rest is untouched
    dip = 20 * np.log10(np.max(np.abs(tamed[at:at + burst.size])) / np.max(np.abs(burst)))
    assert dip == pytest.approx(-3.0 - true_peak(audio), abs=0.3)  # just enough, no more
    quiet = audio * 0.1
    assert tame_true_peaks(quiet, -3.0) is quiet


def test_the_streamed_meter_measures_what_measure_does():
    """The release gate measures the file block by block as it decodes; blocks of any size give the
    whole signal's figures (K-weighting state and inter-sample peaks carried across the joins)."""
    from episode_renderer.mix.loudness import Meter, measure

    audio = speechlike(70, seed=7) * 0.5
    t = np.arange(RATE // 20) / RATE
    at = 3 * RATE - 100  # an inter-sample burst across the first join
    audio[at:at + t.size] = (0.9 * np.sin(2 * np.pi * (RATE / 4) * t + np.pi / 4)).astype(np.float32)
    whole = measure(audio)
    for size in (3 * RATE, 12345, audio.size):
        meter = Meter()
        for begin in range(0, audio.size, size):
            meter.add(audio[begin:begin + size])
        streamed = meter.result()
        assert meter.frames == audio.size
        assert streamed.integrated == pytest.approx(whole.integrated, abs=1e-6)
        assert streamed.true_peak == pytest.approx(whole.true_peak, abs=1e-6)
        assert streamed.loudness_range == pytest.approx(whole.loudness_range, abs=1e-6)


def test_mastering_in_place_and_in_blocks_changes_nothing():
    """prepare(out=audio) overwrites the mix with what a copy would hold; ``finished``'s blocks join
    into one signal whatever the block size, true-peak dips included."""
    audio = speechlike(90, seed=8)
    audio[::RATE // 2] = 0.99
    copy = prepare(audio, parts=2)
    in_place = audio.copy()
    assert prepare(in_place, parts=2, out=in_place) is in_place
    assert np.array_equal(copy, in_place)
    whole = finish(copy, Target(limiter_ceiling=-1.5, codec_headroom=1.5), parts=2)
    blocks = list(finished(copy, Target(limiter_ceiling=-1.5, codec_headroom=1.5), parts=2, block=RATE * 7))
    assert len(blocks) > 1 and np.array_equal(np.concatenate(blocks), whole)
    assert true_peak(whole) <= -1.0 - 1.5 + 0.1  # the ceiling less the codec headroom


def test_blocks_mastered_ahead_arrive_in_order_and_errors_reach_the_encoder():
    from episode_renderer.mix.parts import ahead

    assert list(ahead(iter(range(50)), depth=2)) == list(range(50))

    def broken():
        yield 1
        raise ValueError("mastering failed")

    with pytest.raises(ValueError, match="mastering failed"):
        list(ahead(broken()))
