"""Obligations generated from the decisions' conditions (seed 001 §5 and §8, seed 002, seed 004)."""

import datetime as dt
from typing import Any

import pytest

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.obligations.generation import obligations_generate, stated_date
from jamkoll.obligations.models import Obligation, ObligationKind, ObligationOwner, Tier
from jamkoll.obligations.transitions import obligation_reschedule
from jamkoll.programmes.models import Condition
from jamkoll.seeding import SeedReport

from .conftest import AGREEMENT, GRANT_2021, obligation

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_the_2018_obligations_of_the_agreement_with_their_dates_and_parties() -> None:
    expected = {
        "2018-project_plan": ("S", "2018-03-31", "2018-04-03"),
        "2018-requisition": ("KAMK", "2018-12-01", "2018-12-03"),
        "2018-repayment": ("KAMK", "2019-03-31", "2019-04-01"),
        "2018-financial_report": ("KAMK", "2019-03-31", "2019-04-01"),
        "2018-activity_report": ("S", "2019-03-31", "2019-04-01"),
    }
    for key, (owed_to, nominal, effective) in expected.items():
        o = obligation(key)
        assert (o.owed_to.code, o.nominal_date, o.effective_date) == (owed_to, D(nominal), D(effective)), key
        assert o.owed_by.code == "SKR" and o.tier == Tier.STATE and o.county is None
        assert not o.derived and o.year == 2018
        assert o.condition is not None and o.condition.kind == o.kind
        assert o.source_text == o.condition.text
        assert o.source == "seed 001, bilaga 1 §8" or key == "2018-project_plan"


def test_the_source_text_is_quoted_verbatim() -> None:
    o = obligation("2018-financial_report")
    assert o.source_text.startswith(
        "En ekonomisk redovisning som visar hur medlen använts ska lämnas till Kammarkollegiet "
        "senast den 31 mars 2019."
    )
    assert obligation("2018-project_plan").source == "seed 001, bilaga 1 §5"


def test_2019_and_2020_carry_the_conditions_over_as_derived() -> None:
    for year in (2019, 2020):
        for kind in ("project_plan", "requisition", "repayment", "financial_report", "activity_report"):
            o = obligation(f"{year}-{kind}")
            assert o.derived and o.year == year, o.key
            assert "Ett senare beslut kan ange annat" in o.date_note
    assert obligation("2019-requisition").nominal_date == D("2019-12-01")
    assert obligation("2019-requisition").effective_date == D("2019-12-02")
    assert obligation("2020-financial_report").nominal_date == D("2021-03-31")
    assert obligation("2019-project_plan").nominal_date == D("2019-03-31")


def test_half_yearly_status_reports_have_periods_but_no_dates() -> None:
    reports = Obligation.objects.filter(decision__slug=AGREEMENT, kind=ObligationKind.STATUS_REPORT)
    assert reports.count() == 6
    h1 = obligation("2019-status_report-h1")
    assert (h1.period_start, h1.period_end) == (D("2019-01-01"), D("2019-06-30"))
    assert h1.nominal_date is None and h1.effective_date is None
    assert h1.owed_to.code == "RK"
    assert "halvårsvis" in h1.source_text


def test_the_2021_decision_owes_applications_for_2022_and_2023_without_dates() -> None:
    applications = Obligation.objects.filter(decision__slug=GRANT_2021).order_by("year")
    assert [(o.kind, o.year, o.nominal_date) for o in applications] == [
        (ObligationKind.APPLICATION, 2022, None),
        (ObligationKind.APPLICATION, 2023, None),
    ]
    assert applications[0].owed_to.code == "A"
    assert "nya ansökningar för de två återstående åren" in applications[0].source_text


def test_each_county_may_requisition_from_skr_per_year_and_owes_nothing_no_document_states() -> None:
    rss = Obligation.objects.filter(decision__slug=AGREEMENT, tier=Tier.RSS)
    # Seed 002 states the requisition only: no report to, no repayment to SKR (issue 13).
    assert rss.count() == 21 * 3
    assert set(rss.values_list("kind", flat=True)) == {ObligationKind.REQUISITION}
    skane = obligation("2018-requisition-rss-12")
    assert skane.county is not None and skane.county.code == "12"
    assert skane.owed_by == skane.county and skane.owed_to.code == "SKR"
    assert "600\u00a0000\u00a0kr" in skane.title
    assert "400\u00a0000\u00a0kr" in obligation("2018-requisition-rss-25").title
    assert skane.nominal_date is None
    assert "instruktioner som SKL kommer att skicka ut" in skane.source_text
    assert skane.receiver_role == "coordinator"


def test_owners_and_receivers() -> None:
    def roles(key: str) -> list[str]:
        return obligation(key).owner_roles

    assert roles("2018-financial_report") == ["certifier", "coordinator", "signatory"]
    assert roles("2018-project_plan") == ["coordinator"]
    assert roles("2018-requisition-rss-12") == ["rss"]
    assert obligation("2018-financial_report").receiver_role == "treasury"
    assert obligation("2018-activity_report").receiver_role == "ministry"


def test_stated_dates_are_read_from_the_text() -> None:
    assert stated_date("Medel avseende 2018 får rekvireras senast den 1 december 2018.") == D("2018-12-01")
    assert stated_date("Senast den 31 mars 2018 ska SKL") == D("2018-03-31")
    assert stated_date("Styrgruppen rapporterar halvårsvis") is None


def test_a_second_generation_changes_nothing_and_leaves_no_history() -> None:
    before = Obligation.history.count() + ObligationOwner.history.count()
    report = obligations_generate(actor=SEED_LOADER, report=SeedReport())
    assert not report.changed, (report.created, report.updated)
    assert Obligation.history.count() + ObligationOwner.history.count() == before


def test_generation_keeps_a_rescheduled_date_and_restores_a_tampered_one(coordinator: Any) -> None:
    derived = obligation("2019-requisition")
    obligation_reschedule(
        obligation=derived, nominal_date=D("2019-11-15"), reason="Regeringsbeslut 2019", actor=coordinator
    )
    stated = obligation("2018-requisition")
    Obligation.objects.filter(pk=stated.pk).update(
        nominal_date=D("2018-01-01"), effective_date=D("2018-01-01")
    )
    obligations_generate(actor=SEED_LOADER)
    assert obligation("2019-requisition").nominal_date == D("2019-11-15")
    restored = obligation("2018-requisition")
    assert (restored.nominal_date, restored.effective_date) == (D("2018-12-01"), D("2018-12-03"))


def test_the_effective_date_follows_every_save() -> None:
    o = obligation("2018-status_report-h1")
    o.nominal_date = D("2018-06-30")
    o.save(update_fields=["nominal_date"])
    o.refresh_from_db()
    assert o.effective_date == D("2018-07-02")
    o.nominal_date = None
    o.save()
    o.refresh_from_db()
    assert o.effective_date is None


def test_a_condition_stated_for_a_later_year_overrules_the_carried_over_one() -> None:
    decision = obligation("2019-requisition").decision
    Condition.objects.create(
        decision=decision,
        kind="requisition",
        year=2019,
        text="Medel avseende 2019 får rekvireras från Kammarkollegiet senast den 15 november 2019.",
        section="beslut 2019",
        source="test",
        position=99,
    )
    obligations_generate(actor=SEED_LOADER)
    o = obligation("2019-requisition")
    assert (o.derived, o.nominal_date, o.date_note) == (False, D("2019-11-15"), "")
    assert o.source_text.startswith("Medel avseende 2019")
    later = obligation("2020-requisition")  # now carried over from 2019
    assert (later.derived, later.nominal_date) == (True, D("2020-11-15"))
    assert (
        "JämKolls tolkning" in later.date_note and "villkoret för 2019 (15 november 2019)" in later.date_note
    )


def test_it_finds_the_receiver_in_the_decisions_data_not_in_codes() -> None:
    """The receivers come from the conditions' text and the decision's parties: with every
    organisation's code changed, a second generation changes nothing."""
    from jamkoll.reference.models import Organisation

    for code in ("SKR", "KAMK", "RK", "S", "A"):
        Organisation.objects.filter(code=code).update(code=f"X-{code}")
    report = obligations_generate(actor=SEED_LOADER, report=SeedReport())
    assert not report.changed, (report.created, report.updated)
    assert obligation("2018-financial_report").owed_to.code == "X-KAMK"
    assert obligation("2018-requisition-rss-12").owed_to.code == "X-SKR"


def test_the_receiver_is_the_conditions_addressee_from_the_data(coordinator: Any) -> None:
    from jamkoll.programmes.models import Condition
    from jamkoll.reference.models import Organisation

    assert obligation("2018-requisition").owed_to.code == "KAMK"
    assert obligation("2018-financial_report").owed_to.code == "KAMK"
    assert obligation("2018-project_plan").owed_to.code == "S"
    assert obligation("2018-status_report-h1").owed_to.code == "RK"
    # No addressee stated: the decision's ministry (or grantor).
    assert obligation("2022-application", GRANT_2021).owed_to.kind == "other"
    # The data decides, not the text: a changed addressee moves the obligation.
    condition = Condition.objects.get(decision__slug=AGREEMENT, kind="requisition")
    condition.addressee = Organisation.objects.get(kind="other", code="RK")
    condition.save()
    obligations_generate(actor=coordinator)
    assert obligation("2018-requisition").owed_to.code == "RK"
    assert obligation("2018-requisition").receiver_role == "ministry"


def test_receiver_roles_come_from_what_the_party_is() -> None:
    assert obligation("2018-requisition").receiver_role == "treasury"  # the agency that pays out
    assert obligation("2018-project_plan").receiver_role == "ministry"
    assert obligation("2018-status_report-h1").receiver_role == "ministry"  # the government offices
    assert obligation("2022-application", GRANT_2021).receiver_role == "ministry"
    assert obligation("2018-requisition-rss-25").receiver_role == "coordinator"  # the decision's recipient


def test_a_user_generates_only_with_the_right_to_change_programmes(rss_skane: Any, coordinator: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="samordnare"):
        obligations_generate(actor=rss_skane)
    assert not obligations_generate(actor=coordinator, report=SeedReport()).changed


def test_a_date_that_does_not_exist_is_no_stated_date() -> None:
    assert stated_date("senast den 31 april 2019") is None
    assert stated_date("senast den 30 april 2019") == D("2019-04-30")
