#!/usr/bin/env bash
# Run every benchmark suite at the small scale on this machine, one output folder per suite, then combine the
# reports.  Usage: bash benchmarks/run_all.sh [OUT_DIR] [extra ftgames bench options...]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/results}
shift || true
FTGAMES=${FTGAMES:-.venv/bin/ftgames}
for suite in persistent bargaining bilevel_catalogue safety_regulation fine_tuning; do
  "$FTGAMES" bench "$suite" --out "$OUT/$suite" --time-limit 10 --repeats 3 --quiet "$@"
done
# the scaling families: one run per size (the series themselves show the growth)
"$FTGAMES" bench bilevel_scaling --out "$OUT/bilevel_scaling" --time-limit 10 --repeats 1 --quiet "$@"
# many specialists: one run per size (up to 10^6 specialists; the single-level programs get a minute)
"$FTGAMES" bench many_specialists --out "$OUT/many_specialists" --time-limit 60 --repeats 1 --quiet "$@"
# the executors suite compares wall times of whole sweeps: one run each is enough
"$FTGAMES" bench sweep_executors --out "$OUT/sweep_executors" --time-limit 60 --repeats 1 --quiet "$@"
.venv/bin/python -m ftgames.bench.combine "$OUT"
