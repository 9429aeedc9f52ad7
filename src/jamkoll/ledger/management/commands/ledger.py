from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand, date_option
from jamkoll.ledger.models import EntryKind
from jamkoll.ledger.selectors import STATE_RECIPIENT, balance_dict, county_code_for, entry_for_user
from jamkoll.ledger.services import entry_record, entry_reverse, ledger_anchor, ledger_seal
from jamkoll.money import format_sek
from jamkoll.output import to_json, to_table
from jamkoll.programmes.selectors import decision_year_for_user

KINDS = {
    "requisition": EntryKind.REQUISITION,
    "disburse": EntryKind.DISBURSEMENT,
    "expense": EntryKind.EXPENDITURE,
    "repay": EntryKind.REPAYMENT,
    "reclaim": EntryKind.RECLAIM,
}


# The services' field names, as the user typed them on the command line.
LABELS = {
    "amount": "belopp",
    "kind": "slag",
    "reference": "--ref",
    "county": "--recipient",
    "line": "--line",
    "entry_date": "--date",
    "note": "--note",
    "reason": "--reason",
}


class Command(JamkollCommand):
    labels = LABELS
    refusal_prefix = "ingenting registrerades"
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
                default=STATE_RECIPIENT,
                help=f"{STATE_RECIPIENT} (standard: staten–SKR) eller en länskod (RSS-nivån: länet–SKR)",
            )
            p.add_argument("--line", help="målområde för SKR:s egna utgifter (1, 2, 3 …)")
            p.add_argument("--date", help="datum ÅÅÅÅ-MM-DD (standard: i dag)")
            p.add_argument("--ref", required=True, help="diarienummer eller annan referens")
            p.add_argument("--note", default="", help="anteckning, högst 2 000 tecken")
            p.add_argument(
                "--as", dest="as_user", help="registrera som denna användare (dess behörighet prövas)"
            )
        r = sub.add_parser("reverse", help="rätta en post genom en motpost")
        r.add_argument("sequence", help="postens löpnummer")
        r.add_argument("--reason", required=True, help="skälet till rättelsen, högst 100 tecken på en rad")
        r.add_argument("--date", help="datum ÅÅÅÅ-MM-DD (standard: i dag)")
        r.add_argument("--as", dest="as_user", help="rätta som denna användare (dess behörighet prövas)")
        sub.add_parser(
            "seal",
            help="ta kedjans nyckel i bruk för ett medelsflöde skrivet före nycklarna "
            "(en gång, efter uppgradering)",
        )
        sub.add_parser("anchor", help="för ikapp kedjans ankarfil efter ett avbrott")
        b = sub.add_parser("balance", help="visa saldot för ett beslut och år")
        b.add_argument("decision")
        b.add_argument("year")
        b.add_argument("--format", choices=["table", "json"], default="table")

    def _actor(self, username: str | None) -> Any:
        """The `--as` user (whose roles the policy checks), or the operator at the command line."""
        if not username:
            return operator()
        user = get_user_model().objects.filter(username=username[:150]).first()
        if user is None:
            raise CommandError(f"--as: okänd användare {username[:150]!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "balance":
            self._balance(options)
            return
        if action == "seal":
            sequence = ledger_seal(actor=operator())
            self.stdout.write(
                f"Förseglad: kedjan t.o.m. post #{sequence} står i ankarfilen, signerad med nyckeln; "
                "nya poster skyddas av nyckeln. Förvara en kopia av nyckeln åtskild från databasen."
            )
            return
        if action == "anchor":
            before, now = ledger_anchor(actor=operator())
            if now == before:
                self.stdout.write(f"Ankaret är i fas med databasen (post #{now}).")
            else:
                self.stdout.write(f"Ankaret fört ikapp: från post #{before} till #{now}.")
            return
        actor = self._actor(options.get("as_user"))
        if action == "reverse":
            entry, verdict = entry_for_user(actor=actor, sequence=options["sequence"])
            if not verdict:
                raise PermissionDenied(verdict.reason)
            new = entry_reverse(
                actor=actor,
                entry=entry,
                reason=options["reason"],
                entry_date=date_option(options.get("date"), "--date", bounded=False),
            )
        else:
            decision, year = decision_year_for_user(
                actor=actor, action="ledger.view", slug=options["decision"], year=options["year"]
            )
            new = entry_record(
                actor=actor,
                decision=decision,
                year=year,
                kind=KINDS[action],
                amount=options["amount"],
                reference=options["ref"],
                county_code=county_code_for(options["recipient"]),
                line=options.get("line"),
                entry_date=date_option(options.get("date"), "--date", bounded=False),
                note=options.get("note", ""),
            )
        self.stdout.write(
            f"Registrerad: post #{new.sequence}, {new.get_kind_display()} "
            f"{format_sek(new.amount, decimals=True)}"
        )

    def _balance(self, options: dict[str, Any]) -> None:
        decision, year = decision_year_for_user(
            actor=operator(), action="ledger.view", slug=options["decision"], year=options["year"]
        )
        data = balance_dict(decision=decision, year=year)
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
