"""PDF: the print HTML laid out by WeasyPrint (A4, title page, contents with page numbers,
running header with the diary numbers, "Sida X av Y").

The PDF is tagged (`pdf_tags`), so that headings, tables and lists keep their structure for
screen readers, as the accessibility law (DOS-lagen) asks of documents an authority publishes.
WeasyPrint is imported here and not at module level of the package: it takes a good part of a
second to import, and the other formats do not need it.

A long compact table (an annex of thousands of activities) is not laid out by WeasyPrint, whose
table layout takes some 40 ms a row and holds every page in memory (264 s and 2.2 GB for 4 242
rows). WeasyPrint lays out the document with as many empty pages as the rows need, so that the
contents, the running header and "Sida X av Y" count them; the rows are then written onto those
pages directly, in a monospaced standard font (Courier), a page at a time: milliseconds a page,
and memory that does not grow with the rows' layout. Those pages are not tagged as a table.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from jamkoll.reports.document import Document, Section, Table
from jamkoll.reports.renderers.html import STREAM_PAGE_ID, render_print_html

# A compact table with more rows than this is drawn directly (see the module's docstring).
STREAM_ROWS_MIN = 300

# The page (A4 in points) and its content box: print.css's @page margin 24mm 20mm 22mm 25mm.
MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, RIGHT, TOP, BOTTOM = 25 * MM, 20 * MM, 24 * MM, 22 * MM
FONT_SIZE = 5.8
LEADING = 7.0
CHAR_W = 0.6 * FONT_SIZE  # Courier: every glyph 600/1000 em
COLUMNS = int((PAGE_W - LEFT - RIGHT) // CHAR_W)
LINES = int((PAGE_H - TOP - BOTTOM) // LEADING)


def render_pdf(document: Document) -> bytes:
    from weasyprint import HTML

    streamed: list[list[list[str]]] = []
    sections: list[Section] = []
    for section in document.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Table) and block.compact and len(block.rows) > STREAM_ROWS_MIN:
                pages = list(_pages(block))
                streamed.append(pages)
                block = replace(block, rows=(), footer=None, stream_pages=len(pages))
            blocks.append(block)
        sections.append(replace(section, blocks=blocks))
    html = render_print_html(replace(document, sections=sections) if streamed else document)
    laid_out = HTML(string=html, base_url=None).render(pdf_tags=True)
    if not streamed:
        pdf = laid_out.write_pdf(pdf_tags=True)
        assert pdf is not None  # write_pdf returns the bytes when no target is given
        return pdf
    # The empty pages, in the order the tables and their pages come.
    marks = [
        (i, anchor)
        for i, page in enumerate(laid_out.pages)
        for anchor in page.anchors
        if anchor.startswith(STREAM_PAGE_ID)
    ]
    pdf = laid_out.write_pdf(pdf_tags=True)
    assert pdf is not None
    flat = [lines for pages in streamed for lines in pages]
    if len(marks) != len(flat):
        raise ValueError(f"de tomma sidorna för bilagan blev {len(marks)}, inte {len(flat)}")
    return _draw(pdf, [(page_index, lines) for (page_index, _anchor), lines in zip(marks, flat, strict=True)])


def _widths(table: Table) -> list[int]:
    """Characters per column: each column as wide as its longest cell (and its headings' longest
    word); when they do not fit on the line, the widest columns give way, wrapping their text."""
    count = len(table.headers)
    free = COLUMNS - (count - 1)
    widths = [max((len(word) for word in header.split()), default=1) for header in table.headers]
    for row in (*table.rows, *((table.footer,) if table.footer else ())):
        for i, cell in enumerate(row[:count]):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    while sum(widths) > free:
        widest = widths.index(max(widths))
        widths[widest] -= max(1, min(widths[widest] - 8, sum(widths) - free)) if widths[widest] > 8 else 1
        if max(widths) <= 3:
            break
    return widths


def _row_lines(cells: Sequence[str], widths: list[int], right: list[bool]) -> list[str]:
    wrapped = [
        textwrap.wrap(c, w, break_long_words=True) or [""] for c, w in zip(cells, widths, strict=False)
    ]
    height = max(len(w) for w in wrapped)
    lines = []
    for n in range(height):
        parts = []
        for col, width in enumerate(widths):
            text = wrapped[col][n] if col < len(wrapped) and n < len(wrapped[col]) else ""
            parts.append(text.rjust(width) if right[col] else text.ljust(width))
        lines.append(" ".join(parts).rstrip())
    return lines


def _pages(table: Table) -> Iterator[list[str]]:
    """The table as pages of text lines: on each page its caption, the column headings and a rule,
    then whole rows (a row is never split over two pages)."""
    widths = _widths(table)
    right = [(table.align[i] if i < len(table.align) else "left") == "right" for i in range(len(widths))]
    head = _row_lines(table.headers, widths, right)
    rule = "-" * (sum(widths) + len(widths) - 1)
    page: list[str] = []
    first = True

    def start() -> list[str]:
        caption = table.caption if first else f"{table.caption} (forts.)"
        return [caption, "", *head, rule]

    page = start()
    rows = [*table.rows, *((table.footer,) if table.footer else ())]
    for row in rows:
        lines = _row_lines(row, widths, right)
        if len(page) + len(lines) > LINES:
            yield page
            first = False
            page = start()
        page.extend(lines)
    yield page


def _pdf_text(text: str) -> str:
    """`text` as a PDF hex string in WinAnsiEncoding (Swedish letters, dashes); what the encoding
    cannot hold prints as "?"."""
    text = text.replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ")
    return "<" + text.encode("cp1252", errors="replace").hex() + ">"


def _draw(pdf: bytes, pages: list[tuple[int, list[str]]]) -> bytes:
    """Write each page's lines onto the empty page at its index of `pdf`."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter(clone_from=io.BytesIO(pdf))

    def font(base: str) -> object:
        return writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject(base),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            )
        )

    regular, bold = font("/Courier"), font("/Courier-Bold")

    def stream(data: bytes) -> object:
        obj = DecodedStreamObject()
        obj.set_data(data)
        return writer._add_object(obj)

    save = stream(b"q\n")
    for index, lines in pages:
        page = writer.pages[index]
        top = PAGE_H - TOP - FONT_SIZE
        ops = [f"Q q BT /FJkA {FONT_SIZE} Tf {LEADING} TL {LEFT:.2f} {top:.2f} Td"]
        for n, line in enumerate(lines):
            is_head = n < 4 and not line.startswith("-") and n != 1
            ops.append(f"/{'FJkB' if is_head else 'FJkA'} {FONT_SIZE} Tf {_pdf_text(line)} Tj T*")
        ops.append("ET Q")
        contents: Any = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), list) else [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *existing, stream("\n".join(ops).encode("ascii"))])
        resources: Any = page["/Resources"].get_object()
        fonts: Any = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        fonts[NameObject("/FJkA")] = regular
        fonts[NameObject("/FJkB")] = bold
        resources[NameObject("/Font")] = fonts
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
