"""The journeys' accessibility check itself (pages.check_a11y): axe-core from npm finds a serious
violation and names the rule, its impact, the element and the address; a page state is checked once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .pages import check_a11y

PAGE = '<html lang="sv"><head><title>{0}</title></head><body><main><h1>{0}</h1>{1}</main></body></html>'
BAD = PAGE.format("Fel", '<input id="namnlos">')  # a field without a label: critical
GOOD = PAGE.format("Rätt", "")


def test_axe_fails_on_a_serious_violation(page: Page) -> None:
    page.set_content(BAD)
    with pytest.raises(AssertionError) as failure:
        check_a11y(page)
    message = str(failure.value)
    assert "label (critical)" in message, message
    assert "#namnlos" in message, message
    assert page.url in message, message
    check_a11y(page)  # the same state is not checked twice
    page.set_content(GOOD)
    check_a11y(page)
