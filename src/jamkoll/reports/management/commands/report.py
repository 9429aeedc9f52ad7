import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jamkoll.errors import NotFound
from jamkoll.programmes.selectors import decision_year_get
from jamkoll.reference.models import Organisation
from jamkoll.reports.assemblers import assemble
from jamkoll.reports.renderers import render


class Command(BaseCommand):
    help = (
        "Skapa en rapport ur databasen: resultatrapport (result), ekonomisk redovisning (financial), "
        "halvårsrapport (status) eller länsrapport (rss), som PDF, DOCX, HTML eller Markdown."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["result", "financial", "status", "rss"])
        parser.add_argument("decision", help="beslutets kortnamn, t.ex. jamstalldhet-kvinnofrid-2018-2020")
        parser.add_argument("year")
        parser.add_argument("--county", help="länskod, krävs för rss")
        parser.add_argument(
            "--period", help="halvårets första dag för status, t.ex. 2018-07-01 (standard: 1 jan)"
        )
        parser.add_argument("--format", choices=["pdf", "docx", "html", "md"], required=True)
        parser.add_argument("-o", "--output", required=True, help="fil att skriva, eller - för standard ut")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            decision, year = decision_year_get(slug=options["decision"], year=options["year"])
        except NotFound as exc:
            raise CommandError(str(exc)) from None
        county = options.get("county")
        if options["kind"] == "rss" and not county:
            raise CommandError("rss: ange --county (länskod)")
        if county and not Organisation.objects.filter(kind="lan", code=county).exists():
            raise CommandError(f"--county: okänt län {county!r}")
        period = None
        if options.get("period"):
            try:
                period = dt.date.fromisoformat(options["period"])
            except ValueError:
                raise CommandError(f"--period: ogiltigt datum {options['period']!r}") from None
        document = assemble(
            kind=options["kind"],
            decision_slug=decision.slug,
            year=year,
            county_code=county,
            period_start=period,
        )
        content = render(document, options["format"])
        if options["output"] == "-":
            sys.stdout.buffer.write(content)
            return
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"-o: kan inte skriva {path}: {exc.strerror}") from None
        size = f"{len(content):,}".replace(",", " ")
        self.stdout.write(f"Skrev {path} ({size} byte): {document.title}")
