"""Who reads what (issue 12, finding 9; the table in `jamkoll.accounts.policy`'s docstring).

A matrix: every persona × the objects a reader must not see across a boundary (a county's ledger
entry, a state-tier entry, an obligation owed by a county and one owed by SKR to the state, with
their receipt references, names and change history) × every read path (the web pages, the API's
lists and details, the calendar feed). Allowed: 200 with the data. Refused: a single object 403
with the policy's reason (as a draft is), a list simply without it, a field left empty with the
reason beside it. The totals per county stay the same for everyone who may see the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import (
    WORKER,
    check,
    may_view_record,
    operator,
    owes_obligation,
    receives_obligation,
    record_visibility_q,
)
from jamkoll.ledger.models import LedgerEntry
from jamkoll.ledger.selectors import entry_for_user
from jamkoll.ledger.services import entry_record
from jamkoll.obligations.feeds import feed_create
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.transitions import obligation_reschedule, obligation_submit
from jamkoll.programmes.models import FundingDecision
from tests.conftest import PERSONAS, client_for, persona

pytestmark = pytest.mark.django_db

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
LEDGER_PAGE = f"/medel/{SLUG}/2018/"
LEDGER_API = f"/api/v1/ledger/{SLUG}/2018"
OBLIGATIONS_API = "/api/v1/obligations"

# Who sees the record of each object (the policy's table); every other persona with a role sees
# the totals and the deadline, not the record; `no_role` and the anonymous visitor see neither.
SKR = {"coordinator", "certifier", "signatory", "admin_user"}
STATE_READERS = SKR | {"ministry", "treasury"}
SKANE_READERS = SKR | {"rss_skane"}
ROLE_HOLDERS = set(PERSONAS) - {"no_role"}
EVERYONE = (*PERSONAS, "anonymous")

ENTRY_REFUSAL = "RSS-ledaren för det egna länets poster."
RECORD_REFUSAL = "RSS-ledaren för det egna länets åtaganden."


@dataclass
class World:
    state_entry: LedgerEntry
    skane_entry: LedgerEntry
    state_obligation: Obligation
    skane_obligation: Obligation


# Unique words that only an object's record carries: if one is on a page, the record leaked.
STATE_REF, SKANE_REF = "Ju2018/STATSPOST", "RSS12/LANSPOST"
STATE_NOTE, SKANE_NOTE = "Anteckning om statsposten", "Anteckning om länsposten"
STATE_RECEIPT, SKANE_RECEIPT = "KAMK-2019/4711", "SKR-2019/0815"
RECORDER = "Rut Registrator"  # the name on the entries, the registrations and in the history


@pytest.fixture
def world(db: None) -> World:
    recorder = persona("rut-registrator", Role.COORDINATOR)
    recorder.first_name, recorder.last_name = "Rut", "Registrator"
    recorder.save()
    decision = FundingDecision.objects.get(slug=SLUG)
    common = {"actor": recorder, "decision": decision, "year": 2018, "kind": "requisition", "amount": "10.00"}
    state_entry = entry_record(**common, reference=STATE_REF, note=STATE_NOTE)
    skane_entry = entry_record(**common, reference=SKANE_REF, note=SKANE_NOTE, county_code="12")
    state = Obligation.objects.get(decision__slug=SLUG, key="2019-requisition")
    skane = Obligation.objects.get(decision__slug=SLUG, key="2019-requisition-rss-12")
    # A date, so that the county's obligation is in the calendar feed too.
    obligation_reschedule(
        obligation=skane, nominal_date=dt.date(2020, 3, 31), reason="enligt SKR", actor=recorder
    )
    for obligation, receipt in ((state, STATE_RECEIPT), (skane, SKANE_RECEIPT)):
        obligation_submit(
            obligation=obligation,
            submitted_on=dt.date(2019, 11, 20),
            receipt_reference=receipt,
            document_reference=f"Handling {receipt}",
            actor=recorder,
        )
    state.refresh_from_db()
    skane.refresh_from_db()
    return World(state_entry, skane_entry, state, skane)


@pytest.fixture
def everyone(personas: dict[str, Any]) -> dict[str, Any]:
    return {**personas, "anonymous": AnonymousUser()}


def _client(everyone: dict[str, Any], name: str) -> Client:
    return Client() if name == "anonymous" else client_for(everyone[name])


def _html(response: Any) -> str:
    return response.content.decode()


# --- The policy: one rule, two forms that agree -------------------------------------------------


def test_it_agrees_the_predicate_and_the_query_for_every_persona(
    world: World, everyone: dict[str, Any]
) -> None:
    actors = {**everyone, "worker": WORKER, "operator": operator("test")}
    obligations = list(Obligation.objects.filter(decision__slug=SLUG).prefetch_related("owners", "county"))
    entries = list(LedgerEntry.objects.select_related("county"))
    for name, actor in actors.items():
        q = record_visibility_q(actor)
        shown_entries = set(LedgerEntry.objects.filter(q).values_list("pk", flat=True))
        shown_obligations = set(Obligation.objects.filter(q).values_list("pk", flat=True))
        for entry in entries:
            assert bool(check(actor, "ledger.view_entry", entry)) == (entry.pk in shown_entries), name
        for obligation in obligations:
            allowed = bool(check(actor, "obligation.view_record", obligation))
            assert allowed == (obligation.pk in shown_obligations), (name, obligation.key)


def test_whoever_owes_or_receives_an_obligation_sees_its_record(everyone: dict[str, Any]) -> None:
    obligations = list(Obligation.objects.prefetch_related("owners", "county"))
    for name, user in everyone.items():
        for obligation in obligations:
            if owes_obligation(user, obligation) or receives_obligation(user, obligation):
                assert may_view_record(user, obligation), (name, obligation.key)


def test_the_policy_gives_the_reason_for_each_refusal(everyone: dict[str, Any], world: World) -> None:
    verdict = check(everyone["rss_norrbotten"], "ledger.view_entry", world.skane_entry)
    assert not verdict and verdict.reason.endswith(ENTRY_REFUSAL)
    verdict = check(everyone["analyst"], "obligation.view_record", world.state_obligation)
    assert not verdict and verdict.reason.endswith(RECORD_REFUSAL)
    for action in ("obligation.view", "ledger.view", "history.view"):
        verdict = check(everyone["no_role"], action)
        assert not verdict and "med en roll i satsningen" in verdict.reason, action


# --- The ledger: totals for every role, entries only in scope ------------------------------------


def test_the_ledger_page_lists_only_the_entries_in_scope(world: World, everyone: dict[str, Any]) -> None:
    for name in EVERYONE:
        response = _client(everyone, name).get(LEDGER_PAGE)
        if name == "anonymous":
            assert response.status_code == 302 and "/logga-in/" in response["Location"]
            continue
        if name == "no_role":
            assert response.status_code == 403
            assert STATE_REF not in _html(response) and SKANE_REF not in _html(response)
            continue
        html = _html(response)
        assert response.status_code == 200
        for entry, readers, words in (
            (world.state_entry, STATE_READERS, (STATE_REF, STATE_NOTE)),
            (world.skane_entry, SKANE_READERS, (SKANE_REF, SKANE_NOTE)),
        ):
            shown = name in readers
            assert (f'id="post-{entry.sequence}"' in html) == shown, (name, entry.tier)
            for word in words:
                assert (word in html) == shown, (name, word)
        assert (RECORDER in html) == (name in STATE_READERS | SKANE_READERS), name
        # The totals count every entry, whoever reads them: Skåne's 10 kr requisitioned is there.
        skane_total = response.context["balance"].counties
        assert next(c for c in skane_total if c.code == "12").requisitioned == 10
        assert ("summorna ovan räknar alla poster" in html) == (name not in SKR), name


def test_the_ledger_api_lists_only_the_entries_in_scope_and_every_total(
    world: World, everyone: dict[str, Any]
) -> None:
    for name in EVERYONE:
        client = _client(everyone, name)
        listed = client.get(f"{LEDGER_API}/entries")
        balance = client.get(f"{LEDGER_API}/balance")
        if name in ("anonymous", "no_role"):
            expected = 401 if name == "anonymous" else 403
            assert listed.status_code == balance.status_code == expected
            continue
        assert listed.status_code == balance.status_code == 200
        sequences = {e["sequence"] for e in listed.json()["items"]}
        assert listed.json()["total"] == len(sequences), name  # the total counts what may be seen
        assert (world.state_entry.sequence in sequences) == (name in STATE_READERS), name
        assert (world.skane_entry.sequence in sequences) == (name in SKANE_READERS), name
        # Filtering by another county gives nothing rather than that county's entries.
        by_county = {e["sequence"] for e in client.get(f"{LEDGER_API}/entries?county=12").json()["items"]}
        assert (world.skane_entry.sequence in by_county) == (name in SKANE_READERS), name
        skane = next(c for c in balance.json()["counties"] if c["code"] == "12")
        assert skane["requisitioned"] == "10.00"
        assert balance.json()["requisitioned"] == "10.00"


def test_one_entry_is_reached_only_in_scope_else_refused_with_the_reason(
    world: World, everyone: dict[str, Any]
) -> None:
    """The access helper the web's and the API's reversal and the CLI share."""
    for name in PERSONAS:
        user = everyone[name]
        for entry, readers in ((world.state_entry, STATE_READERS), (world.skane_entry, SKANE_READERS)):
            if name in readers:
                assert entry_for_user(actor=user, sequence=entry.sequence)[0] == entry
                continue
            with pytest.raises(PermissionDenied) as info:
                entry_for_user(actor=user, sequence=entry.sequence)
            reason = str(info.value)
            assert reason.endswith(ENTRY_REFUSAL) or "med en roll i satsningen" in reason, (name, reason)


def test_reversing_an_entry_out_of_scope_is_refused_with_the_reason_not_the_reversal_rule(
    world: World, everyone: dict[str, Any]
) -> None:
    for name in ["rss_norrbotten", "ministry", "analyst"]:
        client = _client(everyone, name)
        api = client.post(
            f"/api/v1/ledger/entries/{world.skane_entry.sequence}/reverse",
            {"reason": "fel"},
            content_type="application/json",
        )
        assert api.status_code == 403 and api.json()["detail"].endswith(ENTRY_REFUSAL)
        web = client.post(f"{LEDGER_PAGE}rattelse/{world.skane_entry.sequence}/", {"reason": "fel"})
        assert web.status_code == 403 and ENTRY_REFUSAL in _html(web)
        assert not LedgerEntry.objects.filter(reverses=world.skane_entry).exists()


# --- Obligations: the deadline for every role, the record only in scope -------------------------


def test_an_obligations_page_shows_its_record_and_history_only_in_scope(
    world: World, everyone: dict[str, Any]
) -> None:
    for name in EVERYONE:
        client = _client(everyone, name)
        for obligation, readers, receipt in (
            (world.state_obligation, STATE_READERS, STATE_RECEIPT),
            (world.skane_obligation, SKANE_READERS, SKANE_RECEIPT),
        ):
            response = client.get(f"/tidsfrister/atagande/{obligation.pk}/")
            if name == "anonymous":
                assert response.status_code == 302
                continue
            html = _html(response)
            if name == "no_role":
                assert response.status_code == 403 and receipt not in html
                continue
            assert response.status_code == 200 and obligation.title in html
            assert "2019-11-20" in html  # met, and when: for every role
            shown = name in readers
            assert (receipt in html) == shown, (name, obligation.key)
            assert (f"Handling {receipt}" in html) == shown, (name, obligation.key)
            assert (RECORDER in html) == shown, (name, obligation.key)  # who registered, the history
            assert (RECORD_REFUSAL in html) == (not shown), (name, obligation.key)


def test_the_calendar_shows_every_deadline_and_the_receipt_references_only_in_scope(
    world: World, everyone: dict[str, Any]
) -> None:
    for name in EVERYONE:
        client = _client(everyone, name)
        responses = [client.get(f"/tidsfrister/{SLUG}/{year}/") for year in (2019, 2020)]  # state, Skåne
        if name in ("anonymous", "no_role"):
            assert {r.status_code for r in responses} == {302 if name == "anonymous" else 403}
            continue
        assert {r.status_code for r in responses} == {200}
        html = "".join(_html(r) for r in responses)
        assert f'id="o{world.state_obligation.pk}"' in html and f'id="o{world.skane_obligation.pk}"' in html
        assert (STATE_RECEIPT in html) == (name in STATE_READERS), name
        assert (SKANE_RECEIPT in html) == (name in SKANE_READERS), name


def test_the_obligations_api_withholds_the_record_out_of_scope(
    world: World, everyone: dict[str, Any]
) -> None:
    for name in EVERYONE:
        client = _client(everyone, name)
        listed = client.get(f"{OBLIGATIONS_API}?decision={SLUG}&limit=500")
        details = {
            o.pk: client.get(f"{OBLIGATIONS_API}/{o.pk}")
            for o in (world.state_obligation, world.skane_obligation)
        }
        if name in ("anonymous", "no_role"):
            expected = 401 if name == "anonymous" else 403
            assert listed.status_code == expected and all(d.status_code == expected for d in details.values())
            continue
        assert listed.status_code == 200
        assert listed.json()["total"] <= 500
        rows = {row["id"]: row for row in listed.json()["items"]}
        for obligation, readers, receipt in (
            (world.state_obligation, STATE_READERS, STATE_RECEIPT),
            (world.skane_obligation, SKANE_READERS, SKANE_RECEIPT),
        ):
            detail = details[obligation.pk]
            assert detail.status_code == 200
            for row in (rows[obligation.pk], detail.json()):
                assert row["submitted_on"] == "2019-11-20" and row["status"].startswith("submitted")
                if name in readers:
                    assert row["receipt_reference"] == receipt and row["record_withheld"] == ""
                else:
                    assert row["receipt_reference"] == "" and row["closed_by"] == ""
                    assert row["record_withheld"].endswith(RECORD_REFUSAL)
            expected_document = f"Handling {receipt}" if name in readers else ""
            assert detail.json()["document_reference"] == expected_document, name


def test_the_calendar_feed_holds_only_what_the_user_owes_or_receives_and_no_references(
    world: World, everyone: dict[str, Any]
) -> None:
    for name in ["coordinator", "rss_skane", "rss_norrbotten", "treasury", "ministry", "analyst"]:
        user = everyone[name]
        feed = feed_create(actor=user)
        body = Client().get(f"/tidsfrister/feed/{feed.token}.ics").content.decode()
        skane_in_feed = f"{SLUG}.{world.skane_obligation.key}@jamkoll" in body
        assert skane_in_feed == (
            owes_obligation(user, world.skane_obligation) or receives_obligation(user, world.skane_obligation)
        )
        assert skane_in_feed == (name in ("coordinator", "rss_skane")), name
        for word in (STATE_RECEIPT, SKANE_RECEIPT, RECORDER):
            assert word not in body, (name, word)


# --- Change history of a public object -------------------------------------------------------------


def test_a_programmes_change_history_is_for_the_roles(everyone: dict[str, Any]) -> None:
    for name in EVERYONE:
        response = _client(everyone, name).get("/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/")
        assert response.status_code == 200  # the programme itself is public
        assert bool(response.context["history_verdict"]) == (name in ROLE_HOLDERS), name


def test_an_account_without_a_role_sees_the_public_start_page(no_role: Any, analyst: Any) -> None:
    """No to-do list leading to deadlines it may not open (they need a role)."""
    assert 'id="todo-heading"' not in client_for(no_role).get("/").content.decode()
    assert 'id="todo-heading"' in client_for(analyst).get("/").content.decode()
