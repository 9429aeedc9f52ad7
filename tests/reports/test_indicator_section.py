"""The result report's "Nyckeltal och indikatorer" (seed 003): the key figures linked to the
agreement's goals with the nation's values for the report's year, suppressed as in public views,
generated data labelled; the coordinator's text kept, and a plain sentence when there are none."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamkoll.indicators.models import Indicator, Observation
from jamkoll.indicators.selectors import linked_national
from jamkoll.programmes.models import GoalArea, GoalAreaSubGoal
from jamkoll.programmes.selectors import decision_get
from jamkoll.reference.models import Organisation, PolicySubGoal
from jamkoll.reports.assemblers import GENERATED_NOTE, result_report
from jamkoll.reports.document import Document, Paragraph, Section, Table
from jamkoll.reports.renderers import render

pytestmark = pytest.mark.django_db

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
RKA = "I samverkan med Rådet för främjande av kommunala analyser (RKA)"


@pytest.fixture
def agreement() -> Any:
    return decision_get(slug=SLUG)


def _linked_sub_goal(agreement: Any) -> PolicySubGoal:
    link = GoalAreaSubGoal.objects.filter(goal_area__decision=agreement).select_related("sub_goal").first()
    assert link is not None
    return link.sub_goal


def _national(indicator: Indicator, year: int, women: str, men: str, total: str, count: int = 5000) -> None:
    riket = Organisation.objects.get(kind="riket", code="00")
    Observation.objects.bulk_create(
        Observation(
            indicator=indicator,
            organisation=riket,
            period=year,
            gender=gender,
            value=Decimal(value),
            count=count if gender != "T" else 2 * count,
        )
        for gender, value in (("K", women), ("M", men), ("T", total))
    )


def _section(document: Document) -> Section:
    return next(s for s in document.sections if s.title == "Nyckeltal och indikatorer")


def _text(section: Section) -> str:
    parts: list[str] = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            parts += [block.caption, *block.headers, *(cell for row in block.rows for cell in row)]
    return " ".join(parts)


def test_without_key_figures_the_section_keeps_the_text_and_says_so(agreement: Any) -> None:
    section = _section(result_report(decision=agreement, year=2018))
    text = _text(section)
    assert text.startswith(RKA)
    assert "Inga nyckeltal är ännu kopplade till överenskommelsens mål" in text
    assert not any(isinstance(b, Table) for b in section.blocks)
    # A year without a text of its own and without key figures has no such section (as before).
    outline = [t for _level, t in result_report(decision=agreement, year=2019).outline()]
    assert "Nyckeltal och indikatorer" not in outline


def test_linked_key_figures_with_the_nations_values(agreement: Any) -> None:
    sub_goal = _linked_sub_goal(agreement)
    linked = Indicator.objects.create(code="N01001", title="Andel med fast anställning", unit="procent")
    linked.sub_goals.set([sub_goal])
    _national(linked, 2018, "80.5", "70", "75.25")
    _national(linked, 2017, "1", "2", "3")  # another year: not shown
    small = Indicator.objects.create(code="N01002", title="Antal skyddade boenden")
    small.sub_goals.set([sub_goal])
    _national(small, 2018, "333.25", "444.75", "778", count=3)
    empty = Indicator.objects.create(code="N01003", title="Utan värden")
    objective = GoalArea.strategy_objectives.through.objects.filter(goalarea__decision=agreement).first()
    assert objective is not None
    empty.strategy_objectives.set([objective.strategyobjective_id])
    demo = Indicator.objects.create(code="X01004", title="Exempelnyckeltal", generated=True)
    demo.sub_goals.set([sub_goal])
    _national(demo, 2018, "12", "10", "11")
    Indicator.objects.create(code="N09999", title="Inte kopplat")

    section = _section(result_report(decision=agreement, year=2018))
    assert isinstance(section.blocks[0], Paragraph) and section.blocks[0].text.startswith(RKA)
    table = next(b for b in section.blocks if isinstance(b, Table))
    rows = {row[0].split(" (")[0]: row for row in table.rows}
    assert rows["Andel med fast anställning"][1:] == (
        f"delmål {sub_goal.number}",
        "80,5",
        "70",
        "75,25",
        "10,5",
        "1,15",
    )
    assert rows["Antal skyddade boenden"][2:] == ("–", "–", "778", "–", "–")  # women's count 3
    assert rows["Utan värden"][2:] == ("–",) * 5
    assert rows["Exempelnyckeltal"][0].endswith(GENERATED_NOTE) and rows["Exempelnyckeltal"][5] == "2"
    assert "Inte kopplat" not in _text(section)
    assert "Inga nyckeltal" not in _text(section)

    document = result_report(decision=agreement, year=2018)
    markdown = render(document, "md").decode()
    html = render(document, "html").decode()
    for text in (markdown, html):
        assert "Andel med fast anställning" in text and "10,5" in text and GENERATED_NOTE in text
        assert "333,25" not in text and "444,75" not in text and "−111,5" not in text
    word = docx.Document(io.BytesIO(render(document, "docx")))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "1,15" in cells and "333,25" not in cells
    assert render(document, "pdf").startswith(b"%PDF")


def test_a_later_year_shows_its_key_figures_under_the_carried_heading(agreement: Any) -> None:
    linked = Indicator.objects.create(code="N01001", title="Andel med fast anställning")
    linked.sub_goals.set([_linked_sub_goal(agreement)])
    _national(linked, 2019, "-1.5", "2", "0.25")
    section = _section(result_report(decision=agreement, year=2019))
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert table.caption.endswith("riket 2019")
    assert table.rows[0][2:] == ("−1,5", "2", "0,25", "−3,5", "−0,75")


def test_the_selector_reads_in_a_constant_number_of_queries(agreement: Any) -> None:
    sub_goal = _linked_sub_goal(agreement)

    def queries(n: int) -> int:
        for i in range(n):
            indicator = Indicator.objects.create(code=f"N0{n}{i:03d}", title=f"Nyckeltal {i}")
            indicator.sub_goals.set([sub_goal])
            _national(indicator, 2018, "1", "2", "3")
        with CaptureQueriesContext(connection) as captured:
            found = linked_national(sub_goals=[sub_goal.pk], strategy_objectives=[], year=2018)
        assert len(found) == Indicator.objects.count() and all(f.national for f in found)
        return len(captured)

    few = queries(1)
    many = queries(20)
    assert few == many and many <= 8
