"""Charts as SVG data URIs (the CSP forbids inline styles, so never raw SVG in the page)."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from stegvis.core.charts import svg_data_uri
from stegvis.progression.figures import ItemRow, ParticipantInstrument


def profile_chart(
    figures: ParticipantInstrument, *, first_label: str, latest_label: str, scale_label: str
) -> str:
    """Horizontal bars of each item at the first and the latest measurement, as a data URI.
    The page shows the same numbers in a table beside it."""
    rows = [r for r in figures.rows if r.first is not None or r.latest is not None]
    labels = [textwrap.fill(r.item.area or r.item.key, 24) for r in rows]
    # Items on different scales (0–100 beside 1–10) are drawn as a share of their own scale.
    scales = {(r.item.min_value, r.item.max_value) for r in rows}
    shared = len(scales) == 1

    def length(row: ItemRow, value: int | None) -> float:
        if value is None:
            return 0.0
        if shared:
            return float(value)
        low, high = row.item.min_value, row.item.max_value
        return 100.0 * (value - low) / (high - low)

    height = max(2.5, 0.6 * len(rows) + 1.4)
    fig = Figure(figsize=(6.5, height))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    ax.barh(
        [p + 0.2 for p in positions],
        [length(r, r.first) for r in rows],
        height=0.4,
        color="#9aa5b1",
        label=first_label,
    )
    ax.barh(
        [p - 0.2 for p in positions],
        [length(r, r.latest) for r in rows],
        height=0.4,
        color="#0b4f6c",
        label=latest_label,
    )
    ax.set_yticks(positions, labels, fontsize=11)
    ax.invert_yaxis()
    if shared:
        ax.set_xlim(0, max(r.item.max_value for r in rows))
    else:
        ax.set_xlim(0, 100)
        ax.set_xlabel(scale_label, fontsize=11)
    ax.tick_params(axis="x", labelsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3 if not shared else -0.12), ncols=2)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return svg_data_uri(fig)
