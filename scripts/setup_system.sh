#!/usr/bin/env bash
# Install the Debian packages ftgames needs: the AMPL Solver Library, cmake and g++ (PyNumero's ASL helper, which
# Pyomo's cyipopt interface loads) and python3-venv when the interpreter cannot make virtual environments.
# Idempotent: installs only what is missing.
set -euo pipefail
PYTHON=${PYTHON:-python3}
need=()
for pkg in libamplsolver-dev cmake; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
"$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3-venv)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ftgames setup: missing ${need[*]} and apt-get is not available; install them with your package manager." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ftgames setup: the Debian packages ${need[*]} are missing and this user is not root." >&2
    echo "Run as root:  apt-get update && apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${need[@]}"
