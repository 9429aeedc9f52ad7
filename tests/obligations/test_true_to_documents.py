"""Issue 13, classes 1, 6 (obligations) and 9: every obligation has a source that states it (and its
date), names are right for their date, and what the documents show done is not "Försenad"."""

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.obligations.generation import MONTHS, GenerationResult, obligations_generate
from jamkoll.obligations.models import Obligation, ObligationKind, ObligationOwner, ObligationStatus, Tier
from jamkoll.obligations.registration import obligation_register
from jamkoll.obligations.reminders import reminders_send
from jamkoll.obligations.selectors import obligation_list, status_q, todo_for_user
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.services import programmes_seed
from jamkoll.seeding import SeedReport

from ..conftest import client_for
from .conftest import AGREEMENT, obligation

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
MONTH_NAMES = {number: name for name, number in MONTHS.items()}
SEEDED_ON = dt.date(2026, 11, 26)  # the demo's day: JämKoll keeps the records from here


def day_month(day: dt.date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month]}"


# --- Done when: every obligation has a source citation that contains its date -------------------


def test_every_obligation_has_a_source_that_states_it_and_its_date() -> None:
    obligations = list(Obligation.objects.select_related("condition"))
    assert obligations
    for o in obligations:
        if o.registered_at is not None:  # a user's registration, with its own source
            assert o.source and o.source_text, o.key
            continue
        assert o.source and o.source_text, o.key
        if o.nominal_date is None:
            # Undated: a source, and no date it does not state.
            assert o.effective_date is None, o.key
            continue
        # The day and month as the document writes them ("31 mars", "1 december").
        assert day_month(o.nominal_date) in o.source_text, (o.key, o.source_text)
        if o.derived:
            first = o.condition.year if o.condition else None
            assert first is not None and first < o.year, o.key
            stated = rf"senast den {day_month(o.nominal_date)} ({first}|{first + 1})"
            assert re.search(stated, o.source_text, re.IGNORECASE), o.key
            assert o.date_note.startswith("JämKolls tolkning, inte överenskommelsens ord"), o.key
            assert f"{day_month(o.nominal_date)}" in o.date_note and str(first) in o.date_note, o.key


def test_a_county_is_owed_only_what_a_document_states_the_requisition() -> None:
    rss = Obligation.objects.filter(decision__slug=AGREEMENT, tier=Tier.RSS)
    assert set(rss.values_list("kind", flat=True)) == {ObligationKind.REQUISITION}
    assert rss.count() == 63  # 21 counties × 2018–2020
    for o in rss:
        assert "rekvirera" in o.source_text


# --- Class 1: generating again removes what no document states, unless someone acted on it ------


def _stale(key: str, **values: Any) -> Obligation:
    """A county's report as the generator made it before (seed 002 says nothing of it)."""
    template = obligation("2019-requisition-rss-12")
    o = Obligation.objects.create(
        decision=template.decision,
        key=key,
        year=2019,
        kind=ObligationKind.FINANCIAL_REPORT,
        tier=Tier.RSS,
        title="Redovisning av hur RSS-medlen för 2019 har använts, Skåne län",
        owed_by=template.owed_by,
        owed_to=template.owed_to,
        county=template.county,
        receiver_role=template.receiver_role,
        source_text=template.source_text,
        source=template.source,
        **values,
    )
    ObligationOwner.objects.create(obligation=o, role="rss")
    return o


def test_generating_again_removes_the_unsourced_county_obligations_and_keeps_those_acted_on() -> None:
    _stale("2019-financial_report-rss-12")
    _stale("2019-repayment-rss-12", submitted_on=D("2020-03-30"))
    result = GenerationResult(removed=[], kept=[])
    report = obligations_generate(actor=SEED_LOADER, report=SeedReport(), result=result)
    assert result.removed == [f"{AGREEMENT}/2019-financial_report-rss-12"]
    assert result.kept == [f"{AGREEMENT}/2019-repayment-rss-12"]
    assert report.deleted == {"åtaganden": 1}
    assert not Obligation.objects.filter(key="2019-financial_report-rss-12").exists()
    assert obligation("2019-repayment-rss-12").submitted_on == D("2020-03-30")


def test_generation_leaves_an_obligation_a_user_registered_alone(coordinator: Any) -> None:
    registered = _register(coordinator)
    obligations_generate(actor=SEED_LOADER, report=SeedReport())
    assert Obligation.objects.get(pk=registered.pk).title == registered.title


# --- Class 1: a user registers a county's obligation with its own source -------------------------

SOURCE_TEXT = "RSS redovisar till SKR senast den 31 mars 2020 hur medlen för 2019 har använts."


def _register(actor: Any, **overrides: Any) -> Obligation:
    values: dict[str, Any] = {
        "decision": FundingDecision.objects.get(slug=AGREEMENT),
        "tier": Tier.RSS,
        "kind": ObligationKind.FINANCIAL_REPORT,
        "year": 2019,
        "county": "12",
        "title": "Redovisning av RSS-medlen för 2019, Skåne län",
        "nominal_date": D("2020-03-31"),
        "source_text": SOURCE_TEXT,
        "source": "SKR:s instruktioner till RSS 2019, avsnitt 3",
        "actor": actor,
    }
    values.update(overrides)
    return obligation_register(**values)


def test_a_user_registers_a_county_obligation_with_its_own_source(coordinator: Any) -> None:
    o = _register(coordinator)
    assert (o.tier, o.county.code, o.owed_by.code, o.owed_to.code) == ("rss", "12", "12", "SKR")
    assert o.registered_by == coordinator and o.registered_at is not None
    assert o.source_text == SOURCE_TEXT and o.effective_date == D("2020-03-31")
    assert o.owner_roles == ["rss"] and o.receiver_role == "coordinator"
    assert o.key.startswith("reg-2019-financial_report-rss-12")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source_text": ""}, "source_text"),
        ({"source": "  "}, "source"),
        ({"county": None}, "county"),
        ({"county": "99"}, "county"),
        ({"year": 2017}, "year"),
    ],
)
def test_registering_requires_a_source_and_a_county(coordinator: Any, overrides: Any, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(coordinator, **overrides)
    assert field in exc.value.message_dict


def test_registering_is_the_coordinators(rss_skane: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _register(rss_skane)


def test_the_web_form_registers_a_county_obligation_and_refuses_one_without_source(
    coordinator: Any,
) -> None:
    client = client_for(coordinator)
    url = reverse("obligations:register", args=[AGREEMENT])
    assert client.get(url).status_code == 200
    data = {
        "tier": "rss",
        "county": "25",
        "kind": "repayment",
        "year": "2018",
        "title": "Återbetalning av RSS-medel för 2018, Norrbottens län",
        "nominal_date": "",
        "source_text": "",
        "source": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert not Obligation.objects.filter(key__startswith="reg-").exists()
    data |= {"source_text": "Medel som inte används återbetalas till SKR.", "source": "SKR:s instruktioner"}
    response = client.post(url, data)
    assert response.status_code == 302
    o = Obligation.objects.get(key__startswith="reg-2018-repayment-rss-25")
    assert response["Location"] == reverse("obligations:obligation", args=[o.pk])
    assert (o.county.code, o.nominal_date, o.source_text) == ("25", None, data["source_text"])
    page = client.get(response["Location"]).content.decode()
    assert data["source_text"] in page and "SKR:s instruktioner" in page


def test_the_web_form_is_refused_to_the_rss(rss_skane: Any) -> None:
    assert client_for(rss_skane).get(reverse("obligations:register", args=[AGREEMENT])).status_code == 403


# --- Class 1: the carried-over note says it is JämKoll's reading -----------------------------------


def test_the_carried_over_note_says_it_is_jamkolls_reading_and_the_first_years_date(
    coordinator: Any,
) -> None:
    o = obligation("2019-financial_report")
    assert o.date_note.startswith("JämKolls tolkning, inte överenskommelsens ord: bilaga 1 §8")
    assert "2018 (31 mars 2019)" in o.date_note
    assert obligation("2020-project_plan").date_note.startswith(
        "JämKolls tolkning, inte överenskommelsens ord: bilaga 1 §5 anger villkoret för 2018 (31 mars 2018)"
    )
    page = client_for(coordinator).get(reverse("obligations:obligation", args=[o.pk])).content.decode()
    assert "JämKolls tolkning, inte överenskommelsens ord" in page
    calendar = client_for(coordinator).get(reverse("obligations:calendar", args=[AGREEMENT, 2020]))
    assert "JämKolls tolkning, inte överenskommelsens ord" in calendar.content.decode()


# --- Class 6: names right for their date ---------------------------------------------------------


def test_nothing_generated_about_2018_or_2019_says_skr() -> None:
    for o in Obligation.objects.filter(year__in=[2018, 2019], registered_at__isnull=True):
        for text in (o.title, o.date_note, o.source_text):
            assert "SKR" not in text, (o.key, text)
    assert "Rekvisition från SKL av RSS-medel för 2018" in obligation("2018-requisition-rss-12").title
    assert "Rekvisition från SKR av RSS-medel för 2020" in obligation("2020-requisition-rss-12").title
    assert "SKL skickar instruktioner" in obligation("2018-requisition-rss-12").date_note


# --- Class 9: what the documents show done, and what they do not say ------------------------------


def test_the_2018_activity_report_and_project_plan_are_fulfilled_without_a_date() -> None:
    for key in ("2018-activity_report", "2018-project_plan"):
        o = obligation(key)
        assert o.evidence == "seed 003 §1" and o.evidence_text, key
        assert o.submitted_on is None
        for today in (D("2019-06-01"), SEEDED_ON):
            assert o.status_on(today) == ObligationStatus.FULFILLED_UNDATED
    assert ObligationStatus.FULFILLED_UNDATED.label == "Fullgjord – datum framgår inte av underlaget"
    assert "projektplan beskriver" in obligation("2018-project_plan").evidence_text


def test_what_a_document_shows_done_is_not_waived_but_its_date_may_be_registered(coordinator: Any) -> None:
    from jamkoll.obligations.transitions import obligation_waive

    o = obligation("2018-activity_report")
    with pytest.raises(ValidationError) as exc:
        obligation_waive(obligation=o, reason="Behövs inte", actor=coordinator)
    assert exc.value.code == "fulfilled"
    done = obligation_submit(obligation=o, submitted_on=D("2019-03-29"), actor=coordinator, today=SEEDED_ON)
    assert done.status_on(SEEDED_ON) == ObligationStatus.SUBMITTED_ON_TIME and done.evidence


def _records_from(day: dt.date) -> None:
    FundingDecision.objects.filter(slug=AGREEMENT).update(records_from=day)


def test_past_obligations_no_document_shows_are_unknown_not_overdue() -> None:
    _records_from(SEEDED_ON)
    o = obligation("2019-financial_report")
    assert o.status_on(SEEDED_ON) == ObligationStatus.UNKNOWN
    assert ObligationStatus.UNKNOWN.label == "Uppgift saknas"
    # Before the records were kept the ordinary statuses apply (a test of the past), and a date
    # after the records began is overdue as usual.
    assert o.status_on(D("2020-04-15")) == ObligationStatus.OVERDUE
    _records_from(D("2020-01-01"))
    assert obligation("2019-financial_report").status_on(SEEDED_ON) == ObligationStatus.OVERDUE
    assert obligation("2019-requisition").status_on(SEEDED_ON) == ObligationStatus.UNKNOWN


def test_in_the_demo_nothing_is_overdue_and_nothing_is_red(coordinator: Any) -> None:
    _records_from(SEEDED_ON)
    state = obligation_list(decision=FundingDecision.objects.get(slug=AGREEMENT)).filter(tier=Tier.STATE)
    statuses = [o.status_on(SEEDED_ON) for o in state]
    assert ObligationStatus.OVERDUE not in statuses
    assert statuses.count(ObligationStatus.FULFILLED_UNDATED) == 2
    assert statuses.count(ObligationStatus.UNKNOWN) == 13
    for status in ObligationStatus:  # the query agrees with the model
        in_db = set(state.filter(status_q(status, SEEDED_ON)).values_list("pk", flat=True))
        assert in_db == {o.pk for o in state if o.status_on(SEEDED_ON) == status}, status
    todo = todo_for_user(coordinator, SEEDED_ON)
    assert todo.overdue == [] and len(todo.unknown) == 13


def test_a_registration_brings_back_the_ordinary_status(coordinator: Any) -> None:
    _records_from(D("2026-11-01"))
    o = obligation("2019-activity_report")
    done = obligation_submit(obligation=o, submitted_on=D("2020-04-20"), actor=coordinator, today=SEEDED_ON)
    assert Obligation.objects.get(pk=done.pk).status_on(SEEDED_ON) == ObligationStatus.SUBMITTED_LATE


def test_no_reminder_for_what_the_documents_do_not_say(coordinator: Any) -> None:
    coordinator.email = "samordnare@example.se"
    coordinator.save()
    _records_from(D("2019-04-15"))
    # 2018's reports fell due 2019-04-01, before the records were kept: nothing to remind of.
    assert reminders_send(today=D("2019-04-20")).sent == []
    _records_from(D("2019-03-01"))
    assert reminders_send(today=D("2019-04-20")).sent != []


def test_records_from_is_set_once_when_the_loader_creates_the_decision() -> None:
    decision = FundingDecision.objects.get(slug=AGREEMENT)
    assert decision.records_from is not None  # the day the session's seed ran
    _records_from(D("2024-02-29"))
    programmes_seed(actor=SEED_LOADER, report=SeedReport())
    assert FundingDecision.objects.get(slug=AGREEMENT).records_from == D("2024-02-29")
