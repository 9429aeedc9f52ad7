"""Four eyes on every certified document (issue 12, finding 1; DESIGN §1): one account never both
generates and certifies, nor certifies and signs, the same version, whatever roles it holds. The
one policy says why (service, page, API and command line alike); each step records the acting
account, and the document shows the account's name and title, not typed text."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from jamkoll.accounts.models import Profile, Role
from jamkoll.accounts.policy import PERSON_REQUIRED, SEED_LOADER, WORKER, check, operator
from jamkoll.accounts.services import profile_set, role_assign
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.models import ReportKind, ReportVersion
from jamkoll.reports.services import report_certify, report_generate, report_sign, report_submit
from tests.conftest import client_for, persona
from tests.hostile import nothing_stored

from .factories import ReportVersionFactory

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
ON = dt.date(2019, 3, 27)
MADE_IT = "Du skapade den här versionen; en annan person måste intyga den (fyra ögon)."
CERTIFIED_IT = "Du intygade den här versionen; en annan person måste underteckna den (fyra ögon)."


def _holding(username: str, *roles: str) -> Any:
    """One account with several roles (the probe's user: coordinator, certifier and signatory)."""
    user = persona(username, roles[0])
    for role in roles[1:]:
        role_assign(user=user, role=role, actor=SEED_LOADER)
    return user


def _draft(actor: Any, kind: str = "financial", formats: tuple[str, ...] = ("md",)) -> ReportVersion:
    return report_generate(
        kind=kind, decision=decision_get(slug=SLUG), year=2018, actor=actor, formats=formats
    )


@pytest.fixture
def everything(db: None) -> Any:
    return _holding("allt-i-ett", Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY)


# --- Who may: the policy, with its reason --------------------------------------------------------


def test_it_refuses_the_account_that_generated_the_version_to_certify_it(everything: Any) -> None:
    draft = _draft(everything)
    assert check(everything, "report.certify", draft).reason == MADE_IT
    with nothing_stored(), pytest.raises(PermissionDenied, match=r"fyra ögon"):
        report_certify(actor=everything, version=draft, on=ON)


def test_it_refuses_the_certifier_to_sign_what_they_certified(coordinator: Any, everything: Any) -> None:
    certified = report_certify(actor=everything, version=_draft(coordinator), on=ON)
    assert certified.certified_by == everything
    assert check(everything, "report.sign", certified).reason == CERTIFIED_IT
    with nothing_stored(), pytest.raises(PermissionDenied, match=r"fyra ögon"):
        report_sign(actor=everything, version=certified, on=ON)


def test_it_follows_the_chain_a_version_is_based_on(certifier: Any, coordinator: Any) -> None:
    first = ReportVersionFactory(kind=ReportKind.FINANCIAL, generated_by=certifier)
    based_on_it = ReportVersionFactory(kind=ReportKind.FINANCIAL, generated_by=coordinator, supersedes=first)
    assert check(certifier, "report.certify", based_on_it).reason == MADE_IT
    assert check(persona("annan-ekonomichef", Role.CERTIFIER), "report.certify", based_on_it)
    # The signatory is asked about every version of the chain, not only the newest.
    signatory = persona("firmatecknare-2", Role.SIGNATORY)
    ReportVersion.objects.filter(pk=based_on_it.pk).update(certified_by=signatory)
    later = ReportVersionFactory(
        kind=ReportKind.FINANCIAL, supersedes=ReportVersion.objects.get(pk=based_on_it.pk)
    )
    assert later.certified_by is None
    assert check(signatory, "report.sign", later).reason == CERTIFIED_IT


def test_it_takes_three_people_to_certify_and_sign(coordinator: Any, certifier: Any, signatory: Any) -> None:
    certified = report_certify(actor=certifier, version=_draft(coordinator), on=ON)
    signed = report_sign(actor=signatory, version=certified, on=dt.date(2019, 3, 28))
    submitted = report_submit(
        actor=coordinator, version=signed, on=dt.date(2019, 3, 29), receipt_reference="K 1"
    )
    assert (submitted.generated_by, submitted.certified_by, submitted.signed_by) == (
        signatory,  # the signed version was made by signing it
        certifier,
        signatory,
    )
    assert certified.generated_by == certifier and certified.supersedes.generated_by == coordinator
    assert (submitted.submitted_by, submitted.submitted_by_name) == (coordinator, "anna-samordnare")


def test_a_system_actor_is_no_person_and_cannot_certify_sign_or_submit(coordinator: Any) -> None:
    draft = _draft(coordinator)
    status = _draft(coordinator, kind="status")
    for actor in (operator("test"), WORKER, SEED_LOADER):
        for action, version in (("report.certify", draft), ("report.sign", draft), ("report.submit", status)):
            assert check(actor, action, version).reason == str(PERSON_REQUIRED)
        assert check(actor, "report.generate", "12")  # what a system actor may still do
    with nothing_stored(), pytest.raises(PermissionDenied, match="--as"):
        report_submit(actor=WORKER, version=status, on=ON, receipt_reference="X")


def test_an_account_without_a_title_cannot_certify_and_is_told_why(coordinator: Any) -> None:
    untitled = persona("utan-titel", Role.CERTIFIER)
    Profile.objects.filter(user=untitled).update(title="")
    untitled = type(untitled).objects.get(pk=untitled.pk)  # as the next request loads it
    draft = _draft(coordinator)
    assert "saknar titel" in check(untitled, "report.certify", draft).reason
    with nothing_stored(), pytest.raises(PermissionDenied, match="saknar titel"):
        report_certify(actor=untitled, version=draft, on=ON)


# --- What is recorded: the account, its name and title -------------------------------------------


def test_the_certified_pdf_names_the_certifiers_account_and_title(coordinator: Any, certifier: Any) -> None:
    certifier.first_name, certifier.last_name = "Erik", "Ek"
    certifier.save()
    certified = report_certify(actor=certifier, version=_draft(coordinator, formats=("pdf",)), on=ON)
    assert (certified.certified_by, certified.certified_by_name) == (certifier, "Erik Ek")
    # The organisation as it was named on the day of the certification (SKL until 2019-11-26).
    assert certified.certified_title == "Ekonomichef, Sveriges Kommuner och Landsting"
    reader = PdfReader(io.BytesIO(bytes(certified.files.get(format="pdf").content)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Erik Ek" in text and "Ekonomichef, Sveriges Kommuner och Landsting" in text
    # A later change of the account's title does not alter what was certified.
    profile_set(user=certifier, actor=SEED_LOADER, title="Avdelningschef", organisation_code="SKR")
    certified.refresh_from_db()
    assert certified.certified_title.startswith("Ekonomichef")


# --- The page, the API and the command line give the policy's reason ----------------------------


def test_the_page_shows_why_the_certify_button_is_missing_and_refuses_the_post(everything: Any) -> None:
    draft = _draft(everything)
    client = client_for(everything)
    page = client.get(reverse("reports:version", args=[draft.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert MADE_IT in html and 'name="on"' not in html  # no form: the button is disabled, with why
    with nothing_stored():
        response = client.post(reverse("reports:act", args=[draft.pk, "certify"]), {"on": "2019-03-27"})
    assert response.status_code == 403 and MADE_IT in response.content.decode()


def test_the_page_says_whose_name_and_title_a_certification_carries(coordinator: Any, certifier: Any) -> None:
    draft = _draft(coordinator)
    html = client_for(certifier).get(reverse("reports:version", args=[draft.pk])).content.decode()
    assert "Du intygar som" in html and "erik-ekonomichef" in html and "Ekonomichef" in html
    assert 'name="name"' not in html and 'name="title"' not in html


def _api(user: Any, path: str, payload: dict[str, Any]) -> Any:
    return client_for(user).post(path, json.dumps(payload), content_type="application/json")


def test_the_api_answers_four_eyes_with_the_reason(coordinator: Any, everything: Any) -> None:
    own = _draft(everything)
    with nothing_stored():
        response = _api(everything, f"/api/v1/reports/{own.pk}/certify", {"on": "2019-03-27"})
    assert response.status_code == 403 and response.json()["detail"] == MADE_IT
    certified = _api(everything, f"/api/v1/reports/{_draft(coordinator).pk}/certify", {"on": "2019-03-27"})
    assert certified.status_code == 201 and certified.json()["certified_by"] == "allt-i-ett"
    with nothing_stored():
        response = _api(everything, f"/api/v1/reports/{certified.json()['id']}/sign", {"on": "2019-03-28"})
    assert response.status_code == 403 and response.json()["detail"] == CERTIFIED_IT


def test_the_api_refuses_a_typed_name_or_title(coordinator: Any, certifier: Any) -> None:
    draft = _draft(coordinator)
    with nothing_stored():
        response = _api(
            certifier,
            f"/api/v1/reports/{draft.pk}/certify",
            {"on": "2019-03-27", "name": "Någon annan", "title": "VD"},
        )
    assert response.status_code == 422 and {"name", "title"} <= set(response.json()["errors"])


def test_the_command_line_certifies_as_a_named_person_only(
    coordinator: Any, certifier: Any, everything: Any
) -> None:
    own = _draft(everything)
    draft = _draft(coordinator)  # the newest version, which the certifier certifies
    with nothing_stored(), pytest.raises(CommandError, match="--as"):
        call_command("report", "certify", str(draft.pk), "--date", "2019-03-27")
    with nothing_stored(), pytest.raises(CommandError, match="nekad: Du skapade den här versionen"):
        call_command("report", "certify", str(own.pk), "--as", "allt-i-ett", "--date", "2019-03-27")
    out = io.StringIO()
    call_command(
        "report", "certify", str(draft.pk), "--as", certifier.username, "--date", "2019-03-27", stdout=out
    )
    certified = ReportVersion.objects.get(supersedes=draft)
    assert certified.certified_by == certifier and "intygad" in out.getvalue()
    role_assign(user=certifier, role=Role.SIGNATORY, actor=SEED_LOADER)  # now also a signatory
    with nothing_stored(), pytest.raises(CommandError, match="nekad: Du intygade den här versionen"):
        call_command("report", "sign", str(certified.pk), "--as", certifier.username, "--date", "2019-03-28")
