"""The hostile-input walk (issue 10, DESIGN §6): every form and every API endpoint, every field,
a list of hostile values. The answer is a refusal that says why (4xx), never a server error, and
nothing is stored.

The walk finds its targets itself, so that a new form or endpoint is walked without anyone adding
it here: the web part follows the links from the menu's index pages as each persona and posts to
every form it finds; the API part reads the OpenAPI schema and sends every operation a body and
parameters with one field made hostile at a time. Each attempt runs in a savepoint that is rolled
back, so one accepted value cannot change what the next attempt sees.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tests.conftest import client_for
from tests.hostile import (
    HOSTILE_AMOUNTS,
    HOSTILE_DATES,
    HOSTILE_INTS,
    HOSTILE_TEXT,
    assert_refused,
    row_counts,
)

pytestmark = pytest.mark.django_db

AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
START = ["/", "/medel/", "/planer/", "/tidsfrister/", "/rapporter/", f"/rss/{AGREEMENT}/2018/"]
# Links the walk does not follow: files, feeds, the admin (the administrator's own tool), the
# API (walked from its schema below), logging out.
SKIP = re.compile(r"^/(admin|forvaltning|api|logga-ut|i18n|static)/|\.ics$|/fil/")
PAGES_PER_ROUTE = 2
MAX_PAGES = 60

# A shorter list per kind keeps the walk within seconds; each value stands for a class of input.
# A form cannot carry a lone surrogate (a browser sends UTF-8): what Django makes of undecodable
# bytes, the replacement character, stands in for it.
TEXT: list[Any] = ["\ufffd\ufffd" if v == "\ud800" else v for v in HOSTILE_TEXT]
API_TEXT = HOSTILE_TEXT
AMOUNTS = HOSTILE_AMOUNTS[:6]
DATES = HOSTILE_DATES
INTS = HOSTILE_INTS


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


# --- Web: find the forms --------------------------------------------------------------------------


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> default value
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type
    buttons: list[tuple[str, str]] = field(default_factory=list)  # a named submit button's (name, value)

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (_route(self.action), self.method, tuple(sorted(self.fields)))


class _Parser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            self._form = Form(
                self.page, urljoin(self.page, a.get("action") or self.page), a.get("method", "get").lower()
            )
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "submit":
                self._form.buttons.append((a["name"], a.get("value", "")))
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                self._form.fields.setdefault(a["name"], "")
                self._form.kinds.setdefault(a["name"], kind)
                return
            self._form.fields[a["name"]] = a.get("value", "")
            self._form.kinds[a["name"]] = kind
        elif tag == "select":
            self._select = a["name"]
            self._form.fields.setdefault(a["name"], "")
            self._form.kinds[a["name"]] = "select"
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields[a["name"]] = ""
            self._form.kinds[a["name"]] = "textarea"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class _OptionParser(_Parser):
    """Also reads the options of a select: the selected one, or the first with a value, is the
    field's default."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "option" and self._form is not None and self._select:
            a = {k: v or "" for k, v in attrs}
            current = self._form.fields.get(self._select, "")
            if (not current and a.get("value")) or "selected" in a:
                self._form.fields[self._select] = a.get("value", "")
            return
        super().handle_starttag(tag, attrs)


def _route(url: str) -> str:
    path = urlsplit(url).path
    try:
        return resolve(path).route
    except Resolver404:
        return path


def crawl(client: Client) -> tuple[list[Form], list[str]]:
    """The forms on every page reachable from START (at most PAGES_PER_ROUTE pages per route),
    and the pages themselves."""
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    queue = list(START)
    forms: list[Form] = []
    pages: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or SKIP.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen:
            continue
        seen.add(path)
        route = _route(path) + ("?" if parts.query else "")
        if per_route.get(route, 0) >= PAGES_PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(path)
        assert response.status_code < 500, f"GET {path}: {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages.append(path)
        parser = _OptionParser(f"http://testserver{path}")
        parser.feed(response.content.decode())
        forms += parser.forms
        queue += parser.links
    return forms, pages


def hostile_values(name: str, kind: str) -> list[Any]:
    if kind in {"hidden"} and name in {"csrfmiddlewaretoken", "next"}:
        return []
    if kind == "date" or name.endswith(("_on", "_date", "date", "_start", "_end")) or name in {"on", "dag"}:
        return DATES + TEXT[:2]
    if "amount" in name or "belopp" in name:
        return AMOUNTS + TEXT[:2]
    if kind == "number" or name in {"year", "ar", "line", "total", "women", "men", "other", "sida", "page"}:
        return INTS + TEXT[:2]
    if kind in {"select", "radio", "checkbox"}:
        return [*TEXT[:3], "x" * 500]
    return TEXT


def judge(response: Any, before: dict[str, int], where: str) -> str | None:
    """What is wrong with the answer to a hostile attempt, or None: a server error, a refusal
    without a reason, or anything stored."""
    if response.status_code >= 500:
        return f"{where}: server error {response.status_code}"
    changed = {t: n for t, n in row_counts().items() if before.get(t) != n}
    if changed:
        return f"{where}: {response.status_code} and stored {changed}"
    if response.status_code >= 400:
        try:
            assert_refused(response, where=where)
        except AssertionError as exc:
            return str(exc).splitlines()[0]
    return None


PERSONAS = ["coordinator", "rss_skane", "treasury", "ministry", "certifier", "signatory"]


def walk(client: Client, forms: list[Form], persona: str, *, buttons: bool = False) -> tuple[int, list[str]]:
    """Every field of every form (each once by its action and fields) with each hostile value;
    with `buttons`, also as sent by each of its named submit buttons (a search inside the form,
    "add a row"). The number of forms walked and the problems found."""
    walked: set[tuple[str, str, tuple[str, ...]]] = set()
    problems: list[str] = []
    for form in forms:
        if form.key in walked or "/i18n/" in form.action or "logga-ut" in form.action:
            continue
        walked.add(form.key)
        pressed: list[dict[str, str]] = [{}, *({n: v} for n, v in form.buttons)] if buttons else [{}]
        for button in pressed:
            for name, kind in form.kinds.items():
                for value in hostile_values(name, kind):
                    data = {**form.fields, **button, name: value}
                    via = f" via {next(iter(button))}" if button else ""
                    where = f"{persona}: {form.method.upper()} {form.action}{via} [{name}={value[:20]!r}]"
                    with rolled_back():
                        before = row_counts()
                        if form.method == "post":
                            response = client.post(form.action, data)
                        else:
                            response = client.get(form.action, data)
                        problem = judge(response, before, where)
                        if problem:
                            problems.append(problem)
    return len(walked), problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_hostile_values_in_every_web_form(persona: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    client = client_for(user)
    client.raise_request_exception = False  # a server error is a finding to list, not a crash
    forms, pages = crawl(client)
    assert len(pages) >= 5, f"the walk found only {pages}"
    walked, problems = walk(client, forms, persona)
    assert walked >= 3, f"the walk found only {walked} forms"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_it_refuses_hostile_values_in_the_forms_a_national_year_shows(
    coordinator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year with more activities than a list can offer shows its forms with a search inside
    (evaluations, a status report's new row), whose button sends the form: walked with lists of
    at most five activities, so that the seeded 2018 is such a year, and with every named button."""
    import datetime as dt

    from jamkoll.plans import views_results
    from jamkoll.plans.services import status_report_create
    from jamkoll.programmes.selectors import decision_get

    monkeypatch.setattr(views_results, "ACTIVITY_CHOICES_MAX", 5)
    status_report_create(
        decision=decision_get(slug=AGREEMENT), period_start=dt.date(2018, 7, 1), actor=coordinator
    )
    client = client_for(coordinator)
    client.raise_request_exception = False
    forms: list[Form] = []
    for path in (
        f"/planer/{AGREEMENT}/2018/utvarderingar/",
        f"/planer/{AGREEMENT}/halvarsrapporter/2018-07-01/",
    ):
        parser = _OptionParser(f"http://testserver{path}")
        parser.feed(client.get(path).content.decode())
        forms += parser.forms
    searched = [f for f in forms if ("sok", "1") in f.buttons]
    assert len(searched) == 2, [f.action for f in forms]  # the new evaluation, the new row
    walked, problems = walk(client, searched, "coordinator", buttons=True)
    assert walked == 2
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


# --- API: every operation from the schema --------------------------------------------------------


def _path_values() -> dict[str, str]:
    from jamkoll.obligations.models import Obligation
    from jamkoll.plans.models import Activity

    activity = Activity.objects.filter(decision__slug=AGREEMENT, year=2018, owner_county__code="12").first()
    activity = activity or Activity.objects.filter(decision__slug=AGREEMENT, year=2018).first()
    obligation = Obligation.objects.filter(decision__slug=AGREEMENT).first()
    return {
        "slug": AGREEMENT,
        "decision": AGREEMENT,
        "year": "2018",
        "code": activity.code if activity else "x",
        "pk": str(obligation.pk if obligation else 1),
        "sequence": "1",
        "action": "propose",
        "job_id": "00000000-0000-0000-0000-000000000000",
    }


def _sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _sample(components[schema["$ref"].split("/")[-1]], components)
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return _sample(options[0], components) if options else None
    if "allOf" in schema:
        return _sample(schema["allOf"][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            k: _sample(v, components)
            for k, v in schema.get("properties", {}).items()
            if k in schema.get("required", []) or "default" not in v
        }
    if kind == "integer":
        return max(schema.get("minimum", 0), min(2018, schema.get("maximum", 2018)))
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2018-06-01"
    return "1000.00" if "amount" in str(schema.get("title", "")).lower() else "x"


def _operations(client: Client) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    spec = client.get("/api/v1/openapi.json").json()
    components = spec.get("components", {}).get("schemas", {})
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            yield path, method, op, components


def _api_hostile(name: str, schema: dict[str, Any]) -> list[Any]:
    text = repr(schema)
    if "amount" in name:
        return [*AMOUNTS, *TEXT[:2]]
    if "'format': 'date'" in text:
        return DATES
    if "'type': 'integer'" in text:
        return [-10, 0, 10**20, "²", "\x00"]
    return API_TEXT


@pytest.mark.parametrize("persona", ["coordinator", "rss_skane", "treasury"])
def test_it_refuses_hostile_values_at_every_api_endpoint(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    client.raise_request_exception = False
    values = _path_values()
    walked = 0
    problems: list[str] = []
    for path, method, op, components in _operations(client):
        url = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)
        params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
        body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        body = _sample(body_schema, components) if body_schema else None
        props: dict[str, Any] = {}
        if body_schema:
            resolved = body_schema
            if "$ref" in resolved:
                resolved = components[resolved["$ref"].split("/")[-1]]
            props = resolved.get("properties", {})
        targets = [("query", p["name"], p.get("schema", {})) for p in params]
        targets += [("body", name, schema) for name, schema in props.items()]
        for where_kind, name, schema in targets:
            hostile = _api_hostile(name, schema)
            if where_kind == "query":  # a URL carries bytes: a lone surrogate goes as its UTF-8 bytes
                hostile = [b"\xed\xa0\x80" if v == "\ud800" else v for v in hostile]
            for value in hostile:
                where = f"{persona}: {method.upper()} {url} [{where_kind} {name}={str(value)[:20]!r}]"
                with rolled_back():
                    before = row_counts()
                    if where_kind == "query":
                        response = getattr(client, method)(f"{url}?{urlencode({name: value})}")
                    else:
                        response = getattr(client, method)(
                            url, {**(body or {}), name: value}, content_type="application/json"
                        )
                    walked += 1
                    problem = judge(response, before, where)
                    if problem:
                        problems.append(problem)
    assert walked > 50, f"the API walk made only {walked} attempts"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
