from __future__ import annotations

import numpy as np
import pytest

from ftgames.sweep import Grid, ParameterAxis, SweepError, get_dotted, parse_axis


def test_parse_range_is_inclusive_linspace():
    axis = parse_axis("regulation.theta_G=0:1.5:301")
    assert axis.key == "regulation.theta_G"
    assert axis.size == 301
    assert axis.values[0] == 0.0 and axis.values[-1] == 1.5
    assert np.allclose(np.diff(axis.values), 0.005)


def test_parse_values_and_single_value():
    assert parse_axis("bargaining.delta=0.25, 0.5,0.75").values == (0.25, 0.5, 0.75)
    assert parse_axis("specialists[1].cost=2").values == (2.0,)


@pytest.mark.parametrize("spec, fragment", [
    ("theta", "expected KEY=START"),
    ("x=0:1", "START:STOP:NUM"),
    ("x=0:1:0", "integer >= 1"),
    ("x=0:1:2.5", "integer >= 1"),
    ("x=a:1:3", "'a' is not a number"),
    ("x=0:inf:3", "not a finite number"),
    ("a..b=1", "cannot parse"),
])
def test_parse_errors_name_the_problem(spec, fragment):
    with pytest.raises(SweepError, match=fragment):
        parse_axis(spec)


def test_figure2_grid_with_constraint_has_published_size():
    """θG ∈ [0, 1.5] (301), θD ∈ [0, 2.5] (501), θD ≥ θG: Σ_i (501 − i) = 105,651 cells (spec §3)."""
    grid = Grid.build([parse_axis("regulation.theta_G=0:1.5:301"), parse_axis("regulation.theta_D=0:2.5:501")],
                      ["regulation.theta_D >= regulation.theta_G"])
    kept = grid.point_indices()
    assert grid.full_size == 301 * 501
    assert len(kept) == sum(501 - i for i in range(301)) == 105_651
    cols = grid.columns(kept)
    assert np.all(cols["regulation.theta_D"] >= cols["regulation.theta_G"] - 1e-9)
    # the diagonal is kept although the two linspaces round differently
    diagonal = np.isclose(cols["regulation.theta_D"], cols["regulation.theta_G"])
    assert diagonal.sum() == 301


def test_points_are_row_major_and_stable():
    grid = Grid.build([ParameterAxis("a", (0.0, 1.0)), ParameterAxis("b", (10.0, 20.0, 30.0))])
    assert grid.points(np.array([0, 1, 3, 5])) == [
        {"a": 0.0, "b": 10.0}, {"a": 0.0, "b": 20.0}, {"a": 1.0, "b": 10.0}, {"a": 1.0, "b": 30.0}]


def test_constraints_support_indexed_keys_arithmetic_and_boolean_logic():
    grid = Grid.build([ParameterAxis("specialists[0].cost", (1.0, 2.0, 3.0)), ParameterAxis("x.y", (0.0, 1.0, 2.0))],
                      ["specialists[0].cost + x.y <= 3 and not x.y == 1", "max(x.y, 0.5) < 4 or abs(x.y) > 9"])
    points = grid.points(grid.point_indices())
    expected = [{"specialists[0].cost": c, "x.y": y} for c in (1.0, 2.0, 3.0) for y in (0.0, 1.0, 2.0)
                if c + y <= 3 and y != 1]
    assert points == expected


@pytest.mark.parametrize("where, fragment", [
    ("theta_D >=", "not a valid expression"),
    ("nope >= 1", "'nope' is not a swept parameter"),
    ("a + 1", "must be a comparison"),
    ("__import__('os') == 1", "unsupported syntax"),
])
def test_bad_constraints_are_rejected(where, fragment):
    grid = Grid.build([ParameterAxis("a", (0.0, 1.0))], [where]) if "valid" not in fragment else None
    with pytest.raises(SweepError, match=fragment):
        if grid is None:
            Grid.build([ParameterAxis("a", (0.0, 1.0))], [where])
        else:
            grid.point_indices()


def test_duplicate_axes_rejected():
    with pytest.raises(SweepError, match="swept twice"):
        Grid.build([ParameterAxis("a", (0.0,)), ParameterAxis("a", (1.0,))])


def test_axis_must_name_a_number_in_the_game_file():
    data = {"regulation": {"theta_G": 0.0, "name": "x"}, "specialists": [{"cost": [[1, 0], [0, 1]]}]}
    assert get_dotted(data, "regulation.theta_G") == 0.0
    ParameterAxis("regulation.theta_G", (1.0,)).check_against(data)
    with pytest.raises(SweepError, match="key 'theta_X' not found"):
        ParameterAxis("regulation.theta_X", (1.0,)).check_against(data)
    with pytest.raises(SweepError, match="only numeric entries"):
        ParameterAxis("specialists[0].cost", (1.0,)).check_against(data)
    with pytest.raises(SweepError, match="has no element 3"):
        ParameterAxis("specialists[3].cost", (1.0,)).check_against(data)
    ParameterAxis("specialists[0].cost[1][1]", (2.0,)).check_against(data)
