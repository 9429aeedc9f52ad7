"""programmes.json and one decision through their declared schemas: every bad document is a
SeedError naming the file, the JSON path and the field — never a traceback — and nothing is
written; the decision standing alone goes through the same DecisionDocument."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.programmes import services
from jamkoll.programmes.models import (
    Budget,
    BudgetLine,
    ConditionKind,
    DecidedBy,
    FundingDecision,
    Recipient,
)
from jamkoll.programmes.schemas import DecisionDocument, decision_document_parse
from jamkoll.programmes.selectors import condition_addressee
from jamkoll.seeding import Place, SeedError, SeedReport, json_parse, read_json
from tests.hostile import HOSTILE_AMOUNTS, HOSTILE_DATES, HOSTILE_INTS, HOSTILE_TEXT, nothing_stored

pytestmark = pytest.mark.django_db
FILE = "programmes.json"
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
LINE = "programmes[0].decisions[0].budgets[0].lines[2]"


@pytest.fixture
def document() -> dict[str, Any]:
    return copy.deepcopy(read_json("jamkoll.programmes", FILE))


@pytest.fixture
def seed_with(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], SeedReport]:
    def seed(data: Any) -> SeedReport:
        monkeypatch.setattr(services, "read_json", lambda package, name: data)
        return services.programmes_seed(actor=SEED_LOADER)

    return seed


def _agreement(data: dict[str, Any]) -> dict[str, Any]:
    decision: dict[str, Any] = data["programmes"][0]["decisions"][0]
    assert decision["slug"] == AGREEMENT
    return decision


def _refused(seed: Callable[[Any], SeedReport], data: Any) -> SeedError:
    with nothing_stored(), pytest.raises(SeedError) as caught:
        seed(data)
    assert caught.value.file == FILE
    return caught.value


def test_it_names_file_path_and_field_of_a_missing_key(seed_with: Any, document: dict[str, Any]) -> None:
    del _agreement(document)["budgets"][0]["lines"][2]["amount"]
    error = _refused(seed_with, document)
    assert error.path == f"{LINE}.amount"
    assert error.field == "amount"
    assert str(error) == f"programmes.json: {LINE}.amount: nyckeln saknas"


def test_it_fails_the_seed_command_with_one_line_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]
) -> None:
    _agreement(document)["budgets"][0]["lines"][0]["amount"] = "1.00"
    del _agreement(document)["parties"][1]["label"]
    monkeypatch.setattr(services, "read_json", lambda package, name: document)
    with pytest.raises(CommandError) as caught:
        call_command("seed", "--no-migrate")
    assert str(caught.value) == (
        "inläsningen avbröts, inget sparades: "
        "programmes.json: programmes[0].decisions[0].parties[1].label: nyckeln saknas"
    )
    line = Budget.objects.get(decision__slug=AGREEMENT, year=2018).lines.get(goal_area__number=1)
    assert line.amount == Decimal("2500000.00")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("start_year", "2018", "ska vara ett heltal"),
        ("start_year", 2018.0, "ska vara ett heltal"),
        ("start_year", True, "ska vara ett heltal"),
        ("start_year", 1999, "ska vara minst 2000"),
        ("title", 5, "ska vara text"),
        ("title", "", "får inte vara tom"),
        ("application_based", "yes", "ska vara true eller false"),
        ("application_based", 1, "ska vara true eller false"),
        ("parties", {"organisation": "RK"}, "ska vara en lista"),
        ("kind", "decree", "ska vara en av 'agreement', 'grant' eller 'unspecified'"),
        ("slug", "Med Mellanslag", "kortnamnet får bara innehålla a–z, 0–9 och bindestreck"),
        ("amount_per_year", 20000000.0, "belopp får inte anges som flyttal; använd en decimalsträng"),
    ],
)
def test_it_refuses_a_wrong_type_at_its_path(
    seed_with: Any, document: dict[str, Any], key: str, value: Any, message: str
) -> None:
    _agreement(document)[key] = value
    error = _refused(seed_with, document)
    assert error.path == f"programmes[0].decisions[0].{key}"
    assert error.field == key
    assert error.message.startswith(message), error.message


def test_it_refuses_a_misspelt_key(seed_with: Any, document: dict[str, Any]) -> None:
    _agreement(document)["budgets"][0]["lines"][2]["ammount"] = "9000000.00"
    error = _refused(seed_with, document)
    assert error.path == f"{LINE}.ammount"
    assert error.message == "okänd nyckel (felstavad?)"


def test_it_counts_the_further_problems(seed_with: Any, document: dict[str, Any]) -> None:
    _agreement(document)["title"] = 1
    _agreement(document)["start_year"] = "x"
    assert _refused(seed_with, document).message == "ska vara text (och 1 fel till)"


@pytest.mark.parametrize("amount", HOSTILE_AMOUNTS)
def test_it_refuses_a_bad_amount(seed_with: Any, document: dict[str, Any], amount: str) -> None:
    _agreement(document)["budgets"][0]["lines"][2]["amount"] = amount
    error = _refused(seed_with, document)
    assert (error.path, error.field) == (f"{LINE}.amount", "amount")
    assert "belopp" in error.message


def test_it_refuses_an_amount_of_1e400_written_as_a_json_number(seed_with: Any) -> None:
    text = (
        '{"appropriations": [], "programmes": [{"slug": "p", "title": "P", "relation": "related",'
        ' "decisions": [{"slug": "d", "kind": "grant", "title": "D", "amount_total": 1E+400}]}]}'
    )
    error = _refused(seed_with, json_parse(text, file=FILE))
    assert error.path == "programmes[0].decisions[0].amount_total"
    assert error.message == "belopp får inte anges som flyttal; använd en decimalsträng"


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=["nul", "bel", "1mb", "bidi", "surrogate", "escape"])
def test_it_refuses_hostile_text(seed_with: Any, document: dict[str, Any], text: str) -> None:
    _agreement(document)["conditions"][0]["text"] = text
    error = _refused(seed_with, document)
    assert error.path == "programmes[0].decisions[0].conditions[0].text"
    assert len(str(error)) < 300  # the message never echoes a 1 MB word


def test_it_refuses_a_1_mb_word_as_a_key(seed_with: Any, document: dict[str, Any]) -> None:
    _agreement(document)["x" * 1_000_001] = ""
    error = _refused(seed_with, document)
    assert error.message == "okänd nyckel (felstavad?)"
    assert len(str(error)) < 300


@pytest.mark.parametrize("date", HOSTILE_DATES)
def test_it_refuses_a_bad_date(seed_with: Any, document: dict[str, Any], date: str) -> None:
    _agreement(document)["parties"][0]["signatures"][0]["date"] = date
    error = _refused(seed_with, document)
    assert error.path == "programmes[0].decisions[0].parties[0].signatures[0].date"


@pytest.mark.parametrize("year", [*HOSTILE_INTS, 0, -10, 10**100])
def test_it_refuses_a_bad_year(seed_with: Any, document: dict[str, Any], year: Any) -> None:
    _agreement(document)["budgets"][0]["year"] = year
    assert _refused(seed_with, document).path == "programmes[0].decisions[0].budgets[0].year"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            lambda d: d.update(recipient="SKL"),
            "recipient",
            "okänd organisation 'SKL' (kör referensdata först)",
        ),
        (
            lambda d: d["parties"][1].update(organisation="XYZ"),
            "parties[1].organisation",
            "okänd organisation 'XYZ' (kör referensdata först)",
        ),
        (
            lambda d: d["conditions"][5].update(addressee="KAMMAR"),
            "conditions[5].addressee",
            "okänd organisation 'KAMMAR' (kör referensdata först)",
        ),
        (lambda d: d.update(appropriation="uo13-3:1-99"), "appropriation", "okänt anslag 'uo13-3:1-99'"),
        (
            lambda d: d["goal_areas"][0]["sub_goals"][0].update(number=7),
            "goal_areas[0].sub_goals[0].number",
            "okänt nummer 7 (kör referensdata först)",
        ),
        (
            lambda d: d["goal_areas"][2]["strategy_objectives"].append(9),
            "goal_areas[2].strategy_objectives[4]",
            "okänt nummer 9 (kör referensdata först)",
        ),
        (
            lambda d: d["allocation_rules"][0]["overrides"].update({"99": "1.00"}),
            "allocation_rules[0].overrides['99']",
            "okänt län '99'",
        ),
        (
            lambda d: d["budgets"][0]["lines"][2].update(goal_area=4),
            "budgets[0].lines[2].goal_area",
            "okänt målområde 4",
        ),
        (
            lambda d: d["budgets"].append({"year": 2021, "total": None}),
            "budgets[3].year",
            "år 2021 ligger utanför beslutets period",
        ),
        (lambda d: d["goal_areas"][1].update(number=1), "goal_areas[1].number", "1 förekommer två gånger"),
        (
            lambda d: d["earmarks"][2].update(parent="Finns inte"),
            "earmarks[2].parent",
            "okänd överordnad öronmärkning 'Finns inte' (den ska stå före)",
        ),
        (lambda d: d.update(end_year=2017), "end_year", "2017 ligger före 2018"),
        (
            lambda d: d["budgets"][0]["lines"][2].update(amount="9000001.00"),
            "budgets[0]",
            "Överenskommelse mellan staten och Sveriges Kommuner och Landsting för att stärka "
            "jämställdhetsarbetet på lokal och regional nivå 2018–2020 2018: budgetraderna (23000001.00 kr) "
            "överstiger totalen (20000000.00 kr)",
        ),
    ],
)
def test_it_names_a_reference_that_does_not_hold(
    seed_with: Any,
    document: dict[str, Any],
    change: Callable[[dict[str, Any]], None],
    path: str,
    message: str,
) -> None:
    change(_agreement(document))
    with pytest.raises(SeedError) as caught:
        seed_with(document)
    assert caught.value.path == f"programmes[0].decisions[0].{path}"
    assert caught.value.message == message


def test_a_json_syntax_error_names_its_line() -> None:
    with pytest.raises(SeedError, match=r"^programmes\.json:3: ogiltig JSON: Expecting"):
        json_parse('{\n "programmes": [\n  ,]}', file=FILE)


def test_a_repeated_key_is_refused() -> None:
    with pytest.raises(SeedError, match="nyckeln 'slug' förekommer två gånger i samma objekt"):
        json_parse('{"slug": "a", "slug": "b"}', file=FILE)


# --- one decision standing alone: the next issue's import and API -----------------------------


def _standalone(document: dict[str, Any]) -> dict[str, Any]:
    return {"programme": document["programmes"][0]["slug"], **_agreement(document)}


def test_a_decision_standing_alone_is_the_same_document_and_loads_to_the_same_rows(
    document: dict[str, Any],
) -> None:
    doc = decision_document_parse(_standalone(document), file="beslut.json")
    assert isinstance(doc, DecisionDocument)
    assert doc.budgets[0].lines[2].amount == Decimal("6000000.00")
    report = SeedReport()
    with nothing_stored():
        decision = services._load_decision(doc, place=Place("beslut.json"), report=report, actor=SEED_LOADER)
    assert decision.slug == AGREEMENT
    assert not report.changed, (report.created, report.updated)


def test_a_decision_standing_alone_names_its_programme(document: dict[str, Any]) -> None:
    with pytest.raises(SeedError) as caught:
        decision_document_parse(_agreement(document), file="beslut.json")
    assert str(caught.value) == "beslut.json: programme: nyckeln saknas: ange satsningens kortnamn"
    doc = decision_document_parse({**_standalone(document), "programme": "finns-inte"}, file="beslut.json")
    with pytest.raises(SeedError, match=r"^beslut\.json: programme: okänd satsning 'finns-inte'$"):
        services._load_decision(doc, place=Place("beslut.json"), report=SeedReport(), actor=SEED_LOADER)


def test_a_decision_standing_alone_is_checked_like_one_in_the_file(document: dict[str, Any]) -> None:
    data = _standalone(document)
    data["budgets"][1]["lines"][0]["amount"] = "1E+400"
    with pytest.raises(SeedError) as caught:
        decision_document_parse(data, file="beslut.json")
    assert caught.value.path == "budgets[1].lines[0].amount"
    # The same refusal in the one error contract, for the API.
    assert caught.value.validation_error().message_dict == {
        "budgets[1].lines[0].amount": [caught.value.message]
    }


def test_a_decision_in_the_file_may_not_name_another_programme(
    seed_with: Any, document: dict[str, Any]
) -> None:
    _agreement(document)["programme"] = "modellkommuner"
    assert _refused(seed_with, document).path == "programmes[0].decisions[0].programme"


# --- names from data ----------------------------------------------------------------------------


def test_the_loader_marks_lines_decided_by_the_decision() -> None:
    lines = BudgetLine.objects.filter(budget__decision__slug=AGREEMENT)
    assert lines.count() == 12
    assert set(lines.values_list("decided_by", flat=True)) == {DecidedBy.DECISION}


def test_a_line_a_plan_decided_is_marked_and_kept_by_a_second_seed() -> None:
    line = BudgetLine.objects.get(
        budget__decision__slug=AGREEMENT, budget__year=2019, goal_area__number=1, recipient=Recipient.SKR
    )
    services.budget_line_set(
        line=line, amount=Decimal("2000000.00"), source="projektplan 2019 v1", actor=SEED_LOADER
    )
    line.refresh_from_db()
    assert line.decided_by == DecidedBy.PLAN and line.decided_by_plan
    report = services.programmes_seed(actor=SEED_LOADER)
    line.refresh_from_db()
    assert (line.amount, line.decided_by) == (Decimal("2000000.00"), DecidedBy.PLAN)
    assert not report.changed, (report.created, report.updated)


def test_a_line_the_decision_states_is_restored_by_the_seed_whoever_changed_it() -> None:
    line = BudgetLine.objects.get(
        budget__decision__slug=AGREEMENT, budget__year=2018, goal_area__number=1, recipient=Recipient.SKR
    )
    line.amount, line.decided_by = Decimal("1.00"), DecidedBy.PLAN
    line.save()
    services.programmes_seed(actor=SEED_LOADER)
    line.refresh_from_db()
    assert (line.amount, line.decided_by) == (Decimal("2500000.00"), DecidedBy.DECISION)


def test_the_financial_report_goes_to_the_addressee_the_condition_states() -> None:
    decision = FundingDecision.objects.get(slug=AGREEMENT)
    for year in (2018, 2019, 2020):  # the 2018 condition carries over
        receiver = condition_addressee(decision=decision, kind=ConditionKind.FINANCIAL_REPORT, year=year)
        assert receiver is not None and receiver.code == "KAMK"
    grant = FundingDecision.objects.get(slug="hedersrelaterat-2021")
    assert condition_addressee(decision=grant, kind=ConditionKind.FINANCIAL_REPORT, year=2021) is None


def test_it_sets_a_budget_line_only_for_an_actor_who_may_change_programmes(rss_skane: Any) -> None:
    from django.core.exceptions import PermissionDenied

    line = BudgetLine.objects.get(
        budget__decision__slug=AGREEMENT, budget__year=2019, goal_area__number=1, recipient=Recipient.SKR
    )
    with pytest.raises(PermissionDenied, match="^Kräver rollen samordnare.$"):
        services.budget_line_set(line=line, amount=Decimal("1.00"), source="x", actor=rss_skane)
    with pytest.raises(PermissionDenied, match="^Kräver rollen samordnare.$"):
        services.allocations_generate(budget_line=line, actor=rss_skane)
    with pytest.raises(PermissionDenied, match="^Kräver rollen samordnare.$"):
        services.programmes_seed(actor=rss_skane)
    line.refresh_from_db()
    assert line.amount is None


def test_it_reports_a_budget_error_as_a_validation_error_with_a_readable_message() -> None:
    from django.core.exceptions import ValidationError

    line = BudgetLine.objects.get(
        budget__decision__slug=AGREEMENT, budget__year=2019, goal_area__number=1, recipient=Recipient.SKR
    )
    with pytest.raises(services.BudgetError) as refused:
        services.budget_line_set(
            line=line, amount=Decimal("999999999.00"), source="projektplan", actor=SEED_LOADER
        )
    assert isinstance(refused.value, ValidationError)
    (message,) = refused.value.messages
    assert "överstiger totalen" in message and not message.startswith("[")
