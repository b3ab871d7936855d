"""The shared chart and PDF helpers: reproducible SVG data URIs, and PDFs that load nothing."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from matplotlib.figure import Figure

from stegvis.core.charts import svg_data_uri
from stegvis.core.pdf import html_to_pdf


def _figure() -> Figure:
    figure = Figure(figsize=(3, 2))
    figure.subplots().bar(["Kvinnor", "Män"], [3, 12])
    return figure


def test_a_chart_is_an_svg_data_uri_and_the_same_figure_gives_the_same_bytes():
    first, second = svg_data_uri(_figure()), svg_data_uri(_figure())
    prefix = "data:image/svg+xml;base64,"
    assert first.startswith(prefix)
    svg = base64.b64decode(first[len(prefix) :]).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Kvinnor" in svg  # text stays text (svg.fonttype none): searchable, accessible
    assert first == second


class _Counting(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"h1 { color: red; }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server():
    server = HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Counting.hits = 0
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_pdf_is_laid_out_and_fetches_nothing_but_data_uris(local_server):
    chart = svg_data_uri(_figure())
    html = (
        f'<html><head><link rel="stylesheet" href="{local_server}/x.css"></head><body>'
        f'<h1>Sammanställning åäö</h1><img src="{local_server}/bild.png" alt="">'
        f'<img src="file:///etc/hostname" alt=""><img src="{chart}" alt="Diagram"></body></html>'
    )
    pdf = html_to_pdf(html, stylesheets=("css/stegvis.css",))
    assert pdf.startswith(b"%PDF")
    assert _Counting.hits == 0


def test_a_missing_stylesheet_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        html_to_pdf("<p>x</p>", stylesheets=("css/finns-inte.css",))
