"""Idempotent writes for the data loaded from the documents.

`upsert` creates a row or updates only the fields that differ, so a second `jamkoll seed` writes
nothing at all (and leaves no spurious entry in the change history). `SeedError` names the file,
line and field of bad input.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class SeedError(Exception):
    def __init__(self, message: str, *, file: str = "", line: int | None = None, field: str = ""):
        where = file
        if line is not None:
            where += f":{line}"
        if field:
            where += f" ({field})"
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[models.Model], created: bool, changed: bool) -> None:
        label = str(model._meta.verbose_name_plural)
        if created:
            self.created[label] = self.created.get(label, 0) + 1
        elif changed:
            self.updated[label] = self.updated.get(label, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def upsert(
    model: type[M],
    lookup: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    *,
    report: SeedReport | None = None,
) -> M:
    values = dict(values or {})
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        obj._seed_created = True  # type: ignore[attr-defined]
        if report is not None:
            report.count(model, True, True)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
    if report is not None:
        report.count(model, False, bool(changed))
    return obj


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
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise SeedError("fel antal fält", file=name, line=reader.line_num)
        yield reader.line_num, {k: v.strip() for k, v in row.items()}
