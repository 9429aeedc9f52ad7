"""The four renderers: any `Document` to HTML, PDF, DOCX or Markdown.

    render(document, "pdf") -> bytes

Every format carries the same headings in the same order (`Document.outline()`), the same table
cells and the same text; only what a format cannot hold is represented differently (a chart in
DOCX and Markdown is its caption and a pointer to the other versions). The notes keep the numbers
the assembler gave them in every format.

Each renderer module is imported only when its format is asked for: WeasyPrint alone takes a
good part of a second to import.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from jamkoll.reports.document import BulletList, Document, Paragraph
from jamkoll.reports.renderers.safe_text import sanitise

FORMATS = ("html", "pdf", "docx", "md")

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}

# Without the dot: f"{name}.{EXTENSIONS[fmt]}".
EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx", "md": "md"}

_RENDERERS = {
    "html": ("jamkoll.reports.renderers.html", "render_html"),
    "pdf": ("jamkoll.reports.renderers.pdf", "render_pdf"),
    "docx": ("jamkoll.reports.renderers.docx", "render_docx"),
    "md": ("jamkoll.reports.renderers.markdown", "render_markdown"),
}


def render(document: Document, fmt: str) -> bytes:
    """The document as a file in `fmt` (one of FORMATS). Text formats are UTF-8. Stored text that a
    format cannot hold (control characters) is made printable first (`safe_text.sanitise`)."""
    if fmt not in _RENDERERS:
        raise ValueError(f"okänt format {fmt!r}; välj bland {', '.join(FORMATS)}")
    check_document(document)
    module, name = _RENDERERS[fmt]
    renderer: Callable[[Document], bytes | str] = getattr(import_module(module), name)
    result = renderer(sanitise(document))
    return result.encode("utf-8") if isinstance(result, str) else result


def render_html_fragment(document: Document) -> str:
    """The document's body (an <article>) to place inside the site layout, which must link the
    stylesheet `reports/report.css`."""
    from jamkoll.reports.renderers.html import render_html_fragment as fragment

    check_document(document)
    return fragment(sanitise(document))


def check_document(document: Document) -> None:
    """Mistakes of an assembler that a renderer would otherwise print silently: a reference to a
    note that does not exist (a superscript leading nowhere), or a list whose footnote numbers do
    not match its items one to one."""
    referenced: set[int] = set()
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                referenced.update(block.footnotes)
                referenced.update(n for _offset, n in block.notes_at)
            elif isinstance(block, BulletList):
                for per_item in (block.footnotes, block.notes_at):
                    if per_item and len(per_item) != len(block.items):
                        raise ValueError(f"listan i {section.heading!r} har noter för fel antal punkter")
                for numbers in block.footnotes:
                    referenced.update(numbers)
                for notes_at in block.notes_at:
                    referenced.update(n for _offset, n in notes_at)
    missing = sorted(referenced - document.footnotes.keys())
    if missing:
        raise ValueError(f"det hänvisas till noter som saknas: {missing}")
