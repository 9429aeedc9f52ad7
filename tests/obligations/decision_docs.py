"""Decision documents for the registration tests: a 2022 grant decision of the kind seed 004
announces (SKR's application for 2022), with three conditions worded as the 2018 agreement words
them. The 6 June 2022 is nationaldagen, a Monday: the last day moves to Tuesday 7 June."""

from __future__ import annotations

import copy
from typing import Any

PROGRAMME = "hedersrelaterat-2021-2023"
SLUG = "hedersrelaterat-2022"

PLAN_TEXT = (
    "Senast den 6 juni 2022 ska SKR till Regeringskansliet (Arbetsmarknadsdepartementet) lämna "
    "ett förslag på projektplan för 2022."
)
REQUISITION_TEXT = "Medel avseende 2022 får rekvireras från Kammarkollegiet senast den 1 december 2022."
REPORT_TEXT = (
    "En ekonomisk redovisning som visar hur medlen använts ska lämnas till Kammarkollegiet "
    "senast den 31 mars 2023."
)


def grant_2022(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "programme": PROGRAMME,
        "slug": SLUG,
        "kind": "grant",
        "title": "Beslut om bidrag till SKR för utökat jämställdhetsarbete 2022",
        "start_year": 2022,
        "end_year": 2022,
        "grantor": "RK",
        "responsible_ministry": "A",
        "recipient": "SKR",
        "conditions": [
            {"kind": "project_plan", "year": 2022, "text": PLAN_TEXT, "addressee": "A"},
            {"kind": "requisition", "year": 2022, "text": REQUISITION_TEXT, "addressee": "KAMK"},
            {"kind": "financial_report", "year": 2022, "text": REPORT_TEXT, "addressee": "KAMK"},
        ],
    }
    doc.update(changes)
    return copy.deepcopy(doc)
