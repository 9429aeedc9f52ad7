"""Time to render one document in each format, against a raw baseline measured in the same run:
writing the document's text, once, to a plain-text file. Prints ratios, never only absolute times
(the machines are shared and noisy).

    from bench.report_formats import time_formats
    times = time_formats(document)    # {"raw": s, "html": s, "pdf": s, "docx": s, "md": s}

Run on its own (`python bench/report_formats.py`) it times a synthetic document of the size of a
financial report with a long table; the caller that has the database wires in the 2018 result
report instead.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

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
from jamkoll.reports.renderers import FORMATS, render


def plain_text(document: Document) -> str:
    """The document's words without any layout: what the baseline writes."""
    lines = [
        document.title,
        document.subtitle,
        document.organisation,
        document.date_label,
        document.header_note,
    ]
    for section in document.sections:
        lines.append(section.heading)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, BulletList):
                lines += block.items
            elif isinstance(block, Table):
                lines += [block.caption, "\t".join(block.headers)]
                lines += ["\t".join(row) for row in block.rows]
                if block.footer:
                    lines.append("\t".join(block.footer))
            elif isinstance(block, Figure):
                lines.append(block.caption)
            elif isinstance(block, KeyValues):
                lines += [f"{label}\t{value}" for label, value in block.items]
            elif isinstance(block, SignatureBlock):
                lines += [block.heading, block.statement, block.name, block.title, block.date, block.place]
    lines += [f"{n}. {text}" for n, text in sorted(document.footnotes.items())]
    return "\n".join(lines) + "\n"


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def time_formats(document: Document, *, repeat: int = 3) -> dict[str, float]:
    """Best of `repeat` wall-clock seconds per format, plus "raw". Each renderer is run once
    before timing, so that imports (WeasyPrint's is slow) and template parsing are not counted."""
    for fmt in FORMATS:
        render(document, fmt)
    with tempfile.TemporaryDirectory(prefix="jamkoll-bench-") as tmp:
        target = Path(tmp) / "rapport.txt"
        times = {"raw": _best(lambda: target.write_text(plain_text(document), encoding="utf-8"), repeat)}
        for fmt in FORMATS:
            times[fmt] = _best(lambda fmt=fmt: render(document, fmt), repeat)  # type: ignore[misc]
    return times


def report(times: dict[str, float]) -> str:
    raw = times["raw"]
    return "\n".join(
        f"{name:>5}: {seconds * 1000:8.1f} ms  {seconds / raw:10.0f}x raw"
        if name != "raw"
        else f"{name:>5}: {seconds * 1000:8.3f} ms  (baseline: the text written to a plain file)"
        for name, seconds in times.items()
    )


def sample_document(rows: int = 120) -> Document:
    """A synthetic financial report: every block type and a table of `rows` rows."""
    from jamkoll.charts import Bar, bar_chart

    table = Table(
        caption="Rekvirerat och utbetalt per mottagare, kr",
        headers=("Mottagare", "Budget", "Rekvirerat", "Utbetalt", "Att återbetala"),
        rows=tuple(
            (f"Kommun {i}", f"{1000 * i:,}", f"{900 * i:,}", f"{850 * i:,}", f"{50 * i:,}")
            for i in range(1, rows + 1)
        ),
        align=("left", "right", "right", "right", "right"),
        footer=("Summa", "…", "…", "…", "…"),
    )
    chart = bar_chart([Bar(f"Kommun {i}", Decimal(850 * i)) for i in range(1, 11)], title="Utbetalt")
    text = "Överenskommelsen följs och utvärderas enligt metoden lärande utvärdering. " * 6
    sections = [
        Section(f"Avsnitt {i}", str(i), blocks=[Paragraph(text, (1,)), BulletList(("a", "b", "c"))])
        for i in range(1, 9)
    ]
    sections.append(Section("Utfall", "9", blocks=[table, Figure(chart, "Utbetalt per kommun")]))
    sections.append(
        Section("Intygande", "10", blocks=[SignatureBlock("Intygande", "Uppgifterna är riktiga.")])
    )
    return Document(
        kind="financial",
        title="Ekonomisk redovisning 2018",
        subtitle="Syntetiskt dokument för mätning",
        organisation="Sveriges Kommuner och Landsting",
        date_label="Stockholm 2019-03-29",
        header_note="Dnr S2018/01234/JÄM",
        facts=KeyValues((("Beslut", "2018-03-15"),)),
        sections=sections,
        footnotes={1: "En not."},
    )


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamkoll.settings")
    django.setup()
    print(report(time_formats(sample_document())))
