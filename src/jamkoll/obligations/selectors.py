"""Reads for obligations: lists with filters, statuses as query conditions, the to-do list, the
rows the CLI and the API print, and the access helpers that the web views, the API and the CLI
share: `obligation_for_user` (an obligation and what the actor may do with it, and why not),
`deadline_decision_for_user` and `deadline_year_for_user` (a decision, and one of the years its
deadlines concern or fall in).

Statuses are computed, never stored: `status_q` expresses each one as a query condition for a
given day, and agrees with `Obligation.status_on` (a test checks them against each other). "My
obligations" are the policy's `owes_obligation_q` / `receives_obligation_q`, never restated here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jamkoll.accounts.models import RoleAssignment
from jamkoll.accounts.policy import (
    Verdict,
    check,
    obligation_owners_q,
    owes_obligation_q,
    receives_obligation_q,
    require,
    user_roles,
)
from jamkoll.errors import NotFound
from jamkoll.history import TYPES, change_line
from jamkoll.money import format_sek, to_str
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import decision_list
from jamkoll.reference.models import Organisation, OrganisationCategory
from jamkoll.reference.sources import cite
from jamkoll.validation import YEAR_MAX, YEAR_MIN, int_param

from .deadlines import non_working_reason
from .models import DUE_SOON_DAYS, CalendarFeed, Obligation, ObligationKind, ObligationStatus, Tier
from .transitions import Action, obligation_actions

# The largest primary key a database column holds: a larger number in an address is unknown.
PK_MAX = 2**31 - 1


# Date order; within a day (or among the undated) the state tier first, counties by code, and the
# kinds in the order the work happens.
KIND_ORDER = [
    ObligationKind.PROJECT_PLAN,
    ObligationKind.APPLICATION,
    ObligationKind.REQUISITION,
    ObligationKind.STATUS_REPORT,
    ObligationKind.ACTIVITY_REPORT,
    ObligationKind.FINANCIAL_REPORT,
    ObligationKind.REPAYMENT,
]
ORDERING: list[Any] = [
    F("effective_date").asc(nulls_last=True),
    "year",
    Case(When(tier=Tier.STATE, then=Value(0)), default=Value(1)),
    "decision__start_year",
    F("county__code").asc(nulls_first=True),
    F("period_start").asc(nulls_first=True),
    Case(*[When(kind=k, then=Value(i)) for i, k in enumerate(KIND_ORDER)], default=Value(99)),
    "pk",
]


def obligation_queryset() -> QuerySet[Obligation]:
    """Everything a list row shows, in a fixed number of queries."""
    return Obligation.objects.select_related(
        "decision", "owed_by", "owed_to", "owed_to__parent", "county", "condition"
    ).prefetch_related(
        "owed_by__names", "owed_to__names", "owed_to__parent__names", "county__names", "owners"
    )


def status_q(status: str, today: dt.date) -> Q:
    """The query condition for one computed status on `today` (see Obligation.status_on)."""
    open_ = Q(waived_at__isnull=True, submitted_on__isnull=True, evidence="")
    submitted = Q(waived_at__isnull=True, submitted_on__isnull=False)
    # Due before the decision's records were kept (and that day has come): not known to be late.
    before_records = Q(
        decision__records_from__isnull=False,
        decision__records_from__lte=today,
        effective_date__lt=F("decision__records_from"),
    )
    conditions = {
        ObligationStatus.WAIVED: Q(waived_at__isnull=False),
        ObligationStatus.SUBMITTED_LATE: submitted & Q(submitted_on__gt=F("effective_date")),
        ObligationStatus.SUBMITTED_ON_TIME: submitted
        & (Q(effective_date__isnull=True) | Q(submitted_on__lte=F("effective_date"))),
        ObligationStatus.FULFILLED_UNDATED: Q(waived_at__isnull=True, submitted_on__isnull=True)
        & ~Q(evidence=""),
        ObligationStatus.NOT_SCHEDULED: open_ & Q(effective_date__isnull=True),
        ObligationStatus.UNKNOWN: open_ & before_records,
        ObligationStatus.OVERDUE: open_ & Q(effective_date__lt=today) & ~before_records,
        ObligationStatus.DUE_SOON: open_
        & Q(effective_date__gte=today, effective_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        & ~before_records,
        ObligationStatus.UPCOMING: open_
        & Q(effective_date__gt=today + dt.timedelta(days=DUE_SOON_DAYS))
        & ~before_records,
    }
    try:
        return conditions[ObligationStatus(status)]
    except ValueError:
        raise NotFound(_("okänd status: %(status)r") % {"status": status}) from None


def year_q(year: int) -> Q:
    """Obligations due in `year` (by the nominal date), and those without a date that concern it.
    A year outside YEAR_MIN..YEAR_MAX is NotFound (the database has no year 0)."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise NotFound(_("ogiltigt år %(year)s") % {"year": year})
    return Q(nominal_date__year=year) | Q(nominal_date__isnull=True, year=year)


def obligation_list(
    *,
    decision: FundingDecision | None = None,
    year: int | None = None,
    kind: str | None = None,
    county: str | None = None,
    owner_role: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Obligation]:
    qs = obligation_queryset()
    if decision is not None:
        qs = qs.filter(decision=decision)
    if year is not None:
        qs = qs.filter(year_q(year))
    if kind:
        qs = qs.filter(kind=kind)
    if county:
        qs = qs.filter(county__code=county)
    if owner_role:
        qs = qs.filter(owners__role=owner_role)
    if status:
        qs = qs.filter(status_q(status, today or timezone.localdate()))
    return qs.order_by(*ORDERING)


# The counties' obligations that no document has dated yet: 21 alike rows each (one per county),
# shown on the year's calendar as one line per kind until the user asks for them (issue 16).
UNDATED_COUNTY = Q(effective_date__isnull=True, county__isnull=False)


@dataclass(frozen=True)
class UndatedGroup:
    """One line for the counties' undated obligations of a kind (and period): how many counties,
    how many of them are done (submitted, waived or fulfilled otherwise)."""

    kind: str
    kind_label: str
    year: int
    period_start: dt.date | None
    period_end: dt.date | None
    counties: int
    done: int


def undated_county_groups(obligations: QuerySet[Obligation]) -> list[UndatedGroup]:
    """The counties' undated obligations among `obligations`, one group per kind, year and period,
    counted in SQL (one query, whatever the number of counties)."""
    done = Q(waived_at__isnull=False) | Q(submitted_on__isnull=False) | ~Q(evidence="")
    rows = (
        obligations.filter(UNDATED_COUNTY)
        .order_by()
        .values("kind", "year", "period_start", "period_end")
        .annotate(
            counties=Count("county", distinct=True),
            done=Count("pk", filter=done, distinct=True),
        )
    )
    order: dict[str, int] = {str(k): i for i, k in enumerate(KIND_ORDER)}
    labels = dict(ObligationKind.choices)
    groups = [
        UndatedGroup(
            kind=r["kind"],
            kind_label=str(labels.get(r["kind"], r["kind"])),
            year=r["year"],
            period_start=r["period_start"],
            period_end=r["period_end"],
            counties=r["counties"],
            done=r["done"],
        )
        for r in rows
    ]
    return sorted(groups, key=lambda g: (g.year, order.get(g.kind, 99), g.period_start or dt.date.min))


def obligation_get(*, pk: int) -> Obligation:
    obligation = obligation_queryset().filter(pk=pk).first() if 0 < pk <= PK_MAX else None
    if obligation is None:
        raise NotFound(_("okänt åtagande: %(pk)s") % {"pk": str(pk)[:20]})
    return obligation


def obligation_of_kind(
    *,
    decision: FundingDecision,
    year: int,
    kind: str,
    county: Organisation | None = None,
    period_start: dt.date | None = None,
    open_first: bool = False,
) -> Obligation | None:
    """The obligation of `kind` that `decision` sets for `year`: the county's (the state tier's
    when `county` is None), of one period when `period_start` is given; the earliest by nominal
    date, or with `open_first` one not yet submitted before one that is (what a report's
    submission closes)."""
    qs = Obligation.objects.filter(decision=decision, year=year, kind=kind)
    qs = qs.filter(county=county) if county is not None else qs.filter(county__isnull=True)
    if period_start is not None:
        qs = qs.filter(period_start=period_start)
    if not open_first:
        return qs.order_by("nominal_date").first()
    ordered = qs.order_by("submitted_on", "nominal_date")
    return ordered.filter(submitted_on__isnull=True).first() or ordered.first()


def obligation_for_user(
    *, actor: Any, pk: int, action: Action | None = None
) -> tuple[Obligation, dict[str, Verdict]]:
    """The one access helper for an obligation (the page, its POST views, the API): the obligation
    and what `actor` may do with it (`{"submit": Verdict, …}`, each with its reason), if the actor
    may see deadlines; with `action`, only if the policy lets the actor do it to this obligation.
    Raises `PermissionDenied` with the policy's reason, or `NotFound`. Whether the obligation's
    state allows the act is the service's question (a `ValidationError` the form can show)."""
    require(actor, "obligation.view")
    obligation = obligation_get(pk=pk)
    if action is not None:
        require(actor, action, obligation)
    return obligation, obligation_actions(actor, obligation)


def obligation_years(*, decision: FundingDecision) -> list[int]:
    """The years one may ask about: the decision's own, those its obligations concern, and those
    in which they fall due (the 2020 reports are due in 2021)."""
    years = set(decision.years)
    for year, nominal in Obligation.objects.filter(decision=decision).values_list("year", "nominal_date"):
        years.add(year)
        if nominal is not None:
            years.add(nominal.year)
    return sorted(years)


def deadline_decision_for_user(*, actor: Any, action: str, slug: str) -> FundingDecision:
    """The decision by its slug if `actor` may do `action` (PermissionDenied with the reason);
    NotFound names the known decisions."""
    require(actor, action)
    decision = decision_list().filter(slug=slug).first() if len(slug) <= 80 else None
    if decision is None:
        known = ", ".join(decision_list().values_list("slug", flat=True))
        raise NotFound(_("okänt beslut: %(slug)r (kända: %(known)s)") % {"slug": slug[:80], "known": known})
    return decision


def deadline_year_for_user(
    *, actor: Any, action: str, slug: str, year: int | str
) -> tuple[FundingDecision, int]:
    """`programmes.selectors.decision_year_for_user` for deadlines: the years are those of
    `obligation_years` (the decision's own, and those its obligations concern or fall due in:
    the agreement's 2020 reports are due in 2021), not only the budget years."""
    decision = deadline_decision_for_user(actor=actor, action=action, slug=slug)
    number = int_param(year, minimum=YEAR_MIN, maximum=YEAR_MAX)
    if number is None:
        raise NotFound(_("ogiltigt år %(year)r") % {"year": str(year)[:20]})
    years = obligation_years(decision=decision)
    if number not in years:
        raise NotFound(unknown_year_message(decision, number, years))
    return decision, number


def decisions_with_obligations() -> list[tuple[FundingDecision, list[int]]]:
    decisions = decision_list().filter(obligations__isnull=False).distinct()
    return [(d, obligation_years(decision=d)) for d in decisions]


def about_date(obligation: Obligation) -> dt.date:
    """The date a row is about, for names that change: the nominal date, else the year's end."""
    return obligation.nominal_date or dt.date(obligation.year, 12, 31)


def party_name(organisation: Organisation, on: dt.date) -> str:
    """ "Regeringskansliet (Socialdepartementet)" for a ministry, as the documents write it."""
    name = organisation.name_at(on)
    if organisation.category == OrganisationCategory.MINISTRY and organisation.parent_id is not None:
        parent = organisation.parent
        assert parent is not None
        return f"{parent.name_at(on)} ({name})"
    return name


# --- What closed an obligation, and what is still owed ----------------------------------------
#
# The apps above register these in their AppConfig.ready(); this app imports none of them.
# CLOSER_LINKS: the kind of a `closed_by` key ("ledger-entry") → (obligation, number) → the address
# of the page that shows that act, or None. STILL_OWED: (obligations) → {pk: amount} for the open
# obligations a provider can price, computed at read time (the ledger: what is left to repay).

CloserLink = Callable[[Obligation, str], str | None]
StillOwed = Callable[[Sequence[Obligation]], Mapping[int, Decimal]]
CLOSER_LINKS: dict[str, CloserLink] = {}
STILL_OWED: list[StillOwed] = []


def closer_link(obligation: Obligation) -> str | None:
    """The page of the act that closed the obligation, if its app registered one."""
    kind, _sep, number = obligation.closed_by.partition(":")
    link = CLOSER_LINKS.get(kind) if obligation.submitted_on and number else None
    return link(obligation, number) if link is not None else None


def obligations_still_owed(obligations: Sequence[Obligation]) -> dict[int, Decimal]:
    """What is still owed on each open obligation that a provider knows about, by pk (a few
    queries per decision and year, not per obligation)."""
    open_ = [o for o in obligations if o.submitted_on is None and o.waived_at is None]
    owed: dict[int, Decimal] = {}
    if open_:
        for provider in STILL_OWED:
            owed.update(provider(open_))
    return owed


def closure_text(obligation: Obligation, *, record: bool = True) -> str:
    """ "Stängd av post #57 i medelsflödet, 2019-11-20, i tid" (or "Inlämnad 2019-11-20, för
    sent" when registered by hand, or for a reader who may not see the obligation's record:
    what closed it is part of the record); empty while the obligation is open."""
    if obligation.submitted_on is None:
        return ""
    late = obligation.effective_date is not None and obligation.submitted_on > obligation.effective_date
    when = _("för sent") if late else _("i tid")
    day = obligation.submitted_on.isoformat()
    if obligation.closed_by and record:
        return _("Stängd av %(what)s, %(day)s, %(when)s") % {
            "what": obligation.document_reference,
            "day": day,
            "when": when,
        }
    return _("Inlämnad %(day)s, %(when)s") % {"day": day, "when": when}


def still_owed_text(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    if amount <= 0:
        return _("Inget kvar att återbetala enligt medelsflödet.")
    return _("Kvar att återbetala enligt medelsflödet: %(amount)s") % {
        "amount": format_sek(amount, decimals=True)
    }


def obligation_rows(
    obligations: Iterable[Obligation], today: dt.date, *, viewer: Any
) -> list[dict[str, Any]]:
    """`obligation_row` for a list, asking what is still owed once for all of them."""
    items = list(obligations)
    owed = obligations_still_owed(items)
    return [obligation_row(o, today, viewer=viewer, owed=owed) for o in items]


def obligation_row(
    obligation: Obligation, today: dt.date, *, viewer: Any, owed: Mapping[int, Decimal] | None = None
) -> dict[str, Any]:
    """The CLI and API form of an obligation (DESIGN §5, plus a few keys of our own: among them
    what closed it, the reason it was reopened, and what is still owed) as `viewer` may read it:
    without "obligation.view_record" the receipt reference and what closed it are empty and
    `record_withheld` says why."""
    on = about_date(obligation)
    if owed is None:
        owed = obligations_still_owed([obligation])
    record = check(viewer, "obligation.view_record", obligation)
    return {
        "id": obligation.pk,
        "decision": obligation.decision.slug,
        "year": obligation.year,
        "kind": obligation.kind,
        "tier": obligation.tier,
        "title": obligation.title,
        "owed_by": party_name(obligation.owed_by, on),
        "owed_to": party_name(obligation.owed_to, on),
        "county": obligation.county_code,
        "nominal_date": obligation.nominal_date.isoformat() if obligation.nominal_date else None,
        "effective_date": obligation.effective_date.isoformat() if obligation.effective_date else None,
        "status": obligation.status_on(today).value,
        "derived": obligation.derived,
        "evidence": cite(obligation.evidence),
        "reclaim_risk": obligation.reclaim_risk_on(today),
        "period_start": obligation.period_start.isoformat() if obligation.period_start else None,
        "period_end": obligation.period_end.isoformat() if obligation.period_end else None,
        "submitted_on": obligation.submitted_on.isoformat() if obligation.submitted_on else None,
        "receipt_reference": obligation.receipt_reference if record else "",
        "closed_by": obligation.closed_by if record else "",
        "closure": closure_text(obligation, record=bool(record)),
        "reopen_reason": obligation.reopen_reason if obligation.submitted_on is None else "",
        "still_owed": to_str(owed.get(obligation.pk)),
        "record_withheld": record.reason,
    }


def _mine(user: Any, *, receiving: bool) -> QuerySet[Obligation, Any]:
    """The ids of what the user owes (by role; RSS by county), and receives when `receiving`: the
    policy's Q forms, as a subquery (the owners' join may repeat a row)."""
    q = owes_obligation_q(user)
    if receiving:
        q |= receives_obligation_q(user)
    return Obligation.objects.filter(q).values("pk")


def obligations_for_user(*, user: Any) -> QuerySet[Obligation]:
    """What a user owes or receives: their personal calendar."""
    if not user_roles(user):
        return Obligation.objects.none()
    return obligation_list().filter(pk__in=_mine(user, receiving=True))


@dataclass
class TodoItem:
    obligation: Obligation
    status: ObligationStatus
    days_left: int | None
    owes: bool
    on: dt.date
    reclaim_risk: bool


@dataclass
class TodoList:
    overdue: list[TodoItem] = field(default_factory=list)
    upcoming: list[TodoItem] = field(default_factory=list)
    unscheduled: int = 0
    # Due before JämKoll kept the decision's records, nothing registered ("Uppgift saknas").
    unknown: list[TodoItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.upcoming or self.unscheduled or self.unknown)


def todo_for_user(user: Any, today: dt.date) -> TodoList:
    """The user's open obligations: overdue first, then the upcoming in date order, and apart those
    due before the decision's records were kept with nothing registered. Those owed *to*
    the user's organisation are included (to register their receipt), marked `owes=False`."""
    todo = TodoList()
    if not user_roles(user):
        return todo
    owed_ids = set(_mine(user, receiving=False).values_list("pk", flat=True))
    mine = _mine(user, receiving=True)
    open_ = obligation_list().filter(
        pk__in=mine, waived_at__isnull=True, submitted_on__isnull=True, evidence=""
    )
    todo.unscheduled = open_.filter(effective_date__isnull=True).count()
    for obligation in open_.filter(effective_date__isnull=False):
        status = obligation.status_on(today)
        item = TodoItem(
            obligation=obligation,
            status=status,
            days_left=obligation.days_left_on(today),
            owes=obligation.pk in owed_ids,
            on=about_date(obligation),
            reclaim_risk=obligation.reclaim_risk_on(today),
        )
        if status == ObligationStatus.OVERDUE:
            todo.overdue.append(item)
        elif status == ObligationStatus.UNKNOWN:
            todo.unknown.append(item)
        else:
            todo.upcoming.append(item)
    return todo


def reminder_recipients(obligation: Obligation) -> list[Any]:
    """Active users with an e-mail address who owe the obligation: the policy's
    `obligation_owners_q` (a role that owes it; RSS: of its county)."""
    user_ids = RoleAssignment.objects.filter(obligation_owners_q(obligation)).values("user_id")
    return list(
        get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="").order_by("pk")
    )


def feed_get(*, token: str) -> CalendarFeed | None:
    """The active feed with this token, or None (unknown, revoked, or its user is inactive)."""
    if not token or len(token) > CalendarFeed._meta.get_field("token").max_length:  # type: ignore[operator]
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def feed_for_user(*, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


@dataclass
class MonthGroup:
    month: dt.date | None  # first day of the month; None for obligations without a date
    rows: list[Any]


def group_by_month(rows: Iterable[Any], key: str = "obligation") -> list[MonthGroup]:
    """Consecutive rows (already in date order) grouped by the month of the effective date."""
    groups: list[MonthGroup] = []
    for row in rows:
        obligation: Obligation = getattr(row, key)
        eff = obligation.effective_date
        month = dt.date(eff.year, eff.month, 1) if eff else None
        if not groups or groups[-1].month != month:
            groups.append(MonthGroup(month=month, rows=[]))
        groups[-1].rows.append(row)
    return groups


def unknown_year_message(decision: FundingDecision, year: int, years: list[int]) -> str:
    return _("år %(year)s ligger utanför beslutets år med tidsfrister (%(slug)s: %(years)s)") % {
        "year": year,
        "slug": decision.slug,
        "years": ", ".join(str(y) for y in years),
    }


@dataclass
class ObligationCard:
    """One obligation as a page shows it: its status on a day, names valid on its date, and what
    the user may do with it (or why not). The view adds the forms."""

    obligation: Obligation
    status: ObligationStatus
    days_left: int | None
    on: dt.date
    owed_by: str
    owed_to: str
    reclaim_risk: bool
    moved_because: str | None
    actions: dict[str, Verdict]
    # May the user see the record: receipt reference, document, names, history (and why not)?
    record: Verdict
    forms: dict[str, Any] = field(default_factory=dict)
    still_owed: Decimal | None = None

    @property
    def closure(self) -> str:
        return closure_text(self.obligation, record=bool(self.record))

    @property
    def closure_link(self) -> str | None:
        return closer_link(self.obligation) if self.record else None

    @property
    def still_owed_text(self) -> str:
        return still_owed_text(self.still_owed)

    @property
    def reopen_reason(self) -> str:
        """Why a closure was undone, while the obligation is open again."""
        return self.obligation.reopen_reason if self.obligation.submitted_on is None else ""

    @property
    def may_act(self) -> bool:
        return any(self.actions.values())

    @property
    def refusals(self) -> list[tuple[str, str]]:
        """(action, reason) for each act the user may not do now."""
        return [(str(ACTION_LABELS[a]), v.reason) for a, v in self.actions.items() if not v]


ACTION_LABELS = {
    Action.SUBMIT.short: gettext_lazy("Registrera inlämning"),
    Action.WAIVE.short: gettext_lazy("Undanta"),
    Action.EDIT.short: gettext_lazy("Ändra datum"),
}


def obligation_cards(user: Any, obligations: Iterable[Obligation], today: dt.date) -> list[ObligationCard]:
    """`obligation_card` for a list, asking what is still owed once for all of them."""
    items = list(obligations)
    owed = obligations_still_owed(items)
    return [obligation_card(user, o, today, owed=owed) for o in items]


def obligation_card(
    user: Any,
    obligation: Obligation,
    today: dt.date,
    actions: dict[str, Verdict] | None = None,
    *,
    owed: Mapping[int, Decimal] | None = None,
) -> ObligationCard:
    on = about_date(obligation)
    if owed is None:
        owed = obligations_still_owed([obligation])
    return ObligationCard(
        obligation=obligation,
        status=obligation.status_on(today),
        days_left=obligation.days_left_on(today),
        on=on,
        owed_by=party_name(obligation.owed_by, on),
        owed_to=party_name(obligation.owed_to, on),
        reclaim_risk=obligation.reclaim_risk_on(today),
        moved_because=non_working_reason(obligation.nominal_date)
        if obligation.moved and obligation.nominal_date
        else None,
        actions=actions if actions is not None else obligation_actions(user, obligation),
        record=check(user, "obligation.view_record", obligation),
        still_owed=owed.get(obligation.pk),
    )


@dataclass(frozen=True)
class HistoryLine:
    when: dt.datetime
    who: str
    action: str
    reason: str
    changes: list[str]


# Who and when are the history line's own columns; the ids and timestamps would only repeat them.
HISTORY_QUIET = [
    "submitted_by",
    "submitted_at",
    "waived_by",
    "waived_at",
    "rescheduled_by",
    "rescheduled_at",
    "reopened_by",
    "reopened_at",
]


def obligation_history(obligation: Obligation, limit: int = 50) -> list[HistoryLine]:
    records = list(
        obligation.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    lines = []
    for i, record in enumerate(records):
        changes: list[str] = []
        previous = records[i + 1] if i + 1 < len(records) else None
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=HISTORY_QUIET)
            changes = [change_line(Obligation, change) for change in delta.changes]
        user = record.history_user
        lines.append(
            HistoryLine(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else _("systemet (inläsning)"),
                action=str(TYPES.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return lines
