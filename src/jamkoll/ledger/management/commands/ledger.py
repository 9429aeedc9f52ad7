import datetime as dt
import getpass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jamkoll.errors import NotFound
from jamkoll.ledger.models import EntryKind, LedgerEntry
from jamkoll.ledger.selectors import balance_dict
from jamkoll.ledger.services import LedgerError, entry_record, entry_reverse
from jamkoll.money import format_sek
from jamkoll.output import to_json, to_table
from jamkoll.programmes.selectors import decision_get

KINDS = {
    "requisition": EntryKind.REQUISITION,
    "disburse": EntryKind.DISBURSEMENT,
    "expense": EntryKind.EXPENDITURE,
    "repay": EntryKind.REPAYMENT,
    "reclaim": EntryKind.RECLAIM,
}


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: ogiltigt datum {value!r} (ÅÅÅÅ-MM-DD)") from None


def _year(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"ogiltigt år {value!r}") from None


class Command(BaseCommand):
    help = (
        "Medelsflödet: registrera rekvisitioner, utbetalningar, utgifter, återbetalningar och "
        "återkrav, rätta poster och visa saldon."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        for name, kind in KINDS.items():
            p = sub.add_parser(name, help=f"registrera {kind.label.lower()}")
            p.add_argument("decision")
            p.add_argument("year")
            p.add_argument("amount", help="belopp i kronor, t.ex. 2500000.00")
            p.add_argument(
                "--recipient",
                default="SKR",
                help="SKR (standard: staten–SKR) eller en länskod (RSS-nivån: länet–SKR)",
            )
            p.add_argument("--line", type=int, help="målområde för SKR:s egna utgifter")
            p.add_argument("--date", help="datum ÅÅÅÅ-MM-DD (standard: i dag)")
            p.add_argument("--ref", required=True, help="diarienummer eller annan referens")
            p.add_argument("--note", default="")
            p.add_argument(
                "--as", dest="as_user", help="registrera som denna användare (dess behörighet prövas)"
            )
        r = sub.add_parser("reverse", help="rätta en post genom en motpost")
        r.add_argument("sequence", type=int, help="postens löpnummer")
        r.add_argument("--reason", required=True)
        r.add_argument("--date")
        r.add_argument("--as", dest="as_user")
        b = sub.add_parser("balance", help="visa saldot för ett beslut och år")
        b.add_argument("decision")
        b.add_argument("year")
        b.add_argument("--format", choices=["table", "json"], default="table")

    def _user(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--as: okänd användare {username!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = f"kommandoraden ({getpass.getuser()})"
        try:
            if action == "balance":
                self._balance(options)
                return
            user = self._user(options.get("as_user"))
            if action == "reverse":
                entry = LedgerEntry.objects.filter(sequence=options["sequence"]).first()
                if entry is None:
                    raise CommandError(f"ingen post med löpnummer {options['sequence']}")
                new = entry_reverse(
                    entry=entry,
                    reason=options["reason"],
                    entry_date=_date(options.get("date")),
                    user=user,
                    actor_name=actor,
                )
            else:
                recipient = options["recipient"]
                new = entry_record(
                    decision=decision_get(slug=options["decision"]),
                    year=_year(options["year"]),
                    kind=KINDS[action],
                    amount=options["amount"],
                    reference=options["ref"],
                    county_code=None if recipient.upper() == "SKR" else recipient,
                    line=options.get("line"),
                    entry_date=_date(options.get("date")),
                    note=options.get("note", ""),
                    user=user,
                    actor_name=actor,
                )
        except (LedgerError, NotFound) as exc:
            raise CommandError(f"ingenting registrerades: {exc}") from None
        except PermissionDenied as exc:
            raise CommandError(f"nekad: {exc}") from None
        self.stdout.write(
            f"Registrerad: post #{new.sequence}, {new.get_kind_display()} "
            f"{format_sek(new.amount, decimals=True)}"
        )

    def _balance(self, options: dict[str, Any]) -> None:
        data = balance_dict(decision=decision_get(slug=options["decision"]), year=_year(options["year"]))
        if options["format"] == "json":
            self.stdout.write(to_json(data))
            return
        rows = [
            {
                "what": label,
                "amount": format_sek(None if data[key] is None else Decimal(data[key]), decimals=True),
            }
            for key, label in [
                ("budgeted", "Budget"),
                ("requisitioned", "Rekvirerat"),
                ("disbursed", "Utbetalt"),
                ("spent", "Använt"),
                ("repaid", "Återbetalt"),
                ("reclaimed", "Återkrävt"),
                ("to_repay", "Att återbetala"),
            ]
        ]
        self.stdout.write(f"{data['decision']} {data['year']}")
        self.stdout.write(to_table(rows, ["what", "amount"], ["", "Kronor"], right=["amount"]))
