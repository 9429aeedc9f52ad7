"""Writes for reference data: loading the packaged data files (idempotent, all-or-nothing)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from django.db import transaction

from jamkoll.seeding import SeedError, SeedReport, read_csv, upsert

from .models import (
    Organisation,
    OrganisationCategory,
    OrganisationKind,
    OrganisationName,
    PolicySubGoal,
    StrategyObjective,
)

PACKAGE = "jamkoll.reference"
GOTLAND_NOTE = (
    "Gotland har inget landsting: kommunen Gotland (0980) har landstingets, sedan 2019 "
    "regionens, uppgifter och heter Region Gotland sedan 2011-01-01."
)


def _date(value: str, *, file: str, line: int, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise SeedError(f"ogiltigt datum {value!r} (ÅÅÅÅ-MM-DD)", file=file, line=line, field=field) from exc


def _set_name(
    org: Organisation,
    *,
    name: str,
    short_name: str = "",
    form: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    source: str = "",
    report: SeedReport,
) -> None:
    upsert(
        OrganisationName,
        {"organisation": org, "valid_from": valid_from},
        {"name": name, "short_name": short_name, "form": form, "valid_to": valid_to, "source": source},
        report=report,
    )


def _load_counties(report: SeedReport) -> dict[str, Organisation]:
    counties: dict[str, Organisation] = {}
    for line, row in read_csv(PACKAGE, "counties.csv"):
        code = row["code"]
        if len(code) != 2 or not code.isdigit():
            raise SeedError(
                f"länskod ska vara två siffror: {code!r}", file="counties.csv", line=line, field="code"
            )
        county = upsert(
            Organisation,
            {"kind": OrganisationKind.LAN, "code": code},
            {"source": "SCB länskoder"},
            report=report,
        )
        _set_name(county, name=row["name"], source="SCB", report=report)
        counties[code] = county
    return counties


def _load_municipalities(counties: dict[str, Organisation], report: SeedReport) -> None:
    file = "municipalities.csv"
    for line, row in read_csv(PACKAGE, file):
        code, county_code = row["code"], row["county_code"]
        if len(code) != 4 or not code.isdigit():
            raise SeedError(f"kommunkod ska vara fyra siffror: {code!r}", file=file, line=line, field="code")
        if county_code not in counties:
            raise SeedError(f"okänt län {county_code!r}", file=file, line=line, field="county_code")
        if not code.startswith(county_code):
            raise SeedError(
                f"kommunkoden {code} börjar inte med länskoden {county_code}",
                file=file,
                line=line,
                field="code",
            )
        kommun = upsert(
            Organisation,
            {"kind": OrganisationKind.KOMMUN, "code": code},
            {"county": counties[county_code], "source": "SCB kommunkoder"},
            report=report,
        )
        _set_name(kommun, name=row["name"], source="SCB", report=report)


def _load_regions(counties: dict[str, Organisation], report: SeedReport) -> None:
    file = "region_names.csv"
    for line, row in read_csv(PACKAGE, file):
        county_code = row["county_code"]
        if county_code not in counties:
            raise SeedError(f"okänt län {county_code!r}", file=file, line=line, field="county_code")
        region = upsert(
            Organisation,
            {"kind": OrganisationKind.REGION, "code": county_code},
            {
                "county": counties[county_code],
                "note": GOTLAND_NOTE if county_code == "09" else "",
                "source": "Kommunallagen (2017:725); regionernas egna uppgifter",
            },
            report=report,
        )
        _set_name(
            region,
            name=row["name"],
            form=row["form"],
            valid_from=_date(row["valid_from"], file=file, line=line, field="valid_from"),
            valid_to=_date(row["valid_to"], file=file, line=line, field="valid_to"),
            source="region_names.csv",
            report=report,
        )


def _load_county_boards(counties: dict[str, Organisation], report: SeedReport) -> None:
    """The 21 länsstyrelser, which the documents name as partners (seed 001 §6, seed 003)."""
    for code, county in counties.items():
        board = upsert(
            Organisation,
            {"kind": OrganisationKind.OTHER, "code": f"LST{code}"},
            {
                "category": OrganisationCategory.COUNTY_ADMINISTRATIVE_BOARD,
                "county": county,
                "source": "seed 001 §6.1, §6.3; seed 003",
            },
            report=report,
        )
        county_name = county.names.get().name
        _set_name(board, name=f"Länsstyrelsen i {county_name}", short_name="Länsstyrelsen", report=report)


def _load_other(counties: dict[str, Organisation], report: SeedReport) -> None:
    file = "organisations.csv"
    by_code: dict[str, Organisation] = {}
    rows = list(read_csv(PACKAGE, file))
    for line, row in rows:
        kind = row["kind"]
        if kind not in OrganisationKind.values:
            raise SeedError(f"okänd typ {kind!r}", file=file, line=line, field="kind")
        if row["category"] not in OrganisationCategory.values:
            raise SeedError(f"okänd kategori {row['category']!r}", file=file, line=line, field="category")
        county = None
        if row["county_code"]:
            county = counties.get(row["county_code"])
            if county is None:
                raise SeedError(
                    f"okänt län {row['county_code']!r}", file=file, line=line, field="county_code"
                )
        parent = None
        if row["parent"]:
            parent = by_code.get(row["parent"])
            if parent is None:
                raise SeedError(
                    f"överordnad {row['parent']!r} måste stå före raden", file=file, line=line, field="parent"
                )
        by_code[row["code"]] = upsert(
            Organisation,
            {"kind": kind, "code": row["code"]},
            {
                "category": row["category"],
                "county": county,
                "parent": parent,
                "valid_from": _date(row["valid_from"], file=file, line=line, field="valid_from"),
                "valid_to": _date(row["valid_to"], file=file, line=line, field="valid_to"),
                "note": row["note"],
                "source": row["source"],
            },
            report=report,
        )
    file = "organisation_names.csv"
    for line, row in read_csv(PACKAGE, file):
        org = by_code.get(row["code"])
        if org is None or org.kind != row["kind"]:
            raise SeedError(
                f"okänd organisation {row['kind']}/{row['code']}", file=file, line=line, field="code"
            )
        _set_name(
            org,
            name=row["name"],
            short_name=row["short_name"],
            form=row["form"],
            valid_from=_date(row["valid_from"], file=file, line=line, field="valid_from"),
            valid_to=_date(row["valid_to"], file=file, line=line, field="valid_to"),
            source=row["source"],
            report=report,
        )


def _load_goals(report: SeedReport) -> None:
    data = json.loads(resources.files(PACKAGE).joinpath("data", "policy_goals.json").read_text("utf-8"))
    source = data["source"]
    for goal in data["sub_goals"]:
        upsert(
            PolicySubGoal,
            {"number": goal["number"]},
            {"title": goal["title"], "text": goal["text"], "source": source},
            report=report,
        )
    for objective in data["strategy_objectives"]:
        upsert(
            StrategyObjective,
            {"number": objective["number"]},
            {"text": objective["text"], "source": source},
            report=report,
        )


@transaction.atomic
def reference_seed(*, report: SeedReport | None = None) -> SeedReport:
    """Load every reference data file. All or nothing; a second run changes nothing."""
    report = report or SeedReport()
    counties = _load_counties(report)
    _load_municipalities(counties, report)
    _load_regions(counties, report)
    _load_county_boards(counties, report)
    _load_other(counties, report)
    _load_goals(report)
    return report
