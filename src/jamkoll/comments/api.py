"""Comments and notifications under /api/v1/ (issue 15), with the web pages' rules: reading a
target's comments needs "comment.view", writing "comment.create" (accounts/policy.py); a mention
of an unknown user, or of one who may not see the target, is a 422 naming them. Endpoints do not
catch: `jamkoll.api` makes the one error body."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from jamkoll.accounts.api_auth import user_auth
from jamkoll.api_paging import Page, PageIn, page
from jamkoll.schema_types import ERRORS

from .models import BODY_MAX
from .selectors import PK_MAX, comment_page, notification_queryset, notifications_visible, target_get
from .services import comment_create, notification_mark_read

router = Router(auth=user_auth, tags=["comments"])
notifications_router = Router(auth=user_auth, tags=["comments"])

Kind = Literal["plan", "activity", "county-plan", "report"]
Id = Annotated[int, Field(ge=1, le=PK_MAX)]


class CommentOut(Schema):
    id: int | None = Field(description="Saknas för Regeringskansliets återsändningar (kind send_back).")
    kind: Literal["comment", "send_back"]
    author: str
    created_at: dt.datetime
    body: str


class CommentIn(Schema):
    body: Annotated[str, StringConstraints(max_length=BODY_MAX)] = Field(
        description="Texten; @användarnamn aviserar (högst 10 personer)."
    )


class TargetOut(Schema):
    kind: Kind
    id: int
    title: str
    url: str


class NotificationOut(Schema):
    id: int
    created_at: dt.datetime
    read_at: dt.datetime | None
    comment: CommentOut
    target: TargetOut


class MarkedOut(Schema):
    marked: int


def _row(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "author": row.author,
        "created_at": row.created_at,
        "body": row.body,
    }


@router.get("/{kind}/{pk}", response={200: Page[CommentOut], **ERRORS}, summary="Kommentarer")
def comments(request: HttpRequest, kind: Kind, pk: Id, paging: Query[PageIn]) -> Any:
    """A plan's, activity's, county plan's or report version's comments, oldest first (for a plan
    with Regeringskansliets reasons for sending it back, kind send_back). A page at a time
    (`limit`, `offset`; `total` counts them all)."""
    target = target_get(kind=kind, pk=pk)
    total, rows = comment_page(actor=request.user, target=target, offset=paging.offset, limit=paging.limit)
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": [_row(r) for r in rows]}


@router.post("/{kind}/{pk}", response={201: CommentOut, **ERRORS}, summary="Skriv en kommentar")
def comment_new(request: HttpRequest, kind: Kind, pk: Id, data: CommentIn) -> Any:
    comment = comment_create(actor=request.user, target=target_get(kind=kind, pk=pk), body=data.body)
    author = request.user.get_full_name() or request.user.get_username()  # type: ignore[union-attr]
    return 201, {
        "id": comment.pk,
        "kind": "comment",
        "author": author,
        "created_at": comment.created_at,
        "body": comment.body,
    }


def _notification_out(n: Any, target: Any) -> dict[str, Any]:
    return {
        "id": n.pk,
        "created_at": n.created_at,
        "read_at": n.read_at,
        "comment": {
            "id": n.comment_id,
            "kind": n.kind,
            "author": n.author_name,
            "created_at": n.comment.created_at if n.comment is not None else n.created_at,
            "body": n.body,
        },
        "target": {"kind": target.kind, "id": target.pk, "title": target.title, "url": target.url},
    }


@notifications_router.get(
    "",
    response={200: Page[NotificationOut], **ERRORS},
    summary="Mina aviseringar",
    description=(
        "Nyaste först, sidvis (`limit`, `offset`; `total` är antalet aviseringar du får läsa). En "
        "avisering om något du inte längre får läsa (en roll som tagits bort) varken listas eller "
        "räknas, som på webben."
    ),
)
def notifications(request: HttpRequest, paging: Query[PageIn]) -> Any:
    result = page(notification_queryset(user=request.user), paging)
    visible = notifications_visible(user=request.user, rows=result["items"])
    result["items"] = [_notification_out(n, target) for n, target in visible]
    return result


@notifications_router.post("/{pk}/read", response={200: MarkedOut, **ERRORS}, summary="Markera som läst")
def notification_read(request: HttpRequest, pk: Id) -> Any:
    return {"marked": notification_mark_read(actor=request.user, pk=pk)}


@notifications_router.post("/read", response={200: MarkedOut, **ERRORS}, summary="Markera alla som lästa")
def notifications_read(request: HttpRequest) -> Any:
    return {"marked": notification_mark_read(actor=request.user)}
