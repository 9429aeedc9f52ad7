"""The four renderers on one hand-built document with every block type: each format is read back
with its own reader (lxml, pypdf, python-docx, plain text) and must carry the same headings in
the same order, the same table cells and the same text. No database is needed."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph as WordParagraph
from lxml import html as lxml_html
from pypdf import PdfReader

from jamkoll.charts import Bar, bar_chart
from jamkoll.reports.document import (
    BulletList,
    Document,
    Figure,
    KeyValues,
    Paragraph,
    Section,
    SignatureBlock,
    Table,
)
from jamkoll.reports.renderers import CONTENT_TYPES, EXTENSIONS, FORMATS, render, render_html_fragment
from jamkoll.reports.renderers.docx import _ORDER
from jamkoll.reports.renderers.html import scope_svg_ids
from jamkoll.reports.renderers.markdown import escape

NBSP = "\u00a0"
HEADER_NOTE = "Dnr S2018/01234/JÄM · Fi2018/00987 · SKL 18/04567"
URL = "https://www.bra.se/statistik/skol_undersokningen-om-brott.html"
SWEDISH = "Åtgärder för jämställd hälsa – enligt § 7 i överenskommelsen (ÅÄÖ åäö)"
REGIONS = [
    "Stockholm",
    "Uppsala",
    "Södermanland",
    "Östergötland",
    "Jönköping",
    "Kronoberg",
    "Kalmar",
    "Gotland",
    "Blekinge",
    "Skåne",
    "Halland",
    "Västra Götaland",
    "Värmland",
    "Örebro",
    "Västmanland",
    "Dalarna",
    "Gävleborg",
    "Västernorrland",
    "Jämtland Härjedalen",
    "Västerbotten",
    "Norrbotten",
]


def _style(paragraph: WordParagraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def _kr(value: int) -> str:
    return f"{value:,}".replace(",", NBSP)


def _long_table() -> Table:
    # 63 rows: more than one A4 page, so that the repeated header and clean breaks are exercised.
    rows = tuple(
        (
            f"Region {name} {round_}",
            _kr(100_000 + 1_000 * i),
            _kr(50_000 + 500 * i),
            "Försenad utbetalning – åtgärd § 4" if i % 4 == 0 else "Enligt plan",
        )
        for i, (round_, name) in enumerate(((r, n) for r in (1, 2, 3) for n in REGIONS), 1)
    )
    return Table(
        caption="Tabell 1. Rekvirerat och utbetalt per region 2018, kr",
        headers=("Region", "Rekvirerat", "Utbetalt", "Kommentar"),
        rows=rows,
        align=("left", "right", "right", "left"),
        footer=("Summa", _kr(8_316_000), _kr(4_158_000), ""),
        widths=(4, 2, 2, 4),
    )


def _document() -> Document:
    chart = bar_chart(
        [Bar("Stockholm", Decimal(1_200_000)), Bar("Skåne", Decimal(800_000), highlight=True)],
        title="Utbetalt per region",
    )
    return Document(
        kind="financial",
        title="Ekonomisk redovisning 2018",
        subtitle="Överenskommelse om att stärka jämställdhetsarbetet 2018–2020",
        organisation="Sveriges Kommuner och Landsting (SKL)",
        date_label="Stockholm 2019-03-29",
        header_note=HEADER_NOTE,
        facts=KeyValues((("Beslut", "2018-03-15"), ("Anslag", "13:1 Särskilda jämställdhetsåtgärder ap. 2"))),
        sections=[
            Section(
                "Inledning",
                "1",
                blocks=[
                    Paragraph("Regeringen och SKL har tecknat en överenskommelse.", (1,), style="lead"),
                    Paragraph(SWEDISH),
                    BulletList(
                        ("Stärka samverkan", "Stärka jämställdhetsarbetet", "Stärka kvinnofridsarbetet"),
                        footnotes=((), (2,), ()),
                    ),
                    Paragraph("Beloppen avser kalenderåret.", style="note"),
                ],
            ),
            Section("Ekonomiskt utfall", "2", blocks=[Paragraph("Utfallet redovisas per region.")]),
            Section(
                "Utbetalt per region",
                "2.1",
                level=2,
                blocks=[_long_table(), Figure(chart, "Figur 1. Utbetalt per region 2018, kr")],
            ),
            Section(
                "Avvikelser och åtgärder",
                "2.1.1",
                level=3,
                blocks=[
                    BulletList(("Försenad rekvisition", "Återbetalning av outnyttjade medel"), ordered=True),
                    BulletList(("Ny rutin för rekvisition",), ordered=True),
                    Paragraph("Medlen ska återbetalas senast den 30 juni.", (1,), style="quote"),
                    KeyValues((("Återbetalas", _kr(125_000) + " kr"), ("Senast", "2019-06-30"))),
                ],
            ),
            Section(
                "Intygande",
                "3",
                blocks=[
                    SignatureBlock(
                        "Intygande av ekonomichef",
                        "Jag intygar att uppgifterna i redovisningen är riktiga.",
                        extra=(("Avvikelser", "Inga väsentliga avvikelser."),),
                    ),
                    SignatureBlock(
                        "Underskrift av behörig företrädare",
                        "Undertecknad företräder SKL.",
                        name="Anna Andersson",
                        title="Avdelningschef",
                        place="Stockholm",
                    ),
                ],
            ),
        ],
        footnotes={1: "Överenskommelse S2018/01234/JÄM.", 2: f"Se avsnitt 4 – kvinnofrid, {URL}."},
    )


DOC = _document()
OUTLINE = [heading for _, heading in DOC.outline()]
TABLE = _long_table()


def _texts(document: Document) -> list[str]:
    """Every piece of text a reader must find in every format."""
    texts = [document.title, document.subtitle, document.organisation, document.date_label]
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                texts.append(block.text)
            elif isinstance(block, BulletList):
                texts += block.items
            elif isinstance(block, Table):
                texts += [block.caption, *block.headers, *(c for row in block.rows for c in row if c)]
            elif isinstance(block, Figure):
                texts.append(block.caption)
            elif isinstance(block, KeyValues):
                texts += [t for pair in block.items for t in pair]
            elif isinstance(block, SignatureBlock):
                texts += [block.heading, block.statement, block.name, block.title, block.place]
    return [t for t in texts if t] + list(document.footnotes.values())


def _in_order(haystack: str, needles: list[str]) -> bool:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        if found < 0:
            return False
        position = found + len(needle)
    return True


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " "))


# --- fixtures: each format rendered once --------------------------------------------------


@pytest.fixture(scope="module")
def html_bytes() -> bytes:
    return render(DOC, "html")


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render(DOC, "pdf")


@pytest.fixture(scope="module")
def pdf(pdf_bytes: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_bytes))


@pytest.fixture(scope="module")
def pdf_pages(pdf: PdfReader) -> list[str]:
    return [_normal(page.extract_text()) for page in pdf.pages]


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render(DOC, "docx")


@pytest.fixture(scope="module")
def word(docx_bytes: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_bytes))


@pytest.fixture(scope="module")
def markdown() -> str:
    return render(DOC, "md").decode("utf-8")


# --- the dispatcher ------------------------------------------------------------------------


def test_it_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="okänt format 'odt'"):
        render(DOC, "odt")


def test_it_names_content_type_and_extension_for_every_format() -> None:
    assert set(CONTENT_TYPES) == set(EXTENSIONS) == set(FORMATS) == {"html", "pdf", "docx", "md"}
    assert EXTENSIONS["docx"] == "docx" and CONTENT_TYPES["md"] == "text/markdown; charset=utf-8"


def test_it_gives_the_same_bytes_for_the_same_document(
    html_bytes: bytes, pdf_bytes: bytes, docx_bytes: bytes, markdown: str
) -> None:
    # The archive stores a SHA-256 per generated file: regenerating unchanged data must match it.
    first = {"html": html_bytes, "pdf": pdf_bytes, "docx": docx_bytes, "md": markdown.encode()}
    assert {fmt: render(_document(), fmt) for fmt in FORMATS} == first


def test_it_rejects_a_reference_to_a_missing_note() -> None:
    broken = Document(
        kind="status",
        title="T",
        subtitle="",
        organisation="O",
        date_label="",
        header_note="",
        sections=[Section("A", blocks=[Paragraph("text", (9,))])],
    )
    with pytest.raises(ValueError, match=r"\[9\]"):
        render(broken, "md")


def test_it_renders_a_document_without_sections_or_notes_in_every_format() -> None:
    bare = Document(kind="status", title="Tom", subtitle="", organisation="O", date_label="", header_note="")
    for fmt in FORMATS:
        assert render(bare, fmt)


# --- HTML ----------------------------------------------------------------------------------


def test_html_is_a_swedish_standalone_page_with_the_headings_in_order(html_bytes: bytes) -> None:
    tree = lxml_html.fromstring(html_bytes)
    assert tree.get("lang") == "sv"
    assert tree.find(".//style") is not None  # the CSS is inlined: the file works on its own
    assert tree.find(".//link") is None
    headings = [(h.tag, h.text_content()) for h in tree.iter("h1", "h2", "h3", "h4")]
    assert headings[0] == ("h1", DOC.title)
    assert headings[1] == ("h2", "Innehåll")
    expected = [(f"h{level + 1}", heading) for level, heading in DOC.outline()] + [("h2", "Noter")]
    assert headings[2:] == expected


def test_html_tables_have_caption_header_scopes_and_right_aligned_numbers(html_bytes: bytes) -> None:
    tree = lxml_html.fromstring(html_bytes)
    table = tree.find_class("report-table")[0]
    assert table.find("caption").text_content() == TABLE.caption
    header = table.find("thead").findall(".//th")
    assert [th.text_content() for th in header] == list(TABLE.headers)
    assert {th.get("scope") for th in header} == {"col"}
    first = table.find("tbody").find("tr")
    assert first[0].tag == "th" and first[0].get("scope") == "row"
    assert [c.get("class") for c in first[1:]] == ["num", "num", None]
    assert [c.text_content() for c in first] == list(TABLE.rows[0])
    assert [c.text_content() for c in table.find("tfoot").find("tr")] == list(TABLE.footer or ())
    assert len(table.find("tbody").findall("tr")) == len(TABLE.rows)


def test_html_footnotes_link_to_numbered_notes_and_back(html_bytes: bytes) -> None:
    tree = lxml_html.fromstring(html_bytes)
    refs = tree.xpath("//sup[@class='fnref']/a")
    assert [a.text_content() for a in refs] == ["1", "2", "1"]
    assert [a.get("href") for a in refs] == ["#not-1", "#not-2", "#not-1"]
    assert len({a.get("id") for a in refs}) == 3  # every reference has its own id
    notes = tree.xpath("//section[@class='report-notes']//li")
    assert [(li.get("id"), li.get("value")) for li in notes] == [("not-1", "1"), ("not-2", "2")]
    assert notes[0].find("a").get("href") == "#" + refs[0].get("id")


def test_html_links_web_addresses_in_text(html_bytes: bytes) -> None:
    tree = lxml_html.fromstring(html_bytes)
    link = tree.get_element_by_id("not-2").find_class("url")[0]
    assert (link.get("href"), link.text_content()) == (URL, URL)  # the full stop stays outside


def test_html_figure_and_signature_blocks(html_bytes: bytes) -> None:
    tree = lxml_html.fromstring(html_bytes)
    figure = tree.find(".//figure")
    assert figure.find("figcaption").text_content() == "Figur 1. Utbetalt per region 2018, kr"
    assert figure.find(".//svg") is not None
    boxes = tree.find_class("report-signature")
    assert len(boxes) == 2
    empty = {dt.text_content(): dd.text_content() for dt, dd in zip(*_dl(boxes[0]), strict=True)}
    assert empty == {"Ort": "", "Datum": "", "Underskrift": "", "Namnförtydligande": "", "Titel": ""}
    filled = {dt.text_content(): dd.text_content() for dt, dd in zip(*_dl(boxes[1]), strict=True)}
    assert filled["Namnförtydligande"] == "Anna Andersson" and filled["Underskrift"] == ""


def _dl(box: lxml_html.HtmlElement) -> tuple[list[lxml_html.HtmlElement], list[lxml_html.HtmlElement]]:
    lines = box.find_class("signature-lines")[0]
    return lines.findall(".//dt"), lines.findall(".//dd")


def test_html_ids_are_unique_even_with_two_charts() -> None:
    svg = bar_chart([Bar("A", Decimal(1))], title="Diagram")
    doc = Document(
        kind="rss",
        title="T",
        subtitle="",
        organisation="O",
        date_label="",
        header_note="",
        sections=[Section("Inledning", blocks=[Figure(svg, "a"), Figure(svg, "b")]), Section("Inledning")],
    )
    tree = lxml_html.fromstring(render(doc, "html"))
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    labelled = [s.get("aria-labelledby").split()[0] for s in tree.iter("{*}svg", "svg")]
    assert labelled == ["figur-1-chart-title", "figur-2-chart-title"]


def test_scope_svg_ids_leaves_foreign_references_alone() -> None:
    svg = '<svg id="c"><title id="t">x</title><use href="#t"/><a href="#elsewhere"/></svg>'
    assert scope_svg_ids(svg, "p") == (
        '<svg id="p-c"><title id="p-t">x</title><use href="#p-t"/><a href="#elsewhere"/></svg>'
    )


def test_html_fragment_is_the_body_only() -> None:
    fragment = render_html_fragment(DOC)
    assert fragment.lstrip().startswith('<article class="report report-financial report-screen" lang="sv">')
    assert "<html" not in fragment and "<style" not in fragment


def test_html_escapes_text() -> None:
    doc = Document(
        kind="status",
        title="<b>T</b>",
        subtitle="",
        organisation="O & co",
        date_label="",
        header_note="",
        sections=[Section("S", blocks=[Paragraph("<script>alert(1)</script>")])],
    )
    page = render(doc, "html").decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "O &amp; co" in page


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_has_title_page_contents_and_the_headings_in_order(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) >= 3
    assert DOC.title in pdf_pages[0] and "Sida" not in pdf_pages[0]
    assert "Innehåll" in pdf_pages[1]
    body = " ".join(pdf_pages[2:])
    assert _in_order(body, [*OUTLINE, "Noter"])


def test_pdf_contents_give_the_page_each_heading_is_on(pdf_pages: list[str]) -> None:
    for heading in [*OUTLINE, "Noter"]:
        match = re.search(re.escape(heading) + r"[ .]*?(\d+)(?!\d)", pdf_pages[1])
        assert match, heading
        page = int(match[1])
        assert heading in pdf_pages[page - 1], f"{heading} not on page {page}"


def test_pdf_pages_after_the_title_carry_header_note_and_page_numbers(pdf_pages: list[str]) -> None:
    total = len(pdf_pages)
    for number, text in enumerate(pdf_pages[1:], 2):
        assert HEADER_NOTE in text
        assert f"Sida {number} av {total}" in text


def test_pdf_long_table_spans_pages_with_its_header_repeated(pdf_pages: list[str]) -> None:
    with_rows = [text for text in pdf_pages if "Region Stockholm" in text]
    assert len(with_rows) >= 2
    assert all("Region Rekvirerat Utbetalt Kommentar" in text for text in with_rows)
    body = " ".join(pdf_pages[2:])
    assert _in_order(body, [f"{row[0]} {_normal(row[1])} {_normal(row[2])}" for row in TABLE.rows])
    assert body.count("Summa 8 316 000 4 158 000") == 1  # the totals once, not on every page


def test_pdf_keeps_swedish_characters_and_metadata(pdf: PdfReader, pdf_pages: list[str]) -> None:
    assert SWEDISH in " ".join(pdf_pages)
    assert pdf.metadata is not None and pdf.metadata.title == f"{DOC.title} – {DOC.subtitle}"
    assert pdf.metadata.author == DOC.organisation


# --- DOCX ----------------------------------------------------------------------------------


def test_docx_headings_are_word_headings_in_outline_order(word: docx.document.Document) -> None:
    headings = [(_style(p), p.text) for p in word.paragraphs if _style(p).startswith("Heading")]
    expected = [(f"Heading {level}", heading) for level, heading in DOC.outline()] + [("Heading 1", "Noter")]
    assert headings == expected
    assert _style(word.paragraphs[0]) == "Title" and word.paragraphs[0].text == DOC.title
    first_heading = next(p for p in word.paragraphs if _style(p) == "Heading 1")
    assert first_heading.paragraph_format.page_break_before  # the title page ends before it


def test_docx_lists_use_list_styles_and_each_ordered_list_restarts(word: docx.document.Document) -> None:
    bullets = [p.text for p in word.paragraphs if _style(p) == "List Bullet"]
    assert bullets == ["Stärka samverkan", "Stärka jämställdhetsarbetet2", "Stärka kvinnofridsarbetet"]
    numbered = [p for p in word.paragraphs if _style(p) == "List Number"]
    assert [p.text for p in numbered] == [
        "Försenad rekvisition",
        "Återbetalning av outnyttjade medel",
        "Ny rutin för rekvisition",
    ]
    num_ids = [p._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")[0] for p in numbered]
    assert num_ids[0] == num_ids[1] != num_ids[2]


def test_docx_table_has_a_repeating_header_row_and_right_aligned_numbers(
    word: docx.document.Document,
) -> None:
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "Region")
    rows = table.rows
    assert [c.text for c in rows[0].cells] == list(TABLE.headers)
    assert rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert not any(r._tr.xpath("./w:trPr/w:tblHeader") for r in rows[1:])
    assert all(r._tr.xpath("./w:trPr/w:cantSplit") for r in rows)
    assert [[c.text for c in r.cells] for r in rows[1:-1]] == [list(r) for r in TABLE.rows]
    assert [c.text for c in rows[-1].cells] == list(TABLE.footer or ())
    assert [c.paragraphs[0].alignment for c in rows[1].cells][1:3] == [2, 2]  # WD_ALIGN_PARAGRAPH.RIGHT


def test_docx_page_set_up_header_footer_and_properties(word: docx.document.Document) -> None:
    section = word.sections[0]
    width, height = section.page_width or Mm(0), section.page_height or Mm(0)
    assert (round(width.mm), round(height.mm)) == (210, 297)
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == HEADER_NOTE
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer and "Sida " in footer
    props = word.core_properties
    assert (props.title, props.author, props.language) == (DOC.title, DOC.organisation, "sv-SE")
    assert 'w:val="sv-SE"' in word.styles.element.xml


def test_docx_signature_block_leaves_lines_to_sign_on(word: docx.document.Document) -> None:
    box = next(t for t in word.tables if t.rows[0].cells[0].text.startswith("Intygande av ekonomichef"))
    lines = {r.cells[0].text: r.cells[1].text for r in box.rows[2:]}
    assert lines == {"Ort": "", "Datum": "", "Underskrift": "", "Namnförtydligande": "", "Titel": ""}
    assert all(r.cells[1]._tc.xpath("./w:tcPr/w:tcBorders/w:bottom") for r in box.rows[2:])


def test_docx_figure_is_caption_and_pointer(word: docx.document.Document) -> None:
    texts = [p.text for p in word.paragraphs]
    at = texts.index("Figur 1. Utbetalt per region 2018, kr")
    assert texts[at + 1] == "(diagrammet finns i PDF- och HTML-versionen; siffrorna står i tabellen ovan)"


def test_docx_property_elements_follow_the_schema_order(word: docx.document.Document) -> None:
    # Word refuses a file whose pPr/tcPr/trPr/tblPr children are out of order.
    body = word.element.body
    for parent_tag, order in _ORDER.items():
        rank = {qn(tag): i for i, tag in enumerate(order)}
        for parent in body.iter(parent_tag):
            ranks = [rank[child.tag] for child in parent if child.tag in rank]
            assert ranks == sorted(ranks), parent.xml


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_headings_by_level_in_order(markdown: str) -> None:
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    marks = {1: "##", 2: "###", 3: "####"}
    assert headings == [f"# {DOC.title}"] + [f"{marks[level]} {h}" for level, h in DOC.outline()]


def test_markdown_tables_are_valid_gfm(markdown: str) -> None:
    lines = markdown.splitlines()
    start = lines.index("| Region | Rekvirerat | Utbetalt | Kommentar |")
    assert lines[start + 1] == "|:---|---:|---:|:---|"
    body = lines[start + 2 : start + 2 + len(TABLE.rows) + 1]
    cells = [re.split(r"(?<!\\)\|", row)[1:-1] for row in body]
    assert all(len(row) == 4 for row in cells)
    assert [c.strip() for c in cells[0]] == list(TABLE.rows[0])
    assert [c.strip() for c in cells[-1]] == [
        "**Summa**",
        f"**{_kr(8_316_000)}**",
        f"**{_kr(4_158_000)}**",
        "",
    ]
    assert lines[start - 2] == f"**{TABLE.caption}**"
    assert "| Uppgift | Värde |" in lines and "| Beslut | 2018-03-15 |" in lines


def test_markdown_footnotes_and_signature_lines(markdown: str) -> None:
    assert "Regeringen och SKL har tecknat en överenskommelse.[^1]" in markdown
    assert "- Stärka jämställdhetsarbetet[^2]" in markdown
    # The address is an autolink: inside <…> its underscore needs (and may have) no backslash.
    assert markdown.rstrip().endswith(
        f"[^1]: Överenskommelse S2018/01234/JÄM.\n\n[^2]: Se avsnitt 4 – kvinnofrid, <{URL}>."
    )
    assert "- Underskrift: ____" in markdown and "- Namnförtydligande: Anna Andersson" in markdown
    # The second ordered list starts at 1 again, and is kept apart from the first.
    assert (
        "1. Försenad rekvisition\n2. Återbetalning av outnyttjade medel\n\n<!-- -->\n\n1. Ny rutin"
        in markdown
    )


def test_markdown_escape_keeps_text_literal() -> None:
    assert escape("*viktigt* och _här_ [länk](x) <b>") == r"\*viktigt\* och \_här\_ \[länk\](x) \<b>"
    assert escape("1. inte en lista", line_start=True) == r"1\. inte en lista"
    assert escape("# ingen rubrik\n- ingen punkt", line_start=True) == "\\# ingen rubrik\\\n\\- ingen punkt"
    assert escape("3.1 Jämställd hälsa") == "3.1 Jämställd hälsa"  # mid-line needs nothing


# --- the same content everywhere -----------------------------------------------------------


def _docx_text(word: docx.document.Document) -> str:
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _markdown_text(markdown: str) -> str:
    # Undo the escapes and the autolinks' brackets.
    return re.sub(r"<(https?://[^>]+)>", r"\1", re.sub(r"\\(.)", r"\1", markdown))


def test_every_format_carries_the_same_text(
    html_bytes: bytes, word: docx.document.Document, markdown: str
) -> None:
    body = lxml_html.fromstring(html_bytes).find(".//body").text_content()
    readers = {"html": body, "docx": _docx_text(word), "md": _markdown_text(markdown)}
    for fmt, text in readers.items():
        missing = [t for t in _texts(DOC) if t not in text]
        assert not missing, (fmt, missing)
        assert SWEDISH in text and HEADER_NOTE in text


def test_pdf_carries_the_table_cells_and_headings(pdf_pages: list[str]) -> None:
    # Running text may be hyphenated at line ends, so the PDF is checked on what is not.
    text = " ".join(pdf_pages)
    for value in [*OUTLINE, TABLE.caption, *(_normal(c) for row in TABLE.rows for c in row[:3])]:
        assert value in text, value
