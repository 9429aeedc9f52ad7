"""HTML: the document on screen and the markup WeasyPrint lays out for the PDF.

One template (`reports/document.html` around `reports/_body.html`) serves three uses:
`render_html_fragment` for a page of the site, `render_html` for a standalone file with the screen
CSS inlined, and `render_print_html` for the PDF renderer with `print.css`. The document model is
first turned into small view objects here, so that the template only loops and prints: ids,
alignment classes and footnote back-links are decided in Python, where they can be tested.

The template is rendered by a private Django template `Engine` rather than through
`django.template.loader`: a document renders the same whatever request or user is current
(no context processors), and the renderer works whether or not `jamkoll.reports` is an installed
app. Localisation is off: a note number or a heading level in an id must never come out as
"1 000".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

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
from jamkoll.reports.renderers.common import URL, Labels, column_align, labels_for, signature_lines
from jamkoll.reports.renderers.safe_text import break_long_words

_APP_DIR = Path(__file__).resolve().parent.parent
_TEMPLATE_DIR = _APP_DIR / "templates"
_STATIC_DIR = _APP_DIR / "static" / "reports"


@lru_cache(maxsize=1)
def _engine() -> Engine:
    # Not in debug mode, so the engine wraps its loader in the cached loader: the template is
    # parsed once per process.
    return Engine(dirs=[str(_TEMPLATE_DIR)], autoescape=True, debug=False)


@lru_cache(maxsize=4)
def stylesheet(name: str) -> str:
    """The text of `static/reports/<name>`, for inlining into a standalone file."""
    return (_STATIC_DIR / name).read_text(encoding="utf-8")


# --- view objects: what the template prints --------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """One superscript footnote reference: its own id (for the back-link) and the note's id."""

    number: int
    id: str
    target: str


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    row_header: bool = False


@dataclass(frozen=True)
class ParagraphView:
    text: SafeString  # with its note references in place
    style: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class ListView:
    items: list[SafeString]  # each with its note references in place
    ordered: bool
    kind: str = "list"


@dataclass(frozen=True)
class TableView:
    id: str
    caption: str
    headers: list[Cell]
    rows: list[list[Cell]]
    footer: list[Cell] | None
    widths: list[str]  # CSS percentages, one per column, or empty
    wide: bool
    kind: str = "table"
    compact: bool = False
    stream_pages: list[str] = field(default_factory=list)  # ids of the pages the PDF draws the rows on


@dataclass(frozen=True)
class FigureView:
    svg: SafeString
    caption: str
    kind: str = "figure"


@dataclass(frozen=True)
class KeyValuesView:
    items: list[tuple[str, str]]
    kind: str = "keyvalues"


@dataclass(frozen=True)
class SignatureView:
    id: str
    heading: str
    statement: str
    extra: list[tuple[str, str]]
    lines: list[tuple[str, str]]
    kind: str = "signature"


BlockView = ParagraphView | ListView | TableView | FigureView | KeyValuesView | SignatureView


@dataclass(frozen=True)
class SectionView:
    anchor: str
    heading: str
    level: int
    tag: str  # h2..h4: the document title is the page's h1
    blocks: list[BlockView]


@dataclass(frozen=True)
class NoteView:
    number: int
    id: str
    text: SafeString
    backref: str | None  # the first reference in the text, when there is one


@dataclass
class _Ids:
    """Hands out the ids of one rendering: unique section anchors and one id per footnote
    reference, remembering each note's first reference for the back-link in "Noter"."""

    used: set[str] = field(default_factory=set)
    refs: Counter[int] = field(default_factory=Counter)
    first_ref: dict[int, str] = field(default_factory=dict)
    tables: int = 0
    figures: int = 0
    signatures: int = 0

    def anchor(self, text: str) -> str:
        base = slugify(text) or "avsnitt"
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate

    def footnote_refs(self, numbers: Sequence[int]) -> list[Ref]:
        refs = []
        for number in numbers:
            self.refs[number] += 1
            ref_id = f"notref-{number}-{self.refs[number]}"
            self.first_ref.setdefault(number, ref_id)
            refs.append(Ref(number=number, id=ref_id, target=note_id(number)))
        return refs


def rich_text(text: str) -> SafeString:
    """Text escaped for HTML, with its line breaks, and web addresses as links: on screen they can
    be followed, and in print (class "url") they are broken without hyphens, since a hyphen added
    to an address is one a reader would type."""
    parts: list[str] = []
    last = 0
    for match in URL.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html('<a class="url" href="{}">{}</a>', match[0], match[0]))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))


def refs_html(refs: Sequence[Ref], labels: Labels) -> SafeString:
    """One superscript for the references standing at one place ("1, 2"), each a link to its note
    with its own id for the note's back-link."""
    if not refs:
        return mark_safe("")
    links = [
        format_html(
            '<a id="{}" href="#{}" aria-label="{} {}">{}</a>', r.id, r.target, labels.note, r.number, r.number
        )
        for r in refs
    ]
    return format_html('<sup class="fnref">{}</sup>', mark_safe(", ".join(links)))


def text_with_refs(
    text: str, notes_at: tuple[NoteAt, ...], at_end: tuple[int, ...], ids: _Ids, labels: Labels
) -> SafeString:
    """`rich_text` with every note reference printed where it stands in the text."""
    return mark_safe(
        "".join(
            rich_text(piece) + refs_html(ids.footnote_refs(numbers), labels)
            for piece, numbers in pieces(text, notes_at, at_end)
        )
    )


def note_id(number: int) -> str:
    return f"not-{number}"


# The id of an empty page a long table's rows are drawn on in the PDF (`renderers.pdf`).
STREAM_PAGE_ID = "rader-"


def _table_view(table: Table, table_id: str) -> TableView:
    columns = len(table.headers)
    numeric = [column_align(table, i) == "right" for i in range(columns)]
    # From eight columns on, the print CSS sets the table smaller so that words fit unbroken.
    # The first column names the row (a goal area, a recipient) unless it is itself a figure:
    # marking it <th scope="row"> lets a screen reader announce it with every cell.
    row_headers = columns > 1 and not numeric[0]

    def cells(values: Sequence[str]) -> list[Cell]:
        return [
            Cell(text=v, numeric=numeric[i] if i < columns else False, row_header=row_headers and i == 0)
            for i, v in enumerate(values)
        ]

    total = sum(table.widths) if len(table.widths) == columns else 0
    widths = [f"{100 * w / total:.1f}%" for w in table.widths] if total else []
    return TableView(
        id=table_id,
        caption=table.caption,
        headers=[Cell(text=h, numeric=numeric[i]) for i, h in enumerate(table.headers)],
        rows=[cells(row) for row in table.rows],
        footer=cells(table.footer) if table.footer else None,
        widths=widths,
        wide=columns >= 8,
        compact=table.compact,
        stream_pages=[f"{STREAM_PAGE_ID}{table_id}-{i}" for i in range(table.stream_pages)],
    )


_SVG_ID = re.compile(r'(?<![\w-])id="([^"]+)"')
_SVG_IDREFS = re.compile(r'(?<![\w-])(aria-labelledby|aria-describedby)="([^"]+)"')
_SVG_URLREF = re.compile(r'(href="#|url\(#)([^")]+)')


def scope_svg_ids(svg: str, prefix: str) -> str:
    """Give the ids inside a chart a per-figure prefix. Every chart from `bar_chart` calls its
    <title> "chart-title"; with two charts on one page `aria-labelledby` of the second would name
    the first, and the duplicate ids make the HTML invalid."""

    own = set(_SVG_ID.findall(svg))

    def new(old: str) -> str:
        return f"{prefix}-{old}" if old in own else old

    svg = _SVG_ID.sub(lambda m: f'id="{new(m[1])}"', svg)
    svg = _SVG_IDREFS.sub(lambda m: f'{m[1]}="{" ".join(new(t) for t in m[2].split())}"', svg)
    return _SVG_URLREF.sub(lambda m: m[1] + new(m[2]), svg)


_SVG_ROOT = re.compile(r"<svg\b")
# Presentation attributes on the chart's root: WeasyPrint does not apply the page's CSS inside an
# inline SVG, and its default 16px serif text is too large for the chart's 22px rows (12 units
# print as 8.5pt, the size of table text). On screen the CSS, which outranks presentation
# attributes, still decides.
_SVG_FONT = '<svg font-family="Liberation Sans, Arial, DejaVu Sans, sans-serif" font-size="12"'


def _figure_svg(svg: str, prefix: str) -> SafeString:
    svg = _SVG_ROOT.sub(_SVG_FONT, scope_svg_ids(svg, prefix), count=1)
    # The SVG comes from our own chart code (jamkoll.charts), never from user input.
    return mark_safe(svg)


def _block_view(block: Block, ids: _Ids, labels: Labels) -> BlockView:
    if isinstance(block, Paragraph):
        return ParagraphView(
            text=text_with_refs(block.text, block.notes_at, block.footnotes, ids, labels), style=block.style
        )
    if isinstance(block, BulletList):
        notes = block.footnotes or tuple(() for _ in block.items)
        inline = block.notes_at or tuple(() for _ in block.items)
        return ListView(
            items=[
                text_with_refs(item, at, n, ids, labels)
                for item, at, n in zip(block.items, inline, notes, strict=True)
            ],
            ordered=block.ordered,
        )
    if isinstance(block, Table):
        ids.tables += 1
        return _table_view(block, f"tabell-{ids.tables}")
    if isinstance(block, Figure):
        ids.figures += 1
        return FigureView(svg=_figure_svg(block.svg, f"figur-{ids.figures}"), caption=block.caption)
    if isinstance(block, KeyValues):
        return KeyValuesView(items=list(block.items))
    if isinstance(block, SignatureBlock):
        ids.signatures += 1
        return SignatureView(
            id=f"underskrift-{ids.signatures}",
            heading=block.heading,
            statement=block.statement,
            extra=list(block.extra),
            lines=signature_lines(block, labels),
        )
    raise TypeError(f"okänd blocktyp: {type(block).__name__}")


def _context(document: Document, *, mode: str) -> dict[str, Any]:
    labels = labels_for(document)
    ids = _Ids()
    sections = [
        SectionView(
            anchor=ids.anchor(section.heading),
            heading=section.heading,
            level=section.level,
            tag=f"h{min(max(section.level, 1), 3) + 1}",
            blocks=[_block_view(b, ids, labels) for b in section.blocks],
        )
        for section in document.sections
    ]
    notes = [
        NoteView(number=n, id=note_id(n), text=rich_text(document.footnotes[n]), backref=ids.first_ref.get(n))
        for n in sorted(document.footnotes)
    ]
    return {
        "doc": document,
        "L": labels,
        "mode": mode,
        "facts": KeyValuesView(items=list(document.facts.items)) if document.facts else None,
        "sections": sections,
        "notes": notes,
        "notes_anchor": ids.anchor(labels.notes),
    }


def _render(template: str, context: dict[str, Any]) -> str:
    return _engine().get_template(template).render(Context(context, use_l10n=False))


def render_html_fragment(document: Document) -> str:
    """The document as an <article>, to be placed inside the site layout (which links
    `reports/report.css`). Served under the site's Content-Security-Policy, which blocks style
    attributes: no column widths, the browser lays the table out."""
    return _render("reports/_body.html", _context(document, mode="screen") | {"on_site": True})


def render_html(document: Document) -> str:
    """A complete HTML file that works on its own: the screen CSS is inlined."""
    context = _context(document, mode="screen") | {"css": mark_safe(stylesheet("report.css"))}
    return _render("reports/document.html", context)


def css_string(text: str) -> str:
    """A CSS string literal (for generated content such as the page footer)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def render_print_html(document: Document) -> str:
    """The HTML that WeasyPrint lays out: the same body, print CSS, plus the page footer wording,
    which depends on the document's language and so cannot live in the static file. Long words
    get break opportunities (`break_long_words`): unbroken, one of them exhausts WeasyPrint."""
    labels = labels_for(document)
    page_rule = (
        "@page { @bottom-right { content: "
        f"{css_string(labels.page + ' ')} counter(page) {css_string(' ' + labels.page_of + ' ')} "
        "counter(pages); } }\n"
        "@page title { @bottom-right { content: none; } }\n"
    )
    css = mark_safe(stylesheet("print.css") + "\n" + page_rule)
    return break_long_words(_render("reports/document.html", _context(document, mode="print") | {"css": css}))
