"""The comment form's target (a plain POST that returns to the page it came from) and the
notification list at /aviseringar/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jamkoll.accounts.policy import check
from jamkoll.errors import NotFound, form_add_errors
from jamkoll.tables import Column, table_from_request
from jamkoll.validation import int_param

from .forms import CommentForm
from .selectors import PK_MAX, comment_list, notification_queryset, notifications_visible, target_get
from .services import comment_create, notification_mark_read

NOTIFICATIONS_PAGE = 50


def section_context(request: HttpRequest, target: Any, form: CommentForm | None = None) -> dict[str, Any]:
    """What the comment section shows (`templatetags.comment_tags.comments_for` and the page of
    a refused comment): the list, and the form for those who may write."""
    return {
        "target": target,
        "rows": comment_list(actor=request.user, target=target),
        "can_create": check(request.user, "comment.create", target).allowed,
        "form": form or CommentForm(auto_id="id_comment_%s"),
        "request": request,
    }


@require_POST
@login_required
def comment_post(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = target_get(kind=kind, pk=pk)
    form = CommentForm(request.POST, auto_id="id_comment_%s")
    if form.is_valid():
        try:
            comment_create(actor=request.user, target=target, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Kommentaren är sparad."))
            return redirect(f"{target.url}#kommentarer")
    # The section again, with the text as sent and the error beside the field.
    return render(request, "comments/comment_page.html", section_context(request, target, form), status=400)


@require_safe
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, a page at a time (`?sida=`)."""
    newest = Column("tid", _("Tid"), order=("-created_at", "-pk"))
    table = table_from_request(
        request,
        notification_queryset(user=request.user),
        [newest],
        default_sort="tid",
        page_size=NOTIFICATIONS_PAGE,
    )
    table.csv_href = table.xlsx_href = ""  # nothing to download: the list is the user's own inbox
    rows = notifications_visible(user=request.user, rows=table.page.object_list)
    return render(request, "comments/notifications.html", {"rows": rows, "table": table})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: str) -> HttpResponse:
    number = int_param(pk, minimum=1, maximum=PK_MAX)
    if number is None:
        raise NotFound(_("Aviseringen finns inte."))
    notification_mark_read(actor=request.user, pk=number)
    return redirect("comments:notifications")


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_read(actor=request.user)
    messages.success(request, _("%(n)s aviseringar markerade som lästa.") % {"n": count})
    return redirect("comments:notifications")
