#!/usr/bin/env bash
# Install the Debian packages the Pyomo cyipopt interface needs (AMPL Solver Library + cmake). Idempotent.
set -euo pipefail
need=()
for pkg in libamplsolver-dev cmake; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
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
