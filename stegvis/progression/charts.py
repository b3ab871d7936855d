"""Charts as SVG data URIs (the CSP forbids inline styles, so never raw SVG in the page)."""

from __future__ import annotations

import base64
import io
import textwrap

from matplotlib.figure import Figure

from stegvis.progression.figures import ParticipantInstrument


def profile_chart(figures: ParticipantInstrument, *, first_label: str, latest_label: str) -> str:
    """Horizontal bars of each item at the first and the latest measurement, as a data URI.
    The page shows the same numbers in a table beside it."""
    rows = [r for r in figures.rows if r.first is not None or r.latest is not None]
    labels = [textwrap.fill(r.item.area or r.item.key, 28) for r in rows]
    height = max(2.0, 0.55 * len(rows) + 1.0)
    fig = Figure(figsize=(7, height))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    ax.barh(
        [p + 0.2 for p in positions],
        [r.first or 0 for r in rows],
        height=0.4,
        color="#9aa5b1",
        label=first_label,
    )
    ax.barh(
        [p - 0.2 for p in positions],
        [r.latest or 0 for r in rows],
        height=0.4,
        color="#0b4f6c",
        label=latest_label,
    )
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    top = max([r.item.max_value for r in rows] or [10])
    ax.set_xlim(0, top)
    ax.legend(loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f"data:image/svg+xml;base64,{encoded}"
