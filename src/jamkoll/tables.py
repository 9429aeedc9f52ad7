"""One table toolkit for every list of the site: sorting, paging and downloads read from the query
string the same way everywhere, so that a filter, a sort and a page survive each other's links.

- Sorting: `?sortera=<column key>&ordning=fallande`; only the columns declared sortable (a
  whitelist: anything else falls back to the default sort, never a server error).
- Paging: `?sida=N` (clamped to the pages there are; nonsense means page 1), `?sida=alla` only
  where the whole list is small (`show_all_max`).
- Downloads: `?format=csv` or `?format=xlsx` gives the same filtered, sorted rows, every page, as a
  file written by `jamkoll.output` (formula injection neutralised, numbers as numbers).

A view builds its filtered QuerySet (or list) itself, then calls `table_from_request`; the template
draws `web/_table_head.html` and `web/_table_pager.html`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jamkoll.output import Cell, rows_to_csv, rows_to_xlsx
from jamkoll.rows import counted_page_rows, page_rows
from jamkoll.validation import int_param

SORT = "sortera"
DIRECTION = "ordning"
DESCENDING = "fallande"
PAGE = "sida"
ALL = "alla"
FORMAT = "format"
FORMATS = ("csv", "xlsx")
PARAM_MAX = 40  # a query-string value longer than this is not one of ours


@dataclass(frozen=True)
class Column:
    """A column of a table. `key` is its `?sortera=` value; `order` the ORM terms that sort a
    QuerySet by it ascending, or a key function for a list; neither: not sortable."""

    key: str
    label: Any
    order: Sequence[Any] | Callable[[Any], Any] = ()
    css: str = ""

    @property
    def sortable(self) -> bool:
        return bool(self.order)


@dataclass
class Header:
    label: Any
    css: str
    href: str = ""
    aria_sort: str = ""


@dataclass
class Table:
    page: Page
    headers: list[Header]
    sort: str
    descending: bool
    total: int
    showing_all: bool
    all_href: str = ""
    previous_href: str = ""
    next_href: str = ""
    csv_href: str = ""
    xlsx_href: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)


def _param(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name, "")
    return value if len(value) <= PARAM_MAX else ""


def link(request: HttpRequest, fragment: str = "", **changes: Any) -> str:
    """The current page's query string with `changes` applied (None removes a parameter); the
    download parameter is never carried over."""
    query = request.GET.copy()
    query.pop(FORMAT, None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = str(value)
    text = query.urlencode()
    return ("?" + text if text else request.path) + (f"#{fragment}" if fragment else "")


def _reverse(term: Any) -> Any:
    if isinstance(term, str):
        return term[1:] if term.startswith("-") else "-" + term
    if isinstance(term, OrderBy):
        flipped = copy.copy(term)
        flipped.reverse_ordering()
        return flipped
    return term.desc()


def sort_of(
    request: HttpRequest, columns: Sequence[Column], default: str, *, default_descending: bool = False
) -> tuple[Column, bool]:
    """The column to sort by (a whitelisted key, else `default` in its default direction) and
    whether descending."""
    by_key = {c.key: c for c in columns if c.sortable}
    asked = by_key.get(_param(request, SORT))
    if asked is None:
        return by_key[default], default_descending
    return asked, _param(request, DIRECTION) == DESCENDING


def sorted_items(items: QuerySet[Any] | Iterable[Any], column: Column, descending: bool) -> Any:
    order = column.order
    if isinstance(items, QuerySet):
        assert not callable(order)
        terms = list(order)
        return items.order_by(*(_reverse(t) for t in terms) if descending else terms)
    assert callable(order)
    return sorted(items, key=order, reverse=descending)


class CountedPaginator(Paginator):
    """A paginator told how many items there are, so that it does not count them again; a page's
    rows are read by `page_rows`, unless the caller read them already (`read`: page number -> rows)."""

    def __init__(
        self, object_list: Any, per_page: int, *, count: int, read: dict[int, list[Any]] | None = None
    ) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count
        self._read = read or {}

    @cached_property
    def count(self) -> int:
        return self._known_count

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if number in self._read:
            return Page(self._read[number], number, self)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(page_rows(self.object_list, bottom, top), number, self)


def _counted_page(ordered: QuerySet[Any], number: int, page_size: int) -> tuple[int, int, list[Any]]:
    """(all rows, the page number shown, its rows): the asked page read with the count in the same
    query (`counted_page_rows`); a page past the end shows the last one, as `Paginator.get_page` does."""
    total, rows = counted_page_rows(ordered, (number - 1) * page_size, number * page_size)
    if not rows and number > 1:
        number = max(1, -(-total // page_size))
        rows = page_rows(ordered, (number - 1) * page_size, number * page_size) if total else []
    return total, number, list(rows)


def table_from_request(
    request: HttpRequest,
    items: QuerySet[Any] | Iterable[Any],
    columns: Sequence[Column],
    *,
    default_sort: str,
    page_size: int = 25,
    show_all_max: int = 0,
    fragment: str = "",
    sort: tuple[Column, bool] | None = None,
    default_descending: bool = False,
    total: int | None = None,
) -> Table:
    """Sort (unless `sort` says it is done) and page `items` as the query string asks. `total`:
    the number of items when the caller knows it more cheaply than a COUNT (the ledger's running
    sums); otherwise the database counts them, once."""
    column, descending = sort or sort_of(
        request, columns, default_sort, default_descending=default_descending
    )
    ordered = items if sort is not None else sorted_items(items, column, descending)
    if not isinstance(ordered, QuerySet):
        ordered = list(ordered)
    asked = _param(request, PAGE)
    number = int_param(asked, minimum=1, maximum=1_000_000) or 1
    read: dict[int, list[Any]] = {}
    if total is None and isinstance(ordered, QuerySet) and asked != ALL:
        # One query for the page and the count, not a COUNT and then the page.
        total, number, read[number] = _counted_page(ordered, number, page_size)
    elif total is None:
        total = ordered.count() if isinstance(ordered, QuerySet) else len(ordered)
    showing_all = asked == ALL and 0 < total <= show_all_max
    per_page = max(total, 1) if showing_all else page_size
    paginator = CountedPaginator(ordered, per_page, count=total, read=read)
    page = paginator.get_page(min(number, paginator.num_pages))
    headers = []
    for c in columns:
        header = Header(c.label, c.css)
        if c.sortable:
            current = c.key == column.key
            flip = DESCENDING if current and not descending else None
            header.href = link(request, fragment, **{SORT: c.key, DIRECTION: flip, PAGE: None})
            if current:
                header.aria_sort = "descending" if descending else "ascending"
        headers.append(header)
    table = Table(
        page=page,
        headers=headers,
        sort=column.key,
        descending=descending,
        total=total,
        showing_all=showing_all,
    )
    if page.has_previous():
        table.previous_href = link(request, fragment, **{PAGE: page.previous_page_number()})
    if page.has_next():
        table.next_href = link(request, fragment, **{PAGE: page.next_page_number()})
    if not showing_all and paginator.num_pages > 1 and total <= show_all_max:
        table.all_href = link(request, fragment, **{PAGE: ALL})
    table.csv_href = link(request, format="csv", sida=None)
    table.xlsx_href = link(request, format="xlsx", sida=None)
    return table


def export_format(request: HttpRequest) -> str | None:
    """`csv` or `xlsx` when the query string asks for a download, else None."""
    value = _param(request, FORMAT)
    return value if value in FORMATS else None


def export_response(
    fmt: str,
    *,
    name: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Cell]],
    preamble: Sequence[str] = (),
) -> HttpResponse:
    """A download of `rows` as CSV or XLSX; the file is named after `name` and today's date."""
    stem = f"{slugify(name) or 'jamkoll'}-{timezone.localdate().isoformat()}"
    head = [str(h) for h in header]
    if fmt == "xlsx":
        body = rows_to_xlsx(head, rows, sheet_title=str(name), preamble=preamble)
        response = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(
            rows_to_csv(head, rows, preamble=preamble), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_label() -> str:
    return _("Ladda ner")
