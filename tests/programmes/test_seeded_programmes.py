"""What seeds 000, 001, 002 and 004 state, as the system holds it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.programmes.models import (
    Allocation,
    Budget,
    DecisionKind,
    DiaryNumber,
    FundingDecision,
    Programme,
    Recipient,
)
from jamkoll.programmes.selectors import allocation_table, decision_get
from jamkoll.programmes.services import programmes_seed
from jamkoll.reference.services import reference_seed
from jamkoll.seeding import SeedReport

pytestmark = pytest.mark.django_db
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
MSEK = Decimal("1000000")


def test_the_agreement_has_its_parties_signatories_and_dates() -> None:
    decision = decision_get(slug=AGREEMENT)
    assert decision.kind == DecisionKind.AGREEMENT
    assert decision.years == [2018, 2019, 2020]
    assert decision.amount_per_year == 20 * MSEK
    signatures = {
        s.signatory_name: (s.signatory_title, s.signed_on)
        for p in decision.parties.all()
        for s in p.signatures.all()
    }
    assert signatures == {
        "Pernilla Baralt": ("Statssekreterare", dt.date(2018, 1, 22)),
        "Vesna Jovic": ("VD", dt.date(2018, 1, 18)),
    }
    labels = [p.label for p in decision.parties.all()]
    assert labels == ["För staten genom Socialdepartementet", "För Sveriges Kommuner och Landsting"]


def test_the_agreement_is_valid_only_once_approved_by_government_and_board() -> None:
    decision = decision_get(slug=AGREEMENT)
    assert "godkänns av regeringen och SKL:s styrelse" in decision.validity_condition
    assert sorted(a.body for a in decision.approvals.all()) == ["Regeringen", "SKL:s styrelse"]
    # The documents give no approval dates: the system does not invent them.
    assert all(a.approved_on is None for a in decision.approvals.all())


def test_case_number_and_missing_government_diary_numbers() -> None:
    numbers = {d.purpose: d for d in DiaryNumber.objects.filter(decision__slug=AGREEMENT)}
    assert numbers["case"].number == "17/05981"
    assert numbers["agreement"].number == "" and numbers["agreement"].required_on_documents
    assert numbers["payout_decision"].number == "" and numbers["payout_decision"].required_on_documents


def test_the_appropriation_is_uo13_anslag_3_1_post_12() -> None:
    appropriation = decision_get(slug=AGREEMENT).appropriation
    assert appropriation is not None
    assert (appropriation.expenditure_area, appropriation.appropriation, appropriation.item) == (
        13,
        "3:1",
        12,
    )
    assert appropriation.appropriation_name == "Särskilda jämställdhetsåtgärder"
    assert appropriation.item_name == "Jämställdhetsinsatser efter regeringsbeslut"


def test_three_goal_areas_linked_to_sub_goals_and_strategy_objectives() -> None:
    areas = {g.number: g for g in decision_get(slug=AGREEMENT).goal_areas.all()}
    assert sorted(areas) == [1, 2, 3]
    assert areas[1].text.startswith("Stärka och utveckla samverkan på det jämställdhetspolitiska området")
    assert {s.number for s in areas[3].sub_goals.all()} == {6}
    assert {o.number for o in areas[3].strategy_objectives.all()} == {1, 2, 3, 4}
    assert 5 in {s.number for s in areas[2].sub_goals.all()}
    assert [f.number for f in areas[3].focus_areas.all()] == [1, 2, 3, 4]


def test_the_2018_table() -> None:
    table = allocation_table(decision=decision_get(slug=AGREEMENT), year=2018)
    assert table.total == Decimal("20000000.00")
    assert [(line.goal_area, line.recipient, line.amount) for line in table.lines] == [
        (1, "SKR", Decimal("2500000.00")),
        (2, "SKR", Decimal("2500000.00")),
        (3, "SKR", Decimal("6000000.00")),
        (3, "RSS", Decimal("9000000.00")),
    ]
    assert table.decided_total == table.total
    assert table.recipient_name == "SKL"


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_21_county_allocations_sum_exactly_to_the_rss_line(year: int) -> None:
    table = allocation_table(decision=decision_get(slug=AGREEMENT), year=year)
    assert len(table.counties) == 21
    amounts = {c.code: c.amount for c in table.counties}
    assert {code for code, a in amounts.items() if a == Decimal("600000.00")} == {"01", "12", "14"}
    assert all(a == Decimal("400000.00") for code, a in amounts.items() if code not in {"01", "12", "14"})
    rss = next(line for line in table.lines if line.recipient == Recipient.RSS)
    assert table.county_total == rss.amount == Decimal("9000000.00")


def test_2019_split_is_not_decided_and_not_invented() -> None:
    table = allocation_table(decision=decision_get(slug=AGREEMENT), year=2019)
    assert table.total == Decimal("20000000.00")
    skr_lines = [line for line in table.lines if line.recipient == Recipient.SKR]
    assert len(skr_lines) == 3 and all(line.amount is None for line in skr_lines)
    assert table.undecided


def test_the_5_plus_15_split_of_which_9_to_rss() -> None:
    earmarks = {e.label: e for e in decision_get(slug=AGREEMENT).earmarks.all()}
    top = [e for e in earmarks.values() if e.parent_id is None]
    assert sorted(e.amount for e in top) == [5 * MSEK, 15 * MSEK]
    rss = next(e for e in earmarks.values() if e.parent_id is not None)
    assert rss.amount == 9 * MSEK and rss.parent is not None and rss.parent.amount == 15 * MSEK


def test_the_2021_grant_decision() -> None:
    decision = decision_get(slug="hedersrelaterat-2021")
    assert decision.kind == DecisionKind.GRANT
    assert decision.amount_per_year == 20 * MSEK
    assert decision.years == [2021]
    assert decision.application_based and decision.applications_until == 2023
    assert "hedersrelaterat våld och förtryck" in decision.focus
    assert decision.responsible_ministry is not None
    assert decision.responsible_ministry.name_at(dt.date(2021, 1, 1)) == "Arbetsmarknadsdepartementet"
    assert decision.recipient is not None and decision.recipient.name_at(dt.date(2021, 1, 1)).endswith(
        "Regioner"
    )
    assert decision.programme.end_year == 2023


def test_the_programmes_since_2008_with_the_documents_figures() -> None:
    titles = set(Programme.objects.values_list("title", flat=True))
    for title in [
        "Program för hållbar jämställdhet",
        "Modellkommuner",
        "Maskulinitet och jämställdhet",
        "Män och jämställdhet",
    ]:
        assert title in titles
    assert Programme.objects.get(slug="program-hallbar-jamstalldhet").start_year == 2008
    assert FundingDecision.objects.get(slug="man-och-jamstalldhet-2016-2017").amount_total == 18 * MSEK
    assert (
        FundingDecision.objects.get(slug="kunskapsspridning-modellkommuner-2015-2018").amount_total
        == 2 * MSEK
    )
    # No figure in the documents: nothing is stored.
    hallbar = FundingDecision.objects.get(slug="program-hallbar-jamstalldhet-2008-2013")
    assert hallbar.amount_per_year is None and hallbar.amount_total is None


def test_a_second_seed_changes_nothing_and_leaves_no_history() -> None:
    def history_count() -> int:
        return Budget.history.count() + Allocation.history.count() + FundingDecision.history.count()

    before = history_count()
    report = SeedReport()
    reference_seed(actor=SEED_LOADER, report=report)
    programmes_seed(actor=SEED_LOADER, report=report)
    assert not report.changed, (report.created, report.updated)
    assert history_count() == before


def test_seed_restores_a_changed_figure() -> None:
    line = Budget.objects.get(decision__slug=AGREEMENT, year=2018).lines.get(goal_area__number=1)
    line.amount = Decimal("1.00")
    line.save()
    call_command("seed", "--no-migrate", stdout=open("/dev/null", "w"))  # noqa: SIM115
    line.refresh_from_db()
    assert line.amount == Decimal("2500000.00")
