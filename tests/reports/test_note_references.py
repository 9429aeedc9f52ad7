"""Issue 13, class 5: every note reference of seed 003 stands where the document prints it, in the
assembled 2018 result report and in every format rendered from it; every note is printed once.

The expectation is read from seed 003 itself: the words right before each <sup>n</sup> in the
running text."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.assemblers import result_report
from jamkoll.reports.document import BulletList, Document, Paragraph, Section, pieces
from jamkoll.reports.renderers import render

from .test_reports import SEED_003, SLUG

pytestmark = pytest.mark.django_db
WORDS = 4  # how many words before a reference must match


def _plain(text: str) -> str:
    text = re.sub(r"<([^>]+)>", r"\1", text).replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def _seed_references() -> dict[int, str]:
    """Note number → the last words before its reference in seed 003's running text (a line
    that starts with <sup>n</sup> is the note itself)."""
    refs: dict[int, str] = {}
    for line in SEED_003.read_text(encoding="utf-8").splitlines():
        if line.startswith("<sup>"):
            continue
        for m in re.finditer(r"<sup>(\d+)</sup>", line):
            before = _plain(re.sub(r"<sup>\d+</sup>", "", line[: m.start()]))
            refs[int(m[1])] = " ".join(before.split()[-WORDS:])
    return refs


def _seed_notes() -> dict[int, str]:
    notes = {}
    for line in SEED_003.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^<sup>(\d+)</sup>\s*(.*)$", line)
        if m:
            notes[int(m[1])] = _plain(m[2])
    return notes


REFS = _seed_references()


def test_seed_003_has_four_references_in_its_text() -> None:
    assert REFS == {
        1: "arbetet med s.k. patientkontrakt",
        2: "skolan verkar vara omfattande.",
        3: "i att uppmärksamma våld.",
        4: "eller före detta partner.",
    }
    assert sorted(_seed_notes()) == [1, 2, 3, 4]


@pytest.fixture
def document() -> Document:
    return result_report(decision=decision_get(slug=SLUG), year=2018)


def _texts_before(document: Document) -> dict[int, list[str]]:
    """Note number → the text before each of its references, as the document model has it."""
    found: dict[int, list[str]] = {}
    for section in document.sections:
        for block in section.blocks:
            texts: list[tuple[str, Any, tuple[int, ...]]] = []
            if isinstance(block, Paragraph):
                texts = [(block.text, block.notes_at, block.footnotes)]
            elif isinstance(block, BulletList):
                inline = block.notes_at or tuple(() for _ in block.items)
                end = block.footnotes or tuple(() for _ in block.items)
                texts = list(zip(block.items, inline, end, strict=True))
            for text, notes_at, at_end in texts:
                before = ""
                for piece, numbers in pieces(text, notes_at, at_end):
                    before += piece
                    for n in numbers:
                        found.setdefault(n, []).append(before)
    return found


def test_every_reference_of_the_assembled_report_stands_where_seed_003_has_it(document: Document) -> None:
    found = _texts_before(document)
    assert sorted(found) == sorted(REFS)
    for number, words in REFS.items():
        assert len(found[number]) == 1, (number, found[number])
        assert found[number][0].endswith(words), (number, found[number][0][-80:])
    # Note 1 stands in the middle of its sentence, not at the end of the bullet.
    assert found[1][0].endswith("s.k. patientkontrakt")
    assert set(document.footnotes) == {1, 2, 3, 4}


def test_html_prints_each_reference_right_after_seed_003s_words_and_each_note_once(
    document: Document,
) -> None:
    tree = lxml_html.fromstring(render(document, "html"))
    sups = tree.xpath("//article//sup[@class='fnref']")
    assert sorted(s.text_content() for s in sups) == ["1", "2", "3", "4"]
    for sup in sups:
        number = int(sup.text_content())
        parent = sup.getparent()
        before = (parent.text or "") + "".join(
            lxml_html.tostring(e, method="text", encoding="unicode", with_tail=True)
            for e in parent
            if e is not sup and e in sup.itersiblings(preceding=True)
        )
        assert _plain(before).endswith(REFS[number]), (number, before[-80:])
    notes = tree.xpath("//section[@class='report-notes']//li")
    assert [li.get("value") for li in notes] == ["1", "2", "3", "4"]
    text = _plain(tree.text_content())
    for note in _seed_notes().values():
        assert text.count(note[:60]) == 1, note


def test_markdown_and_docx_print_each_reference_in_place(document: Document) -> None:
    md = _plain(render(document, "md").decode().replace("\\", ""))
    for number, words in REFS.items():
        assert md.count(f"{words}[^{number}]") == 1, number
        assert md.count(f"[^{number}]:") == 1
    word = docx.Document(io.BytesIO(render(document, "docx")))
    seen: dict[int, str] = {}
    for paragraph in word.paragraphs:
        before = ""
        for run in paragraph.runs:
            if run.font.superscript and run.text.strip().isdigit():
                seen[int(run.text)] = before
            before += run.text
    assert sorted(seen) == [1, 2, 3, 4]
    for number, before in seen.items():
        assert _plain(before).endswith(REFS[number]), (number, before[-80:])
    notes = [p.text for p in word.paragraphs if re.match(r"^\d\.\t", p.text)]
    assert [n.split(".")[0] for n in notes] == ["1", "2", "3", "4"]


def test_pdf_prints_each_reference_right_after_seed_003s_words(document: Document) -> None:
    reader = PdfReader(io.BytesIO(render(document, "pdf")))
    raw = " ".join(page.extract_text() or "" for page in reader.pages)
    # Words hyphenated at a line end are joined again (WeasyPrint hyphenates with U+2010).
    text = _plain(re.sub("[\u2010\u00ad]\n", "", raw).replace("\u200b", ""))
    for number, words in REFS.items():
        assert re.search(re.escape(words) + rf"\s?{number}\b", text), (number, words)


def test_a_mark_inside_a_text_keeps_its_place_through_every_renderer() -> None:
    """A hand-built document: the reference inside the sentence, and one at the end."""
    doc = Document(
        kind="result",
        title="T",
        subtitle="",
        organisation="O",
        date_label="",
        header_note="",
        sections=[
            Section(
                "A",
                blocks=[
                    Paragraph("Första meningen.\x0b Andra.", notes_at=((16, 1),), footnotes=(2,)),
                    BulletList(("ett [x] två", "tre"), notes_at=(((3, 2),), ())),
                ],
            )
        ],
        footnotes={1: "Not ett.", 2: "Not två."},
    )
    md = render(doc, "md").decode()
    assert "Första meningen.[^1]\\\n Andra.[^2]" in md
    assert "- ett[^2] \\[x\\] två" in md
    html = render(doc, "html").decode()
    assert re.search(r"Första meningen\.<sup class=\"fnref\"><a [^>]*>1</a></sup><br>", html)
    assert re.search(r"<li>ett<sup class=\"fnref\"><a [^>]*>2</a></sup> \[x\] två</li>", html)


def test_a_reference_to_a_missing_note_inside_a_text_is_refused() -> None:
    broken = Document(
        kind="result",
        title="T",
        subtitle="",
        organisation="O",
        date_label="",
        header_note="",
        sections=[Section("A", blocks=[Paragraph("text", notes_at=((2, 7),))])],
    )
    with pytest.raises(ValueError, match=r"\[7\]"):
        render(broken, "md")
