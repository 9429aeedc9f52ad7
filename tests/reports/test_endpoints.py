"""Every write endpoint of the reports, in the web and the API: generate (the archive page), the
three workflow steps (certify, sign, submit) and the API's jobs. Each requires a login, refuses
the wrong method, refuses another county's report with the policy's reason, says why it refuses,
and refuses every hostile value of every field with a 4xx and a reason, storing nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from jamkoll.reports.models import ReportJob, ReportKind, ReportState, ReportVersion
from tests.conftest import client_for
from tests.hostile import HOSTILE_DATES, HOSTILE_INTS, HOSTILE_TEXT, assert_refused, nothing_stored

from .factories import ReportVersionFactory

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
JOBS = "/api/v1/reports/jobs"
GENERATE_REASON = "RSS-ledare skapar sitt läns rapport"
DRAFT_REASON = "en RSS-ledare ser sitt eget läns länsrapport"
# A form cannot carry a lone surrogate (a browser sends U+FFFD, the test client cannot encode it);
# the API's JSON can, and gets it.
FORM_TEXT = [v for v in HOSTILE_TEXT if v != "\ud800"]
FUTURE = "2099-12-31"

# A valid form per step, and the hostile values of each of its fields.
STEP_DATA = {
    "certify": {"on": "2019-03-27", "deviations": "", "proposed_actions": ""},
    "sign": {"on": "2019-03-28", "place": "Stockholm"},
    "submit": {"on": "2019-03-29", "receipt_reference": "KAMK 2019/77"},
}
# The version each step is open on, and who takes it.
STEP_VERSION = {
    "certify": {"kind": ReportKind.FINANCIAL, "state": ReportState.DRAFT},
    "sign": {"kind": ReportKind.FINANCIAL, "state": ReportState.CERTIFIED},
    "submit": {"kind": ReportKind.STATUS, "state": ReportState.DRAFT},
}
STEP_ACTOR = {"certify": "certifier", "sign": "signatory", "submit": "coordinator"}
STEP_REFUSAL = {
    "certify": "Den ekonomiska redovisningen intygas av ekonomichefen.",
    "sign": "Rapporter undertecknas av en behörig företrädare för SKR.",
    "submit": "Inlämning registreras av SKR:s samordnare eller behöriga företrädare.",
}


def _hostile_walk(data: dict[str, str], fields: dict[str, list[str]]) -> list[tuple[str, dict[str, str]]]:
    """For every field, every hostile value in an otherwise valid form."""
    return [
        (f"{field}={value[:20]!r}", {**data, field: value})
        for field, values in fields.items()
        for value in values
    ]


def _step_fields(step: str) -> dict[str, list[str]]:
    return {field: [*HOSTILE_DATES, FUTURE] if field == "on" else FORM_TEXT for field in STEP_DATA[step]}


# --- Generate (the archive page) ----------------------------------------------------------------


def test_it_sends_an_anonymous_generator_to_log_in() -> None:
    with nothing_stored():
        response = Client().post("/rapporter/", {"kind": "result", "decision": SLUG, "year": "2018"})
    assert response.status_code == 302 and "next=/rapporter/" in response["Location"]


def test_it_refuses_the_wrong_method_on_generate(coordinator: Any) -> None:
    for method in ("put", "delete", "patch"):
        assert getattr(client_for(coordinator), method)("/rapporter/").status_code == 405


def test_it_refuses_to_generate_another_countys_report_with_the_reason(rss_norrbotten: Any) -> None:
    with nothing_stored():
        response = client_for(rss_norrbotten).post(
            "/rapporter/", {"kind": "rss", "decision": SLUG, "year": "2018", "county": "12"}
        )
    assert response.status_code == 403
    assert GENERATE_REASON in assert_refused(response)
    assert 'class="refusal-reason"' in response.content.decode()


def test_it_refuses_a_role_that_generates_nothing_with_the_reason(treasury: Any) -> None:
    page = client_for(treasury).get("/rapporter/")
    assert page.status_code == 200 and GENERATE_REASON in page.content.decode()
    with nothing_stored():
        response = client_for(treasury).post(
            "/rapporter/", {"kind": "result", "decision": SLUG, "year": "2018"}
        )
    assert response.status_code == 403 and GENERATE_REASON in assert_refused(response)


def test_it_lets_an_rss_leader_generate_their_own_county(rss_skane: Any) -> None:
    response = client_for(rss_skane).post(
        "/rapporter/", {"kind": "rss", "decision": SLUG, "year": "2018", "county": "12"}
    )
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert (job.kind, job.county.code if job.county else None, job.requested_by) == ("rss", "12", rss_skane)


def test_the_form_offers_an_rss_leader_only_their_own_countys_report(
    rss_skane: Any, coordinator: Any
) -> None:
    """It offered every kind of report and all 21 counties, and most choices were then refused."""
    import re

    def options(page: str, name: str) -> list[str]:
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select is not None, name
        return re.findall(r'<option value="([^"]*)"', select.group(1))

    mine = client_for(rss_skane).get("/rapporter/").content.decode()
    assert options(mine, "kind") == ["rss"] and options(mine, "county") == ["12"]
    assert 'name="period_start"' not in mine  # the half-year's first day: not a county report's
    everything = client_for(coordinator).get("/rapporter/").content.decode()
    assert "result" in options(everything, "kind") and len(options(everything, "county")) == 22  # "—" and 21
    with nothing_stored():  # another county, sent all the same: the policy's refusal, with its reason
        refused = client_for(rss_skane).post(
            "/rapporter/", {"kind": "rss", "decision": SLUG, "year": "2018", "county": "25"}
        )
    assert refused.status_code == 403 and GENERATE_REASON in assert_refused(refused)


def test_it_puts_the_services_refusals_beside_the_generate_forms_fields(coordinator: Any) -> None:
    client = client_for(coordinator)
    cases = [
        (
            {"kind": "status", "year": "2018", "period_start": "2018-03-01"},
            "Ett halvår börjar 1 januari eller 1 juli.",
        ),
        (
            {"kind": "status", "year": "2019", "period_start": "2018-07-01"},
            "Halvåret ska ligga i rapportens år, 2019.",
        ),
        ({"kind": "result", "year": "2017"}, "Året ligger utanför beslutets period"),
        (
            {"kind": "result", "year": "2018", "period_start": "2018-01-01"},
            "anges bara för halvårsrapporten.",
        ),
        ({"kind": "rss", "year": "2018"}, "Länsrapporten kräver ett län."),
    ]
    with nothing_stored():
        for data, message in cases:
            response = client.post("/rapporter/", {"decision": SLUG, **data})
            assert response.status_code == 400, data
            html = response.content.decode()
            assert message in html and 'class="error-summary" role="alert"' in html, data


def test_it_refuses_every_hostile_value_in_the_generate_form(coordinator: Any) -> None:
    client = client_for(coordinator)
    data = {"kind": "status", "decision": SLUG, "year": "2018", "county": "", "period_start": "2018-07-01"}
    fields = {
        "kind": FORM_TEXT,
        "decision": FORM_TEXT,
        "year": HOSTILE_INTS,
        "county": FORM_TEXT,
        "period_start": HOSTILE_DATES,
    }
    with nothing_stored():
        for where, sent in _hostile_walk(data, fields):
            assert_refused(client.post("/rapporter/", sent), where=where)


# --- The workflow steps: certify, sign, submit ------------------------------------------------


@pytest.mark.parametrize("step", list(STEP_DATA))
def test_it_sends_an_anonymous_step_to_log_in(step: str) -> None:
    version = ReportVersionFactory(**STEP_VERSION[step])
    with nothing_stored():
        response = Client().post(f"/rapporter/{version.pk}/{step}/", STEP_DATA[step])
    assert response.status_code == 302 and "next=" in response["Location"]


@pytest.mark.parametrize("step", list(STEP_DATA))
def test_it_refuses_the_wrong_method_on_a_step(step: str, request: pytest.FixtureRequest) -> None:
    version = ReportVersionFactory(**STEP_VERSION[step])
    client = client_for(request.getfixturevalue(STEP_ACTOR[step]))
    for method in ("get", "put", "delete"):
        assert getattr(client, method)(f"/rapporter/{version.pk}/{step}/").status_code == 405


@pytest.mark.parametrize("step", list(STEP_DATA))
def test_it_refuses_a_step_on_another_countys_report_with_the_reason(step: str, rss_norrbotten: Any) -> None:
    version = ReportVersionFactory(kind=ReportKind.RSS, county_code="12")
    with nothing_stored():
        response = client_for(rss_norrbotten).post(f"/rapporter/{version.pk}/{step}/", STEP_DATA[step])
    assert response.status_code == 403
    assert DRAFT_REASON in assert_refused(response)


@pytest.mark.parametrize("step", list(STEP_DATA))
def test_it_refuses_a_step_to_the_wrong_role_with_the_reason(step: str, rss_skane: Any) -> None:
    version = ReportVersionFactory(kind=ReportKind.RSS, county_code="12")  # sees it, may not act
    with nothing_stored():
        response = client_for(rss_skane).post(f"/rapporter/{version.pk}/{step}/", STEP_DATA[step])
    assert response.status_code == 403
    assert STEP_REFUSAL[step] in assert_refused(response)


@pytest.mark.parametrize("step", list(STEP_DATA))
def test_it_refuses_an_unknown_version_or_step(step: str, coordinator: Any) -> None:
    client = client_for(coordinator)
    assert_refused(client.post(f"/rapporter/999999/{step}/", STEP_DATA[step]))
    version = ReportVersionFactory(**STEP_VERSION[step])
    response = client.post(f"/rapporter/{version.pk}/publish/", STEP_DATA[step])
    assert response.status_code == 404 and "stegen är intyga" in assert_refused(response)


@pytest.mark.parametrize("step", list(STEP_DATA))
def test_it_refuses_every_hostile_value_in_a_step_beside_its_field(
    step: str, request: pytest.FixtureRequest
) -> None:
    version = ReportVersionFactory(**STEP_VERSION[step])
    client = client_for(request.getfixturevalue(STEP_ACTOR[step]))
    with nothing_stored():
        for where, sent in _hostile_walk(STEP_DATA[step], _step_fields(step)):
            response = client.post(f"/rapporter/{version.pk}/{step}/", sent)
            assert response.status_code == 400, where
            html = assert_refused(response, where=where)
            assert 'class="error-summary" role="alert"' in html and "field-error" in html, where


def test_it_shows_a_steps_refusal_on_the_version_page_not_as_a_flash_message(certifier: Any) -> None:
    result = ReportVersionFactory(kind=ReportKind.RESULT)
    with nothing_stored():
        response = client_for(certifier).post(f"/rapporter/{result.pk}/certify/", STEP_DATA["certify"])
    html = response.content.decode()
    assert response.status_code == 400
    assert "bara den ekonomiska redovisningen intygas av ekonomichefen" in html
    assert 'class="error-summary" role="alert"' in html  # a refusal of the whole step: in the summary
    assert "Förhandsvisning" in html  # the version page itself, shown again


def test_it_refuses_a_date_in_the_future_beside_the_date(coordinator: Any) -> None:
    version = ReportVersionFactory(kind=ReportKind.STATUS)
    with nothing_stored():
        response = client_for(coordinator).post(
            f"/rapporter/{version.pk}/submit/", {**STEP_DATA["submit"], "on": FUTURE}
        )
    assert response.status_code == 400
    assert "Datumet får inte ligga i framtiden." in response.content.decode()


# --- The API: jobs -----------------------------------------------------------------------------


def _post(client: Client, payload: dict[str, Any]) -> Any:
    return client.post(JOBS, json.dumps(payload), content_type="application/json")


def test_it_answers_an_anonymous_job_with_401() -> None:
    with nothing_stored():
        response = _post(Client(), {"kind": "result", "decision": SLUG, "year": 2018})
    assert response.status_code == 401 and assert_refused(response)


def test_it_refuses_the_wrong_method_on_jobs(coordinator: Any) -> None:
    client = client_for(coordinator)
    for method in ("get", "put", "delete"):
        assert getattr(client, method)(JOBS).status_code == 405


def test_it_refuses_a_job_for_another_county_with_the_reason(rss_norrbotten: Any) -> None:
    with nothing_stored():
        response = _post(
            client_for(rss_norrbotten), {"kind": "rss", "decision": SLUG, "year": 2018, "county": "12"}
        )
    assert response.status_code == 403
    assert GENERATE_REASON in response.json()["detail"] and response.json()["errors"] == {}


def test_it_refuses_a_job_by_field_in_the_one_error_body(coordinator: Any, rss_skane: Any) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        response = _post(client, {"kind": "rss", "decision": SLUG, "year": 2018})
        assert response.status_code == 422
        assert response.json()["errors"] == {"county": ["Länsrapporten kräver ett län."]}
        response = _post(client, {"kind": "result", "decision": "nope", "year": 2018})
        assert response.status_code == 422 and "okänt beslut" in response.json()["errors"]["decision"][0]
        response = _post(client, {"kind": "result", "decision": SLUG, "year": 2017})
        assert (
            response.status_code == 422 and "utanför beslutets period" in response.json()["errors"]["year"][0]
        )
        response = _post(client, {"kind": "rss", "decision": SLUG, "year": 2018, "county": "99"})
        assert response.status_code == 422 and response.json()["errors"] == {"county": ["Okänt län: 99."]}
        # An RSS leader naming their county does not get SKR's national report.
        response = _post(
            client_for(rss_skane), {"kind": "financial", "decision": SLUG, "year": 2018, "county": "12"}
        )
        assert response.status_code == 422
        assert response.json()["errors"] == {"county": ["Län anges bara för länsrapporten."]}


def test_it_accepts_a_job_and_reports_its_progress(rss_skane: Any, rss_norrbotten: Any) -> None:
    client = client_for(rss_skane)
    response = _post(client, {"kind": "rss", "decision": SLUG, "year": 2018, "county": "12"})
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job_id = response.json()["id"]
    assert client.get(f"{JOBS}/{job_id}").json()["id"] == job_id
    other = client_for(rss_norrbotten).get(f"{JOBS}/{job_id}")
    assert other.status_code == 404 and assert_refused(other)


def test_it_refuses_every_hostile_value_in_a_job(coordinator: Any) -> None:
    client = client_for(coordinator)
    data: dict[str, Any] = {"kind": "status", "decision": SLUG, "year": 2018, "period_start": "2018-07-01"}
    fields: dict[str, list[Any]] = {
        "kind": HOSTILE_TEXT,
        "decision": HOSTILE_TEXT,
        "year": [*HOSTILE_INTS, -10, 0, 10**20, 2018.5, True],
        "county": HOSTILE_TEXT,
        "period_start": HOSTILE_DATES,
    }
    with nothing_stored():
        for field, values in fields.items():
            for value in values:
                where = f"{field}={str(value)[:20]!r}"
                response = _post(client, {**data, field: value})
                assert response.status_code == 422, where
                assert field in response.json()["errors"], (where, response.json())
                assert_refused(response, where=where)


def test_it_refuses_a_body_that_is_not_json(coordinator: Any) -> None:
    with nothing_stored():
        response = client_for(coordinator).post(JOBS, "{nope", content_type="application/json")
    assert_refused(response)


def test_it_lists_no_version_outside_what_the_page_shows(rss_skane: Any) -> None:
    ReportVersionFactory(kind=ReportKind.RSS, county_code="25")
    own = ReportVersionFactory(kind=ReportKind.RSS, county_code="12")
    ids = [v["id"] for v in client_for(rss_skane).get("/api/v1/reports").json()["items"]]
    assert ids == [own.pk]
    assert ReportVersion.objects.count() == 2


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_it_creates_a_job_through_the_api_and_polls_it_to_its_version(coordinator: Any) -> None:
    """Issue 12, finding 12: POST /reports/jobs is the jobs' route, not a version's ("/jobs" is no
    id), answered 202; polling the job gives its progress and, once done, the version it made."""
    client = client_for(coordinator)
    created = _post(client, {"kind": "result", "decision": SLUG, "year": 2018})
    assert created.status_code == 202, created.content
    job_id = created.json()["id"]
    polled = client.get(f"{JOBS}/{job_id}")
    assert polled.status_code == 200
    assert (polled.json()["id"], polled.json()["status"], polled.json()["progress"]) == (job_id, "done", 100)
    version = client.get(f"/api/v1/reports/{polled.json()['result']}")
    assert version.status_code == 200 and version.json()["kind"] == "result"
    assert client.get(f"{JOBS}/not-a-job").status_code == 404  # a job's id is a UUID, never a version's
