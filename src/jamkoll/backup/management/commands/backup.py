from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from jamkoll.backup.services import BackupError, backup_create
from jamkoll.commands import JamkollCommand

KEY_NOTE = (
    "Nyckeln till medelsflödets kontrollsummor ({key}) ingår inte: den förvaras skild från uppgifterna "
    "den skyddar. Spara den separat; utan den kan jamkoll verify inte bekräfta kedjan efter en återläsning."
)


class Command(JamkollCommand):
    help = (
        "Skriv en säkerhetskopia av hela databasen till FILE: varje rad i varje tabell (dokumentens filer, "
        "ändringshistoriken och medelsflödet inräknade) och medelsflödets ankarfil, med en kontrollsumma "
        "(SHA-256) för varje del. Läs tillbaka med jamkoll restore FILE. Nyckeln till medelsflödets "
        "kontrollsummor (JAMKOLL_LEDGER_KEY_FILE) ingår avsiktligt inte: förvara den separat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="säkerhetskopian som skrivs (en zip-fil)")
        parser.add_argument("--force", action="store_true", help="skriv över FILE om den finns")
        parser.add_argument("--quiet", action="store_true", help="skriv inget om det som skrivs")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"]
        progress = None if quiet else self.stdout.write
        try:
            summary = backup_create(path=Path(options["file"]), overwrite=options["force"], progress=progress)
        except BackupError as exc:
            raise CommandError(f"ingen säkerhetskopia skrevs: {exc}") from None
        except OSError as exc:
            raise CommandError(
                f"ingen säkerhetskopia skrevs: {options['file']}: {exc.strerror or exc}"
            ) from None
        if quiet:
            return
        anchor = "med medelsflödets ankarfil" if summary.anchor else "utan ankarfil (ingen fanns)"
        self.stdout.write(
            f"Klar: {summary.rows} rader i {summary.tables} tabeller, {anchor}, "
            f"{summary.size / 1_000_000:.1f} MB i {summary.path}."
        )
        self.stdout.write(KEY_NOTE.format(key=settings.LEDGER_KEY_FILE))
