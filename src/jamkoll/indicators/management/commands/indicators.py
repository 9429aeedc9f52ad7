"""`jamkoll indicators …`: import key figures (Kolada JSON, CSV, XLSX, Kolada's API), load Kolada's
catalogue, and show the gap analysis for an indicator and year (DESIGN §5).

A refused file exits non-zero with one line per problem (the first 20, and how many more); nothing
is stored."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand
from jamkoll.errors import error_messages
from jamkoll.indicators.models import ImportRun
from jamkoll.indicators.selectors import dec_str, gap_table
from jamkoll.indicators.services import catalogue_load, import_file, kolada_fetch
from jamkoll.output import to_json, to_table

SHOWN = 20
LABELS = {"year": "--year", "level": "--level", "format": "--format", "base_url": "--base-url", "kpi": "KPI"}
GAP_COLUMNS = ["rank", "code", "name", "women", "men", "total", "gap", "ratio"]
GAP_HEADERS = ["Rang", "Kod", "Namn", "Kvinnor", "Män", "Totalt", "Skillnad (K−M)", "Kvot (K/M)"]


class Command(JamkollCommand):
    labels = LABELS
    help = (
        "Nyckeltal: importera värden och katalog, hämta från Kolada, visa skillnaden mellan kvinnor och män."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        imp = sub.add_parser("import", help="importera en fil med värden (Kolada-JSON, CSV eller XLSX)")
        imp.add_argument("file")
        imp.add_argument(
            "--format", choices=["kolada", "csv", "xlsx"], help="gissas ur filnamnet om det utelämnas"
        )
        cat = sub.add_parser("catalogue", help="läs in Koladas nyckeltalskatalog (/v3/kpi-dokument)")
        cat.add_argument("file")
        gap = sub.add_parser("gap", help="kvinnors och mäns värden, skillnad, kvot och rang för ett år")
        gap.add_argument("kpi")
        gap.add_argument("--year", required=True)
        gap.add_argument("--level", default="kommun", choices=["kommun", "region", "lan"])
        gap.add_argument("--format", default="table", choices=["table", "json"])
        fetch = sub.add_parser("fetch", help="hämta värden från Koladas API och importera dem")
        fetch.add_argument("kpi", help="ett eller flera id, kommaseparerade (N00945,N01951)")
        fetch.add_argument("--year", action="append", default=[], help="år (kan anges flera gånger)")
        fetch.add_argument("--base-url", help="API:ts adress (standard: inställningen KOLADA_BASE_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "gap":
            self._gap(options)
            return
        progress = self._progress() if sys.stderr.isatty() else None
        try:
            if action == "import":
                run = import_file(
                    actor=operator(), path=options["file"], format=options.get("format"), progress=progress
                )
            elif action == "catalogue":
                run = catalogue_load(actor=operator(), path=options["file"], progress=progress)
            else:
                years = [self._year(y) for y in options["year"]]
                kpis = [k for k in options["kpi"].split(",") if k.strip()]
                run = kolada_fetch(
                    actor=operator(),
                    kpis=kpis,
                    years=years,
                    base_url=options.get("base_url"),
                    progress=progress,
                )
        except ValidationError as exc:
            if progress is not None:
                sys.stderr.write("\n")
            raise CommandError(self._refusal(exc)) from None
        if progress is not None:
            sys.stderr.write("\n")
        self.stdout.write(self._summary(run))

    def _progress(self) -> Any:
        def show(percent: int) -> None:
            sys.stderr.write(f"\rImporterar … {percent:3d} %")
            sys.stderr.flush()

        return show

    @staticmethod
    def _year(value: str) -> int:
        text = str(value).strip()
        if not (text.isdigit() and len(text) == 4):
            raise CommandError(f"--year: ogiltigt år {text[:20]!r} (ange ÅÅÅÅ)")
        return int(text)

    @staticmethod
    def _refusal(exc: ValidationError) -> str:
        messages = [m for msgs in error_messages(exc).values() for m in msgs]
        if len(messages) <= 1:
            return messages[0] if messages else "filen avvisades"
        head, problems = messages[0], messages[1:]
        lines = [head, *problems[:SHOWN]]
        if len(problems) > SHOWN:
            lines.append(f"… och {len(problems) - SHOWN} problem till (alla finns i importens logg)")
        return "\n".join(lines)

    @staticmethod
    def _summary(run: ImportRun) -> str:
        if run.format == "catalogue":
            return (
                f"Katalogen inläst: {run.rows} nyckeltal, {run.created} nya, {run.updated} ändrade, "
                f"{run.unchanged} oförändrade."
            )
        text = (
            f"Importerat: {run.rows} värden, {run.created} nya, {run.updated} ändrade, "
            f"{run.unchanged} oförändrade."
        )
        if run.indicators_created:
            text += (
                f" {run.indicators_created} nyckeltal saknades i katalogen och skapades preliminärt "
                "(komplettera titel och beskrivning)."
            )
        return text

    def _gap(self, options: dict[str, Any]) -> None:
        table = gap_table(indicator=options["kpi"], year=self._year(options["year"]), level=options["level"])
        rows = [row.as_dict() for row in table.rows]
        if options["format"] == "json":
            self.stdout.write(to_json(rows))
            return
        title = f"{table.indicator.code} {table.indicator.title} – {table.year} ({table.level})"
        if table.indicator.generated:
            title += "\nGenererade exempeldata – inte verklig statistik"
        lines = [
            title,
            to_table(rows, GAP_COLUMNS, GAP_HEADERS, right=["rank", "women", "men", "total", "gap", "ratio"]),
        ]
        if table.national is not None:
            national = table.national
            lines.append(
                f"Riket: kvinnor {dec_str(national.women) or '–'}, män {dec_str(national.men) or '–'}, "
                f"skillnad {dec_str(national.gap) or '–'}"
            )
        self.stdout.write("\n".join(lines))
