"""PDF: the print HTML laid out by WeasyPrint (A4, title page, contents with page numbers,
running header with the diary numbers, "Sida X av Y").

The PDF is tagged (`pdf_tags`), so that headings, tables and lists keep their structure for
screen readers, as the accessibility law (DOS-lagen) asks of documents an authority publishes.
WeasyPrint is imported here and not at module level of the package: it takes a good part of a
second to import, and the other formats do not need it.
"""

from __future__ import annotations

from jamkoll.reports.document import Document
from jamkoll.reports.renderers.html import render_print_html


def render_pdf(document: Document) -> bytes:
    from weasyprint import HTML

    html = render_print_html(document)
    pdf = HTML(string=html, base_url=None).write_pdf(pdf_tags=True)
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf
