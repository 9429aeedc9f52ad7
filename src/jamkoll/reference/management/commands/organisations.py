from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jamkoll.commands import JamkollCommand, date_option
from jamkoll.output import to_json, to_table
from jamkoll.reference.models import OrganisationKind
from jamkoll.reference.selectors import organisation_list, organisation_row


class Command(JamkollCommand):
    help = "Lista organisationer med namnet som gällde ett visst datum (standard: i dag)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind",
            choices=[k.value for k in OrganisationKind],
            help="riket, lan, kommun, region eller other",
        )
        parser.add_argument("--code", help="SCB-kod eller kortkod, t.ex. 01, 0180, SKR")
        parser.add_argument("--on", help="datum ÅÅÅÅ-MM-DD; namnet som gällde då (standard: i dag)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        on = date_option(options["on"], "--on") or timezone.localdate()
        orgs = organisation_list(kind=options["kind"], code=options["code"], on=on)
        rows = [organisation_row(o, on) for o in orgs]
        if not rows and options["code"]:
            raise CommandError(f"ingen organisation med koden {options['code']!r} den {on.isoformat()}")
        if options["format"] == "json":
            self.stdout.write(to_json(rows))
        else:
            self.stdout.write(
                to_table(
                    rows,
                    ["code", "kind", "name", "county_code"],
                    ["Kod", "Typ", f"Namn ({on.isoformat()})", "Län"],
                )
            )
