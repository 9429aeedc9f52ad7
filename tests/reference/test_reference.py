import datetime as dt

import pytest

from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.reference.selectors import organisation_list, skr_get

pytestmark = pytest.mark.django_db


def test_it_has_exactly_21_counties_and_290_municipalities() -> None:
    assert Organisation.objects.filter(kind=OrganisationKind.LAN).count() == 21
    assert Organisation.objects.filter(kind=OrganisationKind.KOMMUN).count() == 290
    assert Organisation.objects.filter(kind=OrganisationKind.REGION).count() == 21


def test_every_municipality_code_starts_with_its_county_code() -> None:
    for kommun in Organisation.objects.filter(kind=OrganisationKind.KOMMUN).select_related("county"):
        assert kommun.county is not None, kommun.code
        assert len(kommun.code) == 4 and kommun.code.isdigit()
        assert kommun.code.startswith(kommun.county.code), kommun.code


def test_county_codes_are_the_scb_codes() -> None:
    codes = sorted(Organisation.objects.filter(kind=OrganisationKind.LAN).values_list("code", flat=True))
    assert codes == ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14",
                     "17", "18", "19", "20", "21", "22", "23", "24", "25"]  # fmt: skip


def test_municipality_counts_per_county_match_scb() -> None:
    def count(code: str) -> int:
        return Organisation.objects.filter(kind=OrganisationKind.KOMMUN, county__code=code).count()

    assert count("01") == 26
    assert count("14") == 49
    assert count("12") == 33
    assert count("09") == 1


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2018, 6, 1), "Sveriges Kommuner och Landsting"),
        (dt.date(2019, 11, 26), "Sveriges Kommuner och Landsting"),
        (dt.date(2019, 11, 27), "Sveriges Kommuner och Regioner"),
        (dt.date(2020, 6, 1), "Sveriges Kommuner och Regioner"),
    ],
)
def test_skl_becomes_skr_on_2019_11_27(on: dt.date, expected: str) -> None:
    assert skr_get().name_at(on) == expected


def test_skr_short_name_follows_the_date() -> None:
    skr = skr_get()
    assert skr.short_name_at(dt.date(2018, 1, 18)) == "SKL"
    assert skr.short_name_at(dt.date(2021, 1, 1)) == "SKR"


@pytest.mark.parametrize(
    ("code", "before", "after"),
    [
        ("01", "Stockholms läns landsting", "Region Stockholm"),
        ("08", "Landstinget i Kalmar län", "Region Kalmar län"),
        ("12", "Region Skåne", "Region Skåne"),
        ("14", "Västra Götalandsregionen", "Västra Götalandsregionen"),
    ],
)
def test_landsting_become_regions_on_2019_01_01(code: str, before: str, after: str) -> None:
    region = Organisation.objects.get(kind=OrganisationKind.REGION, code=code)
    assert region.name_at(dt.date(2018, 12, 31)) == before
    assert region.name_at(dt.date(2019, 1, 1)) == after
    assert region.name_record_at(dt.date(2018, 12, 31)).form == "landsting"  # type: ignore[union-attr]
    assert region.name_record_at(dt.date(2019, 1, 1)).form == "region"  # type: ignore[union-attr]


def test_every_region_has_a_landsting_name_and_a_region_name() -> None:
    for region in Organisation.objects.filter(kind=OrganisationKind.REGION).prefetch_related("names"):
        after = region.name_record_at(dt.date(2019, 1, 1))
        assert after is not None and after.name.startswith(("Region", "Västra Götalandsregionen"))
        if region.code != "09":
            assert region.name_record_at(dt.date(2018, 12, 31)).form == "landsting"  # type: ignore[union-attr]


def test_gotland_is_the_special_case() -> None:
    gotland = Organisation.objects.get(kind=OrganisationKind.REGION, code="09")
    assert gotland.name_at(dt.date(2018, 6, 1)) == "Region Gotland"
    assert gotland.name_record_at(dt.date(2018, 6, 1)).form == "kommun"  # type: ignore[union-attr]
    assert "0980" in gotland.note


def test_riket_and_county_boards_exist() -> None:
    assert (
        Organisation.objects.get(kind=OrganisationKind.RIKET, code="00").name_at(dt.date.today()) == "Riket"
    )
    boards = Organisation.objects.filter(category="lansstyrelse")
    assert boards.count() == 21
    assert boards.get(code="LST25").name_at(dt.date(2018, 1, 1)) == "Länsstyrelsen i Norrbottens län"


@pytest.mark.parametrize(
    "code", ["RK", "S", "A", "KAMK", "JAMY", "SOS", "RKA", "SKOLV", "SKOLI", "BRA", "NCK"]
)
def test_the_named_partners_exist(code: str) -> None:
    assert Organisation.objects.filter(kind=OrganisationKind.OTHER, code=code).exists()


def test_organisations_on_a_date_leave_out_those_that_did_not_exist() -> None:
    before = {o.code for o in organisation_list(kind="other", on=dt.date(2017, 6, 1))}
    after = {o.code for o in organisation_list(kind="other", on=dt.date(2018, 6, 1))}
    assert "JAMY" not in before
    assert "JAMY" in after


def test_name_at_lists_cost_a_bounded_number_of_queries(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(4):
        names = [o.name_at(dt.date(2018, 6, 1)) for o in organisation_list(kind="kommun")]
    assert len(names) == 290


def test_sub_goals_and_strategy_objectives_have_the_documents_text() -> None:
    assert PolicySubGoal.objects.count() == 6
    assert StrategyObjective.objects.count() == 4
    assert PolicySubGoal.objects.get(number=5).title == "Jämställd hälsa"
    assert PolicySubGoal.objects.get(number=6).text == (
        "Kvinnor och män, flickor och pojkar ska ha samma rätt och möjlighet till kroppslig integritet."
    )
    assert StrategyObjective.objects.get(number=3).text == "Effektivare brottsbekämpning."
