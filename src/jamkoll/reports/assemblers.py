"""One assembler per document type: selectors in, a `Document` out (STYLE "worth avoiding" 2).

Names are those valid on the date each document is about (SKL or SKR, landsting or region), and
every document carries the diary numbers the agreement demands (seed 001 §8) in its running
header and on its title page; a number the documents do not give reads "ej angivet i underlaget".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils import translation

from jamkoll.charts import Bar, bar_chart
from jamkoll.indicators.selectors import LinkedIndicator, dec_str, linked_national, suppress_threshold
from jamkoll.ledger.selectors import balance_get
from jamkoll.money import format_sek, group_digits
from jamkoll.obligations.selectors import obligation_of_kind
from jamkoll.plans.footnotes import split_marks, strip_marks
from jamkoll.plans.models import (
    MEASURED,
    Activity,
    ActivityStatus,
    Output,
    OutputQualifier,
    ProjectPlan,
    figure_text,
)
from jamkoll.plans.selectors import (
    ActivityFilter,
    activity_list,
    plan_current,
    report_content,
    status_report_get,
)
from jamkoll.programmes.models import (
    ConditionKind,
    DiaryNumberPurpose,
    FundingDecision,
    GoalArea,
    GoalAreaSubGoal,
    Recipient,
)
from jamkoll.programmes.selectors import (
    AllocationTable,
    as_of,
    budgets_for_decision,
    condition_addressee,
    county_name_map,
    decision_get,
    decision_list,
    recipient_short_name,
)
from jamkoll.reference.models import Organisation
from jamkoll.reference.selectors import county_get

from .document import BulletList, Document, Figure, KeyValues, Paragraph, Section, SignatureBlock, Table

NOT_STATED = "ej angivet i underlaget"


# --- shared pieces ---------------------------------------------------------------------------


def text_blocks(text: str, footnotes: tuple[int, ...] = (), notes: Collection[int] = ()) -> list[Any]:
    """Stored text → paragraphs and bullet lists (lines starting with "- "). A mark "[^n]" of a
    note in `notes` becomes a reference where it stands (`plans.footnotes`); `footnotes` are
    references that attach to the end of the last block."""
    blocks: list[Any] = []
    for chunk in [c.strip() for c in text.split("\n\n") if c.strip()]:
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if all(line.startswith("- ") for line in lines):
            items = [split_marks(line[2:].strip(), notes) for line in lines]
            inline = tuple(at for _t, at in items)
            blocks.append(BulletList(tuple(t for t, _at in items), notes_at=inline if any(inline) else ()))
        else:
            clean, at = split_marks(" ".join(lines), notes)
            blocks.append(Paragraph(clean, notes_at=at))
    if footnotes and blocks:
        last = blocks[-1]
        if isinstance(last, Paragraph):
            blocks[-1] = replace(last, footnotes=footnotes)
        elif isinstance(last, BulletList):
            refs = (*tuple(() for _ in last.items[:-1]), footnotes)
            blocks[-1] = replace(last, footnotes=refs)
    return blocks


def diary_facts(decision: FundingDecision, on: dt.date) -> list[tuple[str, str]]:
    """The diary numbers every document must show (seed 001 §8)."""
    rows: list[tuple[str, str]] = []
    for dn in decision.diary_numbers.all():
        label = str(DiaryNumberPurpose(dn.purpose).label)
        if dn.purpose == DiaryNumberPurpose.CASE:
            label = f"{dn.issuer.short_name_at(on)}:s ärendenummer"
        rows.append((label, dn.number or NOT_STATED))
    return rows


def header_note(decision: FundingDecision, on: dt.date) -> str:
    """The running header: every diary number the agreement requires, the missing ones together."""
    parts: list[str] = []
    missing: list[str] = []
    labels: dict[str, str] = {
        DiaryNumberPurpose.AGREEMENT: "överenskommelse",
        DiaryNumberPurpose.PAYOUT_DECISION: "utbetalning",
    }
    for dn in decision.diary_numbers.all():
        if dn.purpose == DiaryNumberPurpose.CASE:
            parts.append(f"{dn.issuer.short_name_at(on)} ärendenr {dn.number or NOT_STATED}")
        elif dn.purpose in labels:
            if dn.number:
                parts.append(f"RK dnr {labels[dn.purpose]} {dn.number}")
            else:
                missing.append(labels[dn.purpose])
        elif dn.number:
            parts.append(f"Dnr {dn.number}")
    if missing:
        parts.append(f"RK dnr {' och '.join(missing)}: {NOT_STATED}")
    return " · ".join(parts)


def decision_facts(decision: FundingDecision, year: int, on: dt.date) -> list[tuple[str, str]]:
    facts = [
        ("Beslut", decision.title),
        ("Avser år", str(year)),
    ]
    if decision.appropriation:
        facts.append(("Anslag", str(decision.appropriation)))
    return facts + diary_facts(decision, on)


def fingerprint(document: Document) -> str:
    """SHA-256 over the document's content: a later change to the data changes it."""
    payload = json.dumps(asdict(document), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _kr(amount: Decimal | None) -> str:
    return format_sek(amount)


def recipient_short(decision: FundingDecision, on: dt.date) -> str:
    """The recipient's short name on `on` (SKL before 2019-11-27, SKR after)."""
    return recipient_short_name(decision=decision, on=on)


def signature_block(*, version: Any, short: str, statement: str, heading: str = "") -> SignatureBlock:
    """The signature of an authorised representative (seed 001, bilaga 1 §8: the requisition, the
    financial report and the activity reports are signed in original by one). Name, title line,
    date and place are the version's once it is signed; before that they print as lines to sign on.
    One block for every document that is signed: the financial report, the result report, the
    half-yearly status report and the application."""
    return SignatureBlock(
        heading=heading or f"Underskrift av behörig företrädare för {short}",
        statement=statement,
        name=getattr(version, "signed_by_name", "") or "",
        title=getattr(version, "signed_title", "") or "",
        date=_date(getattr(version, "signed_on", None)),
        place=getattr(version, "signed_place", "") or "",
    )


def signature_section(*, version: Any, short: str, what: str, number: str = "") -> Section:
    """The closing "Underskrift" section of an activity report (the result report, a half-yearly
    status report): the block the financial report has, with the agreement's words."""
    section = Section(title="Underskrift", number=number, level=1, numbered=bool(number))
    section.blocks.append(
        signature_block(
            version=version,
            short=short,
            statement=(
                f"{what} ska vara undertecknad i original av en behörig företrädare för {short} "
                "(överenskommelsen, bilaga 1 §8)."
            ),
        )
    )
    return section


# --- the result report (seed 003's structure) ------------------------------------------------


def _activity_blocks(activities: list[Activity], as_list: bool, notes: Collection[int]) -> list[Any]:
    # Where one sentence of the report covers two activities both carry it; print it once.
    unique: list[Activity] = []
    for a in activities:
        if not unique or unique[-1].description != a.description:
            unique.append(a)
    activities = unique
    if as_list:
        items = [split_marks(" ".join(a.description.split()), notes) for a in activities]
        inline = tuple(at for _t, at in items)
        return [BulletList(tuple(t for t, _at in items), notes_at=inline if any(inline) else ())]
    blocks: list[Any] = []
    for a in activities:
        blocks.extend(text_blocks(a.description, notes=notes))
    return blocks


def _section_blocks(narratives: list[Any], activities: list[Activity], notes: Collection[int]) -> list[Any]:
    """The coordinator's texts and the activities' texts of one section, in the report's order,
    each note reference where the text has it.

    An introduction ending in a colon introduces a bulleted list of the activities that follow."""
    items: list[tuple[int, int, Any]] = [(n.position, 0, n) for n in narratives]
    items += [(a.position, 1, a) for a in activities]
    items.sort(key=lambda item: (item[0], item[1]))
    blocks: list[Any] = []
    pending: list[Activity] = []
    as_list = False
    for _position, is_activity, item in items:
        if is_activity:
            pending.append(item)
            continue
        blocks += _activity_blocks(pending, as_list, notes)
        pending = []
        blocks += text_blocks(item.text, notes=notes)
        as_list = strip_marks(item.text).rstrip().endswith(":")
    return blocks + _activity_blocks(pending, as_list, notes)


def result_report(*, decision: FundingDecision, year: int, version: Any = None) -> Document:
    on = as_of(year)
    content = report_content(decision=decision, year=year, with_activities=False)
    organisation = decision.recipient.name_at(on) if decision.recipient else ""
    document = Document(
        kind="result",
        title=content.title or f"Resultatrapport {year}",
        subtitle=decision.title,
        organisation=organisation,
        date_label=f"Redovisning av arbetet {year}",
        header_note=header_note(decision, on),
        facts=KeyValues(tuple(decision_facts(decision, year, on))),
        footnotes=dict(content.footnotes),
    )
    # The texts of the activities the report places under its headings, in one lean query; the
    # others are counted, and described in full only while they are few (the annex lists all).
    placed = [s.number for s in content.sections]
    lean = (
        Activity.objects.filter(decision=decision, year=year)
        .only("pk", "report_section", "position", "code", "description")
        .order_by("report_section", "position", "code")
    )
    activities: dict[str, list[Activity]] = {}
    for a in lean.filter(report_section__in=placed):
        activities.setdefault(a.report_section, []).append(a)
    others = list(lean.exclude(report_section__in=placed)[: OTHERS_IN_FULL_MAX + 1])
    others_count = lean.exclude(report_section__in=placed).count()  # at every volume: the same queries
    sections: list[Section] = []
    for section in content.sections:
        level = section.number.count(".") + (1 if section.numbered else 0)
        out = Section(
            title=section.title, number=section.number, level=max(level, 1), numbered=section.numbered
        )
        out.blocks.extend(
            _section_blocks(
                content.narratives.get(section.number, []),
                activities.get(section.number, []),
                content.footnotes.keys(),
            )
        )
        sections.append(out)
    _key_figures(sections, decision, year)
    if content.structure_year != year:
        # Headings carried from an earlier year's report: those the year has nothing under are left
        # out (an empty "Inledning" is not a text of this year).
        sections = _with_content(sections)
    # An activity whose section the report does not have is still reported.
    if others:
        rest = Section(title="Övriga aktiviteter", level=1, numbered=False)
        if len(others) <= OTHERS_IN_FULL_MAX:
            rest.blocks.extend(_activity_blocks(others, False, content.footnotes.keys()))
        else:
            rest.blocks.append(
                Paragraph(
                    f"Under året genomfördes ytterligare {group_digits(str(others_count))} aktiviteter "
                    "som inte "
                    "hör till något av avsnitten ovan. De sammanfattas per målområde och län i bilagan "
                    f"Sammanställning och listas var för sig i bilagan {ANNEX_TITLE[len('Bilaga: ') :]}."
                )
            )
        sections.append(rest)
    document.sections.extend(sections)
    document.sections.append(
        signature_section(version=version, short=recipient_short(decision, on), what="Verksamhetsrapporten")
    )
    document.sections.extend(_result_appendices(decision, year, on))
    return document


KEY_FIGURES_TITLE = "Nyckeltal och indikatorer"
GENERATED_NOTE = "Genererade exempeldata – inte verklig statistik"


def _figure(value: Decimal | None) -> str:
    """A key figure's value as Swedish text: "1 234,5"; "–" where there is none (or it is hidden)."""
    text = dec_str(value)
    if text is None:
        return "–"
    sign, text = ("−", text[1:]) if text.startswith("-") else ("", text)
    whole, _dot, fraction = text.partition(".")
    return sign + group_digits(whole) + ("," + fraction if fraction else "")


def _links(item: LinkedIndicator) -> str:
    parts = [f"delmål {n}" for n in item.sub_goals]
    parts += [f"målsättning {n}" for n in item.strategy_objectives]
    return ", ".join(parts)


def key_figure_blocks(decision: FundingDecision, year: int) -> list[Any]:
    """The key figures linked to the agreement's goals (its goal areas' sub-goals and strategy
    objectives), with the nation's values for the year, suppressed as in public views; a plain
    sentence when there are none. Never a figure that is not in the data."""
    sub_goals = GoalAreaSubGoal.objects.filter(goal_area__decision=decision).values_list(
        "sub_goal_id", flat=True
    )
    objectives = GoalArea.strategy_objectives.through.objects.filter(goalarea__decision=decision).values_list(
        "strategyobjective_id", flat=True
    )
    linked = linked_national(sub_goals=set(sub_goals), strategy_objectives=set(objectives), year=year)
    if not linked:
        return [
            Paragraph(
                "Inga nyckeltal är ännu kopplade till överenskommelsens mål i JämKoll; därför redovisas "
                "inga värden här.",
                style="note",
            )
        ]
    blocks: list[Any] = [
        Paragraph(
            f"Nyckeltal som följer de jämställdhetspolitiska delmål och strategins målsättningar som "
            f"överenskommelsens målområden bygger på, med rikets värden {year} för kvinnor och män. "
            f"Skillnad är kvinnors värde minus mäns, kvot kvinnors värde delat med mäns. Ett värde som "
            f"vilar på färre än {suppress_threshold()} personer visas inte, och inte heller de värden "
            f"det kan räknas fram ur; – betyder att värde saknas.",
            style="note",
        )
    ]
    if any(item.indicator.generated for item in linked):
        blocks.append(
            Paragraph(
                f"Nyckeltal märkta ”{GENERATED_NOTE}” bygger på data som JämKoll har genererat för "
                "demonstration; de är inte statistik.",
                style="note",
            )
        )
    rows = []
    for item in linked:
        indicator, national = item.indicator, item.national
        title = f"{indicator.title} ({indicator.code})"
        if indicator.unit:
            title += f", {indicator.unit}"
        if indicator.generated:
            title += f" – {GENERATED_NOTE}"
        rows.append(
            (
                title,
                _links(item),
                *(
                    _figure(getattr(national, name) if national else None)
                    for name in ("women", "men", "total", "gap", "ratio")
                ),
            )
        )
    blocks.append(
        Table(
            caption=f"Nyckeltal kopplade till överenskommelsens mål: riket {year}",
            headers=("Nyckeltal", "Följer", "Kvinnor", "Män", "Totalt", "Skillnad (K − M)", "Kvot (K/M)"),
            rows=tuple(rows),
            align=("left", "left", "right", "right", "right", "right", "right"),
            widths=(34, 16, 10, 10, 10, 11, 9),
        )
    )
    if all(item.national is None for item in linked):
        blocks.append(Paragraph(f"Inget av nyckeltalen har värden för riket {year} i JämKoll.", style="note"))
    return blocks


def _key_figures(sections: list[Section], decision: FundingDecision, year: int) -> None:
    """The key figures in the report's "Nyckeltal och indikatorer" section, after the coordinator's
    text (seed 003). A report without that heading gets a section of its own when there are linked
    key figures; a later year's carried heading with neither text nor key figures stays out."""
    blocks = key_figure_blocks(decision, year)
    has_figures = any(isinstance(b, Table) for b in blocks)
    section = next((s for s in sections if s.title.strip().lower() == KEY_FIGURES_TITLE.lower()), None)
    if section is None:
        if has_figures:
            section = Section(title=KEY_FIGURES_TITLE, level=1, numbered=False)
            section.blocks.extend(blocks)
            sections.append(section)
        return
    if section.blocks or has_figures:
        section.blocks.extend(blocks)


def _with_content(sections: list[Section]) -> list[Section]:
    """The sections that have blocks, and the headings above them."""
    filled = [s.number for s in sections if s.blocks]
    return [s for s in sections if s.blocks or any(n.startswith(f"{s.number}.") for n in filled if s.number)]


# Above this many rows a detail table of the appendices (every measured output, every activity
# that also serves another goal area) is summed per kind in SQL instead; every activity is still
# listed, one row each, in the annex "Aktivitetsförteckning". Below it the tables are as in seed 003.
DETAIL_ROWS_MAX = 200
# Activities whose section the report does not have are described in full up to this many; beyond
# it the report says how many there are and the annex lists them.
OTHERS_IN_FULL_MAX = 50


def _output_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}qualifier__in": [str(q) for q in MEASURED]})


def _measured_tables(decision: FundingDecision, year: int) -> list[Any]:
    """ "Mätta resultat" and the approximate figures: one row per output while they are few (as in
    seed 003), summed per result and unit in SQL when there are more than DETAIL_ROWS_MAX."""
    outputs = Output.objects.filter(activity__decision=decision, activity__year=year)
    measured_q = _output_q()
    counts = outputs.aggregate(
        measured=Count("pk", filter=measured_q),
        unmeasured=Count("pk", filter=~measured_q),
        other=Count("pk", filter=measured_q & Q(other__gt=0)),
    )
    other = bool(counts["measured"] and counts["other"])
    blocks: list[Any] = []
    tail = ("Annat/okänt",) if other else ()
    if counts["measured"] <= DETAIL_ROWS_MAX and counts["unmeasured"] <= DETAIL_ROWS_MAX:
        rows = list(
            outputs.select_related(None)
            .order_by(
                "activity__sub_project__number",
                "activity__report_section",
                "activity__position",
                "activity__code",
                "position",
            )
            .values_list(
                "activity__report_section",
                "activity__title",
                "label",
                "total",
                "qualifier",
                "unit",
                "women",
                "men",
                "other",
                "note",
            )
        )
        measured = [r for r in rows if r[4] in MEASURED]
        unmeasured = [r for r in rows if r[4] not in MEASURED]
        blocks.append(
            Table(
                caption=f"Mätta resultat {year}",
                headers=(
                    "Avsnitt",
                    "Aktivitet",
                    "Resultat",
                    "Antal",
                    "Enhet",
                    "Kvinnor",
                    "Män",
                    *tail,
                    "Anmärkning",
                ),
                rows=tuple(
                    (
                        section,
                        title,
                        label,
                        figure_text(total, qualifier, translate=False),
                        unit,
                        _int(women),
                        _int(men),
                        *((_int(oth),) if other else ()),
                        note,
                    )
                    for section, title, label, total, qualifier, unit, women, men, oth, note in measured
                ),
                align=(
                    "left",
                    "left",
                    "left",
                    "right",
                    "left",
                    "right",
                    "right",
                    *(("right",) if other else ()),
                    "left",
                ),
                widths=(6, 20, 20, 7, 9, 8, 6, 10, 14) if other else (6, 22, 22, 8, 10, 8, 6, 18),
            )
        )
        if unmeasured:
            blocks.append(
                Table(
                    caption=f"Ungefärliga, sannolika, planerade och uppskattade uppgifter {year}",
                    headers=("Avsnitt", "Aktivitet", "Uppgift", "Antal", "Enhet", "Underlagets ord"),
                    rows=tuple(
                        (section, title, label, figure_text(total, qualifier, translate=False), unit, note)
                        for section, title, label, total, qualifier, unit, _w, _m, _o, note in unmeasured
                    ),
                    # The figure is words ("cirka 250 000 (uppskattning)"): left, so that it may
                    # wrap; right-aligned figures never wrap and squeezed the activity's column.
                    align=("left", "left", "left", "left", "left", "left"),
                    widths=(6, 20, 22, 14, 12, 26),
                )
            )
        return blocks
    # Many: summed per result, unit and qualifier in one query; each activity's figures are in the
    # annex. The same number of queries as the detail tables above, whatever the volume.
    groups = list(
        outputs.values("label", "unit", "qualifier")
        .annotate(
            n=Count("activity", distinct=True),
            total=Sum("total"),
            women=Sum("women"),
            men=Sum("men"),
            other=Sum("other"),
        )
        .order_by("label", "unit", "qualifier")
    )
    sums: dict[tuple[str, str], dict[str, int]] = {}
    for r in groups:
        if r["qualifier"] in MEASURED:  # exact figures and lower bounds are summed together
            into = sums.setdefault(
                (r["label"], r["unit"]), dict.fromkeys(("n", "total", "women", "men", "other"), 0)
            )
            for name in into:
                into[name] += r[name] or 0
    blocks.append(
        Paragraph(
            f"Resultaten redovisas av {group_digits(str(counts['measured']))} mätta uppgifter. Tabellen "
            "summerar dem per resultat och enhet; varje aktivitets siffror finns i bilagan "
            "Aktivitetsförteckning.",
            style="note",
        )
    )
    blocks.append(
        Table(
            caption=f"Mätta resultat {year} per resultat",
            headers=("Resultat", "Enhet", "Aktiviteter", "Antal", "Kvinnor", "Män", *tail),
            rows=tuple(
                (
                    label,
                    unit,
                    _int(r["n"]),
                    _int(r["total"]),
                    _int(r["women"]),
                    _int(r["men"]),
                    *((_int(r["other"]),) if other else ()),
                )
                for (label, unit), r in sums.items()
            ),
            align=("left", "left", "right", "right", "right", "right", *(("right",) if other else ())),
        )
    )
    rest = [r for r in groups if r["qualifier"] not in MEASURED]
    if rest:
        blocks.append(
            Table(
                caption=f"Ungefärliga, sannolika, planerade och uppskattade uppgifter {year} per uppgift",
                headers=("Uppgift", "Enhet", "Underlagets ord", "Aktiviteter", "Antal sammanlagt"),
                rows=tuple(
                    (
                        r["label"],
                        r["unit"],
                        str(OutputQualifier(r["qualifier"]).label),
                        _int(r["n"]),
                        _int(r["total"]),
                    )
                    for r in rest
                ),
                align=("left", "left", "left", "right", "right"),
            )
        )
    return blocks


def _status_label(value: str) -> str:
    try:
        return str(ActivityStatus(value).label)
    except ValueError:
        return value


def _goal_area_tables(decision: FundingDecision, year: int, activities: Any) -> list[Any]:
    """Counted under the goal area each is reported under, and only there; every goal area of the
    decision has a row, the collaboration goal's with none (seed 003 §2). Counted in SQL."""
    counts: dict[tuple[int, str], int] = {}
    total = 0
    for row in activities.values("goal_area__number", "status").annotate(n=Count("pk")).order_by():
        key = (row["goal_area__number"], _status_label(row["status"]))
        counts[key] = counts.get(key, 0) + row["n"]
        total += row["n"]
    for number in decision.goal_areas.values_list("number", flat=True):
        if not any(n == number for n, _status in counts):
            counts[(number, "inga aktiviteter")] = 0
    blocks: list[Any] = [
        Table(
            caption=f"Aktiviteter {year} per målområde och status",
            headers=("Målområde", "Status", "Antal aktiviteter"),
            rows=tuple((str(ga), status, str(n)) for (ga, status), n in sorted(counts.items())),
            align=("left", "left", "right"),
            footer=("Totalt", "", str(total)),
        )
    ]
    through = Activity.also_serves.through.objects.filter(activity__in=activities)
    links = through.count()
    if not links:
        return blocks
    blocks.append(
        Paragraph(
            "Aktiviteter som även bidrar till ett annat målområde än det de redovisas under. De "
            "räknas bara under sitt eget målområde ovan.",
            style="note",
        )
    )
    if links <= DETAIL_ROWS_MAX:
        serving: dict[int, tuple[str, str, int, list[int]]] = {}
        rows = through.order_by(
            "activity__sub_project__number",
            "activity__report_section",
            "activity__position",
            "activity__code",
            "goalarea__number",
        ).values_list(
            "activity_id",
            "activity__report_section",
            "activity__title",
            "activity__goal_area__number",
            "goalarea__number",
        )
        for pk, section, title, own, other in rows:
            serving.setdefault(pk, (section, title, own, []))[3].append(other)
        blocks.append(
            Table(
                caption=f"Aktiviteter {year} som även bidrar till andra målområden",
                headers=("Avsnitt", "Aktivitet", "Redovisas under målområde", "Bidrar även till målområde"),
                rows=tuple(
                    (section, title, str(own), ", ".join(str(n) for n in numbers))
                    for section, title, own, numbers in serving.values()
                ),
                align=("left", "left", "right", "right"),
                widths=(8, 52, 20, 20),
            )
        )
        return blocks
    pairs = (
        through.values("activity__goal_area__number", "goalarea__number")
        .annotate(n=Count("activity", distinct=True))
        .order_by("activity__goal_area__number", "goalarea__number")
    )
    blocks.append(
        Table(
            caption=f"Aktiviteter {year} som även bidrar till andra målområden, antal",
            headers=("Redovisas under målområde", "Bidrar även till målområde", "Antal aktiviteter"),
            rows=tuple(
                (str(r["activity__goal_area__number"]), str(r["goalarea__number"]), _int(r["n"]))
                for r in pairs
            ),
            align=("right", "right", "right"),
        )
    )
    return blocks


SUMS_NOTE = (
    "Planerad kostnad är summan av de planerade kostnader som aktiviteterna anger: ”3 av 26” säger "
    "att 3 av radens 26 aktiviteter anger en, ”ej angiven” att ingen gör det. Kvinnor, män och "
    "annat/okänt är summan av de mätta resultat som är uppdelade på kön (”–” där inget är det); "
    "ungefärliga och planerade uppgifter räknas inte."
)


def _sums(activities: Any, by: str) -> Any:
    """Per `by` (a field path): the number of activities, the planned costs they state (and how
    many state one) and their measured outputs by sex, in SQL (the outputs summed per activity
    first, so that costs are not repeated). A sum over nothing stated is None, shown as such."""
    measured = Output.objects.filter(activity=OuterRef("pk"), qualifier__in=[str(q) for q in MEASURED])

    def per_activity(field: str) -> Any:
        return Subquery(
            measured.order_by().values("activity").annotate(s=Sum(field)).values("s")[:1],
            output_field=IntegerField(),
        )

    return (
        activities.annotate(w=per_activity("women"), m=per_activity("men"), o=per_activity("other"))
        .values(by)
        .annotate(
            n=Count("pk"),
            cost=Sum("planned_cost"),
            costed=Count("planned_cost"),
            women=Sum("w"),
            men=Sum("m"),
            other=Sum("o"),
        )
        .order_by(by)
    )


def _cost_cell(cost: Decimal | None, costed: int, n: int) -> str:
    """The planned cost of a row of activities: "ej angiven" when none states one (never 0 kr),
    the sum with "(k av n)" when only some do."""
    if not costed or cost is None:
        return "ej angiven"
    return _kr(cost) if costed >= n else f"{_kr(cost)} ({costed} av {n})"


def _sum_row(first: str, r: dict[str, Any]) -> tuple[str, ...]:
    return (
        first,
        _int(r["n"]),
        _cost_cell(r["cost"], r["costed"], r["n"]),
        _int(r["women"]),
        _int(r["men"]),
        _int(r["other"]),
    )


SUM_HEADERS = ("Aktiviteter", "Planerad kostnad", "Kvinnor", "Män", "Annat/okänt")
SUM_ALIGN: tuple[Any, ...] = ("left", "right", "right", "right", "right", "right")


def _summary_section(decision: FundingDecision, year: int, on: dt.date, activities: Any) -> Section:
    """Per goal area and per county: activities, planned cost and measured outputs by sex (SQL)."""
    section = Section(title=f"Bilaga: Sammanställning {year} per målområde och län", level=1, numbered=False)
    section.blocks.append(Paragraph(SUMS_NOTE, style="note"))
    areas = {a.number: str(a) for a in decision.goal_areas.all()}
    by_area = list(_sums(activities, "goal_area__number"))
    totals = activities.aggregate(n=Count("pk"), cost=Sum("planned_cost"), costed=Count("planned_cost"))
    out_totals = Output.objects.filter(
        activity__in=activities, qualifier__in=[str(q) for q in MEASURED]
    ).aggregate(women=Sum("women"), men=Sum("men"), other=Sum("other"))
    footer = _sum_row("Totalt", totals | out_totals)
    section.blocks.append(
        Table(
            caption=f"Aktiviteter {year} per målområde",
            headers=("Målområde", *SUM_HEADERS),
            rows=tuple(
                _sum_row(areas.get(r["goal_area__number"], str(r["goal_area__number"])), r) for r in by_area
            ),
            align=SUM_ALIGN,
            footer=footer,
            widths=(40, 12, 18, 10, 10, 10),
        )
    )
    names = county_name_map(on)
    national = _national(decision, on)
    by_county = list(_sums(activities, "owner_county__code"))
    by_county.sort(key=lambda r: (r["owner_county__code"] is not None, r["owner_county__code"] or ""))
    section.blocks.append(
        Table(
            caption=f"Aktiviteter {year} per län",
            headers=("Län", *SUM_HEADERS),
            rows=tuple(
                _sum_row(
                    names.get(r["owner_county__code"], r["owner_county__code"])
                    if r["owner_county__code"]
                    else national,
                    r,
                )
                for r in by_county
            ),
            align=SUM_ALIGN,
            footer=footer,
            widths=(40, 12, 18, 10, 10, 10),
        )
    )
    return section


ANNEX_TITLE = "Bilaga: Aktivitetsförteckning"


def _national(decision: FundingDecision, on: dt.date) -> str:
    """The row of the activities no county runs: the recipient's own, by its name on the day."""
    return f"Nationellt ({recipient_short(decision, on)})"


def _annex_section(decision: FundingDecision, year: int, on: dt.date, activities: Any) -> Section:
    """Every activity of the year, one row each (a compact table), with its measured outputs by sex:
    one query, the outputs summed per activity in SQL."""
    section = Section(title=f"{ANNEX_TITLE} {year}", level=1, numbered=False)
    section.blocks.append(
        Paragraph(
            "Varje aktivitet under året, en rad var, i rapportens ordning. Län är det län vars "
            "regionala stödstruktur driver aktiviteten; kvinnor, män och annat/okänt är aktivitetens "
            "mätta resultat uppdelade på kön.",
            style="note",
        )
    )
    measured = Output.objects.filter(activity=OuterRef("pk"), qualifier__in=[str(q) for q in MEASURED])

    def per_activity(field: str) -> Any:
        return Subquery(
            measured.order_by().values("activity").annotate(s=Sum(field)).values("s")[:1],
            output_field=IntegerField(),
        )

    names = county_name_map(on)
    national = _national(decision, on)
    rows = (
        activities.annotate(w=per_activity("women"), m=per_activity("men"), o=per_activity("other"))
        .order_by("sub_project__number", "report_section", "position", "code")
        .values_list(
            "report_section",
            "title",
            "owner_county__code",
            "goal_area__number",
            "status",
            "planned_cost",
            "w",
            "m",
            "o",
        )
    )
    section.blocks.append(
        Table(
            caption=f"Aktiviteter {year}",
            headers=(
                "Avsnitt",
                "Aktivitet",
                "Län",
                "Målområde",
                "Status",
                "Planerad kostnad",
                "Kvinnor",
                "Män",
                "Annat/okänt",
            ),
            rows=tuple(
                (
                    report_section,
                    title,
                    names.get(county, county) if county else national,
                    str(area),
                    _status_label(status),
                    _kr(cost) if cost is not None else "–",
                    _int(w),
                    _int(m),
                    _int(o),
                )
                for report_section, title, county, area, status, cost, w, m, o in rows.iterator(
                    chunk_size=2000
                )
            ),
            align=("left", "left", "left", "right", "left", "right", "right", "right", "right"),
            widths=(6, 34, 13, 7, 9, 11, 7, 6, 7),
            compact=True,
        )
    )
    return section


def _result_appendices(decision: FundingDecision, year: int, on: dt.date) -> list[Section]:
    activities = Activity.objects.filter(decision=decision, year=year)
    figures = Section(title=f"Bilaga: Resultat i siffror {year}", level=1, numbered=False)
    figures.blocks.append(
        Paragraph(
            "Tabellen sammanställer de mätta resultat som redovisas ovan, med uppdelning på kön där "
            "uppgiften finns. Ungefärliga, sannolika, planerade och uppskattade uppgifter räknas inte "
            "som mätta resultat och redovisas i en egen tabell.",
            style="note",
        )
    )
    figures.blocks.extend(_measured_tables(decision, year))
    overview = Section(title=f"Bilaga: Aktiviteter {year} per målområde", level=1, numbered=False)
    overview.blocks.extend(_goal_area_tables(decision, year, activities))
    return [
        figures,
        overview,
        _summary_section(decision, year, on, activities),
        _annex_section(decision, year, on, activities),
    ]


def _int(value: int | None) -> str:
    return "–" if value is None else group_digits(str(value))


# --- the financial report (seed 001 §8) ------------------------------------------------------


def financial_report(*, decision: FundingDecision, year: int, version: Any = None) -> Document:
    """Budgeted, requisitioned, disbursed, spent and to repay, per goal area and recipient and per
    county; deviations and proposed actions; certification and signature blocks."""
    on = as_of(year)
    balance = balance_get(decision=decision, year=year)
    names = county_name_map(on)
    organisation = decision.recipient.name_at(on) if decision.recipient else ""
    short = recipient_short(decision, on)
    receiver = condition_addressee(decision=decision, kind=ConditionKind.FINANCIAL_REPORT, year=year)
    receiver_name = receiver.name_at(on) if receiver else "ej angivet i beslutet"
    due = _due_date(decision, year, "financial_report")
    facts = decision_facts(decision, year, on)
    facts.insert(1, ("Redovisas till", receiver_name))
    facts.append(("Sista dag för redovisning och återbetalning", due))
    document = Document(
        kind="financial",
        title=f"Ekonomisk redovisning {year}",
        subtitle=decision.title,
        organisation=organisation,
        date_label=f"Redovisningsperiod {year}-01-01 – {year}-12-31",
        header_note=header_note(decision, on),
        facts=KeyValues(tuple(facts)),
    )
    summary = Section(title="Sammanställning", number="1", level=1)
    summary.blocks.append(
        Paragraph(
            f"Redovisningen visar hur de medel som {short} tagit emot för {year} enligt överenskommelsen "
            f"har använts. Belopp i kronor.",
        )
    )
    summary.blocks.append(
        Table(
            caption=f"Medel {year}",
            headers=("", "Kronor"),
            rows=(
                ("Budgeterat", _kr(balance.budgeted)),
                ("Rekvirerat från Kammarkollegiet", _kr(balance.requisitioned)),
                ("Utbetalt av Kammarkollegiet", _kr(balance.disbursed)),
                (f"Använt ({short}:s egna utgifter och länens)", _kr(balance.spent)),
                ("Återbetalt", _kr(balance.repaid)),
                ("Återkrävt", _kr(balance.reclaimed)),
            ),
            align=("left", "right"),
            footer=("Att återbetala", _kr(balance.to_repay)),
        )
    )
    lines = Section(title="Per målområde och mottagare", number="2", level=1)
    line_rows = []
    for line in balance.lines():
        recipient = f"Medel till {short}" if line.recipient == Recipient.SKR else "Medel till RSS"
        line_rows.append((f"Målområde {line.goal_area}", recipient, _kr(line.budget), _kr(line.spent)))
    unassigned = balance.skr_spent_by_line.get(None)
    if unassigned:
        line_rows.append(("Utan angivet målområde", f"Medel till {short}", "", _kr(unassigned)))
    lines.blocks.append(
        Table(
            caption=f"Budget och utfall per målområde {year}",
            headers=("Målområde", "Mottagare", "Budget", "Använt"),
            rows=tuple(line_rows),
            align=("left", "left", "right", "right"),
            footer=("Totalt", "", _kr(balance.budgeted), _kr(balance.spent)),
        )
    )
    counties = Section(title="Regionala stöd- och samverkansstrukturer (RSS) per län", number="3", level=1)
    counties.blocks.append(
        Table(
            caption=f"RSS-medel per län {year}",
            headers=("Län", "Tilldelat", "Rekvirerat", "Utbetalt", "Använt", "Återbetalt", "Att återbetala"),
            rows=tuple(
                (
                    f"{c.code} {names.get(c.code, c.code)}",
                    _kr(c.allocation),
                    _kr(c.requisitioned),
                    _kr(c.disbursed),
                    _kr(c.spent),
                    _kr(c.repaid),
                    _kr(c.to_repay),
                )
                for c in balance.counties
            ),
            align=("left", "right", "right", "right", "right", "right", "right"),
            footer=(
                "Summa",
                _kr(sum((c.allocation for c in balance.counties), Decimal("0.00"))),
                _kr(balance.county_requisitioned),
                _kr(balance.county_disbursed),
                _kr(balance.county_spent),
                _kr(balance.county_repaid),
                _kr(sum((c.to_repay for c in balance.counties), Decimal("0.00"))),
            ),
            widths=(26, 12, 12, 12, 12, 12, 14),
        )
    )
    deviations = Section(title="Avvikelser och åtgärdsförslag", number="4", level=1)
    if version is not None and (version.deviations or version.proposed_actions):
        deviations.blocks.append(Paragraph(f"Avvikelser: {version.deviations or 'Inga.'}"))
        deviations.blocks.append(Paragraph(f"Åtgärdsförslag: {version.proposed_actions or 'Inga.'}"))
    else:
        deviations.blocks.append(
            Paragraph("Avvikelser och åtgärdsförslag anges av ekonomichefen vid intygandet.", style="note")
        )
    repayment = Section(title="Återbetalning", number="5", level=1)
    repayment.blocks.append(
        Paragraph(
            f"Medel som inte använts för avsett ändamål, {_kr(balance.to_repay)}, ska återbetalas till "
            f"{receiver_name} senast {_due_date(decision, year, 'repayment')}."
        )
    )
    certification = Section(title="Intygande och underskrift", number="6", level=1)
    certification.blocks.append(
        SignatureBlock(
            heading="Ekonomichefens intygande",
            statement=(
                "Jag har granskat uppgifterna i den ekonomiska redovisningen och intygar att de är riktiga "
                "(överenskommelsen, bilaga 1 §8)."
            ),
            name=getattr(version, "certified_by_name", "") or "",
            title=getattr(version, "certified_title", "") or "",
            date=_date(getattr(version, "certified_on", None)),
        )
    )
    certification.blocks.append(
        signature_block(
            version=version,
            short=short,
            statement="Redovisningen ska vara undertecknad i original av en behörig företrädare.",
        )
    )
    if balance.counties:
        counties.blocks.append(_county_figure(balance, names, year))
    document.sections = [summary, lines, counties, deviations, repayment, certification]
    return document


def _county_figure(balance: Any, names: dict[str, str], year: int) -> Figure:
    svg = bar_chart(
        [
            Bar(f"{c.code} {names.get(c.code, c.code)}", c.disbursed, background=c.allocation)
            for c in balance.counties
        ],
        title=f"Utbetalt till RSS per län {year}, av tilldelat",
    )
    return Figure(
        svg=str(svg), caption=f"Utbetalt till RSS per län {year} (mörk stapel) av tilldelat (ljus stapel)."
    )


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _due_date(decision: FundingDecision, year: int, kind: str) -> str:
    """The effective date of the obligation for the year, as the deadlines compute it."""
    obligation = obligation_of_kind(decision=decision, year=year, kind=kind)
    if obligation is None or obligation.effective_date is None:
        return "ej fastställt"
    if obligation.nominal_date and obligation.nominal_date != obligation.effective_date:
        nominal = obligation.nominal_date.isoformat()
        return f"{obligation.effective_date.isoformat()} (enligt handlingen {nominal})"
    return obligation.effective_date.isoformat()


# --- the half-yearly status report and the RSS county report --------------------------------


def status_report(
    *, decision: FundingDecision, year: int, period_start: dt.date, version: Any = None
) -> Document:
    report = status_report_get(decision=decision, period_start=period_start)
    period_end = report.period_end if report else _half_year_end(period_start)
    on = period_end
    organisation = decision.recipient.name_at(on) if decision.recipient else ""
    document = Document(
        kind="status",
        title=f"Halvårsrapport {period_start.isoformat()} – {period_end.isoformat()}",
        subtitle=decision.title,
        organisation=organisation,
        date_label=f"Styrgruppens rapport till Regeringskansliet för perioden {period_start} – {period_end}",
        header_note=header_note(decision, on),
        facts=KeyValues(tuple(decision_facts(decision, year, on))),
    )
    overview = Section(title="Lägesbeskrivning", number="1", level=1)
    overview.blocks.extend(
        text_blocks(report.summary)
        if report and report.summary
        else [Paragraph("Ingen sammanfattning är skriven för perioden ännu.", style="note")]
    )
    progress = Section(title="Aktiviteternas status", number="2", level=1)
    # Counted in SQL: one grouped query, not every activity of the year read (issue 16).
    by_status: dict[str, int] = {}
    grouped = activity_list(decision=decision, year=year).order_by().values("status").annotate(n=Count("pk"))
    for row in grouped:
        label = _status_label(row["status"])
        by_status[label] = by_status.get(label, 0) + row["n"]
    progress.blocks.append(
        Table(
            caption=f"Aktiviteter {year} per status",
            headers=("Status", "Antal"),
            rows=tuple((k, _int(v)) for k, v in sorted(by_status.items())),
            align=("left", "right"),
            footer=("Totalt", _int(sum(by_status.values()))),
        )
    )
    if report and report.items.exists():
        progress.blocks.append(
            Table(
                caption="Framsteg per aktivitet",
                headers=("Aktivitet", "Framsteg", "Avvikelse"),
                rows=tuple((i.activity.title, i.progress, i.deviation) for i in report.items.all()),
            )
        )
    deviations = Section(title="Avvikelser och risker", number="3", level=1)
    deviations.blocks.append(
        Paragraph(
            f"Avvikelser: {report.deviations}"
            if report and report.deviations
            else "Avvikelser: inga angivna."
        )
    )
    deviations.blocks.append(
        Paragraph(f"Risker: {report.risks}" if report and report.risks else "Risker: inga angivna.")
    )
    money = Section(title="Medel", number="4", level=1)
    balance = balance_get(decision=decision, year=year)
    money.blocks.append(
        Table(
            caption=f"Medel {year} hittills",
            headers=("", "Kronor"),
            rows=(
                ("Budgeterat", _kr(balance.budgeted)),
                ("Rekvirerat", _kr(balance.requisitioned)),
                ("Utbetalt", _kr(balance.disbursed)),
                ("Använt", _kr(balance.spent)),
            ),
            align=("left", "right"),
        )
    )
    signature = signature_section(
        version=version, short=recipient_short(decision, on), what="Halvårsrapporten", number="5"
    )
    document.sections = [overview, progress, deviations, money, signature]
    return document


def _half_year_end(start: dt.date) -> dt.date:
    return dt.date(start.year, 6, 30) if start.month <= 6 else dt.date(start.year, 12, 31)


def _output_line(output: Any) -> str:
    """A result as the county report lists it, with its split by sex when there is one."""
    line = f"{output.label}: {output.figure_sv} {output.unit}"
    return f"{line}, varav {output.breakdown_sv}" if output.has_breakdown else line


def rss_report(*, decision: FundingDecision, year: int, county_code: str) -> Document:
    on = as_of(year)
    county = county_get(code=county_code)
    county_name = county.name_at(on)
    balance = balance_get(decision=decision, year=year)
    mine = next((c for c in balance.counties if c.code == county_code), None)
    organisation = f"RSS {county_name}"
    skr_name = decision.recipient.name_at(on) if decision.recipient else "ej angiven mottagare"
    skr_short = recipient_short(decision, on)
    document = Document(
        kind="rss",
        title=f"Länsrapport {year}: {county_name}",
        subtitle=f"Regional stöd- och samverkansstruktur (RSS) – {decision.title}",
        organisation=organisation,
        date_label=f"Redovisning till {skr_name} för {year}",
        header_note=f"{header_note(decision, on)} · Län {county_code}",
        facts=KeyValues((*decision_facts(decision, year, on), ("Län", f"{county_code} {county_name}"))),
    )
    plan = county.county_plans.filter(decision=decision, year=year).first()
    plan_section = Section(title="Genomförandeplan", number="1", level=1)
    plan_section.blocks.append(
        Paragraph(
            f"Status: {plan.get_status_display()}. {plan.summary}"
            if plan
            else "Ingen genomförandeplan är registrerad."
        )
    )
    own = list(activity_list(decision=decision, year=year).filter(owner_county=county))
    shared = [
        a
        for a in activity_list(decision=decision, year=year, filters=ActivityFilter(county=county_code))
        if a.owner_county_id != county.pk
    ]
    work = Section(title="Länets aktiviteter och resultat", number="2", level=1)
    if own:
        for a in own:
            # An activity the document gives as an example says so; the county report prints no
            # notes, so a note's mark is left out.
            example = " Exempel i resultatrapporten." if a.is_example else ""
            work.blocks.append(
                Paragraph(
                    f"{a.title} ({a.get_status_display().lower()}).{example} {strip_marks(a.description)}"
                )
            )
            outputs = list(a.outputs.all())
            if outputs:
                work.blocks.append(BulletList(tuple(_output_line(o) for o in outputs)))
    else:
        work.blocks.append(Paragraph("Inga egna aktiviteter är registrerade för länet.", style="note"))
    common = Section(title="Gemensamma insatser som berör länet", number="3", level=1)
    common.blocks.append(
        BulletList(tuple(a.title for a in shared)) if shared else Paragraph("Inga.", style="note")
    )
    money = Section(title="Medel", number="4", level=1)
    money.blocks.append(
        Table(
            caption=f"RSS-medel {year}, {county_name}",
            headers=("", "Kronor"),
            rows=(
                ("Tilldelat", _kr(mine.allocation if mine else None)),
                (f"Rekvirerat från {skr_short}", _kr(mine.requisitioned if mine else Decimal("0.00"))),
                (f"Utbetalt av {skr_short}", _kr(mine.disbursed if mine else Decimal("0.00"))),
                ("Använt", _kr(mine.spent if mine else Decimal("0.00"))),
                ("Återbetalt", _kr(mine.repaid if mine else Decimal("0.00"))),
            ),
            align=("left", "right"),
            footer=("Att återbetala", _kr(mine.to_repay if mine else Decimal("0.00"))),
        )
    )
    document.sections = [plan_section, work, common, money]
    return document


# --- the application for a year's money (issue 11; seed 004) ---------------------------------

NO_AMOUNT = "ej angivet"
# The activities that carry on into the year applied for (DESIGN §7: continuing activities).
CONTINUING = (ActivityStatus.PLANNED, ActivityStatus.ONGOING)


@dataclass(frozen=True)
class ApplicationInput:
    """What the coordinator typed on the generation form — the amount applied for (None: the
    document says "ej angivet", never a figure of ours) and a free introduction — and the day the
    draft was made, on which the applicant's name is the one valid (SKL before 2019-11-27, SKR
    after); a signed application is dated, and named, by its signature."""

    drafted_on: dt.date
    amount: Decimal | None = None
    introduction: str = ""


def _latest_plan(decision: FundingDecision) -> ProjectPlan | None:
    """The decision's latest plan: the newest version of the last year that has one."""
    for year in sorted(decision.years, reverse=True):
        plan = plan_current(decision=decision, year=year)
        if plan is not None:
            return plan
    return None


def _plan_for(decision: FundingDecision, year: int) -> ProjectPlan | None:
    """A plan already made for the year applied for, under any decision of the same programme
    (the year's own grant decision, once it is registered)."""
    for other in decision_list().filter(programme_id=decision.programme_id):
        if year in other.years:
            plan = plan_current(decision=other, year=year)
            if plan is not None:
                return plan
    return None


def _plan_activities(plan: ProjectPlan) -> list[Activity]:
    return list(activity_list(decision=plan.decision, year=plan.year).filter(status__in=CONTINUING))


def _addressee(organisation: Organisation | None, on: dt.date) -> str:
    """The addressee, e.g. "Regeringskansliet, Arbetsmarknadsdepartementet": a ministry under the
    government offices that it belongs to."""
    if organisation is None:
        return "ej angivet i beslutet"
    name = organisation.name_at(on)
    parent = organisation.parent
    return f"{parent.name_at(on)}, {name}" if parent is not None else name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


def _application_header(decision: FundingDecision, year: int, on: dt.date, short: str) -> str:
    """The running header: what the document is and every diary number of the decision; a number
    the documents do not give is said to be missing, never left out silently."""
    parts = [f"{short}: Ansökan om medel för {year}"]
    for dn in decision.diary_numbers.all():
        if dn.purpose == DiaryNumberPurpose.CASE:
            parts.append(f"{dn.issuer.short_name_at(on)} ärendenr {dn.number or NOT_STATED}")
        else:
            label = str(DiaryNumberPurpose(dn.purpose).label)
            parts.append(f"{dn.issuer.short_name_at(on)} {_lower_first(label)}: {dn.number or NOT_STATED}")
    return " · ".join(parts)


def _activity_rows(activities: list[Activity]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            f"{a.sub_project.number}. {a.sub_project.name}",
            f"{a.goal_area.number}",
            a.title,
            a.get_status_display(),
        )
        for a in activities
    )


def _activity_table(caption: str, activities: list[Activity]) -> Table:
    return Table(
        caption=caption,
        headers=("Delprojekt", "Målområde", "Aktivitet", "Status"),
        rows=_activity_rows(activities),
        align=("left", "right", "left", "left"),
        widths=(26, 10, 50, 14),
    )


def _budget_basis(table: AllocationTable, short: str) -> Table:
    if not table.lines:  # the decision gives the year's total only
        return Table(
            caption=f"Budget {table.year} enligt beslutet",
            headers=("", "Kronor"),
            rows=((f"Beviljat för {table.year}", _kr(table.total)),),
            align=("left", "right"),
        )
    rows = tuple(
        (
            f"Målområde {line.goal_area}",
            f"Medel till {short}" if line.recipient == Recipient.SKR else "Medel till RSS",
            _kr(line.amount),
        )
        for line in table.lines
    )
    return Table(
        caption=f"Budget {table.year} enligt beslutet",
        headers=("Målområde", "Mottagare", "Kronor"),
        rows=rows,
        align=("left", "left", "right"),
        footer=("Totalt", "", _kr(table.total)),
    )


def application(
    *, decision: FundingDecision, year: int, inputs: ApplicationInput, version: Any = None
) -> Document:
    """SKR's application to the government for `year`, drafted from the decision and its current
    plan: the goal areas, the activities that continue (and those already planned for the year),
    the latest year's budget as the basis, the amount applied for, the coordinator's introduction
    and the signature block."""
    signed_on: dt.date | None = getattr(version, "signed_on", None)
    on = signed_on or inputs.drafted_on
    applicant = decision.recipient
    name = applicant.name_at(on) if applicant else NOT_STATED
    short = applicant.short_name_at(on) if applicant else "Sökanden"
    programme = decision.programme
    obligation = obligation_of_kind(decision=decision, year=year, kind="application")
    receiver = obligation.owed_to if obligation else (decision.responsible_ministry or decision.grantor)
    amount = _kr(inputs.amount) if inputs.amount is not None else NO_AMOUNT
    if signed_on is not None:
        place = getattr(version, "signed_place", "") or ""
        date_label = f"{place} {signed_on.isoformat()}".strip()
    else:
        date_label = f"Utkast {inputs.drafted_on.isoformat()}, ej undertecknat"
    facts: list[tuple[str, str]] = [
        ("Sökande", name if short == name else f"{name} ({short})"),
        ("Till", _addressee(receiver, on)),
        ("Ansökan avser", f"Medel för {year}"),
        ("Satsning", f"{programme.title} ({programme.period})"),
        ("Sökt belopp", amount),
        ("Tidigare beslut", decision.title),
    ]
    if decision.appropriation:
        facts.append(("Anslag", str(decision.appropriation)))
    facts += diary_facts(decision, on)
    document = Document(
        kind="application",
        title=f"Ansökan om medel för {year}",
        subtitle=programme.title,
        organisation=name,
        date_label=date_label,
        header_note=_application_header(decision, year, on, short),
        facts=KeyValues(tuple(facts)),
    )

    asked = (
        f"{short} ansöker om {amount} för {year}."
        if inputs.amount is not None
        else f"Sökt belopp för {year}: {NO_AMOUNT}."
    )
    request = Section(title="Ansökan", number="1", level=1)
    request.blocks.append(
        Paragraph(
            f"{name} ({short}) ansöker härmed om medel för {year} för att fortsätta arbetet inom "
            f"satsningen ”{programme.title}” ({programme.period}).",
            style="lead",
        )
    )
    request.blocks.append(
        Paragraph(f"{asked} Medel för {decision.period} beviljades genom {_lower_first(decision.title)}.")
    )
    request.blocks.extend(text_blocks(inputs.introduction))

    background = Section(title="Bakgrund och inriktning", number="2", level=1)
    if decision.purpose:
        background.blocks.append(Paragraph(f"Syftet med beslutet: {_lower_first(decision.purpose)}"))
    if decision.focus:
        background.blocks.append(Paragraph(decision.focus))
    if obligation is not None and obligation.source_text:
        background.blocks.append(
            Paragraph(f"Om satsningens fortsättning har angetts: ”{obligation.source_text}”")
        )

    goals = Section(title="Mål", number="3", level=1)
    areas = list(decision.goal_areas.all())
    if areas:
        goals.blocks.append(Paragraph(f"Arbetet {year} bedrivs inom beslutets målområden:"))
        goals.blocks.append(
            BulletList(tuple(f"Målområde {ga.number}, {ga.title}: {ga.text}" for ga in areas))
        )
    else:
        goals.blocks.append(
            Paragraph(
                "Beslutet anger inga numrerade målområden; arbetets inriktning framgår av avsnitt 2.",
                style="note",
            )
        )

    work = Section(title=f"Verksamhet {year}", number="4", level=1)
    plan = _latest_plan(decision)
    continuing = _plan_activities(plan) if plan else []
    if plan is None:
        work.blocks.append(
            Paragraph(f"Ingen projektplan för {decision.period} är registrerad i underlaget.", style="note")
        )
    elif continuing:
        work.blocks.append(
            Paragraph(
                f"Följande aktiviteter i projektplanen för {plan.year} ({plan.title}, version "
                f"{plan.version}, {_lower_first(plan.get_status_display())}) är planerade eller pågår "
                f"och föreslås fortsätta {year}."
            )
        )
        work.blocks.append(_activity_table(f"Aktiviteter som fortsätter {year}", continuing))
    else:
        work.blocks.append(
            Paragraph(
                f"Projektplanen för {plan.year} har inga planerade eller pågående aktiviteter.", style="note"
            )
        )
    planned = _plan_for(decision, year)
    if planned is not None and (plan is None or planned.pk != plan.pk):
        seen = {a.code for a in continuing}
        new = [a for a in _plan_activities(planned) if a.code not in seen]
        if new:
            work.blocks.append(
                Paragraph(f"Redan planerat för {year} i {planned.title} (version {planned.version}):")
            )
            work.blocks.append(_activity_table(f"Aktiviteter planerade för {year}", new))

    money = Section(title="Budget", number="5", level=1)
    tables = budgets_for_decision(decision=decision)
    money.blocks.append(Paragraph(asked))
    if tables:
        basis = tables[-1]
        money.blocks.append(
            Paragraph(
                f"Som underlag redovisas budgeten för {basis.year} enligt {_lower_first(decision.title)}."
            )
        )
        money.blocks.append(_budget_basis(basis, short))
        if basis.note:
            money.blocks.append(Paragraph(basis.note, style="note"))
    else:
        money.blocks.append(Paragraph("Beslutet anger ingen budget att utgå från.", style="note"))

    signature = Section(title="Underskrift", number="6", level=1)
    signature.blocks.append(
        signature_block(
            version=version,
            short=short,
            heading=f"För {name}",
            statement=f"Underskrift av behörig företrädare för {short}.",
        )
    )
    document.sections = [request, background, goals, work, money, signature]
    return document


def assemble(
    *,
    kind: str,
    decision_slug: str,
    year: int,
    county_code: str | None = None,
    period_start: dt.date | None = None,
    version: Any = None,
    application_input: ApplicationInput | None = None,
) -> Document:
    """The document of a report, in Swedish whatever the language of the request that asks for
    it: it is the document the parties hand in, and its fingerprint must not change with the
    language of whoever certifies or signs it (an English certifier's request assembled "of"
    into the county chart and English labels into the diary facts, and found the draft outdated)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _assemble(
            kind=kind,
            decision_slug=decision_slug,
            year=year,
            county_code=county_code,
            period_start=period_start,
            version=version,
            application_input=application_input,
        )


def _assemble(
    *,
    kind: str,
    decision_slug: str,
    year: int,
    county_code: str | None,
    period_start: dt.date | None,
    version: Any,
    application_input: ApplicationInput | None,
) -> Document:
    decision = decision_get(slug=decision_slug)
    if kind == "application":
        if application_input is None:
            raise ValueError("ansökan kräver uppgifterna från formuläret (ApplicationInput)")
        return application(decision=decision, year=year, inputs=application_input, version=version)
    if kind == "result":
        return result_report(decision=decision, year=year, version=version)
    if kind == "financial":
        return financial_report(decision=decision, year=year, version=version)
    if kind == "status":
        return status_report(
            decision=decision, year=year, period_start=period_start or dt.date(year, 1, 1), version=version
        )
    if kind == "rss":
        if not county_code:
            raise ValueError("länsrapporten kräver ett län (--county)")
        return rss_report(decision=decision, year=year, county_code=county_code)
    raise ValueError(f"okänt rapportslag {kind!r}")
