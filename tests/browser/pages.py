"""Page helpers for the browser journeys: what a user does, in the words a user sees.

Buttons and links are found by their accessible name inside `<main>` (the header holds the language
switch, which is the first submit button of every page, and "Logga ut"); fields by their id
(Django's `#id_<name>`). Every helper waits for the page it leads to.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, Response, expect

from jamkoll.accounts.services import DEMO_USERS

PASSWORDS = {u.username: u.password for u in DEMO_USERS}

# The policy's reasons the journeys expect to see (accounts/policy.py, RULES).
REASON_OTHER_COUNTY_ACTIVITY = "Du kan bara ändra aktiviteter i ditt eget län."
REASON_OTHER_COUNTY_PLAN = "Du kan bara ändra ditt eget läns genomförandeplan."


# --- Accessibility: axe-core on every page a journey reaches -----------------------------------

# axe-core comes from npm (`make browser-deps` installs the pinned version into tests/browser/node_modules).
AXE_JS = Path(
    os.environ.get(
        "JAMKOLL_AXE_JS", Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
    )
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # WCAG 2.1 AA
AXE_FAILING_IMPACTS = ("critical", "serious")
_AXE_RUN = """async ([tags, impacts]) => {
    const result = await axe.run(document, {
        runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], preload: false,
    });
    return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(" ")),
        summary: v.nodes[0] ? v.nodes[0].failureSummary : "",
    }));
}"""
# What a page state is: its address and a cheap fingerprint of its body (one axe run per state).
_STATE = (
    "() => location.pathname + location.search + '#' + document.title + '#' + document.body.innerHTML.length"
)
_checked: weakref.WeakKeyDictionary[Page, set[str]] = weakref.WeakKeyDictionary()
_axe_source: list[str] = []


def axe_source() -> str:
    if not _axe_source:
        if not AXE_JS.exists():
            raise AssertionError(
                f"axe-core saknas ({AXE_JS}): kör `make browser-deps` (installerar npm-paketet axe-core)."
            )
        _axe_source.append(AXE_JS.read_text(encoding="utf-8"))
    return _axe_source[0]


def check_a11y(page: Page) -> None:
    """Run axe-core (WCAG 2.1 A and AA) on the page as it is now; fail on a critical or serious
    violation, naming the rule, its impact, the elements and the address. A page state already
    checked in this journey is not checked again.

    axe is evaluated into the page through the DevTools protocol (not a `<script>` tag, which the
    site's Content-Security-Policy would refuse). It runs without preloading the style sheets: that
    re-parses an `@import`ed sheet (the admin's) in an inline `<style>`, which the CSP refuses; only
    css-orientation-lock needs it."""
    state = str(page.evaluate(_STATE))
    seen = _checked.setdefault(page, set())
    if state in seen:
        return
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;0")
    violations = page.evaluate(_AXE_RUN, [AXE_TAGS, list(AXE_FAILING_IMPACTS)])
    seen.add(state)
    if violations:
        lines = [f"axe-core: {len(violations)} allvarliga tillgänglighetsfel på {page.url}"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {target}" for target in v["targets"][:10]]
            if len(v["targets"]) > 10:
                lines.append(f"    … och {len(v['targets']) - 10} till")
            lines.append("    " + v["summary"].replace("\n", "\n    "))
        raise AssertionError("\n".join(lines))


def goto(page: Page, path: str, *, status: int = 200) -> Response:
    """Open `path` (relative to the live server), check the answer's status and run axe on it."""
    response = page.goto(path)
    assert response is not None, f"ingen sida för {path}"
    assert response.status == status, f"{path}: väntade status {status}, fick {response.status}"
    check_a11y(page)
    return response


def login(page: Page, username: str, *, password: str | None = None) -> None:
    """Sign in as a demo user (`jamkoll demo`'s users: samordnare, rss-skane, rss-norrbotten,
    ekonomichef, firmatecknare, departement, kammarkollegiet, analytiker, admin)."""
    goto(page, "/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password if password is not None else PASSWORDS[username])
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    error = page.locator("main .error")
    assert not error.count(), f"inloggningen som {username} misslyckades: {error.first.inner_text()}"
    expect(page.locator("header .who")).to_contain_text(username)
    check_a11y(page)


def logout(page: Page) -> None:
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Logga ut", exact=True).click()
    expect(page.locator("header").get_by_role("link", name="Logga in", exact=True)).to_be_visible()
    check_a11y(page)


def menu(page: Page, name: str) -> None:
    """Follow a link of the main menu ("Tidsfrister", "Planer och resultat", "Medelsflöde", …)."""
    with page.expect_navigation():
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name, exact=True).click()
    check_a11y(page)


def _scope(page: Page, within: Locator | str | None) -> Locator:
    if within is None:
        return page.locator("main")
    return page.locator(within) if isinstance(within, str) else within


def click_link(page: Page, name: str, *, within: Locator | str | None = None, exact: bool = True) -> None:
    """Follow the link called `name` inside `<main>` (or `within`) and wait for the new page."""
    with page.expect_navigation():
        _scope(page, within).get_by_role("link", name=name, exact=exact).first.click()
    check_a11y(page)


def click_button(
    page: Page, name: str, *, within: Locator | str | None = None, navigates: bool = True
) -> None:
    """Press the button called `name` inside `<main>` (or `within`: a form's locator when a page has
    several buttons with the same name) and wait for the page it leads to."""
    button = _scope(page, within).get_by_role("button", name=name, exact=True)
    if not navigates:
        button.click()
        return
    with page.expect_navigation():
        button.click()
    check_a11y(page)


def fill_form(page: Page, fields: Mapping[str, Any], *, within: Locator | str | None = None) -> None:
    """Fill fields by selector (`{"#id_title": "…", "#id_year": "2019", "#id_done": True}`): text
    fields are typed into, a `<select>` takes the option's visible label (or its value), a checkbox
    or radio button is checked for True and unchecked for False."""
    scope = _scope(page, within)
    for selector, value in fields.items():
        field = scope.locator(selector)
        kind = field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            wanted = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
            labels = field.evaluate("e => Array.from(e.options, o => o.label.trim())")
            if all(w in labels for w in wanted):
                field.select_option(label=wanted)
            else:  # the options' values (a slug, a county code)
                field.select_option(value=wanted)
        elif kind in {"input:checkbox", "input:radio"}:
            field.set_checked(bool(value))
        else:
            field.fill(str(value))


def csrf_token(page: Page) -> str:
    """The page's CSRF token (every page has one in its language form)."""
    return str(page.locator("input[name=csrfmiddlewaretoken]").first.input_value())


def post_anyway(page: Page, path: str, data: Mapping[str, str]) -> None:
    """Send a form the page does not offer, from this page, as a user with an old tab or the
    browser's developer tools could: the browser posts it with the session and the page's CSRF
    token and shows the answer."""
    with page.expect_navigation():
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [path, {"csrfmiddlewaretoken": csrf_token(page), **data}],
        )
    check_a11y(page)


def api_call(page: Page, method: str, path: str, body: Mapping[str, Any] | None = None) -> tuple[int, Any]:
    """Call the JSON API from the page, as the page's own script would: the browser's session cookie
    and the CSRF header. Returns the status and the decoded body."""
    result = page.evaluate(
        """async ([method, path, body, token]) => {
            const response = await fetch(path, {
                method,
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: body === null ? undefined : JSON.stringify(body),
            });
            const text = await response.text();
            let data = text;
            try { data = JSON.parse(text); } catch (e) {}
            return [response.status, data];
        }""",
        [method, path, body, csrf_token(page)],
    )
    return int(result[0]), result[1]


def expect_heading(page: Page, text: str) -> None:
    """The page's heading (the first `<h1>` of `<main>`: a report's preview has its own)."""
    expect(page.locator("main h1").first).to_contain_text(text)


def expect_message(page: Page, text: str) -> None:
    """The green line at the top after a saved form ("Aktiviteten är sparad.")."""
    expect(page.locator("main .messages")).to_contain_text(text)


def expect_field_error(page: Page, field_id: str, text: str) -> None:
    """A form's error beside its field (`#id_<name>_error`), as the forms render them."""
    expect(page.locator(f"#{field_id}_error")).to_contain_text(text)


def expect_refusal(page: Page, reason: str) -> None:
    """The site's refusal page with the policy's reason."""
    refusal = page.locator("main section.refusal")
    expect(refusal).to_be_visible()
    expect(refusal.locator(".refusal-reason")).to_contain_text(reason)
