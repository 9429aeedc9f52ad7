"""Results (issue 11): outputs by sex corrected and removed with their change history,
evaluations, the half-yearly status report (draft → submitted, fed to the report document) and
the steering group's members. Services, web and API: the happy path, the wrong role with the
reason, another county, bad input named by field with nothing stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans.models import (
    Activity,
    Evaluation,
    Output,
    StatusReport,
    StatusReportState,
    SteeringGroupMember,
)
from jamkoll.plans.services import (
    evaluation_create,
    evaluation_delete,
    evaluation_update,
    output_create,
    output_delete,
    output_update,
    status_report_create,
    status_report_item_set,
    status_report_submit,
    status_report_update,
    steering_group_member_create,
    steering_group_member_delete,
    steering_group_member_update,
)
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for
from tests.hostile import assert_refused, nothing_stored

from .factories import SLUG, ActivityFactory

pytestmark = pytest.mark.django_db

ACTIVITY_REASON = "Du kan bara ändra aktiviteter i ditt eget län."
EVALUATION_REASON = "Utvärderingar registreras av SKR:s samordnare."
STATUS_REASON = "Halvårsrapporten skrivs av SKR:s samordnare."
STEERING_REASON = "Styrgruppens ledamöter registreras av SKR:s samordnare."
SUBMITTED = "Halvårsrapporten är inlämnad och kan inte ändras."
SEEDED_ACTIVITY = "2018-4-1-jonkoping-chefsnatverk"


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method.upper(), url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def decision() -> Any:
    return decision_get(slug=SLUG)


@pytest.fixture
def skane_activity() -> Activity:
    return ActivityFactory(county="12")


@pytest.fixture
def output(skane_activity: Activity) -> Output:
    return output_create(
        activity=skane_activity,
        actor=SEED_LOADER,
        label="Deltagare",
        unit="personer",
        total=10,
        women=6,
        men=3,
        other=1,
    )


def _output_web(output: Output) -> str:
    a = output.activity
    return f"/planer/{SLUG}/{a.year}/aktivitet/{a.code}/resultat/{output.pk}/"


def _output_api(output: Output) -> str:
    a = output.activity
    return f"/api/v1/plans/{SLUG}/{a.year}/activities/{a.code}/outputs/{output.pk}"


def _output_form(**changes: str) -> dict[str, str]:
    data = {"label": "Deltagare", "unit": "personer", "total": "12", "women": "7", "men": "4", "other": "1"}
    return {**data, "note": "", **changes}


# --- outputs: corrected and removed, with their history ----------------------------------------


def test_it_corrects_and_removes_an_output_with_its_history(rss_skane: Any, output: Output) -> None:
    corrected = output_update(output=output, total=12, women=7, men=4, actor=rss_skane)
    assert (corrected.total, corrected.women, corrected.men, corrected.other) == (12, 7, 4, 1)
    record = corrected.history.first()
    assert (record.history_type, record.history_user) == ("~", rss_skane)
    assert output_update(output=corrected, total=12, actor=rss_skane).history.count() == 2  # no change
    output_delete(output=corrected, actor=rss_skane)
    assert not Output.objects.filter(pk=output.pk).exists()
    removed = Output.history.filter(id=output.pk).order_by("-history_date").first()
    assert (removed.history_type, removed.history_user, removed.total) == ("-", rss_skane, 12)


def test_the_breakdown_must_add_up_and_nothing_is_stored(rss_skane: Any, output: Output) -> None:
    with nothing_stored():
        with pytest.raises(ValidationError) as refused:
            output_update(output=output, women=9, actor=rss_skane)
        assert "stämmer inte med totalt 10" in refused.value.message_dict["total"][0]
        with pytest.raises(ValidationError) as partial:
            output_update(output=output, men=None, actor=rss_skane)
        assert "men" in partial.value.message_dict
        with pytest.raises(ValidationError) as bad:
            output_update(output=output, total=-1, label="", unit="x" * 61, actor=rss_skane)
        assert set(bad.value.message_dict) == {"total", "label", "unit"}
        with pytest.raises(ValidationError) as unknown:
            output_update(output=output, colour="blå", actor=rss_skane)
        assert unknown.value.code == "unknown_field"
        with pytest.raises(ValidationError, match="Ett resultat räknar minst 1"):
            output_update(output=output, total=0, women=None, men=None, other=None, actor=rss_skane)
        with pytest.raises(ValidationError, match="Ett resultat räknar minst 1"):
            output_create(activity=output.activity, label="Inga", unit="st", total=0, actor=rss_skane)
    assert Output.objects.get(pk=output.pk).women == 6
    cleared = output_update(output=output, women=None, men=None, other=None, actor=rss_skane)
    assert not cleared.has_breakdown


@pytest.mark.parametrize("persona_name", ["rss_norrbotten", "ministry", "treasury"])
def test_it_refuses_another_county_or_role_with_the_reason(
    persona_name: str, request: pytest.FixtureRequest, output: Output
) -> None:
    user = request.getfixturevalue(persona_name)
    client = client_for(user)
    with nothing_stored():
        with pytest.raises(PermissionDenied, match=ACTIVITY_REASON):
            output_update(output=output, total=11, women=None, men=None, other=None, actor=user)
        with pytest.raises(PermissionDenied, match=ACTIVITY_REASON):
            output_delete(output=output, actor=user)
        page = client.get(_output_web(output))
        assert page.status_code == 200 and ACTIVITY_REASON in page.content.decode()
        for url, data in ((_output_web(output), _output_form()), (f"{_output_web(output)}ta-bort/", {})):
            refused = client.post(url, data)
            assert refused.status_code == 403 and ACTIVITY_REASON in assert_refused(refused)
        for method, body in (("patch", {"total": 11}), ("delete", None)):
            refused = _send(client, method, _output_api(output), body)
            assert refused.status_code == 403 and refused.json()["detail"] == ACTIVITY_REASON


def test_the_activity_page_edits_removes_and_shows_the_history(rss_skane: Any, output: Output) -> None:
    client = client_for(rss_skane)
    activity_url = f"/planer/{SLUG}/2018/aktivitet/{output.activity.code}/"
    page = client.get(activity_url).content.decode()
    assert f'href="{_output_web(output)}"' in page and f'action="{_output_web(output)}ta-bort/"' in page
    edited = client.post(_output_web(output), _output_form())
    assert edited.status_code == 302 and edited["Location"] == activity_url
    assert Output.objects.get(pk=output.pk).total == 12
    removed = client.post(f"{_output_web(output)}ta-bort/")
    assert removed.status_code == 302 and not Output.objects.filter(pk=output.pk).exists()
    history = client.get(activity_url).content.decode()
    assert "Tog bort – resultat: Deltagare: 12 personer" in history
    assert "totalt: 10 → 12" in history and "sara-skane" in history


def test_the_output_page_names_the_bad_field_and_stores_nothing(rss_skane: Any, output: Output) -> None:
    client = client_for(rss_skane)
    with nothing_stored():
        for changes, field in (
            ({"women": "9"}, "total"),
            ({"total": "-1"}, "total"),
            ({"total": "0", "women": "", "men": "", "other": ""}, "total"),
            ({"label": "a\x00b"}, "label"),
            ({"unit": "x" * 61}, "unit"),
            ({"men": ""}, "men"),
        ):
            refused = client.post(_output_web(output), _output_form(**changes))
            assert refused.status_code == 400, changes
            assert f'id="id_{field}_error"' in assert_refused(refused), changes
    assert client.get(_output_web(output).replace(str(output.pk), "999999")).status_code == 404


def test_the_api_corrects_and_removes_an_output(rss_skane: Any, output: Output) -> None:
    client = client_for(rss_skane)
    shown = client.get(f"/api/v1/plans/{SLUG}/2018/activities/{output.activity.code}").json()
    assert shown["outputs"][0]["id"] == output.pk
    patched = _send(client, "patch", _output_api(output), {"total": 12, "women": 7, "men": 4})
    assert patched.status_code == 200 and patched.json()["total"] == 12
    with nothing_stored():
        bad = _send(client, "patch", _output_api(output), {"women": 1})
        assert bad.status_code == 422 and "total" in bad.json()["errors"]
        hostile = _send(client, "patch", _output_api(output), {"total": -5, "note": "a\x00b"})
        assert hostile.status_code == 422 and {"total", "note"} <= set(hostile.json()["errors"])
    assert _send(client, "delete", _output_api(output)).status_code == 204
    assert _send(client, "delete", _output_api(output)).status_code == 404
    assert Output.history.filter(id=output.pk, history_type="-").exists()
    assert _send(Client(), "delete", _output_api(output)).status_code == 401


# --- evaluations --------------------------------------------------------------------------------


def test_the_coordinator_records_an_evaluation(coordinator: Any, decision: Any) -> None:
    evaluation = evaluation_create(
        decision=decision,
        year=2018,
        title="Utvärdering av RSS",
        findings="Länen har kommit igång.",
        recommendations="Fortsätt med nätverken.",
        activities=[SEEDED_ACTIVITY],
        actor=coordinator,
    )
    assert [a.code for a in evaluation.activities.all()] == [SEEDED_ACTIVITY]
    changed = evaluation_update(
        evaluation=evaluation, findings="Ny iakttagelse.", activities=[], actor=coordinator
    )
    assert changed.findings == "Ny iakttagelse." and not changed.activities.exists()
    assert changed.history.first().history_user == coordinator
    evaluation_delete(evaluation=changed, actor=coordinator)
    assert not Evaluation.objects.filter(pk=evaluation.pk).exists()


@pytest.mark.parametrize("persona_name", ["rss_skane", "ministry", "certifier"])
def test_only_the_coordinator_records_evaluations(
    persona_name: str, request: pytest.FixtureRequest, decision: Any
) -> None:
    user = request.getfixturevalue(persona_name)
    client = client_for(user)
    existing = Evaluation.objects.get(decision=decision, year=2018)
    with nothing_stored():
        with pytest.raises(PermissionDenied, match=EVALUATION_REASON):
            evaluation_create(decision=decision, year=2018, title="X", actor=user)
        page = client.get(f"/planer/{SLUG}/2018/utvarderingar/").content.decode()
        assert EVALUATION_REASON in page and 'name="findings"' not in page
        for url in (
            f"/planer/{SLUG}/2018/utvarderingar/",
            f"/planer/{SLUG}/2018/utvarderingar/{existing.pk}/",
        ):
            refused = client.post(url, {"title": "Kapad"})
            assert refused.status_code == 403 and EVALUATION_REASON in assert_refused(refused)
        api = f"/api/v1/plans/{SLUG}/2018/evaluations"
        for method, url, body in (
            ("post", api, {"title": "Kapad"}),
            ("patch", f"{api}/{existing.pk}", {"title": "Kapad"}),
            ("delete", f"{api}/{existing.pk}", None),
        ):
            refused = _send(client, method, url, body)
            assert refused.status_code == 403 and refused.json()["detail"] == EVALUATION_REASON


def test_evaluations_in_the_web_and_the_api(coordinator: Any, decision: Any) -> None:
    client = client_for(coordinator)
    plan_page = client.get(f"/planer/{SLUG}/2018/").content.decode()
    assert f'href="/planer/{SLUG}/2018/utvarderingar/"' in plan_page
    url = f"/planer/{SLUG}/2018/utvarderingar/"
    form = {
        "title": "Ny utvärdering",
        "method": "Intervjuer",
        "findings": "Bra.",
        "activities": [SEEDED_ACTIVITY],
    }
    assert client.post(url, form).status_code == 302
    created = Evaluation.objects.get(decision=decision, year=2018, title="Ny utvärdering")
    assert [a.code for a in created.activities.all()] == [SEEDED_ACTIVITY]
    with nothing_stored():
        twice = client.post(url, form)
        assert twice.status_code == 400 and 'id="id_title_error"' in assert_refused(twice)
        hostile = client.post(url, {**form, "title": "Annan", "activities": ["finns-inte"]})
        assert hostile.status_code == 400 and 'id="id_activities_error"' in assert_refused(hostile)
    edited = client.post(f"{url}{created.pk}/", {**form, "recommendations": "Mer av samma."})
    assert edited.status_code == 302
    assert Evaluation.objects.get(pk=created.pk).recommendations == "Mer av samma."
    assert client.post(f"{url}{created.pk}/ta-bort/").status_code == 302
    api = f"/api/v1/plans/{SLUG}/2019/evaluations"
    added = _send(client, "post", api, {"title": "API-utvärdering", "findings": "Fynd."})
    assert added.status_code == 201, added.content
    pk = added.json()["id"]
    with nothing_stored():
        bad = _send(client, "post", api, {"title": "Y", "activities": [SEEDED_ACTIVITY]})  # a 2018 activity
        assert bad.status_code == 422 and "activities" in bad.json()["errors"]
        outside = _send(client, "post", f"/api/v1/plans/{SLUG}/2021/evaluations", {"title": "Z"})
        assert outside.status_code == 404
    patched = _send(client, "patch", f"{api}/{pk}", {"recommendations": "Rek."})
    assert patched.status_code == 200 and patched.json()["recommendations"] == "Rek."
    assert [e["id"] for e in client.get(api).json()] == [pk]
    assert _send(client, "delete", f"{api}/{pk}").status_code == 204


# --- the half-yearly status report -------------------------------------------------------------


def test_the_coordinator_writes_and_submits_a_status_report(coordinator: Any, decision: Any) -> None:
    report = status_report_create(
        decision=decision, period_start=dt.date(2019, 7, 1), summary="Andra halvåret.", actor=coordinator
    )
    assert (report.period_end, report.state, report.created_by) == (
        dt.date(2019, 12, 31),
        StatusReportState.DRAFT,
        coordinator,
    )
    activity = ActivityFactory(year=2019)
    status_report_item_set(report=report, activity=activity.code, progress="Pågår.", actor=coordinator)
    item = status_report_item_set(
        report=report, activity=activity.code, progress="Klar.", deviation="Sen start.", actor=coordinator
    )
    assert report.items.count() == 1 and item.progress == "Klar."
    report = status_report_update(report=report, risks="Personalbrist.", actor=coordinator)
    report = status_report_submit(report=report, actor=coordinator)
    assert report.state == StatusReportState.SUBMITTED
    with nothing_stored():
        for call in (
            lambda: status_report_update(report=report, summary="Sent", actor=coordinator),
            lambda: status_report_item_set(
                report=report, activity=activity.code, progress="X", actor=coordinator
            ),
            lambda: status_report_submit(report=report, actor=coordinator),
        ):
            with pytest.raises(ValidationError, match=SUBMITTED):
                call()
    # The report document reads what was written.
    from jamkoll.reports.assemblers import status_report

    document = status_report(decision=decision, year=2019, period_start=dt.date(2019, 7, 1))
    text = repr(document)
    assert "Andra halvåret." in text and "Klar." in text and "Personalbrist." in text


def test_status_report_dates_lie_within_the_decision(coordinator: Any, decision: Any) -> None:
    with nothing_stored():
        for start, message in (
            (dt.date(2019, 3, 1), "1 januari eller 1 juli"),
            (dt.date(2021, 1, 1), "beslutets period 2018–2020"),
            (dt.date(2017, 7, 1), "beslutets period 2018–2020"),
            (None, "Ange ett datum"),
        ):
            with pytest.raises(ValidationError) as refused:
                status_report_create(decision=decision, period_start=start, actor=coordinator)
            assert message in refused.value.message_dict["period_start"][0]
    report = status_report_create(decision=decision, period_start=dt.date(2020, 1, 1), actor=coordinator)
    with nothing_stored():
        with pytest.raises(ValidationError) as twice:
            status_report_create(decision=decision, period_start=dt.date(2020, 1, 1), actor=coordinator)
        assert "period_start" in twice.value.message_dict
        with pytest.raises(ValidationError) as other_year:
            status_report_item_set(report=report, activity=SEEDED_ACTIVITY, progress="X", actor=coordinator)
        assert "Ingen aktivitet" in other_year.value.message_dict["activity"][0]
        with pytest.raises(ValidationError) as empty:
            status_report_submit(report=report, actor=coordinator)
        assert "summary" in empty.value.message_dict


@pytest.mark.parametrize("persona_name", ["rss_skane", "ministry", "signatory"])
def test_only_the_coordinator_writes_the_status_report(
    persona_name: str, request: pytest.FixtureRequest, decision: Any, coordinator: Any
) -> None:
    user = request.getfixturevalue(persona_name)
    client = client_for(user)
    draft = status_report_create(decision=decision, period_start=dt.date(2019, 1, 1), actor=coordinator)
    with nothing_stored():
        with pytest.raises(PermissionDenied, match=STATUS_REASON):
            status_report_create(decision=decision, period_start=dt.date(2019, 7, 1), actor=user)
        with pytest.raises(PermissionDenied, match=STATUS_REASON):
            status_report_update(report=draft, summary="X", actor=user)
        refused = client.post(f"/planer/{SLUG}/halvarsrapporter/", {"period_start": "2019-07-01"})
        assert refused.status_code == 403 and STATUS_REASON in assert_refused(refused)
        refused = _send(
            client, "post", f"/api/v1/plans/{SLUG}/status-reports", {"period_start": "2019-07-01"}
        )
        assert refused.status_code == 403 and refused.json()["detail"] == STATUS_REASON
        page = client.get(f"/planer/{SLUG}/halvarsrapporter/").content.decode()
        assert STATUS_REASON in page


def test_the_status_report_in_the_web(coordinator: Any, rss_skane: Any) -> None:
    client = client_for(coordinator)
    assert f'href="/planer/{SLUG}/halvarsrapporter/"' in client.get(f"/planer/{SLUG}/2019/").content.decode()
    with nothing_stored():
        bad = client.post(f"/planer/{SLUG}/halvarsrapporter/", {"period_start": "2021-01-01"})
        assert bad.status_code == 400 and 'id="id_period_start_error"' in assert_refused(bad)
    created = client.post(f"/planer/{SLUG}/halvarsrapporter/", {"period_start": "2019-01-01", "summary": ""})
    url = f"/planer/{SLUG}/halvarsrapporter/2019-01-01/"
    assert created.status_code == 302 and created["Location"] == url
    activity = ActivityFactory(year=2019)
    assert client.post(f"{url}rad/", {"activity": activity.code, "progress": "Igång."}).status_code == 302
    with nothing_stored():
        empty = client.post(f"{url}lamna-in/")
        assert empty.status_code == 400 and "Skriv en sammanfattning" in assert_refused(empty)
        bad_row = client.post(f"{url}rad/", {"activity": activity.code, "progress": ""})
        assert bad_row.status_code == 400 and 'id="id_progress_error"' in assert_refused(bad_row)
    texts = {"summary": "Första halvåret 2019.", "deviations": "", "risks": "Inga."}
    assert client.post(url, texts).status_code == 302
    page = client.get(url).content.decode()
    assert "Igång." in page and "Lämna in halvårsrapporten" in page
    # The form makes the text final; the document under Rapporter is what closes the obligation.
    assert "stängs åtagandet för halvåret" in page and 'href="/rapporter/"' in page
    # The RSS leader does not see the draft; the reason says who does.
    hidden = client_for(rss_skane).get(url)
    assert hidden.status_code == 403 and "Utkast till halvårsrapporter" in assert_refused(hidden)
    assert client.post(f"{url}lamna-in/").status_code == 302
    report = StatusReport.objects.get(decision__slug=SLUG, period_start=dt.date(2019, 1, 1))
    assert report.state == StatusReportState.SUBMITTED and report.items.count() == 1
    submitted = client.get(url).content.decode()
    assert SUBMITTED in submitted and "Lämna in halvårsrapporten" not in submitted
    with nothing_stored():
        refused = client.post(url, {**texts, "summary": "Sent"})
        assert refused.status_code == 400 and SUBMITTED in assert_refused(refused)
    assert client_for(rss_skane).get(url).status_code == 200  # submitted: seen by every role


def test_the_status_report_in_the_api(coordinator: Any) -> None:
    client = client_for(coordinator)
    api = f"/api/v1/plans/{SLUG}/status-reports"
    created = _send(client, "post", api, {"period_start": "2019-07-01", "summary": "Andra halvåret."})
    assert created.status_code == 201, created.content
    assert created.json()["period_end"] == "2019-12-31" and created.json()["state"] == "draft"
    activity = ActivityFactory(year=2019)
    with nothing_stored():
        bad = _send(
            client,
            "patch",
            f"{api}/2019-07-01",
            {
                "risks": "Ny risk",
                "items": [{"activity": "finns-inte", "progress": "X"}],
                "state": "submitted",
            },
        )
        assert bad.status_code == 422 and "activity" in bad.json()["errors"]
        outside = _send(client, "post", api, {"period_start": "2023-01-01"})
        assert outside.status_code == 422 and "period_start" in outside.json()["errors"]
        unknown = _send(client, "patch", f"{api}/2019-07-01", {"state": "draft"})
        assert unknown.status_code == 422 and "state" in unknown.json()["errors"]
    assert StatusReport.objects.get(period_start=dt.date(2019, 7, 1)).risks == ""  # all or nothing
    patched = _send(
        client,
        "patch",
        f"{api}/2019-07-01",
        {
            "risks": "Ny risk",
            "items": [{"activity": activity.code, "progress": "Klar."}],
            "state": "submitted",
        },
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["state"] == "submitted" and body["risks"] == "Ny risk"
    assert body["items"] == [
        {"activity": activity.code, "title": activity.title, "progress": "Klar.", "deviation": ""}
    ]
    again = _send(client, "patch", f"{api}/2019-07-01", {"summary": "Sent"})
    assert again.status_code == 422 and again.json()["detail"] == SUBMITTED
    assert client.get(f"{api}/2019-07-01").json()["summary"] == "Andra halvåret."
    assert client.get(f"{api}/2019-01-01").status_code == 404


# --- the steering group -------------------------------------------------------------------------


def test_the_coordinator_records_the_steering_group(coordinator: Any, decision: Any) -> None:
    member = steering_group_member_create(
        decision=decision,
        name="Anna Andersson",
        title="Avdelningschef",
        department="Avdelningen för vård och omsorg",
        period_start=dt.date(2018, 1, 1),
        actor=coordinator,
    )
    assert member.group.decision == decision and "fyra olika avdelningar" in member.group.description
    changed = steering_group_member_update(member=member, period_end=dt.date(2019, 6, 30), actor=coordinator)
    assert changed.period_end == dt.date(2019, 6, 30) and changed.history.first().history_user == coordinator
    with nothing_stored():
        with pytest.raises(ValidationError) as ordered:
            steering_group_member_update(member=changed, period_start=dt.date(2019, 7, 1), actor=coordinator)
        assert "period_end" in ordered.value.message_dict
        with pytest.raises(ValidationError) as outside:
            steering_group_member_create(
                decision=decision,
                name="B",
                title="C",
                department="D",
                period_start=dt.date(2021, 2, 1),
                actor=coordinator,
            )
        assert "2018-01-01–2020-12-31" in outside.value.message_dict["period_start"][0]
        with pytest.raises(ValidationError) as empty:
            steering_group_member_create(
                decision=decision, name="", title="x" * 201, department="D", actor=coordinator
            )
        assert set(empty.value.message_dict) == {"name", "title"}
    steering_group_member_delete(member=changed, actor=coordinator)
    assert not SteeringGroupMember.objects.exists()


@pytest.mark.parametrize("persona_name", ["rss_skane", "ministry"])
def test_only_the_coordinator_records_the_steering_group(
    persona_name: str, request: pytest.FixtureRequest, decision: Any, coordinator: Any
) -> None:
    user = request.getfixturevalue(persona_name)
    client = client_for(user)
    member = steering_group_member_create(
        decision=decision, name="A", title="B", department="C", actor=coordinator
    )
    with nothing_stored():
        with pytest.raises(PermissionDenied, match=STEERING_REASON):
            steering_group_member_delete(member=member, actor=user)
        page = client.get(f"/planer/{SLUG}/styrgrupp/").content.decode()
        assert STEERING_REASON in page and 'name="department"' not in page
        for url in (f"/planer/{SLUG}/styrgrupp/", f"/planer/{SLUG}/styrgrupp/{member.pk}/ta-bort/"):
            refused = client.post(url, {"name": "X", "title": "Y", "department": "Z"})
            assert refused.status_code == 403 and STEERING_REASON in assert_refused(refused)
        refused = _send(client, "delete", f"/api/v1/plans/{SLUG}/steering-group/members/{member.pk}")
        assert refused.status_code == 403 and refused.json()["detail"] == STEERING_REASON


def test_the_steering_group_in_the_web_and_the_api(coordinator: Any) -> None:
    client = client_for(coordinator)
    url = f"/planer/{SLUG}/styrgrupp/"
    assert f'href="{url}"' in client.get(f"/planer/{SLUG}/2018/").content.decode()
    form = {
        "name": "Anna Andersson",
        "title": "Avdelningschef",
        "department": "Ekonomi",
        "period_start": "2018-01-01",
    }
    assert client.post(url, form).status_code == 302
    member = SteeringGroupMember.objects.get(name="Anna Andersson")
    with nothing_stored():
        bad = client.post(url, {**form, "period_end": "2017-01-01"})
        assert bad.status_code == 400 and 'id="id_period_end_error"' in assert_refused(bad)
        hostile = client.post(url, {**form, "name": "a\x00b"})
        assert hostile.status_code == 400 and 'id="id_name_error"' in assert_refused(hostile)
    assert client.post(f"{url}{member.pk}/", {**form, "title": "Sektionschef"}).status_code == 302
    assert "Sektionschef" in client.get(url).content.decode()
    api = f"/api/v1/plans/{SLUG}/steering-group"
    added = _send(client, "post", f"{api}/members", {"name": "Bo", "title": "Chef", "department": "Juridik"})
    assert added.status_code == 201, added.content
    pk = added.json()["id"]
    with nothing_stored():
        bad = _send(client, "post", f"{api}/members", {"name": "Bo", "title": "Chef", "department": ""})
        assert bad.status_code == 422 and "department" in bad.json()["errors"]
    patched = _send(client, "patch", f"{api}/members/{pk}", {"period_end": "2020-12-31"})
    assert patched.status_code == 200 and patched.json()["period_end"] == "2020-12-31"
    assert [m["name"] for m in client.get(api).json()["members"]] == ["Anna Andersson", "Bo"]
    assert _send(client, "delete", f"{api}/members/{pk}").status_code == 204
    assert client.post(f"{url}{member.pk}/ta-bort/").status_code == 302
    assert not SteeringGroupMember.objects.exists()
