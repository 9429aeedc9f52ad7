from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand, date_option
from jamkoll.errors import NotFound
from jamkoll.output import parse_format, to_json, to_table
from jamkoll.programmes.models import FundingDecision
from jamkoll.reference.selectors import county_get
from jamkoll.validation import YEAR_MAX, YEAR_MIN, int_param

from ...ical import calendar_ical
from ...models import ObligationStatus
from ...selectors import (
    deadline_decision_for_user,
    deadline_year_for_user,
    obligation_list,
    obligation_rows,
)

FORMATS = ("table", "json", "ical")


class Command(JamkollCommand):
    help = (
        "Lista deadlines (åtaganden) för ett beslut eller för alla: vad som ska lämnas, av vem, till "
        "vem, sista dag enligt handlingen och sista dag enligt lagen (1930:173) om beräkning av "
        "lagstadgad tid, samt status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "decision",
            nargs="?",
            help="beslutets kortnamn, t.ex. jamstalldhet-kvinnofrid-2018-2020 (alla om tomt)",
        )
        parser.add_argument(
            "--year",
            help=(
                "år som deadlines infaller (sista dag enligt handlingen), t.ex. 2019 för redovisningen "
                "av 2018 som ska lämnas senast 2019-03-31; åtaganden utan datum visas för det år de avser"
            ),
        )
        parser.add_argument("--county", help="bara RSS-åtaganden för länet med denna kod, t.ex. 12")
        parser.add_argument("--format", default="table", help="table (standard), json eller ical")
        parser.add_argument("--today", help="räkna status per detta datum (standard: i dag), ÅÅÅÅ-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = parse_format(options["format"], FORMATS)
        today = date_option(options["today"], "--today") or timezone.localdate()
        actor = operator()
        decision: FundingDecision | None = None
        year = None
        if options["decision"] and options["year"] is not None:
            decision, year = deadline_year_for_user(
                actor=actor, action="obligation.view", slug=options["decision"], year=options["year"]
            )
        elif options["decision"]:
            decision = deadline_decision_for_user(
                actor=actor, action="obligation.view", slug=options["decision"]
            )
        if decision is None and options["year"] is not None:
            year = int_param(options["year"], minimum=YEAR_MIN, maximum=YEAR_MAX)
            if year is None:
                raise CommandError(f"--year: ogiltigt år {options['year'][:20]!r}")
        county = options["county"] or None
        if county is not None:
            try:
                county_get(code=county)
            except NotFound:
                message = f"--county: okänt län {county[:10]!r} (ange länskoden, t.ex. 12)"
                raise CommandError(message) from None
        obligations = list(obligation_list(decision=decision, year=year, county=county, today=today))
        if fmt == "ical":
            name = f"JämKoll: {decision.slug if decision else 'alla beslut'}" + (f" {year}" if year else "")
            self.stdout.write(calendar_ical(obligations, name=name, today=today).decode(), ending="")
            return
        rows = obligation_rows(obligations, today, viewer=actor)
        if fmt == "json":
            self.stdout.write(to_json(rows))
            return
        labels = {s.value: str(s.label) for s in ObligationStatus}
        table_rows = [
            {
                **row,
                "effective_date": row["effective_date"] or "ej fastställt",
                "nominal_date": row["nominal_date"] or "",
                "status": labels[row["status"]]
                + (" (överfört: JämKolls tolkning)" if row["derived"] else "")
                + (f" – enligt {row['evidence']}" if row["evidence"] else "")
                + (" – risk för återkrav" if row["reclaim_risk"] else "")
                + (f" – {row['closure']}" if row["closed_by"] else "")
                + (f" – återöppnad: {row['reopen_reason']}" if row["reopen_reason"] else "")
                + (f" – kvar att återbetala: {row['still_owed']} kr" if row["still_owed"] else ""),
            }
            for row in rows
        ]
        self.stdout.write(
            to_table(
                table_rows,
                ["effective_date", "nominal_date", "title", "owed_by", "owed_to", "status"],
                ["Sista dag", "Enligt handlingen", "Åtagande", "Lämnas av", "Lämnas till", "Status"],
            )
        )
