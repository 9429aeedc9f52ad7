"""Writes for key figures: imports of observations and of Kolada's catalogue, and an analyst's
edits of an indicator.

An import is all or nothing: the file is read and every row checked (`importers`), the good rows
staged in bulk (`staging`); if any row is bad the file is refused as a whole — the run is saved
FAILED with every problem and where it is, a `ValidationError` raised, and no observation,
indicator or change is stored. Otherwise one transaction creates the provisional indicators,
records the changed values and merges the rows. A re-import of the same file changes nothing.

The run's progress (percent of the file read) is written on the import's own connection outside
its transaction, so a page polling the run sees it move; the CLI shows the same numbers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_label, actor_user, require
from jamkoll.errors import ErrorCollector, field_error
from jamkoll.reference.models import PolicySubGoal, StrategyObjective
from jamkoll.validation import clean_text

from .codes import org_index
from .importers import (
    PROBLEM_LIMIT,
    READERS,
    Checker,
    Refused,
    guess_format,
    read_catalogue,
)
from .models import ImportFormat, ImportRun, ImportStatus, Indicator
from .staging import DuplicateKeys, Stage

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
ERRORS_SHOWN = 1000
DATA_FORMATS = {ImportFormat.KOLADA, ImportFormat.CSV, ImportFormat.XLSX, ImportFormat.API}


def problem_line(problem: dict[str, str]) -> str:
    """`rad 12, gender: ogiltigt kön 'X'` / `$.values[3].values[1].gender: …`."""
    where, column = problem.get("where", ""), problem.get("field", "")
    head = where
    if column and not where.endswith(column):
        head = f"{where}, {column}" if where else column
    return f"{head}: {problem['message']}" if head else problem["message"]


def imports_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _clean_format(value: Any) -> str:
    if value not in ImportFormat.values:
        raise field_error(
            "format",
            _("okänt format %(f)r; välj ett av: %(all)s")
            % {"f": str(value)[:20], "all": ", ".join(ImportFormat.values)},
        )
    return str(value)


def import_run_create(*, actor: Any, format: str, filename: str, stored_file: str = "") -> ImportRun:
    """A queued import. A web upload is stored under DATA_DIR/imports/ first; its path is
    `stored_file` and the file is deleted when the run is over."""
    require(actor, "indicator.import")
    errors = ErrorCollector()
    fmt = errors.run(lambda: _clean_format(format))
    name = errors.run(
        lambda: clean_text(os.path.basename(str(filename or "")), field="filename", max_length=255)
    )
    if stored_file:
        stored = Path(stored_file).resolve()
        if imports_dir().resolve() not in stored.parents:
            errors.add("stored_file", _("den uppladdade filen ska ligga under datakatalogens imports/"))
    errors.raise_if_any()
    return ImportRun.objects.create(
        format=fmt or "",
        filename=name or "",
        stored_file=str(stored_file or "")[:500],
        requested_by=actor_user(actor),
        requested_by_label=actor_label(actor)[:200],
    )


# The largest file the web and the API accept (the command line takes any size), in MB:
# JAMKOLL_INDICATOR_UPLOAD_MAX_MB. Kolada's whole series for a few hundred KPIs is well below it.
UPLOAD_MAX_MB_DEFAULT = 200
_SAFE_NAME = re.compile(r"[^\w.\- ]+")
_SUFFIX = {
    ImportFormat.KOLADA: ".json",
    ImportFormat.CATALOGUE: ".json",
    ImportFormat.CSV: ".csv",
    ImportFormat.XLSX: ".xlsx",
}


def upload_limit_bytes() -> int:
    return int(getattr(settings, "INDICATOR_UPLOAD_MAX_MB", UPLOAD_MAX_MB_DEFAULT)) * 1024 * 1024


class UploadTooLarge(ValidationError):
    """A file over `upload_limit_bytes()`; the API answers 413, a form shows it beside the file."""


def upload_format(name: str, given: str | None) -> str:
    """The format asked for, else the one the file's name says."""
    if given:
        return _clean_format(given)
    by_suffix = {".json": ImportFormat.KOLADA, ".csv": ImportFormat.CSV, ".xlsx": ImportFormat.XLSX}
    fmt = by_suffix.get(Path(name).suffix.lower())
    if fmt is None:
        raise field_error("format", _("ange formatet (kolada, catalogue, csv eller xlsx)"))
    return str(fmt)


def import_upload(
    *, actor: Any, name: str, size: int, chunks: Iterable[bytes], format: str | None = None
) -> ImportRun:
    """An uploaded file (web form or API) stored under DATA_DIR/imports/ with a name of our own,
    its run created and queued. Refused before anything is stored: no permission, an empty or too
    large file, an unknown format. The stored file is removed again if the run cannot be made."""
    require(actor, "indicator.import")
    limit = upload_limit_bytes()
    if size > limit:
        raise UploadTooLarge(
            {
                "file": [
                    _(
                        "Filen är för stor (%(size)s MB); högst %(max)s MB tas emot. "
                        "Större filer importeras med kommandot jamkoll indicators import."
                    )
                    % {"size": size // (1024 * 1024), "max": limit // (1024 * 1024)}
                ]
            }
        )
    if size <= 0:
        raise field_error("file", _("Filen är tom."))
    shown = _SAFE_NAME.sub("_", Path(str(name or "")).name).strip()[:200] or "fil"
    fmt = upload_format(shown, format)
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{_SUFFIX.get(ImportFormat(fmt), '')}"
    try:
        with stored.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
        run = import_run_create(actor=actor, format=fmt, filename=shown, stored_file=str(stored))
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    import_run_enqueue(run)
    return run


def _progress_writer(run: ImportRun, progress: Progress | None) -> Progress:
    last = [-100]

    def report(percent: int) -> None:
        percent = max(0, min(100, int(percent)))
        if progress is not None:
            progress(percent)
        if percent - last[0] >= 2 or (percent == 100 and last[0] != 100):
            last[0] = percent
            _mine(run).update(progress=percent)

    return report


def _mine(run: ImportRun) -> QuerySet[ImportRun]:
    """The run as this attempt holds it. A run that stalled past its lease may have been queued
    again and taken by another worker (attempts + 1): then nothing this attempt writes may land
    (its progress, its refusal, its counts over the other's)."""
    return ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, attempts=run.attempts)


def _fence(run: ImportRun) -> None:
    """Inside the merge's transaction, before it writes: hold the run's row as this attempt, or
    store nothing (the attempt that took over does the work)."""
    if not _mine(run).select_for_update().exists():
        raise ValidationError(
            _("Importen har tagits över av en annan körning; den här sparar ingenting."), code="superseded"
        )


def _refuse(run: ImportRun, problems: list[dict[str, str]], more: int = 0) -> ValidationError:
    stored = list(problems[:PROBLEM_LIMIT])
    more += max(0, len(problems) - PROBLEM_LIMIT)
    if more:
        stored.append({"where": "", "field": "", "message": _("och %(n)s problem till") % {"n": more}})
    run.status = ImportStatus.FAILED
    run.problems = stored
    run.finished_at = timezone.now()
    run.created = run.updated = run.unchanged = run.indicators_created = 0
    _mine(run).update(
        status=run.status,
        problems=stored,
        finished_at=run.finished_at,
        created=0,
        updated=0,
        unchanged=0,
        indicators_created=0,
    )
    lines = [problem_line(p) for p in stored[:ERRORS_SHOWN]]
    total = len(problems) + more
    head = _("filen avvisades (%(n)s problem), inget importerades") % {"n": total}
    return ValidationError([head, *lines])


def _finish_file(run: ImportRun) -> None:
    """Delete a web upload once its run is over."""
    if not run.stored_file:
        return
    stored = Path(run.stored_file)
    with contextlib.suppress(OSError):
        if imports_dir().resolve() in stored.resolve().parents:
            stored.unlink(missing_ok=True)


def lease_end(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(seconds=settings.INDICATOR_IMPORT_LEASE_SECONDS)


def lease_renew(run_id: Any) -> int:
    """Move a running import's lease on (1 when it was still running, else 0)."""
    return ImportRun.objects.filter(pk=run_id, status=ImportStatus.RUNNING).update(lease_until=lease_end())


@contextlib.contextmanager
def _lease(run: ImportRun) -> Iterator[None]:
    """Hold the run's lease while it runs: a daemon thread renews it (`lease_renew`) every third of
    the lease on its own connection, whatever the import's loop (or its one long merge statement) is
    doing. A process that dies stops renewing, and `import_runs_recover` takes the run for dead."""
    stop = threading.Event()
    interval = max(settings.INDICATOR_IMPORT_LEASE_SECONDS / 3, 0.05)

    def renew() -> None:
        while not stop.wait(interval):
            try:
                lease_renew(run.pk)
            except DatabaseError as exc:  # locked by the merge (SQLite) or away: the next round tries
                log.warning("Importens lån kunde inte förnyas: %s", exc)
            finally:
                connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name="jamkoll-import-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def import_runs_recover(*, now: dt.datetime | None = None, pk: Any = None) -> list[ImportRun]:
    """Runs whose process is gone (their lease ran out: kill -9, out of memory, a lost machine)
    are queued again while their uploaded file is there and attempts are left
    (settings.INDICATOR_IMPORT_ATTEMPTS), else failed with the reason. An import is one
    transaction, so a dead run changed nothing; only its status was left "running". Called when a
    worker starts and when a page or the API asks for a run (`pk`). Returns the runs it changed."""
    now = now or timezone.now()
    stale = ImportRun.objects.filter(status=ImportStatus.RUNNING, lease_until__lt=now)
    if pk is not None:
        stale = stale.filter(pk=pk)
    limit = settings.INDICATOR_IMPORT_ATTEMPTS
    changed = []
    for run in stale:
        again = run.attempts < limit and bool(run.stored_file) and os.path.isfile(run.stored_file)
        update: dict[str, Any]
        if again:
            update = {"status": ImportStatus.QUEUED, "lease_until": None, "progress": 0}
        else:
            message = _(
                "Importen avbröts (försök %(n)s av %(max)s); inga värden ändrades. Ladda upp filen igen."
            ) % {"n": max(run.attempts, 1), "max": limit}
            update = {
                "status": ImportStatus.FAILED,
                "lease_until": None,
                "finished_at": now,
                "problems": [{"where": "", "field": "", "message": message}],
            }
        # Conditional on the lease we saw: the run's own process (or another sweeper) may have got there.
        if not ImportRun.objects.filter(
            pk=run.pk, status=ImportStatus.RUNNING, lease_until=run.lease_until
        ).update(**update):
            continue
        run.refresh_from_db()
        if again:
            import_run_enqueue(run)
        else:
            _finish_file(run)
        changed.append(run)
    return changed


def import_run_execute(
    run: ImportRun, *, path: str | None = None, progress: Progress | None = None
) -> ImportRun:
    """Run `run` on `path` (or its stored file) all or nothing; see the module's docstring."""
    source = path or run.stored_file
    run.status = ImportStatus.RUNNING
    run.progress = 0
    run.problems = []
    run.lease_until = lease_end()
    run.save(update_fields=["status", "progress", "problems", "lease_until"])
    report = _progress_writer(run, progress)
    try:
        with _lease(run):
            return _execute(run, source, report)
    except (PermissionDenied, ValidationError):
        raise  # refused: the run lists the problems
    except Exception:
        # A fault, not a problem the file was refused for: the run must still end, as failed, or
        # its page would say "running" for ever (nothing recovers a run whose lease is cleared).
        # Only a run still running as this attempt: one merged already (a fault after the commit)
        # stays done, and one another worker took over is left to it.
        log.exception("import run %s failed", run.pk)
        message = _(
            "importen avbröts av ett oväntat fel när filen lästes; inget importerades. "
            "Felet är loggat hos systemets administratör."
        )
        with contextlib.suppress(DatabaseError):  # the database is gone: recovery takes the run
            ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, attempts=run.attempts).update(
                status=ImportStatus.FAILED,
                problems=[{"where": "", "field": "", "message": message}],
                finished_at=timezone.now(),
                created=0,
                updated=0,
                unchanged=0,
                indicators_created=0,
            )
        raise
    finally:
        # A run that ended lets its lease go; one still "running" (its failure could not be
        # written) keeps it, so that recovery takes it once it runs out.
        ImportRun.objects.filter(pk=run.pk).exclude(status=ImportStatus.RUNNING).update(lease_until=None)
        run.lease_until = None
        # The upload goes with a run that ended (done or failed); a run queued again or still
        # running (another attempt took it over, or this one's failure could not be written) keeps
        # it for that attempt or for recovery.
        with contextlib.suppress(DatabaseError):
            ended = (ImportStatus.DONE, ImportStatus.FAILED)
            if ImportRun.objects.filter(pk=run.pk, status__in=ended).exists():
                _finish_file(run)


def _execute(run: ImportRun, source: str, report: Progress) -> ImportRun:
    if not source or not os.path.isfile(source):
        raise _refuse(
            run,
            [
                {
                    "where": "",
                    "field": "file",
                    "message": _("filen finns inte: %(p)s") % {"p": str(source)[:200]},
                }
            ],
        )
    if run.format == ImportFormat.CATALOGUE:
        return _catalogue(run, source, report)
    return _observations(run, source, report)


def _observations(run: ImportRun, path: str, report: Progress) -> ImportRun:
    stage = Stage().open()
    checker = Checker(
        orgs=org_index(),
        indicators=dict(Indicator.objects.values_list("code", "id")),
        sink=stage.add,
        allow_county=run.format not in (ImportFormat.KOLADA, ImportFormat.API),
    )
    reader = READERS[run.format]
    try:
        try:
            reader(path, checker, report)
        except Refused as refused:
            raise _refuse(run, checker.problems + refused.problems, checker.more + refused.more) from None
        except OSError as exc:
            checker.problem("", "file", _("filen kan inte läsas: %(e)s") % {"e": str(exc)[:200]})
        if checker.problems:
            problems = checker.problems + _duplicate_problems(stage, run.format)
            raise _refuse(run, problems, checker.more)
        stage.flush()  # outside the transaction: a refused merge must leave the staged rows
        try:
            with transaction.atomic():
                _fence(run)
                counts = stage.merge(
                    run,
                    new_indicators=checker.new_indicators,
                    divided=checker.new_divided,
                    known_indicators=checker.known_indicator_ids(),
                    rows=checker.rows,
                )
                run.rows = checker.rows
                run.created = counts.created
                run.updated = counts.updated
                run.unchanged = counts.unchanged
                run.indicators_created = counts.indicators_created
                run.status = ImportStatus.DONE
                run.progress = 100
                run.finished_at = timezone.now()
                run.save()
        except DuplicateKeys:
            raise _refuse(run, _duplicate_problems(stage, run.format)) from None
    finally:
        stage.close()
    report(100)
    return run


def _duplicate_problems(stage: Stage, fmt: str) -> list[dict[str, str]]:
    out = []
    for first, later in stage.duplicates():
        if fmt in (ImportFormat.KOLADA, ImportFormat.API):
            where, before = f"$.values[{later}]", f"$.values[{first}]"
        else:
            where, before = _("rad %(n)s") % {"n": later}, _("rad %(n)s") % {"n": first}
        out.append(
            {
                "where": where,
                "field": "",
                "message": _("samma nyckeltal, organisation, år och kön som %(where)s") % {"where": before},
            }
        )
    return out


def import_file(
    *, actor: Any, path: str, format: str | None = None, progress: Progress | None = None
) -> ImportRun:
    """Create and run an import of a local file at once (CLI, tests); the format is guessed from the
    file's name or first bytes when not given."""
    fmt = format or (guess_format(path) if os.path.isfile(path) else ImportFormat.KOLADA)
    run = import_run_create(actor=actor, format=fmt, filename=os.path.basename(path))
    return import_run_execute(run, path=path, progress=progress)


def import_run_enqueue(run: ImportRun) -> None:
    """Hand a queued run to the background worker (`tasks.run_import`)."""
    from .tasks import run_import  # the task module imports this one

    run_import.enqueue(str(run.pk))


# --- the catalogue --------------------------------------------------------------------------

CATALOGUE_FIELDS = [
    "title",
    "description",
    "divided_by_gender",
    "municipality_type",
    "operating_area",
    "perspective",
    "publication_date",
]


def catalogue_load(*, actor: Any, path: str, progress: Progress | None = None) -> ImportRun:
    """Load Kolada's KPI catalogue (a `/v3/kpi` document): new indicators are created, known ones
    updated (and no longer provisional); what an analyst added (unit, direction, links) stays."""
    run = import_run_create(actor=actor, format=ImportFormat.CATALOGUE, filename=os.path.basename(path))
    return import_run_execute(run, path=path, progress=progress)


def _catalogue(run: ImportRun, path: str, report: Progress) -> ImportRun:
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    checker = Checker(orgs={}, indicators={}, sink=lambda row: None)
    seen: dict[str, int] = {}
    for entry in read_catalogue(path, checker, lambda p: report(p // 2)):
        if entry.code in seen:
            checker.problem(
                f"$.values[{entry.index}].id",
                "id",
                _("id %(code)s förekommer redan i $.values[%(i)s]")
                % {"code": entry.code, "i": seen[entry.code]},
            )
        else:
            seen[entry.code] = entry.index
    if checker.problems:
        raise _refuse(run, checker.problems, checker.more)
    created = updated = unchanged = 0
    with transaction.atomic():
        _fence(run)
        batch: list[Any] = []

        def flush() -> None:
            nonlocal created, updated, unchanged
            existing = Indicator.objects.in_bulk([e.code for e in batch], field_name="code")
            new, changed = [], []
            for entry in batch:
                values = {f: getattr(entry, f) for f in CATALOGUE_FIELDS}
                indicator = existing.get(entry.code)
                if indicator is None:
                    new.append(Indicator(code=entry.code, provisional=False, **values))
                    continue
                if not indicator.provisional and all(getattr(indicator, f) == v for f, v in values.items()):
                    unchanged += 1
                    continue
                for f, v in values.items():
                    setattr(indicator, f, v)
                indicator.provisional = False
                indicator.updated_at = timezone.now()
                changed.append(indicator)
            user = actor_user_of(run)
            if new:
                bulk_create_with_history(
                    new, Indicator, default_user=user, default_change_reason=_("katalogimport")
                )
                created += len(new)
            if changed:
                bulk_update_with_history(
                    changed,
                    Indicator,
                    [*CATALOGUE_FIELDS, "provisional", "updated_at"],
                    default_user=user,
                    default_change_reason=_("katalogimport"),
                )
                updated += len(changed)
            batch.clear()

        for entry in read_catalogue(path, checker, lambda p: report(50 + p // 2)):
            batch.append(entry)
            if len(batch) >= 1000:
                flush()
        flush()
        run.rows = len(seen)
        run.created = created
        run.updated = updated
        run.unchanged = unchanged
        run.indicators_created = created
        run.status = ImportStatus.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.save()
    report(100)
    return run


def actor_user_of(run: ImportRun) -> Any:
    return run.requested_by


# --- an analyst's edits ---------------------------------------------------------------------

EDITABLE = {"title", "description", "unit", "higher_is_better", "sub_goals", "strategy_objectives"}


def _numbers(value: Any, field: str, model: Any) -> list[Any]:
    if not isinstance(value, (list, tuple, set)) or len(value) > 100:
        raise field_error(field, _("ange en lista med nummer"))
    numbers = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, str)) or not str(item).strip().isdigit():
            raise field_error(field, _("ogiltigt nummer %(v)r") % {"v": str(item)[:20]})
        numbers.append(int(str(item).strip()))
    found = {obj.number: obj for obj in model.objects.filter(number__in=numbers)}
    missing = sorted(set(numbers) - set(found))
    if missing:
        raise field_error(field, _("okända nummer: %(n)s") % {"n": ", ".join(str(n) for n in missing[:10])})
    return [found[n] for n in sorted(set(numbers))]


def indicator_update(*, actor: Any, indicator: Indicator, **fields: Any) -> Indicator:
    """An analyst completes an indicator: title, description, unit, direction and the goals it
    follows. A title clears `provisional`."""
    require(actor, "indicator.edit")
    errors = ErrorCollector()
    unknown = sorted(set(fields) - EDITABLE)
    for name in unknown:
        errors.add(name[:50], _("fältet kan inte ändras här"))
    cleaned: dict[str, Any] = {}
    if "title" in fields:
        cleaned["title"] = errors.run(
            lambda: clean_text(fields["title"], field="title", max_length=500, required=True)
        )
    if "description" in fields:
        cleaned["description"] = errors.run(
            lambda: clean_text(fields["description"], field="description", max_length=10000, multiline=True)
        )
    if "unit" in fields:
        cleaned["unit"] = errors.run(lambda: clean_text(fields["unit"], field="unit", max_length=100))
    if "higher_is_better" in fields:
        value = fields["higher_is_better"]
        if value not in (True, False, None):
            errors.add("higher_is_better", _("ange ja, nej eller tomt"))
        else:
            cleaned["higher_is_better"] = value
    goals = objectives = None
    if "sub_goals" in fields:
        goals = errors.run(lambda: _numbers(fields["sub_goals"], "sub_goals", PolicySubGoal))
    if "strategy_objectives" in fields:
        objectives = errors.run(
            lambda: _numbers(fields["strategy_objectives"], "strategy_objectives", StrategyObjective)
        )
    errors.raise_if_any()
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(indicator, name, value)
        if "title" in cleaned:
            indicator.provisional = False
        user = actor_user(actor)
        indicator._history_user = user  # type: ignore[attr-defined]
        indicator.save()
        if goals is not None:
            indicator.sub_goals.set(goals)
        if objectives is not None:
            indicator.strategy_objectives.set(objectives)
    return indicator


# --- Kolada's API ---------------------------------------------------------------------------


def kolada_fetch(
    *,
    actor: Any,
    kpis: list[str],
    years: list[int] | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
    **client: Any,
) -> ImportRun:
    """Fetch `kpis` (for `years`, else every year) from Kolada's API and import them as one
    all-or-nothing import. The pages are written to a temporary file first."""
    import tempfile

    from . import kolada

    require(actor, "indicator.import")
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(prefix="kolada-", suffix=".json", dir=folder, delete=False)  # noqa: SIM115
    try:
        with handle:
            kolada.fetch_to_file(handle, kpis, years or [], base=base_url, **client)
        run = import_run_create(
            actor=actor, format=ImportFormat.API, filename=f"kolada:{','.join(kpis)}"[:255]
        )
        return import_run_execute(run, path=handle.name, progress=progress)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
