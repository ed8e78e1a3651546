"""``ftgames sweep`` with a numerical formulation re-solves one built program per chunk (issue 14, part 3): the rows
equal those of the same sweep with re-solving switched off (``reuse=False`` / ``--no-reuse``), timings aside."""

from __future__ import annotations

import pandas as pd

from ftgames.sweep import run_sweep

GAME = """
game = "fine_tuning"
[generalist]
cost = 1.0
[[specialists]]
cost = 2.0
[bargaining]
delta = [0.5]
"""


def test_kkt_sweep_with_and_without_reuse(tmp_path):
    game = tmp_path / "one.toml"
    game.write_text(GAME)
    frames = []
    for reuse in (True, False):
        result = run_sweep(game, ["bargaining.delta[0]=0.05:0.95:6"], out=tmp_path / f"reuse_{reuse}",
                           executor="serial", chunk_size=3, formulation="kkt:sos1", solver="scip", reuse=reuse)
        frames.append(result.frame())
    timing = [c for c in frames[0].columns if ".timing." in c]
    # the same answers; a certificate's gap may differ in its last digits (a kept follower model against a fresh
    # clone can order HiGHS' columns differently)
    pd.testing.assert_frame_equal(frames[0].drop(columns=timing), frames[1].drop(columns=timing),
                                  check_exact=False, rtol=1e-9, atol=1e-12)
    assert set(frames[0]["outcomes.fixed.certificate.level"]) == {"global"}
    assert set(frames[0]["outcomes.fixed.formulation"]) == {"kkt:sos1"}


def test_answers_that_do_not_depend_on_the_swept_data_are_computed_once_per_scope():
    """``scoped_answer`` keeps an answer per key inside a ``reuse_programs`` scope and hands out copies; outside a
    scope (``--no-reuse``) it computes every time."""
    from ftgames.formulations.parametric import reuse_programs, scoped_answer

    calls = []

    def compute():
        calls.append(1)
        return {"components": [[0.25, 0.75]]}

    with reuse_programs():
        first = scoped_answer(("pareto", 1), compute)
        first["components"].append("changed by a caller")
        second = scoped_answer(("pareto", 1), compute)
        scoped_answer(("pareto", 2), compute)
    assert second == {"components": [[0.25, 0.75]]} and len(calls) == 2
    scoped_answer(("pareto", 1), compute)
    scoped_answer(("pareto", 1), compute)
    assert len(calls) == 4


def test_a_mistyped_sweep_key_names_the_keys_there_and_the_close_one(tmp_path):
    from ftgames.errors import InputError

    game = tmp_path / "one.toml"
    game.write_text(GAME)
    try:
        run_sweep(game, ["specialist[0].cost=1,2"], out=tmp_path / "out", executor="serial")
    except InputError as exc:
        text = str(exc)
    else:
        raise AssertionError("a mistyped key was accepted")
    assert "did you mean 'specialists'?" in text and "keys there: bargaining, game, generalist, specialists" in text
