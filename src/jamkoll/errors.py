"""The one error contract (issue 10). Every surface refuses in the same three shapes:

- `django.core.exceptions.ValidationError`, keyed by field where a field is to blame
  (`ValidationError({"amount": "…"})`); a form shows each message beside its field
  (`form_add_errors`), the API answers 422 with `{"detail": …, "errors": {field: [messages]}}`
  (`error_body`), the CLI prints one line naming the field (`error_line`);
- `django.core.exceptions.PermissionDenied(reason)` with the policy's reason: a 403 page in the
  site's layout, a 403 body in the API;
- `NotFound(message)`: an unknown slug, year or object. It *is* an `Http404`, so a web view need
  not catch it: Django's 404 page shows the message, and the API's handler answers 404.

Lives at the package root, beside `money.py`, so that every app may import it (DESIGN §4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404

__all__ = [
    "NON_FIELD_ERRORS",
    "ErrorCollector",
    "NotFound",
    "PermissionDenied",
    "ValidationError",
    "error_body",
    "error_line",
    "field_error",
    "form_add_errors",
]


T = TypeVar("T")


class NotFound(Http404, LookupError):
    """An unknown slug, a year outside a decision's period, an unknown object; the message is
    for the user, in their language."""


def field_error(field: str, message: Any) -> ValidationError:
    """`ValidationError({field: [message]})`, the shape services raise for one bad field."""
    return ValidationError({field: [message]})


def error_messages(exc: ValidationError) -> dict[str, list[str]]:
    """`{field: [messages]}`; messages not tied to a field are under `NON_FIELD_ERRORS`."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def error_body(exc: ValidationError) -> dict[str, Any]:
    """The API's 422 body: `detail` is every message on one line (for a client that shows just
    one string), `errors` the same messages by field."""
    errors = error_messages(exc)
    detail = " ".join(
        f"{field}: {msg}" if field != NON_FIELD_ERRORS else msg
        for field, msgs in errors.items()
        for msg in msgs
    )
    return {"detail": detail, "errors": {k: v for k, v in errors.items() if k != NON_FIELD_ERRORS}}


def error_line(exc: ValidationError, labels: dict[str, str] | None = None) -> str:
    """One line for the command line: `belopp: måste vara större än noll`. `labels` maps a field
    name to the option or word the user typed (`{"reference": "--ref"}`)."""
    labels = labels or {}
    parts = []
    for field, msgs in error_messages(exc).items():
        for msg in msgs:
            parts.append(msg if field == NON_FIELD_ERRORS else f"{labels.get(field, field)}: {msg}")
    return "; ".join(parts)


def form_add_errors(
    form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's `ValidationError` on a bound form: each message beside its field, a
    message about a field the form does not have (or none) at the top. `aliases` maps a service's
    field name to the form's (`{"county_code": "recipient"}`)."""
    aliases = aliases or {}
    for field, msgs in error_messages(exc).items():
        name = aliases.get(field, field)
        target = name if name in form.fields else None
        for msg in msgs:
            form.add_error(target, msg)


class ErrorCollector:
    """Collects the `ValidationError`s of several checks, so that a service refuses every bad
    field at once (a form shows them all beside their fields, not one per round trip)::

        errors = ErrorCollector()
        amount = errors.run(lambda: clean_amount(value))   # None if it refused
        if bad_kind:
            errors.add("kind", _("…"))
        errors.raise_if_any()                               # one ValidationError, keyed by field
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def run(self, check: Callable[[], T]) -> T | None:
        """`check()`'s result, or None when it raised a `ValidationError` (collected)."""
        try:
            return check()
        except ValidationError as exc:
            exc.update_error_dict(self.errors)
            return None

    def add(self, field: str, message: Any, code: str | None = None) -> None:
        """One more message for `field` (`NON_FIELD_ERRORS` for a rule not tied to a field)."""
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """Raise one `ValidationError({field: [messages]})` if anything was collected."""
        if self.errors:
            raise ValidationError(self.errors)
