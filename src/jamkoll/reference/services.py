"""Writes for reference data: loading the packaged data files (idempotent, all-or-nothing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction

from jamkoll.accounts.policy import require
from jamkoll.seeding import Existing, Place, SeedReport, document_parse, read_csv, read_json, upsert

from .models import (
    Organisation,
    OrganisationCategory,
    OrganisationKind,
    OrganisationName,
    PolicySubGoal,
    StrategyObjective,
)
from .schemas import (
    CountyRow,
    Document,
    MunicipalityRow,
    OrganisationNameRow,
    OrganisationRow,
    PolicyGoalsDocument,
    RegionNameRow,
)

PACKAGE = "jamkoll.reference"
R = TypeVar("R", bound=Document)


def _rows(file: str, schema: type[R]) -> list[tuple[Place, R]]:
    """Every row of a packaged CSV validated by its schema, with its place (file and line)."""
    rows = []
    for line, raw in read_csv(PACKAGE, file):
        place = Place(file, line=line)
        rows.append((place, document_parse(schema, raw, place=place)))
    return rows


@dataclass
class _Known:
    """The organisations and their names, read once for the whole load (issue 16)."""

    organisations: Existing[Organisation] = field(
        default_factory=lambda: Existing(Organisation, ("kind", "code"))
    )
    names: Existing[OrganisationName] = field(
        default_factory=lambda: Existing(OrganisationName, ("organisation", "valid_from"))
    )


def _set_name(
    org: Organisation,
    *,
    known: _Known,
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
        existing=known.names,
    )


def _load_counties(report: SeedReport, known: _Known) -> dict[str, Organisation]:
    counties: dict[str, Organisation] = {}
    for _place, row in _rows("counties.csv", CountyRow):
        county = upsert(
            Organisation,
            {"kind": OrganisationKind.LAN, "code": row.code},
            {"source": "SCB länskoder"},
            report=report,
            existing=known.organisations,
        )
        _set_name(county, known=known, name=row.name, source="SCB", report=report)
        counties[row.code] = county
    return counties


def _county(counties: dict[str, Organisation], code: str, place: Place) -> Organisation:
    county = counties.get(code)
    if county is None:
        raise place.error(f"okänt län {code!r}")
    return county


def _load_municipalities(counties: dict[str, Organisation], report: SeedReport, known: _Known) -> None:
    for place, row in _rows("municipalities.csv", MunicipalityRow):
        county = _county(counties, row.county_code, place.at("county_code"))
        if not row.code.startswith(row.county_code):
            raise place.at("code").error(
                f"kommunkoden {row.code} börjar inte med länskoden {row.county_code}"
            )
        kommun = upsert(
            Organisation,
            {"kind": OrganisationKind.KOMMUN, "code": row.code},
            {"county": county, "source": "SCB kommunkoder"},
            report=report,
            existing=known.organisations,
        )
        _set_name(kommun, known=known, name=row.name, source="SCB", report=report)


def _load_regions(counties: dict[str, Organisation], report: SeedReport, known: _Known) -> None:
    """One region per county, with the names it has had; its note is what its rows say (Gotland's
    region is a municipality)."""
    rows = _rows("region_names.csv", RegionNameRow)
    notes: dict[str, list[str]] = {}
    for _place, row in rows:
        notes.setdefault(row.county_code, [])
        if row.note:
            notes[row.county_code].append(row.note)
    for place, row in rows:
        region = upsert(
            Organisation,
            {"kind": OrganisationKind.REGION, "code": row.county_code},
            {
                "county": _county(counties, row.county_code, place.at("county_code")),
                "note": " ".join(notes[row.county_code]),
                "source": "Kommunallagen (2017:725); regionernas egna uppgifter",
            },
            report=report,
            existing=known.organisations,
        )
        _set_name(
            region,
            known=known,
            name=row.name,
            form=row.form,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            source="region_names.csv",
            report=report,
        )


def _load_county_boards(counties: dict[str, Organisation], report: SeedReport, known: _Known) -> None:
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
            existing=known.organisations,
        )
        county_name = county.names.get().name
        _set_name(
            board,
            known=known,
            name=f"Länsstyrelsen i {county_name}",
            short_name="Länsstyrelsen",
            report=report,
        )


def _load_other(counties: dict[str, Organisation], report: SeedReport, known: _Known) -> None:
    by_code: dict[str, Organisation] = {}
    for place, row in _rows("organisations.csv", OrganisationRow):
        county = _county(counties, row.county_code, place.at("county_code")) if row.county_code else None
        parent = None
        if row.parent:
            parent = by_code.get(row.parent)
            if parent is None:
                raise place.at("parent").error(f"överordnad {row.parent!r} måste stå före raden")
        with place.model_errors():
            by_code[row.code] = upsert(
                Organisation,
                {"kind": row.kind, "code": row.code},
                {
                    "category": row.category,
                    "county": county,
                    "parent": parent,
                    "valid_from": row.valid_from,
                    "valid_to": row.valid_to,
                    "note": row.note,
                    "source": row.source,
                },
                report=report,
                existing=known.organisations,
            )
    for place, name in _rows("organisation_names.csv", OrganisationNameRow):
        org = by_code.get(name.code)
        if org is None or org.kind != name.kind:
            raise place.at("code").error(f"okänd organisation {name.kind}/{name.code}")
        with place.model_errors():
            _set_name(
                org,
                known=known,
                name=name.name,
                short_name=name.short_name,
                form=name.form,
                valid_from=name.valid_from,
                valid_to=name.valid_to,
                source=name.source,
                report=report,
            )


def _load_goals(report: SeedReport) -> None:
    file = "policy_goals.json"
    data = document_parse(PolicyGoalsDocument, read_json(PACKAGE, file), place=Place(file))
    for goal in data.sub_goals:
        upsert(
            PolicySubGoal,
            {"number": goal.number},
            {"title": goal.title, "text": goal.text, "source": data.source},
            report=report,
        )
    for objective in data.strategy_objectives:
        upsert(
            StrategyObjective,
            {"number": objective.number},
            {"text": objective.text, "source": data.source},
            report=report,
        )


@transaction.atomic
def reference_seed(*, actor: Any, report: SeedReport | None = None) -> SeedReport:
    """Load every reference data file. All or nothing; a second run changes nothing. `actor`:
    the seed loader, or whoever may change reference data."""
    require(actor, "reference.change")
    report = report or SeedReport()
    known = _Known()
    counties = _load_counties(report, known)
    _load_municipalities(counties, report, known)
    _load_regions(counties, report, known)
    _load_county_boards(counties, report, known)
    _load_other(counties, report, known)
    _load_goals(report)
    return report
