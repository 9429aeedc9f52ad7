"""The explorer's reading of a gap table: what a visitor may see (suppression), in which order, one
page at a time, and as a CSV or XLSX download. Built on `selectors.gap_table`; the views stay thin.

Suppression for the public (no "indicator.view_unsuppressed"): `selectors.suppress` over the rows,
the counties and the nation; besides, the change since the year before is left out wherever the
year before's values were hidden (else a shown gap and its change would give the hidden one away).

Downloads are written by `jamkoll.output` (one writer for every table of the site), which
neutralises formula injection: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading apostrophe (`'=…`); a number stays a number (`-1.5`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from jamkoll.output import rows_to_csv, rows_to_xlsx

from .formatting import generated_label
from .selectors import GapRow, GapTable, dec_str, suppress, suppress_threshold

PAGE_SIZE = 50

# ?sortera= → the row's value to sort by.
SORTS = ("rang", "namn", "kvinnor", "man", "totalt", "skillnad", "kvot", "forandring")


@dataclass(frozen=True)
class Line:
    """One row of the explorer's table: the organisation's figures, its county's and the change."""

    row: GapRow
    county: GapRow | None
    change: Decimal | None


@dataclass(frozen=True)
class Explorer:
    table: GapTable
    lines: list[Line]  # every row of the level (or of one county), in rank order
    national: GapRow | None
    suppressed: int  # how many rows have a hidden value
    public: bool


def suppress_one(row: GapRow | None) -> GapRow | None:
    return suppress([row])[0] if row is not None else None


def explore(*, table: GapTable, public: bool, county: str | None = None) -> Explorer:
    """The table's rows as `Line`s (only `county`'s municipalities when given), suppressed for the
    public."""
    rows = table.rows
    counties = dict(table.counties)
    national = table.national
    if public:  # `suppress` also hides a change that rests on last year's small counts
        rows = suppress(rows)
        counties = {code: suppress_one(r) or r for code, r in counties.items()}
        national = suppress_one(national)
    if county is not None:
        rows = [r for r in rows if r.county_code == county]
    lines = [
        Line(
            row=r,
            county=counties.get(r.county_code or "") if r.kind == "kommun" else None,
            change=r.change,
        )
        for r in rows
    ]
    return Explorer(
        table=table,
        lines=lines,
        national=national,
        suppressed=sum(1 for r in rows if r.suppressed),
        public=public,
    )


def _sort_value(line: Line, key: str) -> Decimal | str | int | None:
    row = line.row
    return {
        "rang": row.rank,
        "namn": row.name,
        "kvinnor": row.women,
        "man": row.men,
        "totalt": row.total,
        "skillnad": row.gap,
        "kvot": row.ratio,
        "forandring": line.change,
    }[key]


def sort_lines(lines: Sequence[Line], key: str, descending: bool) -> list[Line]:
    """Sorted by `key` (one of SORTS); rows without the value always last."""
    if key not in SORTS:
        key = "rang"
    present = [line for line in lines if _sort_value(line, key) is not None]
    missing = [line for line in lines if _sort_value(line, key) is None]
    if key == "namn":
        present.sort(key=lambda line: (line.row.name.casefold(), line.row.code), reverse=descending)
    else:
        present.sort(key=lambda line: (_sort_value(line, key), line.row.code), reverse=descending)
    return present + missing


# --- Downloads -------------------------------------------------------------------------------------


def header() -> list[str]:
    return [
        _("Kod"),
        _("Namn"),
        _("Kvinnor"),
        _("Män"),
        _("Totalt"),
        _("Skillnad K−M"),
        _("Kvot K/M"),
        _("Rang"),
        _("Förändring av skillnaden sedan föregående år"),
        _("Länet, kvinnor"),
        _("Länet, män"),
        _("Länet, skillnad K−M"),
        _("Riket, kvinnor"),
        _("Riket, män"),
        _("Riket, skillnad K−M"),
        _("Dolt (litet antal)"),
    ]


def _cells(line: Line, national: GapRow | None) -> list[Decimal | int | str | None]:
    r, c, n = line.row, line.county, national
    return [
        r.kolada_id,
        r.name,
        r.women,
        r.men,
        r.total,
        r.gap,
        r.ratio,
        r.rank,
        line.change,
        c.women if c else None,
        c.men if c else None,
        c.gap if c else None,
        n.women if n else None,
        n.men if n else None,
        n.gap if n else None,
        _("ja") if r.suppressed else "",
    ]


def preamble(explorer: Explorer, title: str) -> list[str]:
    """The lines above the table in a download: the generated label first where it applies, the
    title, the suppression rule for the public."""
    out = []
    if explorer.table.indicator.generated:
        out.append(generated_label())
    out.append(title)
    if explorer.public:
        out.append(
            _(
                "Värden bakom färre än %(n)s personer eller fall visas inte, "
                "inte heller värden som de kan räknas fram ur."
            )
            % {"n": suppress_threshold()}
        )
    return out


def _csv_cell(value: Decimal | int | str | None) -> int | str | None:
    """A Decimal with the decimals its source gave (`dec_str`); the rest as `jamkoll.output` writes it."""
    return dec_str(value) if isinstance(value, Decimal) else value


def to_csv(explorer: Explorer, title: str) -> bytes:
    """`jamkoll.output.rows_to_csv`: decimal point (`selectors.dec_str`, as the API and the CLI),
    the preamble rows first."""
    rows = ([_csv_cell(v) for v in _cells(line, explorer.national)] for line in explorer.lines)
    return rows_to_csv(header(), rows, preamble=preamble(explorer, title))


def to_xlsx(explorer: Explorer, title: str) -> bytes:
    """`jamkoll.output.rows_to_xlsx`: the preamble, the header (bold), the rows; numbers as numbers."""
    rows = (_cells(line, explorer.national) for line in explorer.lines)
    return rows_to_xlsx(header(), rows, sheet_title=_("Nyckeltal"), preamble=preamble(explorer, title))


def rows_with_gap(lines: Iterable[Line]) -> list[Line]:
    return [line for line in lines if line.row.gap is not None]


def with_rows(explorer: Explorer, lines: list[Line]) -> Explorer:
    return replace(explorer, lines=lines)
