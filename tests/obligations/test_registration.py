"""Registering a decision (issue 11): the service behind the CLI, the API and the web page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from jamkoll.accounts.policy import operator
from jamkoll.obligations.generation import Change
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.registration import DocumentError, decision_register_data
from jamkoll.obligations.transitions import obligation_submit, obligation_waive
from jamkoll.programmes.models import Condition, FundingDecision, GoalArea, Party
from jamkoll.programmes.selectors import decision_document_dump
from tests.hostile import nothing_stored, row_counts

from .conftest import AGREEMENT
from .decision_docs import SLUG, grant_2022

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def register(doc: dict[str, Any], actor: Any = None, **kwargs: Any) -> Any:
    return decision_register_data(doc, actor=actor or operator(), file="beslut.json", **kwargs)


def test_it_registers_a_grant_decision_and_its_obligations_with_effective_dates(coordinator: Any) -> None:
    result = register(grant_2022(), coordinator)
    assert result.created and result.changed and not result.dry_run
    decision = FundingDecision.objects.get(slug=SLUG)
    assert decision.programme.slug == "hedersrelaterat-2021-2023"
    assert [c.kind for c in decision.conditions.order_by("position")] == [
        "project_plan",
        "requisition",
        "financial_report",
    ]
    got = {o.key: (o.nominal_date, o.effective_date, o.owed_to.code) for o in decision.obligations.all()}
    assert got == {
        "2022-project_plan": (D("2022-06-06"), D("2022-06-07"), "A"),
        "2022-requisition": (D("2022-12-01"), D("2022-12-01"), "KAMK"),
        "2022-financial_report": (D("2023-03-31"), D("2023-03-31"), "KAMK"),
    }
    plan = next(o for o in result.obligations if o.key == "2022-project_plan")
    assert plan.change == Change.CREATED and plan.moved
    assert plan.moved_because == "en helgdag (nationaldagen)"
    assert {o.change for o in result.obligations} == {Change.CREATED}


def test_a_second_identical_import_writes_nothing() -> None:
    register(grant_2022())
    before = row_counts()
    again = register(grant_2022())
    assert not again.created and not again.changed
    assert again.report.created == again.report.updated == again.report.deleted == {}
    assert {o.change for o in again.obligations} == {Change.UNCHANGED}
    assert row_counts() == before
    assert FundingDecision.objects.filter(slug=SLUG).count() == 1


def test_an_import_with_a_changed_title_updates_the_decision_not_a_copy() -> None:
    register(grant_2022())
    result = register(grant_2022(title="Ny titel"))
    assert not result.created and result.report.updated == {"beslut om medel": 1}
    assert FundingDecision.objects.get(slug=SLUG).title == "Ny titel"


def test_a_dry_run_shows_the_obligations_and_stores_nothing() -> None:
    with nothing_stored():
        preview = register(grant_2022(), dry_run=True)
    assert preview.dry_run and preview.created
    assert [(o.key, o.effective_date, o.moved) for o in preview.obligations] == [
        ("2022-project_plan", D("2022-06-07"), True),
        ("2022-requisition", D("2022-12-01"), False),
        ("2022-financial_report", D("2023-03-31"), False),
    ]
    assert not FundingDecision.objects.filter(slug=SLUG).exists()


def test_the_user_s_date_overrides_the_text_s() -> None:
    doc = grant_2022()
    doc["conditions"][1]["due_date"] = "2022-12-24"  # julafton, a Saturday
    register(doc)
    o = Obligation.objects.get(decision__slug=SLUG, key="2022-requisition")
    assert (o.nominal_date, o.effective_date) == (D("2022-12-24"), D("2022-12-27"))


def test_a_removed_condition_removes_its_open_obligation_and_says_so() -> None:
    register(grant_2022())
    doc = grant_2022()
    del doc["conditions"][1]
    result = register(doc)
    removed = result.obligations_by_change(Change.REMOVED)
    assert [o.key for o in removed] == ["2022-requisition"]
    assert result.report.deleted["åtaganden"] == 1
    keys = set(Obligation.objects.filter(decision__slug=SLUG).values_list("key", flat=True))
    assert keys == {"2022-project_plan", "2022-financial_report"}
    assert Condition.objects.filter(decision__slug=SLUG).count() == 2
    # The financial report moved from position 2 to 1 and still cites its condition.
    report = Obligation.objects.get(decision__slug=SLUG, key="2022-financial_report")
    assert report.condition is not None and report.condition.position == 1


def test_removing_a_condition_whose_obligation_was_submitted_is_refused(coordinator: Any) -> None:
    register(grant_2022())
    requisition = Obligation.objects.get(decision__slug=SLUG, key="2022-requisition")
    obligation_submit(obligation=requisition, submitted_on=D("2022-11-20"), actor=coordinator)
    doc = grant_2022()
    del doc["conditions"][1]
    before = row_counts()
    with pytest.raises(DocumentError) as caught:
        register(doc)
    assert list(caught.value.message_dict) == ["conditions.1"]
    assert "inlämnat 2022-11-20" in caught.value.messages[0]
    assert caught.value.line().startswith("beslut.json: conditions[1]: villkoret tas bort")
    assert row_counts() == before


def test_changing_a_condition_so_that_a_waived_obligation_no_longer_follows_is_refused(
    coordinator: Any,
) -> None:
    register(grant_2022(start_year=2022, end_year=2022))
    plan = Obligation.objects.get(decision__slug=SLUG, key="2022-project_plan")
    obligation_waive(obligation=plan, reason="Ersatt av beslut", actor=coordinator)
    doc = grant_2022()
    doc["conditions"][0]["kind"] = "status_report"  # the same text, now a half-yearly report
    with pytest.raises(DocumentError) as caught:
        register(doc)
    assert list(caught.value.message_dict) == ["conditions.0"]
    assert "undantaget (Ersatt av beslut)" in caught.value.messages[0]


def test_a_new_date_for_a_condition_updates_its_obligation() -> None:
    register(grant_2022())
    doc = grant_2022()
    doc["conditions"][2]["text"] = doc["conditions"][2]["text"].replace("31 mars", "30 april")
    result = register(doc)
    changed = result.obligations_by_change(Change.CHANGED)
    assert [o.key for o in changed] == ["2022-financial_report"]
    assert "sista dag enligt handlingen" in changed[0].fields
    assert Obligation.objects.get(decision__slug=SLUG, key="2022-financial_report").nominal_date == D(
        "2023-04-30"
    )


@pytest.mark.parametrize("who", ["rss_skane", "ministry", "treasury", "certifier", "no_role"])
def test_only_the_coordinator_registers_decisions(who: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(who)
    with nothing_stored(), pytest.raises(PermissionDenied, match="samordnare"):
        register(grant_2022(), user)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d["conditions"][2].update(text=""), "conditions.2.text"),
        (lambda d: d["conditions"][0].update(kind="nonsense"), "conditions.0.kind"),
        (lambda d: d.update(start_year="2022"), "start_year"),
        (lambda d: d.update(end_year=2021), "end_year"),
        (lambda d: d.update(grantor="XX"), "grantor"),
        (lambda d: d.pop("programme"), "programme"),
        (lambda d: d.update(programme="okand-satsning"), "programme"),
        (lambda d: d.update(amount_per_year="1,5 mnkr"), "amount_per_year"),
        (lambda d: d.update(budgets=[{"year": 2023, "total": None}]), "budgets.0.year"),
        (lambda d: d["conditions"][1].update(addressee="NOPE"), "conditions.1.addressee"),
        (lambda d: d.update(extra="x"), "extra"),
    ],
)
def test_an_invalid_document_is_refused_at_the_path_of_the_bad_field(change: Any, key: str) -> None:
    doc = grant_2022()
    change(doc)
    with nothing_stored(), pytest.raises(DocumentError) as caught:
        register(doc)
    assert list(caught.value.message_dict) == [key]


def test_the_document_of_every_seeded_decision_registers_as_a_no_op() -> None:
    """GET → edit → POST round trip: dump → parse → register changes nothing."""
    before = row_counts()
    for decision in FundingDecision.objects.order_by("slug"):
        data = json.loads(json.dumps(decision_document_dump(decision)))
        result = register(data)
        assert not result.changed, (decision.slug, result.report)
        assert {o.change for o in result.obligations} <= {Change.UNCHANGED}, decision.slug
    assert row_counts() == before


def test_what_the_document_no_longer_states_is_removed() -> None:
    data = decision_document_dump(FundingDecision.objects.get(slug="hedersrelaterat-2021"))
    data["parties"] = data["parties"][:1]
    data["diary_numbers"] = []
    result = register(data)
    assert result.report.deleted == {"parter": 1, "diarienummer": 1}
    assert Party.objects.filter(decision__slug="hedersrelaterat-2021").count() == 1


def test_a_goal_area_that_activities_use_cannot_be_removed() -> None:
    data = decision_document_dump(FundingDecision.objects.get(slug=AGREEMENT))
    data["goal_areas"] = [g for g in data["goal_areas"] if g["number"] != 3]
    for budget in data["budgets"]:
        budget["lines"] = [line for line in budget["lines"] if line["goal_area"] != 3]
    data["earmarks"] = [{**e, "goal_areas": [n for n in e["goal_areas"] if n != 3]} for e in data["earmarks"]]
    data["allocation_rules"] = []
    with nothing_stored(), pytest.raises(DocumentError) as caught:
        register(data)
    key = next(iter(caught.value.message_dict))
    assert key.startswith("budgets") or key == "goal_areas", caught.value.message_dict
    assert "används av" in caught.value.messages[0]
    assert GoalArea.objects.filter(decision__slug=AGREEMENT, number=3).exists()
