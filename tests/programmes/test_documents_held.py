"""Issue 13, class 8: the decisions' documents are held whole, section by section, and every seeded
condition, goal area and figure links to the section it comes from.

The seeds are read here, paragraph by paragraph: a paragraph missing from the held sections (left
out, or changed by a single letter) fails the test."""

from __future__ import annotations

import re

import pytest

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.programmes.models import (
    AllocationRule,
    Budget,
    BudgetLine,
    Condition,
    DocumentSection,
    Earmark,
    GoalArea,
    SourceDocument,
)
from jamkoll.programmes.services import normalised, programmes_seed, quoted_parts
from jamkoll.seeding import SeedReport
from tests.seeds import seed_path

pytestmark = pytest.mark.django_db
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
HELD = {"000": AGREEMENT, "001": AGREEMENT, "002": AGREEMENT, "004": "hedersrelaterat-2021"}
# Page furniture: the web page's feedback box and footer, not the document's text.
FURNITURE = {
    "Hjälpte informationen på sidan dig?",
    "User information",
    "Tack för att du hjälper oss!",
    "Sidfot",
}


def _seed_text(seed: str) -> str:
    return seed_path(seed).read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    """The seed's paragraphs (blocks between blank lines), whitespace collapsed, the text
    extraction's emphasis marks (** and *) dropped; the table of contents and the page furniture
    left out."""
    out = []
    for block in re.split(r"\n\s*\n", text.replace("*", "")):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if lines == ["Innehållsförteckning"] or all(re.search(r"\t\d+$", line) for line in lines):
            continue  # the table of contents: headings and page numbers
        paragraph = normalised(" ".join(lines))
        if paragraph not in FURNITURE:
            out.append(paragraph)
    return out


def _held(seed: str) -> str:
    document = SourceDocument.objects.get(seed=seed, decision__slug=HELD[seed])
    return " ".join(normalised(f"{s.heading} {s.text}") for s in document.sections.all())


@pytest.mark.parametrize("seed", sorted(HELD))
def test_every_paragraph_of_the_seed_is_held(seed: str) -> None:
    paragraphs = _paragraphs(_seed_text(seed))
    held = _held(seed)
    assert len(paragraphs) > 5
    missing = [p for p in paragraphs if p not in held]
    assert missing == []


def test_each_paragraph_is_held_within_one_section() -> None:
    """Not pieced together across two sections: each seed paragraph sits in one section."""
    for seed in HELD:
        sections = [
            normalised(f"{s.heading} {s.text}")
            for s in DocumentSection.objects.filter(document__seed=seed, document__decision__slug=HELD[seed])
        ]
        for paragraph in _paragraphs(_seed_text(seed)):
            assert any(paragraph in s for s in sections), (seed, paragraph[:80])


def test_the_principles_of_section_1_and_the_overall_goal_are_held() -> None:
    s1 = DocumentSection.objects.get(document__seed="001", key="bilaga-1-1")
    assert s1.number == "1" and s1.heading == "1. Inledning"
    assert (
        "Statistik som ingår i överenskommelserna ska redovisas och analyseras uppdelat på kön "
        "där så är möjligt." in s1.text
    )
    s2 = DocumentSection.objects.get(document__seed="001", key="bilaga-1-2")
    assert s2.text.startswith(
        "Det övergripande mål som riksdagen har fastställt för jämställdhetspolitiken är att kvinnor och "
        "män ska ha samma makt att forma samhället och sina egna liv."
    )
    s61 = DocumentSection.objects.get(document__seed="001", key="bilaga-1-6-1")
    assert "Exempel på samverkansområden är fortsatt utveckling" in s61.text


def test_the_agreement_is_held_section_by_section_with_its_own_spelling() -> None:
    appendix = SourceDocument.objects.get(seed="001", decision__slug=AGREEMENT)
    numbers = [s.number for s in appendix.sections.all() if s.number]
    assert numbers == ["1", "2", "3", "4", "5", "6", "6.1", "6.2", "6.3", "7", "8", "9", "10"]
    assert appendix.title == "SKL:s cirkulär 2018-01-26 (ärendenr 17/05981)"
    assert str(appendix.dated) == "2018-01-26"
    # the documents' typos are theirs: kept, not corrected
    assert "fortskriber" in appendix.sections.get(key="bilaga-1-5").text
    assert "reell innehörd" in appendix.sections.get(key="bilaga-1-3").text
    board = SourceDocument.objects.get(seed="000")
    assert board.dated is None  # "datum, månad och år": the decision states no date
    assert "reell innebörd" in board.sections.get(key="skalen-till-overenskommelsen").text
    press = SourceDocument.objects.get(seed="004")
    assert press.decision.slug == "hedersrelaterat-2021" and press.dated is None


def test_each_seeded_condition_is_quoted_from_its_linked_section() -> None:
    conditions = Condition.objects.filter(decision__slug__in=set(HELD.values()))
    assert conditions.count() >= 13
    for c in conditions:
        assert c.document_section is not None, c
        text = normalised(c.document_section.text)
        assert all(part in text for part in quoted_parts(c.text)), c


def test_each_goal_area_and_figure_links_to_its_section() -> None:
    seeded = {"decision__slug__in": set(HELD.values())}
    goal_areas = GoalArea.objects.filter(**seeded)
    assert goal_areas.count() == 3
    for g in goal_areas:
        assert g.document_section is not None and g.document_section.key == "bilaga-1-4"
        assert normalised(g.text) in normalised(g.document_section.text)
    for model in (Earmark, Budget, AllocationRule):
        rows = list(model._default_manager.filter(**seeded))
        assert rows and all(r.document_section is not None for r in rows), model
    lines = BudgetLine.objects.filter(budget__decision__slug__in=set(HELD.values()))
    decided = [line for line in lines if line.source.startswith("seed ")]
    assert decided and all(line.document_section is not None for line in decided)
    # a line the documents do not state has no source to link to
    assert all(line.document_section is None for line in lines if not line.source.startswith("seed "))
    table = BudgetLine.objects.filter(budget__decision__slug=AGREEMENT, budget__year=2018)
    assert {line.document_section.key for line in table if line.document_section} == {"bilaga-1-7"}
    assert Earmark.objects.get(decision__slug=AGREEMENT, amount=9_000_000).document_section.key == "bakgrund"


def test_a_second_seed_changes_nothing() -> None:
    report = programmes_seed(actor=SEED_LOADER, report=SeedReport())
    assert not report.changed, (report.created, report.updated)
