"""Change history for an object's page, from django-simple-history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

TYPES = {"+": "Skapad", "~": "Ändrad", "-": "Borttagen"}


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str
    what: str
    changes: list[str]


def _field_label(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def history_entries(objects: Iterable[models.Model], limit: int = 50) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    for obj in objects:
        records = list(obj.history.select_related("history_user").order_by("-history_date")[:limit])  # type: ignore[attr-defined]
        for i, record in enumerate(records):
            changes: list[str] = []
            previous: Any = records[i + 1] if i + 1 < len(records) else None
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous)
                changes = [f"{_field_label(obj, c.field)}: {c.old!s} → {c.new!s}" for c in delta.changes]
            user = record.history_user
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else "systemet (inläsning)",
                    action=TYPES.get(record.history_type, record.history_type),
                    what=f"{obj._meta.verbose_name}: {obj}",
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
