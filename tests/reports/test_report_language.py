"""A report is the Swedish document the parties hand in, whatever the language of the request that
assembles it (a certifier or signatory who reads the site in English)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest
from django.utils import translation

from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.services import report_generate, report_outdated, version_document

pytestmark = pytest.mark.django_db


def test_an_english_request_assembles_the_same_swedish_document(coordinator: Any) -> None:
    agreement = decision_get(slug="jamstalldhet-kvinnofrid-2018-2020")
    draft = report_generate(
        kind="financial", decision=agreement, year=2018, actor=coordinator, formats=("md",)
    )
    swedish = json.dumps(
        asdict(version_document(draft, with_workflow=False)), default=str, ensure_ascii=False
    )
    with translation.override("en"):
        # Not outdated for an English certifier: the fingerprint is taken of the same document.
        assert not report_outdated(draft)
        english = json.dumps(
            asdict(version_document(draft, with_workflow=False)), default=str, ensure_ascii=False
        )
    assert english == swedish
    assert "\xa0kr av " in swedish and "kr of" not in swedish  # the county chart's "X av Y"
