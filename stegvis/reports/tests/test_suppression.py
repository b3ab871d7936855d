"""Small-cell suppression (calculations.md §6): the worked example, and a property test that no
published cell from 1 to 4 survives and that no hidden cell can be recomputed from what is shown.

"Recomputed" is decided by linear programming: a reader who knows the totals shown, that "<5" is
1–4 and that "–" is at least 5 (the rule hides no zero), minimises and maximises each hidden cell
subject to every row and column adding up. Table margins make the constraint matrix totally
unimodular, so the optima are whole numbers: a hidden cell is safe when its minimum and maximum
differ. A hidden cell may still be pinned by the marks alone when every entry is withheld
(four rows of "<5" under a total "<5" are four 1s): the property is that what is shown reveals
nothing more than that.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from stegvis.reports.suppression import (
    HIDDEN,
    SMALL,
    Grid,
    suppress_counts,
    suppress_grid,
    suppress_row,
)


def test_worked_example_women_3_men_12():
    cells, total = suppress_row([3, 12])
    assert cells == [SMALL, HIDDEN]
    assert total == 15


def test_zero_is_shown_and_large_cells_stay():
    cells, total = suppress_row([0, 12, 7])
    assert cells == [0, 12, 7]
    assert total == 19


def test_two_small_cells_that_pin_each_other_hide_a_third():
    # 4 + 4 = 8 would tell that both are 4.
    cells, total = suppress_row([4, 4, 9])
    assert cells == [SMALL, SMALL, HIDDEN]
    assert total == 17


def test_a_small_total_is_small_too():
    cells, total = suppress_row([3, 0])
    assert cells == [SMALL, 0]
    assert total == SMALL


def test_counts_without_total():
    assert suppress_counts([0, 1, 4, 5, 30]) == [0, SMALL, SMALL, 5, 30]


def test_ragged_or_negative_tables_are_refused():
    with pytest.raises(ValueError, match="lika många"):
        suppress_grid([[1, 2], [3]])
    with pytest.raises(ValueError, match="minst en cell"):
        suppress_grid([])
    with pytest.raises(ValueError, match="negativa"):
        suppress_grid([[1, -2]])


def _extended(cells: list[list[int]]) -> list[list[int]]:
    rows = [[*r, sum(r)] for r in cells]
    return [*rows, [sum(r[c] for r in rows) for c in range(len(rows[0]))]]


def _published(grid: Grid) -> list[list[int | str]]:
    rows = [[*r, t] for r, t in zip(grid.cells, grid.row_totals, strict=True)]
    return [*rows, [*grid.column_totals, grid.total]]


def _recomputable(values: list[list[int]], shown: list[list[int | str]]) -> list[tuple[int, int]]:
    """Hidden positions whose value the reader can pin down."""
    n_rows, n_cols = len(values), len(values[0])
    hidden = [(r, c) for r in range(n_rows) for c in range(n_cols) if isinstance(shown[r][c], str)]
    if not hidden:
        return []
    index = {pos: i for i, pos in enumerate(hidden)}
    a_eq, b_eq = [], []
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    for line in lines:
        *parts, last = line
        row = np.zeros(len(hidden))
        rhs = 0.0
        for pos in parts:
            if pos in index:
                row[index[pos]] += 1
            else:
                rhs -= float(shown[pos[0]][pos[1]])
        if last in index:
            row[index[last]] -= 1
        else:
            rhs += float(shown[last[0]][last[1]])
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    bounds = [(1, 4) if shown[r][c] == SMALL else (5, None) for r, c in hidden]
    pinned = []
    for pos, i in index.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        assert low.status == 0, "the true table must be a solution"
        if high.status == 3:  # unbounded: certainly not pinned
            continue
        if round(-high.fun) - round(low.fun) < 1:
            pinned.append(pos)
    return pinned


counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
tables = st.integers(1, 4).flatmap(
    lambda n_cols: st.lists(
        st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=1, max_size=4
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_small_cell_survives_and_none_can_be_recomputed(cells):
    grid = suppress_grid(cells)
    shown = _published(grid)
    values = _extended(cells)
    for r, line in enumerate(shown):
        for c, value in enumerate(line):
            if isinstance(value, int):
                assert value == values[r][c], "a shown number must be the true one"
                assert not 0 < value < 5, f"a count of {value} was published"
            elif value == SMALL:
                assert 0 < values[r][c] < 5
            else:
                assert value == HIDDEN and values[r][c] >= 5
    # What the published table lets a reader pin down must be no more than what the marks alone
    # would (a table of four 1s with a total "<5" is all 1s whatever is hidden).
    withheld = [[(("<5" if 0 < v < 5 else "–") if v else 0) for v in line] for line in values]
    assert set(_recomputable(values, shown)) <= set(_recomputable(values, withheld))
