"""`jamkoll demo-volume`: synthetic national-scale data for benchmarks and tests (`jamkoll.volume`)."""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from jamkoll.commands import JamkollCommand
from jamkoll.volume import (
    LEDGER_MAX,
    PER_COUNTY_MAX,
    PROGRAMMES_MAX,
    YEARS_MAX,
    VolumeArgs,
    VolumeError,
    volume_generate,
)


class Command(JamkollCommand):
    help = (
        "Fyll en demo- eller testdatabas med genererade testdata i nationell skala (för mätningar): "
        "aktiviteter i den inlästa överenskommelsens år, syntetiska satsningar och poster i "
        "medelsflödet. Körs bara mot en testdatabas eller demodatabasen som `jamkoll demo` förbereder, "
        "och bara en gång."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--programmes",
            type=int,
            default=3,
            help=f"satsningar i alla, den inlästa medräknad (1–{PROGRAMMES_MAX}, standard 3)",
        )
        parser.add_argument(
            "--years", type=int, default=3, help=f"år per satsning (1–{YEARS_MAX}, standard 3)"
        )
        parser.add_argument(
            "--activities-per-county",
            type=int,
            default=200,
            help=f"aktiviteter per län och år (0–{PER_COUNTY_MAX}, standard 200)",
        )
        parser.add_argument(
            "--ledger-entries",
            type=int,
            default=0,
            help=f"poster i medelsflödet (0–{LEDGER_MAX}, standard 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        volume = VolumeArgs(
            programmes=options["programmes"],
            years=options["years"],
            per_county=options["activities_per_county"],
            ledger_entries=options["ledger_entries"],
        )
        try:
            result = volume_generate(volume, progress=self.stdout.write)
        except VolumeError as exc:
            raise CommandError(f"ingenting skrevs: {exc}") from None
        self.stdout.write("Genererade testdata (inte verkliga uppgifter):")
        for label, n in sorted(result.created.items()):
            self.stdout.write(f"  {label}: {n}")
        self.stdout.write(f"Klart på {result.seconds:.1f} s.")
