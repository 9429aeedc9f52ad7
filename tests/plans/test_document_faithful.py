"""Issue 13, classes 3–5 in the 2018 plan data: an example stays with what the document attaches
it to, an activity is reported under the goal area the document puts it under (and may serve
another), and a note is referenced where the document prints it."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict
from importlib import resources
from typing import Any

import pytest
from django.urls import reverse

from jamkoll.plans.models import Activity, CountyPlan
from jamkoll.plans.schemas import plans_document_parse
from jamkoll.plans.selectors import ActivityFilter, activity_dict, activity_list, county_activities
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.assemblers import result_report, rss_report
from jamkoll.reports.document import Table
from jamkoll.seeding import SeedError
from tests.conftest import client_for

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
EXAMPLES_WITHOUT_COUNTY = {
    "2018-4-1-kartlaggningar": "Kartläggningar av kompetens, samverkan, nätverk och styrdokument",
    "2018-4-1-utbildningar-lansstyrelsen": "Utbildningar i samverkan med Länsstyrelsen",
}
KEY_FIGURES = "2018-3-5-nyckeltal-indikatorer"


def _text(document: Any) -> str:
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(asdict(document))
    return " ".join(parts)


# --- class 3: examples ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_two_examples_without_a_county_are_no_countys_activity() -> None:
    decision = decision_get(slug=SLUG)
    for code in EXAMPLES_WITHOUT_COUNTY:
        activity = Activity.objects.get(decision=decision, year=2018, code=code)
        assert activity.is_example and activity.counties_not_named
        assert not activity.counties.exists() and activity.owner_county is None
    codes = list(
        CountyPlan.objects.filter(decision=decision, year=2018).values_list("county__code", flat=True)
    )
    assert len(codes) == 21
    for county in codes:
        text = _text(rss_report(decision=decision, year=2018, county_code=county))
        for title in EXAMPLES_WITHOUT_COUNTY.values():
            assert title not in text, (county, title)
        listed = {
            a.code for a in activity_list(decision=decision, year=2018, filters=ActivityFilter(county=county))
        }
        assert not listed & set(EXAMPLES_WITHOUT_COUNTY), county
    # What "Samtliga 21 RSS" says stays with all 21; what names no county is with none.
    every = Activity.objects.get(
        decision=decision, year=2018, code="2018-4-1-utvecklingsledare-genomforandeplaner"
    )
    assert every.counties.count() == 21 and not every.is_example
    for code in (
        "2018-4-1-forankring",
        "2018-4-1-samverkan-lansstyrelser-socialstyrelsen",
        "2018-4-1-fyra-malomraden",
    ):
        activity = Activity.objects.get(decision=decision, year=2018, code=code)
        assert activity.counties_not_named and not activity.counties.exists(), code


@pytest.mark.django_db
def test_a_named_countys_example_is_its_own_and_shown_as_an_example(coordinator: Any) -> None:
    decision = decision_get(slug=SLUG)
    own = county_activities(
        decision=decision, year=2018, county=decision.county_plans.get(county__code="06").county
    )
    assert [(a.code, a.is_example) for a in own] == [("2018-4-1-jonkoping-chefsnatverk", True)]
    text = _text(rss_report(decision=decision, year=2018, county_code="06"))
    assert "nätverk för chefer i 13 kommuner" in text and "Exempel i resultatrapporten." in text
    page = client_for(coordinator).get(reverse("plans:plan", args=[SLUG, 2018]), {"lan": "12"})
    body = page.content.decode()
    assert page.status_code == 200
    for title in EXAMPLES_WITHOUT_COUNTY.values():
        assert title not in body


# --- class 4: the collaboration goal ----------------------------------------------------------


@pytest.mark.django_db
def test_the_key_figure_activity_is_reported_under_goal_area_2_and_serves_goal_area_1() -> None:
    decision = decision_get(slug=SLUG)
    activity = Activity.objects.get(decision=decision, year=2018, code=KEY_FIGURES)
    assert (activity.goal_area.number, activity.sub_project.number) == (2, 1)
    assert [g.number for g in activity.also_serves.all()] == [1]
    assert activity_dict(activity, 2018)["also_serves"] == [1]
    # Seed 003 §2: no activities are reported under the collaboration goal.
    assert not Activity.objects.filter(decision=decision, year=2018, goal_area__number=1).exists()
    document = result_report(decision=decision, year=2018)
    tables = {b.caption: b for s in document.sections for b in s.blocks if isinstance(b, Table)}
    per_area = tables["Aktiviteter 2018 per målområde och status"]
    assert [row for row in per_area.rows if row[0] == "1"] == [("1", "inga aktiviteter", "0")]
    serving = tables["Aktiviteter 2018 som även bidrar till andra målområden"]
    assert (activity.report_section, activity.title, "2", "1") in serving.rows
    (section_2,) = [s for s in document.sections if s.number == "2"]
    assert "Därför rapporteras inga särskilda aktiviteter under samverkansmålet." in _text(section_2)
    assert activity.description.split(".")[0] not in _text(section_2)


# --- class 5: notes referenced where the document prints them --------------------------------


def _data() -> dict[str, Any]:
    text = resources.files("jamkoll.plans").joinpath("data", "plans_2018.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_a_note_that_no_text_references_is_refused() -> None:
    data = copy.deepcopy(_data())
    (intro,) = [n for n in data["narratives"] if n["key"] == "school-violence-intro"]
    assert "omfattande.[^2]" in intro["text"]
    intro["text"] = intro["text"].replace("[^2]", "")
    with pytest.raises(SeedError, match="not 2 hänvisas inte"):
        plans_document_parse(data, file="plans_2018.json")


def test_a_mark_of_a_note_the_year_does_not_have_is_refused() -> None:
    data = copy.deepcopy(_data())
    data["activities"][0]["description"] += "[^9]"
    with pytest.raises(SeedError, match="not 9"):
        plans_document_parse(data, file="plans_2018.json")


def test_the_collaboration_goal_is_not_both_reported_and_served() -> None:
    data = copy.deepcopy(_data())
    (activity,) = [a for a in data["activities"] if a["code"] == KEY_FIGURES]
    activity["also_serves"] = [2]
    with pytest.raises(SeedError, match="målområde 2 är det som aktiviteten redovisas under"):
        plans_document_parse(data, file="plans_2018.json")


@pytest.mark.django_db
def test_the_activity_page_prints_the_reference_in_place_and_the_note(coordinator: Any) -> None:
    page = client_for(coordinator).get(
        reverse("plans:activity", args=[SLUG, 2018, "2018-3-1-patientkontrakt"])
    )
    body = page.content.decode()
    assert 's.k. patientkontrakt<sup class="fnref"><a href="#not-1">1</a></sup> tar hänsyn' in body
    assert "Patientkontraktet är inget juridiskt kontrakt" in body
    assert "[^1]" not in body
