"""iCalendar rendering of obligations: one all-day event per dated obligation, on its effective
date, with a UID that stays the same for the obligation across exports and databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from jamkoll.reference.sources import cite

from .models import Obligation
from .selectors import about_date, party_name

PRODID = "-//JämKoll//Deadlines//SV"


def obligation_uid(obligation: Obligation) -> str:
    return f"{obligation.decision.slug}.{obligation.key}@jamkoll"


def _description(obligation: Obligation, today: dt.date) -> str:
    on = about_date(obligation)
    lines = [
        _("Lämnas av: %(name)s") % {"name": party_name(obligation.owed_by, on)},
        _("Lämnas till: %(name)s") % {"name": party_name(obligation.owed_to, on)},
        _("Sista dag enligt handlingen: %(date)s") % {"date": obligation.nominal_date},
        _("Sista dag enligt lagen (1930:173): %(date)s") % {"date": obligation.effective_date},
        _("Status: %(status)s") % {"status": obligation.status_on(today).label},
    ]
    if obligation.derived:
        lines.append(obligation.date_note or _("JämKolls tolkning, inte överenskommelsens ord."))
    if obligation.evidence:
        lines.append(
            _("Fullgjord enligt %(source)s; datum framgår inte av underlaget.")
            % {"source": cite(obligation.evidence)}
        )
    if obligation.reclaim_risk_on(today):
        lines.append(_("Risk för återkrav: redovisningen har inte kommit in i tid."))
    lines += ["", _("Ur handlingen:"), obligation.source_text]
    return "\n".join(lines)


def calendar_ical(obligations: Iterable[Obligation], *, name: str, today: dt.date) -> bytes:
    """An iCalendar document; obligations without a date have no day to be shown on and are left
    out."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    stamp = timezone.now()
    for obligation in obligations:
        if obligation.effective_date is None:
            continue
        event = Event()
        event.add("uid", obligation_uid(obligation))
        event.add("dtstamp", stamp)
        event.add("dtstart", obligation.effective_date)
        event.add("dtend", obligation.effective_date + dt.timedelta(days=1))
        event.add("summary", obligation.title)
        event.add("description", _description(obligation, today))
        event.add("categories", [str(obligation.get_kind_display())])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
