"""The indicator explorer (public, with small counts suppressed), its downloads, the county page, the
import from the web with its progress page, and the form that completes a catalogue entry.

Thin: the query string is read leniently (a year without values, an unknown level, a 1 MB `org`
fall back to the defaults with a notice, never a server error), the policy decides, the selectors
and `explorer` compute, the templates draw.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from jamkoll.accounts.policy import check, require
from jamkoll.errors import NotFound, form_add_errors
from jamkoll.reference.models import Organisation, OrganisationKind
from jamkoll.reference.selectors import sub_goal_list
from jamkoll.validation import text_problem

from . import charts, explorer, services
from .formatting import decimals_of
from .forms import ImportForm, IndicatorEditForm
from .models import PERIOD_MAX, PERIOD_MIN, ImportRun, ImportStatus, Indicator
from .selectors import (
    GapRow,
    gap_table,
    indicator_get,
    indicator_list,
    suppress_points,
    suppress_threshold,
    trend,
    years_with_data,
)

LEVELS = (
    ("kommun", gettext_lazy("Kommuner")),
    ("region", gettext_lazy("Regioner")),
    ("lan", gettext_lazy("Län")),
)
LIST_PAGE_SIZE = 25
SEARCH_MAX = 200


def _int(value: str | None, low: int, high: int) -> int | None:
    if value is None or not re.fullmatch(r"\d{1,6}", value):
        return None
    number = int(value)
    return number if low <= number <= high else None


# --- The catalogue --------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, "indicator.view")
    raw = request.GET.get("q", "")
    query = " ".join(raw.split())
    problem = text_problem(query, multiline=False, max_length=SEARCH_MAX) if query else None
    goals = list(sub_goal_list().order_by("number"))
    goal_number = _int(request.GET.get("delmal"), 1, 99)
    goal = next((g for g in goals if g.number == goal_number), None)
    qs = indicator_list(search=None if problem else query or None)
    if goal is not None:
        qs = qs.filter(sub_goals=goal)
    page = Paginator(qs, LIST_PAGE_SIZE).get_page(_int(request.GET.get("sida"), 1, 100000) or 1)
    keep = {k: v for k, v in (("q", "" if problem else query), ("delmal", goal.number if goal else "")) if v}
    return render(
        request,
        "indicators/index.html",
        {
            "page": page,
            "query": "" if problem else query,
            "problem": problem,
            "goals": goals,
            "goal": goal,
            "filter_query": urlencode(keep),
            "can_import": check(request.user, "indicator.import"),
            "search_max": SEARCH_MAX,
        },
        status=400 if problem else 200,
    )


# --- One indicator, a year and a level ----------------------------------------------------------


@dataclass
class Choice:
    """What the query string asked for, what is shown, and why it differs."""

    indicator: Indicator
    years: list[int]
    year: int | None
    level: str
    notices: list[str]


def _choose(request: HttpRequest, code: str) -> Choice:
    indicator = indicator_get(code)
    years = years_with_data(indicator)
    notices: list[str] = []
    level = request.GET.get("niva", "kommun")
    if level not in dict(LEVELS):
        notices.append(_("Okänd nivå; kommunerna visas."))
        level = "kommun"
    raw_year = request.GET.get("ar")
    year = _int(raw_year, PERIOD_MIN, PERIOD_MAX)
    if raw_year and year not in years:
        if years:
            notices.append(
                _("Det finns inga värden för år %(asked)s; det senaste året med värden, %(year)s, visas.")
                % {"asked": (raw_year or "")[:10], "year": years[-1]}
            )
        year = None
    if year is None and years:
        year = years[-1]
    return Choice(indicator, years, year, level, notices)


def _public(request: HttpRequest) -> bool:
    return not check(request.user, "indicator.view_unsuppressed")


def _title(choice: Choice, county: GapRow | None = None) -> str:
    where = county.name if county else dict(LEVELS)[choice.level].lower()
    return _("%(title)s, %(where)s %(year)s") % {
        "title": choice.indicator.title,
        "where": where,
        "year": choice.year,
    }


def _trend_org(
    request: HttpRequest, ex: explorer.Explorer, default: GapRow | None = None
) -> tuple[GapRow | None, Organisation | None]:
    """The organisation of the trend chart: `?org=<Kolada id>` among the page's organisations,
    else `default` (the county on a county's page), else the nation."""
    wanted = request.GET.get("org", "")
    candidates = [line.row for line in ex.lines] + ([ex.national] if ex.national else [])
    candidates += list(ex.table.counties.values())
    row = None
    if 0 < len(wanted) <= 4:
        row = next((r for r in candidates if r.kolada_id == wanted), None)
    if row is None:
        row = default or ex.national
    if row is None:
        return None, None
    return row, Organisation.objects.filter(kind=row.kind, code=row.code).first()


def _charts(
    choice: Choice,
    ex: explorer.Explorer,
    trend_row: GapRow | None,
    org: Organisation | None,
    public: bool,
    county: GapRow | None = None,
) -> dict[str, Any]:
    indicator = choice.indicator
    generated = indicator.generated
    where = _title(choice, county)
    chosen = trend_row.kolada_id if trend_row else ""
    gap_lines = [line for line in ex.lines if line.row.gap is not None]
    gap_items = [
        charts.GapItem(line.row.name, line.row.gap, line.row.kolada_id == chosen)  # type: ignore[arg-type]
        for line in gap_lines
    ]
    positive = sum(1 for i in gap_items if i.gap > 0)
    gap_svg = charts.gap_chart(
        gap_items,
        chart_id="gap-chart",
        title=_("Skillnad mellan kvinnor och män (K − M): %(where)s") % {"where": where},
        description=_(
            "Stapeldiagram över %(n)s organisationer sorterade efter skillnaden. "
            "I %(pos)s är kvinnornas värde högre, i %(neg)s männens."
        )
        % {"n": len(gap_items), "pos": positive, "neg": sum(1 for i in gap_items if i.gap < 0)},
        generated=generated,
        axis=_("K − M, %(unit)s") % {"unit": _gap_unit(indicator.unit)} if indicator.unit else _("K − M"),
    )
    scatter_items = [
        charts.ScatterItem(line.row.name, line.row.women, line.row.men, line.row.kolada_id == chosen)
        for line in ex.lines
        if line.row.women is not None and line.row.men is not None
    ]
    scatter_svg = charts.scatter_chart(
        scatter_items,
        chart_id="scatter-chart",
        title=_("Kvinnors värde mot mäns: %(where)s") % {"where": where},
        description=_(
            "Punktdiagram med en punkt per organisation, männens värde på den vågräta axeln "
            "och kvinnornas på den lodräta. Den streckade linjen är lika värden."
        ),
        generated=generated,
    )
    points = trend(indicator=indicator, organisation=org) if org is not None else []
    if public:
        points = suppress_points(points)
    trend_items = [charts.TrendItem(p.period, p.women, p.men, p.total) for p in points]
    trend_title = _("%(title)s över tid: %(name)s") % {
        "title": indicator.title,
        "name": trend_row.name if trend_row else "–",
    }
    trend_svg = charts.trend_chart(
        trend_items,
        chart_id="trend-chart",
        title=trend_title,
        description=_("Linjediagram för kvinnor, män och totalt, %(first)s–%(last)s.")
        % {"first": points[0].period if points else "–", "last": points[-1].period if points else "–"},
        generated=generated,
    )
    return {
        "gap_chart": gap_svg,
        "gap_lines": sorted(gap_lines, key=lambda line: (-line.row.gap, line.row.name)),
        "scatter_chart": scatter_svg,
        "scatter_lines": [
            line for line in ex.lines if line.row.women is not None and line.row.men is not None
        ],
        "trend_chart": trend_svg,
        "trend_points": points,
        "trend_row": trend_row,
        "trend_title": trend_title,
    }


def _gap_unit(unit: str) -> str:
    """The unit of a difference: a difference of percentages is in percentage points."""
    return _("procentenheter") if unit.strip().lower() in {"procent", "%", "andel (%)"} else unit


SORT_LABELS = {
    "rang": gettext_lazy("Rang"),
    "namn": gettext_lazy("Namn"),
    "kvinnor": gettext_lazy("Kvinnor"),
    "man": gettext_lazy("Män"),
    "totalt": gettext_lazy("Totalt"),
    "skillnad": gettext_lazy("Skillnad K−M"),
    "kvot": gettext_lazy("Kvot K/M"),
    "forandring": gettext_lazy("Förändring"),
}


def _table_state(request: HttpRequest, ex: explorer.Explorer, base: dict[str, Any]) -> dict[str, Any]:
    """Sorting and paging of the table on the server: `?sortera=&ordning=&sida=&visa=alla`."""
    key = request.GET.get("sortera", "rang")
    if key not in explorer.SORTS:
        key = "rang"
    descending = request.GET.get("ordning") == "fallande"
    lines = explorer.sort_lines(ex.lines, key, descending)
    show_all = request.GET.get("visa") == "alla"
    paginator = Paginator(lines, max(len(lines), 1) if show_all else explorer.PAGE_SIZE)
    page = paginator.get_page(_int(request.GET.get("sida"), 1, 100000) or 1)
    keep = {k: v for k, v in base.items() if v not in (None, "")}
    sort_links = []
    for name, label in SORT_LABELS.items():
        next_desc = (not descending) if name == key else False
        params = {**keep, "sortera": name, **({"ordning": "fallande"} if next_desc else {})}
        if show_all:
            params["visa"] = "alla"
        sort_links.append(
            {
                "key": name,
                "label": label,
                "url": "?" + urlencode(params) + "#tabell",
                "active": name == key,
                "aria": ("descending" if descending else "ascending") if name == key else "none",
            }
        )
    paging = {**keep, "sortera": key, **({"ordning": "fallande"} if descending else {})}
    return {
        "page": page,
        "show_all": show_all,
        "sort_links": {s["key"]: s for s in sort_links},
        "paging_query": urlencode(paging),
        "sort_key": key,
        "descending": descending,
    }


def _org_choices(ex: explorer.Explorer) -> list[tuple[str, str]]:
    out = [(ex.national.kolada_id, ex.national.name)] if ex.national else []
    if ex.table.level == "kommun":
        out += sorted(((c.kolada_id, c.name) for c in ex.table.counties.values()), key=lambda c: c[1])
    out += sorted(((line.row.kolada_id, line.row.name) for line in ex.lines), key=lambda c: c[1])
    return out


@require_safe
def detail(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "indicator.view")
    choice = _choose(request, code)
    return _explorer_page(request, choice)


@require_safe
def county_page(request: HttpRequest, code: str, county: str) -> HttpResponse:
    require(request.user, "indicator.view")
    choice = _choose(request, code)
    choice.level = "kommun"
    if not re.fullmatch(r"\d{2}", county) or county == "00":
        raise NotFound(_("okänt län %(code)r") % {"code": county[:10]})
    return _explorer_page(request, choice, county=county)


def _explorer_page(request: HttpRequest, choice: Choice, county: str | None = None) -> HttpResponse:
    public = _public(request)
    context: dict[str, Any] = {
        "indicator": choice.indicator,
        "choice": choice,
        "levels": LEVELS,
        "public": public,
        "threshold": suppress_threshold(),
        "can_edit": check(request.user, "indicator.edit"),
        "can_import": check(request.user, "indicator.import"),
        "county_code": county,
    }
    if choice.year is None:
        if (
            county is not None
            and not Organisation.objects.filter(kind=OrganisationKind.LAN, code=county).exists()
        ):
            raise NotFound(_("okänt län %(code)r") % {"code": county})
        return render(request, "indicators/detail.html", context)
    table = gap_table(indicator=choice.indicator, year=choice.year, level=choice.level)
    county_row = None
    if county is not None:
        county_row = table.counties.get(county)
        if county_row is None:
            raise NotFound(_("okänt län %(code)r") % {"code": county})
    ex = explorer.explore(table=table, public=public, county=county)
    if county_row is not None and public:
        county_row = explorer.suppress_one(county_row)
    trend_row, org = _trend_org(request, ex, county_row)
    base = {
        "ar": choice.year,
        "niva": choice.level if county is None else "",
        "org": trend_row.kolada_id if trend_row and request.GET.get("org") else "",
    }
    downloads = {"ar": choice.year, "niva": choice.level, **({"lan": county} if county else {})}
    figures = [ex.national, county_row, *(line.row for line in ex.lines), *(line.county for line in ex.lines)]
    places = decimals_of(v for r in figures if r is not None for v in (r.women, r.men, r.total))
    context.update(
        {
            "places": places,
            "ex": ex,
            "county": county_row,
            "title": _title(choice, county_row),
            "table": _table_state(request, ex, base),
            "org_choices": _org_choices(ex),
            "download_query": urlencode(downloads),
            "national": ex.national,
            "with_county_column": choice.level == "kommun" and county is None,
            **_charts(choice, ex, trend_row, org, public, county_row),
        }
    )
    return render(request, "indicators/detail.html", context)


@require_safe
def download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    require(request.user, "indicator.view")
    if fmt not in {"csv", "xlsx"}:
        raise NotFound(_("okänt filformat %(fmt)r") % {"fmt": fmt[:10]})
    choice = _choose(request, code)
    if choice.year is None:
        raise NotFound(_("Nyckeltalet har inga värden ännu."))
    county = request.GET.get("lan")
    if county is not None and not re.fullmatch(r"\d{2}", county):
        county = None
    if county is not None:
        choice.level = "kommun"
    table = gap_table(indicator=choice.indicator, year=choice.year, level=choice.level)
    county_row = table.counties.get(county) if county else None
    ex = explorer.explore(table=table, public=_public(request), county=county if county_row else None)
    title = f"{choice.indicator.code} {_title(choice, county_row)}"
    safe_code = re.sub(r"[^A-Za-z0-9]", "", choice.indicator.code)
    name = f"nyckeltal-{safe_code}-{choice.year}-{county or choice.level}"
    if fmt == "csv":
        response = HttpResponse(explorer.to_csv(ex, title), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            explorer.to_xlsx(ex, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- Import and editing ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "indicator.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = services.import_upload(
                    actor=request.user,
                    name=str(upload.name or ""),
                    size=upload.size or 0,
                    chunks=upload.chunks(),
                    format=form.cleaned_data["format"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc, {"filename": "file", "stored_file": "file"})
            else:
                return redirect("indicators:import_status", pk=run.pk)
        status = 400
    recent = ImportRun.objects.select_related("requested_by").order_by("-created_at")[:10]
    return render(
        request,
        "indicators/import.html",
        {"form": form, "recent": recent, "max_mb": services.upload_limit_bytes() // (1024 * 1024)},
        status=status,
    )


@login_required
@require_safe
def import_status(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    require(request.user, "indicator.import")
    services.import_runs_recover(pk=pk)  # a run whose process died says so instead of "pågår"
    run = ImportRun.objects.filter(pk=pk).first()
    if run is None:
        raise NotFound(_("Importen finns inte."))
    context = {"run": run, "running": run.status in {ImportStatus.QUEUED, ImportStatus.RUNNING}}
    if getattr(request, "htmx", False):
        return render(request, "indicators/_import_progress.html", context)
    return render(request, "indicators/import_status.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "indicator.edit")
    indicator = indicator_get(code)
    form = IndicatorEditForm.for_indicator(indicator, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.indicator_update(actor=request.user, indicator=indicator, **form.service_fields())
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("Nyckeltalet är sparat."))
                return redirect(reverse("indicators:detail", args=[indicator.code]))
        status = 400
    return render(request, "indicators/edit.html", {"indicator": indicator, "form": form}, status=status)
