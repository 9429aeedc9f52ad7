"""What a condition's Swedish text says about itself: its kind, the year it is about, its last day
and to whom it is owed — proposed when a decision is registered, for the user to confirm or correct
(issue 11, DESIGN §7). Nothing here is stored: the registration stores what the user confirms.

The rules are read from the decisions' own wording (seed 001 bilaga 1 §5, §8–§10; seed 004): a
keyword says the kind ("rekvireras" → requisition), "senast den 31 mars 2019" the last day
(`generation.stated_date`), "för 2018" / "avseende 2018" / "år 2018" / "inom satsningen 2018" the
year. Without a stated year, the year is the date's — except for what is handed in *after* the year
it reports on (the repayment and the reports, due by 31 March): those are about the year before.

Known limitations: the first matching rule wins, so a text that states two conditions is proposed
as one of them; a date written another way ("31/3 2019", "före utgången av mars") is not read — the
user types it, and it is stored beside the text (`Condition.due_date`).
"""

from __future__ import annotations

import datetime as dt
import re

from jamkoll.programmes.models import ConditionKind
from jamkoll.reference.models import OrganisationKind, OrganisationName

from .generation import stated_date

# (kind, pattern): the first that matches wins. Conditions that mention other conditions come
# first: the documents condition names the requisition and the reports, the reclaim the report.
KIND_RULES: tuple[tuple[ConditionKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (ConditionKind.DOCUMENTS, r"diarienummer|undertecknad"),
        (ConditionKind.APPROVAL, r"blir giltig|godkänns av"),
        (ConditionKind.AUDIT, r"rätt att begära|räkenskaper"),
        (ConditionKind.RECLAIM, r"återkräv|återkrav"),
        (ConditionKind.STATUS_REPORT, r"halvår"),
        (ConditionKind.PROJECT_PLAN, r"projektplan"),
        (ConditionKind.REQUISITION, r"rekvir"),
        (ConditionKind.REPAYMENT, r"återbetal"),
        (ConditionKind.FINANCIAL_REPORT, r"ekonomiska? redovisning"),
        (
            ConditionKind.ACTIVITY_REPORT,
            r"redovisning av (?:hela )?(?:det )?(?:arbete|verksamhet)|verksamhetsrapport|"
            r"verksamhetsredovisning|slutrapport|resultatrapport",
        ),
        (ConditionKind.PAYOUT, r"utbetalning|betalas ut"),
        (ConditionKind.APPLICATION, r"ansökan|ansökningar|ansöka"),
        (ConditionKind.FOLLOW_UP, r"följs upp|uppföljning"),
    )
)

# The kinds that are about one year; the others (documents, audit, …) hold for the whole decision.
DATED_KINDS = {
    ConditionKind.PROJECT_PLAN,
    ConditionKind.PAYOUT,
    ConditionKind.REQUISITION,
    ConditionKind.REPAYMENT,
    ConditionKind.FINANCIAL_REPORT,
    ConditionKind.ACTIVITY_REPORT,
}
# Handed in after the year they are about ("senast den 31 mars 2019" for 2018).
AFTER_THE_YEAR = {ConditionKind.REPAYMENT, ConditionKind.FINANCIAL_REPORT, ConditionKind.ACTIVITY_REPORT}
# The kinds owed to someone: a document or money handed in.
ADDRESSED_KINDS = DATED_KINDS - {ConditionKind.PAYOUT} | {
    ConditionKind.STATUS_REPORT,
    ConditionKind.APPLICATION,
}

_STATED_YEAR = re.compile(
    r"\b(?:för|år|avseende|avser|under|inom satsningen)\s+((?:19|20)[0-9]{2})\b", re.IGNORECASE
)


def kind_propose(text: str) -> ConditionKind | None:
    for kind, pattern in KIND_RULES:
        if pattern.search(text):
            return kind
    return None


def year_propose(text: str, kind: str | None, due: dt.date | None) -> int | None:
    if kind not in DATED_KINDS:
        return None
    match = _STATED_YEAR.search(text)
    if match:
        return int(match.group(1))
    if due is None:
        return None
    if kind in AFTER_THE_YEAR and due.month <= 6:
        return due.year - 1
    return due.year


def condition_propose(text: str) -> tuple[ConditionKind | None, int | None, dt.date | None]:
    """(kind, year, nominal date) that the text of a condition states, each None when it does not:
    "Medel avseende 2018 får rekvireras från Kammarkollegiet senast den 1 december 2018." →
    (requisition, 2018, 2018-12-01)."""
    kind = kind_propose(text)
    due = stated_date(text)
    return kind, year_propose(text, kind, due), due


def organisation_names() -> list[tuple[str, str]]:
    """(name, code) of every name the organisations that decisions name have had."""
    return list(
        OrganisationName.objects.filter(organisation__kind=OrganisationKind.OTHER).values_list(
            "name", "organisation__code"
        )
    )


def addressee_propose(text: str, kind: str | None, names: list[tuple[str, str]] | None = None) -> str | None:
    """The code of the organisation the condition's document or money goes to, where the text names
    it ("ska lämnas till Kammarkollegiet" → KAMK). The most specific name wins: "Regeringskansliet
    (Socialdepartementet)" is the ministry. None for conditions that are not handed in. `names`:
    `organisation_names()`, when proposing for several conditions."""
    if kind not in ADDRESSED_KINDS:
        return None
    found: tuple[int, str] | None = None
    for name, code in organisation_names() if names is None else names:
        longer = found is None or len(name) > found[0]
        if name and longer and re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
            found = (len(name), code)
    return found[1] if found else None
