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
    suppress_linked,
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


Member = tuple[int, tuple[int, int]]


def _pinned(shown: list[list[list[int | str]]], links: list[list[Member]]) -> set[Member]:
    """The figures a reader can pin down from published tables (extended grids: totals last)
    read together, knowing that the linked entries are one figure. A figure is named by the
    first entry of its link (or by itself)."""
    figure: dict[Member, Member] = {
        (t, (r, c)): (t, (r, c))
        for t, table in enumerate(shown)
        for r, line in enumerate(table)
        for c in range(len(line))
    }
    for link in links:
        for member in link:
            figure[member] = figure[link[0]]
    known = {f: shown[m[0]][m[1][0]][m[1][1]] for m, f in figure.items()}
    known = {f: v for f, v in known.items() if isinstance(v, int)}
    for m, f in figure.items():  # a figure shown anywhere is known everywhere
        value = shown[m[0]][m[1][0]][m[1][1]]
        if isinstance(value, int):
            known[f] = value
    unknown = sorted({f for f in figure.values() if f not in known})
    if not unknown:
        return set()
    index = {f: i for i, f in enumerate(unknown)}
    bounds: list[tuple[int, int | None]] = [(0, None)] * len(unknown)
    for m, f in figure.items():
        if f in index:
            bounds[index[f]] = (1, 4) if shown[m[0]][m[1][0]][m[1][1]] == SMALL else (5, None)
    a_eq, b_eq = [], []
    for t, table in enumerate(shown):
        n_rows, n_cols = len(table) - 1, len(table[0]) - 1
        lines = [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows + 1)]
        lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols + 1)]
        for line in lines:
            *parts, last = line
            row = np.zeros(len(unknown))
            rhs = 0.0
            for sign, pos in [*((1, p) for p in parts), (-1, last)]:
                f = figure[(t, pos)]
                if f in index:
                    row[index[f]] += sign
                else:
                    rhs -= sign * float(known[f])
            if row.any():
                a_eq.append(row)
                b_eq.append(rhs)
    pinned = set()
    for f, i in index.items():
        objective = np.zeros(len(unknown))
        objective[i] = 1
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        assert low.status == 0, "the true table must be a solution"
        if high.status == 3:  # unbounded: certainly not pinned
            continue
        if round(-high.fun) - round(low.fun) < 1:
            pinned.add(f)
    return pinned


def _withheld(values: list[list[int]]) -> list[list[int | str]]:
    """Every non-zero entry withheld: what the marks alone tell."""
    return [[(("<5" if 0 < v < 5 else "–") if v else 0) for v in line] for line in values]


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
    assert _pinned([shown], []) <= _pinned([_withheld(values)], [])


# --- Tables that share figures (the annual report's three tables of exits) ---------------------


def _margins(cube: list[list[list[int]]]) -> list[list[list[int]]]:
    """Exits by intervention × group × gender, published as three tables: by intervention and
    gender, by intervention and group, by group and gender (document_sections.exit_links)."""
    n, m, k = len(cube), len(cube[0]), len(cube[0][0])
    return [
        [[sum(cube[i][j][g] for j in range(m)) for g in range(k)] for i in range(n)],
        [[sum(cube[i][j][g] for g in range(k)) for j in range(m)] for i in range(n)],
        [[sum(cube[i][j][g] for i in range(n)) for g in range(k)] for j in range(m)],
    ]


def _links(cube: list[list[list[int]]]) -> list[list[Member]]:
    from stegvis.reports.document_sections import exit_links

    return exit_links(len(cube), len(cube[0][0]), len(cube[0]))


# Two interventions × two report groups × women and men. A: 1 woman to work, 4 men to other;
# B: 19 women and 2 men to work, 4 women and 2 men to other. Exits by gender: A 1 + 4, B 23 + 4;
# by group: A 1 + 4, B 21 + 6; by group and gender: work 20 + 2, other 4 + 6.
LEAKY = [[[1, 0], [0, 4]], [[19, 2], [4, 2]]]


def test_tables_suppressed_one_by_one_give_hidden_exits_back():
    """Suppressed one at a time, each table is safe alone, but not together: exits by gender
    hides the women's and the men's totals, which exits by group and gender shows (24 and 8).
    Then A's women a, A's men 5 - a, B's women 24 - a and B's men 3 + a, and B's men "<5" (at
    most 4) leaves a = 1: every hidden cell of the first table is worked out. Suppressed
    together, the totals are hidden in both, and nothing is pinned that the marks alone would
    not tell."""
    tables = _margins(LEAKY)
    links = _links(LEAKY)
    one_by_one = [_published(suppress_grid(t)) for t in tables]
    baseline = _pinned([_withheld(_extended(t)) for t in tables], links)
    assert _pinned(one_by_one, links) - baseline
    together = [_published(g) for g in suppress_linked(tables, links)]
    assert not _pinned(together, links) - baseline
    # A figure shared by two tables is shown in both or hidden in both.
    for link in links:
        shown = {str(together[t][r][c]) for t, (r, c) in link}
        assert len(shown) == 1 or not any(v.isdigit() for v in shown)


cubes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2)).flatmap(
    lambda size: st.lists(
        st.lists(
            st.lists(
                st.sampled_from([0, 0, 1, 2, 3, 4, 5, 8, 12, 20]),
                min_size=size[2],
                max_size=size[2],
            ),
            min_size=size[1],
            max_size=size[1],
        ),
        min_size=size[0],
        max_size=size[0],
    )
)


@settings(max_examples=150, deadline=None)
@given(cubes)
def test_linked_tables_let_no_hidden_figure_be_recomputed(cube):
    tables = _margins(cube)
    links = _links(cube)
    together = [_published(g) for g in suppress_linked(tables, links)]
    for shown, cells in zip(together, tables, strict=True):
        for shown_line, line in zip(shown, _extended(cells), strict=True):
            for value, true in zip(shown_line, line, strict=True):
                assert value == true if isinstance(value, int) else true > 0
                assert not (isinstance(value, int) and 0 < value < 5)
    assert _pinned(together, links) <= _pinned([_withheld(_extended(t)) for t in tables], links)


def test_links_between_different_figures_are_ignored():
    """Entries that do not hold the same number are not one figure (a package whose tables
    disagree): they are suppressed each in its own table."""
    a, b = suppress_linked([[[3, 12]], [[2, 20]]], [[(0, (1, 2)), (1, (1, 2))]])
    assert (a.cells, a.total) == ([[SMALL, HIDDEN]], 15)
    assert (b.cells, b.total) == ([[SMALL, HIDDEN]], 22)
