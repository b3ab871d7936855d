"""Charts as SVG data URIs (matplotlib), for an ``<img>`` with alt text and a data table beside.

The Content-Security-Policy forbids inline styles, so the SVG is never inlined in the page: it is
an image. Each chart's numbers are also in the table beside it, which is what screen readers and
the exports use.
"""

from __future__ import annotations

from decimal import Decimal

from matplotlib.figure import Figure

from stegvis.core.charts import svg_data_uri


def share_chart(labels: list[str], series: list[tuple[str, list[Decimal | None]]]) -> str | None:
    """Horizontal bars of the share of positive answers per question, one bar per series
    (e.g. the association, the national value, the previous year). None when nothing to show."""
    if not labels or not any(v is not None for _name, values in series for v in values):
        return None
    colours = ["#1d4f91", "#8a8a8a", "#c7d6ea"]
    height = 0.8 / max(len(series), 1)
    # A Figure of its own, not pyplot's global state: requests may draw charts concurrently.
    figure = Figure(figsize=(7, 0.6 + 0.55 * len(labels) * max(len(series), 1) / 2))
    axes = figure.subplots()
    for index, (name, values) in enumerate(series):
        positions = [i + index * height for i in range(len(labels))]
        axes.barh(
            positions,
            [float(v) if v is not None else 0 for v in values],
            height=height,
            label=name,
            color=colours[index % len(colours)],
        )
    axes.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(labels))])
    axes.set_yticklabels(labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("%")
    axes.legend(loc="lower right", fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    return svg_data_uri(figure)
