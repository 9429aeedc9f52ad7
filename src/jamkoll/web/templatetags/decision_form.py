"""The decision page's fields, drawn in Python: a label, the widget, the help and the errors of each
of its few hundred fields (a template include per field took most of the page's time)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _errors(field: BoundField) -> str:
    if not field.errors:
        return ""
    text = " ".join(conditional_escape(str(e)) for e in field.errors)
    return f'<p class="error field-error" id="{field.auto_id}_error" role="alert">{text}</p>'


@register.simple_tag
def field_block(field: BoundField, wide: bool = False, mark: bool = False) -> SafeString:
    """A field with its label above it, its help below it and its errors beside it."""
    classes = "field" + (" has-error" if field.errors else "") + (" wide" if wide else "")
    label = conditional_escape(str(field.label))
    if field.field.required:
        label += mark_safe(' <span aria-hidden="true">*</span>')
    if mark:
        label += format_html(' <small class="proposed">({})</small>', _("föreslaget ur texten"))
    help_text = (
        format_html('<small id="{}_helptext">{}</small>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    return format_html(
        '<div class="{}"><label for="{}">{}</label>{}{}{}</div>',
        classes,
        field.id_for_label,
        label,
        field.as_widget(),
        help_text,
        mark_safe(_errors(field)),
    )


@register.simple_tag
def row_cells(form: Any, row: int) -> SafeString:
    """The cells of a table row: each field with a label for screen readers ("Part rad 2")."""
    cells = []
    for field in form:
        cells.append(
            format_html(
                '<td{}><label for="{}" class="visually-hidden">{} {} {}</label>{}{}</td>',
                mark_safe(' class="has-error"') if field.errors else "",
                field.id_for_label,
                field.label,
                _("rad"),
                row,
                field.as_widget(),
                mark_safe(_errors(field)),
            )
        )
    return mark_safe("".join(cells))
