"""DOCX with python-docx: a file to go on editing in Word, so everything is the real thing —
Heading 1–3 (the navigation pane and Word's own table of contents use them), List Bullet and
List Number, tables whose header row repeats on every page, the diary numbers in the page header
and "Sida X av Y" from PAGE and NUMPAGES fields in the footer.

Known limitations: python-docx cannot write real footnotes, so the notes are a "Noter" list at the
end with superscript numbers in the text, as in the HTML; it cannot embed SVG either, so a chart
is represented by its caption and a pointer to the PDF and HTML versions and to the table with its
numbers. There is no table of contents: Word fills one in on request (Referenser →
Innehållsförteckning), with page numbers that we could not know here.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph

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
    Labels,
    column_align,
    figure_stand_in,
    labels_for,
    signature_lines,
)

# Arial rather than the PDF's Liberation Sans: the file is edited on Windows, where Arial is
# always present (LibreOffice substitutes the metric-compatible Liberation Sans).
FONT = "Arial"
INK = RGBColor(0x12, 0x3F, 0x5C)
MUTED = RGBColor(0x44, 0x44, 0x44)
MARGIN_LEFT, MARGIN_RIGHT = Mm(25), Mm(20)
TEXT_WIDTH = Mm(210) - MARGIN_LEFT - MARGIN_RIGHT

# Our own paragraph styles, so that a user restyles them all at once in Word.
LEAD, NOTE, TABLE_TEXT, NOTE_TEXT = "Ingress", "Notering", "Tabelltext", "Nottext"
# Table cells name their style by id: python-docx's lookup by name scans every style of the
# template, which made setting it on each cell most of the time of a long table.
TABLE_TEXT_ID = "Tabelltext"


def _style_id(word: WordDocument, name: str) -> str:
    """The id of the style called `name`, from a map made once per document: python-docx's own
    lookup by name scans every style of the template for each paragraph (4 ms each)."""
    ids: dict[str, str] | None = getattr(word, "_jamkoll_style_ids", None)
    if ids is None:
        ids = {style.name: style.style_id for style in word.styles}
        word._jamkoll_style_ids = ids  # type: ignore[attr-defined]
    return ids[name]


def _styled(word: WordDocument, text: str, style: str) -> WordParagraph:
    paragraph = word.add_paragraph(text)
    paragraph._p.style = _style_id(word, style)
    return paragraph


def render_docx(document: Document) -> bytes:
    word = docx.Document()
    labels = labels_for(document)
    _set_up(word, document)
    _title_page(word, document)
    # An application is a letter: its text follows the heading block on the first page.
    first = document.kind != "application"
    for section in document.sections:
        heading = _styled(word, section.heading, f"Heading {min(max(section.level, 1), 3)}")
        # The title page ends here; a page break before the heading leaves no empty paragraph.
        heading.paragraph_format.page_break_before = first
        first = False
        for index in range(len(section.blocks)):
            _block(word, section.blocks, index, labels)
    _notes(word, document, labels, page_break=first)
    out = BytesIO()
    word.save(out)
    return _stable_zip(out.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same document gives the same bytes, and so the same SHA-256 in the archive: zip
    entries get a fixed timestamp instead of the time of saving (the PDF, HTML and Markdown are
    already reproducible)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():  # in order: [Content_Types].xml must stay first
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info))
    return out.getvalue()


# --- set-up ----------------------------------------------------------------------------------


def _set_up(word: WordDocument, document: Document) -> None:
    section = word.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    # python-docx's template is US Letter.
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = section.footer_distance = Mm(12)
    # No header or footer on the title page.
    section.different_first_page_header_footer = True

    header = section.header.paragraphs[0]
    header.text = document.header_note
    header.style = word.styles["Header"]
    for run in header.runs:
        _font(run, size=8, color=MUTED)
    _border(header, "bottom")

    footer = section.footer.paragraphs[0]
    footer.style = word.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    labels = labels_for(document)
    for part in (f"{labels.page} ", "PAGE", f" {labels.page_of} ", "NUMPAGES"):
        if part in ("PAGE", "NUMPAGES"):
            _field(footer, part)
        else:
            _font(footer.add_run(part), size=8, color=MUTED)

    _styles(word)
    language = _LANGUAGE_TAGS.get(document.language, document.language)
    _language(word, language)
    _properties(word, document, language)


_LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}


def _properties(word: WordDocument, document: Document, language: str) -> None:
    props = word.core_properties
    props.title = document.title
    props.subject = document.subtitle
    props.author = props.last_modified_by = document.organisation
    props.keywords = document.header_note
    props.language = language
    props.comments = ""
    # The template's creation date (2013, python-docx's own) would be wrong, and the time of
    # rendering would make every file different; the archive records when it was generated.
    core = word.part.package.core_properties._element
    for name in ("dcterms:created", "dcterms:modified"):
        for element in core.findall(qn(name)):
            core.remove(element)


def _styles(word: WordDocument) -> None:
    styles = word.styles
    normal = styles["Normal"]
    _style_font(normal, FONT, 10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", 24), ("Subtitle", 14), ("Heading 1", 15), ("Heading 2", 12.5)):
        _style_font(styles[name], FONT, size, INK)
    _style_font(styles["Heading 3"], FONT, 11, INK)
    styles["Subtitle"].font.italic = False
    _style_font(styles["Caption"], FONT, 9.5, RGBColor(0x11, 0x11, 0x11))
    styles["Caption"].paragraph_format.keep_with_next = True

    for name, size, italic in ((LEAD, 12, False), (NOTE, 9.5, False), (NOTE_TEXT, 9, False)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.italic = italic
    styles[NOTE_TEXT].paragraph_format.left_indent = Mm(7)
    styles[NOTE_TEXT].paragraph_format.first_line_indent = Mm(-7)
    styles[NOTE_TEXT].paragraph_format.space_after = Pt(3)
    styles[NOTE].paragraph_format.left_indent = Mm(4)

    table_text = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    assert table_text.style_id == TABLE_TEXT_ID


def _style_font(style: object, name: str, size: float, color: RGBColor | None = None) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name = name
    font.size = Pt(size)
    if color is not None:
        font.color.rgb = color
    # The template's heading styles name theme fonts (asciiTheme …), which win over an explicit
    # font name in Word; remove them so that the headings really are in FONT.
    rfonts = style.element.rPr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if rfonts is not None:
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        rfonts.set(qn("w:cs"), name)
    color_el = style.element.rPr.find(qn("w:color"))  # type: ignore[attr-defined]
    if color is not None and color_el is not None:
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color_el.attrib.pop(qn(attr), None)


def _language(word: WordDocument, tag: str) -> None:
    """The proofing language of every run (docDefaults), so that Word spell-checks in Swedish
    rather than in the template's en-US."""
    rpr = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:  # python-docx's template has it; a replaced template might not
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)  # rFonts, sz and szCs come before lang in the schema: appending is in order
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)


# --- title page ------------------------------------------------------------------------------


def _title_page(word: WordDocument, document: Document) -> None:
    title = _styled(word, document.title, "Title")
    title.paragraph_format.space_before = Mm(0 if document.kind == "application" else 45)
    if document.subtitle:
        _styled(word, document.subtitle, "Subtitle").paragraph_format.space_after = Mm(10)
    organisation = word.add_paragraph()
    organisation.add_run(document.organisation).bold = True
    organisation.paragraph_format.space_after = Pt(0)
    if document.date_label:
        word.add_paragraph(document.date_label)
    if document.header_note:
        note = word.add_paragraph()
        note.paragraph_format.space_before = Mm(5)
        _font(note.add_run(document.header_note), size=9.5, color=MUTED)
        _border(note, "top")
    if document.facts:
        _key_values(word, document.facts)


# --- blocks ----------------------------------------------------------------------------------


def _block(word: WordDocument, blocks: list[Block], index: int, labels: Labels) -> None:
    block = blocks[index]
    if isinstance(block, Paragraph):
        _paragraph(word, block)
    elif isinstance(block, BulletList):
        _list(word, block)
    elif isinstance(block, Table):
        _table(word, block)
    elif isinstance(block, Figure):
        _styled(word, block.caption, "Caption")
        stand_in = word.add_paragraph()
        stand_in.add_run(figure_stand_in(blocks, index, labels)).italic = True
    elif isinstance(block, KeyValues):
        _key_values(word, block)
    elif isinstance(block, SignatureBlock):
        _signature(word, block, labels)
    else:
        raise TypeError(f"okänd blocktyp: {type(block).__name__}")


def _paragraph(word: WordDocument, block: Paragraph) -> None:
    style = {"body": "Normal", "lead": LEAD, "note": NOTE, "quote": "Quote"}[block.style]
    paragraph = _styled(word, "", style)
    _text_with_refs(paragraph, block.text, block.notes_at, block.footnotes)


def _text_with_refs(
    paragraph: WordParagraph, text: str, notes_at: tuple[NoteAt, ...], at_end: tuple[int, ...]
) -> None:
    """The text in runs, each note reference a superscript run where it stands in the text."""
    for piece, numbers in pieces(text, notes_at, at_end):
        if piece:
            paragraph.add_run(piece)
        _refs(paragraph, numbers)


def _refs(paragraph: WordParagraph, numbers: tuple[int, ...]) -> None:
    """Footnote numbers as one superscript run, "1, 2" as in the HTML."""
    if numbers:
        paragraph.add_run(", ".join(str(n) for n in numbers)).font.superscript = True


def _list(word: WordDocument, block: BulletList) -> None:
    style = "List Number" if block.ordered else "List Bullet"
    # Every paragraph in "List Number" shares one numbering, so a second list would go on
    # counting from the first; each ordered list gets a numbering of its own that starts at 1.
    num_id = _restarted_numbering(word) if block.ordered else None
    notes = block.footnotes or tuple(() for _ in block.items)
    inline = block.notes_at or tuple(() for _ in block.items)
    for item, at, numbers in zip(block.items, inline, notes, strict=True):
        paragraph = _styled(word, "", style)
        _text_with_refs(paragraph, item, at, numbers)
        if num_id is not None:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num_id


def _restarted_numbering(word: WordDocument) -> int:
    numbering = word.part.numbering_part.element
    style_num_id = word.styles["List Number"].element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num_id).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _table(word: WordDocument, block: Table) -> None:
    if block.caption:
        _styled(word, block.caption, "Caption")
    columns = len(block.headers)
    rows = [block.headers, *block.rows, *([block.footer] if block.footer else [])]
    table = word.add_table(rows=len(rows), cols=columns)
    table.style = word.styles["Table Grid"]
    right = [column_align(block, i) == "right" for i in range(columns)]
    widths = _widths(block.widths, columns)
    last = len(rows) - 1
    for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        _row_properties(row._tr, header=r == 0)
        bold = r == 0 or (block.footer is not None and r == last)
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
            _cell_text(cell, value, bold=bold, right=right[c])
            if r == 0:
                _shade(cell, "E9EEF2")
            if widths:
                cell.width = widths[c]
    if widths:
        table.autofit = False
    _spacer(word)


def _widths(relative: tuple[int, ...], columns: int) -> list[Length]:
    if len(relative) != columns or not sum(relative):
        return []
    total = sum(relative)
    return [Length(int(TEXT_WIDTH * w / total)) for w in relative]


def _key_values(word: WordDocument, block: KeyValues) -> None:
    table = word.add_table(rows=len(block.items), cols=2)
    table.style = word.styles["Table Grid"]
    table.autofit = False
    widths = (Length(int(TEXT_WIDTH * 0.35)), Length(int(TEXT_WIDTH * 0.65)))
    for row, (label, value) in zip(table.rows, block.items, strict=True):
        _row_properties(row._tr, header=False)
        label_cell, value_cell = row.cells
        _cell_text(label_cell, label, bold=True)
        _cell_text(value_cell, value)
        label_cell.width, value_cell.width = widths
    _spacer(word)


def _signature(word: WordDocument, block: SignatureBlock, labels: Labels) -> None:
    """A box (a two-column table with only an outer border) with the heading and statement, any
    extra labelled facts, then labelled lines: a bottom border to sign or write on."""
    lines = signature_lines(block, labels)
    table = word.add_table(rows=1 + len(block.extra) + len(lines), cols=2)
    table.autofit = False
    _box(table)
    widths = (Mm(40), TEXT_WIDTH - Mm(40))
    rows = list(table.rows)

    top = rows[0].cells[0].merge(rows[0].cells[1])
    heading = top.paragraphs[0]
    heading._p.style = TABLE_TEXT_ID
    _font(heading.add_run(block.heading), size=11, bold=True)
    if block.statement:
        statement = top.add_paragraph(block.statement, style=TABLE_TEXT)
        statement.paragraph_format.space_before = Pt(4)

    for row, (label, value) in zip(rows[1 : 1 + len(block.extra)], block.extra, strict=True):
        _cell_text(row.cells[0], label, bold=True)
        _cell_text(row.cells[1], value)

    for row, (label, value) in zip(rows[1 + len(block.extra) :], lines, strict=True):
        row.height, row.height_rule = Mm(10), WD_ROW_HEIGHT_RULE.AT_LEAST
        label_cell, value_cell = row.cells
        _cell_text(label_cell, label, color=MUTED)
        _cell_text(value_cell, value)
        for cell in (label_cell, value_cell):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        _cell_border(value_cell, "bottom")

    for row in rows:
        _row_properties(row._tr, header=False)
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width
            # Keep the box on one page: every paragraph but the last holds on to the next.
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = row is not rows[-1]
    _spacer(word)


def _notes(word: WordDocument, document: Document, labels: Labels, *, page_break: bool) -> None:
    if not document.footnotes:
        return
    heading = _styled(word, labels.notes, "Heading 1")
    heading.paragraph_format.page_break_before = page_break
    for number in sorted(document.footnotes):
        _styled(word, f"{number}.\t{document.footnotes[number]}", NOTE_TEXT)


# --- low-level OOXML helpers -----------------------------------------------------------------

# Word rejects a file whose property elements are out of the schema's order (ECMA-376 part 1,
# 17.3.1.26 pPr, 17.4.42 tcPr, 17.4.82 trPr, 17.4.60 tblPr), while LibreOffice and python-docx
# read it anyway; so every element we add goes in its place in these sequences.
_ORDER = {
    qn(parent): tuple(children.split())
    for parent, children in {
        "w:pPr": "w:pStyle w:keepNext w:keepLines w:pageBreakBefore w:framePr w:widowControl w:numPr "
        "w:suppressLineNumbers w:pBdr w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap "
        "w:overflowPunct w:topLinePunct w:autoSpaceDE w:autoSpaceDN w:bidi w:adjustRightInd "
        "w:snapToGrid w:spacing w:ind w:contextualSpacing w:mirrorIndents w:suppressOverlap w:jc "
        "w:textDirection w:textAlignment w:textboxTightWrap w:outlineLvl w:divId w:cnfStyle w:rPr "
        "w:sectPr w:pPrChange",
        "w:tcPr": "w:cnfStyle w:tcW w:gridSpan w:hMerge w:vMerge w:tcBorders w:shd w:noWrap w:tcMar "
        "w:textDirection w:tcFitText w:vAlign w:hideMark w:headers w:cellIns w:cellDel w:cellMerge "
        "w:tcPrChange",
        "w:trPr": "w:cnfStyle w:divId w:gridBefore w:gridAfter w:wBefore w:wAfter w:cantSplit "
        "w:trHeight w:tblHeader w:tblCellSpacing w:jc w:hidden w:ins w:del w:trPrChange",
        "w:tblPr": "w:tblStyle w:tblpPr w:tblOverlap w:bidiVisual w:tblStyleRowBandSize "
        "w:tblStyleColBandSize w:tblW w:jc w:tblCellSpacing w:tblInd w:tblBorders w:shd w:tblLayout "
        "w:tblCellMar w:tblLook w:tblCaption w:tblDescription w:tblPrChange",
    }.items()
}


def _insert(parent: BaseOxmlElement, child: BaseOxmlElement) -> None:
    order = _ORDER[parent.tag]
    position = [qn(tag) for tag in order].index(child.tag)
    parent.insert_element_before(child, *order[position + 1 :])


def _element(tag: str, **attributes: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _font(
    run: object, *, size: float | None = None, bold: bool | None = None, color: RGBColor | None = None
) -> None:
    font = run.font  # type: ignore[attr-defined]
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color


def _cell_text(
    cell: _Cell, text: str, *, bold: bool = False, right: bool = False, color: RGBColor | None = None
) -> None:
    paragraph = cell.paragraphs[0]
    # One style reference rather than size and spacing on every run.
    paragraph._p.style = TABLE_TEXT_ID
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if text:
        run = paragraph.add_run(text)
        if bold or color is not None:
            _font(run, bold=bold or None, color=color)


def _row_properties(tr: object, *, header: bool) -> None:
    """Rows never split across pages (w:cantSplit); the first row of a data table is a header
    row that Word repeats at the top of every page (w:tblHeader)."""
    tr_pr = tr.get_or_add_trPr()  # type: ignore[attr-defined]
    _insert(tr_pr, _element("w:cantSplit"))
    if header:
        _insert(tr_pr, _element("w:tblHeader"))


def _shade(cell: _Cell, fill: str) -> None:
    _insert(cell._tc.get_or_add_tcPr(), _element("w:shd", val="clear", color="auto", fill=fill))


def _cell_border(cell: _Cell, side: str) -> None:
    borders = _element("w:tcBorders")
    borders.append(_border_element(side, size=6))
    _insert(cell._tc.get_or_add_tcPr(), borders)


def _box(table: WordTable) -> None:
    borders = _element("w:tblBorders")
    for side in ("top", "left", "bottom", "right"):
        borders.append(_border_element(side, size=8))
    _insert(table._tbl.tblPr, borders)
    # Some air between the box and the text inside it.
    margins = _element("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_element(f"w:{side}", w="170", type="dxa"))
    _insert(table._tbl.tblPr, margins)


def _border_element(side: str, *, size: int) -> BaseOxmlElement:
    # size in eighths of a point
    return _element(f"w:{side}", val="single", sz=str(size), space="1", color="111111")


def _border(paragraph: WordParagraph, side: str) -> None:
    borders = _element("w:pBdr")
    borders.append(_border_element(side, size=4))
    _insert(paragraph._p.get_or_add_pPr(), borders)


def _field(paragraph: WordParagraph, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) that Word and LibreOffice compute when they lay out; the
    "1" is only what a reader that does not compute fields shows."""
    run = _element("w:r")
    rpr = _element("w:rPr")
    rpr.append(_element("w:sz", val="16"))
    run.append(rpr)
    text = _element("w:t")
    text.text = "1"
    run.append(text)
    field = _element("w:fldSimple", instr=instruction)
    field.append(run)
    paragraph._p.append(field)


def _spacer(word: WordDocument) -> None:
    """An empty paragraph after a table: Word glues two adjacent tables into one."""
    word.add_paragraph().paragraph_format.space_after = Pt(2)
