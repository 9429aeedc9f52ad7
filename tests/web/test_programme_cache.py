"""The programme page that every visitor sees (issue 16, "cache what does not change"): for an
anonymous visitor its decisions are rendered once per language, year chosen and state of the data,
then served from the cache in a handful of queries; any change to what it shows is seen at once;
a signed-in user is never served the anonymous rendering."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jamkoll.money import format_sek
from jamkoll.programmes.models import BudgetLine, Recipient
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/"


def _unmasked(html: str) -> str:
    """The page without its CSRF token (masked anew in every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _get(client: Client, url: str = URL) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_an_anonymous_visitor_is_served_the_rendered_decisions_from_the_cache() -> None:
    client = Client()
    first, cold = _get(client)
    second, warm = _get(client)
    assert _unmasked(second) == _unmasked(first)
    assert warm <= 6 < cold, (warm, cold)
    # Another year chosen is rendered on its own.
    other, _n = _get(client, URL + "?ar=2019")
    assert other != first and 'aria-current="true">2019<' in other


def test_a_change_to_what_the_page_shows_is_seen_at_once() -> None:
    client = Client()
    before, _n = _get(client)
    line = BudgetLine.objects.filter(budget__year=2018, recipient=Recipient.SKR, amount__isnull=False).first()
    assert line is not None
    line.amount = Decimal("1234567.89")
    line.save()
    after, _n = _get(client)
    assert format_sek(Decimal("1234567.89")) in after and after != before


def test_a_signed_in_user_is_never_served_the_anonymous_rendering(coordinator: Any) -> None:
    anonymous, _n = _get(Client())
    assert 'id="register-decision"' not in anonymous
    signed_in, _n = _get(client_for(coordinator))
    assert 'id="register-decision"' in signed_in  # the coordinator may register decisions
    assert "Ändra beslutet" in signed_in and "Ändra beslutet" not in anonymous


def test_an_emphasis_changed_in_place_is_seen_at_once() -> None:
    """A goal area's link to a sub-goal is changed in place (the decision form, the API): it keeps
    a history too, so the stamp moves."""
    from jamkoll.programmes.models import GoalAreaSubGoal

    client = Client()
    link = GoalAreaSubGoal.objects.filter(goal_area__decision__programme__slug=URL.split("/")[2]).first()
    assert link is not None
    _get(client)
    link.emphasis = "Betoning ändrad i dag"
    link.save()
    after, _n = _get(client)
    assert "Betoning ändrad i dag" in after
