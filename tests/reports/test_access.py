"""Reaching a report version: one access helper (`report_version_for_user`) behind the version
page, the download, the workflow steps and the API, and a refusal that says why in the site's
own page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from jamkoll.accounts.policy import WORKER, check
from jamkoll.errors import NotFound
from jamkoll.reports.models import ReportFile, ReportKind, ReportState
from jamkoll.reports.selectors import report_version_for_user, version_list
from jamkoll.reports.transitions import Step
from tests.conftest import client_for
from tests.hostile import assert_refused

from .factories import ReportVersionFactory, every_version

pytestmark = pytest.mark.django_db
DRAFT_REASON = (
    "En version som inte har lämnats in visas bara för SKR:s samordnare, ekonomichef och "
    "behöriga företrädare "
    "(en RSS-ledare ser sitt eget läns länsrapport)."
)
PERSONAS = ("coordinator", "rss_skane", "rss_norrbotten", "certifier", "signatory", "treasury", "no_role")


def _skane_rss() -> Any:
    version = ReportVersionFactory(kind=ReportKind.RSS, county_code="12")
    ReportFile.objects.create(version=version, format="md", content=b"# x", sha256="0" * 64, size=3)
    return version


def test_it_shows_an_rss_leader_why_another_countys_report_is_refused_in_the_sites_page(
    rss_norrbotten: Any,
) -> None:
    version = _skane_rss()
    response = client_for(rss_norrbotten).get(f"/rapporter/{version.pk}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert DRAFT_REASON in html and 'class="refusal-reason"' in html
    assert '<html lang="sv">' in html  # the language is set
    assert 'class="site-header"' in html and "Du har inte behörighet" in html  # the site's layout
    assert "403 Forbidden" not in html
    assert DRAFT_REASON in assert_refused(response)
    download = client_for(rss_norrbotten).get(f"/rapporter/{version.pk}/fil/md/")
    assert download.status_code == 403 and DRAFT_REASON in assert_refused(download)
    api = client_for(rss_norrbotten).get(f"/api/v1/reports/{version.pk}")
    assert api.status_code == 403 and api.json()["detail"] == DRAFT_REASON


def test_it_shows_the_rss_leader_their_own_countys_draft(rss_skane: Any) -> None:
    version = _skane_rss()
    page = client_for(rss_skane).get(f"/rapporter/{version.pk}/")
    assert page.status_code == 200 and "Förhandsvisning" in page.content.decode()
    # The one open step (submit) is shown with the reason the RSS leader may not take it.
    assert "Inlämning registreras av SKR:s samordnare eller behöriga företrädare." in page.content.decode()
    assert client_for(rss_skane).get(f"/rapporter/{version.pk}/fil/md/").status_code == 200
    assert client_for(rss_skane).get(f"/api/v1/reports/{version.pk}").json()["county"] == "12"


def test_it_sends_an_anonymous_visitor_to_log_in_for_a_draft_and_shows_a_submitted_version() -> None:
    draft = _skane_rss()
    for url in (f"/rapporter/{draft.pk}/", f"/rapporter/{draft.pk}/fil/md/"):
        response = Client().get(url)
        assert response.status_code == 302 and f"next={url}" in response["Location"].replace("%2F", "/")
    submitted = ReportVersionFactory(kind=ReportKind.RSS, county_code="12", state=ReportState.SUBMITTED)
    ReportFile.objects.create(version=submitted, format="md", content=b"# x", sha256="1" * 64, size=3)
    assert Client().get(f"/rapporter/{submitted.pk}/").status_code == 200
    assert Client().get(f"/rapporter/{submitted.pk}/fil/md/")["X-Content-SHA256"] == "1" * 64
    assert Client().get(f"/api/v1/reports/{submitted.pk}").status_code == 401


def test_it_answers_an_unknown_version_or_format_with_the_sites_404(coordinator: Any) -> None:
    client = client_for(coordinator)
    for url in ("/rapporter/999999/", "/rapporter/99999999999999999999/", "/rapporter/999999/fil/md/"):
        response = client.get(url)
        assert response.status_code == 404 and "Rapportversionen finns inte." in assert_refused(response), url
    version = _skane_rss()
    response = client.get(f"/rapporter/{version.pk}/fil/exe/")
    assert response.status_code == 404 and "Formatet finns inte" in assert_refused(response)
    api = client.get("/api/v1/reports/999999")
    assert api.status_code == 404 and api.json()["detail"] == "Rapportversionen finns inte."


@pytest.mark.parametrize("pk", ["abc", "-1", "0", "99999999999999999999", "\x00", "٣"])
def test_it_finds_no_version_for_an_id_that_is_not_one(pk: str, coordinator: Any) -> None:
    with pytest.raises(NotFound):
        report_version_for_user(actor=coordinator, pk=pk)


def test_it_gives_the_open_step_with_each_personas_verdict(
    coordinator: Any, certifier: Any, signatory: Any, rss_skane: Any
) -> None:
    draft = ReportVersionFactory(kind=ReportKind.FINANCIAL)
    assert report_version_for_user(actor=certifier, pk=draft.pk)[1] == {
        Step.CERTIFY: check(certifier, "report.certify", draft)
    }
    verdict = report_version_for_user(actor=coordinator, pk=draft.pk)[1][Step.CERTIFY]
    assert not verdict and verdict.reason == "Den ekonomiska redovisningen intygas av ekonomichefen."
    signed = ReportVersionFactory(kind=ReportKind.RESULT, state=ReportState.SIGNED)
    assert list(report_version_for_user(actor=signatory, pk=signed.pk)[1]) == [Step.SUBMIT]
    with pytest.raises(PermissionDenied, match="RSS-ledare ser sitt eget läns"):
        report_version_for_user(actor=rss_skane, pk=draft.pk)
    with pytest.raises(PermissionDenied, match="Logga in"):
        report_version_for_user(actor=AnonymousUser(), pk=draft.pk)
    assert report_version_for_user(actor=WORKER, pk=draft.pk)[1] == {
        Step.CERTIFY: check(WORKER, "report.certify", draft)
    }


def test_it_lists_exactly_the_versions_the_access_helper_lets_each_persona_open(
    request: pytest.FixtureRequest,
) -> None:
    versions = every_version()
    actors = {name: request.getfixturevalue(name) for name in PERSONAS} | {"anonymous": AnonymousUser()}
    for name, actor in actors.items():
        listed = {v.pk for v in version_list(user=actor)}
        for version in versions:
            try:
                report_version_for_user(actor=actor, pk=version.pk)
                opens = True
            except PermissionDenied:
                opens = False
            assert opens == (version.pk in listed), (name, version.kind, version.county_code, version.state)


def test_it_offers_the_version_pages_form_for_the_open_step_only(signatory: Any) -> None:
    certified = ReportVersionFactory(kind=ReportKind.FINANCIAL, state=ReportState.CERTIFIED)
    html = client_for(signatory).get(f"/rapporter/{certified.pk}/").content.decode()
    assert f"/rapporter/{certified.pk}/sign/" in html
    assert (
        f"/rapporter/{certified.pk}/certify/" not in html and f"/rapporter/{certified.pk}/submit/" not in html
    )
