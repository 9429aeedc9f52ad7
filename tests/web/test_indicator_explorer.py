"""The indicator explorer (issue 14, "Web and API"): public with suppression, unsuppressed for a role,
hostile query strings, the downloads, the generated label, and a constant number of queries."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jamkoll.indicators import services
from jamkoll.indicators.formatting import format_number
from jamkoll.indicators.models import ImportRun, ImportStatus, Indicator, Observation
from jamkoll.output import neutralise
from jamkoll.reference.models import Organisation, OrganisationKind, OrganisationName, PolicySubGoal
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

GENERATED = "Genererade exempeldata – inte verklig statistik"
SMALL = "0114"  # Upplands Väsby: its counts are below the threshold in 2023
HOSTILE_NAME = '=HYPERLINK("http://x")'


def _value(org: Organisation, year: int, gender: str) -> Decimal:
    if org.kind == OrganisationKind.KOMMUN and org.code == SMALL:  # values found nowhere else
        return (
            {"K": Decimal("77.7771"), "M": Decimal("66.6661"), "T": Decimal("70.1231")}[gender] + year - 2000
        )
    base = Decimal(int(org.code) % 97) + Decimal(year - 2000)
    return base + {"K": Decimal("2.5"), "M": Decimal(0), "T": Decimal("1.25")}[gender]


def make_indicator(
    code: str = "N99001", *, generated: bool = False, years: tuple[int, ...] = (2022, 2023)
) -> Indicator:
    """An indicator with values for every municipality, region, county and the nation."""
    indicator = Indicator.objects.create(
        code=code,
        title="Andel med eftergymnasial utbildning",
        unit="procent",
        divided_by_gender=True,
        generated=generated,
    )
    orgs = list(
        Organisation.objects.filter(
            kind__in=[
                OrganisationKind.KOMMUN,
                OrganisationKind.REGION,
                OrganisationKind.LAN,
                OrganisationKind.RIKET,
            ]
        )
    )
    rows = []
    for year in years:
        for org in orgs:
            for gender in "KMT":
                count = 2 if (org.code == SMALL and year == 2023) else 1000
                rows.append(
                    Observation(
                        indicator=indicator,
                        organisation=org,
                        period=year,
                        gender=gender,
                        value=_value(org, year, gender),
                        count=count,
                    )
                )
    Observation.objects.bulk_create(rows, batch_size=2000)
    return indicator


@pytest.fixture
def indicator() -> Indicator:
    return make_indicator()


def url(code: str, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("indicators:detail", args=[code]) + (f"?{query}" if query else "")


def small_value(year: int = 2023) -> str:
    org = Organisation.objects.get(kind=OrganisationKind.KOMMUN, code=SMALL)
    return format_number(_value(org, year, "K"))


def test_anonymous_sees_the_explorer_with_small_counts_hidden(indicator: Indicator) -> None:
    response = Client().get(url(indicator.code, ar=2023, niva="kommun", visa="alla"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Andel med eftergymnasial utbildning" in html
    assert 'role="img"' in html and 'id="gap-chart-title"' in html and 'id="trend-chart-title"' in html
    assert 'id="scatter-chart"' in html
    assert "Upplands Väsby" in html
    assert small_value() not in html  # the hidden value is nowhere on the page
    assert "rader har dolda värden" in html or "rad har dolda värden" in html
    assert GENERATED not in html
    # Swedish numbers: decimal comma
    assert "2,5" in html


def test_analyst_sees_the_small_counts(indicator: Indicator, analyst: Any) -> None:
    html = client_for(analyst).get(url(indicator.code, ar=2023, visa="alla")).content.decode()
    assert small_value() in html
    assert "dolda värden" not in html


def test_csv_download_applies_suppression_for_the_public(indicator: Indicator, analyst: Any) -> None:
    path = reverse("indicators:download", args=[indicator.code, "csv"]) + "?ar=2023&niva=kommun"
    public = Client().get(path)
    assert public.status_code == 200
    assert public["Content-Type"].startswith("text/csv")
    text = public.content.decode("utf-8-sig")
    hidden = (
        str(_value(Organisation.objects.get(kind="kommun", code=SMALL), 2023, "K")).rstrip("0").rstrip(".")
    )
    line = next(row for row in text.splitlines() if row.startswith(SMALL + ","))
    assert hidden not in line and line.endswith(",ja")
    assert len([row for row in text.splitlines() if row[:4].isdigit()]) == 290
    full = client_for(analyst).get(path).content.decode("utf-8-sig")
    line = next(row for row in full.splitlines() if row.startswith(SMALL + ","))
    assert hidden in line


def test_downloads_neutralise_formulas(indicator: Indicator) -> None:
    # A name that a spreadsheet would run (the names come from the documents; the rule holds anyway).
    OrganisationName.objects.filter(
        organisation__kind=OrganisationKind.KOMMUN, organisation__code="1440"
    ).update(name=HOSTILE_NAME)
    OrganisationName.objects.filter(organisation__kind=OrganisationKind.LAN, organisation__code="14").update(
        name="@SUM(1+1)"
    )
    csv_text = (
        Client()
        .get(reverse("indicators:download", args=[indicator.code, "csv"]) + "?ar=2023")
        .content.decode("utf-8-sig")
    )
    row = next(line for line in csv_text.splitlines() if line.startswith("1440,"))
    assert row.startswith("1440,\"'=HYPERLINK(")
    assert ",=" not in csv_text and ",@" not in csv_text and ',"=' not in csv_text
    response = Client().get(reverse("indicators:download", args=[indicator.code, "xlsx"]) + "?ar=2023")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "@", "-")) for c in cells)
    assert '\'=HYPERLINK("http://x")' in cells
    numbers = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, int | float)]
    assert len(numbers) > 290 * 5  # values are numbers, not text


def test_neutralise() -> None:
    for bad in ("=1+1", "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("-1.5") == "-1.5" and neutralise("Ale") == "Ale"


def test_generated_indicator_is_labelled_everywhere() -> None:
    indicator = make_indicator("GEN001", generated=True)
    html = Client().get(url(indicator.code)).content.decode()
    assert html.count(GENERATED) >= 4  # banner, three chart titles/descs, table captions
    for chart in ("gap-chart", "trend-chart", "scatter-chart"):
        title = html.split(f'id="{chart}-title">')[1].split("</title>")[0]
        desc = html.split(f'id="{chart}-desc">')[1].split("</desc>")[0]
        assert GENERATED in title and GENERATED in desc
    assert GENERATED in Client().get(reverse("indicators:index")).content.decode()
    csv_text = (
        Client().get(reverse("indicators:download", args=[indicator.code, "csv"])).content.decode("utf-8-sig")
    )
    assert csv_text.splitlines()[0] == GENERATED
    book = load_workbook(
        io.BytesIO(Client().get(reverse("indicators:download", args=[indicator.code, "xlsx"])).content)
    )
    assert book.active is not None and book.active["A1"].value == GENERATED


@pytest.mark.parametrize(
    "params",
    [
        {"ar": "9999"},
        {"ar": "-1"},
        {"ar": "20x3"},
        {"ar": "9" * 5000},
        {"niva": "x"},
        {"niva": "riket"},
        {"org": "0" * 1_000_000},
        {"org": "\x00"},
        {"org": "G123"},
        {"sortera": "../../etc"},
        {"sida": "99999999999999999999"},
        {"sida": "-3", "visa": "alla", "ordning": "fallande", "sortera": "skillnad"},
    ],
)
def test_hostile_query_strings_never_fail(indicator: Indicator, params: dict[str, str]) -> None:
    """A silly value falls back to the default (200); a control character or a 1 MB value is refused
    by the site's middleware with its 400 page before the view runs. Never a 500."""
    refused = any("\x00" in v or len(v) > 1000 for v in params.values())
    response = Client().get(reverse("indicators:detail", args=[indicator.code]), params)
    assert response.status_code == (400 if refused else 200), params
    if not refused:
        assert b"gap-chart" in response.content
    response = Client().get(reverse("indicators:download", args=[indicator.code, "csv"]), params)
    assert response.status_code == (400 if refused else 200), params


def test_unknown_year_falls_back_with_a_notice(indicator: Indicator) -> None:
    html = Client().get(url(indicator.code, ar=9999)).content.decode()
    assert "Det finns inga värden för år 9999" in html
    assert '<option value="2023" selected>' in html


def test_unknown_things_are_404(indicator: Indicator) -> None:
    assert Client().get(reverse("indicators:detail", args=["X" * 300])).status_code == 404
    assert Client().get(reverse("indicators:download", args=[indicator.code, "pdf"])).status_code == 404
    assert (
        Client().get(reverse("indicators:county", args=[indicator.code, "99"]) + "?ar=2023").status_code
        == 404
    )
    assert Client().get(reverse("indicators:county", args=[indicator.code, "x" * 2000])).status_code == 404


def test_sorting_and_paging(indicator: Indicator) -> None:
    page = Client().get(url(indicator.code, ar=2023, sortera="namn")).content.decode()
    assert page.count('<th scope="row"><a href=') == 50
    assert "Sida 1 av 6" in page and "Visa alla 290" in page
    first = page.split("<tbody>")[1].split("</a>")[0].rsplit(">", 1)[1]
    assert first == "Ale"
    desc = Client().get(url(indicator.code, ar=2023, sortera="namn", ordning="fallande")).content.decode()
    assert (
        desc.split("<tbody>")[1].split("</a>")[0].rsplit(">", 1)[1] == "Överkalix"
        or "Ö" in desc.split("<tbody>")[1][:400]
    )


def test_county_page_shows_its_municipalities(indicator: Indicator) -> None:
    response = Client().get(reverse("indicators:county", args=[indicator.code, "12"]) + "?ar=2023")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Skåne län" in html and "Malmö" in html and "Kiruna" not in html
    assert "Riket" in html
    csv_text = (
        Client()
        .get(reverse("indicators:download", args=[indicator.code, "csv"]) + "?ar=2023&lan=12")
        .content.decode("utf-8-sig")
    )
    assert "Malmö" in csv_text and "Kiruna" not in csv_text


def test_trend_for_a_chosen_organisation(indicator: Indicator) -> None:
    html = Client().get(url(indicator.code, ar=2023, org="1280")).content.decode()
    trend = html.split('id="tidsserie"')[1].split("</section>")[0]
    assert "Malmö" in trend and "2022" in trend and "2023" in trend


def test_the_explorer_costs_a_constant_number_of_queries(
    indicator: Indicator, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.get(url(indicator.code, ar=2023))  # warm caches (sessions, content types)
    with django_assert_max_num_queries(20):
        response = client.get(url(indicator.code, ar=2023, visa="alla", org="1280"))
    assert response.content.decode().count('<th scope="row"><a href=') == 290


def test_catalogue_lists_searches_and_filters_by_sub_goal(indicator: Indicator) -> None:
    goal = PolicySubGoal.objects.order_by("number").first()
    assert goal is not None
    indicator.sub_goals.add(goal)
    Indicator.objects.create(code="N99002", title="Något annat")
    html = Client().get(reverse("indicators:index")).content.decode()
    assert "N99001" in html and "N99002" in html
    html = Client().get(reverse("indicators:index"), {"q": "eftergymnasial"}).content.decode()
    assert "N99001" in html and "N99002" not in html
    html = Client().get(reverse("indicators:index"), {"delmal": goal.number}).content.decode()
    assert "N99001" in html and "N99002" not in html
    assert Client().get(reverse("indicators:index"), {"q": "a\x00b"}).status_code == 400
    assert Client().get(reverse("indicators:index"), {"delmal": "x" * 100, "sida": "-1"}).status_code == 200


def test_navigation_and_programme_link_to_the_explorer() -> None:
    html = Client().get(reverse("web:home")).content.decode()
    assert reverse("indicators:index") in html
    from jamkoll.programmes.models import Programme

    slug = (
        Programme.objects.filter(start_year__gte=2018)
        .order_by("start_year")
        .values_list("slug", flat=True)
        .first()
    )
    html = Client().get(reverse("web:programme", args=[slug])).content.decode()
    assert reverse("indicators:index") + "?delmal=" in html


# --- Import and editing ------------------------------------------------------------------------


def test_import_page_is_for_the_analyst(analyst: Any, rss_skane: Any) -> None:
    assert Client().get(reverse("indicators:import")).status_code == 302
    assert client_for(rss_skane).get(reverse("indicators:import")).status_code == 403
    assert client_for(analyst).get(reverse("indicators:import")).status_code == 200


def test_import_upload_creates_enqueues_and_runs(analyst: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    document = (
        b'{"values": [{"kpi": "N99010", "municipality": "1280", "period": 2024, "values": ['
        b'{"gender": "M", "count": 40, "status": "", "value": 71.5, "isdeleted": false},'
        b'{"gender": "K", "count": 41, "status": "", "value": 70.25, "isdeleted": false}]}],'
        b' "count": 1, "next_url": null, "previous_url": null}'
    )
    upload = io.BytesIO(document)
    upload.name = "../../kolada svar.json"
    response = client_for(analyst).post(reverse("indicators:import"), {"file": upload, "format": "kolada"})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("indicators:import_status", args=[run.pk])
    assert run.requested_by == analyst and run.status == ImportStatus.QUEUED
    assert "/" not in run.filename and Path(run.stored_file).parent == tmp_path / "imports"
    assert Path(run.stored_file).read_bytes() == document
    run = services.import_run_execute(run)  # what the worker does with the queued task
    assert run.status == ImportStatus.DONE and run.created == 2
    assert not Path(run.stored_file).exists()
    values = dict(Observation.objects.filter(indicator__code="N99010").values_list("gender", "value"))
    assert values == {"K": Decimal("70.25"), "M": Decimal("71.5")}


def test_import_refuses_a_wrong_file(analyst: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    settings.INDICATOR_UPLOAD_MAX_MB = 0
    upload = io.BytesIO(b"kpi,organisation\n")
    upload.name = "data.csv"
    response = client_for(analyst).post(reverse("indicators:import"), {"file": upload, "format": "csv"})
    assert response.status_code == 400
    assert "för stor" in response.content.decode()
    assert not (tmp_path / "imports").exists()


def test_import_status_polls_and_lists_problems(analyst: Any) -> None:
    run = ImportRun.objects.create(
        format="csv", filename="data.csv", status=ImportStatus.RUNNING, progress=40
    )
    client = client_for(analyst)
    html = client.get(reverse("indicators:import_status", args=[run.pk])).content.decode()
    assert 'value="40"' in html and "hx-trigger" in html and "htmx-2.min.js" in html
    run.status = ImportStatus.FAILED
    run.problems = [
        {"where": "rad 12", "field": "gender", "message": "okänt kön 'X'"},
        {"where": "rad 40", "field": "value", "message": "<script>alert(1)</script>"},
    ]
    run.save()
    partial = client.get(
        reverse("indicators:import_status", args=[run.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and "hx-trigger" not in partial
    assert "rad 12" in partial and "gender" in partial and "rad 40" in partial
    assert "<script>alert" not in partial
    assert client.get(reverse("indicators:import_status", args=[uuid.uuid4()])).status_code == 404


def test_edit_completes_a_provisional_indicator(analyst: Any) -> None:
    indicator = Indicator.objects.create(code="N99003", title="N99003", provisional=True)
    goal = PolicySubGoal.objects.order_by("number").first()
    assert goal is not None
    assert Client().get(reverse("indicators:edit", args=[indicator.code])).status_code == 302
    client = client_for(analyst)
    assert client.get(reverse("indicators:edit", args=[indicator.code])).status_code == 200
    bad = client.post(
        reverse("indicators:edit", args=[indicator.code]), {"title": "x\x00", "sub_goals": [goal.number]}
    )
    assert bad.status_code == 400
    indicator.refresh_from_db()
    assert indicator.title == "N99003" and indicator.provisional
    response = client.post(
        reverse("indicators:edit", args=[indicator.code]),
        {"title": "Andel kvinnor", "sub_goals": [goal.number], "higher_is_better": "1"},
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.title == "Andel kvinnor" and not indicator.provisional
    assert list(indicator.sub_goals.values_list("number", flat=True)) == [goal.number]


def test_format_number() -> None:
    assert format_number(Decimal("-1234.50")) == "\u22121\u00a0234,5"
    assert format_number(Decimal("82526.000000")) == "82\u00a0526"
    assert format_number(Decimal("2.5"), signed=True) == "+2,5"
    assert format_number(None) == "–"
    assert format_number(Decimal("-0.0")) == "0"


def test_the_change_does_not_give_away_last_years_hidden_gap(analyst: Any) -> None:
    """Upplands Väsby's counts were small in 2023: in 2024 its gap is shown, but not its change
    since 2023 (gap 2024 − change would be the hidden gap of 2023)."""
    indicator = make_indicator("N99004", years=(2023, 2024))
    path = reverse("indicators:download", args=[indicator.code, "csv"]) + "?ar=2024"

    def change(client: Client) -> str:
        text = client.get(path).content.decode("utf-8-sig")
        row = next(line for line in text.splitlines() if line.startswith(SMALL + ","))
        cells = row.split(",")
        assert cells[5]  # the gap of 2024 is shown
        return cells[8]

    assert change(Client()) == ""
    assert change(client_for(analyst)) != ""


def test_charts_draw_what_they_say() -> None:
    from jamkoll.indicators import charts

    gap = charts.gap_chart(
        [charts.GapItem("Ale", Decimal("2.5")), charts.GapItem("Bjuv", Decimal("-1.25"), highlight=True)],
        chart_id="g1",
        title="Skillnad",
        generated=True,
    )
    assert 'role="img"' in gap and 'aria-labelledby="g1-title g1-desc"' in gap
    assert f'<title id="g1-title">{GENERATED}. Skillnad</title>' in gap
    assert "+2,5" in gap and "\u22121,25" in gap and 'stroke="#f2b600"' in gap
    assert "<script" not in charts.gap_chart(
        [charts.GapItem("<script>x</script>", Decimal(1))], chart_id="g2", title="<b>"
    )
    many = charts.gap_chart(
        [charts.GapItem(f"K{i}", Decimal(i - 100)) for i in range(290)], chart_id="g3", title="t"
    )
    assert many.count("<rect") == 290  # one bar each (the legend draws lines)
    trend = charts.trend_chart(
        [
            charts.TrendItem(2020, Decimal(1), Decimal(2), Decimal("1.5")),
            charts.TrendItem(2021, None, Decimal(3), Decimal(2)),
            charts.TrendItem(2022, Decimal(2), Decimal(1), Decimal("1.5")),
        ],
        chart_id="t1",
        title="Tid",
    )
    # A missing value breaks women's line: no polyline of women's colour, three of the others' two.
    assert trend.count(f'stroke="{charts.WOMEN}" stroke-width="2.5"') == 0
    assert trend.count("<polyline") == 2
    scatter = charts.scatter_chart(
        [charts.ScatterItem("Ale", Decimal(3), Decimal(2))], chart_id="s1", title="Punkter"
    )
    assert 'stroke-dasharray="5 4"' in scatter and "y = x" in scatter
    assert "Inga värden att visa." in charts.trend_chart([], chart_id="t2", title="x")
