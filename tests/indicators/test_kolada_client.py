"""The Kolada API client against a local server serving documents the test writes (no network)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from jamkoll.accounts.policy import operator
from jamkoll.indicators import kolada
from jamkoll.indicators.models import ImportRun, ImportStatus, Observation
from jamkoll.indicators.services import kolada_fetch

from .docs import obs


class Kolada:
    """Pages by path; `failures` answers 503 that many times first."""

    def __init__(self) -> None:
        self.pages: dict[str, Any] = {}
        self.failures = 0
        self.requests: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Kolada]]:
    state = Kolada()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if state.failures:
                state.failures -= 1
                self.send_response(503)
                self.end_headers()
                return
            page = state.pages.get(self.path)
            body = (
                (page if isinstance(page, str) else json.dumps(page)).encode() if page is not None else b"{}"
            )
            self.send_response(200 if page is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v3", state
    httpd.shutdown()
    httpd.server_close()


def test_urls_hold_at_most_25_ids() -> None:
    ids = [f"N{n:05d}" for n in range(60)]
    urls = kolada.data_urls(ids, [2024, 2023], base="https://example.test/v3/")
    assert len(urls) == 3
    assert urls[0] == "https://example.test/v3/data/kpi/" + ",".join(ids[:25]) + "/year/2023,2024"
    assert urls[2].count("N") == 10
    with pytest.raises(ValidationError):
        kolada.data_urls(["bad id"], base="https://example.test/v3")
    with pytest.raises(ValidationError):
        kolada.data_urls(["N1"], base="ftp://example.test")


@pytest.mark.django_db
def test_pages_are_followed_and_imported_as_one(server: tuple[str, Kolada]) -> None:
    base, state = server
    first = "/v3/data/kpi/N00945/year/2024"
    state.pages[first] = {
        "values": [obs("N00945", "0180", 2024, K=1.5, M=2)],
        "count": 2,
        "next_url": base + "/data/kpi/N00945/year/2024?page=2",
        "previous_url": None,
    }
    state.pages[first + "?page=2"] = {
        "values": [obs("N00945", "0580", "2024", M=3, K=4)],
        "count": 2,
        "next_url": None,
        "previous_url": base + first,
    }
    state.failures = 2  # two 503s, then the pages: retried with back-off
    waits: list[float] = []
    run = kolada_fetch(
        actor=operator(), kpis=["N00945"], years=[2024], base_url=base, backoff=0.01, sleep=waits.append
    )
    assert run.status == ImportStatus.DONE and run.format == "api" and run.created == 4
    assert waits == [0.01, 0.02]
    assert state.requests == [first, first, first, first + "?page=2"]
    assert Observation.objects.get(
        organisation__code="0580", gender="K", indicator__code="N00945"
    ).value == Decimal(4)


@pytest.mark.django_db
def test_a_bad_page_refuses_the_whole_fetch(server: tuple[str, Kolada]) -> None:
    base, state = server
    first = "/v3/data/kpi/N00945"
    state.pages[first] = {
        "values": [obs("N00945", "0180", 2024, T=1)],
        "next_url": base + "/data/kpi/N00945?p=2",
    }
    state.pages[first + "?p=2"] = {"values": [obs("N00945", "G99", 2024, T=1)], "next_url": None}
    with pytest.raises(ValidationError):
        kolada_fetch(actor=operator(), kpis=["N00945"], base_url=base, sleep=lambda s: None)
    assert ImportRun.objects.get().problems[0]["where"] == "$.values[1].municipality"
    assert not Observation.objects.filter(indicator__code="N00945").exists()


@pytest.mark.django_db
def test_offline_says_so_clearly() -> None:
    with pytest.raises(ValidationError) as refused:
        kolada_fetch(
            actor=operator(),
            kpis=["N00945"],
            base_url="http://127.0.0.1:9/v3",
            retries=1,
            sleep=lambda s: None,
        )
    assert "Kunde inte nå Koladas API" in refused.value.messages[0]
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_other_hosts_and_4xx_are_refused(server: tuple[str, Kolada]) -> None:
    base, state = server
    state.pages["/v3/data/kpi/N1"] = {"values": [], "next_url": "http://evil.test/v3/x"}
    with pytest.raises(ValidationError, match="annan värd"):
        kolada_fetch(actor=operator(), kpis=["N1"], base_url=base)
    with pytest.raises(ValidationError, match="Kolada svarade 404"):
        kolada_fetch(actor=operator(), kpis=["N2"], base_url=base)
