"""Health for load balancers and operators (issue 12, finding 11).

- `/healthz`: the process answers. Touches nothing else: no database, no session.
- `/readyz`: the database answers, every migration is applied, and a worker was heard from within
  settings.WORKER_STALE_SECONDS (jamkoll.web.heartbeat); 503 with what is not ready otherwise.
- `server_error` (handler500): a lost database (OperationalError, InterfaceError) raised anywhere,
  in a view or in middleware such as the session's, answers 503 with a short Swedish page, or the
  API's JSON error body under /api/. Django opens a new connection for the next request, so the
  site recovers by itself when the database returns.
"""

from __future__ import annotations

import sys

from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error

from . import heartbeat

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30

# Once every migration is applied, this process's code and the database agree for good.
_migrations_applied = False


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503: the page (without the site's layout, which would ask the database for the user) or,
    under /api/, the API's error body."""
    detail = _("Databasen kan inte nås just nu. Försök igen om en stund.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail, "errors": {}}, status=503)
    else:
        html = render_to_string("web/unavailable.html", {"detail": detail, "path": request.get_full_path()})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so sys.exc_info() names it."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return django_server_error(request)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def _pending_migrations() -> list[str]:
    global _migrations_applied
    if _migrations_applied:
        return []
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    _migrations_applied = not pending
    return pending


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    checks: dict[str, str] = {}
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = _("Databasen svarar inte: %(e)s") % {"e": str(exc).splitlines()[0][:200]}
    if checks["database"] == "ok":
        pending = _pending_migrations()
        checks["migrations"] = "ok"
        if pending:
            checks["migrations"] = _("Migreringar som inte är gjorda (%(n)d): %(names)s") % {
                "n": len(pending),
                "names": ", ".join(pending[:5]),
            }
        try:
            seen = heartbeat.worker_seen()
        except DatabaseError:  # the table itself is missing before the first migration
            seen = False
        checks["worker"] = "ok" if seen else _("Ingen bakgrundsarbetare har hörts av på några minuter.")
    not_ready = [name for name, state in checks.items() if state != "ok"]
    body = {"ready": not not_ready, "not_ready": not_ready, "checks": checks}
    response = JsonResponse(body, status=503 if not_ready else 200)
    # An answer to a probe, not a server error: Django's request log would repeat it at ERROR level
    # every few seconds while, say, no worker runs.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
