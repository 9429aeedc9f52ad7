"""A client for Kolada's API (version 3), for when the network allows it.

`fetch_to_file` asks `/data/kpi/{ids}/year/{years}` for at most 25 ids a request, follows `next_url`
until it is null and writes the pages one after another into a file, which the importer then reads
as one all-or-nothing import (`services.import_file(format="api")`). A 5xx answer, a timeout or a
broken connection is retried with back-off; when Kolada cannot be reached at all the message says so
in Swedish. Only pages on the base URL's own host are followed.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from jamkoll.errors import ValidationError, field_error

from .importers import parse_kpi
from .models import PERIOD_MAX, PERIOD_MIN

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
IDS_PER_REQUEST = 25
PAGE_MAX_BYTES = 200 * 1024 * 1024
PAGES_MAX = 100_000
RETRIES = 4
USER_AGENT = "JamKoll/1 (+https://github.com/)"


class KoladaUnavailable(ValidationError):
    """Kolada could not be reached (offline, down, too slow)."""


def base_url(override: str | None = None) -> str:
    url = (
        override
        or getattr(settings, "KOLADA_BASE_URL", "")
        or os.environ.get("KOLADA_BASE_URL")
        or DEFAULT_BASE_URL
    ).rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
        raise field_error(
            "base_url", _("ogiltig adress %(u)r (ange t.ex. https://api.kolada.se/v3)") % {"u": url[:80]}
        )
    return url


def chunks(items: Sequence[str], size: int = IDS_PER_REQUEST) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def data_urls(kpis: Sequence[str], years: Sequence[int] = (), base: str | None = None) -> list[str]:
    """The first page's address for each group of at most 25 ids."""
    root = base_url(base)
    ids = []
    for raw in kpis:
        try:
            ids.append(parse_kpi(raw))
        except ValueError as exc:
            raise field_error("kpi", str(exc)) from None
    if not ids:
        raise field_error("kpi", _("ange minst ett nyckeltal"))
    for year in years:
        if not PERIOD_MIN <= year <= PERIOD_MAX:
            raise field_error(
                "year", _("året måste ligga mellan %(a)s och %(b)s") % {"a": PERIOD_MIN, "b": PERIOD_MAX}
            )
    ids = list(dict.fromkeys(ids))
    tail = "/year/" + ",".join(str(y) for y in sorted(set(years))) if years else ""
    return [f"{root}/data/kpi/{','.join(group)}{tail}" for group in chunks(ids)]


def _get(url: str, *, timeout: float, retries: int, backoff: float, sleep: Callable[[float], None]) -> bytes:
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * (2 ** (attempt - 1)))
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # http(s) only: base_url
                data = response.read(PAGE_MAX_BYTES + 1)
            if len(data) > PAGE_MAX_BYTES:
                raise field_error(
                    "url", _("Koladas svar är för stort (över 200 MB): %(u)s") % {"u": url[:200]}
                )
            return bytes(data)
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise field_error(
                    "url", _("Kolada svarade %(code)s för %(u)s") % {"code": exc.code, "u": url[:200]}
                ) from None
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            last = str(reason)[:200] or type(exc).__name__
    raise KoladaUnavailable(
        _(
            "Kunde inte nå Koladas API (%(u)s) efter %(n)s försök: %(why)s. Kontrollera nätverket, "
            "eller ange en annan adress med --base-url."
        )
        % {"u": url[:200], "n": retries + 1, "why": last}
    )


def fetch_to_file(
    out: IO[bytes],
    kpis: Sequence[str],
    years: Sequence[int] = (),
    *,
    base: str | None = None,
    timeout: float = 30.0,
    retries: int = RETRIES,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write every page for `kpis` and `years` into `out`; the number of pages."""
    urls = data_urls(kpis, years, base)
    origin = urllib.parse.urlsplit(base_url(base))[:2]
    pages = 0
    for first in urls:
        url: str | None = first
        while url:
            if urllib.parse.urlsplit(url)[:2] != origin:
                raise field_error("url", _("Kolada hänvisade till en annan värd: %(u)s") % {"u": url[:200]})
            if pages >= PAGES_MAX:
                raise field_error("url", _("för många sidor från Kolada"))
            data = _get(url, timeout=timeout, retries=retries, backoff=backoff, sleep=sleep)
            try:
                page = json.loads(data, parse_float=str, parse_int=str, parse_constant=str)
            except (ValueError, RecursionError):
                raise field_error("url", _("Koladas svar är inte JSON: %(u)s") % {"u": url[:200]}) from None
            if not isinstance(page, dict):
                raise field_error(
                    "url", _("Koladas svar är inte ett dokument med values: %(u)s") % {"u": url[:200]}
                )
            out.write(data)
            out.write(b"\n")
            pages += 1
            if progress is not None:
                progress(url)
            nxt: Any = page.get("next_url", page.get("next_page"))
            url = urllib.parse.urljoin(url, nxt) if isinstance(nxt, str) and nxt else None
    return pages
