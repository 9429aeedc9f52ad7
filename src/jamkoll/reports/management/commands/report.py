import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand, date_option
from jamkoll.reports.services import report_job_create, report_job_run

# The service's field names as the command line spells them.
LABELS = {
    "county": "--county",
    "period_start": "--period",
    "amount_applied": "--amount",
    "introduction": "--introduction",
}


class Command(JamkollCommand):
    labels = LABELS

    help = (
        "Skapa en rapport ur databasen: resultatrapport (result), ekonomisk redovisning (financial), "
        "halvårsrapport (status), länsrapport (rss) eller ansökan om medel för ett år som beslutet "
        "aviserar (application), som PDF, DOCX, HTML eller Markdown. "
        "Rapporten arkiveras också som ett utkast i det format som skrivs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["result", "financial", "status", "rss", "application"])
        parser.add_argument("decision", help="beslutets kortnamn, t.ex. jamstalldhet-kvinnofrid-2018-2020")
        parser.add_argument("year")
        parser.add_argument("--county", help="länskod, krävs för rss")
        parser.add_argument(
            "--period", help="halvårets första dag för status, t.ex. 2018-07-01 (standard: 1 jan)"
        )
        parser.add_argument(
            "--amount", help="sökt belopp i kronor för application, t.ex. 20000000 (utan: ej angivet)"
        )
        parser.add_argument("--introduction", default="", help="inledande text för application")
        parser.add_argument("--format", choices=["pdf", "docx", "html", "md"], required=True)
        parser.add_argument("-o", "--output", required=True, help="fil att skriva, eller - för standard ut")

    def handle(self, *args: Any, **options: Any) -> None:
        period = date_option(options.get("period"), "--period")
        actor = operator()
        job = report_job_create(
            actor=actor,
            kind=options["kind"],
            decision_slug=options["decision"],
            year=options["year"],
            county_code=options.get("county"),
            period_start=period,
            amount_applied=options.get("amount"),
            introduction=options.get("introduction") or "",
            enqueue=False,
        )
        version = report_job_run(job=job, actor=actor, formats=(options["format"],))
        content = bytes(version.files.get(format=options["format"]).content)
        if options["output"] == "-":
            sys.stdout.buffer.write(content)
            return
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"-o: kan inte skriva {path}: {exc.strerror}") from None
        size = f"{len(content):,}".replace(",", " ")
        self.stdout.write(f"Skrev {path} ({size} byte): {version.title} v{version.version}")
