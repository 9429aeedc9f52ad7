"""Factories for plan objects on top of the seeded decision (its sub-projects, goal areas and
counties come from the documents; a factory only adds what a test needs)."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from jamkoll.plans.models import Activity, ProjectPlan, SubProject
from jamkoll.programmes.models import FundingDecision, GoalArea
from jamkoll.reference.selectors import county_get

SLUG = "jamstalldhet-kvinnofrid-2018-2020"


class ActivityFactory(DjangoModelFactory):
    """An RSS activity of 2018 owned by a county (Skåne unless told), touching that county."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    class Params:
        county = "12"

    decision = factory.LazyFunction(lambda: FundingDecision.objects.get(slug=SLUG))
    year = 2018
    code = factory.Sequence(lambda n: f"test-rss-{n}")
    sub_project = factory.LazyAttribute(lambda a: SubProject.objects.get(decision=a.decision, number=1))
    goal_area = factory.LazyAttribute(lambda a: GoalArea.objects.get(decision=a.decision, number=3))
    owner_county = factory.LazyAttribute(lambda a: county_get(code=a.county))
    title = factory.Sequence(lambda n: f"Länets nätverk för chefer {n}")
    description = "Ett nätverk för chefer i länets kommuner."
    report_section = "4.1"

    @factory.post_generation
    def counties(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.counties.add(self.owner_county)


class ProjectPlanFactory(DjangoModelFactory):
    """A draft project plan for a year of the seeded decision that has none (2019)."""

    class Meta:
        model = ProjectPlan

    decision = factory.LazyFunction(lambda: FundingDecision.objects.get(slug=SLUG))
    year = 2019
    title = factory.LazyAttribute(lambda p: f"Projektplan {p.year}")
