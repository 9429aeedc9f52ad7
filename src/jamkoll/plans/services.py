"""Writes for plans: a year's project plan (created empty or from the year before), its workflow
(draft → proposed → consulted → fixed; proposed → draft when sent back; only a draft changes, a
change after fixing makes a new version), sub-projects, activities and outputs (the documents'
content is loaded by `plans.seed`). Every write takes a required `actor` and asks the one policy;
*when* a plan or an activity may change is `plans.locks`'s answer. A refusal is a
`ValidationError` keyed by the service's field names (a state rule has no field, but a `code`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_label, actor_user, check, require, rss_counties
from jamkoll.errors import ErrorCollector, NotFound, field_error
from jamkoll.money import AmountError, format_sek, parse_amount
from jamkoll.programmes.models import BudgetLine, FundingDecision, GoalArea
from jamkoll.programmes.services import BudgetError, budget_lines_set
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.reference.selectors import county_get
from jamkoll.validation import LONG, SHORT, clean_date, clean_int, clean_text

from .closures import project_plan_close
from .locks import (
    COUNTY_PLANNING_FIELDS,
    PLANNING_FIELDS,
    PROGRESS_FIELDS,
    activity_lock_verdict,
    activity_removal_verdict,
    county_plan_lock,
    county_plan_name,
    county_plan_of,
    current_plan,
    plan_lock_verdict,
)
from .models import (
    Activity,
    ActivityStatus,
    CountyPlan,
    CountyPlanStatus,
    Evaluation,
    Output,
    OutputQualifier,
    PlanBudgetLine,
    PlanComment,
    PlanCommentKind,
    PlanStatus,
    ProjectPlan,
    StatusReport,
    StatusReportItem,
    StatusReportState,
    SteeringGroup,
    SteeringGroupMember,
    SubProject,
)
from .signals import plan_sent_back
from .transitions import TRANSITIONS

# --- the plan workflow ----------------------------------------------------------------------

# The columns' bounds: a diary number (`proposed_reference` and its siblings), an output's unit.
REFERENCE_MAX = 100
UNIT_MAX = 60
# An output counts people, meetings, municipalities: never negative, never absurd.
COUNT_MAX = 1_000_000_000


def _recorded_by(obj: models.Model, actor: Any) -> None:
    """The account simple-history records beside the change: the user, or none for a system
    actor (whose name the workflow records in the plan's own `*_by` fields)."""
    obj._history_user = actor_user(actor)  # type: ignore[attr-defined]


def _require_editable(plan: ProjectPlan) -> None:
    """Only a draft changes (`locks.plan_lock_verdict` says why not): a fixed plan's refusal has
    the code "frozen", a proposed or consulted plan's "locked"."""
    verdict = plan_lock_verdict(plan)
    if not verdict:
        code = "frozen" if plan.status == PlanStatus.FIXED else "locked"
        raise ValidationError(verdict.reason, code=code)


def _locked_plan(plan: ProjectPlan) -> ProjectPlan:
    """The plan's row, locked for the transaction and checked again: a step taken meanwhile (a
    proposal) is not overtaken by a change that began while it was a draft."""
    fresh = ProjectPlan.objects.select_for_update().select_related("decision").get(pk=plan.pk)
    _require_editable(fresh)
    return fresh


def _comment(
    plan: ProjectPlan,
    kind: str,
    actor: Any,
    *,
    text: str = "",
    on: dt.date | None = None,
    reference: str = "",
) -> PlanComment:
    """One line of the plan's timeline, recorded with the account and the name that acted."""
    return PlanComment.objects.create(
        plan=plan,
        kind=kind,
        text=text,
        author=actor_user(actor),
        author_name=actor_label(actor) or "–",
        on=on,
        reference=reference,
    )


def plan_transition(
    *, plan: ProjectPlan, action: str, on: dt.date, reference: str, actor: Any, comment: str = ""
) -> ProjectPlan:
    """One guarded step of the table in `transitions`: who, when and the diary number are recorded
    with it, and the step (with its comment, if any) in the plan's timeline; sending a plan back
    requires a comment. Fixing the plan also sets the year's budget split it states (all or
    nothing)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise field_error("action", _("Okänt steg: %(a)s.") % {"a": str(action)[:40]})
    require(actor, transition.permission, plan)
    errors = ErrorCollector()
    day = errors.run(partial(clean_date, on, field="on", latest=timezone.localdate()))
    ref = errors.run(
        partial(clean_text, reference, field="reference", max_length=REFERENCE_MAX, required=True)
    )
    note = errors.run(partial(clean_text, comment, field="comment", max_length=LONG, multiline=True))
    if transition.comment_required and note == "":
        errors.add("comment", _("Skriv vad SKR ska ändra: ett förslag skickas tillbaka med en kommentar."))
    errors.raise_if_any()
    with transaction.atomic():
        plan = ProjectPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != transition.source:
            raise ValidationError(
                _("Planen har status %(status)s; steget kräver status %(required)s.")
                % {"status": plan.get_status_display(), "required": transition.source.label},
                code="wrong_status",
            )
        if transition.record is not None:
            setattr(plan, f"{transition.record}_on", day)
            setattr(plan, f"{transition.record}_by", actor_label(actor))
            setattr(plan, f"{transition.record}_reference", ref)
        if transition.target == PlanStatus.FIXED:
            _apply_plan_budget(plan, actor)
        plan.status = transition.target
        _recorded_by(plan, actor)
        plan.save()
        line = _comment(plan, transition.action, actor, text=str(note or ""), on=day, reference=str(ref))
        if transition.action == "send_back":  # the owners hear of it (the comments app's receiver)
            plan_sent_back.send(sender=ProjectPlan, send_back=line)
        if transition.action == "propose":  # handed in: closes the project-plan obligation (closures.py)
            project_plan_close(plan=plan, actor=actor)
    return plan


def _apply_plan_budget(plan: ProjectPlan, actor: Any) -> None:
    """A fixed plan sets the year's split where the decision left it open (never overrides a
    figure the decision itself states). Every line is set first and the budget checked once, so
    a split that moves money between lines can be fixed; the ledger's guard refuses a line below
    what is used. programmes' `BudgetError` becomes this service's non-field refusal."""
    lines = []
    for pbl in plan.budget_lines.select_related("budget_line__budget", "budget_line__goal_area"):
        line = pbl.budget_line
        if line.amount is not None and line.amount != pbl.amount and not line.decided_by_plan:
            raise ValidationError(
                _("Budgetraden %(line)s är redan beslutad (%(amount)s kr) i beslutet.")
                % {"line": line, "amount": f"{line.amount:f}"},
                code="budget_decided",
            )
        lines.append((line, pbl.amount))
    try:
        budget_lines_set(
            lines=lines,
            source=f"projektplan {plan.year} v{plan.version}, fastställd {plan.fixed_on}",
            actor=actor,
        )
    except BudgetError as exc:
        raise ValidationError(" ".join(exc.messages), code="budget") from None


def plan_update(
    *, plan: ProjectPlan, actor: Any, title: str | None = None, summary: str | None = None
) -> ProjectPlan:
    """A draft plan's title and summary (a value left out stays as it is)."""
    require(actor, "plan.edit", plan)
    _require_editable(plan)
    errors = ErrorCollector()
    clean_title = errors.run(
        partial(
            clean_text, plan.title if title is None else title, field="title", max_length=SHORT, required=True
        )
    )
    clean_summary = errors.run(
        partial(
            clean_text,
            plan.summary if summary is None else summary,
            field="summary",
            max_length=LONG,
            multiline=True,
        )
    )
    errors.raise_if_any()
    with transaction.atomic():
        plan = _locked_plan(plan)
        plan.title, plan.summary = str(clean_title), str(clean_summary)
        plan.full_clean()
        _recorded_by(plan, actor)
        plan.save()
    return plan


def plan_set_budget(*, plan: ProjectPlan, line: BudgetLine, amount: Decimal, actor: Any) -> PlanBudgetLine:
    """The plan's amount for one budget line; applied to the line when the plan is fixed."""
    require(actor, "plan.edit", plan)
    _require_editable(plan)
    if line.budget.decision_id != plan.decision_id or line.budget.year != plan.year:
        raise field_error("line", _("Budgetraden hör inte till planens beslut och år."))
    try:
        value = parse_amount(amount)
    except AmountError as exc:
        raise field_error("amount", str(exc)) from None
    with transaction.atomic():
        plan = _locked_plan(plan)
        pbl = PlanBudgetLine.objects.filter(plan=plan, budget_line=line).first() or PlanBudgetLine(
            plan=plan, budget_line=line
        )
        pbl.amount = value
        _recorded_by(pbl, actor)
        pbl.save()
    return pbl


def plan_new_version(*, plan: ProjectPlan, actor: Any) -> ProjectPlan:
    """A fixed plan is frozen: a change starts a new draft version that copies it (its title,
    summary and budget split; the year's activities are the year's, whichever version is current,
    and become editable again with the draft). Only the latest version, and only once fixed: a
    draft is changed as it is, a proposed plan is sent back by Regeringskansliet."""
    require(actor, "plan.edit", plan)
    with transaction.atomic():
        # The plan's row is locked first, then the latest version read in a statement of its own:
        # a request that made a version meanwhile held the lock, and the second read sees its row
        # (PostgreSQL re-reads only the locked row itself when the lock comes free, so one locking
        # query for "the latest" still found this plan, and both inserted version n + 1).
        ProjectPlan.objects.select_for_update().filter(pk=plan.pk).first()
        versions = ProjectPlan.objects.filter(decision=plan.decision, year=plan.year)
        latest = versions.order_by("-version").first()
        assert latest is not None
        if latest.pk != plan.pk:
            raise ValidationError(
                _("Det finns redan en nyare version (v%(version)s).") % {"version": latest.version},
                code="superseded",
            )
        if latest.status != PlanStatus.FIXED:
            raise ValidationError(
                _(
                    "En ny version görs av en fastställd plan; den här planen har status %(status)s. "
                    "Ett utkast ändras direkt, och ett förslag kan skickas tillbaka av Regeringskansliet."
                )
                % {"status": latest.get_status_display()},
                code="not_fixed",
            )
        new = ProjectPlan(
            decision=plan.decision,
            year=plan.year,
            version=plan.version + 1,
            title=plan.title,
            summary=plan.summary,
            supersedes=plan,
            source=plan.source,
        )
        _recorded_by(new, actor)
        new.save()
        for pbl in plan.budget_lines.all():
            copy = PlanBudgetLine(plan=new, budget_line=pbl.budget_line, amount=pbl.amount)
            _recorded_by(copy, actor)
            copy.save()
        _comment(
            new,
            PlanCommentKind.NEW_VERSION,
            actor,
            text=_("Version %(new)s skapad för ändringar; ersätter den fastställda version %(old)s.")
            % {"new": new.version, "old": plan.version},
        )
    return new


# --- a year's plan: created empty or from another year's ------------------------------------

# Activities that go on into the next year; completed and cancelled ones stay in their year.
CONTINUING = (ActivityStatus.PLANNED, ActivityStatus.ONGOING)


def _with_year(text: str, old: int, new: int) -> str:
    """`text` about year `old` made about `new`: "Projektplan 2018" → "Projektplan 2019"; a period
    ("2018-2020", "2018–2020") and longer numbers are left alone."""
    return re.sub(rf"(?<![\d–-]){old}(?![\d–-])", str(new), text)


def _plan_year(decision: FundingDecision, value: Any, field: str) -> int:
    number = clean_int(value, field=field, minimum=1900, maximum=2200)
    if number not in decision.years:
        raise field_error(
            field,
            _("År %(year)s ligger utanför beslutets period %(period)s.")
            % {"year": number, "period": decision.period},
        )
    return number


def plan_create(
    *,
    decision: FundingDecision,
    year: int,
    copy_from: int | None,
    actor: Any,
    title: str | None = None,
    summary: str | None = None,
) -> ProjectPlan:
    """The year's project plan, version 1, a draft: empty, or copied from the current plan of
    `copy_from` — its title and summary made about the new year, its budget split mapped to the
    new year's lines by goal area and recipient (where the new year has the line and the decision
    leaves its amount open), and its continuing national activities (planned or ongoing) as new
    activities of the year, planned, with their code, sub-project, goal area, links and budget
    line; not their dates, costs, status or outputs. County activities belong to the counties'
    implementation plans and are not copied here."""
    require(actor, "plan.edit", decision)
    errors = ErrorCollector()
    number = errors.run(partial(_plan_year, decision, year, "year"))
    source: ProjectPlan | None = None
    if copy_from is not None:
        source_year = errors.run(partial(_plan_year, decision, copy_from, "copy_from"))
        if source_year is not None and source_year == number:
            errors.add("copy_from", _("Välj ett annat år att kopiera från än det nya planens år."))
        elif source_year is not None:
            source = current_plan(decision_id=decision.pk, year=source_year)
            if source is None:
                errors.add(
                    "copy_from",
                    _("Det finns ingen projektplan för %(year)s att kopiera från.") % {"year": source_year},
                )
    clean_title = errors.run(partial(clean_text, title, field="title", max_length=SHORT))
    clean_summary = errors.run(partial(clean_text, summary, field="summary", max_length=LONG, multiline=True))
    errors.raise_if_any()
    assert number is not None
    existing = current_plan(decision_id=decision.pk, year=number)
    if existing is not None:
        raise ValidationError(
            _("Det finns redan en projektplan för %(year)s (version %(version)s, %(status)s).")
            % {"year": number, "version": existing.version, "status": existing.get_status_display()},
            code="plan_exists",
        )
    if source is not None:
        default_title = _with_year(source.title, source.year, number)
        default_summary = _with_year(source.summary, source.year, number)
    else:
        default_title, default_summary = _("Projektplan %(year)s") % {"year": number}, ""
    try:
        with transaction.atomic():
            plan = ProjectPlan(
                decision=decision,
                year=number,
                version=1,
                title=(clean_title or default_title)[:SHORT],
                summary=clean_summary or default_summary,
            )
            _recorded_by(plan, actor)
            plan.save()
            copied = 0
            if source is not None:
                _copy_budget_split(source, plan, actor)
                copied = _copy_activities(source, plan, actor)
            text = (
                _(
                    "Skapad från projektplanen %(source)s (version %(version)s): "
                    "%(n)s pågående eller planerade aktiviteter följde med."
                )
                % {"source": source.year, "version": source.version, "n": copied}
                if source is not None
                else _("Skapad som en tom plan.")
            )
            _comment(plan, PlanCommentKind.CREATED, actor, text=text)
    except IntegrityError:  # another request created the year's plan (or an activity code) first
        raise ValidationError(
            _("Det finns redan en projektplan för %(year)s.") % {"year": number}, code="plan_exists"
        ) from None
    return plan


def _year_lines(decision_id: int, year: int) -> dict[tuple[int, str], BudgetLine]:
    """The year's budget lines by (goal area id, recipient)."""
    return {
        (line.goal_area_id, line.recipient): line
        for line in BudgetLine.objects.filter(budget__decision_id=decision_id, budget__year=year)
    }


def _copy_budget_split(source: ProjectPlan, plan: ProjectPlan, actor: Any) -> None:
    lines = _year_lines(plan.decision_id, plan.year)
    for pbl in source.budget_lines.select_related("budget_line"):
        line = lines.get((pbl.budget_line.goal_area_id, pbl.budget_line.recipient))
        # The decision's own figure stands: the split fills only what it leaves open.
        if line is None or (line.amount is not None and not line.decided_by_plan):
            continue
        copy = PlanBudgetLine(plan=plan, budget_line=line, amount=pbl.amount)
        _recorded_by(copy, actor)
        copy.save()


def _copy_activities(source: ProjectPlan, plan: ProjectPlan, actor: Any) -> int:
    lines = _year_lines(plan.decision_id, plan.year)
    olds = (
        Activity.objects.filter(
            decision_id=source.decision_id,
            year=source.year,
            owner_county__isnull=True,
            status__in=CONTINUING,
        )
        .select_related("budget_line")
        .prefetch_related("sub_goals", "strategy_objectives", "partners", "counties", "municipalities")
        .order_by("pk")
    )
    count = 0
    for old in olds:
        line = old.budget_line
        new = Activity(
            decision_id=plan.decision_id,
            year=plan.year,
            code=old.code,
            sub_project_id=old.sub_project_id,
            goal_area_id=old.goal_area_id,
            title=old.title,
            description=old.description,
            report_section=old.report_section,
            position=old.position,
            is_example=old.is_example,
            counties_not_named=old.counties_not_named,
            status=ActivityStatus.PLANNED,
            budget_line=lines.get((line.goal_area_id, line.recipient)) if line is not None else None,
        )
        _recorded_by(new, actor)
        new._change_reason = _("kopierad från %(year)s") % {"year": source.year}  # type: ignore[attr-defined]
        new.save()
        new.sub_goals.set(old.sub_goals.all())
        new.also_serves.set(old.also_serves.all())
        new.strategy_objectives.set(old.strategy_objectives.all())
        new.partners.set(old.partners.all())
        new.counties.set(old.counties.all())
        new.municipalities.set(old.municipalities.all())
        count += 1
    return count


# --- sub-projects ---------------------------------------------------------------------------

SUB_PROJECT_MAX = 99


def subproject_create(
    *, decision: FundingDecision, actor: Any, name: str, description: str = "", number: Any = None
) -> SubProject:
    """A new sub-project of the decision (they span its years); numbered next unless told."""
    require(actor, "plan.edit", decision)
    errors = ErrorCollector()
    clean_name = errors.run(partial(clean_text, name, field="name", max_length=SHORT, required=True))
    clean_description = errors.run(
        partial(clean_text, description, field="description", max_length=LONG, multiline=True)
    )
    taken = set(SubProject.objects.filter(decision=decision).values_list("number", flat=True))
    if number is None or number == "":
        chosen: int | None = max(taken, default=0) + 1
    else:
        chosen = errors.run(partial(clean_int, number, field="number", minimum=1, maximum=SUB_PROJECT_MAX))
        if chosen in taken:
            errors.add("number", _("Delprojekt %(n)s finns redan.") % {"n": chosen})
    errors.raise_if_any()
    assert chosen is not None
    sub_project = SubProject(
        decision=decision, number=chosen, name=str(clean_name), description=str(clean_description)
    )
    _recorded_by(sub_project, actor)
    try:
        with transaction.atomic():
            sub_project.save()
    except IntegrityError:
        raise field_error("number", _("Delprojekt %(n)s finns redan.") % {"n": chosen}) from None
    return sub_project


def subproject_update(
    *, sub_project: SubProject, actor: Any, name: str | None = None, description: str | None = None
) -> SubProject:
    require(actor, "plan.edit", sub_project)
    errors = ErrorCollector()
    clean_name = errors.run(
        partial(
            clean_text,
            sub_project.name if name is None else name,
            field="name",
            max_length=SHORT,
            required=True,
        )
    )
    clean_description = errors.run(
        partial(
            clean_text,
            sub_project.description if description is None else description,
            field="description",
            max_length=LONG,
            multiline=True,
        )
    )
    errors.raise_if_any()
    if (clean_name, clean_description) == (sub_project.name, sub_project.description):
        return sub_project
    sub_project.name, sub_project.description = str(clean_name), str(clean_description)
    _recorded_by(sub_project, actor)
    sub_project.save()
    return sub_project


# --- activities and outputs -----------------------------------------------------------------

ACTIVITY_FIELDS = PLANNING_FIELDS + PROGRESS_FIELDS
_DATES = ("planned_start", "planned_end", "actual_start", "actual_end")
_M2M = ("sub_goals", "strategy_objectives", "partners", "counties", "municipalities", "also_serves")
# The bounds of an activity's own fields: its code (a slug in URLs), its report section ("4.1").
CODE_MAX = 80
SECTION_MAX = 10
PERIOD_MAX = SHORT  # Activity.planned_period: the document's words ("genomförs under 2019")
LINKS_MAX = 400  # more than Sweden's 290 municipalities
_CODE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
# Which organisations each link may name (partners: any body but a municipality or a county as
# such; counties: the 21 län; municipalities: the 290 kommuner).
_ORG_KINDS = {
    "partners": (OrganisationKind.OTHER, OrganisationKind.REGION),
    "counties": (OrganisationKind.LAN,),
    "municipalities": (OrganisationKind.KOMMUN,),
}


def _items(value: Any, field: str) -> list[Any]:
    """A list of codes or numbers as short strings; a refusal names the field."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise field_error(field, _("Ange en lista."))
    items = list(value)
    if len(items) > LINKS_MAX:
        raise field_error(field, _("Högst %(max)s val.") % {"max": LINKS_MAX})
    out: list[Any] = []
    for item in items:
        if isinstance(item, models.Model):
            out.append(item)
            continue
        if isinstance(item, bool) or not isinstance(item, str | int) or len(str(item)) > 40:
            raise field_error(field, _("Ogiltigt val: %(v)s.") % {"v": str(item)[:40]})
        out.append(str(item).strip())
    return out


def _unknown(field: str, missing: Iterable[str]) -> ValidationError:
    shown = ", ".join(sorted(str(m)[:40] for m in missing)[:10])
    return field_error(field, _("Okänt val: %(v)s.") % {"v": shown})


def _numbered_links(
    model: type[PolicySubGoal] | type[StrategyObjective], value: Any, field: str
) -> list[Any]:
    items = _items(value, field)
    wanted: set[int] = set()
    for item in items:
        if isinstance(item, PolicySubGoal | StrategyObjective):
            wanted.add(item.number)
            continue
        if not re.fullmatch(r"[0-9]{1,3}", item):
            raise _unknown(field, [item])
        wanted.add(int(item))
    found: list[PolicySubGoal | StrategyObjective] = list(model.objects.filter(number__in=wanted))
    missing = wanted - {o.number for o in found}
    if missing:
        raise _unknown(field, [str(n) for n in missing])
    return found


def _organisation_links(value: Any, field: str) -> list[Organisation]:
    items = _items(value, field)
    wanted = {item.code if isinstance(item, Organisation) else item for item in items}
    found = list(Organisation.objects.filter(code__in=wanted, kind__in=_ORG_KINDS[field]))
    missing = wanted - {o.code for o in found}
    if missing:
        raise _unknown(field, missing)
    return found


def line_key(line: BudgetLine) -> str:
    """A budget line as the web and the API name it: "<goal area>-<recipient>", e.g. "3-RSS"."""
    return f"{line.goal_area.number}-{line.recipient}"


def _budget_line(decision: FundingDecision, year: int, value: Any) -> BudgetLine | None:
    if value is None or value == "":
        return None
    lines = {
        line_key(line): line
        for line in BudgetLine.objects.filter(budget__decision=decision, budget__year=year).select_related(
            "goal_area", "budget"
        )
    }
    if isinstance(value, BudgetLine):
        if value.pk in {line.pk for line in lines.values()}:
            return value
        raise field_error("budget_line", _("Budgetraden gäller ett annat beslut eller år."))
    if not isinstance(value, str) or value not in lines:
        raise field_error(
            "budget_line",
            _("Okänd budgetrad för %(year)s; välj bland %(keys)s.")
            % {"year": year, "keys": ", ".join(sorted(lines)) or "–"},
        )
    return lines[value]


def _activity_value(decision: FundingDecision, year: int, name: str, value: Any) -> Any:
    """One field of an activity, within its declared bound: the value to store (an object for a
    relation, a list of objects for a link)."""
    if name == "title":
        return clean_text(value, field=name, max_length=SHORT, required=True)
    if name == "description":
        return clean_text(value, field=name, max_length=LONG, multiline=True)
    if name == "report_section":
        return clean_text(value, field=name, max_length=SECTION_MAX)
    if name == "planned_period":
        return clean_text(value, field=name, max_length=PERIOD_MAX)
    if name == "status":
        if value not in ActivityStatus.values:
            raise field_error(
                name, _("Okänd status; tillåtna: %(s)s.") % {"s": ", ".join(ActivityStatus.values)}
            )
        return str(value)
    if name in _DATES:
        return clean_date(value, field=name, required=False)
    if name == "sub_project":
        if isinstance(value, SubProject) and value.decision_id == decision.pk:
            return value
        found = None
        if value is not None and value != "":
            number = clean_int(value, field=name, minimum=1, maximum=SUB_PROJECT_MAX)
            found = SubProject.objects.filter(decision=decision, number=number).first()
        if found is None:
            numbers = ", ".join(str(n) for n in decision.sub_projects.values_list("number", flat=True))
            raise field_error(
                name, _("Välj ett av beslutets delprojekt (%(all)s).") % {"all": numbers or "–"}
            )
        return found
    if name == "goal_area":
        if isinstance(value, GoalArea) and value.decision_id == decision.pk:
            return value
        area = None
        if value is not None and value != "":
            number = clean_int(value, field=name, minimum=1, maximum=99)
            area = GoalArea.objects.filter(decision=decision, number=number).first()
        if area is None:
            numbers = ", ".join(str(n) for n in decision.goal_areas.values_list("number", flat=True))
            raise field_error(
                name, _("Välj ett av beslutets målområden (%(all)s).") % {"all": numbers or "–"}
            )
        return area
    if name == "also_serves":
        return _goal_area_links(decision, value, name)
    if name in ("is_example", "counties_not_named"):
        if not isinstance(value, bool):
            raise field_error(name, _("Ange sant eller falskt."))
        return value
    if name == "sub_goals":
        return _numbered_links(PolicySubGoal, value, name)
    if name == "strategy_objectives":
        return _numbered_links(StrategyObjective, value, name)
    if name in _ORG_KINDS:
        return _organisation_links(value, name)
    if name == "budget_line":
        return _budget_line(decision, year, value)
    if value is None or value == "":  # planned_cost
        return None
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise field_error(name, str(exc)) from None


def _goal_area_links(decision: FundingDecision, value: Any, field: str) -> list[GoalArea]:
    """The decision's goal areas an activity also serves (by number), without being reported
    under them (seed 003 §2: no activities are reported under the collaboration goal)."""
    areas = {g.number: g for g in decision.goal_areas.all()}
    found = []
    for item in _items(value, field):
        number = clean_int(item, field=field, minimum=1, maximum=99)
        if number not in areas:
            raise field_error(
                field,
                _("Välj bland beslutets målområden (%(all)s).") % {"all": ", ".join(map(str, areas)) or "–"},
            )
        found.append(areas[number])
    return found


def _unknown_fields(changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(
            _("Okända fält: %(f)s.") % {"f": ", ".join(sorted(str(u)[:40] for u in unknown))},
            code="unknown_field",
        )


def _activity_values(
    decision: FundingDecision, year: int, changes: dict[str, Any], errors: ErrorCollector
) -> dict[str, Any]:
    _unknown_fields(changes, ACTIVITY_FIELDS)
    cleaned = {}
    for name, value in changes.items():
        result = errors.run(partial(_activity_value, decision, year, name, value))
        if name not in errors.errors:
            cleaned[name] = result
    return cleaned


def _differs(activity: Activity, name: str, value: Any) -> bool:
    if name in _M2M:
        if activity.pk is None:
            return bool(value)
        return {o.pk for o in getattr(activity, name).all()} != {o.pk for o in value}
    if name in ("sub_project", "goal_area", "budget_line"):
        return getattr(activity, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(activity, name) != value


def _check_dates_in_year(year: int, dates: dict[str, Any], errors: ErrorCollector) -> None:
    """A date an activity is given lies within its year; one outside says why not."""
    for name, value in dates.items():
        if value is not None and value.year != year:
            errors.add(
                name,
                _(
                    "Datumet ligger utanför aktivitetens år %(year)s (%(year)s-01-01–%(year)s-12-31). "
                    "Det som görs ett annat år planeras som en aktivitet det året."
                )
                % {"year": year},
            )


def budget_line_left(*, line: BudgetLine, exclude: Activity | None = None) -> tuple[Decimal | None, Decimal]:
    """What the line may fund and what the year's activities (other than `exclude`) already plan
    on it. A line whose amount the decision leaves open is funded by the year's project plan's
    split, once the plan states it; until then its amount is None."""
    amount = line.amount
    if amount is None:
        plan = current_plan(decision_id=line.budget.decision_id, year=line.budget.year)
        if plan is not None:
            amount = (
                PlanBudgetLine.objects.filter(plan=plan, budget_line=line)
                .values_list("amount", flat=True)
                .first()
            )
    used = Activity.objects.filter(budget_line=line, planned_cost__isnull=False)
    if exclude is not None and exclude.pk is not None:
        used = used.exclude(pk=exclude.pk)
    return amount, used.aggregate(s=Sum("planned_cost"))["s"] or Decimal("0.00")


def _check_budget(activity: Activity) -> None:
    """A planned cost may not exceed what its budget line has left. Called in the transaction
    with the line's row locked, so that two activities cannot both take the last krona."""
    cost = activity.planned_cost
    if cost is None:
        return
    if activity.budget_line_id is None:
        raise field_error("budget_line", _("Välj den budgetrad som den planerade kostnaden ska belasta."))
    line = BudgetLine.objects.select_for_update().select_related("budget").get(pk=activity.budget_line_id)
    amount, used = budget_line_left(line=line, exclude=activity)
    if amount is None:
        raise field_error(
            "planned_cost",
            _(
                "Budgetraden har inget beslutat belopp, så kostnaden kan inte prövas mot den. "
                "Ange planens fördelning för raden först."
            ),
        )
    if cost > amount - used:
        raise field_error(
            "planned_cost",
            _(
                "Den planerade kostnaden %(cost)s överstiger vad budgetraden har kvar: %(left)s "
                "(%(amount)s, varav %(used)s redan planerat i andra aktiviteter)."
            )
            % {
                "cost": format_sek(cost),
                "left": format_sek(max(amount - used, Decimal("0.00"))),
                "amount": format_sek(amount),
                "used": format_sek(used),
            },
        )


def _save_activity(
    activity: Activity, cleaned: dict[str, Any], actor: Any, *, planning: bool, exclude: tuple[str, ...] = ()
) -> Activity:
    """Set the cleaned values, check the activity as a whole (but the fields in `exclude`) and
    save it with its links. `planning`: the change touches the plan, so its lock is checked again
    under the plan's row lock (a proposal made meanwhile wins)."""
    with transaction.atomic():
        if planning:
            _lock_year_plans(activity)
            _require_unlocked(activity, cleaned)
        for name, value in cleaned.items():
            if name not in _M2M:
                setattr(activity, name, value)
        if "planned_cost" in cleaned or "budget_line" in cleaned:
            _check_budget(activity)
        activity.full_clean(exclude=exclude)
        _recorded_by(activity, actor)
        activity.save()
        for name in _M2M:
            if name in cleaned:
                getattr(activity, name).set(cleaned[name])
        if activity.also_serves.filter(pk=activity.goal_area_id).exists():
            raise ValidationError(
                {
                    "also_serves": _("Aktiviteten redovisas redan under målområde %(n)s.")
                    % {"n": activity.goal_area.number}
                }
            )
    return activity


def _lock_year_plans(activity: Activity) -> None:
    list(
        ProjectPlan.objects.select_for_update()
        .filter(decision_id=activity.decision_id, year=activity.year)
        .values_list("pk", flat=True)
    )


def _require_unlocked(activity: Activity, fields: Iterable[str] = ()) -> None:
    """The lock's reason beside each planning field the change names (or, for an addition or
    a removal, not tied to a field)."""
    verdict = activity_lock_verdict(activity)
    if not verdict:
        named = [f for f in fields if f in PLANNING_FIELDS]
        if named:
            raise ValidationError({f: ValidationError(verdict.reason, code="locked") for f in named})
        raise ValidationError(verdict.reason, code="locked")


def activity_update(*, activity: Activity, actor: Any, **changes: Any) -> Activity:
    """Change an activity (an RSS user only for their own county). The planning fields change
    only while the activity is not locked (`locks.activity_lock_verdict`: a national activity
    while its plan is a draft); its status and actual dates may be recorded all year. A value
    equal to the stored one is no change."""
    require(actor, "activity.edit", activity)
    errors = ErrorCollector()
    cleaned = _activity_values(activity.decision, activity.year, changes, errors)
    errors.raise_if_any()
    cleaned = {name: value for name, value in cleaned.items() if _differs(activity, name, value)}
    if not cleaned:  # nothing changed: no save, no empty line in the change history
        return activity
    if any(name in PLANNING_FIELDS for name in cleaned):
        _require_unlocked(activity, cleaned)
    _check_dates_in_year(activity.year, {n: v for n, v in cleaned.items() if n in _DATES}, errors)
    errors.raise_if_any()
    return _save_activity(activity, cleaned, actor, planning=any(name in PLANNING_FIELDS for name in cleaned))


def _owner_code(actor: Any, code: Any) -> str | None:
    """Whose activity a new one is: the county code given, or — for an RSS leader of one county
    who does not say — their own; None for a national activity."""
    if isinstance(code, Organisation):
        return code.code
    if code is None or code == "":
        own = rss_counties(actor)
        if check(actor, "activity.create", None) or len(own) != 1:
            return None  # a coordinator's national activity, or the policy's refusal below
        return next(iter(own))
    return code if isinstance(code, str) else str(code)[:10]


def _owner_county(code: str | None) -> Organisation | None:
    if code is None:
        return None
    try:
        return county_get(code=code)
    except NotFound as exc:
        raise field_error("owner_county", str(exc)) from None


def _new_code(decision: FundingDecision, year: int, base: str) -> str:
    """A free activity code for the year made from `base` (slugified, within the bound): `base`,
    or `base-2`, `base-3` … when taken."""
    # Room for a suffix up to "-99999": a made code is never longer than the column.
    base = slugify(base)[: CODE_MAX - 6].strip("-") or str(year)
    taken = set(
        Activity.objects.filter(decision=decision, year=year, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    if len(code) > CODE_MAX:
        raise field_error("code", _("Ange en egen kod: rubriken används redan av för många aktiviteter."))
    return code


_CODE_TRIES = 5


def _save_with_free_code(activity: Activity, base: str, save: Callable[[], Activity]) -> Activity:
    """`save()` the new `activity` under a code made from `base` that no other activity of its
    year holds. The code is free when chosen but may be taken before the insert by a request that
    made the same one (two RSS leaders' "Samma titel" at once): the insert is then tried again with
    the next free code, in a savepoint (`save` leaves the code's uniqueness to the database)."""
    for attempt in range(1, _CODE_TRIES + 1):
        activity.code = _new_code(activity.decision, activity.year, base)
        try:
            with transaction.atomic():
                return save()
        except IntegrityError:
            taken = Activity.objects.filter(
                decision=activity.decision, year=activity.year, code=activity.code
            ).exists()
            if not taken or attempt == _CODE_TRIES:
                raise
    raise AssertionError("unreachable")


def activity_create(
    *,
    decision: FundingDecision,
    year: Any,
    actor: Any,
    owner_county: Any = None,
    code: str | None = None,
    **fields: Any,
) -> Activity:
    """A new activity of the year: a national one (`owner_county` None) by a coordinator while
    the year's plan is a draft; an RSS one for a county by that county's RSS leader (whose own
    county it is unless told) or a coordinator, in the county's implementation plan if it has
    one. `fields` are those of `activity_update`; title, sub-project and goal area are required.
    `code` (the activity's slug in URLs) is made from the title unless given."""
    code_of_county = _owner_code(actor, owner_county)
    require(actor, "activity.create", code_of_county)
    county = _owner_county(code_of_county)
    errors = ErrorCollector()
    number = errors.run(partial(_plan_year, decision, year, "year"))
    errors.raise_if_any()
    assert number is not None
    activity = Activity(decision=decision, year=number, owner_county=county)
    _require_unlocked(activity)
    fields.setdefault("title", None)
    fields.setdefault("sub_project", None)
    fields.setdefault("goal_area", None)
    cleaned = _activity_values(decision, number, fields, errors)
    if code is not None and code != "":
        clean_code = errors.run(partial(clean_text, code, field="code", max_length=CODE_MAX))
        if clean_code is not None and not _CODE.fullmatch(clean_code):
            errors.add(
                "code", _("Koden får bara innehålla små bokstäver a–z, siffror och bindestreck (högst 80).")
            )
        elif (
            clean_code is not None
            and Activity.objects.filter(decision=decision, year=number, code=clean_code).exists()
        ):
            errors.add(
                "code", _("Det finns redan en aktivitet med koden %(c)s för året.") % {"c": clean_code}
            )
    else:
        clean_code = None
    _check_dates_in_year(number, {n: v for n, v in cleaned.items() if n in _DATES}, errors)
    errors.raise_if_any()
    if county is not None:
        activity.county_plan = CountyPlan.objects.filter(
            decision=decision, year=number, county=county
        ).first()
    section = str(cleaned.get("report_section") or "")
    activity.position = (
        Activity.objects.filter(decision=decision, year=number, report_section=section)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
        or 0
    ) + 1
    if clean_code is None:  # made from the title: another free one if a request takes it first
        saved = _save_with_free_code(
            activity,
            f"{number}-{cleaned['title']}",
            lambda: _save_activity(activity, cleaned, actor, planning=True, exclude=("code",)),
        )
    else:
        activity.code = clean_code
        try:
            saved = _save_activity(activity, cleaned, actor, planning=True)
        except IntegrityError:  # the same code, taken by another request in the meantime
            raise field_error(
                "code", _("Det finns redan en aktivitet med koden %(c)s för året.") % {"c": activity.code}
            ) from None
    if county is not None:
        saved.counties.add(county)
    return saved


def activity_delete(*, activity: Activity, actor: Any) -> None:
    """Remove an activity that was planned by mistake: only while its planning may change, and
    not once it has results or is referred to by a half-yearly report or an evaluation (then it
    is cancelled instead: status "Inställd")."""
    require(actor, "activity.edit", activity)
    _require_unlocked(activity)
    verdict = activity_removal_verdict(activity)
    if not verdict:
        raise ValidationError(verdict.reason, code="in_use")
    with transaction.atomic():
        _lock_year_plans(activity)
        _require_unlocked(activity)
        _recorded_by(activity, actor)
        activity.delete()


def _count(value: Any, field: str, errors: ErrorCollector, *, required: bool = False) -> int | None:
    if value is None and not required:
        return None
    return errors.run(lambda: clean_int(value, field=field, minimum=0, maximum=COUNT_MAX))


def _total(value: Any, errors: ErrorCollector) -> int | None:
    """An output's total: what was counted, so at least one (a part of the breakdown may be 0)."""
    total = _count(value, "total", errors, required=True)
    if total == 0:
        errors.add(
            "total",
            _("Ett resultat räknar minst 1. Blev det inget, ta bort resultatet (historiken behåller det)."),
        )
        return None
    return total


def _qualifier(value: Any, errors: ErrorCollector) -> str | None:
    """How exact a figure is (`OutputQualifier`): one of the known values, or the field is named."""

    def check_value() -> str:
        if value not in OutputQualifier.values:
            raise field_error(
                "qualifier",
                _("Okänd exakthet; tillåtna: %(q)s.") % {"q": ", ".join(OutputQualifier.values)},
            )
        return str(value)

    return errors.run(check_value)


def output_create(
    *,
    activity: Activity,
    actor: Any,
    label: str,
    unit: str,
    total: int,
    women: int | None = None,
    men: int | None = None,
    other: int | None = None,
    note: str = "",
    qualifier: str = OutputQualifier.EXACT,
) -> Output:
    """Add a result; a breakdown by sex must add up to the total (names the field). `qualifier`
    says how exact the figure is (an approximate, likely, planned or estimated one is not a
    measured result)."""
    require(actor, "activity.edit", activity)
    errors = ErrorCollector()
    clean_qualifier = _qualifier(qualifier, errors)
    texts = {
        name: errors.run(partial(clean_text, value, field=name, max_length=bound, required=required))
        for name, value, bound, required in (
            ("label", label, SHORT, True),
            ("unit", unit, UNIT_MAX, True),
            ("note", note, SHORT, False),
        )
    }
    counts = {
        "total": _total(total, errors),
        "women": _count(women, "women", errors),
        "men": _count(men, "men", errors),
        "other": _count(other, "other", errors),
    }
    errors.raise_if_any()
    position = (activity.outputs.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    output = Output(
        activity=activity,
        position=position,
        qualifier=clean_qualifier or OutputQualifier.EXACT,
        **texts,
        **counts,
    )
    output.full_clean()
    _recorded_by(output, actor)
    output.save()
    return output


# === The county's own work and the results (issue 11) ======================================
# An RSS leader keeps their county's genomförandeplan for a year and the county's activities in
# it (the coordinator may do it for any county); outputs are corrected and removed with their
# change history; SKR's coordinator records evaluations, the half-yearly status report and the
# steering group's members. Dates lie within the year they belong to, and a refusal says which
# year and why.

COUNTY_ACTIVITY_FIELDS = (*COUNTY_PLANNING_FIELDS, "status", "actual_start", "actual_end")
OUTPUT_FIELDS = ("label", "unit", "total", "women", "men", "other", "note", "qualifier")
EVALUATION_FIELDS = ("title", "method", "description", "findings", "recommendations", "activities")
STATUS_REPORT_TEXTS = ("summary", "deviations", "risks")
MEMBER_FIELDS = ("name", "title", "department", "period_start", "period_end")
# An evaluation names the activities it looked at: at most this many (a year has some fifty).
EVALUATION_ACTIVITIES_MAX = 500


def _require_open(county_plan: CountyPlan | None, fields: Iterable[str]) -> None:
    verdict = county_plan_lock(county_plan=county_plan, fields=fields)
    if not verdict:
        raise ValidationError(verdict.reason, code="locked")


def _date_in_year(value: Any, *, field: str, year: int, what: str, required: bool = False) -> dt.date | None:
    """A date of `year` (what it belongs to, `what`, says why)."""
    day = clean_date(value, field=field, required=required)
    if day is not None and day.year != year:
        raise field_error(
            field,
            _("Datumet ska ligga inom %(year)s (%(a)s–%(b)s): %(what)s hör till det året.")
            % {"year": year, "a": dt.date(year, 1, 1), "b": dt.date(year, 12, 31), "what": what},
        )
    return day


def county_plan_create(
    *, decision: FundingDecision, year: int, county_code: str, actor: Any, summary: str = ""
) -> CountyPlan:
    """Start a county's genomförandeplan for a year ("Under arbete")."""
    require(actor, "county_plan.edit", county_code)
    errors = ErrorCollector()
    if year not in decision.years:
        errors.add("year", _("Året ligger utanför beslutets period %(p)s.") % {"p": decision.period})

    def county() -> Any:
        try:
            return county_get(code=county_code)
        except NotFound as exc:
            raise field_error("county", str(exc)) from None

    org = errors.run(county)
    text = errors.run(partial(clean_text, summary, field="summary", max_length=LONG, multiline=True))
    errors.raise_if_any()
    plan = CountyPlan(decision=decision, year=year, county=org, summary=str(text))
    exists = _("%(county)s har redan en genomförandeplan för %(year)s.")
    if CountyPlan.objects.filter(decision=decision, year=year, county=org).exists():
        raise field_error("county", exists % {"county": county_plan_name(plan), "year": year})
    _recorded_by(plan, actor)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # created by someone else a moment ago
        raise field_error("county", exists % {"county": county_plan_name(plan), "year": year}) from None
    return plan


def county_plan_update(
    *, county_plan: CountyPlan, actor: Any, summary: str | None = None, status: str | None = None
) -> CountyPlan:
    """Change the plan's summary (while it is under work) or its status: "Under arbete" →
    "Framtagen" by the county, back again only by SKR's coordinator."""
    require(actor, "county_plan.edit", county_plan)
    errors = ErrorCollector()
    changes: dict[str, Any] = {}
    if summary is not None:
        changes["summary"] = errors.run(
            partial(clean_text, summary, field="summary", max_length=LONG, multiline=True)
        )
    if status is not None:
        if status not in CountyPlanStatus.values:
            errors.add(
                "status",
                _("Okänd status; tillåtna: %(s)s.") % {"s": ", ".join(CountyPlanStatus.values)},
            )
        else:
            changes["status"] = str(status)
    errors.raise_if_any()
    changes = {k: v for k, v in changes.items() if getattr(county_plan, k) != v}
    if not changes:
        return county_plan
    if changes.get("status") == CountyPlanStatus.DRAFT:
        require(actor, "county_plan.reopen", county_plan)
    # A fixed plan's summary is locked; changing it while marking the plan "Framtagen", or while
    # SKR opens it again, is allowed.
    if "summary" in changes and changes.get("status", county_plan.status) == CountyPlanStatus.FIXED:
        _require_open(county_plan, ["summary"])
    with transaction.atomic():
        plan = CountyPlan.objects.select_for_update().get(pk=county_plan.pk)
        for name, value in changes.items():
            setattr(plan, name, value)
        _recorded_by(plan, actor)
        plan.save()
    return plan


def _county_activity_values(decision: FundingDecision, year: int, changes: dict[str, Any]) -> dict[str, Any]:
    """The cleaned values of a county activity's fields, every bad field named at once."""
    what = _("aktiviteten i genomförandeplanen för %(year)s") % {"year": year}
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name in _DATES:
            cleaned[name] = errors.run(partial(_date_in_year, value, field=name, year=year, what=what))
        else:
            cleaned[name] = errors.run(partial(_activity_value, decision, year, name, value))
    errors.raise_if_any()
    return cleaned


def _county_report_section(decision: FundingDecision) -> str:
    """Where the result report puts the counties' own activities: where it put them before."""
    last = (
        Activity.objects.filter(decision=decision, owner_county__isnull=False)
        .exclude(report_section="")
        .order_by("-year", "-position")
        .values_list("report_section", flat=True)
        .first()
    )
    return last or ""


def county_activity_create(
    *,
    county_plan: CountyPlan,
    actor: Any,
    title: str,
    goal_area: Any,
    sub_project: Any,
    description: str = "",
    status: str = ActivityStatus.PLANNED,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
    actual_start: dt.date | None = None,
    actual_end: dt.date | None = None,
    planned_cost: Any = None,
) -> Activity:
    """Add an activity to a county's plan while the plan is under work; the county runs it."""
    require(actor, "county_plan.edit", county_plan)
    _require_open(county_plan, COUNTY_PLANNING_FIELDS)
    decision, year = county_plan.decision, county_plan.year
    values = _county_activity_values(
        decision,
        year,
        {
            "title": title,
            "description": description,
            "goal_area": goal_area,
            "sub_project": sub_project,
            "status": status,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "actual_start": actual_start,
            "actual_end": actual_end,
            "planned_cost": planned_cost,
        },
    )
    county = county_plan.county
    section = _county_report_section(decision)
    last = (
        Activity.objects.filter(decision=decision, year=year, report_section=section)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    with transaction.atomic():
        activity = Activity(
            decision=decision,
            year=year,
            owner_county=county,
            county_plan=county_plan,
            report_section=section,
            position=(last or 0) + 1,
            **values,
        )

        def save() -> Activity:
            activity.full_clean(exclude=("code",))  # a made code: its uniqueness is the database's
            _recorded_by(activity, actor)
            activity.save()
            return activity

        _save_with_free_code(activity, f"{year}-rss-{county.code}-{values['title']}", save)
        activity.counties.add(county)
    return activity


def county_activity_update(*, activity: Activity, actor: Any, **changes: Any) -> Activity:
    """Change a county's activity: its planning while the county plan is under work, its status
    and actual dates at any time. An RSS leader only for their own county."""
    require(actor, "activity.edit", activity)
    if activity.owner_county_id is None:
        raise ValidationError(
            _("Aktiviteten genomförs inte av ett län; den ändras i projektplanen."), code="not_county"
        )
    _unknown_fields(changes, COUNTY_ACTIVITY_FIELDS)
    values = _county_activity_values(activity.decision, activity.year, changes)
    values = {k: v for k, v in values.items() if getattr(activity, k) != v}
    if not values:
        return activity
    _require_open(county_plan_of(activity), values)
    with transaction.atomic():
        row = Activity.objects.select_for_update().get(pk=activity.pk)
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        _recorded_by(row, actor)
        row.save()
    return row


# --- outputs: corrected and removed, with their history ---------------------------------------


def output_update(*, output: Output, actor: Any, **changes: Any) -> Output:
    """Correct an output; the breakdown by sex must still add up (the model names the field)."""
    require(actor, "activity.edit", output.activity)
    _unknown_fields(changes, OUTPUT_FIELDS)
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    bounds = {"label": SHORT, "unit": UNIT_MAX, "note": SHORT}
    for name, value in changes.items():
        if name in bounds:
            cleaned[name] = errors.run(
                partial(clean_text, value, field=name, max_length=bounds[name], required=name != "note")
            )
        elif name == "qualifier":
            cleaned[name] = _qualifier(value, errors)
        else:
            cleaned[name] = _total(value, errors) if name == "total" else _count(value, name, errors)
    errors.raise_if_any()
    cleaned = {k: v for k, v in cleaned.items() if getattr(output, k) != v}
    if not cleaned:
        return output
    with transaction.atomic():
        row = Output.objects.select_for_update().get(pk=output.pk)
        for name, value in cleaned.items():
            setattr(row, name, value)
        row.full_clean()
        _recorded_by(row, actor)
        row.save()
    return row


def output_delete(*, output: Output, actor: Any) -> None:
    """Remove an output; its history keeps what it said and who removed it."""
    require(actor, "activity.edit", output.activity)
    _recorded_by(output, actor)
    output.delete()


# --- evaluations --------------------------------------------------------------------------------


def _evaluation_values(decision: FundingDecision, year: int, changes: dict[str, Any]) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "activities":
            cleaned[name] = errors.run(partial(_evaluation_activities, decision, year, value))
        else:
            long = name not in ("title", "method")
            cleaned[name] = errors.run(
                partial(
                    clean_text,
                    value,
                    field=name,
                    max_length=LONG if long else SHORT,
                    multiline=long,
                    required=name == "title",
                )
            )
    errors.raise_if_any()
    return cleaned


def _evaluation_activities(decision: FundingDecision, year: int, codes: Any) -> list[Activity]:
    if codes is None:
        return []
    if isinstance(codes, str) or not isinstance(codes, list | tuple | set):
        raise field_error("activities", _("Ange en lista med aktiviteternas koder."))
    if len(codes) > EVALUATION_ACTIVITIES_MAX:
        raise field_error("activities", _("Högst %(n)s aktiviteter.") % {"n": EVALUATION_ACTIVITIES_MAX})
    wanted = [clean_text(c, field="activities", max_length=CODE_MAX, required=True) for c in codes]
    found = {a.code: a for a in Activity.objects.filter(decision=decision, year=year, code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise field_error(
            "activities",
            _("Okända aktiviteter för %(year)s: %(codes)s.")
            % {"year": year, "codes": ", ".join(unknown[:5])},
        )
    return list(found.values())


def _evaluation_save(evaluation: Evaluation, values: dict[str, Any], actor: Any) -> Evaluation:
    activities = values.pop("activities", None)
    for name, value in values.items():
        setattr(evaluation, name, value)
    taken = Evaluation.objects.filter(
        decision=evaluation.decision, year=evaluation.year, title=evaluation.title
    ).exclude(pk=evaluation.pk)
    if taken.exists():
        raise field_error(
            "title", _("Det finns redan en utvärdering med den rubriken för %(y)s.") % {"y": evaluation.year}
        )
    with transaction.atomic():
        _recorded_by(evaluation, actor)
        evaluation.save()
        if activities is not None:
            evaluation.activities.set(activities)
    return evaluation


def evaluation_create(
    *,
    decision: FundingDecision,
    year: int,
    actor: Any,
    title: str,
    method: str = "",
    description: str = "",
    findings: str = "",
    recommendations: str = "",
    activities: Iterable[str] = (),
) -> Evaluation:
    """Record an evaluation of a year (findings, recommendations, the activities it looked at)."""
    require(actor, "evaluation.edit")
    if year not in decision.years:
        raise field_error("year", _("Året ligger utanför beslutets period %(p)s.") % {"p": decision.period})
    values = _evaluation_values(
        decision,
        year,
        {
            "title": title,
            "method": method,
            "description": description,
            "findings": findings,
            "recommendations": recommendations,
            "activities": list(activities) if not isinstance(activities, str) else activities,
        },
    )
    return _evaluation_save(Evaluation(decision=decision, year=year), values, actor)


def evaluation_update(*, evaluation: Evaluation, actor: Any, **changes: Any) -> Evaluation:
    require(actor, "evaluation.edit", evaluation)
    _unknown_fields(changes, EVALUATION_FIELDS)
    values = _evaluation_values(evaluation.decision, evaluation.year, changes)
    if "activities" in values and {a.pk for a in values["activities"]} == set(
        evaluation.activities.values_list("pk", flat=True)
    ):
        del values["activities"]
    values = {k: v for k, v in values.items() if k == "activities" or getattr(evaluation, k) != v}
    if not values:
        return evaluation
    return _evaluation_save(evaluation, values, actor)


def evaluation_delete(*, evaluation: Evaluation, actor: Any) -> None:
    require(actor, "evaluation.edit", evaluation)
    _recorded_by(evaluation, actor)
    evaluation.delete()


# --- the half-yearly status report ------------------------------------------------------------


def half_year(*, decision: FundingDecision, period_start: Any) -> tuple[dt.date, dt.date]:
    """The half-year starting `period_start` (1 January or 1 July of one of the decision's years)."""
    day = clean_date(period_start, field="period_start")
    assert day is not None
    if (day.month, day.day) not in ((1, 1), (7, 1)):
        raise field_error("period_start", _("Ett halvår börjar 1 januari eller 1 juli."))
    if day.year not in decision.years:
        raise field_error(
            "period_start",
            _("Halvåret ska ligga inom beslutets period %(p)s.") % {"p": decision.period},
        )
    return day, dt.date(day.year, 6, 30) if day.month == 1 else dt.date(day.year, 12, 31)


def _submitted() -> ValidationError:
    return ValidationError(_("Halvårsrapporten är inlämnad och kan inte ändras."), code="submitted")


def _report_texts(changes: dict[str, Any]) -> dict[str, str]:
    errors = ErrorCollector()
    cleaned = {
        name: errors.run(partial(clean_text, value, field=name, max_length=LONG, multiline=True))
        for name, value in changes.items()
        if value is not None
    }
    errors.raise_if_any()
    return {k: str(v) for k, v in cleaned.items()}


def status_report_create(
    *,
    decision: FundingDecision,
    period_start: Any,
    actor: Any,
    summary: str = "",
    deviations: str = "",
    risks: str = "",
) -> StatusReport:
    """Start the steering group's report for a half-year, as a draft."""
    require(actor, "status_report.edit")
    errors = ErrorCollector()
    period = errors.run(lambda: half_year(decision=decision, period_start=period_start))
    texts = errors.run(lambda: _report_texts({"summary": summary, "deviations": deviations, "risks": risks}))
    errors.raise_if_any()
    assert period is not None and texts is not None
    exists = field_error("period_start", _("Det finns redan en halvårsrapport för perioden."))
    if StatusReport.objects.filter(decision=decision, period_start=period[0]).exists():
        raise exists
    report = StatusReport(
        decision=decision, period_start=period[0], period_end=period[1], created_by=actor_user(actor), **texts
    )
    _recorded_by(report, actor)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise exists from None
    return report


def status_report_update(
    *,
    report: StatusReport,
    actor: Any,
    summary: str | None = None,
    deviations: str | None = None,
    risks: str | None = None,
) -> StatusReport:
    require(actor, "status_report.edit", report)
    if report.state != StatusReportState.DRAFT:
        raise _submitted()
    texts = _report_texts({"summary": summary, "deviations": deviations, "risks": risks})
    texts = {k: v for k, v in texts.items() if getattr(report, k) != v}
    if not texts:
        return report
    with transaction.atomic():
        row = StatusReport.objects.select_for_update().get(pk=report.pk)
        if row.state != StatusReportState.DRAFT:
            raise _submitted()
        for name, value in texts.items():
            setattr(row, name, value)
        _recorded_by(row, actor)
        row.save()
    return row


def status_report_item_set(
    *, report: StatusReport, actor: Any, activity: Any, progress: str, deviation: str = ""
) -> StatusReportItem:
    """An activity's progress (and deviation) in the report: added, or replaced if it is there."""
    require(actor, "status_report.edit", report)
    if report.state != StatusReportState.DRAFT:
        raise _submitted()
    errors = ErrorCollector()
    year = report.period_start.year

    def the_activity() -> Activity:
        code = clean_text(activity, field="activity", max_length=CODE_MAX, required=True)
        found = Activity.objects.filter(decision_id=report.decision_id, year=year, code=code).first()
        if found is None:
            raise field_error("activity", _("Ingen aktivitet %(c)s för %(y)s.") % {"c": code, "y": year})
        return found

    target = errors.run(the_activity)
    texts = {
        name: errors.run(
            partial(
                clean_text, value, field=name, max_length=LONG, multiline=True, required=name == "progress"
            )
        )
        for name, value in (("progress", progress), ("deviation", deviation))
    }
    errors.raise_if_any()
    item = StatusReportItem.objects.filter(report=report, activity=target).first() or StatusReportItem(
        report=report, activity=target
    )
    if item.pk and all(getattr(item, k) == v for k, v in texts.items()):
        return item
    for name, value in texts.items():
        setattr(item, name, value)
    _recorded_by(item, actor)
    item.save()
    return item


def status_report_item_delete(*, item: StatusReportItem, actor: Any) -> None:
    require(actor, "status_report.edit", item.report)
    if item.report.state != StatusReportState.DRAFT:
        raise _submitted()
    _recorded_by(item, actor)
    item.delete()


def status_report_submit(*, report: StatusReport, actor: Any) -> StatusReport:
    """Draft → submitted: the report is final and may no longer change."""
    require(actor, "status_report.edit", report)
    with transaction.atomic():
        row = StatusReport.objects.select_for_update().get(pk=report.pk)
        if row.state != StatusReportState.DRAFT:
            raise _submitted()
        if not row.summary:
            raise field_error("summary", _("Skriv en sammanfattning innan halvårsrapporten lämnas in."))
        row.state = StatusReportState.SUBMITTED
        _recorded_by(row, actor)
        row.save()
    return row


# --- the steering group's members ------------------------------------------------------------


def _member_values(decision: FundingDecision, changes: dict[str, Any], current: Any = None) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("period_start", "period_end"):
            cleaned[name] = errors.run(partial(clean_date, value, field=name, required=False))
        else:
            cleaned[name] = errors.run(
                partial(clean_text, value, field=name, max_length=SHORT, required=True)
            )
    errors.raise_if_any()
    start = cleaned.get("period_start", getattr(current, "period_start", None))
    end = cleaned.get("period_end", getattr(current, "period_end", None))
    if start and end and end < start:
        raise field_error("period_end", _("Perioden slutar före den börjar."))
    years = decision.years
    if years:
        first, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
        outside = _(
            "Ledamoten sitter i styrgruppen för beslutet %(p)s; perioden ska överlappa %(a)s–%(b)s."
        ) % {"p": decision.period, "a": first, "b": last}
        if start and start > last:
            raise field_error("period_start", outside)
        if end and end < first:
            raise field_error("period_end", outside)
    return cleaned


def steering_group_member_create(
    *,
    decision: FundingDecision,
    actor: Any,
    name: str,
    title: str,
    department: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> SteeringGroupMember:
    """Record a member of the decision's steering group (the group is made with its first member)."""
    require(actor, "steering_group.edit")
    values = _member_values(
        decision,
        {
            "name": name,
            "title": title,
            "department": department,
            "period_start": period_start,
            "period_end": period_end,
        },
    )
    with transaction.atomic():
        group = SteeringGroup.objects.filter(decision=decision).first()
        if group is None:
            group = SteeringGroup(decision=decision, description="")
            _recorded_by(group, actor)
            group.save()
        member = SteeringGroupMember(group=group, **values)
        _recorded_by(member, actor)
        member.save()
    return member


def steering_group_member_update(
    *, member: SteeringGroupMember, actor: Any, **changes: Any
) -> SteeringGroupMember:
    require(actor, "steering_group.edit", member)
    _unknown_fields(changes, MEMBER_FIELDS)
    values = _member_values(member.group.decision, changes, current=member)
    values = {k: v for k, v in values.items() if getattr(member, k) != v}
    if not values:
        return member
    for name, value in values.items():
        setattr(member, name, value)
    _recorded_by(member, actor)
    member.save()
    return member


def steering_group_member_delete(*, member: SteeringGroupMember, actor: Any) -> None:
    require(actor, "steering_group.edit", member)
    _recorded_by(member, actor)
    member.delete()


__all__ = [
    "TRANSITIONS",
    "activity_create",
    "activity_delete",
    "activity_update",
    "budget_line_left",
    "county_activity_create",
    "county_activity_update",
    "county_plan_create",
    "county_plan_lock",
    "county_plan_update",
    "evaluation_create",
    "evaluation_delete",
    "evaluation_update",
    "line_key",
    "output_create",
    "output_delete",
    "output_update",
    "plan_create",
    "plan_new_version",
    "plan_set_budget",
    "plan_transition",
    "plan_update",
    "status_report_create",
    "status_report_item_delete",
    "status_report_item_set",
    "status_report_submit",
    "status_report_update",
    "steering_group_member_create",
    "steering_group_member_delete",
    "steering_group_member_update",
    "subproject_create",
    "subproject_update",
]
