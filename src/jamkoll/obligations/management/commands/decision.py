from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand
from jamkoll.output import to_json, to_table
from jamkoll.seeding import SeedError, json_parse

from ...generation import Change
from ...registration import DocumentError, RegistrationResult, decision_register_data

# A decision document is a few hundred kilobytes at most (the 2018 agreement is 30 kB).
MAX_BYTES = 5_000_000


class Command(JamkollCommand):
    refusal_prefix = "ingenting registrerades"
    help = (
        "Registrera ett beslut (överenskommelse, beslut om bidrag eller ansökan) från en JSON-fil, "
        "eller uppdatera beslutet med samma kortnamn. Åtagandena som följer av villkoren skapas eller "
        "uppdateras; allt eller inget."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser(
            "import",
            help=(
                "läs in ett beslut: ett beslutsobjekt med samma nycklar som i programmes/data/"
                'programmes.json, plus "programme": satsningens kortnamn'
            ),
        )
        p.add_argument("file", help="JSON-filen med beslutet")
        p.add_argument(
            "--dry-run",
            action="store_true",
            help="visa vad som skulle registreras och vilka åtaganden som följer, utan att spara",
        )
        p.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        data = self._read(name)
        try:
            result = decision_register_data(data, actor=operator(), dry_run=options["dry_run"], file=name)
        except DocumentError as exc:
            raise CommandError(f"{self.refusal_prefix}: {exc.line()}") from None
        if options["format"] == "json":
            self.stdout.write(to_json(result.as_dict()))
            return
        self._write(result)

    def _read(self, name: str) -> Any:
        path = Path(name)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{name}: filen är större än {MAX_BYTES // 1_000_000} MB")
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:  # missing, a directory, not UTF-8
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "inte UTF-8-text"
            raise CommandError(f"{name}: kan inte läsas: {reason}") from None
        try:
            return json_parse(text, file=name)
        except SeedError as exc:
            raise CommandError(f"{self.refusal_prefix}: {exc}") from None

    def _write(self, result: RegistrationResult) -> None:
        if result.dry_run:
            head = "Förhandsgranskning, ingenting sparades: beslutet {slug} skulle {what}."
            what = (
                "registreras" if result.created else ("uppdateras" if result.changed else "lämnas oförändrat")
            )
        else:
            head = "Beslutet {slug} {what}."
            what = (
                "registrerades"
                if result.created
                else ("uppdaterades" if result.changed else "var redan aktuellt")
            )
        self.stdout.write(head.format(slug=result.slug, what=what))
        report = result.report
        for heading, counts in (
            ("nya", report.created),
            ("ändrade", report.updated),
            ("borttagna", report.deleted),
        ):
            for label, n in sorted(counts.items()):
                self.stdout.write(f"  {heading} {label}: {n}")
        if not result.changed:
            self.stdout.write("  ingenting ändrades")
        if not result.obligations:
            self.stdout.write("Inga åtaganden följer av villkoren.")
            return
        rows = [
            {
                "change": o.change_label,
                "year": o.year,
                "kind": o.kind_label,
                "title": o.title,
                "nominal_date": o.nominal_date.isoformat() if o.nominal_date else "",
                "effective_date": o.effective_date.isoformat() if o.effective_date else "ej fastställt",
                "moved": (
                    f"{o.nominal_date.isoformat()} är {o.moved_because}"
                    if o.moved and o.nominal_date is not None
                    else ""
                ),
            }
            for o in result.obligations
        ]
        removed = len(result.obligations_by_change(Change.REMOVED))
        self.stdout.write(f"Åtaganden ({len(rows)}, varav {removed} tas bort):" if removed else "Åtaganden:")
        self.stdout.write(
            to_table(
                rows,
                ["change", "year", "kind", "effective_date", "nominal_date", "title", "moved"],
                [
                    "",
                    "År",
                    "Slag",
                    "Sista dag",
                    "Enligt handlingen",
                    "Åtagande",
                    "Flyttad enligt lagen (1930:173)",
                ],
            )
        )
