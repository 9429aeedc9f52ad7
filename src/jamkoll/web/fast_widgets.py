"""A form renderer that draws the plain widgets — `<input>`, `<select>`, `<textarea>` — in Python
instead of through a template per widget and per option.

Why: the decision page has a few hundred fields and a few dozen selects of organisations; drawn
by Django's widget templates it took half a second, most of it in `select_option.html`. The HTML
is the same as Django's templates write (same attributes, same escaping; only the whitespace
between a select's options is left out), so forms, tests and browsers see no difference; any other
template (a form's layout, a radio list) goes to Django.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "checkbox")
}
_SELECT = "django/forms/widgets/select.html"
_TEXTAREA = "django/forms/widgets/textarea.html"


def _attrs(attrs: dict[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        out.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        )
    return "".join(out)


def _input(w: dict[str, Any]) -> str:
    value = "" if w["value"] is None else f' value="{conditional_escape(str(w["value"]))}"'
    return f'<input type="{w["type"]}" name="{conditional_escape(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _select(w: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(str(option['label']))}</option>"
            )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return "".join(parts)


def _textarea(w: dict[str, Any]) -> str:
    value = conditional_escape(str(w["value"])) if w["value"] else ""
    return f'<textarea name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


class FastRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if widget is not None:
            if template_name in _INPUTS:
                return mark_safe(_input(widget))  # every value is escaped above
            if template_name == _SELECT:
                return mark_safe(_select(widget))
            if template_name == _TEXTAREA:
                return mark_safe(_textarea(widget))
        return str(super().render(template_name, context, request))


RENDERER = FastRenderer()


@lru_cache(maxsize=128)
def _options(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each option's value and its HTML before and after the place of `selected`."""
    return tuple(
        (value, f'<option value="{conditional_escape(value)}"', f">{conditional_escape(label)}</option>")
        for value, label in pairs
    )


class FastSelect(forms.Select):
    """A select of plain (value, label) choices whose options are escaped once per list, not once
    per select: the decision page has some fifty selects of the same two dozen organisations."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if any(isinstance(label, list | tuple) for _value, label in self.choices):  # groups
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in self.format_value(value)}
        options = _options(tuple((str(v), str(label)) for v, label in self.choices))
        parts = [f'<select name="{conditional_escape(name)}"{_attrs(final)}>']
        chosen = False
        for option_value, head, tail in options:
            mark = option_value in selected and (self.allow_multiple_selected or not chosen)
            chosen = chosen or mark
            parts.append(f"{head} selected{tail}" if mark else f"{head}{tail}")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value is escaped above
