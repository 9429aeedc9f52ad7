"""Plan a year in the web (issue 11): the 2019 plan created from 2018's on its page, activities
added and edited on their own form, the ministry sending the proposal back with a comment, the
timeline, a new version after fixing; every refusal with its reason, errors beside their fields
(400) and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jamkoll.plans.models import Activity, PlanComment, PlanStatus, ProjectPlan, SubProject
from jamkoll.plans.services import plan_create
from jamkoll.programmes.models import FundingDecision
from tests.conftest import client_for
from tests.hostile import HOSTILE_AMOUNTS, HOSTILE_DATES, HOSTILE_TEXT, assert_refused, nothing_stored

pytestmark = pytest.mark.django_db

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
PAGE = f"/planer/{SLUG}/2019/"
WEB_TEXT = [v for v in HOSTILE_TEXT if v != "\ud800"]  # a form body cannot carry a lone surrogate
STEP = {"on": "2019-03-29", "reference": "S2019/00123", "comment": ""}
ACTIVITY = {
    "owner_county": "",
    "code": "",
    "title": "Nätverk för jämställd budgetering",
    "description": "Fyra träffar för kommunernas ekonomichefer.",
    "sub_project": "1",
    "goal_area": "1",
    "report_section": "3.2",
    "sub_goals": ["2"],
    "partners": ["SKR"],
    "counties": ["12", "25"],
    "planned_start": "2019-04-01",
    "planned_end": "2019-11-30",
    "budget_line": "3-RSS",
    "planned_cost": "250 000",
    "status": "planned",
    "actual_start": "",
    "actual_end": "",
}


def _field(body: str, name: str) -> str:
    """The HTML from a field's input to the end of its field block (where its error stands)."""
    start = body.index(f'name="{name}"')
    return body[start : body.index('<div class="field', start)]


def _plan(coordinator: Any) -> ProjectPlan:
    return plan_create(
        decision=FundingDecision.objects.get(slug=SLUG), year=2019, copy_from=2018, actor=coordinator
    )


def test_the_2019_cycle_in_the_web(coordinator: Any, ministry: Any) -> None:
    web, dep = client_for(coordinator), client_for(ministry)
    page = web.get(PAGE).content.decode()
    assert "Skapa projektplan" in page and "Kopiera från 2018" in page and "En tom plan" in page
    assert "Projektplanen ändras av SKR:s samordnare." in dep.get(PAGE).content.decode()

    created = web.post(f"{PAGE}skapa/", {"start": "kopiera", "title": ""})
    assert created.status_code == 302
    plan = ProjectPlan.objects.get(decision__slug=SLUG, year=2019)
    assert plan.title == "Projektplan 2019" and plan.status == PlanStatus.DRAFT
    page = web.get(PAGE).content.decode()
    assert "Lägg till aktivitet" in page and "Skapad från projektplanen 2018" in page
    assert "/andra/#ta-bort" in page  # a draft's activities may be removed
    assert "Föreslå till Regeringskansliet" in page and "Delprojekt 1: Jämställdhetssatsningen" in page

    form = web.get(f"{PAGE}ny-aktivitet/")
    assert form.status_code == 200 and 'name="planned_cost"' in form.content.decode()
    for title in ("Nätverk för jämställd budgetering", "Webbinarier om våld i nära relationer"):
        added = web.post(f"{PAGE}ny-aktivitet/", {**ACTIVITY, "title": title})
        assert added.status_code == 302, added.content.decode()[:2000]
    first = Activity.objects.get(decision__slug=SLUG, year=2019, title="Nätverk för jämställd budgetering")
    assert first.planned_cost == 250000 and {c.code for c in first.counties.all()} == {"12", "25"}

    assert web.post(f"{PAGE}steg/propose/", STEP).status_code == 302
    # Proposed: the plan and its activities' planning are locked, with the reason.
    page = web.get(PAGE).content.decode()
    assert "föreslagen till Regeringskansliet och låst" in page
    edit = web.get(f"{PAGE}aktivitet/{first.code}/andra/").content.decode()
    assert 'name="title"' not in edit and 'name="status"' in edit and "låst" in edit
    refused = web.post(f"{PAGE}andra/", {"title": "Ändrad", "summary": ""})
    assert refused.status_code == 400 and "föreslagen till Regeringskansliet och låst" in assert_refused(
        refused
    )

    # The ministry sends it back, and must say why. Its two open steps are two forms, each under
    # its own heading (they ran together on one line).
    proposed = dep.get(PAGE).content.decode()
    assert "Skicka tillbaka till SKR för ändring" in proposed
    assert "<legend>Samråd med departementet</legend>" in proposed
    assert "<legend>Eller: skicka tillbaka förslaget för ändring</legend>" in proposed
    silent = dep.post(f"{PAGE}steg/send_back/", STEP)
    assert silent.status_code == 400
    body = silent.content.decode()
    beside = body[body.index('id="id_send_back_comment"') :]
    assert "Detta fält måste fyllas i." in beside[: beside.index("</div>")]
    comment = "Beskriv uppföljningen av delmål 6 tydligare."
    assert dep.post(f"{PAGE}steg/send_back/", {**STEP, "comment": comment}).status_code == 302
    page = web.get(PAGE).content.decode()
    assert comment in page and "Skickad tillbaka till SKR" in page and "mia-departement" in page

    # The coordinator corrects and proposes again; the ministry consults; the plan is fixed.
    fixed_title = web.post(
        f"{PAGE}aktivitet/{first.code}/andra/",
        {**ACTIVITY, "title": "Nätverk för jämställd budgetering i kommuner"},
    )
    assert fixed_title.status_code == 302
    assert web.post(f"{PAGE}steg/propose/", STEP).status_code == 302
    assert dep.post(f"{PAGE}steg/consult/", STEP).status_code == 302
    assert web.post(f"{PAGE}steg/fix/", STEP).status_code == 302
    assert ProjectPlan.objects.get(pk=plan.pk).status == PlanStatus.FIXED

    # Fixed: progress is recorded, planning is not offered; a new version opens it again.
    progress = web.post(
        f"{PAGE}aktivitet/{first.code}/andra/",
        {"status": "ongoing", "actual_start": "2019-04-02", "actual_end": "", "title": "Kapad"},
    )
    assert progress.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.title) == ("ongoing", "Nätverk för jämställd budgetering i kommuner")
    page = web.get(PAGE).content.decode()
    assert "Skapa ny version för ändringar" in page
    assert "Skapa ny version för ändringar" not in dep.get(PAGE).content.decode()
    assert web.post(f"{PAGE}ny-version/").status_code == 302
    assert ProjectPlan.objects.filter(decision__slug=SLUG, year=2019, version=2, status="draft").exists()
    assert 'name="title"' in web.get(f"{PAGE}aktivitet/{first.code}/andra/").content.decode()
    kinds = list(PlanComment.objects.filter(plan__year=2019).values_list("kind", flat=True))
    assert kinds == ["created", "propose", "send_back", "propose", "consult", "fix", "new_version"]


def test_the_create_form_refuses_others_and_bad_input(coordinator: Any, rss_skane: Any) -> None:
    with nothing_stored():
        refused = client_for(rss_skane).post(f"{PAGE}skapa/", {"start": "tom"})
        assert refused.status_code == 403 and "Projektplanen ändras av SKR:s samordnare." in assert_refused(
            refused
        )
        web = client_for(coordinator)
        for name, value in [("start", "x" * 300), ("start", "a\x00b"), *(("title", v) for v in WEB_TEXT)]:
            response = web.post(f"{PAGE}skapa/", {"start": "tom", "title": "", name: value})
            assert response.status_code == 400 and "has-error" in assert_refused(response), name
        exists = web.post(f"/planer/{SLUG}/2018/skapa/", {"start": "tom"})
        assert exists.status_code == 400 and "finns redan en projektplan för 2018" in assert_refused(exists)
        assert web.post(f"{PAGE}ny-version/").status_code == 404  # no plan for 2019 yet


def test_the_activity_form_puts_each_refusal_beside_its_field(coordinator: Any) -> None:
    _plan(coordinator)
    web = client_for(coordinator)
    url = f"{PAGE}ny-aktivitet/"
    cases = [
        ("planned_cost", "9 500 000", "överstiger vad budgetraden har kvar"),
        ("planned_end", "2020-01-31", "utanför aktivitetens år 2019"),
        ("planned_start", "2019-12-01", "Planerat slut ligger före planerad start."),
        ("title", "", "Detta fält måste fyllas i."),
        ("code", "Stora Bokstäver", "Koden får bara innehålla"),
        ("sub_project", "9", "Välj ett giltigt alternativ"),
    ]
    with nothing_stored():
        for name, value, message in cases:
            response = web.post(url, {**ACTIVITY, name: value})
            body = assert_refused(response, where=name)
            assert response.status_code == 400, name
            blamed = "planned_end" if name == "planned_start" else name
            assert message in _field(body, blamed), (name, _field(body, blamed)[:500])
        walk = [(n, v) for n in ("title", "description", "report_section", "code") for v in WEB_TEXT]
        walk += [(n, v) for n in ("planned_start", "actual_end") for v in HOSTILE_DATES]
        walk += [("planned_cost", v) for v in HOSTILE_AMOUNTS]
        walk += [
            (n, v)
            for n in ("partners", "counties", "sub_goals", "budget_line", "status")
            for v in ("zz", "a\x00b")
        ]
        for name, value in walk:
            response = web.post(url, {**ACTIVITY, name: value})
            assert response.status_code == 400 and "has-error" in assert_refused(response), (name, value[:20])


def test_an_rss_leader_adds_only_their_own_countys_activity(
    coordinator: Any, rss_skane: Any, no_role: Any
) -> None:
    _plan(coordinator)
    web = client_for(rss_skane)
    form = web.get(f"{PAGE}ny-aktivitet/").content.decode()
    assert "RSS i 12" in form and "RSS i 25" not in form and "SKR (nationell aktivitet)" not in form
    with nothing_stored():
        other = web.post(f"{PAGE}ny-aktivitet/", {**ACTIVITY, "owner_county": "25"})
        assert other.status_code == 400 and "Välj ett giltigt alternativ" in _field(
            other.content.decode(), "owner_county"
        )
        national = web.post(f"{PAGE}ny-aktivitet/", {**ACTIVITY, "owner_county": ""})
        assert national.status_code == 400
        refused = client_for(no_role).get(f"{PAGE}ny-aktivitet/")
        assert refused.status_code == 403
    added = web.post(f"{PAGE}ny-aktivitet/", {**ACTIVITY, "owner_county": "12", "title": "Skånes nätverk"})
    assert added.status_code == 302
    assert Activity.objects.get(year=2019, title="Skånes nätverk").owner_county.code == "12"  # type: ignore[union-attr]


def test_the_plan_page_shows_edit_links_or_the_reason(coordinator: Any, rss_skane: Any) -> None:
    page = client_for(rss_skane).get(f"/planer/{SLUG}/2018/").content.decode()
    assert "Ändra aktiviteter: Du kan bara ändra aktiviteter i ditt eget län." in page
    assert page.count("/andra/") == 0
    fixed = client_for(coordinator).get(f"/planer/{SLUG}/2018/").content.decode()
    assert "Projektplanen 2018 är fastställd och låst" in fixed and "/andra/" in fixed
    assert "2018-3-1-kunskapsstyrning/andra/#ta-bort" not in fixed
    assert "Skapa ny version för ändringar" in fixed


def test_an_activity_of_the_fixed_2018_plan_offers_only_its_progress(coordinator: Any) -> None:
    url = f"/planer/{SLUG}/2018/aktivitet/2018-3-1-kunskapsstyrning/"
    web = client_for(coordinator)
    page = web.get(url).content.decode()
    assert "Registrera status och faktiska datum" in page and "fastställd och låst" in page
    with nothing_stored():
        removed = web.post(f"{url}ta-bort/")
        assert removed.status_code == 400 and "fastställd" in assert_refused(removed)
    web.post(url, {"form": "activity", "title": "Kapad", "status": "completed"})
    activity = Activity.objects.get(year=2018, code="2018-3-1-kunskapsstyrning")
    assert activity.status == "completed" and activity.title != "Kapad"  # the title is not offered


def test_an_activity_is_removed_from_its_form(coordinator: Any, rss_norrbotten: Any) -> None:
    _plan(coordinator)
    web = client_for(coordinator)
    assert web.post(f"{PAGE}ny-aktivitet/", {**ACTIVITY, "title": "Inlagd av misstag"}).status_code == 302
    activity = Activity.objects.get(year=2019, title="Inlagd av misstag")
    edit = web.get(f"{PAGE}aktivitet/{activity.code}/andra/").content.decode()
    assert "Ta bort aktiviteten" in edit
    with nothing_stored():
        other = client_for(rss_norrbotten).post(f"{PAGE}aktivitet/{activity.code}/ta-bort/")
        assert other.status_code == 403 and "ditt eget län" in assert_refused(other)
        assert web.get(f"{PAGE}aktivitet/{activity.code}/ta-bort/").status_code == 405
    assert web.post(f"{PAGE}aktivitet/{activity.code}/ta-bort/").status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_the_split_and_the_sub_projects_on_the_page(coordinator: Any, ministry: Any) -> None:
    _plan(coordinator)
    web = client_for(coordinator)
    page = web.get(PAGE).content.decode()
    assert 'name="amount_1_SKR"' in page and 'name="amount_3_RSS"' not in page  # decided by the decision
    with nothing_stored():
        bad = web.post(f"{PAGE}fordelning/", {"amount_1_SKR": "2 500 000", "amount_2_SKR": "1e30"})
        assert bad.status_code == 400 and "ogiltigt belopp" in _field(bad.content.decode(), "amount_2_SKR")
    ok = web.post(
        f"{PAGE}fordelning/", {"amount_1_SKR": "2 500 000", "amount_2_SKR": "2,5", "amount_3_SKR": ""}
    )
    assert ok.status_code == 302
    split = {
        p.budget_line.goal_area.number: p.amount
        for p in ProjectPlan.objects.get(year=2019).budget_lines.all()
    }
    assert split == {1: 2500000, 2: 2.5}
    with nothing_stored():
        refused = client_for(ministry).post(f"{PAGE}delprojekt/", {"name": "Ministeriets"})
        assert refused.status_code == 403
        bad_number = web.post(f"{PAGE}delprojekt/", {"number": "٣", "name": "Tre", "description": ""})
        assert bad_number.status_code == 400 and "has-error" in assert_refused(bad_number)
    assert (
        web.post(f"{PAGE}delprojekt/", {"number": "", "name": "Förebyggande", "description": ""}).status_code
        == 302
    )
    assert (
        web.post(f"{PAGE}delprojekt/3/", {"name": "Förebyggande arbete", "description": "MVP"}).status_code
        == 302
    )
    assert SubProject.objects.get(decision__slug=SLUG, number=3).name == "Förebyggande arbete"


def test_it_requires_login_and_the_right_method(coordinator: Any) -> None:
    anonymous = Client()
    with nothing_stored():
        for url in (f"{PAGE}skapa/", f"{PAGE}ny-aktivitet/", f"{PAGE}ny-version/", f"{PAGE}fordelning/"):
            response = anonymous.post(url, {})
            assert response.status_code == 302 and "logga-in" in response["Location"], url
        web = client_for(coordinator)
        for url in (f"{PAGE}skapa/", f"{PAGE}ny-version/", f"{PAGE}fordelning/", f"{PAGE}andra/"):
            assert web.get(url).status_code == 405, url
