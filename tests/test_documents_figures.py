"""Every figure seeds 000, 001, 002 and 004 state, as the system holds it (issue 13, "Done when").

Each row of `FACTS` is one statement: the seed file, the phrase exactly as the document writes it
(whitespace and the circular's bold markers normalised), how the system holds it (a lookup in the
seeded database) and the value it must hold — `Decimal` for money, `date` for dates. Where the
document qualifies a figure (a plan, a month without a day, a date it does not give), `qualifier`
names the words the system keeps beside the value. A row fails if the document no longer says the
phrase or the database holds anything else.

`test_every_figure_of_the_documents_is_in_the_table` reads the four documents again and fails on
any number (amount, year, date, count, diary number) that no row's phrase covers and that
`NOT_FIGURES` does not set aside with a reason: a figure added to the table's documents, or a row
removed, is noticed.

The documents are read from /work/shared/seeds (the folder `shared/seeds` above the checkout, or
`JAMKOLL_SEEDS_DIR`).
"""
# ruff: noqa: E501 -- the table quotes the documents' sentences whole, one row a line

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pytest

from jamkoll.obligations.generation import stated_date
from jamkoll.programmes.models import (
    Budget,
    BudgetLine,
    Condition,
    Earmark,
    FundingDecision,
    GoalArea,
    Programme,
)
from jamkoll.programmes.selectors import allocation_table
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.reference.sources import SOURCES
from tests.seeds import seed_path

pytestmark = pytest.mark.django_db

AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
GRANT_2021 = "hedersrelaterat-2021"
METROPOLITAN = {"01", "12", "14"}


# --- The documents --------------------------------------------------------------------------------


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


@cache
def document(seed: str) -> str:
    return normalise(seed_path(seed).read_text(encoding="utf-8"))


# --- How the system holds a fact ------------------------------------------------------------------


def decision(slug: str = AGREEMENT) -> FundingDecision:
    return FundingDecision.objects.get(slug=slug)


def programme(slug: str) -> Programme:
    return Programme.objects.get(slug=slug)


def years(obj: FundingDecision | Programme) -> tuple[int | None, int | None]:
    return (obj.start_year, obj.end_year)


def condition(kind: str, slug: str = AGREEMENT) -> Condition:
    return Condition.objects.get(decision__slug=slug, kind=kind)


def due(kind: str) -> tuple[int | None, dt.date | None, str]:
    """The year a condition is about, its last day (as the obligations read it) and to whom."""
    c = condition(kind)
    return (c.year, c.due_date or stated_date(c.text), c.addressee.code if c.addressee else "")


def line(year: int, goal_area: int, recipient: str) -> Decimal | None:
    return BudgetLine.objects.get(
        budget__decision__slug=AGREEMENT,
        budget__year=year,
        goal_area__number=goal_area,
        recipient=recipient,
    ).amount


def total(year: int, slug: str = AGREEMENT) -> Decimal | None:
    return Budget.objects.get(decision__slug=slug, year=year).total


def earmark(label_start: str) -> tuple[Decimal, list[int], Decimal | None]:
    e = Earmark.objects.get(decision__slug=AGREEMENT, label__startswith=label_start)
    return (
        e.amount,
        sorted(g.number for g in e.goal_areas.all()),
        e.parent.amount if e.parent else None,
    )


def goal_area(number: int) -> GoalArea:
    return GoalArea.objects.get(decision__slug=AGREEMENT, number=number)


def emphasis(area: int, sub_goal: int) -> str:
    return goal_area(area).goalareasubgoal_set.get(sub_goal__number=sub_goal).emphasis


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.OTHER, code=code)


def name_at(code: str, on: dt.date) -> str:
    return organisation(code).name_at(on)


def signature(name: str) -> tuple[str, str, str, dt.date | None]:
    (sig,) = [s for p in decision().parties.all() for s in p.signatures.all() if s.signatory_name == name]
    return (sig.party.label, sig.signatory_title, sig.place, sig.signed_on)


def approval(body: str) -> tuple[str, dt.date | None]:
    a = decision().approvals.get(body=body)
    return (a.organisation.code, a.approved_on)


def diary_number(purpose: str) -> tuple[str, str, bool]:
    d = decision().diary_numbers.get(purpose=purpose)
    return (d.issuer.code, d.number, d.required_on_documents)


def rss_allocations(year: int) -> tuple[int, Decimal, Decimal, Decimal | None]:
    """Counties, what a county gets, what a metropolitan county gets, and the sum."""
    table = allocation_table(decision=decision(), year=year)
    amounts = {c.code: c.amount for c in table.counties}
    (other,) = {a for code, a in amounts.items() if code not in METROPOLITAN}
    (metropolitan,) = {a for code, a in amounts.items() if code in METROPOLITAN}
    return (len(amounts), other, metropolitan, table.county_total)


def appropriation() -> tuple[int, str, str, int, str]:
    a = decision().appropriation
    assert a is not None
    return (a.expenditure_area, a.expenditure_area_name, a.appropriation, a.item, a.item_name)


def sub_goal(number: int) -> str:
    g = PolicySubGoal.objects.get(number=number)
    return f"{g.number}. {g.title}. {g.text}"


def contains(text: str, *phrases: str) -> bool:
    """For a fact the system holds as text (a note, a citation): every phrase is in it."""
    return all(p in text for p in phrases)


# --- The table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    seed: str
    phrase: str  # as the document writes it
    held: Callable[[], object]  # how the system holds it
    expected: object
    # The words the system keeps beside a qualified figure, and where.
    qualifier: str = ""
    qualified_in: Callable[[], str] | None = None


MSEK20 = Decimal("20000000.00")
D = Decimal

FACTS: list[Fact] = [
    # --- 000: the board decision (the same text opens the circular, 001) ---
    Fact("000", "Styrelsen för Sveriges Kommuner och Landsting (SKL)", lambda: name_at("SKR", dt.date(2018, 1, 18)), "Sveriges Kommuner och Landsting"),
    Fact("000", "har vid sammanträde den datum, månad och år beslutat", lambda: approval("SKL:s styrelse"), ("SKR", None),
         "sammanträdesdatum anges inte", lambda: decision().approvals.get(body="SKL:s styrelse").source),
    Fact("000", "stärka jämställdhetsarbetet på lokal och regional nivå 2018–2020", lambda: decision().years, [2018, 2019, 2020]),
    Fact("000", "att informera kommuner, landsting och regioner om den ingångna överenskommelsen", lambda: contains(decision().note, "informera kommuner, landsting och regioner"), True),
    Fact("000", "Socialdepartementet och Sveriges Kommuner och Landsting har ingått", lambda: (decision().responsible_ministry.code, name_at("S", dt.date(2018, 1, 22))), ("S", "Socialdepartementet")),
    Fact("000", "Överenskommelsen omfattar perioden 2018 till 2020", lambda: years(decision()), (2018, 2020)),
    Fact("000", "omsluter 20 miljoner kronor per år", lambda: (decision().amount_per_year, total(2018), total(2019), total(2020)), (MSEK20,) * 4),
    Fact("000", "Syftet med överenskommelsen är att 1. Stärka", lambda: list(decision().goal_areas.values_list("number", flat=True)), [1, 2, 3]),
    Fact("000", "i enlighet med det sjätte jämställdhetspolitiska delmålet", lambda: [s.number for s in goal_area(3).sub_goals.all()], [6]),
    Fact("000", "5 miljoner kronor till stöd för samverkan och utveckling av jämställdhetsarbetet", lambda: earmark("Stöd för samverkan"), (D("5000000.00"), [1, 2], None)),
    Fact("000", "15 miljoner kronor till att stärka och utveckla kvinnofridsarbetet", lambda: earmark("Stärka och utveckla kvinnofrids"), (D("15000000.00"), [3], None)),
    Fact("000", "Av dessa medel går 9 miljoner kronor till de regionala stöd- och samverkansstrukturerna", lambda: earmark("Till de regionala"), (D("9000000.00"), [3], D("15000000.00"))),
    # 000 gives the day without a year; 001 §5 gives 2018.
    Fact("000", "besluts av SKL senast den 31 mars, efter avstämning med Socialdepartementet", lambda: due("project_plan"), (2018, dt.date(2018, 3, 31), "S"),
         "Senast den 31 mars 2018", lambda: condition("project_plan").text),
    Fact("000", "Lena Micko Ordförande", lambda: contains(decision().approvals.get(body="SKL:s styrelse").source, "Lena Micko, ordförande"), True),
    # --- 001: the circular ---
    Fact("001", "2018-01-26 Kommunstyrelserna", lambda: SOURCES["001"], "SKL:s cirkulär 2018-01-26 (ärendenr 17/05981)"),
    Fact("001", "Kommunstyrelserna Landstingsstyrelserna/regionstyrelserna", lambda: contains(decision().note, "kommunstyrelserna och landstingsstyrelserna/regionstyrelserna"), True),
    Fact("001", "kvinnofridsarbetet på lokal och regional nivå 2018-2020 Ärendenr", lambda: decision().years, [2018, 2019, 2020]),
    Fact("001", "Ärendenr: 17/05981", lambda: diary_number("case"), ("SKR", "17/05981", True)),
    # --- 001, bilaga 1: the agreement ---
    Fact("001", "Överenskommelse mellan staten och Sveriges Kommuner och Landsting för att stärka jämställdhetsarbetet på lokal och regional nivå 2018–2020 Innehållsförteckning",
         lambda: decision().title, "Överenskommelse mellan staten och Sveriges Kommuner och Landsting för att stärka jämställdhetsarbetet på lokal och regional nivå 2018–2020"),
    Fact("001", "Regeringen presenterade i november 2016 skrivenheten *Makt, mål och myndighet – feministisk politik för en jämställd framtid* (skr. 2016/17:10)",
         lambda: PolicySubGoal.objects.get(number=1).source, "seed 001, bilaga 1 §2 (skr. 2016/17:10 Makt, mål och myndighet – feministisk politik för en jämställd framtid, november 2016)"),
    Fact("001", "en ny målstruktur för jämställdhetspolitiken med sex delmål", lambda: PolicySubGoal.objects.count(), 6),
    *[
        Fact("001", text, lambda n=n: sub_goal(n), text)
        for n, text in enumerate(
            [
                "1. En jämn fördelning av makt och inflytande. Kvinnor och män ska ha samma rätt och möjlighet att vara aktiva samhällsmedborgare och att forma villkoren för beslutsfattandet i samhällets alla sektorer.",
                "2. Ekonomisk jämställdhet. Kvinnor och män ska ha samma möjligheter och villkor i fråga om betalt arbete som ger ekonomisk självständighet livet ut.",
                "3. Jämställd utbildning. Kvinnor och män, flickor och pojkar ska ha samma möjligheter och villkor när det gäller utbildning, studieval och personlig utveckling.",
                "4. En jämn fördelning av det obetalda hem- och omsorgsarbetet. Kvinnor och män ska ta samma ansvar för hemarbetet och ha möjlighet att ge och få omsorg på lika villkor.",
                "5. Jämställd hälsa. Kvinnor och män, flickor och pojkar ska ha samma förutsättningar för en god hälsa samt erbjudas vård och omsorg på lika villkor.",
                "6. Mäns våld mot kvinnor ska upphöra. Kvinnor och män, flickor och pojkar ska ha samma rätt och möjlighet till kroppslig integritet.",
            ],
            start=1,
        )
    ],
    Fact("001", "I skrivelsen ingår också en tioårig nationell strategi", lambda: [o.number for o in goal_area(3).strategy_objectives.all()], [1, 2, 3, 4]),
    Fact("001", "- Ett utökat och verkningsfullt förebyggande arbete mot våld. - Förbättrad upptäckt av våld och starkare skydd och stöd för våldsutsatta kvinnor och barn. - Effektivare brottsbekämpning. - Förbättrad kunskap och metodutveckling.",
         lambda: " ".join(f"- {o.text}" for o in StrategyObjective.objects.order_by("number")),
         "- Ett utökat och verkningsfullt förebyggande arbete mot våld. - Förbättrad upptäckt av våld och starkare skydd och stöd för våldsutsatta kvinnor och barn. - Effektivare brottsbekämpning. - Förbättrad kunskap och metodutveckling."),
    # "från och med januari 2018": the month; valid_from holds its first day, the note the month.
    Fact("001", "inrätta en jämställdhetsmyndighet från och med januari 2018", lambda: organisation("JAMY").valid_from, dt.date(2018, 1, 1),
         "från och med januari 2018", lambda: organisation("JAMY").note),
    Fact("001", "Jämställdhetsmyndigheten inleder sitt arbete i januari 2018 . Enligt sin instruktion (förordning 2017:937", lambda: contains(organisation("JAMY").note, "förordning 2017:937"), True),
    Fact("001", "regeringens satsning på området som pågår 2015–2019", lambda: years(programme("forlossningsvard-kvinnors-halsa")), (2015, 2019)),
    # Paid to the county councils, not to SKL: held as text, no amount of the decision.
    Fact("001", "Under 2017 betalades totalt 790 miljoner kronor direkt till landstingen",
         lambda: (decision("forlossningsvard-kvinnors-halsa-2015-2019").amount_note, decision("forlossningsvard-kvinnors-halsa-2015-2019").amount_per_year, decision("forlossningsvard-kvinnors-halsa-2015-2019").amount_total),
         ("Under 2017 betalades totalt 790 miljoner kronor direkt till landstingen.", None, None)),
    Fact("001", "Sedan 2014 har staten en överenskommelse med SKL om att stärka arbetet med mänskliga rättigheter", lambda: (*years(decision("manskliga-rattigheter-2014")), decision("manskliga-rattigheter-2014").amount_total), (2014, None, None)),
    Fact("001", "Fokus under 2017 var ökade kunskaper om hur mänskliga rättigheter omsätts i praktiken", lambda: contains(programme("manskliga-rattigheter").description, "Fokus under 2017 var ökade kunskaper om hur mänskliga rättigheter omsätts i praktiken"), True),
    Fact("001", "En annan överenskommelse som gällde mellan staten och SKL 2016–2017 var Män och jämställdhet", lambda: (decision("man-och-jamstalldhet-2016-2017").kind, *years(decision("man-och-jamstalldhet-2016-2017"))), ("agreement", 2016, 2017)),
    Fact("001", "Överenskommelsen omfattade sammanlagt 18 miljoner kronor. Fokus under 2017 låg på våldsförebyggande arbete, hälsa, utbildning och föräldraskap.",
         lambda: (decision("man-och-jamstalldhet-2016-2017").amount_total, decision("man-och-jamstalldhet-2016-2017").amount_per_year, "Fokus under 2017 låg på våldsförebyggande arbete, hälsa, utbildning och föräldraskap." in programme("man-och-jamstalldhet").description),
         (D("18000000.00"), None, True)),
    Fact("001", "SKL har för perioden 2015–2018 sökt och beviljats 2 miljoner kronor från regeringen",
         lambda: (*years(decision("kunskapsspridning-modellkommuner-2015-2018")), decision("kunskapsspridning-modellkommuner-2015-2018").amount_total, decision("kunskapsspridning-modellkommuner-2015-2018").application_based),
         (2015, 2018, D("2000000.00"), True)),
    Fact("001", "Syftet med överenskommelsen mellan staten och SKL 2018–2020 är att främja utvecklingen i riktning mot de jämställdhetspolitiska målen.", lambda: decision().purpose,
         "Syftet med överenskommelsen mellan staten och SKL 2018–2020 är att främja utvecklingen i riktning mot de jämställdhetspolitiska målen."),
    *[
        Fact("001", text, lambda n=n: goal_area(n).text, text)
        for n, text in [
            (1, "Stärka och utveckla samverkan på det jämställdhetspolitiska området mellan staten, SKL, kommuner och landsting."),
            (2, "Stärka och utveckla jämställdhetsarbetet i kommuner och landsting i förhållande till de jämställdhetspolitiska delmålen."),
            (3, "Stärka och utveckla kvinnofridsarbetet i kommuner och landsting utifrån målsättningarna i den nationella strategin för att förebygga och bekämpa mäns våld mot kvinnor och i enlighet med det sjätte jämställdhetspolitiska delmålet."),
        ]
    ],
    Fact("001", "Styrgruppen rapporterar halvårsvis till Regeringskansliet", lambda: (condition("status_report").addressee.code, condition("status_report").year), ("RK", None)),
    Fact("001", "Senast den 31 mars 2018 ska SKL till Regeringskansliet (Socialdepartementet) lämna ett förslag på projektplan för satsningens första år", lambda: due("project_plan"), (2018, dt.date(2018, 3, 31), "S")),
    Fact("001", "i samråd med bl.a. Socialstyrelsen och länsstyrelserna",
         lambda: (organisation("SOS").names.get().name, Organisation.objects.filter(kind=OrganisationKind.OTHER, code__startswith="LST").count()), ("Socialstyrelsen", 21)),
    Fact("002", "i samråd med bland annat Socialstyrelsen och Länsstyrelserna",
         lambda: sorted({o.names.get().short_name for o in Organisation.objects.filter(kind=OrganisationKind.OTHER, code__startswith="LST")}), ["Länsstyrelsen"]),
    Fact("001", "Under samtliga tre år kommer särskilt fokus att läggas vid målet om jämställd hälsa, samt målet att mäns våld mot kvinnor ska upphöra",
         lambda: (emphasis(2, 5), emphasis(3, 6)), ("Särskilt fokus under samtliga tre år (bilaga 1 §6.2, §7)", "Särskilt fokus under samtliga tre år (bilaga 1 §4, §6.2, §6.3)")),
    Fact("001", "Under 2018 kommer också särskilt fokus att ägnas åt delmålet om en jämn fördelning av makt och inflytande", lambda: emphasis(2, 1), "Särskilt fokus under 2018 (bilaga 1 §6.2)"),
    Fact("001", "6. Inriktning 2018–2020 Primärt", lambda: decision().years, [2018, 2019, 2020]),
    Fact("001", "ta sin utgångspunkt i inrikningen för 2018–2020", lambda: decision().years, [2018, 2019, 2020]),
    Fact("001", "den inriktning som kommer att prioriteras inom överenskommelsen under 2018–2020", lambda: decision().years, [2018, 2019, 2020]),
    # Only 2018's split is in the table; the other years' lines are open.
    Fact("001", "Tabell Fördelning av medel inom ramen för överenskommelsen 2018 mnkr",
         lambda: sorted({b.year for b in Budget.objects.filter(decision__slug=AGREEMENT) if not b.lines.filter(amount__isnull=True).exists()}), [2018]),
    Fact("001", "Överenskommelsen omfattar 20 miljoner kronor för år 2018.", lambda: total(2018), MSEK20),
    Fact("001", "Målområde 1: Stärka och utveckla samverkan på det jämställdhetspolitiska området mellan Jämställdhetsmyndigheten, andra nationella aktörer, SKL, kommuner och landsting. Medel till SKL 2,5",
         lambda: (goal_area(1).budget_text, line(2018, 1, "SKR")), ("Stärka och utveckla samverkan på det jämställdhetspolitiska området mellan Jämställdhetsmyndigheten, andra nationella aktörer, SKL, kommuner och landsting.", D("2500000.00"))),
    Fact("001", "Målområde 2: Stärka och utveckla jämställdhetsarbetet hos kommuner och landsting med särskilt fokus på det jämställdhetspolitiska målet om jämställd hälsa. Medel till SKL 2,5",
         lambda: (goal_area(2).budget_text, line(2018, 2, "SKR")), ("Stärka och utveckla jämställdhetsarbetet hos kommuner och landsting med särskilt fokus på det jämställdhetspolitiska målet om jämställd hälsa.", D("2500000.00"))),
    Fact("001", "Målområde 3: Stärka och utveckla kvinnofridsarbetet i kommuner och landsting utifrån målsättningarna i den nationella strategin för att förebygga och bekämpa mäns våld mot kvinnor och våld i nära relationer. Medel till SKL Medel till de regionala stöd och samverkansstrukturerna (RSS) 6,0 9,0",
         lambda: (goal_area(3).budget_text, line(2018, 3, "SKR"), line(2018, 3, "RSS")),
         ("Stärka och utveckla kvinnofridsarbetet i kommuner och landsting utifrån målsättningarna i den nationella strategin för att förebygga och bekämpa mäns våld mot kvinnor och våld i nära relationer.", D("6000000.00"), D("9000000.00"))),
    Fact("001", "Totalt för överenskommelsen 2018 20,0", lambda: (total(2018), sum(BudgetLine.objects.filter(budget__decision__slug=AGREEMENT, budget__year=2018).values_list("amount", flat=True))), (MSEK20, MSEK20)),
    Fact("001", "Regeringen avsätter 20 000 000 kronor", lambda: total(2018), MSEK20),
    Fact("001", "utgiftsområde 13 Jämställdhet och nyanlända invandrares etablering för budgetåret 2018 uppförda anslaget 3:1 Särskilda jämställdhetsåtgärder, anslagspost 12 Jämställdhetsinsatser efter regeringsbeslut",
         lambda: (*appropriation(), decision().appropriation.appropriation_name), (13, "Jämställdhet och nyanlända invandrares etablering", "3:1", 12, "Jämställdhetsinsatser efter regeringsbeslut", "Särskilda jämställdhetsåtgärder"),
         "för budgetåret 2018", lambda: decision().appropriation.source),
    Fact("001", "genom en ändring av regleringsbrevet för 2018 avseende anslag 3:1", lambda: condition("payout").year, 2018),
    Fact("001", "Medel avseende 2018 får rekvireras från Kammarkollegiet senast den 1 december 2018.", lambda: due("requisition"), (2018, dt.date(2018, 12, 1), "KAMK")),
    Fact("001", "Medel som inte används för avsett ändamål ska återbetalas till Kammarkollegiet senast den 31 mars 2019.", lambda: due("repayment"), (2018, dt.date(2019, 3, 31), "KAMK")),
    Fact("001", "En ekonomisk redovisning som visar hur medlen använts ska lämnas till Kammarkollegiet senast den 31 mars 2019.", lambda: due("financial_report"), (2018, dt.date(2019, 3, 31), "KAMK")),
    Fact("001", "Regeringskansliets diarienummer för överenskommelsen och för regeringsbeslut om utbetalning ska framgå av samtliga handlingar.",
         lambda: (diary_number("agreement"), diary_number("payout_decision")), (("RK", "", True), ("RK", "", True))),
    Fact("001", "En redovisning av hela det arbete som genomförs inom satsningen 2018 ska lämnas till Regeringskansliet (Socialdepartementet) senast den 31 mars 2019.", lambda: due("activity_report"), (2018, dt.date(2019, 3, 31), "S")),
    Fact("001", "godkänns av regeringen och SKL:s styrelse", lambda: (approval("Regeringen"), approval("SKL:s styrelse")), (("RK", None), ("SKR", None))),
    Fact("001", "För staten genom Socialdepartementet Stockholm den 22 januari 2018", lambda: signature("Pernilla Baralt"), ("För staten genom Socialdepartementet", "Statssekreterare", "Stockholm", dt.date(2018, 1, 22))),
    Fact("001", "För Sveriges Kommuner och Landsting Stockholm den 18 januari 2018", lambda: signature("Vesna Jovic"), ("För Sveriges Kommuner och Landsting", "VD", "Stockholm", dt.date(2018, 1, 18))),
    Fact("001", "Pernilla Baralt Statssekreterare", lambda: signature("Pernilla Baralt")[1], "Statssekreterare"),
    Fact("001", "Vesna Jovic VD", lambda: signature("Vesna Jovic")[1], "VD"),
    # --- 002: the web news ---
    Fact("002", "Publicerad: 16 februari 2018", lambda: SOURCES["002"], "SKL:s nyhet 2018-02-16 om överenskommelsen"),
    Fact("002", "Satsningen pågår 2018–2020, och omfattar 20 miljoner kronor per år.", lambda: (*years(decision()), decision().amount_per_year), (2018, 2020, MSEK20)),
    Fact("002", "Överenskommelsen omfattar 20 miljoner kronor per år 2018, varav 15 miljoner går till utveckling av kvinnofridsarbetet",
         lambda: (total(2018), line(2018, 3, "SKR") + line(2018, 3, "RSS")), (MSEK20, D("15000000.00"))),  # type: ignore[operator]
    Fact("002", "Överenskommelse om stöd till jämställdhet och kvinnofrid 2018–2020 (PDF", lambda: decision().years, [2018, 2019, 2020]),
    Fact("002", "En projektplan med aktiviteter för överenskommelsens första år ska vara klar den 31 mars 2018.", lambda: due("project_plan")[1], dt.date(2018, 3, 31)),
    *[
        Fact("002", f"• {text}", lambda n=n: goal_area(3).focus_areas.get(number=n).text, text.rstrip("."))
        for n, text in [
            (1, "genusförändrande våldsförebyggande arbete med fokus på förskola och skola"),
            (2, "hälso- och sjukvårdens arbete med tidig upptäckt, behandling för våldsutsatta kvinnor och barn och beteendeförändrande insatser till våldsutövare"),
            (3, "socialtjänstens arbete med stöd till våldsutsatta kvinnor och barn och beteendeförändrande insatser till våldsutövare"),
            (4, "kunskaps- och kapacitetsutveckling på kvinnofridsområdet för de regionala stöd- och samverkansstrukturerna (RSS)."),
        ]
    ],
    Fact("002", "Förstärkningen är 400 000 kronor per län, samt 600 000 kronor per de tre storstadslänen (per år i tre år)",
         lambda: [(r.default_amount, r.first_year, r.last_year, sorted((o.county.code, o.amount) for o in r.overrides.all())) for r in decision().allocation_rules.all()],
         [(D("400000.00"), 2018, 2020, [("01", D("600000.00")), ("12", D("600000.00")), ("14", D("600000.00"))])]),
    *[
        Fact("002", "400 000 kronor per län, samt 600 000 kronor per de tre storstadslänen (per år i tre år)", lambda y=y: rss_allocations(y), (21, D("400000.00"), D("600000.00"), D("9000000.00")))
        for y in (2018, 2019, 2020)
    ],
    # "per år i tre år": the RSS line of 2019 and 2020 is the sum, and says so.
    *[
        Fact("002", "(per år i tre år)", lambda y=y: line(y, 3, "RSS"), D("9000000.00"),
             "JämKolls beräkning", lambda y=y: BudgetLine.objects.get(budget__decision__slug=AGREEMENT, budget__year=y, recipient="RSS").source)
        for y in (2019, 2020)
    ],
    # --- 004: the government's press release ---
    Fact("004", "Pressmeddelande från Arbetsmarknadsdepartementet", lambda: name_at(decision(GRANT_2021).responsible_ministry.code, dt.date(2021, 1, 1)), "Arbetsmarknadsdepartementet"),
    Fact("004", "Regeringen har beslutat att bevilja Sveriges Kommuner och Regioner 20 miljoner kronor",
         lambda: (name_at(decision(GRANT_2021).recipient.code, dt.date(2021, 1, 1)), decision(GRANT_2021).amount_per_year, total(2021, GRANT_2021)),
         ("Sveriges Kommuner och Regioner", MSEK20, MSEK20)),
    # The release gives no date: none is stored.
    Fact("004", "Publicerad Regeringen har beslutat", lambda: decision(GRANT_2021).decided_on, None,
         "Beslutsdatum", lambda: decision(GRANT_2021).note),
    Fact("004", "Beslutet bygger på en överenskommelse mellan regeringspartierna, Centerpartiet och Liberalerna.", lambda: contains(decision(GRANT_2021).note, "Beslutet bygger på en överenskommelse mellan regeringspartierna, Centerpartiet och Liberalerna."), True),
    Fact("004", "SKR:s ansökan avser 2021", lambda: decision(GRANT_2021).years, [2021]),
    Fact("004", "men satsningen pågår fram till 2023", lambda: years(programme("hedersrelaterat-2021-2023")), (2021, 2023)),
    # A plan, not a decision: held as "planned", with no budget for 2022 or 2023.
    Fact("004", "SKR planerar att inkomma med nya ansökningar för de två återstående åren",
         lambda: (decision(GRANT_2021).applications_until, list(Budget.objects.filter(decision__programme__slug="hedersrelaterat-2021-2023").values_list("year", flat=True))),
         (2023, [2021]),
         "planeras", lambda: str(FundingDecision._meta.get_field("applications_until").verbose_name)),
    Fact("004", "Regeringen har sedan 2008 gett stöd till SKR:s jämställdhetsarbete", lambda: min(p.start_year for p in Programme.objects.filter(relation="equality_policy")), 2008),
    Fact("004", "har pågått inom jämställdhetspolitiken sedan 2008", lambda: programme("program-hallbar-jamstalldhet").start_year, 2008),
    Fact("004", "Program för hållbar jämställdhet (2008–2013)", lambda: (programme("program-hallbar-jamstalldhet").title, *years(programme("program-hallbar-jamstalldhet"))), ("Program för hållbar jämställdhet", 2008, 2013)),
    Fact("004", "Modellkommuner (2015–2020)", lambda: (programme("modellkommuner").title, *years(programme("modellkommuner"))), ("Modellkommuner", 2015, 2020)),
    Fact("004", "Maskulinitet och jämställdhet (2015–2017)", lambda: (programme("maskulinitet-och-jamstalldhet").title, *years(programme("maskulinitet-och-jamstalldhet"))), ("Maskulinitet och jämställdhet", 2015, 2017)),
    Fact("004", "Stärkt jämställdhets- och kvinnofridsarbete på lokal och regional nivå (2018–2020)",
         lambda: (decision().programme.title, *years(decision().programme)), ("Stärkt jämställdhets- och kvinnofridsarbete på lokal och regional nivå", 2018, 2020)),
]  # fmt: skip

# Numbers in the documents that are not figures the system holds, each with its reason.
NOT_FIGURES: list[tuple[str, str, str]] = [
    (
        "001",
        "Innehållsförteckning 1. Inledning 3 2. Bakgrund 3 3. Skälen för en överenskommelse 7 4. Syfte och mål 8 5. Arbetssätt..... 9 6. Inriktning 2018–2020..... 9 6.1 Stärka och utveckla samverkan på det jämställdhetspolitiska området..... 10 6.2 Stärka och utveckla arbete med de jämställdhetspolitiska delmålen..... 10 6.3 Stärka och utveckla kvinnofridsarbetet..... 11 7. Den ekonomiska omfattningen 12 8. Finansiering och redovisning..... 12 9. Uppföljning..... 13 10. Godkännande av överenskommelsen 14",
        "table of contents",
    ),
    ("001", "(se avsnitt 6)", "a cross-reference"),
    ("001", "(se vidare under rubrik 6.3)", "a cross-reference"),
    ("001", "Agenda 2030", "a name"),
    (
        "001",
        "Tillsammans mot brott (skr. 2016/17:126)",
        "a reference in the background, held with the text (class 8)",
    ),
    (
        "001",
        "världshälsoorganisationen WHO uttryckt (2016)",
        "a reference in the reasons, held with the text (class 8)",
    ),
    ("004", "Telefon (växel) 08-405 10 00 Mobil 073-0785224", "the press contact: not held"),
]

# Headings and list numbers: section numbers, not figures.
STRUCTURE = re.compile(r"(?:^| )\d{1,2}(?:\.\d)?\.? (?=[A-ZÅÄÖ])")


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f"{f.seed}:{f.phrase[:50]}")
def test_the_document_says_it_and_the_system_holds_it(fact: Fact) -> None:
    assert fact.phrase in document(fact.seed), f"seed {fact.seed} does not say {fact.phrase!r}"
    assert fact.held() == fact.expected
    if fact.qualified_in is not None:
        assert fact.qualifier in fact.qualified_in(), f"the qualifier {fact.qualifier!r} is not kept"


@pytest.mark.parametrize("year", [2019, 2020])
def test_what_the_documents_do_not_decide_is_none(year: int) -> None:
    """20 MSEK a year and the RSS funds are stated for 2019 and 2020; the split of the rest is
    not: those lines are None (shown "ej beslutat"), never an invented figure."""
    assert [line(year, n, "SKR") for n in (1, 2, 3)] == [None, None, None]
    table = allocation_table(decision=decision(), year=year)
    assert table.undecided and table.total == MSEK20


def test_no_amount_where_the_documents_give_none() -> None:
    for slug in [
        "program-hallbar-jamstalldhet-2008-2013",
        "maskulinitet-och-jamstalldhet-2015-2017",
        "manskliga-rattigheter-2014",
        "forlossningsvard-kvinnors-halsa-2015-2019",
    ]:
        d = decision(slug)
        assert (d.amount_per_year, d.amount_total) == (None, None), slug
    assert list(Budget.objects.filter(decision__slug=GRANT_2021).values_list("year", "total")) == [
        (2021, MSEK20)
    ]
    assert not BudgetLine.objects.filter(budget__decision__slug=GRANT_2021).exists()


NUMBER = re.compile(r"\d+(?:[ ,.:/–-]\d+)*")


@pytest.mark.parametrize("seed", ["000", "001", "002", "004"])
def test_every_figure_of_the_documents_is_in_the_table(seed: str) -> None:
    text = document(seed)
    covered = [False] * len(text)
    # A phrase of another document counts where it is repeated (001 opens with 000's text).
    phrases = [f.phrase for f in FACTS] + [p for s, p, _ in NOT_FIGURES if s == seed]
    for phrase in phrases:
        for match in re.finditer(re.escape(phrase), text):
            covered[match.start() : match.end()] = [True] * (match.end() - match.start())
    for match in STRUCTURE.finditer(text):
        covered[match.start() : match.end()] = [True] * (match.end() - match.start())
    missing = [
        text[max(0, m.start() - 40) : m.end() + 20]
        for m in NUMBER.finditer(text)
        if not all(covered[m.start() : m.end()])
    ]
    assert not missing, "\n".join(missing)
