"""Declared bounds for everything that comes in from outside (DESIGN §6, issue 10).

Every text, number and date a user, a client or a file gives us passes one of these before it is
stored: text has a length and no control characters other than tab and newline (and no bidi
controls, which make `Faktura \u202egnp.exe` print as something else); integers and dates lie in a
sane range. A refusal is a `ValidationError` keyed by field (`jamkoll.errors`), so a form shows it
beside the field, the API in `errors`, the CLI on one line.

The same checks come in three forms: `clean_text`/`clean_int`/`clean_date` for services,
`TextValidator` for Django form and model fields, and the annotated types of `jamkoll.schema_types`
for the API's and the data files' pydantic schemas (kept apart: pydantic costs a command-line call
time it rarely needs).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from jamkoll.errors import field_error

# C0 and C1 controls except tab and newline; lone surrogates (JSON "\ud800"); the bidi
# embeddings, overrides, isolates and marks; line/paragraph separators; the byte-order mark; the
# replacement character (what undecodable bytes in a form post become); non-characters.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ufeff\ufffd\ufffe\uffff]"
)
_LINE_BREAKS = re.compile("[\t\n]")

# Lengths used across the project, so that a form, a schema and a model agree.
SHORT = 200  # names, titles, references, labels
REASON = 100  # simple-history's history_change_reason column
LONG = 20_000  # notes, descriptions, free text

# Dates the system deals in: the programmes since 2008 and their follow-up, with margin.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
YEAR_MIN = DATE_MIN.year
YEAR_MAX = DATE_MAX.year


def text_problem(value: str, *, multiline: bool = True, max_length: int | None = None) -> str | None:
    """Why `value` may not be stored, or None. `\r\n` counts as a newline."""
    text = value.replace("\r\n", "\n")
    match = _FORBIDDEN.search(text)
    if match:
        return _("Otillåtet tecken (U+%(code)04X) på plats %(pos)s.") % {
            "code": ord(match.group()),
            "pos": match.start() + 1,
        }
    if not multiline and _LINE_BREAKS.search(text):
        return _("Radbrytningar och tabbar är inte tillåtna här.")
    if max_length is not None and len(text) > max_length:
        return _("Högst %(max)s tecken (nu %(n)s).") % {"max": max_length, "n": len(text)}
    return None


def clean_text(
    value: Any,
    *,
    field: str,
    max_length: int = SHORT,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """The stripped text, with `\r\n` as `\n`; a `ValidationError({field: …})` otherwise."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise field_error(field, _("Ange text."))
    text = value.replace("\r\n", "\n").strip()
    problem = text_problem(text, multiline=multiline, max_length=max_length)
    if problem:
        raise field_error(field, problem)
    if required and not text:
        raise field_error(field, _("Fältet måste fyllas i."))
    return text


@deconstructible
class TextValidator:
    """For Django form and model fields: the same check as `clean_text` (length is the field's)."""

    def __init__(self, multiline: bool = True) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            problem = text_problem(value, multiline=self.multiline)
            if problem:
                raise ValidationError(problem, code="forbidden_character")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline


def clean_int(value: Any, *, field: str, minimum: int, maximum: int) -> int:
    """An integer typed as ASCII digits within [minimum, maximum] ('²', '1e3' and '٣' are not)."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?[0-9]{1,12}", text):
        raise field_error(field, _("Ange ett heltal."))
    number = int(text)
    if not minimum <= number <= maximum:
        raise field_error(
            field, _("Ange ett tal från %(min)s till %(max)s.") % {"min": minimum, "max": maximum}
        )
    return number


def int_param(value: Any, *, minimum: int, maximum: int) -> int | None:
    """A query-string integer, or None when it is missing or not a sane number (a filter that
    cannot apply is ignored, never a server error)."""
    if value in (None, ""):
        return None
    try:
        return clean_int(value, field="_", minimum=minimum, maximum=maximum)
    except ValidationError:
        return None


def clean_date(
    value: dt.date | None,
    *,
    field: str,
    earliest: dt.date = DATE_MIN,
    latest: dt.date = DATE_MAX,
    required: bool = True,
) -> dt.date | None:
    """A date within [earliest, latest]; the message names the allowed range."""
    if value is None:
        if required:
            raise field_error(field, _("Ange ett datum."))
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise field_error(field, _("Ange ett datum (ÅÅÅÅ-MM-DD)."))
    if not earliest <= value <= latest:
        raise field_error(
            field,
            _("Datumet måste ligga mellan %(a)s och %(b)s.")
            % {"a": earliest.isoformat(), "b": latest.isoformat()},
        )
    return value
