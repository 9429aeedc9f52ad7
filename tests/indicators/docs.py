"""Small key-figure documents the tests write: Kolada data (v3/v2), the catalogue, CSV, XLSX."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any


def obs(kpi: str, org: str, period: Any, **genders: Any) -> dict[str, Any]:
    """A Kolada data row; `genders` maps T/K/M to a value, or to a dict with the entry's fields."""
    values = []
    for gender, spec in genders.items():
        entry = spec if isinstance(spec, dict) else {"value": spec}
        values.append({"gender": gender, "count": 0, "status": "", "isdeleted": False, **entry})
    return {"kpi": kpi, "municipality": org, "period": period, "values": values}


def kolada_doc(rows: list[dict[str, Any]], *, version: int = 3) -> dict[str, Any]:
    if version == 2:
        for row in rows:
            for entry in row["values"]:
                entry["is_deleted"] = entry.pop("isdeleted", False)
        return {"values": rows, "count": len(rows), "next_page": None, "previous_page": None}
    return {"values": rows, "count": len(rows), "next_url": None, "previous_url": None}


def write_json(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def write_csv(path: Path, rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> str:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerows(rows)
    return str(path)


def write_xlsx(path: Path, rows: list[list[Any]]) -> str:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def catalogue_doc(entries: list[dict[str, Any]]) -> dict[str, Any]:
    full = []
    for entry in entries:
        full.append(
            {
                "id": entry["id"],
                "title": entry.get("title", entry["id"]),
                "description": entry.get("description", ""),
                "is_divided_by_gender": entry.get("is_divided_by_gender", True),
                "municipality_type": entry.get("municipality_type", "K"),
                "operating_area": entry.get("operating_area", "Arbetsmarknad"),
                "perspective": entry.get("perspective", "Resultat"),
                "publication_date": entry.get("publication_date", "2025-02-21"),
                "auspice": None,
                "has_ou_data": False,
                "is_deleted": False,
                "prel_publication_date": None,
            }
        )
    return {"values": full, "count": len(full)}
