"""The application for the next year's money (issue 11, seed 004): the coordinator drafts it from
the decision and its current plan, with the amount applied for and an introduction typed on the
form; it is generated like the other reports, signed by the signatory and submitted, and the
submission closes the decision's "{year}-application" obligation. Only a year the decision
announces may be applied for; only the coordinator drafts it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from jamkoll.money import NBSP
from jamkoll.obligations.models import Obligation, ObligationStatus
from jamkoll.obligations.transitions import obligation_reschedule
from jamkoll.plans.models import Activity, ActivityStatus, PlanStatus, ProjectPlan, SubProject
from jamkoll.programmes.models import FundingDecision, GoalArea
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.assemblers import ApplicationInput, application
from jamkoll.reports.models import ReportJob, ReportState, ReportVersion
from jamkoll.reports.renderers import render
from jamkoll.reports.selectors import application_years, report_obligation
from jamkoll.reports.services import report_generate, report_job_create, report_sign, report_submit
from jamkoll.reports.tasks import generate_report
from tests.conftest import client_for
from tests.hostile import HOSTILE_AMOUNTS, HOSTILE_INTS, HOSTILE_TEXT, assert_refused, nothing_stored

pytestmark = pytest.mark.django_db
GRANT = "hedersrelaterat-2021"
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
PAGE = "/rapporter/ansokan/"
JOBS = "/api/v1/reports/jobs"
REASON = "Ansökan om medel upprättas av SKR:s samordnare."
FORM_TEXT = [v for v in HOSTILE_TEXT if v != "\ud800"]  # a form cannot carry a lone surrogate
SIGNED_ON = dt.date(2021, 10, 15)
SUBMITTED_ON = dt.date(2021, 10, 20)


@pytest.fixture
def grant(db: None) -> FundingDecision:
    return decision_get(slug=GRANT)


def _md(version: ReportVersion) -> str:
    return bytes(version.files.get(format="md").content).decode().replace(NBSP, " ")


def _pdf_text(version: ReportVersion) -> str:
    reader = PdfReader(io.BytesIO(bytes(version.files.get(format="pdf").content)))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages).replace(NBSP, " "))


def _draft(actor: Any, grant: FundingDecision, **kwargs: Any) -> ReportVersion:
    return report_generate(
        actor=actor,
        kind="application",
        decision=grant,
        year=kwargs.pop("year", 2022),
        formats=kwargs.pop("formats", ("md",)),
        **kwargs,
    )


@pytest.fixture
def plan(grant: FundingDecision) -> dict[str, Any]:
    """Test data, not the documents': two goal areas of the 2021 grant and its fixed 2021 plan
    with an ongoing, a planned and a completed activity; and the 2022 grant decision of the same
    programme, whose draft 2022 plan has one new activity and one carried over from 2021."""
    goals = [
        GoalArea.objects.create(
            decision=grant, number=1, title="Hedersrelaterat våld", text="Förebygga hedersrelaterat våld."
        ),
        GoalArea.objects.create(
            decision=grant, number=2, title="Jämställdhetsintegrering", text="Stödja integreringen."
        ),
    ]
    sub = SubProject.objects.create(decision=grant, number=1, name="Hedersprojektet")
    ProjectPlan.objects.create(decision=grant, year=2021, title="Projektplan 2021", status=PlanStatus.FIXED)

    def activity(decision: FundingDecision, year: int, code: str, title: str, status: str, **kw: Any) -> None:
        Activity.objects.create(decision=decision, year=year, code=code, title=title, status=status, **kw)

    common = {"sub_project": sub, "goal_area": goals[0]}
    activity(grant, 2021, "stod-socialtjansten", "Stöd till socialtjänsten", ActivityStatus.ONGOING, **common)
    activity(grant, 2021, "natverk-skola", "Nätverk för skolan", ActivityStatus.PLANNED, **common)
    activity(grant, 2021, "kartlaggning", "Kartläggning 2021", ActivityStatus.COMPLETED, **common)
    later = FundingDecision.objects.create(
        programme=grant.programme,
        slug="hedersrelaterat-2022-test",
        kind="grant",
        title="Testbeslut 2022",
        start_year=2022,
        end_year=2022,
        recipient=grant.recipient,
    )
    later_sub = SubProject.objects.create(decision=later, number=1, name="Hedersprojektet")
    later_goal = GoalArea.objects.create(decision=later, number=1, title="Heder", text="Heder.")
    ProjectPlan.objects.create(decision=later, year=2022, title="Projektplan 2022")
    later_common = {"sub_project": later_sub, "goal_area": later_goal}
    activity(
        later,
        2022,
        "aterfallsprevention",
        "Återfallsförebyggande stöd",
        ActivityStatus.PLANNED,
        **later_common,
    )
    activity(
        later,
        2022,
        "stod-socialtjansten",
        "Stöd till socialtjänsten (2022)",
        ActivityStatus.PLANNED,
        **later_common,
    )
    return {"goals": goals}


# --- What it is made of ----------------------------------------------------------------------


def test_it_drafts_the_application_from_the_decision_and_its_current_plan(
    coordinator: Any, grant: FundingDecision, plan: dict[str, Any]
) -> None:
    draft = _draft(coordinator, grant)
    text = _md(draft)
    assert (draft.kind, draft.year, draft.decision, draft.state) == ("application", 2022, grant, "draft")
    assert text.startswith("# Ansökan om medel för 2022")
    # The goals: the decision's goal areas.
    assert "Målområde 1, Hedersrelaterat våld: Förebygga hedersrelaterat våld." in text
    assert "Målområde 2, Jämställdhetsintegrering" in text
    # The activities: the continuing ones of the latest plan, not the completed one; those already
    # planned for 2022, once (the one carried over is listed with the continuing ones).
    assert "Stöd till socialtjänsten" in text and "Nätverk för skolan" in text
    assert "Kartläggning 2021" not in text
    assert "Återfallsförebyggande stöd" in text and "Stöd till socialtjänsten (2022)" not in text
    assert "Projektplan 2021" in text and "Aktiviteter planerade för 2022" in text
    # The budget: the latest year's table as the basis; no amount typed, none invented.
    assert "**Budget 2021 enligt beslutet**" in text and "| Beviljat för 2021 | 20 000 000 kr |" in text
    assert "| Sökt belopp | ej angivet |" in text and "Sökt belopp för 2022: ej angivet." in text
    # Official: applicant, addressee, previous decision, diary number line, signature block.
    assert "| Sökande | Sveriges Kommuner och Regioner (SKR) |" in text
    assert "| Till | Regeringskansliet, Arbetsmarknadsdepartementet |" in text
    assert "| Tidigare beslut | Regeringens beslut att bevilja Sveriges Kommuner och Regioner" in text
    assert "Diarienummer för beslutet | ej angivet i underlaget" in text
    assert "**För Sveriges Kommuner och Regioner**" in text and "Underskrift: ____" in text
    assert "Utkast" in text and "ej undertecknat" in text


def test_it_prints_the_amount_and_the_introduction_typed(coordinator: Any, grant: FundingDecision) -> None:
    draft = _draft(
        coordinator,
        grant,
        amount_applied="1 500 000,50",
        introduction="SKR vill fortsätta arbetet.\n\n- Socialtjänsten\n- Skolan",
    )
    text = _md(draft)
    assert draft.amount_applied == Decimal("1500000.50") and draft.introduction.startswith("SKR vill")
    assert "| Sökt belopp | 1 500 000,50 kr |" in text
    assert "SKR ansöker om 1 500 000,50 kr för 2022." in text
    assert "SKR vill fortsätta arbetet.\n\n- Socialtjänsten\n- Skolan" in text
    assert "ej angivet\n" not in text.split("## 5. Budget")[1]


def test_it_says_so_where_the_decision_has_no_goal_areas_and_no_plan(
    coordinator: Any, grant: FundingDecision
) -> None:
    text = _md(_draft(coordinator, grant))  # seed 004 states neither
    assert "Beslutet anger inga numrerade målområden" in text
    assert "Ingen projektplan för 2021 är registrerad" in text


def test_the_pdf_has_the_title_and_the_applicants_name_valid_on_its_date(
    coordinator: Any, grant: FundingDecision
) -> None:
    text = _pdf_text(_draft(coordinator, grant, formats=("pdf",)))
    assert "Ansökan om medel för 2022" in text and "Sida 1 av" in text
    assert "Sveriges Kommuner och Regioner" in text and "Landsting" not in text
    assert "Regeringskansliet, Arbetsmarknadsdepartementet" in text


@pytest.mark.parametrize(
    ("on", "name"),
    [
        (dt.date(2019, 11, 26), "Sveriges Kommuner och Landsting"),
        (dt.date(2019, 11, 27), "Sveriges Kommuner och Regioner"),
    ],
)
def test_the_applicant_is_named_as_on_the_applications_date(
    grant: FundingDecision, on: dt.date, name: str
) -> None:
    document = application(decision=grant, year=2022, inputs=ApplicationInput(drafted_on=on))
    assert document.organisation == name
    reader = PdfReader(io.BytesIO(render(document, "pdf")))
    assert name in reader.pages[0].extract_text()


def test_a_signed_application_is_dated_and_named_by_its_signature(
    coordinator: Any, signatory: Any, grant: FundingDecision
) -> None:
    signed = report_sign(actor=signatory, version=_draft(coordinator, grant), on=SIGNED_ON)
    text = _md(signed)
    assert "Stockholm 2021-10-15" in text and "Utkast" not in text
    # The name and title are the signing account's and its organisation's, not typed text.
    assert "- Namnförtydligande: frida-firmatecknare" in text and "- Datum: 2021-10-15" in text
    assert "Behörig företrädare, Sveriges Kommuner och Regioner" in text
    assert (signed.signed_by, signed.signed_by_name) == (signatory, "frida-firmatecknare")


# --- Which year -------------------------------------------------------------------------------


def test_it_knows_the_years_the_decision_announces(grant: FundingDecision) -> None:
    assert application_years(decision=grant) == [2022, 2023]
    assert application_years(decision=decision_get(slug=AGREEMENT)) == []


@pytest.mark.parametrize(
    ("slug", "year", "message"),
    [
        (GRANT, 2024, "Beslutet aviserar ingen ansökan för 2024; ansökan kan göras för 2022, 2023."),
        (GRANT, 2021, "Beslutet aviserar ingen ansökan för 2021; ansökan kan göras för 2022, 2023."),
        (AGREEMENT, 2019, "Beslutet aviserar inga ansökningar om medel för kommande år."),
    ],
)
def test_it_refuses_a_year_the_decision_does_not_announce(
    coordinator: Any, slug: str, year: int, message: str
) -> None:
    with nothing_stored(), pytest.raises(ValidationError) as caught:
        report_job_create(actor=coordinator, kind="application", decision_slug=slug, year=year, enqueue=False)
    assert caught.value.message_dict == {"year": [message]}


def test_the_form_shows_the_refusal_of_the_year_beside_it(coordinator: Any) -> None:
    with nothing_stored():
        response = client_for(coordinator).post(
            PAGE, {"decision": GRANT, "year": "2024", "amount_applied": ""}
        )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "year": ["Beslutet aviserar ingen ansökan för 2024; ansökan kan göras för 2022, 2023."]
    }
    assert "ansökan kan göras för 2022, 2023" in response.content.decode()


def test_only_the_application_takes_an_amount_or_an_introduction(coordinator: Any) -> None:
    with nothing_stored(), pytest.raises(ValidationError) as caught:
        report_job_create(
            actor=coordinator,
            kind="result",
            decision_slug=AGREEMENT,
            year=2018,
            amount_applied="100",
            introduction="Text",
            enqueue=False,
        )
    assert caught.value.message_dict == {
        "amount_applied": ["Sökt belopp anges bara för en ansökan om medel."],
        "introduction": ["Inledningen skrivs bara för en ansökan om medel."],
    }


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Ange ett belopp större än noll, eller lämna fältet tomt."),
        ("-5", "belopp får inte vara negativt"),
        ("1,005", "högst två decimaler"),
        ("1e6", "ogiltigt belopp"),
        (1.5, "flyttal"),
    ],
)
def test_it_refuses_an_amount_that_is_not_one(coordinator: Any, amount: Any, message: str) -> None:
    with nothing_stored(), pytest.raises(ValidationError) as caught:
        report_job_create(
            actor=coordinator, kind="application", decision_slug=GRANT, year=2022, amount_applied=amount
        )
    assert message in caught.value.message_dict["amount_applied"][0]


# --- Who ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["rss_skane", "rss_norrbotten", "certifier", "signatory", "ministry", "treasury"]
)
def test_only_the_coordinator_drafts_it(request: pytest.FixtureRequest, who: str) -> None:
    user = request.getfixturevalue(who)
    with nothing_stored():
        with pytest.raises(PermissionDenied, match=REASON):
            report_job_create(actor=user, kind="application", decision_slug=GRANT, year=2022, enqueue=False)
        page = client_for(user).get(PAGE)
        assert page.status_code == 200 and REASON in page.content.decode()
        assert 'name="amount_applied"' not in page.content.decode()  # no form to send
        response = client_for(user).post(PAGE, {"decision": GRANT, "year": "2022"})
        assert response.status_code == 403 and REASON in assert_refused(response)
        api = client_for(user).post(
            JOBS,
            json.dumps({"kind": "application", "decision": GRANT, "year": 2022}),
            content_type="application/json",
        )
        assert api.status_code == 403 and api.json()["detail"] == REASON


def test_the_rss_leader_cannot_slip_it_in_through_the_general_form(rss_skane: Any) -> None:
    with nothing_stored():
        response = client_for(rss_skane).post(
            "/rapporter/", {"kind": "application", "decision": GRANT, "year": "2022", "county": "12"}
        )
    assert response.status_code == 400  # not a kind that form offers
    assert "kind" in response.context["form"].errors


def test_it_sends_an_anonymous_visitor_to_log_in() -> None:
    with nothing_stored():
        response = Client().post(PAGE, {"decision": GRANT, "year": "2022"})
    assert response.status_code == 302 and f"next={PAGE}" in response["Location"]


def test_the_coordinator_drafts_it_on_the_page_and_the_job_makes_it(coordinator: Any) -> None:
    index = client_for(coordinator).get("/rapporter/").content.decode()
    assert f'href="{PAGE}"' in index  # reachable from the reports page
    page = client_for(coordinator).get(PAGE).content.decode()
    assert f'<option value="{GRANT}"' in page and "jämställdhetsarbete 2021: 2022, 2023" in page
    assert f"{GRANT}:" not in page  # the decision by its title, not its slug (issue 13)
    response = client_for(coordinator).post(
        PAGE,
        {"decision": GRANT, "year": "2022", "amount_applied": "20 000 000", "introduction": "Vi ansöker."},
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rapporter/jobb/{job.pk}/"
    assert (job.kind, job.year, job.amount_applied, job.introduction) == (
        "application",
        2022,
        Decimal("20000000.00"),
        "Vi ansöker.",
    )
    generate_report.call(str(job.pk))
    job.refresh_from_db()
    version = job.result
    assert version is not None and version.files.count() == 4
    assert "SKR ansöker om 20 000 000 kr för 2022." in _md(version) and "Vi ansöker." in _md(version)


def test_the_api_takes_the_amount_and_the_introduction(coordinator: Any) -> None:
    response = client_for(coordinator).post(
        JOBS,
        json.dumps(
            {
                "kind": "application",
                "decision": GRANT,
                "year": 2023,
                "amount_applied": "20000000.00",
                "introduction": "X",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 202
    job = ReportJob.objects.get(pk=response.json()["id"])
    assert (job.year, job.amount_applied, job.introduction) == (2023, Decimal("20000000.00"), "X")


# --- Hostile input --------------------------------------------------------------------------------


def test_it_refuses_every_hostile_value_on_the_form(coordinator: Any) -> None:
    client = client_for(coordinator)
    data = {"decision": GRANT, "year": "2022", "amount_applied": "", "introduction": ""}
    fields = {
        "decision": FORM_TEXT,
        "year": HOSTILE_INTS,
        "amount_applied": [*HOSTILE_AMOUNTS, *FORM_TEXT, "0", "-1"],
        "introduction": [*FORM_TEXT, "x" * 5001],
    }
    with nothing_stored():
        for field, values in fields.items():
            for value in values:
                where = f"{field}={value[:20]!r}"
                response = client.post(PAGE, {**data, field: value})
                assert response.status_code == 400, where
                assert field in response.context["form"].errors, where
                assert_refused(response, where=where)


def test_it_refuses_every_hostile_value_in_the_api(coordinator: Any) -> None:
    client = client_for(coordinator)
    data: dict[str, Any] = {"kind": "application", "decision": GRANT, "year": 2022}
    fields: dict[str, list[Any]] = {
        "amount_applied": [*HOSTILE_AMOUNTS, *HOSTILE_TEXT, "0", "-1", 1.5, True, 10**30],
        "introduction": [*HOSTILE_TEXT, "x" * 5001, 5],
        "year": [*HOSTILE_INTS, 2024, 2021, 10**20],
    }
    with nothing_stored():
        for field, values in fields.items():
            for value in values:
                where = f"{field}={str(value)[:20]!r}"
                response = client.post(
                    JOBS, json.dumps({**data, field: value}), content_type="application/json"
                )
                assert response.status_code == 422, where
                assert field in response.json()["errors"], (where, response.json())
                assert_refused(response, where=where)


# --- Sign, submit, and the obligation it closes -------------------------------------------------------


@pytest.mark.parametrize("submitter", ["coordinator", "signatory"])
def test_signing_and_submitting_closes_the_2022_application_on_time(
    request: pytest.FixtureRequest, coordinator: Any, signatory: Any, grant: FundingDecision, submitter: str
) -> None:
    obligation = Obligation.objects.get(decision=grant, key="2022-application")
    # The documents give no date; the day agreed with the ministry is recorded with a reason.
    obligation_reschedule(
        obligation=obligation,
        nominal_date=dt.date(2021, 11, 1),
        reason="Överenskommet datum",
        actor=coordinator,
    )
    draft = _draft(coordinator, grant, amount_applied="20000000", formats=("md", "pdf"))
    assert report_obligation(draft) == obligation
    with pytest.raises(PermissionDenied, match="undertecknas av en behörig företrädare"):
        report_sign(actor=coordinator, version=draft, on=SIGNED_ON)
    signed = report_sign(actor=signatory, version=draft, on=SIGNED_ON)
    assert (signed.state, signed.version, signed.amount_applied) == ("signed", 2, Decimal("20000000.00"))
    submitted = report_submit(
        actor=request.getfixturevalue(submitter),
        version=signed,
        on=SUBMITTED_ON,
        receipt_reference="A2021/01234",
    )
    assert submitted.state == ReportState.SUBMITTED
    obligation.refresh_from_db()
    assert (obligation.submitted_on, obligation.receipt_reference) == (SUBMITTED_ON, "A2021/01234")
    assert obligation.status_on(dt.date(2022, 1, 1)) == ObligationStatus.SUBMITTED_ON_TIME
    assert "Ansökan om medel för 2022 v2" in obligation.document_reference
    assert Obligation.objects.get(decision=grant, key="2023-application").submitted_on is None


def test_the_ministry_cannot_submit_it_for_skr(
    coordinator: Any, signatory: Any, ministry: Any, grant: FundingDecision
) -> None:
    signed = report_sign(actor=signatory, version=_draft(coordinator, grant), on=SIGNED_ON)
    with nothing_stored(), pytest.raises(PermissionDenied, match="Inlämning registreras av SKR"):
        report_submit(actor=ministry, version=signed, on=SUBMITTED_ON, receipt_reference="A1")


# --- After submission: the government's decision is registered against it ------------------------


def _submitted(coordinator: Any, signatory: Any, grant: FundingDecision) -> ReportVersion:
    signed = report_sign(actor=signatory, version=_draft(coordinator, grant), on=SIGNED_ON)
    return report_submit(actor=coordinator, version=signed, on=SUBMITTED_ON, receipt_reference="A2021/1")


def test_the_submitted_application_offers_to_register_the_governments_decision(
    coordinator: Any, signatory: Any, ministry: Any, grant: FundingDecision
) -> None:
    submitted = _submitted(coordinator, signatory, grant)
    with override_settings(ROOT_URLCONF="tests.reports.urls_with_decisions"):
        target = reverse("programmes:decision_new")
        html = client_for(coordinator).get(f"/rapporter/{submitted.pk}/").content.decode()
        link = f'href="{target}?programme={grant.programme.slug}&amp;application={submitted.pk}"'
        assert "Registrera regeringens beslut" in html and link in html
        # Not to those who do not register decisions, and not before the submission.
        assert (
            "Registrera regeringens beslut"
            not in client_for(ministry).get(f"/rapporter/{submitted.pk}/").content.decode()
        )
        draft_page = client_for(coordinator).get(f"/rapporter/{submitted.supersedes_id}/").content.decode()
        assert "Registrera regeringens beslut" not in draft_page


def test_the_page_works_while_the_decision_page_does_not_exist_yet(
    coordinator: Any, signatory: Any, grant: FundingDecision
) -> None:
    submitted = _submitted(coordinator, signatory, grant)
    response = client_for(coordinator).get(f"/rapporter/{submitted.pk}/")
    assert response.status_code == 200


# --- The command line ----------------------------------------------------------------------------


def test_the_command_writes_an_application(tmp_path: Path) -> None:
    out = tmp_path / "ansokan.md"
    call_command(
        "report",
        "application",
        GRANT,
        "2022",
        "--amount",
        "20 000 000",
        "--format",
        "md",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    assert "SKR ansöker om 20 000 000 kr för 2022." in out.read_text().replace(NBSP, " ")
    with pytest.raises(CommandError, match="--amount: ogiltigt belopp"):
        call_command(
            "report", "application", GRANT, "2022", "--amount", "x", "--format", "md", "-o", str(out)
        )
    with pytest.raises(CommandError, match="year: Beslutet aviserar ingen ansökan för 2025"):
        call_command("report", "application", GRANT, "2025", "--format", "md", "-o", str(out))


# --- The workflow through the API --------------------------------------------------------------


def _api(user: Any, path: str, payload: dict[str, Any]) -> Any:
    return client_for(user).post(path, json.dumps(payload), content_type="application/json")


def test_the_api_signs_and_submits_it_and_the_obligation_closes(
    coordinator: Any, signatory: Any, rss_skane: Any, grant: FundingDecision
) -> None:
    draft = _draft(coordinator, grant)
    sign = {"on": "2021-10-15"}
    with nothing_stored():
        refused = _api(coordinator, f"/api/v1/reports/{draft.pk}/sign", sign)
        assert refused.status_code == 403 and "behörig företrädare" in refused.json()["detail"]
        too_early = _api(
            signatory, f"/api/v1/reports/{draft.pk}/submit", {"on": "2021-10-20", "receipt_reference": "A1"}
        )
        assert too_early.status_code == 422 and "måste vara undertecknad" in too_early.json()["detail"]
    signed = _api(signatory, f"/api/v1/reports/{draft.pk}/sign", sign)
    assert signed.status_code == 201 and signed.json()["state"] == "signed"
    pk = signed.json()["id"]
    hidden = _api(rss_skane, f"/api/v1/reports/{pk}/submit", {"on": "2021-10-20", "receipt_reference": "A1"})
    assert hidden.status_code == 403  # a draft on its way is not the county's to see
    submitted = _api(
        signatory, f"/api/v1/reports/{pk}/submit", {"on": "2021-10-20", "receipt_reference": "A2021/1"}
    )
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert Obligation.objects.get(decision=grant, key="2022-application").submitted_on == SUBMITTED_ON


def test_the_api_refuses_a_certification_before_the_year_ended_beside_the_date(
    coordinator: Any, certifier: Any
) -> None:
    draft = report_generate(
        kind="financial", decision=decision_get(slug=AGREEMENT), year=2018, actor=coordinator, formats=("md",)
    )
    with nothing_stored():
        response = _api(
            certifier,
            f"/api/v1/reports/{draft.pk}/certify",
            {"on": "2018-12-30"},
        )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "on": ["Redovisningen för 2018 kan inte intygas före årets slut: välj 2018-12-31 eller senare."]
    }


def test_the_api_steps_refuse_hostile_values(
    coordinator: Any, signatory: Any, grant: FundingDecision
) -> None:
    draft = _draft(coordinator, grant)
    data = {"on": "2021-10-15", "place": "Stockholm"}
    fields: dict[str, list[Any]] = {
        # A name or title is not taken (the account's are used): refused, not ignored.
        "name": [*HOSTILE_TEXT, "", "Sven Sign"],
        "title": ["VD"],
        "place": HOSTILE_TEXT,
        "on": ["0001-01-01", "9999-12-31", "2018-02-30", "\x00", "2099-12-31", 5],
    }
    with nothing_stored():
        for field, values in fields.items():
            for value in values:
                where = f"{field}={str(value)[:20]!r}"
                response = _api(signatory, f"/api/v1/reports/{draft.pk}/sign", {**data, field: value})
                assert response.status_code == 422, where
                assert field in response.json()["errors"], (where, response.json())


def test_the_public_sees_the_submitted_report_but_not_its_record(
    coordinator: Any, signatory: Any, ministry: Any, no_role: Any, grant: FundingDecision
) -> None:
    """A submitted report is public; the receiver's diary number and who handed it in are its
    record (issue 12, finding 9): for accounts with a role only. The menu offers an account without
    a role no page that would refuse it."""
    submitted = _submitted(coordinator, signatory, grant)
    page = f"/rapporter/{submitted.pk}/"
    for reader in (Client(), client_for(no_role)):
        response = reader.get(page)
        html = response.content.decode()
        assert response.status_code == 200 and SUBMITTED_ON.isoformat() in html
        assert "A2021/1" not in html and "mottagarens diarienummer" not in html
    assert "A2021/1" in client_for(ministry).get(page).content.decode()
    menu = client_for(no_role).get("/").content.decode()
    assert 'href="/medel/"' not in menu and 'href="/tidsfrister/"' not in menu
    assert 'href="/medel/"' in client_for(ministry).get("/").content.decode()
