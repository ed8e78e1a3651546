#!/usr/bin/env bash
# The two commands of the README, with no tool beyond bash, python3 and apt:
#   bash scripts/dev.sh demo   set everything up, then solve the built-in example games
#   bash scripts/dev.sh test   set everything up, then run ruff, lint-imports, the strict documentation build and the
#                              test suite (what CI runs)
# Every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

setup() {
  bash scripts/setup_system.sh
  if [ ! -x "$VENV/bin/python" ]; then "$PYTHON" -m venv "$VENV"; fi
  local stamp="$VENV/.ftgames-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --upgrade pip
    "$VENV/bin/python" -m pip install -e '.[dev]'
    touch "$stamp"
  fi
  "$VENV/bin/python" scripts/build_pynumero.py
}

case "${1:-}" in
  setup) setup ;;
  demo)
    setup
    "$VENV/bin/ftgames" solvers
    for game in examples/one_specialist.toml examples/three_specialists.toml; do
      echo; echo "== ftgames solve $game"; "$VENV/bin/ftgames" solve "$game"
    done
    ;;
  test)
    setup
    "$VENV/bin/ruff" check src tests benchmarks
    "$VENV/bin/lint-imports"
    NO_MKDOCS_2_WARNING=1 "$VENV/bin/mkdocs" build --strict --quiet --site-dir site   # no broken link or reference
    "$VENV/bin/python" -m pytest -q -n 2 --durations=15
    ;;
  *) echo "usage: bash scripts/dev.sh {setup|demo|test}" >&2; exit 2 ;;
esac
