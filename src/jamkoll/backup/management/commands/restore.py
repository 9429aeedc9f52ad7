from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from jamkoll.backup.management.commands.backup import KEY_NOTE
from jamkoll.backup.services import BackupError, backup_check, backup_restore
from jamkoll.commands import JamkollCommand
from jamkoll.ledger.services import ledger_verify


class Command(JamkollCommand):
    help = (
        "Läs in en säkerhetskopia från jamkoll backup i en tom, migrerad databas (jamkoll migrate): allt "
        "eller ingenting, i en transaktion. Filens kontrollsummor och databasschema kontrolleras först. "
        "En databas med rader vägras, utom med --replace, som tömmer den i samma transaktion. Skriver "
        "tillbaka medelsflödets ankarfil. Nyckeln till medelsflödets kontrollsummor ingår inte i kopian: "
        "den ska finnas på plats (JAMKOLL_LEDGER_KEY_FILE) för att jamkoll verify ska godta kedjan."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="säkerhetskopian som läses in")
        parser.add_argument(
            "--replace", action="store_true", help="töm databasen först (allt som finns i den ersätts)"
        )
        parser.add_argument(
            "--check", action="store_true", help="kontrollera bara filen (kontrollsummor, schema)"
        )
        parser.add_argument("--quiet", action="store_true", help="skriv bara ut fel och avvikelser")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"]
        progress = None if quiet else self.stdout.write
        if options["check"]:
            try:
                manifest = backup_check(path=Path(options["file"]))
            except BackupError as exc:
                raise CommandError(str(exc)) from None
            if not quiet:
                rows = sum(entry["rows"] for entry in manifest["tables"])
                self.stdout.write(
                    f"Filen är hel och hör till den här databasens schema: {rows} rader i "
                    f"{len(manifest['tables'])} tabeller, från {manifest['created_at']}."
                )
            return
        try:
            summary = backup_restore(
                path=Path(options["file"]), replace=options["replace"], progress=progress
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror or exc}; ingenting lästes in") from None
        if summary.kept_anchor:
            self.stderr.write(f"Den tidigare ankarfilen sparades som {summary.kept_anchor}.")
        key = Path(settings.LEDGER_KEY_FILE)
        if not settings.LEDGER_KEY and not key.is_file():
            # Verifying now could make a new key, under which no restored entry would pass.
            self.stderr.write(
                f"Inläst, men nyckeln till medelsflödets kontrollsummor saknas ({key}): lägg den "
                "sparade nyckeln på plats och kör jamkoll verify."
            )
            return
        result = ledger_verify()
        if result.problems:
            self.stderr.write(
                f"Inläst, men jamkoll verify finner {len(result.problems)} avvikelse(r), t.ex.: "
                f"{result.problems[0]}"
            )
            self.stderr.write(KEY_NOTE.format(key=settings.LEDGER_KEY_FILE))
            return
        if quiet:
            return
        anchor = "och medelsflödets ankarfil" if summary.anchor else "(kopian hade ingen ankarfil)"
        self.stdout.write(f"Klar: {summary.rows} rader i {summary.tables} tabeller lästa {anchor}.")
        self.stdout.write(f"jamkoll verify: allt stämmer ({result.entries} poster i medelsflödet).")
        self.stdout.write(KEY_NOTE.format(key=settings.LEDGER_KEY_FILE))
