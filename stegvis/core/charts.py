"""Charts for pages and PDFs: a matplotlib figure as an SVG data URI.

The Content-Security-Policy forbids inline styles, and matplotlib's SVG carries them, so a chart
is never inlined in a page: it is an ``<img>`` with alt text, its numbers in a table beside it.
Draw on a ``matplotlib.figure.Figure`` of your own, never through pyplot's global state, so that
requests drawing at the same time cannot mix their charts.
"""

from __future__ import annotations

import base64
import io

import matplotlib
from matplotlib.figure import Figure


def svg_data_uri(figure: Figure) -> str:
    """The figure as ``data:image/svg+xml;base64,…``; the same figure gives the same bytes."""
    buffer = io.BytesIO()
    # A fixed hash salt and no date: the same figures give the same file, in tests and exports.
    with matplotlib.rc_context({"svg.hashsalt": "stegvis", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
