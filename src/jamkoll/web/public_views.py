"""The public's pages (issue 15, no login): the start page for an anonymous visitor, one page per
decision and year (decided, allocated, requisitioned, paid out, spent and repaid, nationally and
per county; the obligations and whether they were met on time; the published reports; the
sources), one page per county and year, and the same summary as JSON. Everything is read
through `jamkoll.web.public`, which exposes sums and dates only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jamkoll.accounts.policy import require
from jamkoll.errors import NotFound
from jamkoll.programmes import selectors
from jamkoll.programmes.selectors import as_of, county_name_map
from jamkoll.validation import YEAR_MAX, YEAR_MIN, int_param

from . import public


@require_safe
def public_home(request: HttpRequest) -> HttpResponse:
    """The start page for an anonymous visitor: the programmes, and per decision and year a link
    to its money and reports (one click), from which a county's figures are one click more."""
    require(request.user, "programme.view")
    programmes = [p for p in selectors.programme_list() if p.start_year and p.start_year >= 2018]
    decisions = public.public_years(actor=request.user)
    latest = max((y.year for _d, ys in decisions for y in ys), default=None)
    counties = sorted(county_name_map(as_of(latest)).items()) if latest else []
    context = {"programmes": programmes, "decisions": decisions, "counties": counties}
    return render(request, "web/home_public.html", context)


@require_safe
def public_county_choose(request: HttpRequest, slug: str) -> HttpResponse:
    """The start page's county chooser (`?ar=2018&lan=12`): to that county's page for that year."""
    year = int_param(request.GET.get("ar"), minimum=YEAR_MIN, maximum=YEAR_MAX)
    code = (request.GET.get("lan") or "")[:10]
    if year is None:
        raise NotFound(_("Välj ett år."))
    data = public.public_year(actor=request.user, slug=slug, year=year)
    public.county_of(data, code)
    return redirect("web:public_county", slug=slug, year=year, code=code)


@require_safe
def public_year(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    data = public.public_year(actor=request.user, slug=slug, year=year)
    return render(request, "web/public_year.html", {"data": data, "decision": data.decision, "year": year})


@require_safe
def public_county(request: HttpRequest, slug: str, year: int, code: str) -> HttpResponse:
    data = public.public_year(actor=request.user, slug=slug, year=year)
    county = public.county_of(data, code)
    obligations = [o for o in data.obligations if o.county_code == code]
    reports = [r for r in data.reports if r.county_code == code]
    return render(
        request,
        "web/public_county.html",
        {
            "data": data,
            "decision": data.decision,
            "year": year,
            "county": county,
            "obligations": obligations,
            "reports": reports,
        },
    )


@require_safe
def public_obligation(request: HttpRequest, slug: str, year: int, key: str) -> HttpResponse:
    """One obligation of the year: what the decision asks, the due day, when it was met and
    whether on time, the report handed in."""
    data = public.public_year(actor=request.user, slug=slug, year=year)
    obligation = public.obligation_of(data, key)
    reports = [
        r
        for r in data.reports
        if r.obligation_kind == obligation.kind and r.county_code == obligation.county_code
    ]
    return render(
        request,
        "web/public_obligation.html",
        {"data": data, "decision": data.decision, "year": year, "o": obligation, "reports": reports},
    )


@require_safe
def public_year_json(request: HttpRequest, slug: str, year: int) -> JsonResponse:
    """GET …/<slug>/<year>/json/: the same summary for machines (amounts as decimal strings)."""
    data = public.public_year(actor=request.user, slug=slug, year=year)
    return JsonResponse(public.public_year_dict(data), json_dumps_params={"ensure_ascii": False})
