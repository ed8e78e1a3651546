"""SCIP's NLP components on and off, per KKT encoding, over the bilevel catalogue (the evidence for
``formulations.bilevel.solve.SCIP_MIP_OPTIONS``).

Each instance of ``ftgames.catalogue.bilevel`` that the layer accepts is solved by ``solve_bilevel`` on SCIP with
``nlp/disable`` False (SCIP's default) and True, median of ``--repeats`` after a warm-up, side by side in one process;
the table gives both times, objectives and labels.  The library turns the NLP components off for ``sos1`` and
``indicator`` (and ``mixed`` without product pairs) unless the user sets the option::

    .venv/bin/python benchmarks/scip_nlp.py [--encodings sos1,indicator,product,strong_duality] [--repeats 3]
                                            [--time-limit 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def run(instance, encoding: str, disable: bool, time_limit: float) -> tuple[float, float | None, str]:
    from ftgames.formulations.bilevel import solve_bilevel
    from ftgames.solvers import SolveConfig

    start = time.perf_counter()
    result = solve_bilevel(instance.build(), encoding=encoding, solver="scip",
                           config=SolveConfig(time_limit=time_limit, options={"nlp/disable": disable}))
    return time.perf_counter() - start, result.objective if result.ok else None, result.label


def main() -> None:
    from ftgames.catalogue.bilevel import BILEVEL_INSTANCES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encodings", default="sos1,indicator,product,strong_duality")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    print("| instance | encoding | NLP on (ms) | objective | label | NLP off (ms) | objective | label | on/off |")
    print("|---|---|---:|---:|---|---:|---:|---|---:|")
    for instance in BILEVEL_INSTANCES:
        if instance.refused:
            continue
        for encoding in args.encodings.split(","):
            cells = []
            for disable in (False, True):
                try:
                    run(instance, encoding, disable, args.time_limit)  # warm-up
                    runs = [run(instance, encoding, disable, args.time_limit) for _ in range(args.repeats)]
                except Exception as exc:  # noqa: BLE001 - a refused encoding is a row, not a crash
                    cells.append((float("nan"), None, f"refused: {str(exc)[:40]}"))
                    continue
                cells.append((statistics.median(r[0] for r in runs), runs[-1][1], runs[-1][2]))
            (t_on, v_on, l_on), (t_off, v_off, l_off) = cells
            ratio = t_on / t_off if t_off == t_off and t_off > 0 else float("nan")
            print(f"| {instance.key} | {encoding} | {1000 * t_on:.1f} | {v_on if v_on is None else f'{v_on:.6g}'} "
                  f"| {l_on} | {1000 * t_off:.1f} | {v_off if v_off is None else f'{v_off:.6g}'} | {l_off} "
                  f"| {ratio:.2f} |", flush=True)


if __name__ == "__main__":
    main()
