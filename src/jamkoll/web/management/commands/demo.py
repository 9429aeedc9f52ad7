import atexit
import os
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from jamkoll.accounts.models import Role
from jamkoll.accounts.services import demo_users_create


class Command(BaseCommand):
    help = "Förbered den inbäddade databasen, läs in underlagen, skapa demoanvändare och starta webbservern."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="förbered bara, starta ingen server")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("seed", stdout=self.stdout)
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
