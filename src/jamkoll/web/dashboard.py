"""The signed-in start page (issue 15): what is due for me, what waits for my decision, what I did.

Three reads, each in a bounded number of queries (at most a fixed number per item shown, and the
items are capped), all asking the one policy:

- `due_for_user`: the obligations my roles (an RSS leader: my county) owe or receive, overdue
  first, then the next ones due (obligations.selectors.todo_for_user, the policy's
  `owes_obligation_q` / `receives_obligation_q`).
- `decision_queue`: one queue of what waits for my step: a report version to certify, sign or
  submit (its open step, `reports.selectors.step_verdict`), a proposed plan to consult on or send
  back, a consulted plan to fix (`plans.transitions.open_steps`). Each item says what changed
  since the version before it.
- `recent_changes`: my last changes, from the change history (simple-history's `history_user`),
  and `sign_ins`: my previous sign-in and the failed attempts since (the audit, accounts.audit).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jamkoll.accounts.models import FAILED_KINDS, AuditEvent, AuditKind
from jamkoll.accounts.policy import actor_user, check, draft_visibility_q, user_roles
from jamkoll.history import TYPES, value_text
from jamkoll.ledger.models import LedgerEntry
from jamkoll.money import format_sek
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.selectors import TodoItem, todo_for_user
from jamkoll.plans.models import Activity, CountyPlan, Output, PlanComment, PlanStatus, ProjectPlan
from jamkoll.plans.transitions import open_steps
from jamkoll.programmes.models import FundingDecision, Programme
from jamkoll.reference.selectors import county_names
from jamkoll.reports.models import ReportFile, ReportFormat, ReportState, ReportVersion
from jamkoll.reports.selectors import step_verdict
from jamkoll.reports.transitions import STEP_ACTIONS, STEPS, Step, open_step

# How many items each part of the page shows at most (and so how many queries it may cost).
OVERDUE_MAX = 10
UPCOMING_MAX = 6
QUEUE_MAX = 15
RECENT_MAX = 10
DIFF_LINES_MAX = 6  # changed lines of a document shown in the queue
DIFF_LINE_CHARS = 160


# --- What is due for me --------------------------------------------------------------------


@dataclass
class Due:
    overdue: list[TodoItem]
    upcoming: list[TodoItem]
    more_overdue: int
    more_upcoming: int
    unscheduled: int
    unknown: list[TodoItem]
    more_unknown: int

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.upcoming or self.unscheduled or self.unknown)

    @property
    def overdue_count(self) -> int:
        return len(self.overdue) + self.more_overdue

    @property
    def unknown_count(self) -> int:
        return len(self.unknown) + self.more_unknown


def due_for_user(user: Any, today: dt.date) -> Due:
    """The overdue obligations and the next ones due, owed by my roles (and my county) or owed to
    my organisation (after those I owe); capped (the full list is the deadline calendar)."""
    todo = todo_for_user(user, today)
    # What I owe before what is owed to me (to register its receipt); each by date (a stable sort).
    for items in (todo.overdue, todo.upcoming, todo.unknown):
        items.sort(key=lambda item: not item.owes)
    return Due(
        overdue=todo.overdue[:OVERDUE_MAX],
        upcoming=todo.upcoming[:UPCOMING_MAX],
        more_overdue=max(0, len(todo.overdue) - OVERDUE_MAX),
        more_upcoming=max(0, len(todo.upcoming) - UPCOMING_MAX),
        unscheduled=todo.unscheduled,
        unknown=todo.unknown[:UPCOMING_MAX],
        more_unknown=max(0, len(todo.unknown) - UPCOMING_MAX),
    )


# --- What waits for my decision -----------------------------------------------------------


@dataclass
class QueueItem:
    actions: list[str]  # what I may do: "Intyga", "Registrera samråd", ...
    title: str
    url: str
    state: str  # where it stands now
    since: dt.datetime | dt.date | None
    changes: list[str] = field(default_factory=list)  # what changed since the last version
    diff: list[tuple[str, str]] = field(default_factory=list)  # ("+" | "-", line) of the document
    more_diff: int = 0


STEP_WORDS = {
    Step.CERTIFY: gettext_lazy("Intyga"),
    Step.SIGN: gettext_lazy("Underteckna"),
    Step.SUBMIT: gettext_lazy("Registrera inlämning"),
}


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else _("okänt datum")


def _previous_versions(versions: list[ReportVersion]) -> dict[int, ReportVersion]:
    """The version before each (the one it is based on, else the one numbered before it in its
    series), in one query."""
    previous: dict[int, ReportVersion] = {
        v.pk: v.supersedes for v in versions if v.supersedes_id and v.supersedes
    }
    wanted = [v for v in versions if v.pk not in previous and v.version > 1]
    if wanted:
        q = Q(pk__in=[])
        for v in wanted:
            q |= Q(kind=v.kind, decision_id=v.decision_id, year=v.year, scope=v.scope, version=v.version - 1)
        found = {
            (p.kind, p.decision_id, p.year, p.scope, p.version): p for p in ReportVersion.objects.filter(q)
        }
        for v in wanted:
            hit = found.get((v.kind, v.decision_id, v.year, v.scope, v.version - 1))
            if hit is not None:
                previous[v.pk] = hit
    return previous


def _markdown(version_ids: Iterable[int]) -> dict[int, str]:
    """The Markdown rendering of each version (the text to compare), in one query."""
    rows = ReportFile.objects.filter(version_id__in=list(version_ids), format=ReportFormat.MD)
    texts = {}
    for version_id, content in rows.values_list("version_id", "content"):
        texts[version_id] = bytes(content).decode("utf-8", errors="replace")
    return texts


def document_diff(before: str, after: str) -> tuple[list[tuple[str, str]], int]:
    """The lines removed and added between two texts (blank lines left out): the first
    DIFF_LINES_MAX, and how many more there are."""
    lines = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")) or not line[1:].strip():
            continue
        text = line[1:].strip()
        if len(text) > DIFF_LINE_CHARS:
            text = text[: DIFF_LINE_CHARS - 1] + "…"
        lines.append((line[0], text))
    return lines[:DIFF_LINES_MAX], max(0, len(lines) - DIFF_LINES_MAX)


def report_changes(version: ReportVersion, previous: ReportVersion | None) -> list[str]:
    """What changed since the version before, in the user's words."""
    if previous is None:
        return [_("Första versionen.")]
    lines = []
    if version.state == ReportState.CERTIFIED and previous.state != ReportState.CERTIFIED:
        lines.append(
            _("Intygad av %(name)s den %(date)s.")
            % {"name": version.certified_by_name, "date": _date(version.certified_on)}
        )
        if version.deviations:
            lines.append(_("Avvikelser: %(text)s") % {"text": version.deviations[:DIFF_LINE_CHARS]})
    if version.state == ReportState.SIGNED and previous.state != ReportState.SIGNED:
        lines.append(
            _("Undertecknad av %(name)s den %(date)s.")
            % {"name": version.signed_by_name, "date": _date(version.signed_on)}
        )
    if version.fingerprint != previous.fingerprint:
        lines.append(
            _("Underlaget har ändrats sedan version %(n)s (%(state)s).")
            % {"n": previous.version, "state": previous.get_state_display()}
        )
    elif not lines:
        lines.append(_("Samma underlag som version %(n)s.") % {"n": previous.version})
    return lines


def _steps_for_roles(user: Any) -> Q:
    """The kinds and states of report whose open step the user's roles may take at all (the
    conditions on the version itself, four eyes and the obligation, are asked per version)."""
    q = Q(pk__in=[])
    for kind in STEPS:
        for state in (ReportState.DRAFT, ReportState.CERTIFIED, ReportState.SIGNED):
            step = open_step(ReportVersion(kind=kind, state=state))
            if step is not None and check(user, STEP_ACTIONS[step]):
                q |= Q(kind=kind, state=state)
    return q


def _report_candidates(user: Any) -> list[ReportVersion]:
    """The newest version of each report series that is not yet submitted, that the user may see
    and whose open step their roles may take (only the newest version takes a step)."""
    newer = ReportVersion.objects.filter(
        kind=OuterRef("kind"),
        decision=OuterRef("decision"),
        year=OuterRef("year"),
        scope=OuterRef("scope"),
        version__gt=OuterRef("version"),
    )
    return list(
        ReportVersion.objects.exclude(state=ReportState.SUBMITTED)
        .filter(_steps_for_roles(user))
        .filter(draft_visibility_q(user))
        .filter(~Exists(newer))
        .select_related("decision", "county", "supersedes__supersedes")
        .order_by("-generated_at")[: QUEUE_MAX * 2]
    )


def _report_items(user: Any) -> list[QueueItem]:
    mine = []
    for version in _report_candidates(user):
        step = open_step(version)
        if step is not None and step_verdict(user, version, step):
            mine.append((version, step))
        if len(mine) >= QUEUE_MAX:
            break
    previous = _previous_versions([v for v, _s in mine])
    texts = _markdown([v.pk for v, _s in mine] + [p.pk for p in previous.values()])
    items = []
    for version, step in mine:
        before = previous.get(version.pk)
        diff: list[tuple[str, str]] = []
        more = 0
        if before is not None and before.pk in texts and version.pk in texts:
            diff, more = document_diff(texts[before.pk], texts[version.pk])
        items.append(
            QueueItem(
                actions=[str(STEP_WORDS[step])],
                title=f"{version.title}, {_('version')} {version.version}",
                url=reverse("reports:version", args=[version.pk]),
                state=version.get_state_display(),
                since=version.generated_at,
                changes=report_changes(version, before),
                diff=diff,
                more_diff=more,
            )
        )
    return items


PLAN_FIELDS = ("title", "summary")


def plan_changes(plan: ProjectPlan) -> list[str]:
    """What changed since the plan's previous version (or since it was last sent back): its own
    fields, and how many of the year's activities were added, changed or removed since."""
    lines = []
    since: dt.datetime | None = None
    earlier = plan.supersedes if plan.supersedes_id else None
    if earlier is not None:
        for name in PLAN_FIELDS:
            old, new = getattr(earlier, name), getattr(plan, name)
            if old != new:
                model_field: Any = ProjectPlan._meta.get_field(name)
                if name == "summary":
                    lines.append(
                        _("%(label)s ändrad.") % {"label": str(model_field.verbose_name).capitalize()}
                    )
                else:
                    lines.append(
                        f"{str(model_field.verbose_name).capitalize()}: "
                        f"{value_text(model_field, old)} → {value_text(model_field, new)}"
                    )
        if earlier.fixed_on:
            # The end of the day it was fixed, in Stockholm (not in UTC, an hour or two later).
            since = timezone.make_aware(dt.datetime.combine(earlier.fixed_on, dt.time.max))
    sent_back = PlanComment.objects.filter(plan=plan, kind="send_back").order_by("-created").first()
    if sent_back is not None:
        # The date of the act when it was given, else the day it was registered, in Stockholm.
        lines.append(
            _("Skickades tillbaka %(date)s: %(text)s")
            % {
                "date": _date(sent_back.on or timezone.localdate(sent_back.created)),
                "text": sent_back.text[:DIFF_LINE_CHARS],
            }
        )
        since = sent_back.created
    if since is not None:
        counts = {"+": 0, "~": 0, "-": 0}
        history = Activity.history.filter(
            decision_id=plan.decision_id, year=plan.year, history_date__gt=since
        )
        for kind, _activity_id in history.values_list("history_type", "id").distinct():
            counts[kind] = counts.get(kind, 0) + 1
        if any(counts.values()):
            lines.append(
                _("Aktiviteter sedan dess: %(new)s nya, %(changed)s ändrade, %(gone)s borttagna.")
                % {"new": counts["+"], "changed": counts["~"], "gone": counts["-"]}
            )
    if not lines:
        lines.append(_("Första versionen.") if earlier is None else _("Inga ändringar av planens text."))
    return lines


def _plan_items(user: Any) -> list[QueueItem]:
    plans = ProjectPlan.objects.filter(status__in=[PlanStatus.PROPOSED, PlanStatus.CONSULTED]).select_related(
        "decision", "supersedes"
    )
    items = []
    for plan in plans.order_by("decision__start_year", "year")[:QUEUE_MAX]:
        allowed = [s for s in open_steps(plan=plan, actor=user) if s.verdict]
        if not allowed:
            continue
        items.append(
            QueueItem(
                actions=[str(s.transition.button) for s in allowed],
                title=f"{plan.title} ({plan.decision.period}), {_('version')} {plan.version}",
                url=reverse("plans:plan", args=[plan.decision.slug, plan.year]),
                state=plan.get_status_display(),
                since=plan.proposed_on if plan.status == PlanStatus.PROPOSED else plan.consulted_on,
                changes=plan_changes(plan),
            )
        )
    return items


def decision_queue(user: Any) -> list[QueueItem]:
    """One queue of the steps waiting for `user`: reports, then plans (the policy decides)."""
    if not user_roles(user):
        return []
    return (_report_items(user) + _plan_items(user))[:QUEUE_MAX]


# --- What I did last -----------------------------------------------------------------------


@dataclass(frozen=True)
class RecentChange:
    when: dt.datetime
    action: str
    what: str
    title: str
    url: str | None


def _link(name: str, *args: Any) -> Callable[[Any], str]:
    def link(record: Any) -> str:
        return reverse(name, args=[getattr(record, a) if isinstance(a, str) else a(record) for a in args])

    return link


def _slug(record: Any) -> str:
    return str(record.decision.slug)


def _plain_title(record: Any) -> str:
    return getattr(record, "title", "") or str(getattr(record, "slug", "") or "")


def _output_title(record: Any) -> str:
    return f"{record.label} ({record.activity.title})"


def _activity_of(field: str) -> Callable[[Any], Any]:
    return lambda record: getattr(record.activity, field)


def _county_plan_title(record: Any) -> str:
    """A county plan has no title: its county, as named that year, and the year ("Skåne län 2018")."""
    return f"{record.county.name_at(dt.date(record.year, 12, 31))} {record.year}"


@dataclass(frozen=True)
class Tracked:
    """A model whose changes a user makes through the pages: how to link to one of them, and how to
    name it where that is not its title."""

    model: type[Model]
    related: tuple[str, ...]
    link: Callable[[Any], str]
    title: Callable[[Any], str] = _plain_title
    prefetch: tuple[str, ...] = ()


TRACKED: tuple[Tracked, ...] = (
    Tracked(ReportVersion, (), _link("reports:version", "id")),
    Tracked(ProjectPlan, ("decision",), _link("plans:plan", _slug, "year")),
    Tracked(Activity, ("decision",), _link("plans:activity", _slug, "year", "code")),
    Tracked(
        CountyPlan,
        ("decision", "county"),
        _link("plans:county_plan", _slug, "year", lambda r: r.county.code),
        _county_plan_title,
        ("county__names",),
    ),
    Tracked(Obligation, (), _link("obligations:obligation", "id")),
    Tracked(FundingDecision, (), _link("web:decision_edit", "slug")),
    Tracked(Programme, (), _link("web:programme", "slug")),
    Tracked(
        Output,
        ("activity__decision",),
        _link(
            "plans:activity",
            lambda r: r.activity.decision.slug,
            _activity_of("year"),
            _activity_of("code"),
        ),
        _output_title,
    ),
)


def _ledger_changes(account: Any, limit: int) -> list[RecentChange]:
    """The ledger entries the user recorded (a correction among them): the ledger is written once,
    so its own rows are the history. A correction names the entry it corrects ("Rättade
    utbetalning #12 …, med #13"), as the ledger page does. Two queries: the entries (with what
    they correct), and their counties' names today."""
    entries = list(
        LedgerEntry.objects.filter(recorded_by=account)
        .select_related("decision", "county", "reverses")
        .order_by("-recorded_at", "-sequence")[:limit]
    )
    names = county_names((e.county.code for e in entries if e.county is not None), timezone.localdate())
    return [
        RecentChange(
            when=e.recorded_at,
            action=_("Rättade") if e.reverses else _("Registrerade"),
            what=f"{e.get_kind_display()} #{(e.reverses or e).sequence}",
            title=", ".join(
                [
                    format_sek(e.amount),
                    *([names.get(e.county.code, e.county.code)] if e.county else []),
                    str(e.year),
                    *([_("med #%(n)s") % {"n": e.sequence}] if e.reverses else []),
                ]
            ),
            url=f"{reverse('ledger:page', args=[e.decision.slug, e.year])}#post-{e.sequence}",
        )
        for e in entries
    ]


def recent_changes(user: Any, limit: int = RECENT_MAX) -> list[RecentChange]:
    """The user's last changes across the tracked models, the results and the ledger: one query
    per model."""
    account = actor_user(user)
    if account is None:
        return []
    found: list[RecentChange] = _ledger_changes(account, limit)
    for tracked in TRACKED:
        model = tracked.model
        history = model.history.filter(history_user=account)  # type: ignore[attr-defined]
        if tracked.related:
            history = history.select_related(*tracked.related)
        if tracked.prefetch:
            history = history.prefetch_related(*tracked.prefetch)
        for record in history.order_by("-history_date")[:limit]:
            try:
                title = tracked.title(record)
            except (ObjectDoesNotExist, AttributeError):  # what it belonged to is gone
                title = _plain_title(record)
            try:
                url = tracked.link(record) if record.history_type != "-" else None
            except (NoReverseMatch, ObjectDoesNotExist, AttributeError):  # something gone: no link
                url = None
            found.append(
                RecentChange(
                    when=record.history_date,
                    action=str(TYPES.get(record.history_type, record.history_type)),
                    what=str(model._meta.verbose_name).capitalize(),
                    title=title,
                    url=url,
                )
            )
    found.sort(key=lambda c: c.when, reverse=True)
    # One step often writes a row several times (a new version, then its fields): shown once.
    shown: list[RecentChange] = []
    for change in found:
        if shown and (shown[-1].what, shown[-1].title, shown[-1].url) == (
            change.what,
            change.title,
            change.url,
        ):
            continue
        shown.append(change)
    return shown[:limit]


@dataclass(frozen=True)
class SignIns:
    previous: dt.datetime | None  # the sign-in before this one
    failed_since: int  # failed attempts on the account's name since then


def sign_ins(user: Any) -> SignIns:
    """When the user signed in before this time, and how many failed attempts on their name the
    audit recorded since (accounts.audit): two queries."""
    account = actor_user(user)
    if account is None:
        return SignIns(None, 0)
    logins = list(
        AuditEvent.objects.filter(user=account, kind=AuditKind.LOGIN)
        .order_by("-at")
        .values_list("at", flat=True)[:2]
    )
    previous = logins[1] if len(logins) > 1 else None
    failed = AuditEvent.objects.filter(username=account.get_username(), kind__in=FAILED_KINDS)
    if previous is not None:
        failed = failed.filter(at__gt=previous)
    return SignIns(previous, failed.count())
