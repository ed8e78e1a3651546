"""The openness game's defaults and formulations side by side (issue 17): what the default forms give, and the time
per equilibrium of the exact enumeration against the KKT form on SCIP, in one run.

    .venv/bin/python benchmarks/openness_defaults.py [--repeats 7]

Prints ω*(α0) without regulation, the switching penalty L(θ) at α0 = 1.5, and the median wall-clock time per
equilibrium (α0 = 1.5, θ = 0.6, p = 0.05) for the default forms (proof ``concave_convex``) and a royalty contract
``linear_in_openness`` (proof ``interval_verified``), each by ``enumeration`` and ``kkt:sos1`` on SCIP.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ftgames.formulations.openness.equilibrium import compliance_loss, solve_equilibrium
from ftgames.models.contracts import LinearInOpennessShare
from ftgames.models.openness import OpennessGame


def median_seconds(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    game = OpennessGame()
    print("ω* without regulation (δ = 0.5):",
          ", ".join(f"α0 = {a:g}: {solve_equilibrium(game.replace(alpha0=a)).omega:.2f}"
                    for a in (0.5, 0.8, 1.0, 1.5, 2.0, 3.0)))
    strong = game.replace(alpha0=1.5)
    print("switching penalty at α0 = 1.5:",
          ", ".join(f"L({t:g}) = {compliance_loss(strong.with_regulation(t, 0.0)):.4f}"
                    for t in (0.3, 0.5, 0.6, 0.7, 0.9)))
    regulated = strong.with_regulation(0.6, 0.05)
    royalty = regulated.replace(contract=LinearInOpennessShare(slope=-0.3), delta=0.6)
    solve_equilibrium(regulated, "kkt:sos1")  # warm-up: imports and SCIP's first start
    print("| forms | proof | enumeration | kkt:sos1 / SCIP | ratio | same answer |")
    print("|---|---|---:|---:|---:|---|")
    for name, g in (("defaults", regulated), ("linear_in_openness (slope −0.3)", royalty)):
        exact, kkt = solve_equilibrium(g), solve_equilibrium(g, "kkt:sos1")
        t_exact = median_seconds(lambda g=g: solve_equilibrium(g), args.repeats)
        t_kkt = median_seconds(lambda g=g: solve_equilibrium(g, "kkt:sos1"), max(3, args.repeats // 2))
        same = exact.regime == kkt.regime and abs(exact.U_G - kkt.U_G) <= 1e-6
        print(f"| {name} | {exact.proof} | {t_exact * 1e3:.2f} ms | {t_kkt * 1e3:.0f} ms | {t_kkt / t_exact:.0f} | "
              f"{'yes' if same else 'NO'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
