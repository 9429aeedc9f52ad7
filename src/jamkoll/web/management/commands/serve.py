import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Starta produktionsservern (gunicorn). Kräver JAMKOLL_SECRET_KEY och vägrar JAMKOLL_DEBUG=1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("JAMKOLL_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JAMKOLL_WORKERS", "2")))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            # Debug pages show settings and source to anyone who causes an error.
            raise CommandError(
                "JAMKOLL_DEBUG är på: produktionsservern startar inte i felsökningsläge "
                "(använd `jamkoll demo` för utveckling)"
            )
        if not settings.SECRET_KEY_FROM_ENVIRONMENT:
            raise CommandError("JAMKOLL_SECRET_KEY måste vara satt för att starta servern")
        from gunicorn.app.wsgiapp import run

        sys.argv = [
            "gunicorn",
            "jamkoll.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
        ]
        run()
