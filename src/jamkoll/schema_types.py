"""Bounded types for pydantic schemas (the API, the data documents): the checks of
`jamkoll.validation` in annotated form, so that a schema declares every bound."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from jamkoll.validation import DATE_MAX, DATE_MIN, LONG, REASON, SHORT, YEAR_MAX, YEAR_MIN, text_problem


def _checked(multiline: bool) -> AfterValidator:
    def check(value: str) -> str:
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise ValueError(problem)
        return value.replace("\r\n", "\n")

    return AfterValidator(check)


# Use these aliases in schemas (`reference: ShortText`), so mypy sees a plain `str`.
Code = Annotated[str, StringConstraints(max_length=40, strip_whitespace=True), _checked(False)]
ShortText = Annotated[str, StringConstraints(max_length=SHORT, strip_whitespace=True), _checked(False)]
ReasonText = Annotated[str, StringConstraints(max_length=REASON, strip_whitespace=True), _checked(False)]
LongText = Annotated[str, StringConstraints(max_length=LONG, strip_whitespace=True), _checked(True)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
ApiDate = Annotated[dt.date, Field(ge=DATE_MIN, le=DATE_MAX)]
Offset = Annotated[int, Field(ge=0, le=1_000_000)]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]


class ErrorOut(BaseModel):
    """The one error body of every API endpoint (`jamkoll.api` makes it from the exceptions)."""

    detail: str
    errors: dict[str, list[str]] = {}


# For an operation's `response=`: `{201: EntryOut, **ERRORS}` documents the error body. 400 is the
# site's answer to a path or query carrying a control character (web.middleware), before any view.
ERRORS: dict[int, type[BaseModel]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
