from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jamkoll.commands import JamkollCommand, date_option

from ...reminders import reminders_send


class Command(JamkollCommand):
    help = (
        "Skicka dagens påminnelser om deadlines (30, 7 och 1 dag före sista dag och när ett åtagande "
        "blivit försenat). Varje påminnelse skickas en gång, hur ofta kommandot än körs; en missad dag "
        "tas igen nästa körning. Lämpligt att köra dagligen från cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="kör som om det vore detta datum (ÅÅÅÅ-MM-DD); standard i dag")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_option(options["today"], "--today") or timezone.localdate()
        report = reminders_send(today=today)
        self.stdout.write(
            f"Påminnelser {today.isoformat()}: {len(report.sent)} skickade, "
            f"{report.skipped} redan skickade, {report.failed} misslyckade."
        )
        if report.failed:
            raise CommandError(
                f"{report.failed} påminnelser kunde inte skickas; de försöks igen nästa körning"
            )
