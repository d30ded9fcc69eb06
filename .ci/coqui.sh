#!/usr/bin/env bash
# Run the Coqui engine's tests in their own venv (.venv-coqui), so the main venv stays torch-free.
#
# Install order matters: torch is pinned first, torchaudio is then resolved against that pin, and
# only then is the project installed with the [coqui] extra, with torch pinned again, so pip finds
# torch satisfied and does not pull another one. torch 2.9.1 + torchaudio 2.9.* is the pairing known
# to import and run VITS here (shared/COQUI_NOTES.md); coqui-tts imports torchcodec and six without
# declaring them. PyPI's torch 2.9.1 is the CUDA build: the venv is ~7.8 GB, ~2 minutes to install.
# Extra arguments go to pytest.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=".venv-coqui"
TORCH="torch==2.9.1"
TORCH_STAMP="$VENV/.torch-complete"     # written once torch & co. installed and imported
PROJECT_STAMP="$VENV/.project-complete"  # the pyproject.toml hash the project was installed from
project_hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"

start=$SECONDS
if [[ ! -f "$TORCH_STAMP" || "$(cat "$TORCH_STAMP")" != "$TORCH" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q "$TORCH"
    "$VENV/bin/python" -m pip install -q "$TORCH" 'torchaudio==2.9.*' torchcodec six numpy
    "$VENV/bin/python" -c 'import torch, torchaudio; print("torch", torch.__version__, "torchaudio", torchaudio.__version__)'
    echo "$TORCH" > "$TORCH_STAMP"
fi
if [[ ! -f "$PROJECT_STAMP" || "$(cat "$PROJECT_STAMP")" != "$project_hash" ]]; then
    "$VENV/bin/python" -m pip install -q "$TORCH" -e '.[coqui,test]'
    "$VENV/bin/python" -c 'import torch, TTS.api; assert torch.__version__.startswith("2.9.1"), torch.__version__'
    echo "$project_hash" > "$PROJECT_STAMP"
fi
echo "coqui.sh: venv ready in $((SECONDS - start)) s"

start=$SECONDS
# EPISODE_REQUIRE_COQUI=1 turns "coqui-tts missing" into a failure instead of a skip.
EPISODE_REQUIRE_COQUI=1 "$VENV/bin/python" -m pytest tests/coqui -q "$@"
echo "coqui.sh: tests took $((SECONDS - start)) s"
