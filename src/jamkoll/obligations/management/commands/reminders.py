import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Skicka dagens påminnelser om deadlines (30, 7 och 1 dag före sista dag och när ett åtagande "
        "blivit försenat). Varje påminnelse skickas en gång, hur ofta kommandot än körs; en missad dag "
        "tas igen nästa körning. Lämpligt att köra dagligen från cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="kör som om det vore detta datum (ÅÅÅÅ-MM-DD); standard i dag")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today: ogiltigt datum {options['today']!r} (ange ÅÅÅÅ-MM-DD)"
                ) from None
        report = reminders_send(today=today)
        self.stdout.write(
            f"Påminnelser {today.isoformat()}: {len(report.sent)} skickade, "
            f"{report.skipped} redan skickade, {report.failed} misslyckade."
        )
        if report.failed:
            raise CommandError(
                f"{report.failed} påminnelser kunde inte skickas; de försöks igen nästa körning"
            )
