from typing import Any

from django.core.management.base import CommandParser

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand
from jamkoll.money import format_sek, to_str
from jamkoll.output import to_csv, to_json, to_table
from jamkoll.programmes.selectors import allocation_dict, allocation_table, decision_year_for_user


class Command(JamkollCommand):
    help = "Visa ett års fördelning: budgetrader per målområde och mottagare, och RSS-medel per län."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("decision", help="beslutets kortnamn, t.ex. jamstalldhet-kvinnofrid-2018-2020")
        parser.add_argument("year", help="år, t.ex. 2018")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        decision, year = decision_year_for_user(
            actor=operator(),
            action="allocation.view",
            slug=options["decision"],
            year=options["year"],
            full=True,
        )
        table = allocation_table(decision=decision, year=year)
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(to_json(allocation_dict(table)))
            return
        if fmt == "csv":
            rows = [{"section": "total", "key": "", "name": "", "amount": to_str(table.total)}]
            rows += [
                {
                    "section": "line",
                    "key": f"{line.goal_area}/{line.recipient}",
                    "name": line.goal_area_title,
                    "amount": to_str(line.amount),
                }
                for line in table.lines
            ]
            rows += [
                {"section": "county", "key": c.code, "name": c.name, "amount": to_str(c.amount)}
                for c in table.counties
            ]
            self.stdout.write(to_csv(rows, ["section", "key", "name", "amount"]), ending="")
            return
        out = [f"{table.decision.title}", f"År {table.year}: totalt {format_sek(table.total)}", ""]
        out.append(
            to_table(
                [
                    {"ga": line.goal_area, "rec": line.recipient_label, "amount": format_sek(line.amount)}
                    for line in table.lines
                ],
                ["ga", "rec", "amount"],
                ["Målområde", "Mottagare", "Belopp"],
                right=["amount"],
            )
        )
        if table.counties:
            out += [
                "",
                to_table(
                    [{"code": c.code, "name": c.name, "amount": format_sek(c.amount)} for c in table.counties]
                    + [{"code": "", "name": "Summa", "amount": format_sek(table.county_total)}],
                    ["code", "name", "amount"],
                    ["Län", "Namn", "RSS-medel"],
                    right=["amount"],
                ),
            ]
        if table.note:
            out += ["", table.note]
        self.stdout.write("\n".join(out))
