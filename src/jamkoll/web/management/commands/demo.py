import atexit
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.accounts.services import demo_users_create
from jamkoll.indicators.sample import sample_load


class Command(BaseCommand):
    help = "Förbered den inbäddade databasen, läs in underlagen, skapa demoanvändare och starta webbservern."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="förbered bara, starta ingen server")
        parser.add_argument(
            "--force-demo-users",
            action="store_true",
            help="skapa demoanvändarna även i en annan databas än den inbäddade (bara för tester)",
        )
        parser.add_argument(
            "--no-sample",
            action="store_true",
            help="läs inte in de genererade exempelnyckeltalen (inte verklig statistik)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["force_demo_users"] and not is_embedded_demo_database():
            # The demo users' passwords are printed here and in the README: in a real database they
            # would be open doors.
            raise CommandError(
                "jamkoll demo skapar demoanvändare med kända lösenord och körs bara mot den inbäddade "
                f"SQLite-databasen ({embedded_database_path()}), "
                f"inte mot {connection.settings_dict['NAME']}. "
                "Ta bort DATABASE_URL, eller använd `jamkoll seed` för en riktig databas."
            )
        call_command("seed", stdout=self.stdout)
        if not options["no_sample"]:
            sample = sample_load(actor=SEED_LOADER)
            self.stdout.write(
                f"Genererade exempelnyckeltal (inte verklig statistik): {sample.indicators} nyckeltal, "
                f"{sample.observations} värden" + ("" if sample.written else " (fanns redan)")
            )
        users = demo_users_create()
        self.stdout.write("\nDemoanvändare (användarnamn / lösenord / roll):")
        for u in users:
            role = Role(u.role).label
            self.stdout.write(
                f"  {u.username:<16} {u.password:<26} {role}" + (f", län {u.county}" if u.county else "")
            )
        if options["no_serve"]:
            return
        port = options["port"]
        # Background work (report generation, reminders) needs a worker beside the web server.
        worker = subprocess.Popen([sys.executable, "-m", "jamkoll.cli", "worker"], env=os.environ.copy())
        atexit.register(worker.terminate)
        self.stdout.write(f"\nBakgrundsarbetaren körs (process {worker.pid}).")
        self.stdout.write(f"JämKoll körs på http://127.0.0.1:{port}/  (avsluta med Ctrl+C)\n")
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            worker.terminate()


def embedded_database_path() -> Path:
    return Path(settings.DATA_DIR) / "jamkoll.sqlite3"


def is_embedded_demo_database() -> bool:
    """The embedded default: SQLite, the file jamkoll.sqlite3 in JAMKOLL_DATA_DIR (DESIGN §5)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return False
    return Path(str(db["NAME"])).resolve() == embedded_database_path().resolve()
