"""One way to page an API list (issue 15): `?limit=&offset=` with a bounded page size, answered as
`{"total": <rows in all>, "limit": …, "offset": …, "items": [...]}` (the shape the indicator lists
introduced). An endpoint takes `paging: Query[PageIn]` (or a filter schema that inherits it),
declares `response={200: Page[ItemOut], …}` and returns `page(rows, paging, item_out)`.
A list that sorts takes `sort` (a column's key, `-key` for descending: a whitelist the schema
names, so anything else is a 422) and orders its queryset with `ordered`. The database counts,
filters, sorts and slices: a page costs the same queries at 40 000 rows as at 40 (keep the
prefetches on the queryset; they run for the page's rows only).

A list with a natural small bound (the 21 counties, a decision's goal areas) may answer whole; its
schema description says so.

Lives at the package root, beside `errors.py`, so that every app's API may import it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar

from django.db.models import QuerySet
from pydantic import BaseModel, Field

from jamkoll.rows import counted_page_rows, page_rows
from jamkoll.schema_types import Offset

PAGE_MAX = 500
# The plan page's page of 50 activities: a year as the documents describe it
# (about 50 activities) comes whole, a national year one page at the same cost (issue 16).
PAGE_DEFAULT = 50

T = TypeVar("T")


class PageIn(BaseModel):
    """The page asked for: at most `PAGE_MAX` rows from `offset` (0 is the first row)."""

    limit: Annotated[
        int,
        Field(
            ge=1, le=PAGE_MAX, description=f"Högst {PAGE_MAX} rader per sida, {PAGE_DEFAULT} om inget anges."
        ),
    ] = PAGE_DEFAULT
    offset: Annotated[Offset, Field(description="Hoppa över så många rader.")] = 0


class Page(BaseModel, Generic[T]):
    """One page of a list; `total` counts every row the filters keep, not just this page's."""

    total: int
    limit: int
    offset: int
    items: list[T]


def page(
    rows: QuerySet[Any] | Sequence[Any],
    paging: PageIn,
    out: Callable[[Any], Any] | None = None,
    *,
    total: int | None = None,
) -> dict[str, Any]:
    """The page `paging` asks for of `rows` (a queryset is counted and sliced in the database),
    each row through `out` when given. `total`: the count when the caller knows it more cheaply
    (the ledger's running sums); otherwise the query that reads the page counts them too."""
    start, stop = paging.offset, paging.offset + paging.limit
    if total is None:
        total, chunk = counted_page_rows(rows, start, stop)
    else:
        chunk = page_rows(rows, start, stop)
    return {
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [out(row) for row in chunk] if out else list(chunk),
    }


def ordered(
    rows: QuerySet[Any], sort: str | None, orders: Mapping[str, Sequence[str]], default: str
) -> QuerySet[Any]:
    """`rows` sorted by the column `sort` names (`orders[key]`: its ORM terms, ascending; `-key`
    reverses them), else by `default`; the primary key last, so that pages never overlap (unless
    the last term is a unique column, which orders them fully)."""
    key = sort or default
    descending = key.startswith("-")
    terms = list(orders[key.removeprefix("-")])
    if descending:
        terms = [t[1:] if t.startswith("-") else f"-{t}" for t in terms]
    if not _unique(rows.model, terms[-1].lstrip("-")):
        terms.append("-pk" if descending else "pk")
    # A unique last term orders the rows fully already; without the key after it, an index on
    # it (the ledger's (decision, year, sequence)) gives the page in order, and the database
    # stops after one page instead of sorting every row of the year.
    return rows.order_by(*terms)


def _unique(model: Any, name: str) -> bool:
    if "__" in name:
        return False
    try:
        field = model._meta.get_field(name)
    except Exception:  # an annotation, not a field
        return False
    return bool(getattr(field, "unique", False))
