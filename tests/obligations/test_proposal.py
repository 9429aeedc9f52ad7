"""A condition's kind, year, last day and addressee, proposed from its Swedish text (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from jamkoll.obligations.generation import stated_date
from jamkoll.obligations.proposal import addressee_propose, condition_propose

D = dt.date.fromisoformat


def _seeded_conditions() -> list[dict[str, object]]:
    text = resources.files("jamkoll.programmes").joinpath("data", "programmes.json").read_text("utf-8")
    data = json.loads(text)
    return [c for p in data["programmes"] for d in p.get("decisions", []) for c in d.get("conditions", [])]


CONDITIONS = _seeded_conditions()


def test_the_seed_has_a_condition_of_most_kinds() -> None:
    assert len(CONDITIONS) == 13 and len({c["kind"] for c in CONDITIONS}) == 13


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: str(c["kind"]))
def test_the_proposal_from_each_real_condition_text_is_what_the_seed_states(condition: dict) -> None:
    kind, year, nominal = condition_propose(condition["text"])
    assert (kind, year) == (condition["kind"], condition.get("year"))
    assert nominal == stated_date(condition["text"])


@pytest.mark.django_db
@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: str(c["kind"]))
def test_the_addressee_proposed_from_each_real_condition_is_the_seed_s(condition: dict) -> None:
    assert addressee_propose(condition["text"], condition["kind"]) == condition.get("addressee")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Senast den 6 juni 2022 ska SKR lämna ett förslag på projektplan för 2022.",
            ("project_plan", 2022, D("2022-06-06")),
        ),
        (
            "Medel som inte har använts under 2022 ska återbetalas senast den 31 mars 2023.",
            ("repayment", 2022, D("2023-03-31")),
        ),
        (
            "En ekonomisk redovisning ska lämnas senast den 31 mars 2024.",
            ("financial_report", 2023, D("2024-03-31")),
        ),
        (
            "Redovisning av verksamheten år 2023 ska lämnas senast den 2 april 2024.",
            ("activity_report", 2023, D("2024-04-02")),
        ),
        (
            "Styrgruppen lämnar en halvårsrapport senast den 31 augusti 2022.",
            ("status_report", None, D("2022-08-31")),
        ),
        ("Medlen rekvireras senast den 1 december 2023.", ("requisition", 2023, D("2023-12-01"))),
        ("Beslutet gäller för 2023 och SKR ska ansöka på nytt.", ("application", None, None)),
        ("Senast den 31 april 2023 ska projektplanen lämnas.", ("project_plan", None, None)),
        ("En text utan villkor.", (None, None, None)),
    ],
)
def test_proposals_for_texts_worded_otherwise(text: str, expected: tuple) -> None:
    assert condition_propose(text) == expected


@pytest.mark.django_db
def test_the_most_specific_name_wins_and_only_for_what_is_handed_in() -> None:
    text = "Redovisningen av verksamheten ska lämnas till Regeringskansliet (Arbetsmarknadsdepartementet)."
    assert addressee_propose(text, "activity_report") == "A"
    assert addressee_propose("Rapport till Regeringskansliet.", "status_report") == "RK"
    assert addressee_propose("Kammarkollegiet har rätt att begära underlag.", "audit") is None
