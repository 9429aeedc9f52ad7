from typing import Any

from django.core.management.base import CommandParser

from jamkoll.commands import JamkollCommand
from jamkoll.money import format_sek, to_str
from jamkoll.output import to_json, to_table
from jamkoll.programmes.selectors import programme_list


class Command(JamkollCommand):
    help = "Lista satsningarna och deras beslut."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        programmes = programme_list()
        if options["format"] == "json":
            self.stdout.write(
                to_json(
                    [
                        {
                            "slug": p.slug,
                            "title": p.title,
                            "start_year": p.start_year,
                            "end_year": p.end_year,
                            "decisions": [
                                {
                                    "slug": d.slug,
                                    "kind": d.kind,
                                    "years": d.years,
                                    "amount_per_year": to_str(d.amount_per_year),
                                    "amount_total": to_str(d.amount_total),
                                }
                                for d in p.decisions.all()
                            ],
                        }
                        for p in programmes
                    ]
                )
            )
            return
        rows = []
        for p in programmes:
            for d in p.decisions.all():
                rows.append(
                    {
                        "programme": p.title,
                        "period": p.period,
                        "decision": d.slug,
                        "kind": d.get_kind_display(),
                        "per_year": format_sek(d.amount_per_year)
                        if d.amount_per_year is not None
                        else ("–" if d.amount_total is not None else "ej angivet"),
                        "total": format_sek(d.amount_total) if d.amount_total is not None else "",
                    }
                )
        self.stdout.write(
            to_table(
                rows,
                ["period", "programme", "decision", "kind", "per_year", "total"],
                ["Period", "Satsning", "Beslut", "Form", "Per år", "Totalt"],
                right=["per_year", "total"],
            )
        )
