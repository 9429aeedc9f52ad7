"""The document model every report is assembled into, and every renderer reads.

One assembler per document type builds a `Document` from selectors; four renderers (HTML, PDF,
DOCX, Markdown) turn any `Document` into a file. A renderer never queries the database, and an
assembler never formats: the same figures therefore appear in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "right"]


# A note referenced inside a text: (offset in the text, number of Document.footnotes). The
# reference is printed right after the character before the offset, where the source puts it
# (seed 003's note 1 stands after "s.k. patientkontrakt", in the middle of a sentence).
NoteAt = tuple[int, int]


@dataclass(frozen=True)
class Paragraph:
    text: str
    footnotes: tuple[int, ...] = ()  # numbers of Document.footnotes referenced at the end
    style: Literal["body", "lead", "note", "quote"] = "body"
    notes_at: tuple[NoteAt, ...] = ()  # references inside the text


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    # Footnote numbers per item (same length as items, or empty).
    footnotes: tuple[tuple[int, ...], ...] = ()
    ordered: bool = False
    # References inside each item's text (same length as items, or empty).
    notes_at: tuple[tuple[NoteAt, ...], ...] = ()


def pieces(
    text: str, notes_at: tuple[NoteAt, ...], at_end: tuple[int, ...] = ()
) -> list[tuple[str, tuple[int, ...]]]:
    """The text cut where references stand: [(piece, note numbers printed right after it)]. The
    numbers of `at_end` follow the last piece. Every renderer prints a text through this."""
    refs = [(min(max(o, 0), len(text)), n) for o, n in sorted(notes_at)] + [(len(text), n) for n in at_end]
    out: list[tuple[str, tuple[int, ...]]] = []
    last = 0
    for offset in sorted({o for o, _n in refs}):
        out.append((text[last:offset], tuple(n for o, n in refs if o == offset)))
        last = offset
    if last < len(text) or not out:
        out.append((text[last:], ()))
    return out


def note_numbers(notes_at: tuple[NoteAt, ...]) -> tuple[int, ...]:
    return tuple(n for _o, n in notes_at)


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[Align, ...] = ()  # per column; default left
    footer: tuple[str, ...] | None = None  # a totals row
    widths: tuple[int, ...] = ()  # relative column widths (PDF/DOCX), optional
    compact: bool = False  # a long list (an annex): small type, one line per row where it fits
    # Set by the PDF renderer only: the rows are drawn on this many pages of their own
    # (`renderers.pdf`), the HTML leaves them empty. Never set by an assembler.
    stream_pages: int = 0


@dataclass(frozen=True)
class Figure:
    svg: str  # an SVG drawn by jamkoll.charts; the table with its numbers sits beside it
    caption: str


@dataclass(frozen=True)
class KeyValues:
    """A two-column block of labelled facts (decision, appropriation, diary numbers …)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SignatureBlock:
    """Certification or signature: who, title, date and place; empty fields print as lines to
    sign on, never as invented names."""

    heading: str
    statement: str
    name: str = ""
    title: str = ""
    date: str = ""
    place: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # e.g. ("Avvikelser", "…"), ("Åtgärdsförslag", "…")


Block = Paragraph | BulletList | Table | Figure | KeyValues | SignatureBlock


@dataclass
class Section:
    title: str
    number: str = ""  # "3.1"; shown when `numbered`
    level: int = 1  # 1 = chapter, 2 = section, 3 = subsection
    numbered: bool = True
    blocks: list[Block] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """Swedish convention, as in seed 003: "1. Inledning", but "3.1 Jämställd hälsa"."""
        if not (self.numbered and self.number):
            return self.title
        return f"{self.number} {self.title}" if "." in self.number else f"{self.number}. {self.title}"


@dataclass
class Document:
    kind: str  # result | financial | status | rss
    title: str
    subtitle: str
    organisation: str  # the reporting party's name valid on the date the document is about
    date_label: str  # "Stockholm 2019-03-29" or the period
    header_note: str  # the running header: diary numbers (on every page)
    facts: KeyValues | None = None  # title-page facts: decision, appropriation, diary numbers
    sections: list[Section] = field(default_factory=list)
    footnotes: dict[int, str] = field(default_factory=dict)
    language: str = "sv"

    def outline(self) -> list[tuple[int, str]]:
        """(level, heading) in order: the table of contents, and what tests compare."""
        return [(s.level, s.heading) for s in self.sections]
