"""Schemas of the reference data documents (the CSVs and `policy_goals.json`), and the base and
types that every data document's schema builds on (`programmes.schemas`, `plans.schemas`).

A schema declares every key of its document with a type and a bound (`jamkoll.schema_types`):
a missing key, a misspelt one (`extra="forbid"`), a wrong type or a bad value is refused with its
place (`jamkoll.seeding.document_parse`). JSON documents are validated strictly — `"2018"` is not a
year, `1` is not `true` — except where a value can only be written as a string (dates, choices).
Imported only by the loaders, when a document is read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from jamkoll.schema_types import ApiDate, Code, LongText, ShortText

from .models import OrganisationCategory, OrganisationKind

T = TypeVar("T")


class Document(BaseModel):
    """A part of a data document: every key declared, none unknown, no type coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError("ogiltigt datum (ÅÅÅÅ-MM-DD)")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("ogiltigt datum (ÅÅÅÅ-MM-DD)") from None
    return value


def _blank_none(value: Any) -> Any:
    return None if value == "" else value


# A date written "ÅÅÅÅ-MM-DD" (never a timestamp), within the dates the system deals in.
DocDate = Annotated[ApiDate, BeforeValidator(_iso_date)]
# For a CSV column, where an empty cell means "not stated".
CsvDate = Annotated[DocDate | None, BeforeValidator(_blank_none)]
# A choice from a model's TextChoices, written as its value ("agreement"): `Annotated[DecisionKind, CHOICE]`.
CHOICE = Field(strict=False)
# A list in a document, bounded so that no document (or API body) can ask for a million rows.
Items = Annotated[list[T], Field(max_length=1000)]
# A required text: `Annotated[ShortText, NONEMPTY]`.
NONEMPTY = Field(min_length=1)
Number = Annotated[int, Field(ge=1, le=999)]
Title = Annotated[ShortText, NONEMPTY]


def _digits(n: int, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) != n or not value.isascii() or not value.isdigit():
            raise ValueError(f"{what} ska vara {'två' if n == 2 else 'fyra'} siffror: {value[:20]!r}")
        return value

    return AfterValidator(check)


CountyCode = Annotated[str, StringConstraints(max_length=10), _digits(2, "länskod")]
MunicipalityCode = Annotated[str, StringConstraints(max_length=10), _digits(4, "kommunkod")]
OrgCode = Annotated[Code, Field(max_length=20)]


# --- the CSVs: one schema per row (every value a string; an empty cell is "not stated") --------


class CountyRow(Document):
    code: CountyCode
    name: Title


class MunicipalityRow(Document):
    code: MunicipalityCode
    name: Title
    county_code: CountyCode


class RegionNameRow(Document):
    county_code: CountyCode
    name: Title
    valid_from: CsvDate
    valid_to: CsvDate
    form: Annotated[ShortText, Field(max_length=20)]
    note: LongText


class OrganisationRow(Document):
    code: Annotated[OrgCode, NONEMPTY]
    kind: Annotated[OrganisationKind, CHOICE]
    category: Annotated[OrganisationCategory, CHOICE]
    parent: OrgCode
    county_code: Annotated[CountyCode | None, BeforeValidator(_blank_none)]
    valid_from: CsvDate
    valid_to: CsvDate
    note: LongText
    source: ShortText


class OrganisationNameRow(Document):
    kind: Annotated[OrganisationKind, CHOICE]
    code: Annotated[OrgCode, NONEMPTY]
    name: Title
    short_name: Annotated[ShortText, Field(max_length=40)]
    form: Annotated[ShortText, Field(max_length=20)]
    valid_from: CsvDate
    valid_to: CsvDate
    source: ShortText


# --- policy_goals.json ---------------------------------------------------------------------


class SubGoalDoc(Document):
    number: Number
    title: Title
    text: Annotated[LongText, NONEMPTY]


class StrategyObjectiveDoc(Document):
    number: Number
    text: Annotated[LongText, NONEMPTY]


class PolicyGoalsDocument(Document):
    """The six sub-goals of the gender-equality policy and the strategy's four objectives."""

    source: ShortText
    sub_goals: Items[SubGoalDoc]
    strategy_objectives: Items[StrategyObjectiveDoc]
