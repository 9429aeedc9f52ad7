"""`jamkoll token create|revoke|list`: personal API keys from the command line (issue 15).

`create` prints the key alone on standard output, so that
`curl -H "Authorization: Bearer $(jamkoll token create samordnare)" …` works; what else it has to
say goes to standard error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jamkoll.accounts.models import TOKEN_NAME_MAX, ApiToken
from jamkoll.accounts.policy import operator
from jamkoll.accounts.tokens import token_create, token_find, token_list, token_revoke
from jamkoll.commands import JamkollCommand, date_option
from jamkoll.output import to_json, to_table

USERNAME_MAX = 150
STATUS_WORDS = {"active": "giltig", "revoked": "återkallad", "expired": "har gått ut"}


class Command(JamkollCommand):
    help = "Skapa, återkalla och lista personliga API-nycklar (Authorization: Bearer <nyckel>)."
    labels = {"name": "--name", "expires_at": "--expires", "user": "användarnamn"}

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser("create", help="skapa en nyckel; skriver ut bara nyckeln, som inte visas igen")
        p.add_argument("username", help="användaren som nyckeln agerar som")
        p.add_argument("--name", default="", help=f"en beteckning, högst {TOKEN_NAME_MAX} tecken")
        p.add_argument("--expires", default=None, help="sista giltighetsdag (ÅÅÅÅ-MM-DD)")
        p = sub.add_parser("revoke", help="återkalla en nyckel")
        p.add_argument("key", help="nyckelns nummer eller början (jk_…), som `token list` visar")
        p = sub.add_parser("list", help="lista nycklar (aldrig själva nyckeln)")
        p.add_argument("username", nargs="?", default=None, help="bara den här användarens nycklar")
        p.add_argument("--format", choices=["table", "json"], default="table")

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username[:USERNAME_MAX]).first()
        if user is None:
            raise CommandError(f"okänd användare {username[:USERNAME_MAX]!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = self._user(options["username"])
            day = date_option(options["expires"], "--expires")
            expires_at = (
                timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
                if day is not None
                else None
            )
            token, raw = token_create(
                user=user, actor=operator(), name=options["name"], expires_at=expires_at
            )
            self.stdout.write(raw)
            self.stderr.write(
                f"API-nyckel {token.pk} ({token.prefix}…) skapad för {user.get_username()}. "
                "Spara den nu: den visas inte igen."
            )
        elif action == "revoke":
            token = token_revoke(token=token_find(key=options["key"]), actor=operator())
            self.stdout.write(
                f"API-nyckel {token.pk} ({token.prefix}…) för {token.user.get_username()} är återkallad."
            )
        else:
            self._list(options)

    def _list(self, options: dict[str, Any]) -> None:
        if options["username"]:
            tokens = list(token_list(user=self._user(options["username"])).select_related("user"))
        else:
            tokens = list(ApiToken.objects.select_related("user").order_by("user__username", "-created_at"))

        def when(value: dt.datetime | None) -> str:
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

        rows = [
            {
                "id": t.pk,
                "user": t.user.get_username(),
                "name": t.name,
                "prefix": t.prefix,
                "status": t.status(),
                "created_at": when(t.created_at),
                "last_used_at": when(t.last_used_at),
                "expires_at": when(t.expires_at),
            }
            for t in tokens
        ]
        if options["format"] == "json":
            self.stdout.write(to_json(rows))
            return
        if not rows:
            self.stdout.write("Inga API-nycklar.")
            return
        for row in rows:
            row["status"] = STATUS_WORDS[str(row["status"])]
        self.stdout.write(
            to_table(
                rows,
                ["id", "user", "name", "prefix", "status", "created_at", "last_used_at", "expires_at"],
                ["Nr", "Användare", "Namn", "Början", "Status", "Skapad", "Senast använd", "Gäller till"],
            )
        )
