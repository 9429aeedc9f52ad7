"""Reading key-figure files: Kolada's JSON (API version 3, and version 2), long-format CSV and XLSX,
and Kolada's KPI catalogue.

Every reader streams: a file is read in pieces (ijson's C parser for JSON, `csv` over an
incrementally decoded stream, openpyxl in read-only mode), so memory stays flat whatever the size.
Each observation is checked as it is read (`Checker`) and handed to a `Stage` (`staging.py`), which
writes it in bulk to a temporary table; nothing touches the observations until the whole file has
been read without a problem. A problem does not stop the reading: every problem is collected (the
first `PROBLEM_LIMIT`, and how many more) with where it is — `rad 12` in a CSV or XLSX file, the JSON
path `$.values[3].values[1].gender` in a Kolada document — so that the user can mend them all at
once.

Organisations and indicators are looked up in dictionaries made once per import (`codes.org_index`),
never a query per row. An indicator met in a data file but missing from the catalogue gets a
provisional (negative) id here; the merge creates it, with its id as its title, flagged
`provisional` for an analyst.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import math
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import ijson
from django.utils.translation import gettext as _

from jamkoll.validation import text_problem

from .codes import kolada_org
from .models import CODE_MAX, PERIOD_MAX, PERIOD_MIN, VALUE_DECIMAL_PLACES, VALUE_LIMIT

PROBLEM_LIMIT = 1000
NEW_INDICATORS_MAX = 10_000  # provisional indicators one file may create (Kolada has about 6 000)
STATUS_MAX = 40
COUNT_MAX = 2**31 - 1
ORG_MAX = 20
QUANTUM = Decimal(1).scaleb(-VALUE_DECIMAL_PLACES)  # 0.000001
_LIMIT = Decimal(VALUE_LIMIT)
_KPI = re.compile(rf"[A-Za-z0-9_-]{{1,{CODE_MAX}}}")
log = logging.getLogger(__name__)
GENDERS = frozenset({"T", "K", "M"})

# A staged observation: indicator id (negative: provisional), organisation id, period, gender,
# value (a decimal string or None), count, status, line (CSV/XLSX line, or the index in $.values).
StagedRow = tuple[int, int, int, str, str | None, int | None, str, int]
Progress = Callable[[int], None]


class Refused(Exception):
    """The file as a whole is refused; `problems` says why, each with where it is."""

    def __init__(self, problems: list[dict[str, str]], more: int = 0) -> None:
        super().__init__(f"{len(problems) + more} problem")
        self.problems = problems
        self.more = more


def show(value: Any, limit: int = 20) -> str:
    """A value as a message may quote it: short, on one line, control characters escaped."""
    text = str(value)
    short = text[:limit] + ("…" if len(text) > limit else "")
    return repr(short)


# --- single values -------------------------------------------------------------------------


def parse_value(raw: Any) -> Decimal | None:
    """A value as stored: `Decimal` rounded half-even to six decimals, None for an empty cell or
    JSON null. `ValueError` with the user's message for anything else: text that is not a number,
    NaN, infinities, |value| >= 10^14. A decimal comma is accepted (`12,5`)."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, bool):
        raise ValueError(_("inte ett tal: %(value)s") % {"value": show(raw)})
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(_("inte ett ändligt tal: %(value)s") % {"value": show(raw)})
        number = Decimal(repr(raw))
    elif isinstance(raw, str):
        parsed = _parse_text(raw)
        if parsed is None:
            return None
        number = parsed
    else:
        raise ValueError(_("inte ett tal: %(value)s") % {"value": show(raw)})
    if not number.is_finite():
        raise ValueError(_("inte ett ändligt tal: %(value)s") % {"value": show(raw)})
    if abs(number) >= _LIMIT:
        raise ValueError(_("för stort värde %(value)s (högst 10^14 till beloppet)") % {"value": show(raw)})
    if number.as_tuple().exponent < -VALUE_DECIMAL_PLACES:  # type: ignore[operator]
        number = number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
        if abs(number) >= _LIMIT:  # 99999999999999.9999999 rounds up to the limit
            raise ValueError(
                _("för stort värde %(value)s (högst 10^14 till beloppet)") % {"value": show(raw)}
            )
    return number


def _parse_text(raw: str) -> Decimal | None:
    """A number written as text: `12.5`, `12,5` (a decimal comma), `−3` (U+2212); None if empty."""
    text = raw.strip()
    if not text:
        return None
    if len(text) > 60 or "_" in text:
        raise ValueError(_("inte ett tal: %(value)s") % {"value": show(raw)})
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    text = text.replace("\u2212", "-")
    if not text.isascii():
        raise ValueError(_("inte ett tal: %(value)s") % {"value": show(raw)})
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(_("inte ett tal: %(value)s") % {"value": show(raw)}) from None


def value_text(number: Decimal | None) -> str | None:
    """The decimal as the staging table takes it: fixed-point, never an exponent."""
    if number is None:
        return None
    return format(number, "f")


def parse_period(raw: Any) -> int:
    if type(raw) is int and PERIOD_MIN <= raw <= PERIOD_MAX:
        return raw
    if isinstance(raw, bool):
        raise ValueError(_("ogiltigt år %(value)s") % {"value": show(raw)})
    if isinstance(raw, int):
        year = raw
    elif isinstance(raw, (Decimal, float)):
        # Compared before `int()`: converting `1E+999999` to an integer takes the worker seconds.
        finite = raw.is_finite() if isinstance(raw, Decimal) else math.isfinite(raw)
        if not (finite and PERIOD_MIN <= raw <= PERIOD_MAX):
            raise ValueError(_("ogiltigt år %(value)s") % {"value": show(raw)})
        try:
            year = int(raw)
        except (ValueError, OverflowError, InvalidOperation):
            raise ValueError(_("ogiltigt år %(value)s") % {"value": show(raw)}) from None
        if year != raw:
            raise ValueError(_("ogiltigt år %(value)s") % {"value": show(raw)})
    elif isinstance(raw, str):
        text = raw.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            raise ValueError(_("ogiltigt år %(value)s (ange ÅÅÅÅ)") % {"value": show(raw)})
        year = int(text)
    else:
        raise ValueError(_("ogiltigt år %(value)s") % {"value": show(raw)})
    if not PERIOD_MIN <= year <= PERIOD_MAX:
        raise ValueError(
            _("året %(year)s ligger utanför %(min)s–%(max)s")
            % {"year": year, "min": PERIOD_MIN, "max": PERIOD_MAX}
        )
    return year


def parse_count(raw: Any) -> int | None:
    if type(raw) is int and 0 <= raw <= COUNT_MAX:
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(_("ogiltigt antal %(value)s") % {"value": show(raw)})
    try:
        if isinstance(raw, str):
            text = raw.strip()
            if len(text) > 20:
                raise ValueError
            number = Decimal(text.replace(",", "."))
        elif isinstance(raw, (int, Decimal)):
            number = Decimal(raw)
        elif isinstance(raw, float) and math.isfinite(raw):
            number = Decimal(repr(raw))
        else:
            raise ValueError
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError
    except (ValueError, InvalidOperation):
        raise ValueError(_("ogiltigt antal %(value)s (ange ett heltal)") % {"value": show(raw)}) from None
    # Compared before `int()`: converting `1E+999999` to an integer takes the worker seconds.
    if not 0 <= number <= COUNT_MAX:
        raise ValueError(
            _("antalet %(value)s ligger utanför 0–%(max)s")
            % {"value": number if number.adjusted() < 20 else show(raw), "max": COUNT_MAX}
        )
    return int(number)


def parse_status(raw: Any) -> str:
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str):
        raise ValueError(_("ogiltig status %(value)s") % {"value": show(raw)})
    text = raw.strip()
    problem = text_problem(text, multiline=False, max_length=STATUS_MAX)
    if problem:
        raise ValueError(problem)
    return text


def parse_kpi(raw: Any) -> str:
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    text = raw.strip()
    if not _KPI.fullmatch(text):
        if not text:
            raise ValueError(_("nyckeltalets id saknas"))
        raise ValueError(
            _("ogiltigt nyckeltals-id %(value)s (högst %(max)s tecken A–Z, 0–9, _ och -)")
            % {"value": show(text), "max": CODE_MAX}
        )
    return text


# --- checking rows -------------------------------------------------------------------------


@dataclass
class Checker:
    """Checks observations against the organisations and the catalogue, collects the problems and
    hands good rows to `sink`. `indicators` maps a code to its id; a code not there gets a new
    negative id (provisional), remembered in `new_indicators`."""

    orgs: dict[tuple[str, str], int]
    indicators: dict[str, int]
    sink: Callable[[StagedRow], None]
    allow_county: bool = True
    problems: list[dict[str, str]] = field(default_factory=list)
    more: int = 0
    rows: int = 0
    new_indicators: dict[str, int] = field(default_factory=dict)
    new_divided: set[int] = field(default_factory=set)
    _org_ids: dict[str, int] = field(default_factory=dict)
    _kpi_ids: dict[str, int] = field(default_factory=dict)

    def problem(self, where: str, column: str, message: str) -> None:
        if len(self.problems) < PROBLEM_LIMIT:
            self.problems.append({"where": where, "field": column, "message": str(message)})
        else:
            self.more += 1

    def line_problem(self, line: int, column: str, message: str) -> None:
        self.problem(_("rad %(n)s") % {"n": line}, column, message)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def indicator(self, raw: Any) -> int:
        """The indicator's id for a code as the file writes it; ValueError for a malformed one."""
        pk = self._kpi_ids.get(raw) if isinstance(raw, str) else None
        if pk is not None:
            return pk
        code = parse_kpi(raw)
        pk = self.indicators.get(code)
        if pk is None:
            pk = self.new_indicators.get(code)
            if pk is None:
                if len(self.new_indicators) >= NEW_INDICATORS_MAX:
                    raise ValueError(
                        _("fler än %(n)s nyckeltal som saknas i katalogen; läs in katalogen först")
                        % {"n": NEW_INDICATORS_MAX}
                    )
                pk = -(len(self.new_indicators) + 1)
                self.new_indicators[code] = pk
        if isinstance(raw, str):
            self._kpi_ids[raw] = pk
        return pk

    def organisation(self, raw: Any) -> int:
        pk = self._org_ids.get(raw) if isinstance(raw, str) else None
        if pk is not None:
            return pk
        if raw is None or isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise ValueError(_("organisationens id saknas eller är inte text"))
        text = str(raw)
        if len(text) > ORG_MAX:
            raise ValueError(_("för långt organisations-id %(value)s") % {"value": show(text)})
        key = kolada_org(text, allow_county=self.allow_county)
        pk = self.orgs.get(key)
        if pk is None:
            raise ValueError(_("okänd organisation %(value)s") % {"value": show(text)})
        if isinstance(raw, str):
            self._org_ids[raw] = pk
        return pk

    def known_indicator_ids(self) -> list[int]:
        """The catalogued indicators the file has values for."""
        return sorted({pk for pk in self._kpi_ids.values() if pk > 0})

    def add(self, row: StagedRow) -> None:
        self.rows += 1
        if row[0] < 0 and row[3] != "T":
            self.new_divided.add(row[0])
        self.sink(row)  # after a problem too: a key twice is found among the rest


# --- progress -------------------------------------------------------------------------------


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read and reports the percentage as it grows."""

    def __init__(self, raw: IO[bytes], size: int, progress: Progress | None, share: int = 90) -> None:
        self.raw = raw
        self.size = max(size, 1)
        self.read_bytes = 0
        self.progress = progress
        self.share = share
        self.reported = -1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self._count(n or 0)
        return n or 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self._count(len(data))
        return data

    def _count(self, n: int) -> None:
        self.read_bytes += n
        if self.progress is not None:
            percent = min(self.share, self.share * self.read_bytes // self.size)
            if percent > self.reported:
                self.reported = percent
                self.progress(percent)


# --- Kolada JSON ----------------------------------------------------------------------------


def json_error(exc: Exception, reader: CountingReader) -> dict[str, str]:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return {
        "where": _("byte %(pos)s") % {"pos": reader.read_bytes},
        "field": "",
        "message": _("filen är inte giltig JSON eller är avkortad (%(detail)s); inget importerades")
        % {"detail": detail},
    }


def read_kolada(path: str, checker: Checker, progress: Progress | None = None) -> None:
    """Kolada's data document(s), version 3 or 2: `{"values": [{"kpi", "municipality", "period",
    "values": [{"gender", "count", "status", "value", "isdeleted"|"is_deleted"}]}], …}`. Several
    documents one after another (pages, as the API client writes them) are read as one list."""
    size = os.path.getsize(path)
    blocks = 0
    with open(path, "rb") as handle:
        reader = CountingReader(handle, size, progress)
        try:
            items = ijson.items(reader, "values.item", multiple_values=True)
            for index, block in enumerate(items):
                blocks += 1
                _kolada_block(checker, index, block)
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as exc:
            problem = json_error(exc, reader)
            checker.problem(problem["where"], problem["field"], problem["message"])
            return
    if blocks == 0:
        checker.problem(
            "$.values", "values", _("filen innehåller inga värden ($.values saknas eller är tom)")
        )


def _kolada_block(checker: Checker, index: int, block: Any) -> None:
    path = f"$.values[{index}]"
    if not isinstance(block, dict):
        checker.problem(path, "", _("väntade ett objekt med kpi, municipality, period och values"))
        return
    bad = False
    try:
        indicator = checker.indicator(block.get("kpi"))
    except ValueError as exc:
        checker.problem(path + ".kpi", "kpi", str(exc))
        bad = True
    try:
        organisation = checker.organisation(block.get("municipality"))
    except ValueError as exc:
        checker.problem(path + ".municipality", "municipality", str(exc))
        bad = True
    try:
        period = parse_period(block.get("period"))
    except ValueError as exc:
        checker.problem(path + ".period", "period", str(exc))
        bad = True
    values = block.get("values")
    if not isinstance(values, list):
        checker.problem(path + ".values", "values", _("väntade en lista med värden per kön"))
        return
    seen: set[str] = set()
    for j, entry in enumerate(values):
        if not isinstance(entry, dict):
            checker.problem(
                f"{path}.values[{j}]", "", _("väntade ett objekt med gender, value, count och status")
            )
            bad = True
            continue
        gender = entry.get("gender")
        if not isinstance(gender, str) or gender not in GENDERS:  # a list or an object is not hashable
            checker.problem(
                f"{path}.values[{j}].gender",
                "gender",
                _("ogiltigt kön %(value)s (ange T, K eller M)") % {"value": show(gender)},
            )
            bad = True
            continue
        if gender in seen:
            checker.problem(
                f"{path}.values[{j}].gender", "gender", _("könet %(g)s förekommer två gånger") % {"g": gender}
            )
            bad = True
            continue
        seen.add(gender)
        deleted = entry.get("isdeleted", entry.get("is_deleted", False))
        if deleted not in (True, False, None, 0, 1):
            checker.problem(f"{path}.values[{j}].isdeleted", "isdeleted", _("väntade true eller false"))
            bad = True
        raw = entry.get("value")
        try:
            value = None if deleted else parse_value(raw)
        except ValueError as exc:
            checker.problem(f"{path}.values[{j}].value", "value", str(exc))
            bad = True
            value = None
        try:
            count = parse_count(entry.get("count"))
        except ValueError as exc:
            checker.problem(f"{path}.values[{j}].count", "count", str(exc))
            bad = True
            count = None
        try:
            status = parse_status(entry.get("status"))
        except ValueError as exc:
            checker.problem(f"{path}.values[{j}].status", "status", str(exc))
            bad = True
            status = ""
        if not bad:
            checker.add((indicator, organisation, period, gender, value_text(value), count, status, index))


# --- CSV and XLSX ---------------------------------------------------------------------------

REQUIRED_COLUMNS = ("kpi", "organisation", "period", "gender", "value")
OPTIONAL_COLUMNS = ("count", "status")


def _columns(header: list[Any], checker: Checker, where: str) -> dict[str, int] | None:
    names = [("" if h is None else str(h)).strip().lstrip("\ufeff").lower() for h in header]
    index: dict[str, int] = {}
    ok = True
    for i, name in enumerate(names):
        if name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS:
            if name in index:
                checker.problem(where, name, _("kolumnen %(name)s förekommer två gånger") % {"name": name})
                ok = False
            index[name] = i
        elif name:
            checker.problem(
                where,
                show(name),
                _("okänd kolumn %(name)s (tillåtna: %(cols)s)")
                % {"name": show(name), "cols": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)},
            )
            ok = False
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        checker.problem(
            where,
            ", ".join(missing),
            _("kolumner saknas: %(cols)s (rubrikraden ska vara kpi,organisation,period,gender,value)")
            % {"cols": ", ".join(missing)},
        )
        ok = False
    return index if ok else None


def _table_row(checker: Checker, line: int, cells: list[Any] | tuple[Any, ...], cols: dict[str, int]) -> None:
    width = len(cells)
    bad = False

    def cell(name: str) -> Any:
        i = cols.get(name)
        return cells[i] if i is not None and i < width else None

    try:
        indicator = checker.indicator(cell("kpi"))
    except ValueError as exc:
        checker.line_problem(line, "kpi", str(exc))
        bad = True
    try:
        raw_org = cell("organisation")
        if isinstance(raw_org, (int, float)) and not isinstance(raw_org, bool):
            raw_org = _excel_org(raw_org)
        organisation = checker.organisation(raw_org.strip() if isinstance(raw_org, str) else raw_org)
    except ValueError as exc:
        checker.line_problem(line, "organisation", str(exc))
        bad = True
    try:
        period = parse_period(cell("period"))
    except ValueError as exc:
        checker.line_problem(line, "period", str(exc))
        bad = True
    raw_gender = cell("gender")
    gender = (
        raw_gender
        if raw_gender in GENDERS
        else raw_gender.strip().upper()
        if isinstance(raw_gender, str)
        else ""
    )
    if gender not in GENDERS:
        checker.line_problem(
            line, "gender", _("ogiltigt kön %(value)s (ange T, K eller M)") % {"value": show(raw_gender)}
        )
        bad = True
    try:
        value = parse_value(cell("value"))
    except ValueError as exc:
        checker.line_problem(line, "value", str(exc))
        bad = True
        value = None
    count: int | None = None
    if "count" in cols:
        try:
            count = parse_count(cell("count"))
        except ValueError as exc:
            checker.line_problem(line, "count", str(exc))
            bad = True
    status = ""
    if "status" in cols:
        try:
            status = parse_status(cell("status"))
        except ValueError as exc:
            checker.line_problem(line, "status", str(exc))
            bad = True
    if not bad:
        checker.add((indicator, organisation, period, gender, value_text(value), count, status, line))


def _excel_org(number: float | int) -> str:
    """An organisation id that Excel turned into a number (`580` for `0580`)."""
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(_("ogiltigt organisations-id %(value)s") % {"value": show(number)})
        number = int(number)
    if 100 <= number <= 9999:
        return f"{number:04d}"
    raise ValueError(
        _("organisations-id %(value)s är ett tal; skriv det som text med inledande nollor (0580, 0012, 12)")
        % {"value": show(number)}
    )


def detect_encoding(path: str) -> str:
    """utf-8-sig when the file decodes as UTF-8, else cp1252 when it decodes as Windows-1252; a
    `Refused` naming the byte where neither could read it. Reads the file once, in pieces."""
    failed_at: dict[str, int] = {}
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        offset = 0
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            failed_at[encoding] = offset + exc.start
            continue
        return encoding
    raise Refused(
        [
            {
                "where": _("byte %(pos)s") % {"pos": failed_at.get("utf-8-sig", 0)},
                "field": "",
                "message": _(
                    "filen kan inte läsas: den är varken UTF-8 eller Windows-1252 (spara som CSV UTF-8)"
                ),
            }
        ]
    )


def sniff_delimiter(first_line: str) -> str:
    semicolons, commas, tabs = first_line.count(";"), first_line.count(","), first_line.count("\t")
    if semicolons >= max(commas, 1) and semicolons >= tabs:
        return ";"
    if tabs > commas:
        return "\t"
    return ","


def read_csv(path: str, checker: Checker, progress: Progress | None = None) -> None:
    """Long-format CSV: `kpi,organisation,period,gender,value[,count][,status]`. Swedish Excel's
    semicolons, decimal commas and Windows-1252 are recognised; a BOM is skipped."""
    encoding = detect_encoding(path)
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        counting = CountingReader(handle, size, progress)
        buffered = io.BufferedReader(counting, buffer_size=1 << 16)
        text = io.TextIOWrapper(buffered, encoding=encoding, newline="")
        first = text.readline()
        delimiter = sniff_delimiter(first)
        lines = _chain_first(first, text)
        reader = csv.reader(lines, delimiter=delimiter, strict=False)
        try:
            header = next(reader, None)
            if header is None:
                checker.problem(_("rad 1"), "", _("filen är tom"))
                return
            cols = _columns(header, checker, _("rad 1"))
            if cols is None:
                return
            width = len(header)
            for cells in reader:
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                line = reader.line_num
                if len(cells) != width:
                    checker.problem(
                        _("rad %(n)s") % {"n": line},
                        "",
                        _("%(n)s fält, rubrikraden har %(w)s") % {"n": len(cells), "w": width},
                    )
                    continue
                _table_row(checker, line, cells, cols)
        except csv.Error as exc:
            checker.problem(
                _("rad %(n)s") % {"n": max(reader.line_num, 2)},
                "",
                _("raden kan inte läsas som CSV (%(detail)s); inget importerades")
                % {"detail": str(exc)[:200]},
            )


def _chain_first(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


# What a broken workbook raises while its rows are read: XML that is not well-formed, a part the
# archive lacks or cannot inflate, a cell openpyxl cannot convert.
XLSX_BROKEN: tuple[type[Exception], ...] = (
    ParseError,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
)


class _BrokenSheet(Exception):
    """The sheet could not be read at `line` (openpyxl reads its XML as the rows are asked for:
    a part that is not well-formed or missing is found then, after `load_workbook` accepted it)."""

    def __init__(self, line: int, cause: Exception) -> None:
        super().__init__(str(cause))
        self.line = line


def _sheet_rows(rows: Iterator[Any], first: int) -> Iterator[tuple[int, Any]]:
    """(row number, cells) of the sheet from row `first`, a row that cannot be read raising
    `_BrokenSheet` with its number: only the reading is caught, not what is done with a row."""
    line = first
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except XLSX_BROKEN as exc:
            raise _BrokenSheet(line, exc) from exc
        yield line, cells
        line += 1


def read_xlsx(path: str, checker: Checker, progress: Progress | None = None) -> None:
    """The first sheet of a workbook, with the CSV's columns in its first row."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    def broken(where: str, exc: Exception) -> None:
        log.info("XLSX kunde inte läsas (%s): %s", where or "filen", exc)
        checker.problem(
            where, "", _("filen kan inte läsas som Excel-arbetsbok (XLSX): %(d)s") % {"d": show(exc, 200)}
        )

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *XLSX_BROKEN) as exc:
        broken("", exc)
        return
    try:
        _xlsx_rows(workbook, checker, progress)
    except _BrokenSheet as exc:
        broken(_("rad %(n)s") % {"n": exc.line}, exc)
    finally:
        workbook.close()


def _xlsx_rows(workbook: Any, checker: Checker, progress: Progress | None) -> None:
    if not workbook.worksheets:
        checker.problem("", "", _("arbetsboken har inga arbetsblad"))
        return
    sheet = workbook.worksheets[0]
    total = sheet.max_row or 0
    rows = _sheet_rows(sheet.iter_rows(values_only=True), 1)
    first = next(rows, None)
    if first is None:
        checker.problem(_("rad 1"), "", _("arbetsbladet är tomt"))
        return
    cols = _columns(list(first[1]), checker, _("rad 1"))
    if cols is None:
        return
    reported = -1
    for line, cells in rows:
        if not all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            _table_row(checker, line, cells, cols)
        if progress is not None and total:
            percent = min(90, 90 * line // total)
            if percent > reported:
                reported = percent
                progress(percent)


READERS: dict[str, Callable[[str, Checker, Progress | None], None]] = {
    "kolada": read_kolada,
    "api": read_kolada,
    "csv": read_csv,
    "xlsx": read_xlsx,
}


def guess_format(path: str) -> str:
    """kolada, csv or xlsx from the name, else from the first bytes."""
    name = path.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    if name.endswith(".json"):
        return "kolada"
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "kolada"
    return "csv"


# --- the catalogue --------------------------------------------------------------------------


@dataclass
class CatalogueEntry:
    code: str
    title: str
    description: str
    divided_by_gender: bool
    municipality_type: str
    operating_area: str
    perspective: str
    publication_date: Any  # dt.date | None
    index: int = 0  # in $.values


def _text(entry: dict[str, Any], key: str, limit: int, *, multiline: bool = False) -> str:
    raw = entry.get(key)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError(_("väntade text"))
    text = raw.strip()
    problem = text_problem(text, multiline=multiline, max_length=limit)
    if problem:
        raise ValueError(problem)
    return text


def read_catalogue(
    path: str, problems: Checker, progress: Progress | None = None
) -> Iterator[CatalogueEntry]:
    """Kolada's `/v3/kpi` document(s): one entry per KPI, problems collected in `problems`."""
    import datetime as dt

    size = os.path.getsize(path)
    count = 0
    with open(path, "rb") as handle:
        reader = CountingReader(handle, size, progress)
        try:
            for index, entry in enumerate(ijson.items(reader, "values.item", multiple_values=True)):
                count += 1
                where = f"$.values[{index}]"
                if not isinstance(entry, dict):
                    problems.problem(where, "", _("väntade ett objekt med id och title"))
                    continue
                fields: dict[str, Any] = {}
                bad = False
                checks: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
                    ("id", lambda e: parse_kpi(e.get("id"))),
                    ("title", lambda e: _text(e, "title", 500)),
                    ("description", lambda e: _text(e, "description", 10000, multiline=True)),
                    ("municipality_type", lambda e: _text(e, "municipality_type", 10)),
                    ("operating_area", lambda e: _text(e, "operating_area", 500)),
                    ("perspective", lambda e: _text(e, "perspective", 200)),
                    ("publication_date", lambda e: _text(e, "publication_date", 30)),
                ]
                for key, check in checks:
                    try:
                        fields[key] = check(entry)
                    except ValueError as exc:
                        problems.problem(f"{where}.{key}", key, str(exc))
                        bad = True
                if not bad and not fields["title"]:
                    problems.problem(f"{where}.title", "title", _("titel saknas"))
                    bad = True
                divided = entry.get("is_divided_by_gender", False)
                if divided not in (True, False, 0, 1, None):
                    problems.problem(
                        f"{where}.is_divided_by_gender", "is_divided_by_gender", _("väntade true eller false")
                    )
                    bad = True
                published = None
                if not bad and fields["publication_date"]:
                    try:
                        published = dt.date.fromisoformat(fields["publication_date"][:10])
                    except ValueError:
                        problems.problem(
                            f"{where}.publication_date",
                            "publication_date",
                            _("ogiltigt datum (ange ÅÅÅÅ-MM-DD)"),
                        )
                        bad = True
                if bad:
                    continue
                problems.rows += 1
                yield CatalogueEntry(
                    code=fields["id"],
                    title=fields["title"],
                    description=fields["description"],
                    divided_by_gender=bool(divided),
                    municipality_type=fields["municipality_type"],
                    operating_area=fields["operating_area"],
                    perspective=fields["perspective"],
                    publication_date=published,
                    index=index,
                )
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as exc:
            problem = json_error(exc, reader)
            problems.problem(problem["where"], problem["field"], problem["message"])
            return
    if count == 0:
        problems.problem(
            "$.values", "values", _("filen innehåller inga nyckeltal ($.values saknas eller är tom)")
        )
