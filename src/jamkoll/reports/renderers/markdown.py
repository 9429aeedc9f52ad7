"""Markdown (GitHub Flavored): the document title is `#`, chapters `##`, sections `###`,
subsections `####`; tables are GFM tables with an alignment row; notes are GFM footnotes
(`[^3]` in the text, the definitions at the end, where GitHub and pandoc gather them under a
heading of their own — so there is no "Noter" heading here, unlike in the other formats).

A chart cannot be shown (GitHub strips inline SVG), so it is represented by its caption and a
pointer to the PDF and HTML versions, as in the DOCX. GFM tables have no footer: the totals are
the last row, in bold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from jamkoll.reports.document import (
    Block,
    BulletList,
    Document,
    Figure,
    KeyValues,
    NoteAt,
    Paragraph,
    SignatureBlock,
    Table,
    pieces,
)
from jamkoll.reports.renderers.common import (
    BLANK,
    URL,
    Labels,
    column_align,
    figure_stand_in,
    labels_for,
    signature_lines,
)

# Characters that start emphasis, links, code or raw HTML anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# What makes a line a heading, list item, quote, rule or table row when it starts a line.
_LINE_START = re.compile(r"^(\s*)([#>+\-=|~]|\d+[.)])")


def escape(text: str, *, line_start: bool = False) -> str:
    """Plain text that Markdown shows as it is: no accidental emphasis, links or list items.
    `line_start` when the text begins a line (a paragraph); lines after a line break always do.
    A web address becomes an autolink `<…>`, inside which backslashes would not be escapes."""
    parts: list[str] = []
    last = 0
    for match in URL.finditer(text):
        parts += [_escape_inline(text[last : match.start()]), f"<{match[0]}>"]
        last = match.end()
    text = "".join([*parts, _escape_inline(text[last:])])
    lines = text.split("\n")
    lines = [_escape_line_start(line) if i or line_start else line for i, line in enumerate(lines)]
    return "\\\n".join(lines)  # a hard line break


def _escape_inline(text: str) -> str:
    return _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", text))


def _escape_line_start(line: str) -> str:
    def marker(m: re.Match[str]) -> str:
        mark = m[2]
        return m[1] + (mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark)

    return _LINE_START.sub(marker, line)


def _refs(numbers: Sequence[int]) -> str:
    return "".join(f"[^{n}]" for n in numbers)


def _text_with_refs(
    text: str, notes_at: tuple[NoteAt, ...], at_end: tuple[int, ...], *, line_start: bool = False
) -> str:
    """The escaped text with each note reference `[^n]` where it stands in the text."""
    return "".join(
        escape(piece, line_start=line_start and i == 0) + _refs(numbers)
        for i, (piece, numbers) in enumerate(pieces(text, notes_at, at_end))
    )


def render_markdown(document: Document) -> str:
    labels = labels_for(document)
    out: list[str] = [f"# {escape(document.title)}", *_title_block(document, labels)]
    for section in document.sections:
        level = min(max(section.level, 1), 3) + 1
        out.append(f"{'#' * level} {escape(section.heading)}")
        out += [_block(section.blocks, i, labels) for i in range(len(section.blocks))]
    out += [f"[^{n}]: {escape(document.footnotes[n])}" for n in sorted(document.footnotes)]
    return "\n\n".join(part for part in out if part) + "\n"


def _title_block(document: Document, labels: Labels) -> list[str]:
    lines = [f"**{escape(document.subtitle)}**" if document.subtitle else ""]
    about = (document.organisation, document.date_label, document.header_note)
    lines.append("\\\n".join(escape(t, line_start=True) for t in about if t))
    if document.facts:
        lines.append(_key_values(document.facts, labels))
    return lines


def _block(blocks: list[Block], index: int, labels: Labels) -> str:
    block = blocks[index]
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, BulletList):
        notes = block.footnotes or tuple(() for _ in block.items)
        inline = block.notes_at or tuple(() for _ in block.items)
        items = "\n".join(
            f"{f'{i}.' if block.ordered else '-'} {_text_with_refs(item, at, n)}"
            for i, (item, at, n) in enumerate(zip(block.items, inline, notes, strict=True), 1)
        )
        previous = blocks[index - 1] if index else None
        if isinstance(previous, BulletList) and previous.ordered == block.ordered:
            # Two lists of the same kind with only a blank line between are one list to a
            # Markdown reader; an empty comment ends the first.
            return f"<!-- -->\n\n{items}"
        return items
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return f"*{escape(block.caption)}* {escape(figure_stand_in(blocks, index, labels))}"
    if isinstance(block, KeyValues):
        return _key_values(block, labels)
    if isinstance(block, SignatureBlock):
        return _signature(block, labels)
    raise TypeError(f"okänd blocktyp: {type(block).__name__}")


def _paragraph(block: Paragraph) -> str:
    text = _text_with_refs(block.text, block.notes_at, block.footnotes, line_start=True)
    if block.style == "quote":
        return "> " + text.replace("\\\n", "\\\n> ")
    if block.style == "lead":
        return f"**{text}**"
    if block.style == "note":
        return f"*{text}*"
    return text


def _cell(text: str) -> str:
    # A cell is one line, and a pipe would end it.
    return escape(text).replace("\\\n", " ").replace("|", "\\|")


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _gfm_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    right: Sequence[bool],
    footer: Sequence[str] | None = None,
) -> str:
    lines = [_row(_cell(h) for h in headers), "|" + "|".join("---:" if r else ":---" for r in right) + "|"]
    lines += [_row(_cell(c) for c in row) for row in rows]
    if footer:
        lines.append(_row(f"**{_cell(c)}**" if c else "" for c in footer))
    return "\n".join(lines)


def _table(block: Table) -> str:
    right = [column_align(block, i) == "right" for i in range(len(block.headers))]
    table = _gfm_table(block.headers, block.rows, right, block.footer)
    return f"**{escape(block.caption)}**\n\n{table}" if block.caption else table


def _key_values(block: KeyValues, labels: Labels) -> str:
    # GFM needs a header row; an empty one renders as a blank bar, so it names the columns.
    return _gfm_table((labels.fact, labels.value), block.items, (False, False))


def _signature(block: SignatureBlock, labels: Labels) -> str:
    parts = [f"**{escape(block.heading)}**"]
    if block.statement:
        parts.append(escape(block.statement, line_start=True))
    items = [*block.extra, *signature_lines(block, labels)]
    parts.append(
        "\n".join(f"- {escape(label)}: {escape(value) if value else BLANK}" for label, value in items)
    )
    return "\n\n".join(parts)
