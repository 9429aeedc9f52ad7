"""Long-format CSV (including Swedish Excel's semicolons, decimal commas and Windows-1252) and XLSX;
value parsing and rounding (Hypothesis)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jamkoll.accounts.policy import operator
from jamkoll.indicators.importers import guess_format, parse_value, sniff_delimiter
from jamkoll.indicators.models import ImportRun, ImportStatus, Indicator, Observation
from jamkoll.indicators.services import import_file

from .docs import write_csv, write_xlsx

KPI = "N01951"
HEADER = ["kpi", "organisation", "period", "gender", "value"]


def stored(org: str, gender: str, kind: str = "kommun", period: int = 2023) -> Decimal | None:
    return Observation.objects.get(
        indicator__code=KPI, organisation__code=org, organisation__kind=kind, period=period, gender=gender
    ).value


@pytest.mark.django_db
def test_plain_csv(tmp_path: Path) -> None:
    rows = [
        [*HEADER, "count", "status"],
        [KPI, "0580", "2023", "K", "45.5", "120", ""],
        [KPI, "0580", "2023", "M", "", "", "Saknas"],
        [KPI, "12", "2023", "T", "-3.25", "", ""],  # a county by its two digits
        [KPI, "00", "2023", "T", "7", "", ""],  # Riket
        [KPI, "0001", "2023", "T", "8", "", ""],  # the region of Stockholm
    ]
    run = import_file(actor=operator(), path=write_csv(tmp_path / "long.csv", rows))
    assert run.status == ImportStatus.DONE and run.format == "csv" and run.created == 5
    assert stored("0580", "K") == Decimal("45.5") and stored("0580", "M") is None
    assert Observation.objects.get(indicator__code=KPI, organisation__code="0580", gender="K").count == 120
    assert (
        Observation.objects.get(indicator__code=KPI, organisation__code="0580", gender="M").status == "Saknas"
    )
    assert stored("12", "T", "lan") == Decimal("-3.25")
    assert stored("00", "T", "riket") == Decimal("7")
    assert stored("01", "T", "region") == Decimal("8")
    assert Indicator.objects.get(code=KPI).provisional


@pytest.mark.django_db
def test_swedish_excel_csv(tmp_path: Path) -> None:
    """Semicolons, decimal commas, Windows-1252 (ä in a status), a BOM-less file as Excel saves it."""
    rows = [
        ["KPI", "Organisation", "Period", "Gender", "Value", "Status"],
        [KPI, "1280", "2023", "K", "82526,5", "Värde saknas ej"],
        [KPI, "1280", "2023", "M", "1234567,123456", ""],
        [KPI, "1280", "2023", "T", "0,0000005", ""],
    ]
    path = write_csv(tmp_path / "excel.csv", rows, delimiter=";", encoding="cp1252")
    assert b"\xe4" in Path(path).read_bytes()
    run = import_file(actor=operator(), path=path)
    assert run.status == ImportStatus.DONE and run.created == 3
    assert stored("1280", "K") == Decimal("82526.5")
    assert stored("1280", "M") == Decimal("1234567.123456")
    assert stored("1280", "T") == Decimal("0")  # half-even: 0.0000005 → 0.000000
    assert Observation.objects.get(indicator__code=KPI, organisation__code="1280", gender="K").status == (
        "Värde saknas ej"
    )


@pytest.mark.django_db
def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffkpi;organisation;period;gender;value\r\nN01951;0180;2023;T;1,5\r\n".encode())
    run = import_file(actor=operator(), path=str(path))
    assert run.created == 1 and stored("0180", "T") == Decimal("1.5")


@pytest.mark.django_db
def test_unreadable_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"kpi,organisation,period,gender,value\nN01951,0180,2023,T,1\x81\x8d\n")
    with pytest.raises(ValidationError, match="varken UTF-8 eller Windows-1252"):
        import_file(actor=operator(), path=str(path))
    assert not Observation.objects.filter(indicator__code=KPI).exists()


@pytest.mark.django_db
def test_one_bad_row_names_line_and_column(tmp_path: Path) -> None:
    rows = [HEADER] + [[KPI, "0180", str(year), "T", str(year)] for year in range(1960, 2060)]
    rows[43][3] = "X"  # line 44 of the file
    rows[70][4] = "NaN"
    rows[80][1] = "G0001"
    rows[90][2] = "9999"
    rows.append([KPI, "0180", "1960", "T", "1"])  # the same key as line 2
    with pytest.raises(ValidationError) as refused:
        import_file(actor=operator(), path=write_csv(tmp_path / "bad.csv", rows))
    problems = ImportRun.objects.get().problems
    assert [(p["where"], p["field"]) for p in problems] == [
        ("rad 44", "gender"),
        ("rad 71", "value"),
        ("rad 81", "organisation"),
        ("rad 91", "period"),
        ("rad 102", ""),
    ]
    assert problems[1]["message"] == "inte ett ändligt tal: 'NaN'"
    assert problems[4]["message"] == "samma nyckeltal, organisation, år och kön som rad 2"
    assert "rad 44, gender: ogiltigt kön 'X' (ange T, K eller M)" in refused.value.messages
    assert not Observation.objects.filter(indicator__code=KPI).exists()
    assert not Indicator.objects.filter(code=KPI).exists()


@pytest.mark.django_db
def test_header_and_shape_problems(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kolumner saknas: value"):
        import_file(
            actor=operator(), path=write_csv(tmp_path / "h.csv", [HEADER[:4], [KPI, "0180", "2023", "T"]])
        )
    with pytest.raises(ValidationError, match="okänd kolumn 'colour'"):
        import_file(actor=operator(), path=write_csv(tmp_path / "c.csv", [[*HEADER, "colour"]]))
    with pytest.raises(ValidationError, match="rad 2: 4 fält, rubrikraden har 5"):
        import_file(
            actor=operator(), path=write_csv(tmp_path / "s.csv", [HEADER, [KPI, "0180", "2023", "T"]])
        )


@pytest.mark.django_db
def test_hostile_csv(tmp_path: Path) -> None:
    word = "x" * 1_000_000
    rows = [
        [*HEADER, "status"],
        [KPI, "0180", "2023", "T", "1", "a\x00b"],
        [KPI, "0180", "2023", "K", "1E+400", ""],
        [KPI, "0180", "2023", "M", "Infinity", ""],
        [KPI + "x" * 30, "0180", "2023", "T", "1", ""],
        [KPI, "0180", "2023", "T", "1", "\u202e"],
    ]
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=write_csv(tmp_path / "hostile.csv", rows))
    problems = ImportRun.objects.order_by("-created_at").first().problems  # type: ignore[union-attr]
    assert [(p["where"], p["field"]) for p in problems] == [
        ("rad 2", "status"),
        ("rad 3", "value"),
        ("rad 4", "value"),
        ("rad 5", "kpi"),
        ("rad 6", "status"),
    ]
    with pytest.raises(ValidationError, match="rad 2: raden kan inte läsas som CSV"):
        import_file(
            actor=operator(), path=write_csv(tmp_path / "word.csv", [HEADER, [KPI, word, "2023", "T", "1"]])
        )
    assert not Observation.objects.filter(indicator__code=KPI).exists()


@pytest.mark.django_db
def test_xlsx(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["kpi", "organisation", "period", "gender", "value", "count"],
        [KPI, "0580", 2023, "K", 82526.0, 12],
        [KPI, 580, 2023.0, "M", 0.125, None],  # Excel made the id a number
        [KPI, "0580", "2023", "T", "12,5", None],
        [None, None, None, None, None, None],  # an empty row is skipped
        [KPI, "0001", 2023, "T", -1, None],
    ]
    seen: list[int] = []
    run = import_file(actor=operator(), path=write_xlsx(tmp_path / "data.xlsx", rows), progress=seen.append)
    assert run.format == "xlsx" and run.created == 4 and seen[-1] == 100
    assert stored("0580", "K") == Decimal("82526") and stored("0580", "M") == Decimal("0.125")
    assert stored("0580", "T") == Decimal("12.5") and stored("01", "T", "region") == Decimal("-1")


@pytest.mark.django_db
def test_xlsx_bad_rows_and_bad_file(tmp_path: Path) -> None:
    rows: list[list[object]] = [HEADER, [KPI, "0580", 2023, "K", "tolv"], [KPI, 12, 2023, "K", 1]]
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=write_xlsx(tmp_path / "bad.xlsx", rows))
    problems = ImportRun.objects.get().problems
    assert [(p["where"], p["field"]) for p in problems] == [("rad 2", "value"), ("rad 3", "organisation")]
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError, match="Excel-arbetsbok"):
        import_file(actor=operator(), path=str(path))
    assert not Observation.objects.filter(indicator__code=KPI).exists()


@pytest.mark.django_db
def test_a_sheet_that_breaks_while_its_rows_are_read_is_refused_with_the_row(tmp_path: Path) -> None:
    """openpyxl accepts the workbook and reads the sheet's XML as rows are asked for: a tag that is
    not closed is found on row 3. The run ends refused (it stayed "running" for ever before)."""
    import zipfile

    rows: list[list[object]] = [HEADER, [KPI, "0580", 2023, "K", 1], [KPI, "0580", 2023, "M", 2]]
    good = write_xlsx(tmp_path / "good.xlsx", rows)
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="3"', b'<row r="3"><c r="X3"><v>1</c', 1)
            target.writestr(item, data)
    with pytest.raises(ValidationError, match="Excel-arbetsbok"):
        import_file(actor=operator(), path=str(path))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.finished_at is not None and run.lease_until is None
    assert run.problems[0]["where"] == "rad 3"
    assert not Observation.objects.filter(indicator__code=KPI).exists()


@pytest.mark.django_db
def test_a_fault_while_reading_ends_the_run_as_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong in the reading, the run does not stay "running" with no lease (which
    nothing recovers): it ends failed, saying that nothing was imported, and the fault is raised."""
    from jamkoll.indicators import importers

    def fault(*_args: object) -> None:
        raise RuntimeError("a fault in the reader")

    monkeypatch.setitem(importers.READERS, "csv", fault)
    with pytest.raises(RuntimeError):
        import_file(
            actor=operator(), path=write_csv(tmp_path / "f.csv", [HEADER, [KPI, "0180", "2023", "T", "1"]])
        )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.finished_at is not None and run.lease_until is None
    assert "inget importerades" in run.problems[0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        (["2023", "T", "1.5", "1E+999999"], "count", "antalet '1E+999999' ligger utanför"),
        (["2023", "T", "1.5", "-1E+999999"], "count", "antalet '-1E+999999' ligger utanför"),
    ],
)
def test_a_huge_exponent_is_refused_at_once(
    tmp_path: Path, cells: list[str], field: str, message: str
) -> None:
    """`int(Decimal("1E+999999"))` builds a million-digit integer (about 25 s of the worker's time
    per cell, then Python's own English refusal to print it): the range is compared first."""
    rows = [[*HEADER, "count"], [KPI, "0180", *cells]]
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=write_csv(tmp_path / "e.csv", rows))
    problem = ImportRun.objects.get().problems[0]
    assert (problem["where"], problem["field"]) == ("rad 2", field) and message in problem["message"]


def test_guessing(tmp_path: Path) -> None:
    assert sniff_delimiter("kpi;organisation;period;gender;value\n") == ";"
    assert sniff_delimiter("kpi,organisation,period,gender,value\n") == ","
    (tmp_path / "x").write_bytes(b'  {"values": []}')
    (tmp_path / "y").write_bytes(b"PK\x03\x04")
    (tmp_path / "z").write_bytes(b"kpi,organisation")
    assert [guess_format(str(tmp_path / n)) for n in "xyz"] == ["kolada", "xlsx", "csv"]


# --- value parsing ------------------------------------------------------------------------

finite = st.decimals(min_value=Decimal("-99999999999999"), max_value=Decimal("99999999999999"), places=9)


@given(finite)
def test_values_round_half_even_to_six_places(number: Decimal) -> None:
    parsed = parse_value(number)
    assert parsed is not None
    assert parsed == number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    assert -parsed.as_tuple().exponent <= 6  # type: ignore[operator]
    assert parse_value(str(number)) == parsed
    assert parse_value(str(number).replace(".", ",")) == parsed


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.floats() | st.text(max_size=30))
def test_values_are_parsed_or_refused_never_crash(raw: object) -> None:
    try:
        parsed = parse_value(raw)
    except ValueError as exc:
        assert str(exc)
        return
    if parsed is not None:
        assert parsed.is_finite() and abs(parsed) < Decimal(10) ** 14
        assert -parsed.as_tuple().exponent <= 6  # type: ignore[operator]


def test_value_edges() -> None:
    assert parse_value("2,5") == Decimal("2.5")
    assert parse_value("0.0000025") == Decimal("0.000002")
    assert parse_value("0.0000035") == Decimal("0.000004")
    assert parse_value("") is None and parse_value(None) is None
    for bad in ("NaN", "inf", "1E+400", "1e14", "99999999999999.9999999", "1 000", "12,5,3", True):
        with pytest.raises(ValueError):
            parse_value(bad)


@pytest.mark.django_db
def test_problems_are_capped_with_a_count(tmp_path: Path) -> None:
    rows = [HEADER] + [[KPI, "0180", str(1950 + i % 150), "X", "1"] for i in range(1205)]
    with pytest.raises(ValidationError) as refused:
        import_file(actor=operator(), path=write_csv(tmp_path / "many.csv", rows))
    problems = ImportRun.objects.get().problems
    assert len(problems) == 1001 and problems[-1]["message"] == "och 205 problem till"
    assert refused.value.messages[0] == "filen avvisades (1205 problem), inget importerades"


@pytest.mark.django_db
def test_too_many_unknown_indicators(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jamkoll.indicators import importers

    monkeypatch.setattr(importers, "NEW_INDICATORS_MAX", 2)
    rows = [HEADER] + [[f"X{i}", "0180", "2023", "T", "1"] for i in range(3)]
    with pytest.raises(ValidationError, match="rad 4, kpi: fler än 2 nyckeltal som saknas i katalogen"):
        import_file(actor=operator(), path=write_csv(tmp_path / "new.csv", rows))
    assert not Indicator.objects.filter(code__startswith="X").exists()
