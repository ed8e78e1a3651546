"""Every bad input a clear error (issue 11): through ``ftgames.cli.main`` each ends with exit code 2 and one line
``ftgames: error: ...`` naming its source (file and key, flag or variable), never a traceback, within seconds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ftgames.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def fine_tuning(n: int = 1, *, c0: str = "1.0", cost: str = "1.0", revenue: str = "1.0", extra: str = "",
                bargaining: str | None = None) -> str:
    text = f'game = "fine_tuning"\n[generalist]\ncost = {c0}\n'
    for _ in range(n):
        text += f"[[specialists]]\ncost = {cost}\nrevenue = {revenue}\n{extra}"
    if bargaining is None:
        bargaining = "delta = [" + ", ".join(["0.5"] * n) + "]"
    return text + f"[bargaining]\n{bargaining}\n"


def safety(gen: str = "[[1, 0], [0, 1]]", cost: str = "[[1, 0], [0, 1]]", revenue: str = "[1, 1]",
           regulation: str = "theta_G = 0.2\ntheta_D = 0.6", bargaining: str = "delta = [0.5]") -> str:
    return (f'game = "safety_regulation"\n[generalist]\ncost = {gen}\n[[specialists]]\ncost = {cost}\n'
            f"revenue = {revenue}\n[regulation]\n{regulation}\n[bargaining]\n{bargaining}\n")


def openness(replace: tuple[str, str] | None = None, append: str = "") -> str:
    text = (EXAMPLES / "openness_linear.toml").read_text()
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace, 1)
    return text + append


# (id, file text or bytes, extra CLI arguments, words the message must contain)
FILE_CASES = [
    ("ft-revenue-1e308", fine_tuning(revenue="1e308"), [], ["specialists[0]", "line"]),
    ("ft-c0-1e-308", fine_tuning(c0="1e-308"), [], ["generalist.cost", "line", "1e+100"]),
    ("ft-c0-1e-308-bargained", fine_tuning(c0="1e-308", bargaining='solutions = ["nash"]'), [],
     ["generalist.cost"]),
    ("ft-cost-1e-308", fine_tuning(cost="1e-308"), [], ["specialists[0]"]),
    ("ft-exponent-near-1", fine_tuning(revenue="1e6", extra="exponent = 1.0001\n"), [], ["specialists[0]"]),
    ("ft-negative-cost", fine_tuning(cost="-1"), [], ["specialists[0].cost", "(0, inf)"]),
    ("ft-zero-c0", fine_tuning(c0="0"), [], ["generalist.cost"]),
    ("ft-nan-revenue", fine_tuning(revenue="nan"), [], ["specialists[0].revenue", "finite"]),
    ("ft-inf-revenue", fine_tuning(revenue="inf"), [], ["specialists[0].revenue"]),
    ("ft-string-cost", fine_tuning(cost='"one"'), [], ["specialists[0].cost", "number"]),
    ("ft-revenue-power-2", fine_tuning(extra="revenue_power = 2\n"), [], ["revenue_power", "(0, 1]"]),
    ("ft-delta-1.5", fine_tuning(bargaining="delta = [1.5]"), [], ["bargaining.delta", "[0, 1]"]),
    ("ft-delta-length", fine_tuning(bargaining="delta = [0.5, 0.5]"), [], ["bargaining.delta"]),
    ("ft-unknown-solution", fine_tuning(bargaining='solutions = ["best"]'), [], ["bargaining.solutions"]),
    ("ft-unknown-key", fine_tuning(extra="colour = 1\n"), [], ["specialists[0].colour", "unknown key"]),
    ("ft-no-specialists", 'game = "fine_tuning"\n[generalist]\ncost = 1\n', [], ["specialists"]),
    ("ft-2000-refusal-format", fine_tuning(2000, extra="exponent = 1.5\n", bargaining='solutions = ["nash"]'), [],
     ["bargaining.solutions", "at most 200 specialists"]),
    ("ft-2000-single-level-flag", fine_tuning(2000, bargaining='solutions = ["nash"]'),
     ["--formulation", "single_level"], ["--formulation", "at most 200 specialists"]),
    ("ft-40-kkt-flag", fine_tuning(40), ["--formulation", "kkt"], ["--formulation", "at most 16 specialists"]),
    ("ft-bad-formulation-flag", fine_tuning(), ["--formulation", "magic"], ["--formulation", "magic"]),
    ("ft-bad-solver-flag", fine_tuning(), ["--solver", "nosuchsolver"], ["--solver", "nosuchsolver"]),
    ("ft-bad-time-limit", fine_tuning(bargaining="delta = [0.5]\n[solve]\ntime_limit = -1"), [],
     ["solve.time_limit", "line"]),
    ("binary-garbage", bytes(range(128, 256)) * 4, [], ["game.toml", "UTF-8"]),
    ("invalid-toml", "game = = 1\n", [], ["game.toml", "invalid TOML"]),
    ("unknown-game", 'game = "chess"\n', [], ["game"]),
    ("safety-tiny-diagonal", safety(gen="[[1e-300, 0], [0, 1e-300]]"), [], ["generalist.cost", "1e-50"]),
    ("safety-huge-entry", safety(cost="[[1e300, 0], [0, 1]]"), [], ["specialists[0].cost", "1e+50"]),
    ("safety-not-pd", safety(cost="[[1, 2], [2, 1]]"), [], ["specialists[0].cost", "positive definite"]),
    ("safety-asymmetric", safety(gen="[[1, 0.5], [0, 1]]"), [], ["generalist.cost", "symmetric"]),
    ("safety-wrong-shape", safety(gen="[1, 2, 3]"), [], ["generalist.cost", "2x2"]),
    ("safety-revenue-1e308", safety(revenue="[1e308, 1]"), [], ["revenue"]),
    ("safety-negative-revenue", safety(revenue="[-1, 1]"), [], ["revenue", "non-negative"]),
    ("safety-theta-negative", safety(regulation="theta_G = -1\ntheta_D = 0.6"), [], ["theta_G"]),
    ("safety-delta-length", safety(bargaining="delta = [0.5, 0.5]"), [], ["delta"]),
    ("openness-alpha0-negative", openness(("alpha0 = 0.7", "alpha0 = -1")), [], ["alpha0"]),
    ("openness-unknown-family", openness(('family = "linear"                 # R', 'family = "cubic" # R')), [],
     ["family", "cubic"]),
    ("openness-theta-2", openness(("theta = 0.5", "theta = 2")), [], ["theta"]),
    ("openness-delta-2", openness(("delta = 0.5", "delta = 2")), [], ["delta"]),
    ("openness-r-1e308", openness(("r = 1.0", "r = 1e308")), [], ["model.revenue.r", "line", "1e+30"]),
    ("openness-kappa-1e-308", openness(("kappa0 = 0.5", "kappa0 = 1e-308")), [],
     ["model.fine_tuning_cost.kappa0", "line", "1e-30"]),
    ("openness-k-near-1", openness(("k = 2.0", "k = 1.00001")), [], ["fine_tuning_cost.k", "line"]),
    ("openness-unknown-key", openness(append="[extra]\nx = 1\n"), [], ["extra"]),
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    start = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - start
    captured = capsys.readouterr()
    return code, captured.err, elapsed


def _check(code: int, err: str, elapsed: float, words: list[str]) -> None:
    assert code == 2, err
    assert err.startswith("ftgames: error:"), err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, f"{word!r} not in {err!r}"
    assert elapsed < 15, f"took {elapsed:.1f} s"


@pytest.mark.parametrize(("text", "extra", "words"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_bad_game_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | bytes, extra: list[str],
                       words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FTGAMES_SOLVER", raising=False)
    path = tmp_path / "game.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    _check(*_run(["solve", str(path), *extra], capsys), words)


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check(*_run(["solve", str(tmp_path / "missing.toml")], capsys), ["missing.toml"])
    _check(*_run(["solve", str(tmp_path)], capsys), [str(tmp_path)])


def test_bad_solver_environment_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTGAMES_SOLVER", "nosuchsolver")
    path = tmp_path / "game.toml"
    path.write_text(fine_tuning())
    _check(*_run(["solve", str(path)], capsys), ["FTGAMES_SOLVER", "nosuchsolver"])


@pytest.mark.parametrize("n", [50, 200])
def test_many_specialists_at_fixed_shares_just_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    n: int) -> None:
    path = tmp_path / "game.toml"
    path.write_text(fine_tuning(n))
    for form in ("closed_form", "enumeration"):
        assert main(["solve", str(path), "--json", "--formulation", form]) == 0
        assert capsys.readouterr().err == ""


def _sweep(tmp_path: Path, *extra: str) -> list[str]:
    return ["sweep", str(EXAMPLES / "openness_linear.toml"), "--param", "regulation.theta=0:1:3",
            "--executor", "serial", "--no-progress", *extra]


@pytest.mark.parametrize(("where", "words"), [
    ("1/0 > 0", ["--where", "1/0 > 0"]),
    ("10.0 ** 1000 > 0", ["--where"]),
    ("sqrt(1, 2) > 0", ["--where"]),
    ("theta > 0", ["--where", "not a swept parameter"]),
    ("regulation.theta +", ["--where", "not a valid expression"]),
    ("regulation.theta", ["--where"]),
    ("__import__('os')", ["--where"]),
])
def test_sweep_bad_where(tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str,
                         words: list[str]) -> None:
    _check(*_run(_sweep(tmp_path, "--where", where, "--out", str(tmp_path / "out")), capsys), words)


@pytest.mark.parametrize("kind", ["file", "under_file", "unwritable", "corrupt_manifest"])
def test_sweep_bad_out(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    if kind == "file":
        out = a_file
    elif kind == "under_file":
        out = a_file / "sub"
    elif kind == "unwritable":
        out = Path("/proc/ftgames-sweep")  # not creatable, even by root
    else:
        out = tmp_path / "old"
        out.mkdir()
        (out / "manifest.json").write_text("{not json")
    _check(*_run(_sweep(tmp_path, "--out", str(out)), capsys), ["--out", str(out)])


@pytest.mark.parametrize(("param", "words"), [
    ("regulation.nope=0:1:3", ["regulation.nope"]),
    ("regulation.theta=0:1", ["regulation.theta"]),
    ("regulation.theta=a:b:c", ["regulation.theta"]),
])
def test_sweep_bad_param(tmp_path: Path, capsys: pytest.CaptureFixture[str], param: str, words: list[str]) -> None:
    argv = ["sweep", str(EXAMPLES / "openness_linear.toml"), "--param", param, "--executor", "serial",
            "--no-progress", "--out", str(tmp_path / "out")]
    _check(*_run(argv, capsys), words)


def test_a_reader_that_leaves_early_gets_no_error_message() -> None:
    """`ftgames solve ... --json | head`: the closed pipe stops the command quietly (no 'Broken pipe' error line)."""
    import subprocess
    import sys

    command = [str(Path(sys.executable).with_name("ftgames")), "solve", str(EXAMPLES / "safety_backfiring.toml"),
               "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader leaves before the report is written: writing it meets a closed pipe
    err = process.stderr.read()
    process.wait(timeout=120)
    assert b"error" not in err and b"Traceback" not in err and process.returncode in (0, 1)


def test_modelling_warnings_go_to_stderr_not_into_json() -> None:
    """Pyomo logs to standard output; the command line sends its log to standard error, so --json stays JSON (a
    subprocess: under pytest a root handler makes Pyomo's own handler stand aside)."""
    import subprocess
    import sys

    code = ("import logging, sys; from ftgames.cli import main; rc = main(['solvers', '--json']); "
            "logging.getLogger('pyomo.core').warning('a modelling warning'); sys.exit(rc)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    json.loads(run.stdout)
    assert "a modelling warning" in run.stderr and "a modelling warning" not in run.stdout
