"""``ftgames solve`` on fine-tuning game files: table, JSON keys, formulations that agree, errors with lines."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ftgames.cli import main

ROOT = Path(__file__).resolve().parents[2]
ONE = str(ROOT / "examples" / "one_specialist.toml")
THREE = str(ROOT / "examples" / "three_specialists.toml")


def _json(capsys, *args: str) -> dict:
    assert main(["solve", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_one_specialist_json(capsys) -> None:
    report = _json(capsys, ONE)
    assert {"schema", "game", "parameters", "request", "outcomes", "pareto_set", "first_best"} <= set(report)
    nash = report["outcomes"]["nash"]
    assert set(nash) >= {"delta", "alpha0", "alpha", "U_G", "U_D", "regimes", "status", "certificate", "formulation",
                         "backend", "timing", "stages"}
    assert nash["delta"][0] == pytest.approx((2 + math.sqrt(13)) / 9, abs=1e-8)
    assert nash["certificate"]["level"] == "global" and nash["regimes"] == ["contribute"]
    assert [(s["stage"], s["formulation"], s["backend"]) for s in nash["stages"]] == [
        ("bargaining", "conic:log", "clarabel"), ("equilibrium", "closed_form", None)]
    assert report["outcomes"]["kalai_smorodinsky"]["delta"][0] == pytest.approx((1 + 2 * math.sqrt(7)) / 9, abs=1e-7)
    assert report["pareto_set"] == [pytest.approx([1 / 3, 1.0], abs=1e-8)]
    assert report["first_best"]["efficiency_ratio"] == pytest.approx(7 / 9, abs=1e-8)
    assert report["request"]["formulation"] == "closed_form"
    # the file names scip, but the closed form runs no solver: reported as unused, not echoed as if it had run
    solver = report["request"]["solver"]
    assert solver["name"] == "scip" and not solver["used"] and "runs no solver" in solver["note"]
    assert "line" in solver["source"] and "solve.solver" in solver["source"]


@pytest.mark.parametrize("formulation", ["kkt", "kkt:indicator", "enumeration"])
def test_formulations_agree_with_certificates(capsys, formulation) -> None:
    reference = _json(capsys, ONE)["outcomes"]
    other = _json(capsys, ONE, "--formulation", formulation)
    canonical = {"kkt": "kkt:sos1"}.get(formulation, formulation)
    assert other["request"]["formulation"] == canonical
    for name, ref in reference.items():
        out = other["outcomes"][name]
        assert out["formulation"] == canonical and out["backend"] == (None if canonical == "enumeration" else "scip")
        assert out["delta"] == pytest.approx(ref["delta"], abs=1e-9)
        assert out["alpha0"] == pytest.approx(ref["alpha0"], abs=1e-6)
        assert out["U_G"] == pytest.approx(ref["U_G"], abs=1e-6), name
        assert out["alpha"] == pytest.approx(ref["alpha"], abs=1e-6)
        assert out["certificate"]["level"] == "global", (name, formulation)
        assert out["timing"]["total_s"] >= sum(s["timing"]["total_s"] for s in out["stages"]) - 1e-9


def test_bargaining_formulation_override(capsys) -> None:
    report = _json(capsys, ONE, "--formulation", "frontier")
    assert report["outcomes"]["nash"]["delta"][0] == pytest.approx((2 + math.sqrt(13)) / 9, abs=1e-6)
    nash = report["outcomes"]["nash"]
    assert nash["certificate"]["level"] == "local" and nash["formulation"] == "frontier"  # sampled + refined
    assert nash["status"] == "locally_optimal" and nash["certificate"]["reasons"]


def test_three_specialists(capsys) -> None:
    report = _json(capsys, THREE)
    assert report["outcomes"]["utilitarian"]["delta"] == pytest.approx([1, 5 / 6, 5 / 9], abs=1e-7)
    assert report["outcomes"]["nash"]["delta"] == pytest.approx([0.13993, 0.52902, 0.65425], abs=1e-5)
    assert len(report["outcomes"]["nash"]["regimes"]) == 3
    # the README's demo: every solution certified global by its default formulation
    assert {name: out["certificate"]["level"] for name, out in report["outcomes"].items()} == dict.fromkeys(
        ["nash", "kalai_smorodinsky", "egalitarian", "utilitarian", "max_performance"], "global")
    assert report["outcomes"]["egalitarian"]["delta"] == pytest.approx([0.0, 0.5, 2 / 3], abs=1e-6)
    assert report["outcomes"]["kalai_smorodinsky"]["delta"] == pytest.approx([0.295908, 0.408108, 0.493876],
                                                                              abs=2e-5)
    assert {report["outcomes"][name]["stages"][0]["formulation"]
            for name in ("nash", "kalai_smorodinsky", "egalitarian")} == {"decomposition"}


def test_table_output(capsys) -> None:
    assert main(["solve", ONE]) == 0
    out = capsys.readouterr().out
    assert "kalai_smorodinsky" in out and "0.622839" in out and "Pareto set" in out


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "game.toml"
    path.write_text(text)
    return str(path)


def test_fixed_shares(tmp_path, capsys) -> None:
    path = _write(tmp_path, 'game = "fine_tuning"\n[generalist]\ncost = 1.0\n[[specialists]]\ncost = 1.0\n'
                            'marginal_cost = 0.8\n[[specialists]]\ncost = 1.0\nentry_cost = 5.0\n'
                            '[bargaining]\ndelta = [0.5, 0.5]\n[solve]\nformulation = "enumeration"\n')
    report = _json(capsys, path)
    fixed = report["outcomes"]["fixed"]
    assert fixed["regimes"] == ["free-ride", "abstain"] and fixed["certificate"]["level"] == "global"
    assert len(report["pareto_set"]) >= 1 and "low" not in report["pareto_set"][0]
    # described, not boxed: how many of the sampled δ are Pareto optimal, and the projections on each δ_i
    assert all(0 < c["samples"] <= c["of"] for c in report["pareto_set"])
    assert sum(c["samples"] for c in report["pareto_set"]) <= report["pareto_set"][0]["of"]
    assert all(len(c["projections"]) == 2 for c in report["pareto_set"])
    # entry costs: only the sampled membership test applies, and the report says so
    assert report["pareto"]["exact"] is False and report["pareto"]["membership"].startswith("sampled")


BAD = [
    ('[generalist]\ncost = 1.0\n[[specialists]]\ncost = -2.0\n', "line 5", "specialists[0].cost"),
    ('[generalist]\ncost = 1.0\n[[specialists]]\ncost = 2.0\n[[specialists]]\ncost = 1.0\nrevenue_power = 2\n',
     "line 8", "specialists[1].revenue_power"),
    ('[generalist]\ncost = 1.0\ncolour = "red"\n[[specialists]]\ncost = 2.0\n', "line 4", "generalist.colour"),
    ('[generalist]\ncost = 1.0\n[[specialists]]\ncost = 2.0\n[bargaining]\nsolutions = ["rubinstein"]\n', "line 7",
     "bargaining.solutions"),
    ('[generalist]\ncost = 1.0\n[[specialists]]\ncost = 2.0\n[bargaining]\ndelta = [1.5]\n', "line 7",
     "bargaining.delta"),
    ('[generalist]\ncost = 1.0\n[[specialists]]\ncost = 2.0\n[solve]\nformulation = "magic"\n', "line 7",
     "solve.formulation"),
    ('[[specialists]]\ncost = 2.0\n', "", "generalist"),
    ('exponent = 1.0\n[generalist]\ncost = 1.0\n[[specialists]]\ncost = 2.0\n', "line 2", "exponent"),
]


@pytest.mark.parametrize(("body", "line", "key"), BAD)
def test_malformed_files_name_key_and_line(tmp_path, capsys, body, line, key) -> None:
    path = _write(tmp_path, 'game = "fine_tuning"\n' + body)
    assert main(["solve", path]) == 2
    err = capsys.readouterr().err
    assert key in err and "Traceback" not in err
    assert line in err


def test_plot_writes_frontier_and_regime_map(tmp_path, capsys) -> None:
    target = tmp_path / "one.png"
    assert main(["solve", ONE, "--plot", str(target)]) == 0
    assert target.stat().st_size > 0 and (tmp_path / "one-regimes.png").stat().st_size > 0


def test_two_thousand_specialists_nash_is_certified_by_default(tmp_path, capsys) -> None:
    rng = np.random.default_rng(2000)
    text = 'game = "fine_tuning"\nexponent = 2\n[generalist]\ncost = 1.0\n'
    for cost, revenue in zip(rng.uniform(0.5, 2.0, 2000), rng.uniform(0.5, 2.0, 2000), strict=True):
        text += f"[[specialists]]\ncost = {cost:.4f}\nrevenue = {revenue:.4f}\n"
    path = _write(tmp_path, text + '[bargaining]\nsolutions = ["nash"]\n')
    nash = _json(capsys, path)["outcomes"]["nash"]
    assert nash["certificate"]["level"] == "global" and nash["stages"][0]["formulation"] == "decomposition"
    assert len(nash["delta"]) == 2000 and all(0.0 <= d <= 1.0 for d in nash["delta"])
    # the reported objective is the Nash criterion of the reported utilities
    assert nash["objective"] == pytest.approx(math.log(nash["U_G"]) + sum(math.log(u) for u in nash["U_D"]), rel=1e-12)
