from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.commands import JamkollCommand
from jamkoll.migrating import migrations_to_apply, new_models_rendered_alone
from jamkoll.obligations.generation import GenerationResult, obligations_generate
from jamkoll.plans.seed import plans_seed
from jamkoll.programmes.services import BudgetError, programmes_seed
from jamkoll.reference.services import reference_seed
from jamkoll.seeding import SeedError, SeedReport, all_or_nothing


class Command(JamkollCommand):
    help = (
        "Migrera databasen och läs in referensdata och allt som underlagen anger om satsningar, "
        "beslut och medel. Kan köras flera gånger: en andra körning ändrar ingenting."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-migrate", action="store_true", help="hoppa över migreringen")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"] and migrations_to_apply():
            with new_models_rendered_alone():  # issue 16: a fresh database in a third of the time
                call_command("migrate", interactive=False, verbosity=0)
        report = SeedReport()
        generated = GenerationResult(removed=[], kept=[])
        try:
            with transaction.atomic(), all_or_nothing():
                reference_seed(actor=SEED_LOADER, report=report)
                programmes_seed(actor=SEED_LOADER, report=report)
                obligations_generate(actor=SEED_LOADER, report=report, result=generated)
                plans_seed(actor=SEED_LOADER, report=report)
        except SeedError as exc:
            raise CommandError(f"inläsningen avbröts, inget sparades: {exc}") from None
        except BudgetError as exc:
            message = " ".join(exc.messages)
            raise CommandError(f"inläsningen avbröts, inget sparades: {message}") from None
        for label in generated.kept:
            self.stdout.write(
                f"  behållet åtagande {label}: följer inte längre av någon handling, men något är "
                "registrerat på det"
            )
        if not report.changed:
            self.stdout.write("Inläsningen är klar: databasen var redan aktuell, inget ändrades.")
            return
        for label, n in sorted(report.created.items()):
            self.stdout.write(f"  nya {label}: {n}")
        for label, n in sorted(report.updated.items()):
            self.stdout.write(f"  ändrade {label}: {n}")
        for label, n in sorted(report.deleted.items()):
            self.stdout.write(f"  borttagna {label}: {n}")
        self.stdout.write("Inläsningen är klar.")
