"""The decision page's widgets are drawn in Python; the HTML is Django's own (but for the
whitespace between a select's options)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from jamkoll.forms import BoundedDateField
from jamkoll.obligations.models import ObligationKind
from jamkoll.web.fast_widgets import FastRenderer, FastSelect

HOSTILE = '"><script>alert(1)</script>&amp; \u202e'


class Sample(forms.Form):
    text = forms.CharField(max_length=20, help_text="x")
    number = forms.IntegerField()
    hidden = forms.CharField(widget=forms.HiddenInput)
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    tick = forms.BooleanField(required=False)
    day = BoundedDateField(required=False)
    choice = forms.ChoiceField(choices=[("", "–"), ("a", "A & B"), (HOSTILE, HOSTILE)])
    grouped = forms.ChoiceField(choices=[("Grupp", [("x", "X"), ("y", "Y")]), ("z", "Z")])


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": HOSTILE,
            "number": "12",
            "hidden": HOSTILE,
            "area": HOSTILE,
            "tick": "on",
            "day": "2022-06-06",
        },
        {"choice": HOSTILE, "grouped": "y", "area": "\n\nrad", "tick": ""},
        {"choice": "a", "text": "", "day": "x"},
    ],
)
def test_the_html_is_django_s(data: dict[str, str] | None) -> None:
    for name in Sample.base_fields:
        django_html = Sample(data, renderer=DjangoTemplates())[name].as_widget()
        fast_html = Sample(data, renderer=FastRenderer())[name].as_widget()
        if django_html.startswith("<select"):
            django_html = re.sub(r">\s+<", "><", django_html)
        assert fast_html == django_html, name


def test_other_templates_go_to_django() -> None:
    form = Sample({"text": ""}, renderer=FastRenderer())
    assert str(form.errors) == str(Sample({"text": ""}, renderer=DjangoTemplates()).errors)


class Selects(forms.Form):
    plain = forms.ChoiceField(choices=[("", "–"), ("a", "A & B"), (HOSTILE, HOSTILE)], widget=FastSelect)
    kind = forms.ChoiceField(choices=[("", "–"), *ObligationKind.choices], widget=FastSelect, required=False)


@pytest.mark.parametrize("data", [None, {"plain": HOSTILE, "kind": "requisition"}, {"plain": "x" * 500}])
def test_the_fast_select_draws_django_s_select(data: dict[str, str] | None) -> None:
    class Plain(Selects):
        plain = forms.ChoiceField(choices=Selects.base_fields["plain"].choices)
        kind = forms.ChoiceField(choices=Selects.base_fields["kind"].choices, required=False)

    for name in Selects.base_fields:
        expected = re.sub(r">\s+<", "><", Plain(data)[name].as_widget())
        assert Selects(data)[name].as_widget() == expected, name
