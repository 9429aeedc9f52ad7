"""Issue 13, class 7: seed 001, bilaga 1 §8 — "Rekvisitionen, den ekonomiska redovisningen och
verksamhetsrapporterna ska vara undertecknade i original av en behörig företrädare för SKL."

The result report and the half-yearly status report carry the signature block the financial
report has: place, date, signature, name and title lines, in every format; once a result report
is signed, its name and title line are filled in.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.assemblers import result_report, status_report
from jamkoll.reports.document import Document, SignatureBlock
from jamkoll.reports.renderers import render
from jamkoll.reports.services import report_generate, report_sign, version_document
from tests.conftest import persona

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
LINES = ("Ort", "Datum", "Underskrift", "Namnförtydligande", "Titel")


@pytest.fixture
def agreement() -> Any:
    return decision_get(slug=SLUG)


def _text(document: Document, fmt: str) -> str:
    content = render(document, fmt)
    if fmt == "pdf":
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if fmt == "docx":
        word = docx.Document(io.BytesIO(content))
        cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
        return " ".join([p.text for p in word.paragraphs] + cells)
    return content.decode("utf-8")


def _signatures(document: Document) -> list[SignatureBlock]:
    return [b for s in document.sections for b in s.blocks if isinstance(b, SignatureBlock)]


@pytest.mark.parametrize("kind", ["result", "status"])
def test_the_activity_reports_carry_the_signature_block_in_every_format(agreement: Any, kind: str) -> None:
    document = (
        result_report(decision=agreement, year=2018)
        if kind == "result"
        else status_report(decision=agreement, year=2018, period_start=dt.date(2018, 7, 1))
    )
    (block,) = _signatures(document)
    assert block.heading == "Underskrift av behörig företrädare för SKL"
    assert "undertecknad i original av en behörig företrädare för SKL" in block.statement
    assert "Underskrift" in [title for _level, title in document.outline()] or any(
        title.endswith("Underskrift") for _level, title in document.outline()
    )
    for fmt in ("html", "md", "docx", "pdf"):
        text = " ".join(_text(document, fmt).split())
        assert "behörig företrädare för SKL" in text, fmt
        for line in LINES:
            assert line in text, (fmt, line)


def test_a_signed_result_report_names_its_signatory(agreement: Any) -> None:
    coordinator = persona("anna-samordnare", "coordinator")
    signatory = persona("frida-firmatecknare", "signatory")
    version = report_generate(
        actor=coordinator, kind="result", decision=agreement, year=2018, formats=("md",)
    )
    signed = report_sign(actor=signatory, version=version, on=dt.date(2019, 3, 28), place="Stockholm")
    (block,) = _signatures(version_document(signed))
    assert (block.name, block.date, block.place) == ("frida-firmatecknare", "2019-03-28", "Stockholm")
    assert block.title.endswith("Sveriges Kommuner och Landsting")  # signed before 2019-11-27
    md = signed.files.get(format="md").content.decode("utf-8")  # type: ignore[attr-defined]
    assert "Sveriges Kommuner och Landsting" in md and "2019-03-28" in md
