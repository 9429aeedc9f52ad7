"""The base of every `jamkoll` command (DESIGN §5): the one error contract on the command line,
and a call that costs what it needs.

- A service's `ValidationError` becomes one line naming the option or argument the user typed
  (`labels` maps a service's field name to it: `{"reference": "--ref"}`), `PermissionDenied` the
  policy's reason, `NotFound` what is unknown — each a `CommandError`, so a non-zero exit and no
  traceback. A command does not catch these itself.
- No system checks on each call: they load the URL configuration, and with it the whole API and the
  report renderers, which doubled the CPU time of `jamkoll ledger balance`. `jamkoll check`, `serve`,
  `demo` and the test suite still run them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jamkoll.errors import NotFound, error_line
from jamkoll.validation import DATE_MAX, DATE_MIN


class JamkollCommand(BaseCommand):
    requires_system_checks: list[str] = []
    # A service's field name -> the option or argument as the user typed it.
    labels: dict[str, str] = {}
    # Said before a refused write's reason, e.g. "ingenting registrerades".
    refusal_prefix = ""

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except ValidationError as exc:
            raise CommandError(self._prefixed(error_line(exc, self.labels))) from None
        except PermissionDenied as exc:
            raise CommandError(f"nekad: {exc}") from None
        except NotFound as exc:
            raise CommandError(str(exc)) from None

    def _prefixed(self, message: str) -> str:
        return f"{self.refusal_prefix}: {message}" if self.refusal_prefix else message


def date_option(value: str | None, option: str, *, bounded: bool = True) -> dt.date | None:
    """An ISO date given on the command line, within the dates the system deals in (`bounded=False`
    where the service checks a tighter bound and says it better, e.g. the year of a ledger entry)."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: ogiltigt datum {value[:20]!r} (ange ÅÅÅÅ-MM-DD)") from None
    if bounded and not DATE_MIN <= day <= DATE_MAX:
        raise CommandError(f"{option}: datumet måste ligga mellan {DATE_MIN} och {DATE_MAX}")
    return day
