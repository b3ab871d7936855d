"""PDF from the same HTML templates as the pages, by WeasyPrint, without any network access.

A report is laid out from what it is given: its HTML (charts as data URIs) and the project's own
stylesheets, read from the static files. WeasyPrint may load nothing else: no URL of the network,
nor of this server (which could deadlock a single worker), nor a file of the machine.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured


def html_to_pdf(html: str, *, stylesheets: Sequence[str] = ()) -> bytes:
    """Lay ``html`` out as a PDF with the static ``stylesheets`` (e.g. ``"css/stegvis.css"``).

    Only ``data:`` URIs are fetched; any other resource in the HTML is left out.
    """
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    sheets = []
    for name in stylesheets:
        path = finders.find(name)
        if not isinstance(path, str):
            raise ImproperlyConfigured(f"The stylesheet {name} is not among the static files.")
        sheets.append(CSS(filename=path, url_fetcher=fetcher))
    document = HTML(string=html, url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=sheets))
