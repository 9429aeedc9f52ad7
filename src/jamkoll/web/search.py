"""Search across programmes, decisions and their texts, activities, partners, counties and
documents (issue 15), as far as the policy lets the user see them.

Plain `icontains` conditions, the same on SQLite and PostgreSQL (SQLite folds only ASCII letters:
"skåne" finds "Skåne", "ÅTGÄRD" does not find "åtgärd"). Every kind costs one query (two where
organisation names are prefetched; activities three, see `_activities`) and returns at most
PER_KIND hits a page; the query is at most QUERY_MAX characters, without control characters
(`validation.text_problem`).

Who sees what: programmes, decisions, their documents and counties are public; activities and
their partners need "plan.view" (a role in the programme); report versions follow
`reports.selectors.visible_q` (submitted ones are public, drafts as "report.view_draft" says).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jamkoll.accounts.policy import check
from jamkoll.plans.models import Activity
from jamkoll.programmes.models import DocumentSection, FundingDecision, Programme
from jamkoll.reference.models import Organisation, OrganisationKind, OrganisationName
from jamkoll.reports.models import ReportVersion
from jamkoll.reports.selectors import visible_q
from jamkoll.validation import text_problem

QUERY_MAX = 200
PER_KIND = 20
PAGE_MAX = 50  # pages of one kind (1 000 hits): enough to browse, bounded for the database
SNIPPET = 90  # characters either side of the first match


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    hits: list[Hit]
    page: int
    more: bool  # another page follows
    more_url: str
    previous_url: str


def normalise(raw: str) -> str:
    return " ".join(raw.split())


def query_problem(raw: str) -> str | None:
    """Why `raw` cannot be searched for, or None (an empty query is no problem: nothing is
    searched). The length first, so a megabyte is not scanned for control characters."""
    if len(raw) > QUERY_MAX:
        return _("Sökningen får vara högst %(max)s tecken (nu %(n)s).") % {"max": QUERY_MAX, "n": len(raw)}
    problem = text_problem(raw, multiline=True, max_length=QUERY_MAX)
    return _("Sökningen går inte att göra: %(reason)s") % {"reason": problem} if problem else None


def snippet(text: str, query: str) -> str:
    """The words around the first match of `query` in `text`, or the text's beginning."""
    flat = " ".join(text.split())
    at = flat.lower().find(query.lower())
    if at < 0:
        return flat[: 2 * SNIPPET] + ("…" if len(flat) > 2 * SNIPPET else "")
    start, end = max(0, at - SNIPPET), min(len(flat), at + len(query) + SNIPPET)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _names_q(query: str) -> Q:
    return Q(pk__in=OrganisationName.objects.filter(name__icontains=query).values("organisation_id"))


def _latest_decision() -> FundingDecision | None:
    """The latest decision that divides money among the counties (the RSS), else the latest."""
    decisions = FundingDecision.objects.select_related("programme").order_by("-start_year", "-slug")
    return decisions.filter(budgets__lines__allocations__isnull=False).first() or decisions.first()


Finder = Callable[[Any, str, int, int], list[Hit]]


def _programmes(user: Any, query: str, start: int, stop: int) -> list[Hit]:
    rows = Programme.objects.filter(
        Q(title__icontains=query) | Q(description__icontains=query) | Q(note__icontains=query)
    ).order_by("-start_year", "title")[start:stop]
    return [
        Hit(p.title, reverse("web:programme", args=[p.slug]), f"{p.period} · {snippet(p.description, query)}")
        for p in rows
    ]


DECISION_TEXT_FIELDS = ("title", "purpose", "focus", "note", "amount_note", "validity_condition")


def _decisions(user: Any, query: str, start: int, stop: int) -> list[Hit]:
    q = Q()
    for name in DECISION_TEXT_FIELDS:
        q |= Q(**{f"{name}__icontains": query})
    q |= Q(pk__in=FundingDecision.objects.filter(conditions__text__icontains=query).values("pk"))
    q |= Q(pk__in=FundingDecision.objects.filter(goal_areas__text__icontains=query).values("pk"))
    rows = FundingDecision.objects.filter(q).select_related("programme").order_by("-start_year", "slug")
    hits = []
    for d in rows[start:stop]:
        text = next(
            (getattr(d, n) for n in DECISION_TEXT_FIELDS[1:] if query.lower() in getattr(d, n).lower()), ""
        )
        detail = f"{d.programme.title}, {d.period}" + (f" · {snippet(text, query)}" if text else "")
        hits.append(Hit(d.title, reverse("web:programme", args=[d.programme.slug]), detail))
    return hits


def _texts(user: Any, query: str, start: int, stop: int) -> list[Hit]:
    rows = (
        DocumentSection.objects.filter(
            Q(text__icontains=query) | Q(heading__icontains=query) | Q(document__title__icontains=query)
        )
        .select_related("document__decision")
        .order_by("-document__decision__start_year", "document__position", "position")[start:stop]
    )
    hits = []
    for s in rows:
        url = reverse("web:decision_documents", args=[s.document.decision.slug])
        url += "?" + urlencode({"q": query}) + f"#{s.anchor}"
        hits.append(Hit(f"{s.document.title}, {s.label}", url, snippet(s.text, query)))
    return hits


# Activities in the order of the index `activity_search_order` (plans 0006): latest year first,
# then decision, plan position and id (all integers, so that the database and Python sort alike).
ACTIVITY_ORDER = ("-year", "decision_id", "position", "pk")


def _activity_key(row: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    year, decision, position, pk = row
    return (-year, decision, position, pk)


def _activities(user: Any, query: str, start: int, stop: int) -> list[Hit]:
    """Activities whose title, description or code holds `query`, and those with a partner whose
    name holds it. Two queries, each asking for its first `stop` keys in `ACTIVITY_ORDER` (so each
    can use its index: a rare word the trigram indexes, a common one the ordered index, stopping
    at a page), merged here; a third reads the page's activities."""
    if not check(user, "plan.view"):
        return []
    by_text = Activity.objects.filter(
        Q(title__icontains=query) | Q(description__icontains=query) | Q(code__icontains=query)
    )
    linked = Activity.partners.through.objects.filter(
        organisation__in=Organisation.objects.filter(_names_q(query))
    )
    by_partner = Activity.objects.filter(pk__in=linked.values("activity_id"))
    keys: set[tuple[int, int, int, int]] = set()
    for part in (by_text, by_partner):
        keys.update(
            part.order_by(*ACTIVITY_ORDER).values_list("year", "decision_id", "position", "pk")[:stop]
        )
    page = [key[3] for key in sorted(keys, key=_activity_key)[start:stop]]
    found = Activity.objects.select_related("decision", "owner_county").in_bulk(page)
    rows = [found[pk] for pk in page if pk in found]
    hits = []
    for a in rows:
        if a.owner_county_id and a.owner_county is not None:
            url = reverse(
                "plans:county_activity", args=[a.decision.slug, a.year, a.owner_county.code, a.code]
            )
        else:
            url = reverse("plans:activity", args=[a.decision.slug, a.year, a.code])
        hits.append(Hit(a.title, url, f"{a.year} · {snippet(a.description, query)}"))
    return hits


def _partners(user: Any, query: str, start: int, stop: int) -> list[Hit]:
    if not check(user, "plan.view"):
        return []
    rows = (
        Organisation.objects.filter(_names_q(query), partner_activities__isnull=False)
        .exclude(kind=OrganisationKind.LAN)
        .distinct()
        .prefetch_related("names")
        .order_by("kind", "code")[start:stop]
    )
    today = timezone.localdate()
    hits = []
    for org in rows:
        name = org.name_at(today)
        url = reverse("web:search") + "?" + urlencode({"q": name, "typ": "aktiviteter"})
        hits.append(Hit(name, url, str(_("Samverkanspartner i aktiviteter"))))
    return hits


def _counties(user: Any, query: str, start: int, stop: int) -> list[Hit]:
    rows = list(
        Organisation.objects.filter(Q(code=query) | _names_q(query), kind=OrganisationKind.LAN)
        .prefetch_related("names")
        .order_by("code")[start:stop]
    )
    if not rows:
        return []
    decision = _latest_decision()
    today = timezone.localdate()
    may_plans = bool(check(user, "plan.view"))
    hits = []
    for org in rows:
        if decision is not None and decision.years and may_plans:
            year = min(max(today.year, decision.years[0]), decision.years[-1])
            url = reverse("plans:county_plan", args=[decision.slug, year, org.code])
            detail = _("Länets genomförandeplan och aktiviteter %(year)s") % {"year": year}
        elif decision is not None:
            url = reverse("web:programme", args=[decision.programme.slug])
            detail = _("RSS-medel per län: %(title)s") % {"title": decision.programme.title}
        else:
            url, detail = reverse("indicators:index"), ""
        hits.append(Hit(org.name_at(today), url, str(detail)))
    return hits


def _reports(user: Any, query: str, start: int, stop: int) -> list[Hit]:
    rows = (
        ReportVersion.objects.filter(visible_q(user))
        .filter(
            Q(title__icontains=query)
            | Q(decision__title__icontains=query)
            | Q(county__in=Organisation.objects.filter(_names_q(query)))
        )
        .select_related("decision")
        .order_by("-year", "-generated_at")[start:stop]
    )
    return [
        Hit(
            f"{v.title}, {_('version')} {v.version}",
            reverse("reports:version", args=[v.pk]),
            f"{v.get_state_display()} · {v.decision.title}",
        )
        for v in rows
    ]


KINDS: dict[str, tuple[str | Promise, Finder]] = {
    "satsningar": (gettext_lazy("Satsningar"), _programmes),
    "beslut": (gettext_lazy("Beslut"), _decisions),
    "handlingar": (gettext_lazy("Beslutens handlingar"), _texts),
    "aktiviteter": (gettext_lazy("Aktiviteter"), _activities),
    "partner": (gettext_lazy("Samverkanspartner"), _partners),
    "lan": (gettext_lazy("Län"), _counties),
    "rapporter": (gettext_lazy("Rapporter"), _reports),
}


def _page_url(query: str, kind: str, page: int) -> str:
    return reverse("web:search") + "?" + urlencode({"q": query, "typ": kind, "sida": page})


def search(user: Any, query: str, *, kind: str = "", page: int = 1) -> list[Group]:
    """The hits of each kind (or of `kind` alone, a page of it), the kinds without hits left out.
    The caller has checked the query (`query_problem`) and normalised it."""
    query = normalise(query)[:QUERY_MAX]
    if not query:
        return []
    wanted = [kind] if kind in KINDS else list(KINDS)
    page = page if kind in KINDS else 1
    start = (page - 1) * PER_KIND
    groups = []
    for key in wanted:
        label, finder = KINDS[key]
        hits = finder(user, query, start, start + PER_KIND + 1)
        if not hits:
            continue
        groups.append(
            Group(
                key=key,
                label=str(label),
                hits=hits[:PER_KIND],
                page=page,
                more=len(hits) > PER_KIND and page < PAGE_MAX,
                more_url=_page_url(query, key, page + 1),
                previous_url=_page_url(query, key, page - 1) if page > 1 else "",
            )
        )
    return groups
