"""Imported by the render forkserver (`isolation`) once, so that each child it forks starts with
Django set up and WeasyPrint imported. Not for use elsewhere."""

from __future__ import annotations

import django
from django.apps import apps

if not apps.ready:  # in the forkserver; the settings module is the parent's (DJANGO_SETTINGS_MODULE)
    django.setup()

import weasyprint  # noqa: F401  (imported once, here, for every child)

from jamkoll.reports.document import Document
from jamkoll.reports.renderers import render


def render_one(document: Document, fmt: str) -> bytes:
    return render(document, fmt)
