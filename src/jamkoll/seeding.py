"""Idempotent writes for the data loaded from the documents, and the errors of bad data.

`upsert` creates a row or updates only the fields that differ, so a second `jamkoll seed` writes
nothing at all (and leaves no spurious entry in the change history).

Every data document (the reference CSVs, `policy_goals.json`, `programmes.json`, `plans_2018.json`)
is validated by a declared pydantic schema (`reference.schemas`, `programmes.schemas`,
`plans.schemas`) before anything is written; the loaders read the validated objects. Bad input is a
`SeedError` naming the file, the line (CSV) or the JSON path (`programmes[0].decisions[1].budgets[0]`
`.lines[2].amount`) and the field — never a `KeyError` traceback. The schemas (pydantic) are
imported by the loaders only, when they read a document: a command-line call that loads nothing does
not pay for them (`programmes.services` is imported at start-up).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails

M = TypeVar("M", bound=models.Model)
S = TypeVar("S", bound="BaseModel")

# A JSON path as pydantic reports it: keys and list indices.
Loc = tuple[str | int, ...]
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


def json_path(loc: Loc) -> str:
    """`("programmes", 0, "decisions", 1, "slug")` → `programmes[0].decisions[1].slug`. A key that
    is not a plain name (a misspelt key with a control character, a 1 MB key) is shown quoted and
    cut short, so that the message stays one readable line."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _NAME.fullmatch(part):
            out += f".{part}" if out else part
        else:
            shown = part if len(part) <= 40 else part[:40] + "…"
            out += f"[{shown!r}]"
    return out


def dotted_path(loc: Loc) -> str:
    """`("conditions", 2, "text")` → `conditions.2.text`: the key of a document's field in the
    API's error body (pydantic's notation). A key that is not a plain name is cut short, as in
    `json_path`."""
    parts = []
    for part in loc:
        if isinstance(part, int) or _NAME.fullmatch(part):
            parts.append(str(part))
        else:
            parts.append(repr(part if len(part) <= 40 else part[:40] + "…"))
    return ".".join(parts)


def _field_of(loc: Loc) -> str:
    names = [p for p in loc if isinstance(p, str)]
    return json_path((names[-1],)) if names else ""


class SeedError(Exception):
    """Bad data in a document: `file`, then `line` (a CSV line, or where a JSON text stops being
    JSON) or `path` (the JSON path, ending in the field), `field` and the message."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        line: int | None = None,
        path: str = "",
        field: str = "",
        loc: Loc = (),
    ):
        self.message, self.file, self.line, self.path, self.field = message, file, line, path, field
        self.loc = loc  # the JSON path as keys and indices, when the error has one
        where = file
        if line is not None:
            where += f":{line}"
        if path:
            where = f"{where}: {path}" if where else path
        elif field:
            where += f" ({field})"
        super().__init__(f"{where}: {message}" if where else message)

    def validation_error(self) -> ValidationError:
        """The same refusal in the one error contract (`jamkoll.errors`), keyed by the JSON path or
        the field: for an API endpoint that takes a data document as its body."""
        return ValidationError({self.path or self.field or "__all__": [self.message]})


@dataclass(frozen=True)
class Place:
    """Where a value sits in a data document: the file and the JSON path. A loader that finds a
    reference it cannot resolve (an unknown organisation code) raises `place.at(...).error(...)`."""

    file: str
    loc: Loc = ()
    line: int | None = None

    def at(self, *parts: str | int) -> Place:
        return Place(self.file, self.loc + parts, self.line)

    def error(self, message: str) -> SeedError:
        # A CSV row is flat: its line and column say it all; a JSON value needs its path.
        path = json_path(self.loc) if self.line is None else ""
        return SeedError(
            message, file=self.file, line=self.line, path=path, field=_field_of(self.loc), loc=self.loc
        )

    @contextmanager
    def model_errors(self) -> Iterator[None]:
        """A model's own validation (`full_clean` in `upsert`) refusing a value becomes a
        `SeedError` at this place, with the model field as the last part of the path."""
        try:
            yield
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                name, errors = next(iter(exc.message_dict.items()))
                place = self if name == "__all__" else self.at(name)
                raise place.error(errors[0]) from None
            raise self.error(exc.messages[0]) from None


def _message(error: ErrorDetails) -> str:
    """A pydantic error in Swedish, without echoing the value (which may be a 1 MB word)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return _("nyckeln saknas")
    if kind == "extra_forbidden":
        return _("okänd nyckel (felstavad?)")
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        return str(ctx["error"])
    if kind in {"string_too_long", "too_long"}:
        n = len(value) if isinstance(value, str | list | dict) else ctx.get("actual_length")
        return _("för lång: högst %(max)s (nu %(n)s)") % {"max": ctx.get("max_length"), "n": n}
    if kind in {"string_too_short", "too_short"}:
        return _("får inte vara tom")
    if kind == "string_pattern_mismatch":
        return _("har fel form")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("ska vara minst %(min)s") % {"min": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("ska vara högst %(max)s") % {"max": ctx.get("le", ctx.get("lt"))}
    if kind in {"enum", "literal_error"}:
        values = str(ctx.get("expected", "")).replace("' or '", "' " + _("eller") + " '")
        return _("ska vara en av %(values)s") % {"values": values}
    if kind.startswith("string_") or kind == "str_type":
        return _("ska vara text")
    if kind.startswith("int_"):
        return _("ska vara ett heltal")
    if kind.startswith("bool_"):
        return _("ska vara true eller false")
    if kind.startswith("list_"):
        return _("ska vara en lista")
    if kind.startswith(("dict_", "model_")):
        return _("ska vara ett objekt")
    if kind.startswith("date"):
        return _("ogiltigt datum (ÅÅÅÅ-MM-DD)")
    return str(error["msg"])


def document_parse(schema: type[S], data: Any, *, place: Place) -> S:
    """`data` validated by `schema`, or a `SeedError` for its first problem at its JSON path (or
    its CSV line and column), with the count of further problems."""
    from pydantic import ValidationError as SchemaError

    try:
        return schema.model_validate(data)
    except SchemaError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        message = _message(first)
        if len(errors) > 1:
            message += _(" (och %(n)s fel till)") % {"n": len(errors) - 1}
        raise place.at(*first["loc"]).error(message) from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            shown = key if len(key) <= 40 else key[:40] + "…"
            raise ValueError(_("nyckeln %(key)r förekommer två gånger i samma objekt") % {"key": shown})
        seen[key] = value
    return seen


def read_json(package: str, name: str) -> Any:
    """A packaged JSON document as Python data; a text that is not JSON (or repeats a key in one
    object, which JSON parsers would silently resolve) is a `SeedError` naming its line."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return json_parse(text, file=name)


def json_parse(text: str, *, file: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise SeedError(_("ogiltig JSON: %(msg)s") % {"msg": exc.msg}, file=file, line=exc.lineno) from None
    except RecursionError:
        raise SeedError(_("ogiltig JSON: för djupt nästlad"), file=file) from None
    except ValueError as exc:  # a repeated key; an integer of more than 4 300 digits
        raise SeedError(_("ogiltig JSON: %(msg)s") % {"msg": str(exc)[:200]}, file=file) from None


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # Rows removed because the document no longer states them (a decision registered again).
    deleted: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[models.Model], created: bool, changed: bool) -> None:
        label = str(model._meta.verbose_name_plural)
        if created:
            self.created[label] = self.created.get(label, 0) + 1
        elif changed:
            self.updated[label] = self.updated.get(label, 0) + 1

    def count_deleted(self, model: type[models.Model], n: int = 1) -> None:
        if n:
            label = str(model._meta.verbose_name_plural)
            self.deleted[label] = self.deleted.get(label, 0) + n

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


class Existing(Generic[M]):
    """The rows of `model` that a loader upserts by the same lookup fields, read in one query the
    first time they are asked for (issue 16: a query per row made most of a second seed's queries).
    Each key is the row `.first()` would find (the model's ordering decides between equal keys);
    a row `upsert` creates is added. Only for a loader that deletes none of these rows meanwhile.
    `queryset`: the rows to read, when not all of them (one decision's)."""

    def __init__(self, model: type[M], keys: tuple[str, ...], queryset: QuerySet[M] | None = None):
        self.model, self.keys = model, keys
        self._queryset = queryset if queryset is not None else model._default_manager.all()
        self._fields = [model._meta.get_field(k) for k in keys]
        self._rows: dict[tuple[Any, ...], M] | None = None

    def _key_of_lookup(self, lookup: Mapping[str, Any]) -> tuple[Any, ...]:
        if set(lookup) != set(self.keys):
            raise ValueError(f"upsert by {sorted(lookup)}, rows read by {sorted(self.keys)}")
        key = []
        for f in self._fields:
            value = lookup[f.name]
            if f.is_relation and isinstance(value, models.Model):
                value = value.pk
            key.append(value)
        return tuple(key)

    def _key_of_row(self, obj: models.Model) -> tuple[Any, ...]:
        return tuple(getattr(obj, f.attname) for f in self._fields)  # type: ignore[union-attr]

    def get(self, lookup: Mapping[str, Any]) -> M | None:
        if self._rows is None:
            self._rows = {}
            for obj in self._queryset:
                self._rows.setdefault(self._key_of_row(obj), obj)
        return self._rows.get(self._key_of_lookup(lookup))

    def add(self, obj: M) -> None:
        if self._rows is not None:
            self._rows.setdefault(self._key_of_row(obj), obj)


class _Query(Generic[M]):
    """A row by its lookup, asked of the database: `upsert` without `Existing`."""

    def __init__(self, model: type[M]):
        self.model = model

    def get(self, lookup: Mapping[str, Any]) -> M | None:
        return self.model._default_manager.filter(**lookup).first()


def upsert(
    model: type[M],
    lookup: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    *,
    report: SeedReport | None = None,
    place: Place | None = None,
    existing: Existing[M] | None = None,
) -> M:
    """`place`: where the values come from, so that a value the model refuses is a `SeedError`
    at that place. `existing`: the model's rows read once, instead of a query for this one."""
    if place is not None:
        with place.model_errors():
            return upsert(model, lookup, values, report=report, existing=existing)
    values = dict(values or {})
    rows = existing or _Query(model)
    obj = rows.get(lookup)
    if obj is None:
        obj = model(**lookup, **values)
        _checked_save(obj)
        obj._seed_created = True  # type: ignore[attr-defined]
        if existing is not None:
            existing.add(obj)
        if report is not None:
            report.count(model, True, True)
        return obj
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        _checked_save(obj, update_fields=changed)
    if report is not None:
        report.count(model, False, bool(changed))
    return obj


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    """Whether `obj.name` is not `value`; a foreign key compared by its id, without loading the
    object it points to (a query per row and key on a seed that changes nothing)."""
    field = obj._meta.get_field(name)
    if field.many_to_one or field.one_to_one:
        wanted = value.pk if isinstance(value, models.Model) else value
        return bool(getattr(obj, field.attname) != wanted)  # type: ignore[union-attr]
    return bool(getattr(obj, name) != value)


_ALL_OR_NOTHING: ContextVar[bool] = ContextVar("seed_all_or_nothing", default=False)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A transaction that the first refused row ends (`jamkoll seed`): the rows are saved without
    a savepoint each (two queries per row, issue 16). Inside, a refused row is still the
    `SeedError` at its place, but the transaction cannot go on after it: it must be rolled back,
    as leaving `transaction.atomic()` with the error does."""
    token = _ALL_OR_NOTHING.set(True)
    try:
        yield
    finally:
        _ALL_OR_NOTHING.reset(token)


def _checked_save(obj: models.Model, update_fields: list[str] | None = None) -> None:
    """Validate the fields and the model's `clean`, then save. The unique and check constraints
    are the database's to enforce (issue 16: asking the database first cost one query per
    constraint and row, two thirds of a first seed's queries); a row that breaks one is the same
    `ValidationError` as before, and the savepoint keeps the transaction usable after it. A foreign
    key set to a row read from the database is not looked up again (`_known_targets`)."""
    obj.full_clean(exclude=_known_targets(obj), validate_unique=False, validate_constraints=False)
    try:
        if _ALL_OR_NOTHING.get():
            obj.save(update_fields=update_fields)
        else:
            with transaction.atomic():
                obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ValidationError(_("bryter mot en regel i databasen: %(detail)s") % {"detail": detail}) from None


def _known_targets(obj: models.Model) -> list[str]:
    """The foreign keys of `obj` set to an object that was read from (or saved to) the database
    in this transaction: validating them would ask the database whether that row exists, a query
    per key and row (issue 16: 1 889 queries of a first seed). A key with `limit_choices_to`, or set
    by its id, is validated as before."""
    known = []
    for f in obj._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey) or f.remote_field.limit_choices_to:
            continue
        if not f.is_cached(obj):
            continue
        target = f.get_cached_value(obj)
        if (
            target is not None
            and not target._state.adding
            and target.pk is not None
            and getattr(obj, f.attname) == getattr(target, f.target_field.attname)
        ):
            known.append(f.name)
    return known


def set_m2m(obj: models.Model, name: str, wanted: Iterable[models.Model], report: SeedReport | None) -> None:
    """Make a many-to-many field hold exactly `wanted`; counted as a change only on an object
    that existed before this run (a new object's links are part of its creation)."""
    manager = getattr(obj, name)
    wanted = list(wanted)
    if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
        manager.set(wanted)
        if report is not None and not getattr(obj, "_seed_created", False):
            report.count(type(obj), False, True)


def read_csv(package: str, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a packaged CSV with their line numbers (the header is line 1)."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a field over the csv module's size limit
            # line_num counts the lines parsed; the one that failed is the next.
            line = reader.line_num + 1
            raise SeedError(_("ogiltig CSV: %(msg)s") % {"msg": exc}, file=name, line=line) from None
        if None in row or any(v is None for v in row.values()):
            raise SeedError("fel antal fält", file=name, line=reader.line_num)
        yield reader.line_num, {k: v.strip() for k, v in row.items()}
