"""`jamkoll worker`: the background worker for every app's tasks (django-tasks-db, DESIGN §4).

Generic: it knows no app's work. An app that needs something queued when a worker starts (the
obligations' daily reminders) gives its AppConfig a `worker_started()` method, which queues it and
returns a line to print (or None).
"""

from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from jamkoll.web import heartbeat


class Command(BaseCommand):
    help = (
        "Kör bakgrundsarbetaren (django-tasks-db): utför köade uppgifter, t.ex. rapporter och de "
        "dagliga påminnelserna om deadlines. Appar som behöver något i kön när arbetaren startar "
        "lägger det där först (påminnelserna körs direkt om ingen körning redan väntar och lägger "
        "sedan själva nästa dags körning i kön)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="utför det som väntar och avsluta sedan")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="sekunder mellan kontrollerna när kön är tom (1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The heartbeat /readyz looks for (jamkoll.web.heartbeat): once now, then every half minute.
        heartbeat.beat(heartbeat.worker_name())
        if not options["batch"]:
            heartbeat.start(heartbeat.worker_name())  # a daemon thread: ends with the process
        for config in apps.get_app_configs():
            started = getattr(config, "worker_started", None)
            if callable(started):
                line = started()
                if line:
                    self.stdout.write(str(line))
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
