from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ...tasks import reminders_schedule


class Command(BaseCommand):
    help = (
        "Kör bakgrundsarbetaren (django-tasks-db): utför köade uppgifter, bland annat de dagliga "
        "påminnelserna om deadlines: om ingen körning redan väntar i kön körs de direkt när arbetaren "
        "startar och lägger sedan själva nästa dags körning i kön."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="utför det som väntar och avsluta sedan")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="sekunder mellan kontrollerna när kön är tom (1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Today's reminders at once (sending is idempotent); the task then queues itself daily.
        if reminders_schedule(immediately=True):
            self.stdout.write("Dagliga påminnelser lades i kön.")
        call_command(
            "db_worker",
            batch=options["batch"],
            interval=options["interval"],
            reload=False,
            startup_delay=not options["batch"],
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
