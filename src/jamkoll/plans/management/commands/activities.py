from typing import Any

from django.core.management.base import CommandError, CommandParser

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand
from jamkoll.errors import NotFound
from jamkoll.output import to_json, to_table
from jamkoll.plans.selectors import ActivityFilter, activity_dict, activity_list
from jamkoll.programmes.selectors import decision_year_for_user
from jamkoll.reference.selectors import county_get


class Command(JamkollCommand):
    help = "Lista ett års aktiviteter med resultat, samarbetsparter och län."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("decision", help="beslutets kortnamn, t.ex. jamstalldhet-kvinnofrid-2018-2020")
        parser.add_argument("year")
        parser.add_argument("--county", help="bara aktiviteter som berör länet (länskod, t.ex. 12)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        decision, year = decision_year_for_user(
            actor=operator(), action="plan.view", slug=options["decision"], year=options["year"]
        )
        county = options.get("county")
        if county:
            try:
                county_get(code=county)
            except NotFound as exc:
                raise CommandError(f"--county: {exc}") from None
        rows = [
            activity_dict(a, year)
            for a in activity_list(decision=decision, year=year, filters=ActivityFilter(county=county))
        ]
        if options["format"] == "json":
            self.stdout.write(to_json(rows))
            return
        table = [
            {
                "id": r["id"],
                "sp": r["sub_project"],
                "ga": r["goal_area"],
                "status": r["status"],
                "title": r["title"][:60],
                "outputs": len(r["outputs"]),
            }
            for r in rows
        ]
        self.stdout.write(
            to_table(
                table,
                ["id", "sp", "ga", "status", "title", "outputs"],
                ["Id", "Delprojekt", "Målområde", "Status", "Rubrik", "Resultat"],
            )
        )
        self.stdout.write(f"\n{len(rows)} aktiviteter")
