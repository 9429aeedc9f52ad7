"""Immutability (issue 12, finding 8): a certified, signed or submitted version and its files are
never changed or deleted — not through the admin (read-only, no delete), not by the models'
`save()`/`delete()`, and not by SQL (the database's triggers). A submitted report's public link
never breaks because of an admin action. A draft is still a draft: it may go, with its files."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from jamkoll.reports.models import FrozenError, ReportFile, ReportKind, ReportState, ReportVersion
from tests.conftest import client_for

from .factories import ReportVersionFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 en inlamnad rapport"
FROZEN_STATES = (ReportState.CERTIFIED, ReportState.SIGNED, ReportState.SUBMITTED)


def _with_file(state: str) -> tuple[ReportVersion, ReportFile]:
    version = ReportVersionFactory(kind=ReportKind.FINANCIAL, state=state)
    file = ReportFile.objects.create(
        version=version, format="pdf", content=PDF, sha256=hashlib.sha256(PDF).hexdigest(), size=len(PDF)
    )
    return version, file


def _public_link(version: ReportVersion) -> str:
    return reverse("reports:download", args=[version.pk, "pdf"])


@pytest.mark.parametrize("state", FROZEN_STATES)
def test_the_admin_neither_deletes_nor_changes_a_frozen_version(adminpersona: Any, state: str) -> None:
    version, file = _with_file(state)
    admin = client_for(adminpersona)
    delete = reverse("admin:reports_reportversion_delete", args=[version.pk])
    assert admin.get(delete).status_code == 403
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:reports_reportversion_change", args=[version.pk])
    assert admin.post(change, {"title": "Ändrad", "state": "draft"}).status_code == 403
    # The bulk action is not offered either.
    changelist = reverse("admin:reports_reportversion_changelist")
    page = admin.get(changelist)
    assert page.status_code == 200 and "delete_selected" not in page.content.decode()
    admin.post(changelist, {"action": "delete_selected", "_selected_action": [version.pk], "post": "yes"})
    version.refresh_from_db()
    assert version.title != "Ändrad" and version.state == state and version.files.get() == file


@pytest.mark.parametrize("state", FROZEN_STATES)
def test_the_admin_neither_deletes_nor_changes_a_file_of_a_frozen_version(
    adminpersona: Any, state: str
) -> None:
    _version, file = _with_file(state)
    admin = client_for(adminpersona)
    delete = reverse("admin:reports_reportfile_delete", args=[file.pk])
    assert admin.get(delete).status_code == 403
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:reports_reportfile_change", args=[file.pk])
    assert admin.post(change, {"format": "md", "sha256": "0" * 64, "size": 1}).status_code == 403
    file.refresh_from_db()
    assert (file.format, bytes(file.content)) == ("pdf", PDF)


def test_the_public_link_of_a_submitted_report_still_answers_after_the_admin_tried(adminpersona: Any) -> None:
    version, file = _with_file(ReportState.SUBMITTED)
    admin = client_for(adminpersona)
    admin.post(reverse("admin:reports_reportfile_delete", args=[file.pk]), {"post": "yes"})
    admin.post(reverse("admin:reports_reportversion_delete", args=[version.pk]), {"post": "yes"})
    response = Client().get(_public_link(version))
    assert response.status_code == 200 and response.content == PDF
    assert response["X-Content-SHA256"] == file.sha256


@pytest.mark.parametrize("state", FROZEN_STATES)
def test_the_models_refuse_to_change_or_delete_a_frozen_version_or_its_file(state: str) -> None:
    version, file = _with_file(state)
    with pytest.raises(FrozenError):
        version.delete()
    with pytest.raises(FrozenError):
        file.delete()
    version.title = "Ändrad"
    with pytest.raises(FrozenError):
        version.save()
    file.content = b"annat"
    with pytest.raises(FrozenError):
        file.save()
    assert ReportVersion.objects.get(pk=version.pk).title != "Ändrad"


@pytest.mark.parametrize("state", FROZEN_STATES)
def test_the_database_refuses_sql_that_changes_or_deletes_a_frozen_version(state: str) -> None:
    version, file = _with_file(state)
    attempts = [
        lambda: ReportVersion.objects.filter(pk=version.pk).update(title="Ändrad"),
        lambda: ReportVersion.objects.filter(pk=version.pk).update(state=ReportState.DRAFT),
        lambda: ReportVersion.objects.filter(pk=version.pk).delete(),
        lambda: ReportFile.objects.filter(pk=file.pk).update(content=b"annat"),
        lambda: ReportFile.objects.filter(pk=file.pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    assert bytes(ReportFile.objects.get(pk=file.pk).content) == PDF
    assert ReportVersion.objects.get(pk=version.pk).state == state


def test_a_signed_version_takes_its_submission_and_nothing_else() -> None:
    version, _file = _with_file(ReportState.SIGNED)
    version.state = ReportState.SUBMITTED
    version.receipt_reference = "KAMK 1"
    version.submitted_on = version.signed_on
    version.save()  # the one change a frozen version takes
    version.receipt_reference = "KAMK 2"
    with pytest.raises(FrozenError):
        version.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(receipt_reference="KAMK 2")


def test_a_draft_may_still_go_with_its_files() -> None:
    draft, file = _with_file(ReportState.DRAFT)
    draft.delete()
    assert not ReportFile.objects.filter(pk=file.pk).exists()
