"""Build PyNumero's ASL helper library against Debian's libamplsolver (no download). Idempotent."""

import glob
import subprocess
import sys


def main() -> int:
    from pyomo.contrib.pynumero.asl import AmplInterface

    if AmplInterface.available():
        return 0
    arch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()
    candidates = glob.glob(f"/usr/lib/{arch}/libamplsolver.so*") + glob.glob("/usr/lib/*/libamplsolver.so*")
    if not candidates:
        print("ftgames setup: libamplsolver not found; run scripts/setup_system.sh as root", file=sys.stderr)
        return 1
    cmd = [
        sys.executable, "-m", "pyomo.contrib.pynumero.build",
        f"-DASL_LIBRARY={sorted(candidates)[0]}",
        "-DASL_INCLUDE_DIR=/usr/include/ampl-netlib-solvers",
    ]
    print("ftgames setup: building PyNumero ASL library:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
