"""The work itself: project plans, sub-projects, activities, outputs by sex, evaluations and the
half-yearly status reports (DESIGN §2, seed 003).

An activity is traceable to a goal area, sub-goals, strategy objectives, partners, counties and a
budget line. RSS activities belong to a county and are edited only by that county's RSS leader
(and by coordinators): the policy decides, with `Activity.owner_county_code` as the scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jamkoll.money import group_digits
from jamkoll.programmes.models import BudgetLine, FundingDecision, GoalArea, money_field
from jamkoll.reference.models import Organisation, PolicySubGoal, StrategyObjective


class SteeringGroup(models.Model):
    decision = models.OneToOneField(
        FundingDecision, on_delete=models.CASCADE, related_name="steering_group", verbose_name=_("beslut")
    )
    description = models.TextField(_("beskrivning"))
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("styrgrupp")
        verbose_name_plural = _("styrgrupper")

    def __str__(self) -> str:
        return gettext("Styrgrupp för %(title)s") % {"title": self.decision.title}


class SteeringGroupMember(models.Model):
    group = models.ForeignKey(
        SteeringGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("styrgrupp")
    )
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("titel"), max_length=200)
    department = models.CharField(_("avdelning"), max_length=200)
    period_start = models.DateField(_("från"), null=True, blank=True)
    period_end = models.DateField(_("till och med"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("styrgruppsledamot")
        verbose_name_plural = _("styrgruppsledamöter")
        ordering = ["group", "department", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    PROPOSED = "proposed", _("Föreslagen till Regeringskansliet")
    CONSULTED = "consulted", _("Samråd genomfört")
    FIXED = "fixed", _("Fastställd av styrgruppen")


class ProjectPlan(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="project_plans", verbose_name=_("beslut")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    title = models.CharField(_("titel"), max_length=300)
    summary = models.TextField(_("sammanfattning"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("ersätter version"),
    )
    proposed_on = models.DateField(_("föreslagen den"), null=True, blank=True)
    proposed_by = models.CharField(_("föreslagen av"), max_length=200, blank=True)
    proposed_reference = models.CharField(_("diarienummer för förslaget"), max_length=100, blank=True)
    consulted_on = models.DateField(_("samråd den"), null=True, blank=True)
    consulted_by = models.CharField(_("samråd registrerat av"), max_length=200, blank=True)
    consulted_reference = models.CharField(_("diarienummer för samrådet"), max_length=100, blank=True)
    fixed_on = models.DateField(_("fastställd den"), null=True, blank=True)
    fixed_by = models.CharField(_("fastställd av"), max_length=200, blank=True)
    fixed_reference = models.CharField(_("diarienummer för fastställelsen"), max_length=100, blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("projektplan")
        verbose_name_plural = _("projektplaner")
        ordering = ["decision", "year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "year", "version"], name="projectplan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def frozen(self) -> bool:
        return self.status == PlanStatus.FIXED


class PlanCommentKind(models.TextChoices):
    """What a line of the plan's timeline records: a step of the workflow (the actions of
    `plans.transitions`), the plan's creation, a new version, or a remark."""

    CREATED = "created", _("Planen skapad")
    PROPOSE = "propose", _("Föreslagen till Regeringskansliet")
    SEND_BACK = "send_back", _("Skickad tillbaka till SKR")
    CONSULT = "consult", _("Samråd registrerat")
    FIX = "fix", _("Fastställd")
    NEW_VERSION = "new_version", _("Ny version för ändringar")


class PlanComment(models.Model):
    """One line of a plan's timeline: who took a step (or made the plan, or a new version), when,
    and what they wrote; the ministry's reasons for sending a plan back are kept here. Written
    once, never changed (so no change history of its own)."""

    plan = models.ForeignKey(
        ProjectPlan, on_delete=models.CASCADE, related_name="comments", verbose_name=_("projektplan")
    )
    kind = models.CharField(_("händelse"), max_length=20, choices=PlanCommentKind.choices)
    text = models.TextField(_("kommentar"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("konto"),
    )
    author_name = models.CharField(_("av"), max_length=200)
    on = models.DateField(_("datum"), null=True, blank=True)
    reference = models.CharField(_("diarienummer"), max_length=100, blank=True)
    created = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        verbose_name = _("händelse i projektplanen")
        verbose_name_plural = _("projektplanens tidslinje")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_kind_display()} ({self.author_name})"


class PlanBudgetLine(models.Model):
    """How the plan splits a year's money where the decision leaves it open (issue 5)."""

    plan = models.ForeignKey(
        ProjectPlan, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("projektplan")
    )
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, verbose_name=_("budgetrad"))
    amount = money_field(_("belopp"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planens fördelning")
        verbose_name_plural = _("planens fördelning")
        constraints = [models.UniqueConstraint(fields=["plan", "budget_line"], name="planbudgetline_unique")]

    def __str__(self) -> str:
        return f"{self.plan}: {self.budget_line} {self.amount}"


class SubProject(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="sub_projects", verbose_name=_("beslut")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delprojekt")
        verbose_name_plural = _("delprojekt")
        ordering = ["decision", "number"]
        constraints = [models.UniqueConstraint(fields=["decision", "number"], name="subproject_unique")]

    def __str__(self) -> str:
        return f"Delprojekt {self.number}: {self.name}"


class CountyPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Under arbete")
    FIXED = "fixed", _("Framtagen")


class CountyPlan(models.Model):
    """A county RSS's genomförandeplan for a year."""

    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="county_plans", verbose_name=_("beslut")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="county_plans",
        verbose_name=_("län"),
        limit_choices_to={"kind": "lan"},
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CountyPlanStatus.choices, default=CountyPlanStatus.DRAFT
    )
    summary = models.TextField(_("sammanfattning"), blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("genomförandeplan")
        verbose_name_plural = _("genomförandeplaner")
        ordering = ["decision", "year", "county__code"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "year", "county"], name="countyplan_unique")
        ]

    def __str__(self) -> str:
        on = dt.date(self.year, 12, 31)
        return gettext("Genomförandeplan %(year)s för %(county)s") % {
            "year": self.year,
            "county": self.county.name_at(on),
        }

    @property
    def county_code(self) -> str | None:
        """The county the policy scopes the plan to (`county_plan.edit`)."""
        return self.county.code if self.county_id else None

    @property
    def frozen(self) -> bool:
        return self.status == CountyPlanStatus.FIXED


class ReportSection(models.Model):
    """A heading of the yearly result report, in order (seed 003's structure)."""

    decision = models.ForeignKey(FundingDecision, on_delete=models.CASCADE, verbose_name=_("beslut"))
    year = models.PositiveSmallIntegerField(_("år"))
    number = models.CharField(_("nummer"), max_length=10)
    title = models.CharField(_("rubrik"), max_length=300)
    numbered = models.BooleanField(_("numrerad i rapporten"), default=True)
    position = models.PositiveSmallIntegerField(_("ordning"))

    class Meta:
        verbose_name = _("rapportavsnitt")
        verbose_name_plural = _("rapportavsnitt")
        ordering = ["decision", "year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "year", "number"], name="reportsection_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Narrative(models.Model):
    """The coordinator's own text where the data cannot speak (introduction, conclusions …)."""

    decision = models.ForeignKey(FundingDecision, on_delete=models.CASCADE, verbose_name=_("beslut"))
    year = models.PositiveSmallIntegerField(_("år"))
    key = models.SlugField(_("nyckel"), max_length=60)
    section = models.CharField(_("avsnitt"), max_length=10, blank=True)
    position = models.PositiveSmallIntegerField(
        _("ordning"), default=0, help_text=_("Placering bland avsnittets aktiviteter (0 = först).")
    )
    footnote = models.PositiveSmallIntegerField(_("fotnot nummer"), null=True, blank=True)
    title = models.CharField(_("rubrik"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("text")
        verbose_name_plural = _("texter")
        ordering = ["decision", "year", "key"]
        constraints = [models.UniqueConstraint(fields=["decision", "year", "key"], name="narrative_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.year}"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    ONGOING = "ongoing", _("Pågår")
    COMPLETED = "completed", _("Genomförd")
    CANCELLED = "cancelled", _("Inställd")


class Activity(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="activities", verbose_name=_("beslut")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    code = models.SlugField(_("kod"), max_length=80)
    sub_project = models.ForeignKey(
        SubProject, on_delete=models.PROTECT, related_name="activities", verbose_name=_("delprojekt")
    )
    # The goal area the activity is reported under; it may also serve others (`also_serves`).
    goal_area = models.ForeignKey(GoalArea, on_delete=models.PROTECT, verbose_name=_("målområde"))
    # Goal areas the activity contributes to without being reported under them: seed 003 §2
    # reports no activities under the collaboration goal (goal area 1), "I stället redovisas
    # samverkan i förekommande fall i anslutning till respektive aktivitet".
    also_serves = models.ManyToManyField(
        GoalArea,
        blank=True,
        related_name="served_by_activities",
        verbose_name=_("bidrar även till målområden"),
        help_text=_("Målområden som aktiviteten bidrar till utan att redovisas under dem."),
    )
    owner_county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_activities",
        verbose_name=_("genomförs av RSS i"),
        limit_choices_to={"kind": "lan"},
    )
    county_plan = models.ForeignKey(
        CountyPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("genomförandeplan"),
    )
    title = models.CharField(_("rubrik"), max_length=300)
    description = models.TextField(_("beskrivning"), blank=True)
    report_section = models.CharField(_("avsnitt i resultatrapporten"), max_length=10, blank=True)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    sub_goals = models.ManyToManyField(PolicySubGoal, blank=True, verbose_name=_("delmål"))
    strategy_objectives = models.ManyToManyField(
        StrategyObjective, blank=True, verbose_name=_("strategins målsättningar")
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_activities", verbose_name=_("samarbetsparter")
    )
    counties = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="county_activities",
        verbose_name=_("berörda län"),
        limit_choices_to={"kind": "lan"},
    )
    municipalities = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="municipality_activities",
        verbose_name=_("berörda kommuner"),
        limit_choices_to={"kind": "kommun"},
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    planned_start = models.DateField(_("planerad start"), null=True, blank=True)
    planned_end = models.DateField(_("planerat slut"), null=True, blank=True)
    planned_period = models.CharField(
        _("tid enligt underlaget"),
        max_length=200,
        blank=True,
        help_text=_(
            'Handlingens egna ord när den bara anger ett år eller en händelse ("genomförs under 2019"): '
            "inga datum hittas på som underlaget inte anger."
        ),
    )
    actual_start = models.DateField(_("faktisk start"), null=True, blank=True)
    actual_end = models.DateField(_("faktiskt slut"), null=True, blank=True)
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("budgetrad")
    )
    planned_cost = money_field(_("planerad kostnad"), null=True, blank=True)
    # Given by the document as an example ("Några exempel från RSS arbete i länen"), not as the
    # whole of the work.
    is_example = models.BooleanField(
        _("exempel"), default=False, help_text=_("Underlaget anger aktiviteten som ett exempel.")
    )
    # The document speaks of the work without naming the counties it was done in: no county is
    # linked, and no county's report lists the activity as its own.
    counties_not_named = models.BooleanField(
        _("länen anges inte"),
        default=False,
        help_text=_("Underlaget anger inte i vilka län aktiviteten genomförts."),
    )
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["decision", "year", "sub_project__number", "report_section", "position"]
        indexes = [
            # The search's order (`web.search.ACTIVITY_ORDER`): a word that many activities hold is
            # answered by walking this index until a page is full (issue 16). The trigram indexes
            # for rare words are PostgreSQL's and made in migration 0006.
            models.Index(fields=["-year", "decision", "position", "id"], name="activity_search_order"),
            # The year's activities per county, counted from the index alone (`rss_overview`).
            models.Index(fields=["decision", "year", "owner_county", "id"], name="activity_year_county"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["decision", "year", "code"], name="activity_code_unique"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="activity_planned_ordered",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="activity_actual_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An activity moved to another decision or year (only the admin can) takes its outputs'
        copies of them along (`Output.decision`, `Output.year`), in the same transaction."""
        stored = getattr(self, "_stored_year", None)  # None: a new activity, no outputs yet
        now = (self.decision_id, self.year)
        if stored is None or stored == now:
            super().save(*args, **kwargs)
        else:  # moved, or read without them (deferred): make sure
            with transaction.atomic():
                super().save(*args, **kwargs)
                Output.objects.filter(activity_id=self.pk).exclude(decision_id=now[0], year=now[1]).update(
                    decision_id=now[0], year=now[1]
                )
        self._stored_year: tuple[Any, Any] = now

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Activity:
        instance = super().from_db(db, field_names, values)
        instance._stored_year = (instance.__dict__.get("decision_id"), instance.__dict__.get("year"))
        return instance

    @property
    def owner_county_code(self) -> str | None:
        return self.owner_county.code if self.owner_county_id and self.owner_county else None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.goal_area_id and self.decision_id and self.goal_area.decision_id != self.decision_id:
            errors["goal_area"] = _("Målområdet hör till ett annat beslut.")
        if self.sub_project_id and self.decision_id and self.sub_project.decision_id != self.decision_id:
            errors["sub_project"] = _("Delprojektet hör till ett annat beslut.")
        if self.budget_line is not None and self.budget_line.budget.year != self.year:
            errors["budget_line"] = _("Budgetraden gäller ett annat år.")
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("Planerat slut ligger före planerad start.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("Faktiskt slut ligger före faktisk start.")
        if errors:
            raise ValidationError(errors)


class OutputQualifier(models.TextChoices):
    """How exact a figure is, in the document's own terms (issue 13 class 2): "ett tjugotal" is
    approximate, not 20; "sannolikt fem kommuner" is likely; "2019 startar … sex Modellregioner"
    is planned; "kan det vara ungefär 250 000" is an estimate. Only exact figures and lower bounds
    ("minst", "över") are measured results (`MEASURED`); the others keep their word wherever the
    figure is shown and are never counted with the measured ones."""

    EXACT = "exact", _("exakt")
    APPROXIMATE = "approximate", _("ungefär")
    AT_LEAST = "at_least", _("minst")
    LIKELY = "likely", _("sannolikt")
    PLANNED = "planned", _("planerat")
    ESTIMATED = "estimated", _("uppskattat")


# The qualifiers of measured results: a lower bound is measured (shown with "minst").
MEASURED = frozenset({OutputQualifier.EXACT, OutputQualifier.AT_LEAST})

# How a qualified figure reads, in Swedish (documents) — pages translate the same formats.
FIGURE_FORMATS: dict[str, str] = {
    OutputQualifier.EXACT: "%(n)s",
    OutputQualifier.APPROXIMATE: gettext_noop("ungefär %(n)s"),
    OutputQualifier.AT_LEAST: gettext_noop("minst %(n)s"),
    OutputQualifier.LIKELY: gettext_noop("sannolikt %(n)s"),
    OutputQualifier.PLANNED: gettext_noop("planerat: %(n)s"),
    OutputQualifier.ESTIMATED: gettext_noop("cirka %(n)s (uppskattning)"),
}


def figure_text(total: int | None, qualifier: str, *, translate: bool = True) -> str:
    """A figure with its qualifier: "ungefär 20", "sannolikt 5", "planerat: 6", "cirka 250 000
    (uppskattning)", "minst 11"; an exact figure bare ("11"). Digits grouped the Swedish way.
    `translate=False` for documents, which are Swedish whatever the reader's language."""
    if total is None:
        return "–"
    form = FIGURE_FORMATS.get(qualifier, "%(n)s")
    return (gettext(form) if translate else form) % {"n": group_digits(str(total))}


class Output(models.Model):
    """A result of an activity, optionally broken down by sex; the parts add up. `qualifier` says
    how exact the figure is; only `MEASURED` ones are measured results."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="outputs", verbose_name=_("aktivitet")
    )
    # The activity's decision and year, copied on every save (`save`; an activity never moves to
    # another decision or year): a year's outputs are then read from the index `output_year`, not
    # by joining every output in the database to the year's activities (issue 16: the year's
    # outputs list and the counties' counts at national volume). Not kept in the history: derived.
    decision = models.ForeignKey(
        FundingDecision,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
        blank=True,  # set by `save`, so not asked of a form or `full_clean`
        verbose_name=_("beslut"),
    )
    year = models.PositiveSmallIntegerField(_("år"), editable=False, blank=True)
    label = models.CharField(_("resultat"), max_length=300)
    unit = models.CharField(_("enhet"), max_length=60)
    total = models.PositiveIntegerField(_("totalt"))
    women = models.PositiveIntegerField(_("kvinnor"), null=True, blank=True)
    men = models.PositiveIntegerField(_("män"), null=True, blank=True)
    other = models.PositiveIntegerField(_("annat eller okänt"), null=True, blank=True)
    qualifier = models.CharField(
        _("uppgiftens exakthet"),
        max_length=20,
        choices=OutputQualifier.choices,
        default=OutputQualifier.EXACT,
        help_text=_(
            "Som underlaget uttrycker det: exakt, ungefär (”ett tjugotal”), minst (”över”), "
            "sannolikt, planerat eller uppskattat. Bara exakta uppgifter och minsta-värden räknas "
            "som mätta resultat."
        ),
    )
    note = models.CharField(_("anmärkning"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords(excluded_fields=["decision", "year"])

    class Meta:
        verbose_name = _("resultat")
        verbose_name_plural = _("resultat")
        ordering = ["activity", "position"]
        # A year's outputs, and per activity by qualifier, read from the index alone (the year's
        # outputs list, `rss_overview`'s counts).
        indexes = [
            models.Index(fields=["decision", "year", "activity", "qualifier"], name="output_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(women__isnull=True) & Q(men__isnull=True) & Q(other__isnull=True))
                | (
                    Q(women__isnull=False)
                    & Q(men__isnull=False)
                    & Q(other__isnull=False)
                    & Q(total=F("women") + F("men") + F("other"))
                ),
                name="output_breakdown_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(qualifier__in=OutputQualifier.values), name="output_qualifier_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.figure_sv} {self.unit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.decision_id, self.year = self.activity.decision_id, self.activity.year
        super().save(*args, **kwargs)

    @property
    def has_breakdown(self) -> bool:
        return self.women is not None

    @property
    def breakdown_sv(self) -> str:
        """The split by sex, in Swedish (documents): "kvinnor 85, män 30, annat eller okänt 5";
        empty when none was given."""
        if not self.has_breakdown:
            return ""
        parts = (("kvinnor", self.women), ("män", self.men), ("annat eller okänt", self.other))
        return ", ".join(f"{name} {group_digits(str(n))}" for name, n in parts if n is not None)

    @property
    def measured(self) -> bool:
        """An exact figure or a lower bound: counted among measured results."""
        return self.qualifier in MEASURED

    @property
    def figure(self) -> str:
        """The total with its qualifier, in the reader's language (pages)."""
        return figure_text(self.total, self.qualifier)

    @property
    def figure_sv(self) -> str:
        """The total with its qualifier, in Swedish (documents, the API)."""
        return figure_text(self.total, self.qualifier, translate=False)

    def clean(self) -> None:
        parts = {"women": self.women, "men": self.men, "other": self.other}
        given = {k: v for k, v in parts.items() if v is not None}
        if not given:
            return
        if len(given) < len(parts):
            raise ValidationError(
                {
                    k: _("Ange alla tre delarna (kvinnor, män, annat eller okänt) eller ingen.")
                    for k in parts
                    if parts[k] is None
                }
            )
        total = sum(given.values())
        if self.total is not None and total != self.total:
            message = _(
                "Uppdelningen på kön (kvinnor %(w)s + män %(m)s + annat eller okänt %(o)s = %(sum)s) "
                "stämmer inte med totalt %(total)s."
            ) % {"w": self.women, "m": self.men, "o": self.other, "sum": total, "total": self.total}
            raise ValidationError({"total": message})


class Evaluation(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("beslut")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    title = models.CharField(_("rubrik"), max_length=300)
    method = models.CharField(_("metod"), max_length=200, blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    findings = models.TextField(_("iakttagelser"), blank=True)
    recommendations = models.TextField(_("rekommendationer"), blank=True)
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="evaluations", verbose_name=_("aktiviteter")
    )
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("utvärdering")
        verbose_name_plural = _("utvärderingar")
        ordering = ["decision", "year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "year", "title"], name="evaluation_unique")
        ]

    def __str__(self) -> str:
        return self.title


class StatusReportState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Inlämnad")


class StatusReport(models.Model):
    """The steering group's half-yearly report to Regeringskansliet."""

    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="status_reports", verbose_name=_("beslut")
    )
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till och med"))
    state = models.CharField(
        _("status"), max_length=20, choices=StatusReportState.choices, default=StatusReportState.DRAFT
    )
    summary = models.TextField(_("sammanfattning"), blank=True)
    deviations = models.TextField(_("avvikelser"), blank=True)
    risks = models.TextField(_("risker"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("skapad av")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("halvårsrapport")
        verbose_name_plural = _("halvårsrapporter")
        ordering = ["decision", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "period_start"], name="statusreport_unique"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="statusreport_period"),
        ]

    def __str__(self) -> str:
        return f"Halvårsrapport {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class StatusReportItem(models.Model):
    report = models.ForeignKey(
        StatusReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("halvårsrapport")
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, verbose_name=_("aktivitet"))
    progress = models.TextField(_("framsteg"))
    deviation = models.TextField(_("avvikelse"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rad i halvårsrapport")
        verbose_name_plural = _("rader i halvårsrapport")
        constraints = [models.UniqueConstraint(fields=["report", "activity"], name="statusreportitem_unique")]

    def __str__(self) -> str:
        return f"{self.report}: {self.activity}"
