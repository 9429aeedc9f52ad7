"""Sanity of the workflow's dates (issue 11): a year's financial or result report cannot be
certified or signed before the year it reports has ended (31 December is the earliest day), and a
signature cannot be dated before the certification it follows. Refused beside the date field, with
the reason, storing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.models import ReportState, ReportVersion
from jamkoll.reports.services import report_certify, report_generate, report_sign
from tests.conftest import client_for
from tests.hostile import nothing_stored

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
BEFORE_END = "Redovisningen för 2018 kan inte intygas före årets slut: välj 2018-12-31 eller senare."
SIGN_BEFORE_END = (
    "Redovisningen för 2018 kan inte undertecknas före årets slut: välj 2018-12-31 eller senare."
)


def _draft(coordinator: Any, kind: str = "financial") -> ReportVersion:
    return report_generate(
        kind=kind, decision=decision_get(slug=SLUG), year=2018, actor=coordinator, formats=("md",)
    )


@pytest.mark.parametrize("on", [dt.date(2018, 12, 30), dt.date(2018, 6, 1), dt.date(2017, 3, 1)])
def test_it_refuses_a_certification_before_the_end_of_the_year(
    coordinator: Any, certifier: Any, on: dt.date
) -> None:
    draft = _draft(coordinator)
    with nothing_stored(), pytest.raises(ValidationError) as caught:
        report_certify(actor=certifier, version=draft, on=on)
    assert caught.value.message_dict == {"on": [BEFORE_END]}


def test_it_certifies_on_the_last_day_of_the_year_or_later(coordinator: Any, certifier: Any) -> None:
    certified = report_certify(
        actor=certifier,
        version=_draft(coordinator),
        on=dt.date(2018, 12, 31),
    )
    assert certified.state == ReportState.CERTIFIED and certified.certified_on == dt.date(2018, 12, 31)


def test_the_certify_form_shows_the_reason_beside_the_date(coordinator: Any, certifier: Any) -> None:
    draft = _draft(coordinator)
    data = {
        "on": "2018-11-30",
        "deviations": "",
        "proposed_actions": "",
    }
    with nothing_stored():
        response = client_for(certifier).post(f"/rapporter/{draft.pk}/certify/", data)
    assert response.status_code == 400
    [(_step, _verdict, form)] = response.context["actions"]
    assert form.errors == {"on": [BEFORE_END]}
    assert BEFORE_END in response.content.decode()


def test_it_refuses_a_signature_of_a_result_report_before_the_end_of_the_year(
    coordinator: Any, signatory: Any
) -> None:
    draft = _draft(coordinator, kind="result")
    with nothing_stored(), pytest.raises(ValidationError) as caught:
        report_sign(actor=signatory, version=draft, on=dt.date(2018, 12, 1))
    assert caught.value.message_dict == {"on": [SIGN_BEFORE_END]}
    signed = report_sign(actor=signatory, version=draft, on=dt.date(2019, 3, 28))
    assert signed.state == ReportState.SIGNED


def test_it_refuses_a_signature_dated_before_the_certification(
    coordinator: Any, certifier: Any, signatory: Any
) -> None:
    certified = report_certify(
        actor=certifier,
        version=_draft(coordinator),
        on=dt.date(2019, 3, 27),
    )
    with nothing_stored(), pytest.raises(ValidationError) as caught:
        report_sign(actor=signatory, version=certified, on=dt.date(2019, 3, 26))
    assert caught.value.message_dict == {
        "on": ["Underskriften kan inte dateras före intygandet (2019-03-27)."]
    }
    signed = report_sign(actor=signatory, version=certified, on=dt.date(2019, 3, 27))
    assert signed.signed_on == dt.date(2019, 3, 27)


def test_an_application_is_signed_before_its_year_as_it_should_be(coordinator: Any, signatory: Any) -> None:
    draft = report_generate(
        kind="application",
        decision=decision_get(slug="hedersrelaterat-2021"),
        year=2022,
        actor=coordinator,
        formats=("md",),
    )
    signed = report_sign(actor=signatory, version=draft, on=dt.date(2021, 10, 15))
    assert signed.signed_on == dt.date(2021, 10, 15)
