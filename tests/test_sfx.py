"""The synthesized sound effects: right shape, right pitch, seamless beds, and sfx/ in step with the code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from episode_renderer.errors import EpisodeError

SR = 44100
ROOT = Path(__file__).resolve().parents[1]
SFX_DIR = ROOT / "sfx"


def _synth():
    """tools/sfx_synth.py, the checkout's generator of sfx/ (not part of the installed package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sfx_synth", ROOT / "tools" / "sfx_synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synth = _synth()

DURATIONS = {  # seconds, (min, max)
    "whirr": (0.6, 1.0),
    "chk-chk": (0.25, 0.45),
    "soft-chime": (1.2, 2.0),
    "mechanical-purr": (1.2, 2.0),
    "alarm-buzz": (0.8, 1.3),
    "ding": (0.8, 1.3),
    "beep": (0.2, 0.3),
    "soft-click": (0.1, 0.2),
    "page-flip": (0.3, 0.5),
    "notebook-close": (0.2, 0.4),
    "typing": (1.2, 2.0),
    "glitch": (0.4, 0.8),
    "chk": (0.1, 0.2),
    "buzz": (0.2, 0.35),
    "hum": (1.0, 1.5),
    "pulse": (0.5, 0.9),
    "sweep": (0.8, 1.2),
    "whistle": (0.4, 0.8),
    "static": (0.6, 1.0),
    "alert": (0.35, 0.6),
    "thud": (0.25, 0.45),
    "knock": (0.4, 0.6),
    "whoosh": (0.5, 0.9),
    "interrupt": (0.3, 0.5),
    "transition": (1.2, 2.0),
    "intro-sting": (2.5, 3.5),
    "outro-sting": (2.5, 3.5),
    "music-bed": (15.0, 25.0),
    "room-tone": (8.0, 12.0),
    "server-hum": (8.0, 12.0),
    "rain": (8.0, 12.0),
    "game-music": (6.0, 10.0),
}
BEDS = {"music-bed", "room-tone", "server-hum", "rain", "game-music"}


@pytest.fixture(scope="module")
def rendered() -> dict[str, np.ndarray]:
    return {name: synth.render(name, SR) for name in synth.SOUNDS}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sfx")
    return out, synth.build(out)


def _dominant_hz(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / SR)[np.argmax(spec)])


def _peak_db(x: np.ndarray) -> float:
    return 20 * np.log10(float(np.max(np.abs(x))))


def test_registry_is_the_designed_set() -> None:
    assert set(synth.SOUNDS) == set(DURATIONS)
    assert synth.BEDS == BEDS


@pytest.mark.parametrize("name", sorted(DURATIONS))
def test_sound_shape_level_and_length(rendered: dict[str, np.ndarray], name: str) -> None:
    x = rendered[name]
    assert x.dtype == np.float32 and x.ndim == 1
    assert np.all(np.isfinite(x)) and np.max(np.abs(x)) <= 1.0
    lo, hi = DURATIONS[name]
    assert lo <= len(x) / SR <= hi
    rms_db = 10 * np.log10(np.mean(x.astype(np.float64) ** 2))
    assert rms_db > -40, "effectively silent"
    target = -12.0 if name in BEDS else -3.0
    assert _peak_db(x) == pytest.approx(target, abs=0.2)


@pytest.mark.parametrize("name", sorted(set(DURATIONS) - BEDS))
def test_one_shots_start_and_end_without_a_click(rendered: dict[str, np.ndarray], name: str) -> None:
    x = rendered[name]
    assert abs(x[0]) < 0.01 and abs(x[-1]) < 0.01


def test_rendering_is_deterministic(rendered: dict[str, np.ndarray]) -> None:
    for name, first in rendered.items():
        assert np.array_equal(first, synth.render(name, SR)), name


@pytest.mark.parametrize(("name", "hz"), [("soft-chime", 784.0), ("ding", 1318.5), ("beep", 1000.0)])
def test_tonal_sounds_ring_at_their_designed_pitch(rendered: dict[str, np.ndarray], name: str,
                                                   hz: float) -> None:
    assert _dominant_hz(rendered[name]) == pytest.approx(hz, rel=0.01)


def test_chime_and_ding_are_bells_not_pure_tones(rendered: dict[str, np.ndarray]) -> None:
    for name, f0 in (("soft-chime", 784.0), ("ding", 1318.5)):
        x = rendered[name].astype(np.float64)
        spec = np.abs(np.fft.rfft(x)) ** 2
        freqs = np.fft.rfftfreq(len(x), 1 / SR)
        near_f0 = spec[np.abs(freqs - f0) < 30].sum()
        assert spec[freqs > 1.5 * f0].sum() > 0.02 * near_f0, f"{name} has no upper partials"
        head, tail = x[: SR // 10], x[-SR // 10:]
        assert np.sqrt(np.mean(tail ** 2)) < 0.2 * np.sqrt(np.mean(head ** 2)), f"{name} does not decay"


def test_whirr_energy_sits_in_the_motor_band(rendered: dict[str, np.ndarray]) -> None:
    x = rendered["whirr"].astype(np.float64)
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    band = spec[(freqs >= 150) & (freqs <= 2500)].sum()
    assert band / spec.sum() > 0.8


def test_whirr_pitch_rises_then_falls(rendered: dict[str, np.ndarray]) -> None:
    x = rendered["whirr"]
    quarter = len(x) // 4
    starts = (0, quarter + quarter // 2, len(x) - quarter)
    pitches = [_dominant_hz(x[s:s + quarter]) for s in starts]
    assert pitches[1] > 1.3 * pitches[0] and pitches[1] > 1.3 * pitches[2]


def test_purr_pulses_about_25_times_a_second(rendered: dict[str, np.ndarray]) -> None:
    x = rendered["mechanical-purr"].astype(np.float64)
    hop = SR // 100
    envelope = np.abs(x)[: len(x) // hop * hop].reshape(-1, hop).mean(axis=1)
    spec = np.abs(np.fft.rfft(envelope - envelope.mean()))
    freqs = np.fft.rfftfreq(len(envelope), hop / SR)
    assert 20 <= freqs[np.argmax(spec)] <= 30


@pytest.mark.parametrize("name", sorted(BEDS))
def test_beds_loop_seamlessly(rendered: dict[str, np.ndarray], name: str) -> None:
    x = rendered[name].astype(np.float64)
    typical_step = np.mean(np.abs(np.diff(x)))
    assert abs(x[0] - x[-1]) < 4 * typical_step
    typical_bend = np.mean(np.abs(np.diff(x, 2)))
    seam = np.concatenate([x[-2:], x[:2]])
    assert np.max(np.abs(np.diff(seam, 2))) < 4 * typical_bend, "the slope breaks at the loop point"


def test_build_writes_readable_16_bit_files_and_no_temp_files(built: tuple[Path, list[Path]]) -> None:
    out, paths = built
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.wav" for n in synth.SOUNDS)
    assert paths == [out / f"{n}.wav" for n in synth.SOUNDS]
    for path in paths:
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.format, info.subtype) == (SR, 1, "WAV", "PCM_16")


def test_build_matches_the_render(built: tuple[Path, list[Path]], rendered: dict[str, np.ndarray]) -> None:
    out, _ = built
    for name, x in rendered.items():
        data, _ = sf.read(out / f"{name}.wav", dtype="float32")
        np.testing.assert_allclose(data, x, atol=2 / 32768, rtol=0, err_msg=name)


def test_build_only_some(tmp_path: Path) -> None:
    assert synth.build(tmp_path, only=["beep"]) == [tmp_path / "beep.wav"]
    assert [p.name for p in tmp_path.iterdir()] == ["beep.wav"]
    with pytest.raises(EpisodeError, match="no-such-sound"):
        synth.build(tmp_path, only=["no-such-sound"])


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "beep.wav"
    target.write_bytes(b"old")

    def broken_write(path: str, *args: object, **kwargs: object) -> None:
        Path(path).write_bytes(b"half a wav")
        raise OSError("disk full")

    monkeypatch.setattr(synth.sf, "write", broken_write)
    with pytest.raises(OSError, match="disk full"):
        synth.build(tmp_path, only=["beep"])
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["beep.wav"]


def test_checked_in_files_match_the_code(built: tuple[Path, list[Path]]) -> None:
    out, _ = built
    assert sorted(p.stem for p in SFX_DIR.glob("*.wav")) == sorted(synth.SOUNDS), \
        "sfx/ and SOUNDS disagree: run `python tools/sfx_synth.py`"
    for name in synth.SOUNDS:
        fresh, sr_fresh = sf.read(out / f"{name}.wav", dtype="float32")
        stored, sr_stored = sf.read(SFX_DIR / f"{name}.wav", dtype="float32")
        assert sr_stored == sr_fresh == SR
        assert stored.shape == fresh.shape, f"{name}: sfx/ is stale, run `python tools/sfx_synth.py`"
        np.testing.assert_allclose(stored, fresh, atol=2 / 32768, rtol=0,
                                   err_msg=f"{name}: sfx/ is stale, run `python tools/sfx_synth.py`")


def test_every_sound_the_vocabulary_names_has_a_file() -> None:
    from episode_renderer.sound.cues import load_cues

    book = load_cues(SFX_DIR / "cues.toml")
    named = {part for entry in book.rules.words.sounds.sounds.entries.values() for part in [entry]}
    assert named and named <= set(synth.SOUNDS), named - set(synth.SOUNDS)
    assert set(book.kinds) <= set(synth.SOUNDS)


def test_alert_rises_and_sweep_glides_up_and_back(rendered: dict[str, np.ndarray]) -> None:
    x = rendered["alert"]
    first, second = x[: int(0.15 * SR)], x[int(0.21 * SR): int(0.36 * SR)]
    assert _dominant_hz(second) > 1.3 * _dominant_hz(first)
    y = rendered["sweep"]
    fifth = len(y) // 5
    pitches = [_dominant_hz(y[s:s + fifth]) for s in (0, 2 * fifth, 4 * fifth)]
    assert pitches[1] > 1.5 * pitches[0] and pitches[1] > 1.5 * pitches[2]


def test_chk_is_one_latch_and_buzz_is_low_and_gritty(rendered: dict[str, np.ndarray]) -> None:
    assert len(rendered["chk"]) < 0.6 * len(rendered["chk-chk"])
    x = rendered["buzz"].astype(np.float64)
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    assert spec[freqs < 1000].sum() > 0.3 * spec.sum() and spec[freqs > 2000].sum() > 0.05 * spec.sum()
