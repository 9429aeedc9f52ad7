"""Lists of report versions show each file's format and size, never fetch its bytes (issue 16:
13.8 MB per view at volume)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamkoll.reports.models import ReportFile, ReportFormat, ReportState
from jamkoll.reports.selectors import published_list, version_list

from .factories import ReportVersionFactory

pytestmark = pytest.mark.django_db


def _content_read(queries: list[dict[str, Any]]) -> bool:
    table = ReportFile._meta.db_table
    return any(table in q["sql"] and '"content"' in q["sql"] for q in queries)


def test_lists_defer_the_file_contents(coordinator: Any) -> None:
    version = ReportVersionFactory(state=ReportState.SUBMITTED)
    ReportFile.objects.create(
        version=version, format=ReportFormat.PDF, content=b"%PDF" * 1000, sha256="0" * 64, size=4000
    )
    for listing in (
        lambda: version_list(user=coordinator),
        lambda: published_list(decision_slug=version.decision.slug),
    ):
        with CaptureQueriesContext(connection) as ctx:
            rows = list(listing())
            files = [f for v in rows for f in v.files.all()]
            assert files and all(f.size > 0 for f in files)
        assert not _content_read(ctx.captured_queries)
