"""Programmes, funding decisions and their budgets, as the documents state them.

A figure the documents do not give is stored as NULL and shown as "ej beslutat"; it is never
filled in by the system. Totals (a budget's decided sum, an allocation total) are computed at read
time from the rows, never stored twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """Kronor with öre: Decimal(14, 2), never negative."""
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], **kwargs
    )


class ProgrammeRelation(models.TextChoices):
    EQUALITY_POLICY = "equality_policy", _("Överenskommelse eller projekt inom jämställdhetspolitiken")
    RELATED = "related", _("Annan överenskommelse med relevans för jämställdhetsarbetet")


class Programme(models.Model):
    slug = models.SlugField(_("kortnamn"), max_length=80, unique=True)
    title = models.CharField(_("titel"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("startår"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("slutår"), null=True, blank=True)
    relation = models.CharField(
        _("sammanhang"),
        max_length=20,
        choices=ProgrammeRelation.choices,
        default=ProgrammeRelation.EQUALITY_POLICY,
    )
    description = models.TextField(_("beskrivning"), blank=True)
    note = models.TextField(_("anmärkning"), blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("satsning")
        verbose_name_plural = _("satsningar")
        ordering = ["-start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="programme_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        if self.start_year and self.end_year and self.start_year != self.end_year:
            return f"{self.start_year}–{self.end_year}"
        return str(self.start_year or self.end_year or "")


class DecisionKind(models.TextChoices):
    AGREEMENT = "agreement", _("Överenskommelse")
    GRANT = "grant", _("Beslut om bidrag")
    UNSPECIFIED = "unspecified", _("Form ej angiven i underlaget")


class Appropriation(models.Model):
    """Utgiftsområde, anslag and anslagspost that a decision's costs are charged to."""

    expenditure_area = models.PositiveSmallIntegerField(_("utgiftsområde"))
    expenditure_area_name = models.CharField(_("utgiftsområdets namn"), max_length=200)
    appropriation = models.CharField(_("anslag"), max_length=10)
    appropriation_name = models.CharField(_("anslagets namn"), max_length=200)
    item = models.PositiveSmallIntegerField(_("anslagspost"))
    item_name = models.CharField(_("anslagspostens namn"), max_length=200)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anslag")
        verbose_name_plural = _("anslag")
        constraints = [
            models.UniqueConstraint(
                fields=["expenditure_area", "appropriation", "item"], name="appropriation_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"UO {self.expenditure_area}, anslag {self.appropriation} {self.appropriation_name}, "
            f"anslagspost {self.item} {self.item_name}"
        )


class FundingDecision(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("satsning")
    )
    slug = models.SlugField(_("kortnamn"), max_length=80, unique=True)
    kind = models.CharField(_("form"), max_length=20, choices=DecisionKind.choices)
    title = models.CharField(_("titel"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("första år"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("sista år"), null=True, blank=True)
    amount_per_year = money_field(
        _("belopp per år"),
        null=True,
        blank=True,
        help_text=_("Tomt när underlaget inte anger något belopp per år."),
    )
    amount_total = money_field(
        _("belopp för hela perioden"),
        null=True,
        blank=True,
        help_text=_("Tomt när underlaget inte anger något totalbelopp."),
    )
    amount_note = models.TextField(_("anmärkning om belopp"), blank=True)
    grantor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="decisions_granted",
        verbose_name=_("beviljande part"),
        null=True,
        blank=True,
    )
    responsible_ministry = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="decisions_responsible",
        verbose_name=_("ansvarigt departement"),
        null=True,
        blank=True,
    )
    recipient = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="decisions_received",
        verbose_name=_("mottagare"),
        null=True,
        blank=True,
    )
    appropriation = models.ForeignKey(
        Appropriation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("anslag")
    )
    purpose = models.TextField(_("syfte"), blank=True)
    focus = models.TextField(_("inriktning"), blank=True)
    application_based = models.BooleanField(_("ansökningsbaserat"), default=False)
    applications_until = models.PositiveSmallIntegerField(
        _("ansökningar planeras till och med år"), null=True, blank=True
    )
    validity_condition = models.TextField(_("villkor för giltighet"), blank=True)
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    note = models.TextField(_("anmärkning"), blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    records_from = models.DateField(
        _("uppgifter förs från"),
        null=True,
        blank=True,
        help_text=_(
            "Den dag JämKoll började föra beslutets uppgifter; tomt: alltid. Vad som föll ut före den "
            "dagen och inte är registrerat visas som ”Uppgift saknas”, inte som försenat."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("beslut om medel")
        verbose_name_plural = _("beslut om medel")
        ordering = ["start_year", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="decision_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        if self.start_year is None:
            return []
        return list(range(self.start_year, (self.end_year or self.start_year) + 1))

    @property
    def period(self) -> str:
        if self.start_year and self.end_year and self.start_year != self.end_year:
            return f"{self.start_year}–{self.end_year}"
        return str(self.start_year or "")


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Överenskommelse")
    CIRCULAR = "circular", _("Cirkulär")
    BOARD_DECISION = "board_decision", _("Styrelsebeslut")
    NEWS = "news", _("Nyhet")
    PRESS_RELEASE = "press_release", _("Pressmeddelande")
    OTHER = "other", _("Annan handling")


SECTION_TEXT_MAX = 20_000


class SourceDocument(models.Model):
    """A document a decision rests on, held whole (issue 13, class 8): its text is kept section by
    section (`DocumentSection`), readable on the decision's page and searchable. `seed` is the
    number the data files cite it by ("seed 001"); users see `title`."""

    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="documents", verbose_name=_("beslut")
    )
    seed = models.CharField(
        _("nummer i underlaget"), max_length=3, validators=[RegexValidator(r"^[0-9]{3}$")]
    )
    title = models.CharField(_("titel"), max_length=300)
    kind = models.CharField(_("slag av handling"), max_length=20, choices=DocumentKind.choices)
    dated = models.DateField(
        _("datum"), null=True, blank=True, help_text=_("Tomt när handlingen inte anger något datum.")
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handling")
        verbose_name_plural = _("handlingar")
        ordering = ["decision", "position"]
        constraints = [models.UniqueConstraint(fields=["decision", "seed"], name="sourcedocument_unique")]

    def __str__(self) -> str:
        return self.title


class DocumentSection(models.Model):
    """One section of a held document, its text verbatim (the document's own spelling)."""

    document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="sections", verbose_name=_("handling")
    )
    key = models.SlugField(_("nyckel"), max_length=60)
    number = models.CharField(_("avsnittsnummer"), max_length=10, blank=True)
    heading = models.CharField(_("rubrik i handlingen"), max_length=300, blank=True)
    text = models.TextField(
        _("text"), max_length=SECTION_TEXT_MAX, validators=[MaxLengthValidator(SECTION_TEXT_MAX)]
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("avsnitt")
        verbose_name_plural = _("avsnitt")
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="documentsection_unique")]

    def __str__(self) -> str:
        return f"{self.document.title}, {self.label}"

    @property
    def anchor(self) -> str:
        """The id of the section on the decision's page of documents."""
        return f"handling-{self.document.seed}-{self.key}"

    @property
    def label(self) -> str:
        """How a citation names the section: "bilaga 1 §8", "§8", or the heading."""
        if self.number:
            prefix = "bilaga 1 " if self.key.startswith("bilaga-1-") else ""
            return f"{prefix}§{self.number}"
        if self.key == "bilaga-1":
            return str(_("bilaga 1"))
        if self.heading:
            return self.heading
        if self.key == "underskrift":
            return str(_("underskrift"))
        # The circular's head (date, addressees, title, case number) has no heading of its own;
        # "inledning" would be confused with bilaga 1 §1 Inledning.
        return str(_("mottagare och ärende"))


def section_field() -> models.ForeignKey[DocumentSection | None, DocumentSection | None]:
    """The section of a held document a seeded row comes from; empty for a user's own row."""
    return models.ForeignKey(
        DocumentSection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avsnitt i handlingen"),
    )


class Party(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="parties", verbose_name=_("beslut")
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name=_("part"))
    acting_through = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("genom"),
    )
    label = models.CharField(_("benämning i handlingen"), max_length=200)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        ordering = ["decision", "position"]
        constraints = [models.UniqueConstraint(fields=["decision", "organisation"], name="party_unique")]

    def __str__(self) -> str:
        return self.label


class Signature(models.Model):
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("part")
    )
    signatory_name = models.CharField(_("undertecknare"), max_length=200)
    signatory_title = models.CharField(_("titel"), max_length=200)
    place = models.CharField(_("ort"), max_length=100, blank=True)
    signed_on = models.DateField(_("datum"), null=True, blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("underskrift")
        verbose_name_plural = _("underskrifter")
        ordering = ["signed_on"]
        constraints = [models.UniqueConstraint(fields=["party", "signatory_name"], name="signature_unique")]

    def __str__(self) -> str:
        return f"{self.signatory_name}, {self.signatory_title}"


class Approval(models.Model):
    """A body whose approval the decision needs before it is valid (seed 001 §10)."""

    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("beslut")
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name=_("organisation"))
    body = models.CharField(_("beslutande organ"), max_length=200)
    approved_on = models.DateField(
        _("godkänd den"),
        null=True,
        blank=True,
        help_text=_("Tomt tills ett godkännande med datum finns i underlaget."),
    )
    reference = models.CharField(_("referens"), max_length=200, blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("godkännande")
        verbose_name_plural = _("godkännanden")
        constraints = [models.UniqueConstraint(fields=["decision", "organisation"], name="approval_unique")]

    def __str__(self) -> str:
        return self.body


class DiaryNumberPurpose(models.TextChoices):
    AGREEMENT = "agreement", _("Regeringskansliets diarienummer för överenskommelsen")
    PAYOUT_DECISION = "payout_decision", _("Regeringskansliets diarienummer för beslut om utbetalning")
    CASE = "case", _("Ärendenummer")
    DECISION = "decision", _("Diarienummer för beslutet")


class DiaryNumber(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="diary_numbers", verbose_name=_("beslut")
    )
    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name=_("utfärdare"))
    purpose = models.CharField(_("avser"), max_length=20, choices=DiaryNumberPurpose.choices)
    number = models.CharField(
        _("nummer"),
        max_length=60,
        blank=True,
        help_text=_("Tomt när numret inte framgår av underlaget."),
    )
    required_on_documents = models.BooleanField(_("ska framgå av samtliga handlingar"), default=False)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diarienummer")
        verbose_name_plural = _("diarienummer")
        constraints = [
            models.UniqueConstraint(fields=["decision", "issuer", "purpose"], name="diarynumber_unique")
        ]

    def __str__(self) -> str:
        return self.number or str(_("ej angivet"))


class ConditionKind(models.TextChoices):
    PROJECT_PLAN = "project_plan", _("Projektplan")
    STATUS_REPORT = "status_report", _("Halvårsrapport")
    PAYOUT = "payout", _("Utbetalning")
    REQUISITION = "requisition", _("Rekvisition")
    REPAYMENT = "repayment", _("Återbetalning")
    FINANCIAL_REPORT = "financial_report", _("Ekonomisk redovisning")
    ACTIVITY_REPORT = "activity_report", _("Redovisning av arbetet")
    DOCUMENTS = "documents", _("Krav på handlingar")
    RECLAIM = "reclaim", _("Återkrav")
    AUDIT = "audit", _("Rätt till underlag")
    FOLLOW_UP = "follow_up", _("Uppföljning")
    APPROVAL = "approval", _("Giltighet")
    APPLICATION = "application", _("Ansökan")


class Condition(models.Model):
    """A condition of a decision, quoted from its source text. Obligations are derived from these."""

    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("beslut")
    )
    kind = models.CharField(_("slag"), max_length=20, choices=ConditionKind.choices)
    year = models.PositiveSmallIntegerField(_("avser år"), null=True, blank=True)
    text = models.TextField(_("text ur handlingen"))
    section = models.CharField(_("avsnitt"), max_length=100, blank=True)
    addressee = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions_addressed",
        verbose_name=_("lämnas till"),
        help_text=_("Den organisation som handlingen eller pengarna ska till, enligt villkoret."),
    )
    source = models.CharField(_("källa"), max_length=300, blank=True)
    document_section = section_field()
    due_date = models.DateField(
        _("sista dag"),
        null=True,
        blank=True,
        help_text=_(
            "Anges när texten inte skriver datumet som ”senast den 31 mars 2023” eller när det "
            "rättats; tomt: den dag som texten anger."
        ),
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("villkor")
        verbose_name_plural = _("villkor")
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind", "position"], name="condition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class GoalArea(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="goal_areas", verbose_name=_("beslut")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("kort rubrik"), max_length=200)
    text = models.TextField(_("mål"))
    budget_text = models.TextField(_("målområde i fördelningstabellen"), blank=True)
    sub_goals: models.ManyToManyField[PolicySubGoal, GoalAreaSubGoal] = models.ManyToManyField(
        PolicySubGoal, through="GoalAreaSubGoal", blank=True, verbose_name=_("delmål")
    )
    strategy_objectives = models.ManyToManyField(
        StrategyObjective, blank=True, verbose_name=_("strategins målsättningar")
    )
    source = models.CharField(_("källa"), max_length=300, blank=True)
    document_section = section_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("målområde")
        verbose_name_plural = _("målområden")
        ordering = ["decision", "number"]
        constraints = [models.UniqueConstraint(fields=["decision", "number"], name="goalarea_unique")]

    def __str__(self) -> str:
        return f"Målområde {self.number}: {self.title}"


class GoalAreaSubGoal(models.Model):
    goal_area = models.ForeignKey(GoalArea, on_delete=models.CASCADE, verbose_name=_("målområde"))
    sub_goal = models.ForeignKey(PolicySubGoal, on_delete=models.PROTECT, verbose_name=_("delmål"))
    emphasis = models.CharField(_("betoning"), max_length=300, blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("koppling till delmål")
        verbose_name_plural = _("kopplingar till delmål")
        ordering = ["goal_area", "sub_goal__number"]
        constraints = [
            models.UniqueConstraint(fields=["goal_area", "sub_goal"], name="goalarea_subgoal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.goal_area} → {self.sub_goal}"


class FocusArea(models.Model):
    """The areas of strengthened work within a goal area (the four kvinnofrid areas, seed 002)."""

    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.CASCADE, related_name="focus_areas", verbose_name=_("målområde")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.TextField(_("text"))
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("insatsområde")
        verbose_name_plural = _("insatsområden")
        ordering = ["goal_area", "number"]
        constraints = [models.UniqueConstraint(fields=["goal_area", "number"], name="focusarea_unique")]

    def __str__(self) -> str:
        return self.text


class Earmark(models.Model):
    """A split of the money stated in a document outside the yearly table (the 5 + 15 MSEK of
    which 9 to RSS, seed 000)."""

    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="earmarks", verbose_name=_("beslut")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("del av"),
    )
    label = models.CharField(_("ändamål"), max_length=300)
    amount = money_field(_("belopp"))
    goal_areas = models.ManyToManyField(GoalArea, blank=True, verbose_name=_("målområden"))
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    document_section = section_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("öronmärkning")
        verbose_name_plural = _("öronmärkningar")
        ordering = ["decision", "position"]
        constraints = [models.UniqueConstraint(fields=["decision", "label"], name="earmark_unique")]

    def __str__(self) -> str:
        return self.label


class Recipient(models.TextChoices):
    SKR = "SKR", _("Medel till SKL/SKR")
    RSS = "RSS", _("Medel till de regionala stöd- och samverkansstrukturerna (RSS)")


class DecidedBy(models.TextChoices):
    """Who decides a budget line's amount: the decision itself, or — where the decision leaves the
    year's split open — the year's fixed project plan."""

    DECISION = "decision", _("Beslutet")
    PLAN = "plan", _("Fastställd projektplan")


class Budget(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("beslut")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    total = money_field(
        _("totalt"),
        null=True,
        blank=True,
        help_text=_("Tomt när årets belopp inte är beslutat."),
    )
    source = models.CharField(_("källa"), max_length=300, blank=True)
    document_section = section_field()
    note = models.TextField(_("anmärkning"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgetar")
        ordering = ["decision", "year"]
        constraints = [models.UniqueConstraint(fields=["decision", "year"], name="budget_unique")]

    def __str__(self) -> str:
        return f"{self.decision.title} {self.year}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="lines", verbose_name=_("budget")
    )
    goal_area = models.ForeignKey(GoalArea, on_delete=models.PROTECT, verbose_name=_("målområde"))
    recipient = models.CharField(_("mottagare"), max_length=10, choices=Recipient.choices)
    amount = money_field(
        _("belopp"),
        null=True,
        blank=True,
        help_text=_("Tomt när fördelningen inte är beslutad."),
    )
    decided_by = models.CharField(
        _("beslutas i"),
        max_length=10,
        choices=DecidedBy.choices,
        default=DecidedBy.DECISION,
        help_text=_("Beslutet, eller den fastställda projektplanen där beslutet lämnar beloppet öppet."),
    )
    source = models.CharField(_("källa"), max_length=300, blank=True)
    document_section = section_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        ordering = ["budget", "goal_area__number", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "goal_area", "recipient"], name="budgetline_unique")
        ]

    def __str__(self) -> str:
        return gettext("%(budget)s, målområde %(number)s, %(recipient)s") % {
            "budget": self.budget,
            "number": self.goal_area.number,
            "recipient": self.get_recipient_display(),
        }

    @property
    def decided_by_plan(self) -> bool:
        return self.decided_by == DecidedBy.PLAN

    def clean(self) -> None:
        if self.goal_area_id and self.budget_id and self.goal_area.decision_id != self.budget.decision_id:
            raise ValidationError({"goal_area": _("Målområdet hör till ett annat beslut.")})


class AllocationRule(models.Model):
    """How a recipient line is divided per county, kept as data (seed 002)."""

    decision = models.ForeignKey(
        FundingDecision,
        on_delete=models.CASCADE,
        related_name="allocation_rules",
        verbose_name=_("beslut"),
    )
    recipient = models.CharField(_("budgetrad"), max_length=10, choices=Recipient.choices)
    default_amount = money_field(_("belopp per län"))
    first_year = models.PositiveSmallIntegerField(_("första år"))
    last_year = models.PositiveSmallIntegerField(_("sista år"))
    text = models.TextField(_("text ur handlingen"), blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    document_section = section_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fördelningsregel")
        verbose_name_plural = _("fördelningsregler")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "recipient", "first_year"], name="allocationrule_unique"
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="allocationrule_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision.slug} {self.recipient} {self.first_year}–{self.last_year}"


class AllocationRuleOverride(models.Model):
    rule = models.ForeignKey(
        AllocationRule, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("regel")
    )
    county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        verbose_name=_("län"),
        limit_choices_to={"kind": OrganisationKind.LAN},
    )
    amount = money_field(_("belopp"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("särskilt belopp")
        verbose_name_plural = _("särskilda belopp")
        constraints = [models.UniqueConstraint(fields=["rule", "county"], name="allocationoverride_unique")]

    def __str__(self) -> str:
        return f"{self.county.code}: {self.amount}"


class Allocation(models.Model):
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("budgetrad")
    )
    county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("län"),
        limit_choices_to={"kind": OrganisationKind.LAN},
    )
    amount = money_field(_("belopp"))
    rule = models.ForeignKey(
        AllocationRule, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("regel")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fördelning till län")
        verbose_name_plural = _("fördelningar till län")
        ordering = ["budget_line", "county__code"]
        constraints = [models.UniqueConstraint(fields=["budget_line", "county"], name="allocation_unique")]

    def __str__(self) -> str:
        return f"{self.budget_line} {self.county.code}: {self.amount}"
