"""Migrating a fresh database fast (issue 16, "Start fast").

Django keeps the models of the migration state rendered while it migrates, and each `CreateModel`
re-renders every model connected to the new one's targets, recursively: through the user model
(every historical model points to it) that is every model created so far, so a fresh database cost
some 8 000 model renders (two thirds of a first `jamkoll seed`). A model that is new to the state
has nothing pointing to it yet: rendering it alone, against the classes already rendered, gives the
same models (its reverse relations are derived from the registry, not stored), and so the same
schema. `tests/test_seed_fast.py` compares the state migrated this way with Django's own.

Only the way the state is rendered changes; every operation runs as before, with the same SQL. A
model that is changed (or created again under a name the state already holds) takes Django's way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ModelState, ProjectState


def migrations_to_apply() -> bool:
    """Whether the database lacks a migration. A second `jamkoll seed` skips `migrate` when none is
    missing (it would render every model and check every content type and permission for nothing:
    a tenth of that seed, issue 16); a history that does not fit the files is still an error."""
    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@contextmanager
def new_models_rendered_alone() -> Iterator[None]:
    """While inside, `ProjectState.add_model` renders a model new to a rendered state by itself
    instead of re-rendering the models related to it."""
    original = ProjectState.add_model

    def add_model(self: ProjectState, model_state: ModelState) -> None:
        apps: Any = self.__dict__.get("apps")  # hasattr would render the state
        key = (model_state.app_label, model_state.name_lower)
        if apps is None or key in self.models or _registered(apps, key):
            original(self, model_state)
            return
        del self.__dict__["apps"]
        try:
            original(self, model_state)  # the model's relations, without a reload
        finally:
            self.__dict__["apps"] = apps
        apps.render_multiple([model_state])

    ProjectState.add_model = add_model  # type: ignore[method-assign]
    try:
        yield
    finally:
        ProjectState.add_model = original  # type: ignore[method-assign]


def _registered(apps: Any, key: tuple[str, str]) -> bool:
    try:
        apps.get_model(*key)
    except LookupError:
        return False
    return True
