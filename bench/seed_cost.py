"""What `jamkoll seed` costs (issue 16, "Start fast"): wall time and queries of the migration and
of the loading, and the process's CPU time (the machine is shared: CPU time is the steadier
figure). Run it twice on an empty data directory or database for the first and the second seed:

    JAMKOLL_DATA_DIR=/tmp/seed-x python -m bench.seed_cost [--dump FILE] [--django-migrate]

`--dump FILE` writes a canonical dump of the seeded apps (every row of every model, sorted, without
timestamps; historical rows without their own id) to compare two implementations of the loading.
`--django-migrate` migrates as plain `migrate` does (without `jamkoll.migrating`), to compare."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

SEEDED_APPS = ["reference", "programmes", "obligations", "plans", "ledger", "accounts"]


def dump(path: str) -> int:
    from django.apps import apps
    from django.db import models

    lines = []
    for app in SEEDED_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if not isinstance(f, models.DateTimeField) and f.attname != "history_id"
            ]
            values = model._default_manager.values(*fields)
            rows = sorted(json.dumps(r, default=str, sort_keys=True) for r in values)
            lines.append(f"## {model._meta.label} {len(rows)}")
            lines.extend(rows)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return len(lines)


def main(argv: list[str]) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamkoll.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jamkoll.migrating import new_models_rendered_alone

    count = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        t1 = time.perf_counter()
        if "--django-migrate" in argv:  # Django's own rendering, to compare
            call_command("migrate", interactive=False, verbosity=0)
        else:
            with new_models_rendered_alone():  # as `jamkoll seed` migrates
                call_command("migrate", interactive=False, verbosity=0)
        t2, migrate_queries = time.perf_counter(), count[0]
        call_command("seed", "--no-migrate", verbosity=0)
        t3 = time.perf_counter()
    print(
        f"{connection.vendor}: start {t1 - started:.1f} s, "
        f"migrate {t2 - t1:.1f} s ({migrate_queries} queries), "
        f"seed {t3 - t2:.1f} s ({count[0] - migrate_queries} queries), total {t3 - started:.1f} s, "
        f"CPU {time.process_time() - cpu:.1f} s"
    )
    if "--dump" in argv:
        dump(argv[argv.index("--dump") + 1])


if __name__ == "__main__":
    main(sys.argv[1:])
