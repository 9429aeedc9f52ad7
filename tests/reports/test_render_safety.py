"""Rendering that stored text cannot break or exhaust (issue 12, findings 3 and 5): control
characters in any field that reaches a document, in every format; long unspaced words; the time and
memory limit of the child process that renders; certifying renders within the request's limit."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import docx
import pytest
from django.db import connection, models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.test import override_settings
from pypdf import PdfReader

from jamkoll.programmes.selectors import decision_brief
from jamkoll.reports.document import Document, Paragraph, Section, Table
from jamkoll.reports.isolation import Limits, RenderLimitExceeded, render_files
from jamkoll.reports.models import JobStatus, ReportFile, ReportJob, ReportVersion
from jamkoll.reports.renderers import FORMATS, render
from jamkoll.reports.renderers.html import render_print_html
from jamkoll.reports.renderers.safe_text import ZWSP, break_long_words, safe_text
from jamkoll.reports.services import report_certify, report_generate, report_job_create, report_job_run

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
WORD = ("jämställdhetsintegrering" * 5000)[:100_000]


def _doc(*blocks: Any, title: str = "Rapport") -> Document:
    return Document(
        kind="result",
        title=title,
        subtitle="Underrubrik",
        organisation="SKR",
        date_label="2019",
        header_note="Dnr S2018/00001",
        sections=[Section("Inledning", "1", blocks=list(blocks))],
        footnotes={1: "Se https://example.org/" + "a" * 80},
    )


def _word_in_a_table(n: int) -> Document:
    return _doc(Table("Aktiviteter", ("Aktivitet", "Antal"), ((WORD[:n], "3"),), ("left", "right")))


# --- Control characters (finding 5) -------------------------------------------------------------


def test_safe_text_maps_line_breaking_controls_and_drops_what_xml_cannot_hold() -> None:
    text = "a\x0bb\x0cc\r\nd\re\u2028f\u2029g\x85h\x00i\x01j\x1fk\x7fl\x9fm\ud800n\udfffo\ufffep\uffffq\tr"
    assert safe_text(text) == "a\nb\nc\nd\ne\nf\ng\nhijklmnopq\tr"
    assert safe_text("Jämställd hälsa – ”citat” 🙂") == "Jämställd hälsa – ”citat” 🙂"


HOSTILE = "\x0bradbrytning\x0csida\x00nul\x01\x1f\x7f\x85\x9fslut"


def test_every_format_renders_a_document_full_of_control_characters() -> None:
    document = _doc(Paragraph("Text" + HOSTILE), Table("T" + HOSTILE, ("A" + HOSTILE,), (("x\x0by",),)))
    document.footnotes[1] = "Not" + HOSTILE
    for fmt in FORMATS:
        assert render(document, fmt), fmt
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(render(document, "docx"))).paragraphs)
    assert "radbrytning\nsida" in text and "\x0b" not in text and "\x00" not in text


def _hostile_suffix() -> str:
    # What each database can store at all: PostgreSQL refuses NUL in text, neither takes a lone
    # surrogate (the renderer's handling of those is tested above).
    return HOSTILE.replace("\x00", "") if connection.vendor == "postgresql" else HOSTILE


SKIP_FIELDS = {"slug", "code", "number", "section", "report_section", "footnotes", "scope", "fingerprint"}


def _spoil_every_text_field(app_labels: tuple[str, ...]) -> int:
    """Append control characters to every free-text field of every row of the apps' models, in the
    database directly (no form, no service: what the admin or an old import could have left)."""
    from django.apps import apps

    suffix = _hostile_suffix()
    spoiled = 0
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            updates: dict[str, Any] = {}
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField) or field.choices:
                    continue
                if field.primary_key or field.unique or field.name in SKIP_FIELDS:
                    continue
                if field.name.endswith(("_code", "_slug", "_id")):
                    continue
                value: Any = F(field.name)
                if isinstance(field, models.CharField) and field.max_length:
                    if field.max_length < 2 * len(suffix):
                        continue  # a short code of some kind, never free text
                    value = Left(value, field.max_length - len(suffix))
                updates[field.name] = Concat(value, Value(suffix), output_field=field)
            if updates:
                spoiled += model.objects.update(**updates) * len(updates)
    return spoiled


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("result", {}),
        ("financial", {}),
        ("status", {"period_start": dt.date(2018, 1, 1)}),
        ("rss", {"county_code": "12"}),
    ],
)
def test_every_report_renders_in_every_format_whatever_the_stored_text(
    coordinator: Any, kind: str, extra: dict[str, Any]
) -> None:
    """A vertical tab in an output's label made the county and the national report fail."""
    assert _spoil_every_text_field(("plans", "programmes", "reference", "ledger")) > 100
    version = report_generate(
        actor=coordinator, kind=kind, decision=decision_brief(slug=SLUG), year=2018, **extra
    )
    files = {f.format: bytes(f.content) for f in version.files.all()}
    assert sorted(files) == sorted(FORMATS)
    assert PdfReader(io.BytesIO(files["pdf"])).pages
    word = docx.Document(io.BytesIO(files["docx"]))
    assert word.paragraphs
    for fmt in ("md", "html"):
        text = files[fmt].decode()
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text), fmt
        assert "radbrytning" in text, fmt


# --- Long words (finding 3) ---------------------------------------------------------------------


def test_long_words_get_break_opportunities_in_the_print_html_only() -> None:
    long = "a" * 30 + "&amp;" + "b" * 30
    html = (
        f"<title>{long}</title><style>.x{{content:'{long}'}}</style>"
        f'<p class="{"c" * 60}">{long} kort</p><svg><text>{long}</text></svg>'
    )
    out = break_long_words(html)
    assert f"<title>{long}</title>" in out and f"content:'{long}'" in out and f"<text>{long}</text>" in out
    assert f'class="{"c" * 60}"' in out  # attributes are markup, not text
    assert f'<span class="long-word">{"a" * 20}{ZWSP}{"a" * 10}&amp;{"b" * 9}{ZWSP}' in out
    assert out.count("&amp;") == 4 and "kort" in out  # the entity is one character, never split
    print_html = render_print_html(_word_in_a_table(200))
    assert f"{WORD[:20]}{ZWSP}{WORD[20:40]}{ZWSP}" in print_html


def test_a_4000_character_word_in_a_table_renders_in_seconds_not_minutes() -> None:
    """Before: 142 s for the PDF (the hyphenation search in the table's width computation). The limit
    here is a generous bound for a loaded machine, not a measurement."""
    files = render_files(_word_in_a_table(4000), ["pdf"], limits=Limits(seconds=60, megabytes=2048))
    assert PdfReader(io.BytesIO(files["pdf"])).pages


def test_a_100000_character_word_in_running_text_renders() -> None:
    files = render_files(_doc(Paragraph(WORD)), FORMATS, limits=Limits(seconds=90, megabytes=2048))
    assert len(PdfReader(io.BytesIO(files["pdf"])).pages) > 2


# --- Limits of the child process (finding 3) ------------------------------------------------------


def test_a_rendering_over_its_time_limit_is_ended_with_a_reason() -> None:
    with pytest.raises(RenderLimitExceeded) as caught:
        render_files(_word_in_a_table(100_000), ["pdf"], limits=Limits(seconds=2, megabytes=2048))
    assert caught.value.messages == ["Dokumentet kunde inte skapas: renderingen tog mer än 2 s."]


def test_a_rendering_over_its_memory_limit_is_ended_with_a_reason() -> None:
    with pytest.raises(RenderLimitExceeded) as caught:
        render_files(_word_in_a_table(1000), ["pdf"], limits=Limits(seconds=60, megabytes=80))
    assert caught.value.messages == ["Dokumentet kunde inte skapas: renderingen behövde mer än 80 MB minne."]


@override_settings(REPORT_RENDER_MEMORY_MB=80)
def test_a_job_over_the_limit_fails_with_the_reason_and_stores_nothing(coordinator: Any) -> None:
    job = report_job_create(actor=coordinator, kind="financial", decision_slug=SLUG, year=2018, enqueue=False)
    with pytest.raises(RenderLimitExceeded):
        report_job_run(job=job, actor=coordinator)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Dokumentet kunde inte skapas: renderingen behövde mer än 80 MB minne."
    assert not ReportVersion.objects.exists() and not ReportFile.objects.exists()


def test_progress_is_written_outside_any_transaction_while_the_files_render(
    coordinator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the job's transaction the progress was visible to the page only at the end."""
    import jamkoll.reports.services as services

    baseline = len(connection.atomic_blocks)  # the test's own transaction
    seen: list[tuple[int, int, str]] = []
    real = services.render_files

    def watching(document: Any, formats: Any, **kwargs: Any) -> dict[str, bytes]:
        def started(i: int, fmt: str) -> None:
            kwargs["started"](i, fmt)  # the service writes the progress
            job = ReportJob.objects.get()
            seen.append((len(connection.atomic_blocks) - baseline, job.progress, job.status))

        return real(document, formats, **{**kwargs, "started": started})

    monkeypatch.setattr(services, "render_files", watching)
    job = report_job_create(actor=coordinator, kind="financial", decision_slug=SLUG, year=2018, enqueue=False)
    report_job_run(job=job, actor=coordinator, formats=("md", "html"))
    assert seen == [(0, 10, "running"), (0, 52, "running")]


# --- Certifying renders within the request's limit (finding 3) -----------------------------------


def test_certifying_renders_within_the_request_limit_and_stores_nothing_when_over_it(
    coordinator: Any, certifier: Any
) -> None:
    draft = report_generate(
        kind="financial", decision=decision_brief(slug=SLUG), year=2018, actor=coordinator, formats=("pdf",)
    )
    with override_settings(REPORT_RENDER_REQUEST_SECONDS=0.01), pytest.raises(RenderLimitExceeded) as caught:
        report_certify(version=draft, on=dt.date(2019, 3, 27), actor=certifier)
    assert caught.value.messages == ["Dokumentet kunde inte skapas: renderingen tog mer än 0.01 s."]
    assert ReportVersion.objects.count() == 1 and ReportFile.objects.count() == 1
