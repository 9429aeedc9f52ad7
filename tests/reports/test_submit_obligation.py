"""A submission registers the obligation it closes (`obligation_submit`), so the version page
offers "Registrera inlämning" only when the policy allows both the report's step and the
obligation's ("report.submit" and "obligation.submit"); otherwise the button is disabled and the
page says why, and a forced POST is refused with that reason, storing nothing. The obligation's
errors about its date stand beside the form's date field."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from jamkoll.accounts.policy import SEED_LOADER, check
from jamkoll.obligations.registration import obligation_register
from jamkoll.reports.models import ReportKind, ReportState
from jamkoll.reports.selectors import report_obligation, report_version_for_user
from jamkoll.reports.services import report_submit
from jamkoll.reports.transitions import Step
from tests.conftest import client_for
from tests.hostile import assert_refused, nothing_stored

from .factories import ReportVersionFactory

pytestmark = pytest.mark.django_db
OBLIGATION_REASON = "Du kan bara registrera inlämning av det som din roll ska lämna"
SUBMIT = {"on": "2019-03-29", "receipt_reference": "KAMK 2019/77"}
# The reports whose obligation the signatory does not owe: the status report (the coordinator
# owes it) and an RSS report (the county's RSS leader owes it).
NOT_OWED = [
    pytest.param({"kind": ReportKind.STATUS}, id="status"),
    pytest.param({"kind": ReportKind.RSS, "county_code": "12"}, id="rss"),
]


def made_with_obligation(made: dict) -> Any:
    """The report; for an RSS report also the county's report to SKR, which no document of the
    seed states (issue 13): registered as SKR's instructions would state it."""
    version = ReportVersionFactory(**made)
    if made["kind"] == ReportKind.RSS:
        obligation_register(
            decision=version.decision,
            tier="rss",
            kind="financial_report",
            year=version.year,
            county=made["county_code"],
            title="Redovisning av RSS-medlen",
            source_text="RSS redovisar till SKR hur medlen har använts.",
            source="SKR:s instruktioner till RSS",
            actor=SEED_LOADER,
        )
    return version


@pytest.mark.parametrize("made", NOT_OWED)
def test_it_offers_no_submit_the_obligation_would_refuse_and_says_why(signatory: Any, made: dict) -> None:
    version = made_with_obligation(made)
    obligation = report_obligation(version)
    assert obligation is not None and obligation.submitted_on is None
    assert check(signatory, "report.submit", version)  # the report's rule alone would offer it
    assert not check(signatory, "obligation.submit", obligation)

    _version, actions = report_version_for_user(actor=signatory, pk=version.pk)
    assert list(actions) == [Step.SUBMIT]
    assert not actions[Step.SUBMIT] and OBLIGATION_REASON in actions[Step.SUBMIT].reason

    response = client_for(signatory).get(f"/rapporter/{version.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert OBLIGATION_REASON in html
    assert f'action="/rapporter/{version.pk}/submit/"' not in html  # no form to send
    assert 'type="button" class="primary" disabled' in html  # the button, disabled, with the reason


@pytest.mark.parametrize("made", NOT_OWED)
def test_it_refuses_a_forced_submit_with_the_obligations_reason(signatory: Any, made: dict) -> None:
    version = made_with_obligation(made)
    with nothing_stored():
        response = client_for(signatory).post(f"/rapporter/{version.pk}/submit/", SUBMIT)
    assert response.status_code == 403
    assert OBLIGATION_REASON in assert_refused(response)
    version.refresh_from_db()
    assert version.state == ReportState.DRAFT
    obligation = report_obligation(version)
    assert obligation is not None and obligation.submitted_on is None


@pytest.mark.parametrize("made", NOT_OWED)
def test_it_refuses_the_signatorys_submit_in_the_service_before_storing(signatory: Any, made: dict) -> None:
    version = made_with_obligation(made)
    with nothing_stored(), pytest.raises(PermissionDenied, match=OBLIGATION_REASON):
        report_submit(actor=signatory, version=version, on="2019-03-29", receipt_reference="KAMK 1")


def test_it_still_offers_the_submit_to_whoever_owes_the_obligation(signatory: Any, coordinator: Any) -> None:
    financial = ReportVersionFactory(kind=ReportKind.FINANCIAL, state=ReportState.SIGNED)
    assert report_version_for_user(actor=signatory, pk=financial.pk)[1][Step.SUBMIT]  # the signatory owes it
    status = ReportVersionFactory(kind=ReportKind.STATUS)
    assert report_version_for_user(actor=coordinator, pk=status.pk)[1][Step.SUBMIT]


def test_it_puts_the_obligations_date_error_beside_the_date(coordinator: Any) -> None:
    """2005 passes the form (2000..today) but not the obligation (the decision's years ± 2)."""
    version = ReportVersionFactory(kind=ReportKind.STATUS)
    with nothing_stored():
        response = client_for(coordinator).post(
            f"/rapporter/{version.pk}/submit/", {**SUBMIT, "on": "2005-01-01"}
        )
    assert response.status_code == 400
    [(step, _verdict, form)] = response.context["actions"]
    assert step == Step.SUBMIT
    assert "Datumet måste ligga mellan" in " ".join(form.errors["on"])
    assert not form.non_field_errors()
    assert 'class="error field-error"' in response.content.decode()  # beside the field, not above the form


def test_the_submission_records_the_version_that_closed_the_obligation(coordinator: Any) -> None:
    import datetime as dt

    from jamkoll.obligations.selectors import closer_link, closure_text

    version = ReportVersionFactory(kind=ReportKind.FINANCIAL, state=ReportState.SIGNED)
    obligation = report_obligation(version)
    assert obligation is not None and obligation.submitted_on is None
    report_submit(
        actor=coordinator, version=version, on=dt.date(2019, 3, 29), receipt_reference="KAMK 2019/77"
    )
    obligation.refresh_from_db()
    assert (obligation.submitted_on.isoformat(), obligation.closed_by, obligation.receipt_reference) == (
        "2019-03-29",
        f"report-version:{version.pk}",
        "KAMK 2019/77",
    )
    assert closure_text(obligation).startswith(f"Stängd av {version.title} v{version.version}")
    assert closure_text(obligation).endswith("2019-03-29, i tid")  # due 2019-04-01
    assert closer_link(obligation) == f"/rapporter/{version.pk}/"
