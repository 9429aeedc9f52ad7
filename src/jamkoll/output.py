"""Output for the command line (aligned tables, JSON and CSV from the same rows) and the web's
downloads (CSV and XLSX with formula injection neutralised), one writer for every table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError


def parse_format(value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise CommandError(f"okänt format {value!r}; välj ett av: {', '.join(allowed)}")
    return value


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return buffer.getvalue()


def to_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    headers: Sequence[str] | None = None,
    right: Sequence[str] = (),
) -> str:
    headers = list(headers or columns)
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]

    def fmt(values: Sequence[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            parts.append(value.rjust(widths[i]) if columns[i] in right else value.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(row) for row in cells]
    return "\n".join(lines)


# --- Downloads: CSV and XLSX for the web's tables and the indicator explorer ----------------------
#
# Formula injection (OWASP "CSV injection"): a text cell that begins with `=`, `+`, `-`, `@`, a tab
# or a carriage return is written with a leading apostrophe (`'=HYPERLINK(…)`), so that a
# spreadsheet shows it as text. A number is written as a number (a negative amount stays `-1.5`,
# which no spreadsheet runs); in XLSX a Decimal or an int stays a numeric cell.

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

Cell = Decimal | int | str | dt.date | None


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(value: Cell) -> str:
    """A cell as CSV text: a number in plain notation (decimal point), a date ISO, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, never an exponent: 1234.50
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def xlsx_value(value: Cell) -> Cell:
    """A cell for openpyxl: numbers and dates as they are, text neutralised."""
    if value is None or isinstance(value, Decimal | int | dt.date):
        return value
    return neutralise(str(value))


def rows_to_csv(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, preamble: Sequence[str] = ()
) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel reads å, ä, ö), comma-separated, CRLF. The
    preamble lines come first, each in the first column, then an empty row, then header and rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for text in preamble:
        writer.writerow([neutralise(text)])
    if preamble:
        writer.writerow([])
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_to_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_title: str,
    preamble: Sequence[str] = (),
) -> bytes:
    """One sheet: the preamble (first line bold), the header (bold), the rows; numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    # A sheet title may not hold []:*?/\ and is at most 31 characters.
    sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", sheet_title)[:31] or "Data")
    bold = Font(bold=True)
    for i, text in enumerate(preamble):
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        if i == 0:
            cell.font = bold
        sheet.append([cell])
    if preamble:
        sheet.append([])
    heads = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=neutralise(str(text)))
        cell.font = bold
        heads.append(cell)
    sheet.append(heads)
    for row in rows:
        sheet.append([xlsx_value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
