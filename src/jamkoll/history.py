"""Change history for an object's page, from django-simple-history.

A change reads as the user's words: the field's label, a choice's label, the related object's name,
a date in the language's format and "tomt" for no value ("status: Planerad → Genomförd",
"faktisk start: tomt → 1 september 2018"), never the stored value ("None", "ongoing", an id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jamkoll.reference.sources import cite

# What was done, as a verb in the past tense: it reads the same whatever the noun's gender
# ("Ändrade – resultat …", "Ändrade – åtagande …"; the participle "Ändrad" did not agree with a
# neuter noun). The history's "Vem" column says who.
TYPES = {"+": gettext_lazy("Skapade"), "~": gettext_lazy("Ändrade"), "-": gettext_lazy("Tog bort")}


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str
    what: str
    changes: list[str]


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model: type[models.Model], name: str) -> str:
    return str(getattr(_field(model, name), "verbose_name", name))


def value_text(field: Any, value: Any) -> str:
    """A stored value as a user reads it."""
    if value is None or value == "" or value == []:
        return _("tomt")
    if isinstance(value, list | tuple | set):
        return ", ".join(value_text(field, item) for item in value)
    if isinstance(value, dict):  # a many-to-many row: {"activity": 1, "organisation": 7}
        related = getattr(field, "related_model", None)
        name = related._meta.model_name if related is not None else ""
        return _related_name(related, value.get(name, next(iter(value.values()), None)))
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, models.Model):
        return str(value)
    if field is not None and (field.many_to_one or field.one_to_one or field.many_to_many):
        return _related_name(field.related_model, value)
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal | int | float):
        return formats.number_format(value, force_grouping=True)
    return cite(str(value))  # a data file's "seed 003 §1" as the document's title


def _related_name(model: Any, pk: Any) -> str:
    if model is None:
        return str(pk)
    if isinstance(pk, models.Model):
        return str(pk)
    obj = model._default_manager.filter(pk=pk).first()
    return str(obj) if obj is not None else _("borttagen")


def change_line(model: type[models.Model], change: Any) -> str:
    """One change of a `diff_against` delta: "label: before → after"."""
    field = _field(model, change.field)
    label = _field_label(model, change.field)
    return f"{label}: {value_text(field, change.old)} → {value_text(field, change.new)}"


def history_entries(objects: Iterable[models.Model], limit: int = 50) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    for obj in objects:
        records = list(obj.history.select_related("history_user").order_by("-history_date")[:limit])  # type: ignore[attr-defined]
        for i, record in enumerate(records):
            changes: list[str] = []
            previous: Any = records[i + 1] if i + 1 < len(records) else None
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous)
                changes = [change_line(type(obj), c) for c in delta.changes]
            user = record.history_user
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else _("systemet (inläsning)"),
                    action=str(TYPES.get(record.history_type, record.history_type)),
                    what=f"{obj._meta.verbose_name}: {obj}",
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
