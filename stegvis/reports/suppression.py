"""Small-cell suppression (calculations.md §6) for every aggregate that leaves the office: the
board's views, exports marked for publication and compilations beyond the association.

A count from 1 to 4 is shown as "<5" (primary suppression). Where the totals shown would let a
reader work a hidden cell out again, more cells are hidden as "–" (complementary suppression). The
reader is assumed to know this rule: a "<5" cell is 1–4, a "–" cell at least 5 (zeros are never
hidden), and every row and column adds up to its total. Totals are cells too: a total of 1–4 is
"<5", and a total may itself be hidden when nothing else in its line can be.

The rule works in two steps. First, line by line (a row or a column with its total), until every
line is safe on its own: a line with exactly one hidden entry, or with hidden cells whose sum the
total reveals and which can make up that sum in only one way, gets its smallest shown non-zero
cell hidden too (or its total, when no such cell is left). Second, since rows and columns together
can still pin a cell that each line alone does not, every hidden cell's smallest and largest
possible value is found by linear programming (the table's margins make these whole numbers) and,
for a cell that has only one possible value, one more cell of its row is hidden; both steps repeat
until no hidden cell can be recomputed. ``tests/test_suppression.py`` checks this on generated
tables.

Tables that publish the same figure (the exits per intervention are the row totals both of exits by
gender and of exits by report group) are suppressed together with :func:`suppress_linked`: a figure
hidden in one is hidden in all, and the linear programme spans every table at once, so that no
table's shown cells pin a figure that another table hides.

The office's own views show exact numbers; this is applied only at the edge of publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

SMALL = "<5"
HIDDEN = "–"
THRESHOLD = 5

Shown = int | str
Position = tuple[int, int]


@dataclass(frozen=True)
class Grid:
    """A table of counts with its totals as published: ``cells[r][c]``, ``row_totals[r]``,
    ``column_totals[c]`` and ``total`` (each a count or a suppression mark)."""

    cells: list[list[Shown]]
    row_totals: list[Shown]
    column_totals: list[Shown]
    total: Shown


def is_small(n: int) -> bool:
    return 0 < n < THRESHOLD


def mark(n: int) -> str:
    return SMALL if is_small(n) else HIDDEN


def suppress_counts(values: Sequence[int]) -> list[Shown]:
    """Counts shown without any total (independent figures): primary suppression only."""
    return [SMALL if is_small(n) else n for n in values]


def _range(n: int) -> tuple[int, int | None]:
    return (1, THRESHOLD - 1) if is_small(n) else (THRESHOLD, None)


def _line_is_safe(values: list[int], hidden: list[bool], total: int, total_hidden: bool) -> bool:
    """Safe on its own: nothing hidden; or at least two hidden entries and, where the total is
    shown, a sum of the hidden cells that their ranges can make up in more than one way."""
    count = sum(hidden) + total_hidden
    if count == 0:
        return True
    if count == 1:
        return False
    if total_hidden:
        return True
    revealed = sum(v for v, h in zip(values, hidden, strict=True) if h)
    low, high = 0, 0
    unbounded = False
    for v, h in zip(values, hidden, strict=True):
        if h:
            lo, hi = _range(v)
            low += lo
            if hi is None:
                unbounded = True
            else:
                high += hi
    return low < revealed and (unbounded or revealed < high)


class _Table:
    """The extended grid: cells, a total column and a total row; the corner is the grand total."""

    def __init__(self, cells: list[list[int]]) -> None:
        self.n_rows = len(cells)
        self.n_cols = len(cells[0]) if cells else 0
        rows = [[*r, sum(r)] for r in cells]
        totals = [sum(r[c] for r in rows) for c in range(self.n_cols + 1)]
        self.values = [*rows, totals]
        self.hidden = [[is_small(v) for v in line] for line in self.values]
        self.lines: list[list[Position]] = [
            [(r, c) for c in range(self.n_cols + 1)] for r in range(self.n_rows + 1)
        ] + [[(r, c) for r in range(self.n_rows + 1)] for c in range(self.n_cols + 1)]

    def value(self, pos: Position) -> int:
        return self.values[pos[0]][pos[1]]

    def is_hidden(self, pos: Position) -> bool:
        return self.hidden[pos[0]][pos[1]]

    def hide_in(self, line: list[Position]) -> bool:
        """Hide the smallest shown non-zero cell of the line, else its total; False if all is
        hidden already."""
        *parts, last = line
        candidates = [(self.value(p), p) for p in parts if not self.is_hidden(p) and self.value(p)]
        if candidates:
            _, (r, c) = min(candidates)
        elif not self.is_hidden(last) and self.value(last):
            r, c = last
        else:
            return False
        self.hidden[r][c] = True
        return True

    def settle_lines(self) -> None:
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                *parts, last = line
                safe = _line_is_safe(
                    [self.value(p) for p in parts],
                    [self.is_hidden(p) for p in parts],
                    self.value(last),
                    self.is_hidden(last),
                )
                if not safe and self.hide_in(line):
                    changed = True

    def hide_near(self, pos: Position) -> bool:
        """Hide one more entry in the pinned cell's row, else its column, else the shown
        non-zero entry that is smallest anywhere (often the grand total of a tiny table)."""
        r, c = pos
        if self.hide_in(self.lines[r]) or self.hide_in(self.lines[self.n_rows + 1 + c]):
            return True
        shown = [
            (v, (i, j))
            for i, line in enumerate(self.values)
            for j, v in enumerate(line)
            if v and not self.hidden[i][j]
        ]
        if not shown:
            return False
        _, (i, j) = min(shown)
        self.hidden[i][j] = True
        return True

    def shown(self, r: int, c: int) -> Shown:
        v = self.values[r][c]
        return mark(v) if self.hidden[r][c] else v


Member = tuple[int, Position]  # a table's index and an entry of its extended grid


class _Linked:
    """Tables suppressed together: ``links`` name groups of entries (a table's index and an
    entry of its extended grid, whose last row and column are the totals) that publish the same
    figure. A group whose entries do not hold one value is not the same figure and is ignored."""

    def __init__(self, tables: list[_Table], links: Sequence[Sequence[Member]] = ()) -> None:
        self.tables = tables
        # Links that share an entry are one figure: merge them (union-find on the entries).
        parent: dict[Member, Member] = {}

        def root(member: Member) -> Member:
            while parent.setdefault(member, member) != member:
                member = parent[member]
            return member

        for link in links:
            members = list(dict.fromkeys(link))
            if len({self.tables[t].value(pos) for t, pos in members}) == 1:
                for member in members[1:]:
                    parent[root(member)] = root(members[0])
        figures: dict[Member, list[Member]] = {}
        for member in parent:
            figures.setdefault(root(member), []).append(member)
        self.links: list[list[Member]] = [m for m in figures.values() if len(m) > 1]

    def _hide(self, member: Member) -> None:
        t, (r, c) = member
        self.tables[t].hidden[r][c] = True

    def _is_hidden(self, member: Member) -> bool:
        return self.tables[member[0]].is_hidden(member[1])

    def sync(self) -> bool:
        """Hide a linked figure everywhere it is hidden anywhere; True if anything changed."""
        changed = False
        for link in self.links:
            if any(self._is_hidden(m) for m in link):
                for member in link:
                    if not self._is_hidden(member):
                        self._hide(member)
                        changed = True
        return changed

    def pinned(self) -> list[list[Member]]:
        """The hidden figures (each as every entry that publishes it) whose only possible value
        follows from what is shown in all the tables together."""
        variable: dict[Member, int] = {}
        n = 0
        for link in self.links:
            hidden = [m for m in link if self._is_hidden(m)]
            for member in hidden:
                variable[member] = n
            n += bool(hidden)
        for t, table in enumerate(self.tables):
            for r in range(table.n_rows + 1):
                for c in range(table.n_cols + 1):
                    if table.hidden[r][c] and (t, (r, c)) not in variable:
                        variable[(t, (r, c))] = n
                        n += 1
        if not n:
            return []
        a_eq: list[np.ndarray] = []
        b_eq: list[float] = []
        for t, table in enumerate(self.tables):
            for line in table.lines:
                *parts, last = line
                row = np.zeros(n)
                rhs = 0.0
                for sign, pos in [*((1, p) for p in parts), (-1, last)]:
                    if (t, pos) in variable:
                        row[variable[(t, pos)]] += sign
                    else:
                        rhs -= sign * table.value(pos)
                if row.any():
                    a_eq.append(row)
                    b_eq.append(rhs)
        members: list[list[Member]] = [[] for _ in range(n)]
        for member, i in variable.items():
            members[i].append(member)
        bounds = [_range(self.tables[m[0][0]].value(m[0][1])) for m in members]
        result = []
        for i in range(n):
            objective = np.zeros(n)
            objective[i] = 1
            low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if high.status == 3:  # unbounded above: not pinned
                continue
            if round(-high.fun) - round(low.fun) < 1:
                result.append(members[i])
        return result

    def settle(self) -> None:
        while True:
            while True:
                for table in self.tables:
                    table.settle_lines()
                if not self.sync():
                    break
            pinned = self.pinned()
            if not pinned:
                return
            # One more entry near the first pinned figure that has one (in the first of its
            # tables that has one), then look again: that may already free the others.
            if not any(any(self.tables[t].hide_near(pos) for t, pos in fig) for fig in pinned):
                return  # every non-zero entry is hidden: nothing more can be shown less


def _checked(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    rows = [list(r) for r in cells]
    if not rows or not rows[0]:
        raise ValueError("En tabell att publicera måste ha minst en cell.")
    if any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("Alla rader i tabellen måste ha lika många celler.")
    if any(n < 0 for r in rows for n in r):
        raise ValueError("En tabell kan inte ha negativa antal.")
    return rows


def _grid(table: _Table) -> Grid:
    n_rows, n_cols = table.n_rows, table.n_cols
    return Grid(
        cells=[[table.shown(r, c) for c in range(n_cols)] for r in range(n_rows)],
        row_totals=[table.shown(r, n_cols) for r in range(n_rows)],
        column_totals=[table.shown(n_rows, c) for c in range(n_cols)],
        total=table.shown(n_rows, n_cols),
    )


def suppress_grid(cells: Sequence[Sequence[int]]) -> Grid:
    """Suppress a table of counts with row totals, column totals and a grand total, all computed
    from the cells (so they always add up)."""
    table = _Table(_checked(cells))
    _Linked([table]).settle()
    return _grid(table)


def suppress_linked(
    tables: Sequence[Sequence[Sequence[int]]], links: Sequence[Sequence[Member]]
) -> list[Grid]:
    """Suppress tables that share figures, together (see the module's docstring). ``links``:
    groups of ``(table index, (row, column))`` in each table's extended grid (row ``len(cells)``
    is the total row, column ``len(cells[0])`` the total column) that hold the same figure."""
    grids = [_Table(_checked(cells)) for cells in tables]
    _Linked(grids, links).settle()
    return [_grid(table) for table in grids]


def suppress_row(values: Sequence[int]) -> tuple[list[Shown], Shown]:
    """One row of counts and its total (women, men, other → total), as in the worked example:
    women 3, men 12 → "<5", "–", total 15."""
    grid = suppress_grid([list(values)])
    return grid.cells[0], grid.row_totals[0]
