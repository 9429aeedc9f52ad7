"""Key figures (issue 14) under /api/v1/indicators: the catalogue, observations (filtered, paged),
the gap analysis and a trend, and the import runs an analyst starts and a page polls.

Reading is public: for a visitor without a role (the policy's "indicator.view_unsuppressed") a value
resting on a small count is suppressed with every value it could be derived from (`selectors.
suppress`), and no count is shown. Values are decimal strings (`selectors.dec_str`), `null` when
missing. Endpoints do not catch: `jamkoll.api` answers the services' errors with the one error body.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import AfterValidator, ConfigDict, StringConstraints

from jamkoll.accounts.api_auth import user_auth
from jamkoll.accounts.policy import check, require
from jamkoll.api_paging import PageIn, page
from jamkoll.errors import field_error
from jamkoll.reference.models import Organisation
from jamkoll.schema_types import ERRORS, ErrorOut, LongText, Offset, ShortText
from jamkoll.validation import text_problem

from . import selectors, services
from .codes import kolada_id
from .models import CODE_MAX, PERIOD_MAX, PERIOD_MIN, ImportRun, Indicator, Observation

GENERATED_NOTE = "Genererade exempeldata – inte verklig statistik"
PROBLEMS_SHOWN = 1000  # an import run's problems in one answer (the run keeps them all)
LINKS_MAX = 50


def _one_line(value: str) -> str:
    problem = text_problem(value, multiline=False)
    if problem:
        raise ValueError(problem)
    return value


IndicatorCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=CODE_MAX, strip_whitespace=True),
    AfterValidator(_one_line),
]
OrgCode = Annotated[
    str, StringConstraints(min_length=1, max_length=20, strip_whitespace=True), AfterValidator(_one_line)
]
Period = Annotated[int, Field(ge=PERIOD_MIN, le=PERIOD_MAX)]
Level = Literal["kommun", "region", "lan"]
AnyLevel = Literal["kommun", "region", "lan", "riket"]
GenderCode = Literal["T", "K", "M"]
UploadFormat = Literal["kolada", "catalogue", "csv", "xlsx"]
Title = Annotated[ShortText, Field(max_length=500)]
Unit = Annotated[ShortText, Field(max_length=100)]
Description = Annotated[LongText, Field(max_length=10000)]
Numbers = Annotated[list[Annotated[int, Field(ge=1, le=1000)]], Field(max_length=LINKS_MAX)]

router = Router(tags=["indicators"])


def _unsuppressed(request: HttpRequest) -> bool:
    return bool(check(request.user, "indicator.view_unsuppressed"))


# --- Schemas ----------------------------------------------------------------------------------


class LinkOut(Schema):
    number: int
    title: str


class IndicatorOut(Schema):
    code: str
    title: str
    description: str
    unit: str
    source: str
    divided_by_gender: bool
    higher_is_better: bool | None
    provisional: bool  # made from a data file without a catalogue entry; an analyst completes it
    generated: bool  # JämKoll's generated demonstration data, not real statistics
    generated_note: str | None  # "Genererade exempeldata – inte verklig statistik" when generated
    sub_goals: list[LinkOut]
    strategy_objectives: list[LinkOut]


class IndicatorDetailOut(IndicatorOut):
    municipality_type: str
    operating_area: str
    perspective: str
    publication_date: str | None
    years: list[int]  # the years with at least one observation


class IndicatorPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[IndicatorOut]


class IndicatorFilter(PageIn):
    q: Annotated[ShortText, Field(max_length=200)] | None = None
    provisional: bool | None = None
    generated: bool | None = None


class IndicatorPatch(Schema):
    """The catalogue's fields an analyst completes (only those sent change). `sub_goals` and
    `strategy_objectives` are lists of numbers; a title clears the indicator's provisional flag."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    title: Title | None = None
    description: Description | None = None
    unit: Unit | None = None
    higher_is_better: bool | None = None
    sub_goals: Numbers | None = None
    strategy_objectives: Numbers | None = None


class ObservationOut(Schema):
    indicator: str
    organisation: str  # Kolada's id: "0580", "0012" for a region, "0000" Riket; a county's two digits
    code: str  # JämKoll's code
    level: str
    period: int
    gender: str
    value: str | None
    count: int | None  # not shown without the right to see unsuppressed values
    status: str
    suppressed: bool


class ObservationPage(Schema):
    indicator: str
    generated: bool
    generated_note: str | None
    suppressed_below: int | None
    total: int
    limit: int
    offset: int
    items: list[ObservationOut]


class ObservationFilter(Schema):
    indicator: IndicatorCode
    period: Period | None = None
    period_from: Period | None = None
    period_to: Period | None = None
    organisation: OrgCode | None = None
    level: AnyLevel | None = None
    gender: GenderCode | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    offset: Offset = 0


class GapRowOut(Schema):
    code: str
    name: str
    kolada_id: str
    county_code: str | None
    women: str | None
    men: str | None
    total: str | None
    gap: str | None  # women − men
    ratio: str | None  # women / men
    rank: int | None  # by |gap|, smallest first
    previous_gap: str | None
    change: str | None
    suppressed: bool
    women_count: int | None
    men_count: int | None
    total_count: int | None


class GapOut(Schema):
    indicator: str
    title: str
    year: int
    level: str
    generated: bool
    generated_note: str | None
    suppressed_below: int | None
    national: GapRowOut | None
    rows: list[GapRowOut]


class GapFilter(Schema):
    year: Period
    level: Level = "kommun"


class TrendFilter(Schema):
    organisation: OrgCode
    level: AnyLevel | None = None


class TrendPointOut(Schema):
    period: int
    women: str | None
    men: str | None
    total: str | None
    gap: str | None
    ratio: str | None
    women_count: int | None
    men_count: int | None
    total_count: int | None


class TrendOut(Schema):
    indicator: str
    title: str
    organisation: str
    code: str
    level: str
    name: str
    generated: bool
    generated_note: str | None
    suppressed_below: int | None
    points: list[TrendPointOut]


class ProblemOut(Schema):
    where: str
    field: str
    message: str


class ImportRunOut(Schema):
    id: uuid.UUID
    format: str
    filename: str
    status: str
    progress: int  # per cent
    requested_by: str
    created_at: str
    finished_at: str | None
    rows: int
    created: int
    updated: int
    unchanged: int
    indicators_created: int
    problem_count: int


class ImportRunDetailOut(ImportRunOut):
    problems: list[ProblemOut]  # the first PROBLEMS_SHOWN


class ImportRunPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[ImportRunOut]


class ImportFilter(PageIn):
    pass


class UploadIn(Schema):
    format: UploadFormat | None = None


# --- Shaping ----------------------------------------------------------------------------------


def _note(indicator: Indicator) -> str | None:
    return GENERATED_NOTE if indicator.generated else None


def _indicator_out(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "title": indicator.title,
        "description": indicator.description,
        "unit": indicator.unit,
        "source": indicator.source,
        "divided_by_gender": indicator.divided_by_gender,
        "higher_is_better": indicator.higher_is_better,
        "provisional": indicator.provisional,
        "generated": indicator.generated,
        "generated_note": _note(indicator),
        "sub_goals": [{"number": g.number, "title": g.title} for g in indicator.sub_goals.all()],
        "strategy_objectives": [
            {"number": o.number, "title": o.text} for o in indicator.strategy_objectives.all()
        ],
    }


def _indicator_detail(indicator: Indicator) -> dict[str, Any]:
    return {
        **_indicator_out(indicator),
        "municipality_type": indicator.municipality_type,
        "operating_area": indicator.operating_area,
        "perspective": indicator.perspective,
        "publication_date": indicator.publication_date.isoformat() if indicator.publication_date else None,
        "years": selectors.years_with_data(indicator),
    }


def _gap_row_out(row: selectors.GapRow, counts: bool) -> dict[str, Any]:
    return {
        **row.as_dict(),
        "kolada_id": row.kolada_id,
        "county_code": row.county_code,
        "previous_gap": selectors.dec_str(row.previous_gap),
        "change": selectors.dec_str(row.change),
        "suppressed": row.suppressed,
        "women_count": row.women_count if counts else None,
        "men_count": row.men_count if counts else None,
        "total_count": row.total_count if counts else None,
    }


def _run_out(run: ImportRun) -> dict[str, Any]:
    problems = run.problems if isinstance(run.problems, list) else []
    return {
        "id": run.pk,
        "format": run.format,
        "filename": run.filename,
        "status": run.status,
        "progress": run.progress,
        "requested_by": run.requested_by_label,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "rows": run.rows,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "indicators_created": run.indicators_created,
        "problem_count": len(problems),
    }


def _problem(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        return {"where": "", "field": "", "message": str(item)}
    return {k: str(item.get(k, "") or "") for k in ("where", "field", "message")}


# --- The catalogue ----------------------------------------------------------------------------


@router.get(
    "",
    response={200: IndicatorPage, **ERRORS},
    summary="Nyckeltal",
    description="Nyckeltalskatalogen, sorterad på id. `q` söker i titeln (eller exakt id), "
    "`provisional` visar de preliminära (skapade ur en datafil, titeln ännu inte kompletterad), "
    "`generated` de genererade exempeldata. Sidvis: `limit` (högst 500) och `offset`; `total` är "
    "antalet träffar.",
)
def indicators(request: HttpRequest, filters: Query[IndicatorFilter]) -> dict[str, Any]:
    require(request.user, "indicator.view")
    qs = selectors.indicator_list(
        search=filters.q or None, provisional=filters.provisional, generated=filters.generated
    )
    return page(qs, filters, _indicator_out)


# --- Observations and the analysis ------------------------------------------------------------


@router.get(
    "/observations",
    response={200: ObservationPage, **ERRORS},
    summary="Mätvärden",
    description="Ett nyckeltals värden, sidvis (`limit` högst 1000, `offset`; `total` är antalet "
    "träffar). Filter: `period` eller `period_from`/`period_to`, `organisation` (Koladas id som "
    "0580, 0012, 0000, eller JämKolls kod med `level`), `level` (kommun, region, lan, riket) och "
    "`gender` (T, K, M). Värden är decimalsträngar, `null` när värde saknas. Utan roll döljs värden "
    "som vilar på färre än `suppressed_below` personer, och de värden de kan räknas fram ur.",
)
def observations(request: HttpRequest, filters: Query[ObservationFilter]) -> dict[str, Any]:
    require(request.user, "indicator.view")
    target = selectors.indicator_get(filters.indicator)
    if filters.period is not None and (filters.period_from is not None or filters.period_to is not None):
        raise field_error("period", _("ange antingen period eller period_from/period_to"))
    period_from = filters.period if filters.period is not None else filters.period_from
    period_to = filters.period if filters.period is not None else filters.period_to
    if period_from is not None and period_to is not None and period_from > period_to:
        raise field_error("period_from", _("period_from ligger efter period_to"))
    organisation: Organisation | None = None
    if filters.organisation:
        organisation = selectors.organisation_for(filters.organisation, filters.level)
    qs = selectors.observation_list(
        indicator=target,
        period_from=period_from,
        period_to=period_to,
        organisation=organisation,
        level=filters.level if organisation is None else None,
        gender=filters.gender,
    )
    rows: list[Observation] = list(qs[filters.offset : filters.offset + filters.limit])
    unsuppressed = _unsuppressed(request)
    hidden = set() if unsuppressed else selectors.hidden_observations(rows)
    return {
        "indicator": target.code,
        "generated": target.generated,
        "generated_note": _note(target),
        "suppressed_below": None if unsuppressed else selectors.suppress_threshold(),
        "total": qs.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [
            {
                "indicator": target.code,
                "organisation": kolada_id(o.organisation.kind, o.organisation.code),
                "code": o.organisation.code,
                "level": o.organisation.kind,
                "period": o.period,
                "gender": o.gender,
                "value": None if o.pk in hidden else selectors.dec_str(o.value),
                "count": o.count if unsuppressed else None,
                "status": o.status,
                "suppressed": o.pk in hidden,
            }
            for o in rows
        ],
    }


# --- Imports ----------------------------------------------------------------------------------


@router.get(
    "/imports",
    response={200: ImportRunPage, **ERRORS},
    auth=user_auth,
    summary="Importer av nyckeltal",
    description="Importerna, senaste först, med status och förlopp. Kräver rollen analytiker, "
    "samordnare eller systemadministratör.",
)
def imports(request: HttpRequest, filters: Query[ImportFilter]) -> dict[str, Any]:
    require(request.user, "indicator.import")
    return page(selectors.import_run_list(), filters, _run_out)


@router.get(
    "/imports/{uuid:run_id}",
    response={200: ImportRunDetailOut, **ERRORS},
    auth=user_auth,
    summary="En import: status, förlopp och fel",
    description="Det en sida frågar efter medan importen pågår: status, förlopp i procent, antal "
    "nya, ändrade och oförändrade värden, och (för en avvisad fil) varje fel med rad eller "
    "JSON-sökväg.",
)
def import_run(request: HttpRequest, run_id: uuid.UUID) -> dict[str, Any]:
    require(request.user, "indicator.import")
    services.import_runs_recover(pk=run_id)
    run = selectors.import_run_get(run_id)
    problems = run.problems if isinstance(run.problems, list) else []
    return {**_run_out(run), "problems": [_problem(p) for p in problems[:PROBLEMS_SHOWN]]}


@router.post(
    "/imports",
    response={202: ImportRunDetailOut, 413: ErrorOut, **ERRORS},
    auth=user_auth,
    summary="Importera en fil med nyckeltal",
    description="En fil (multipart, fältet `file`) i Koladas format (JSON, version 3 eller 2), "
    "Koladas nyckeltalskatalog, CSV eller XLSX (`format`; annars efter filens ändelse). Importen "
    "körs i bakgrunden: följ den med GET /imports/{id}. Hela filen avvisas om en rad är fel. "
    "Högst 200 MB.",
)
def import_upload(
    request: HttpRequest, file: File[UploadedFile], payload: Form[UploadIn]
) -> tuple[int, dict[str, Any]]:
    try:
        run = services.import_upload(
            actor=request.user,
            name=str(file.name or ""),
            size=file.size or 0,
            chunks=file.chunks(),
            format=payload.format,
        )
    except services.UploadTooLarge as exc:
        raise HttpError(413, " ".join(exc.messages)) from None
    run.refresh_from_db()
    return 202, {**_run_out(run), "problems": [_problem(p) for p in (run.problems or [])[:PROBLEMS_SHOWN]]}


# --- One indicator: the catalogue entry, the analysis -------------------------------------


@router.get(
    "/{code}",
    response={200: IndicatorDetailOut, **ERRORS},
    summary="Ett nyckeltal",
    description="Nyckeltalet med de delmål och målsättningar det följer och de år det har värden för.",
)
def indicator(request: HttpRequest, code: IndicatorCode) -> dict[str, Any]:
    require(request.user, "indicator.view")
    return _indicator_detail(selectors.indicator_get(code))


@router.patch(
    "/{code}",
    response={200: IndicatorDetailOut, **ERRORS},
    auth=user_auth,
    summary="Komplettera ett nyckeltal",
    description="Titel, beskrivning, enhet, riktning (`higher_is_better`, `null`: ingen) och "
    "kopplingar till delmål och målsättningar (listor med nummer). En titel tar bort markeringen "
    "preliminär. Kräver rollen analytiker, samordnare eller systemadministratör.",
)
def indicator_patch(request: HttpRequest, code: IndicatorCode, payload: IndicatorPatch) -> dict[str, Any]:
    require(request.user, "indicator.edit")
    target = selectors.indicator_get(code)
    changes = payload.dict(exclude_unset=True)
    # Only the direction may be emptied: a text sent as null is left as it is.
    changes = {k: v for k, v in changes.items() if v is not None or k == "higher_is_better"}
    services.indicator_update(actor=request.user, indicator=target, **changes)
    return _indicator_detail(selectors.indicator_get(code))


@router.get(
    "/{code}/gap",
    response={200: GapOut, **ERRORS},
    summary="Skillnaden mellan kvinnor och män",
    description="För ett år och en nivå (kommun, region, lan): kvinnors, mäns och totalt värde, "
    "skillnaden (K − M), kvoten (K / M), rangordningen efter skillnadens storlek (1 = minst), "
    "skillnaden året före och förändringen, samt rikets värden. Utan roll döljs värden som vilar "
    "på små antal, med skillnad, kvot och rang, och rangordningen görs om.",
)
def gap(request: HttpRequest, code: IndicatorCode, filters: Query[GapFilter]) -> dict[str, Any]:
    require(request.user, "indicator.view")
    table = selectors.gap_table(indicator=code, year=filters.year, level=filters.level)
    unsuppressed = _unsuppressed(request)
    rows = table.rows if unsuppressed else selectors.suppress(table.rows)
    national = table.national
    if national is not None and not unsuppressed:
        national = selectors.suppress([national])[0]
    return {
        "indicator": table.indicator.code,
        "title": table.indicator.title,
        "year": table.year,
        "level": table.level,
        "generated": table.indicator.generated,
        "generated_note": _note(table.indicator),
        "suppressed_below": None if unsuppressed else selectors.suppress_threshold(),
        "national": _gap_row_out(national, unsuppressed) if national is not None else None,
        "rows": [_gap_row_out(r, unsuppressed) for r in rows],
    }


@router.get(
    "/{code}/trend",
    response={200: TrendOut, **ERRORS},
    summary="Utvecklingen över tid för en organisation",
    description="Varje år med värden för organisationen (Koladas id, eller JämKolls kod med "
    "`level`), äldst först: kvinnor, män, totalt, skillnad och kvot; utan roll med små antal dolda.",
)
def trend(request: HttpRequest, code: IndicatorCode, filters: Query[TrendFilter]) -> dict[str, Any]:
    require(request.user, "indicator.view")
    target = selectors.indicator_get(code)
    organisation = selectors.organisation_for(filters.organisation, filters.level)
    points = selectors.trend(indicator=target, organisation=organisation)
    unsuppressed = _unsuppressed(request)
    if not unsuppressed:
        points = selectors.suppress_points(points)
    last = max((p.period for p in points), default=None)
    name = organisation.name_at(dt.date(last, 12, 31)) if last else organisation.code
    return {
        "indicator": target.code,
        "title": target.title,
        "organisation": kolada_id(organisation.kind, organisation.code),
        "code": organisation.code,
        "level": organisation.kind,
        "name": name,
        "generated": target.generated,
        "generated_note": _note(target),
        "suppressed_below": None if unsuppressed else selectors.suppress_threshold(),
        "points": [
            {
                "period": p.period,
                "women": selectors.dec_str(p.women),
                "men": selectors.dec_str(p.men),
                "total": selectors.dec_str(p.total),
                "gap": selectors.dec_str(p.gap),
                "ratio": selectors.dec_str(p.ratio),
                "women_count": p.women_count if unsuppressed else None,
                "men_count": p.men_count if unsuppressed else None,
                "total_count": p.total_count if unsuppressed else None,
            }
            for p in points
        ],
    }
