from typing import Any

from django.core.management.base import CommandParser

from jamkoll.commands import JamkollCommand
from jamkoll.ledger.services import ledger_verify


class Command(JamkollCommand):
    help = (
        "Kontrollera alla invarianter för budgetar, fördelningar och medelsflödet, postkedjans "
        "nyckelskyddade kontrollsummor och kedjans ankare utanför databasen (JAMKOLL_LEDGER_ANCHOR). "
        "Avslutar med kod 1 och en lista över avvikelser om något inte stämmer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="skriv bara ut avvikelser")

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger_verify()
        for notice in result.notices:
            self.stdout.write(f"OBS: {notice}")
        if result.problems:
            self.stderr.write(f"{len(result.problems)} avvikelse(r):")
            for problem in result.problems:
                self.stderr.write(f"  - {problem}")
            raise SystemExit(1)
        if not options["quiet"]:
            self.stdout.write(
                f"Allt stämmer: {result.budgets} budgetår, {result.allocations} fördelningar och "
                f"{result.entries} poster kontrollerade."
            )
