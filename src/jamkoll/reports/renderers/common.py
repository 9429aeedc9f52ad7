"""What the four renderers share: the fixed Swedish wording around a document's own text, column
alignment, the order of footnotes and the labelled lines of a signature block.

Keeping this in one place is what makes the formats say the same thing: a label that differed
between the PDF and the DOCX would be a difference a reader can point at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jamkoll.reports.document import Align, Block, Document, SignatureBlock, Table


@dataclass(frozen=True)
class Labels:
    contents: str
    notes: str
    page: str  # "Sida {page} av {pages}"; the renderers fill in their own counters
    page_of: str
    note: str  # accessible name of a footnote reference: "Not 3"
    back_to_text: str
    place: str
    date: str
    signature: str
    name: str
    title: str
    figure_elsewhere: str
    figure_numbers_above: str
    figure_numbers_below: str
    fact: str  # column headings of a key-value table where the format needs them (GFM)
    value: str


_LABELS = {
    "sv": Labels(
        contents="Innehåll",
        notes="Noter",
        page="Sida",
        page_of="av",
        note="Not",
        back_to_text="Tillbaka till texten",
        place="Ort",
        date="Datum",
        signature="Underskrift",
        name="Namnförtydligande",
        title="Titel",
        figure_elsewhere="diagrammet finns i PDF- och HTML-versionen",
        figure_numbers_above="siffrorna står i tabellen ovan",
        figure_numbers_below="siffrorna står i tabellen nedan",
        fact="Uppgift",
        value="Värde",
    ),
    "en": Labels(
        contents="Contents",
        notes="Notes",
        page="Page",
        page_of="of",
        note="Note",
        back_to_text="Back to the text",
        place="Place",
        date="Date",
        signature="Signature",
        name="Name in block letters",
        title="Title",
        figure_elsewhere="the chart is in the PDF and HTML versions",
        figure_numbers_above="the figures are in the table above",
        figure_numbers_below="the figures are in the table below",
        fact="Item",
        value="Value",
    ),
}

# A web address in running text (notes cite sources by URL). Trailing punctuation belongs to the
# sentence, not to the address.
URL = re.compile(r"""https?://[^\s<>"]*[^\s<>".,;:!?)\]'’”]""")

# A blank line to sign or write on. Long enough for a handwritten name in every format.
BLANK = "_" * 28


def labels_for(document: Document) -> Labels:
    """Reports are Swedish; an English document (DESIGN §4: English available) gets English labels."""
    return _LABELS.get(document.language.split("-")[0].lower(), _LABELS["sv"])


def column_align(table: Table, column: int) -> Align:
    return table.align[column] if column < len(table.align) else "left"


def footnote_numbers(document: Document) -> list[int]:
    """The notes in their own numbers' order: the numbers are the document's, never renumbered,
    so "not 3" means the same note in every format."""
    return sorted(document.footnotes)


def signature_lines(block: SignatureBlock, labels: Labels) -> list[tuple[str, str]]:
    """The lines to fill in, in the order a Swedish form has them. The signature itself is always
    a blank line: it is written by hand (or by an e-signature service), never typed by us."""
    return [
        (labels.place, block.place),
        (labels.date, block.date),
        (labels.signature, ""),
        (labels.name, block.name),
        (labels.title, block.title),
    ]


def figure_stand_in(blocks: list[Block], index: int, labels: Labels) -> str:
    """For formats that cannot show the SVG (DOCX, Markdown): say where the chart is and, when the
    table with its numbers sits right beside it, point at that table."""
    note = labels.figure_elsewhere
    if index > 0 and isinstance(blocks[index - 1], Table):
        note = f"{note}; {labels.figure_numbers_above}"
    elif index + 1 < len(blocks) and isinstance(blocks[index + 1], Table):
        note = f"{note}; {labels.figure_numbers_below}"
    return f"({note})"
