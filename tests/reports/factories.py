"""Report versions without generating them: a version in any state, of any kind, for any county,
with what its state requires (a certifier for a certified version, a signatory for a signed one).
Its fingerprint is not the data's, so such a version counts as outdated: use `report_generate`
where a test takes a workflow step to its end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from jamkoll.programmes.selectors import decision_brief
from jamkoll.reference.selectors import county_get
from jamkoll.reports.models import ReportKind, ReportState, ReportVersion

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
LATER = (ReportState.CERTIFIED, ReportState.SIGNED, ReportState.SUBMITTED)


def _on_if(*states: str) -> Any:
    return factory.LazyAttribute(lambda o: dt.date(2019, 3, 27) if o.state in states else None)


def _name_if(name: str, *states: str) -> Any:
    return factory.LazyAttribute(lambda o: name if o.state in states else "")


def _account_if(username: str, *states: str) -> Any:
    """The account that certified (signed) a version in one of `states`: one per name, made once."""
    return factory.LazyAttribute(
        lambda o: get_user_model().objects.get_or_create(username=username)[0] if o.state in states else None
    )


class ReportVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportVersion

    class Params:
        county_code: str | None = None

    kind = ReportKind.RESULT
    decision = factory.LazyFunction(lambda: decision_brief(slug=SLUG))
    year = 2018
    county = factory.LazyAttribute(lambda o: county_get(code=o.county_code) if o.county_code else None)
    scope = factory.LazyAttribute(lambda o: f"county:{o.county_code}" if o.county_code else "")
    version = factory.Sequence(lambda n: n + 1)
    state = ReportState.DRAFT
    title = factory.LazyAttribute(lambda o: f"{ReportKind(o.kind).label} {o.year}")
    fingerprint = "0" * 64
    generated_by_name = "fabriken"
    generated_at = factory.LazyFunction(timezone.now)
    certified_by = _account_if("fabrikens-ekonomichef", ReportState.CERTIFIED)
    certified_by_name = _name_if("Eva Ek", ReportState.CERTIFIED)
    certified_on = _on_if(ReportState.CERTIFIED)
    signed_by = _account_if("fabrikens-firmatecknare", ReportState.SIGNED, ReportState.SUBMITTED)
    signed_by_name = _name_if("Sven Sign", ReportState.SIGNED, ReportState.SUBMITTED)
    signed_on = _on_if(ReportState.SIGNED, ReportState.SUBMITTED)
    submitted_on = _on_if(ReportState.SUBMITTED)


def every_version() -> list[ReportVersion]:
    """One version of every kind in every state: national ones, and the RSS report of Skåne (12)
    and of Norrbotten (25)."""
    versions = []
    for state in (ReportState.DRAFT, *LATER):
        for kind in (ReportKind.RESULT, ReportKind.FINANCIAL, ReportKind.STATUS):
            versions.append(ReportVersionFactory(kind=kind, state=state))
        for code in ("12", "25"):
            versions.append(ReportVersionFactory(kind=ReportKind.RSS, state=state, county_code=code))
    return versions
