#!/usr/bin/env bash
# Regenerate every figure of the safety-regulation game (Figures 2-5 and the cross-term variants c = ±0.1) as PNG.
# Usage: bash scripts/figures_safety.sh [OUTPUT_DIR]      (default: figures/safety; about 30 s on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
export MPLBACKEND=Agg
"$PY" -m ftgames.plots.safety all --out "${1:-figures/safety}"
"$PY" -m ftgames.plots.safety figure4 --out "${1:-figures/safety}" --c 0.1
"$PY" -m ftgames.plots.safety figure4 --out "${1:-figures/safety}" --c -0.1
