"""A document as a PDF (WeasyPrint), from the same template and stylesheet as its print page.

WeasyPrint fetches nothing over the network: the stylesheet is read from the static files and every other URL in
the page is refused (a document's text cannot make the server fetch anything). Japanese is set in the Noto CJK
fonts Debian installs (fonts-noto-cjk), found through fontconfig.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetchingError

STYLESHEET = "portal/print.css"


def _no_fetching(url: str, *args: object, **kwargs: object) -> dict:
    raise URLFetchingError(f"not fetched: {url}")


def render_pdf(html: str) -> bytes:
    stylesheet = finders.find(STYLESHEET)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=[CSS(filename=stylesheet)])
